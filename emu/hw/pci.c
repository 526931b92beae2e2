/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pci.c - conventional PCI: configuration space semantics, BAR sizing and
 * mapping, expansion ROMs and INTx routing (PCI Local Bus Specification
 * 3.0, §6.1-6.3 and §6.8).
 */
#include "emu/osdep.h"
#include <sys/stat.h>

#include "emu/hw/msix.h"
#include "emu/hw/pci.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"       /* config_find_datafile */

struct pci_bus *pci_default_bus;

/* BARs sit below RAM: where a guest points one at RAM, RAM wins, as in
 * QEMU's pc where the PCI window is mapped under system memory. */
#define BAR_PRIORITY (-1)

struct pci_bus *pci_bus_new(struct addr_space *mem, struct addr_space *io)
{
    struct pci_bus *b = xzalloc(sizeof(*b));
    b->mem = mem;
    b->io = io;
    return b;
}

int pci_device_plug(struct pci_bus *bus, struct pci_device *d,
                    struct err **errp)
{
    if (d->devfn < 0) {
        /* First free slot, function 0; slot 0 belongs to the host bridge
         * in practice, but a bridge plugs explicitly at 0. */
        for (int devfn = 0; devfn < 256; devfn += 8) {
            if (!bus->devs[devfn]) {
                d->devfn = devfn;
                break;
            }
        }
        if (d->devfn < 0) {
            err_setf(errp, "PCI: no slot/function available for %s, all in use",
                     d->dev.type->name);
            return -1;
        }
    } else if (bus->devs[d->devfn]) {
        err_setf(errp, "PCI: slot %d function %d not available for %s, in use "
                 "by %s", d->devfn >> 3, d->devfn & 7, d->dev.type->name,
                 bus->devs[d->devfn]->dev.type->name);
        return -1;
    }
    d->bus = bus;
    bus->devs[d->devfn] = d;
    pci_set_word(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                 PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    /* Error bits of the status register are write-one-to-clear. */
    pci_set_word(d->w1cmask + PCI_STATUS, 0xf900);
    if (d->multifunction) {
        d->config[PCI_HEADER_TYPE] |= 0x80;
    }
    return 0;
}

void pci_register_bar(struct pci_device *d, int n, unsigned type,
                      struct mem_region *mr)
{
    struct pci_bar *bar = &d->bars[n];
    uint64_t size = 1;
    while (size < mr->size) {
        size <<= 1;
    }
    /* The spec's minimums: 16 bytes of memory, 4 of I/O, 2 KiB of ROM. */
    if (n == PCI_ROM_SLOT) {
        size = MAX(size, 2048);
    } else if (type & PCI_BAR_IO) {
        size = MAX(size, 4);
    } else {
        size = MAX(size, 16);
    }
    bar->size = size;
    bar->type = type;
    bar->mr = mr;
    unsigned reg = n == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * n;
    if (n == PCI_ROM_SLOT) {
        pci_set_long(d->config + reg, 0);
        pci_set_long(d->wmask + reg, (uint32_t)~(size - 1) | 1);
    } else if (type & PCI_BAR_IO) {
        pci_set_long(d->config + reg, PCI_BAR_IO);
        pci_set_long(d->wmask + reg, (uint32_t)~(size - 1) & 0xfffffffc);
    } else {
        pci_set_long(d->config + reg, type);
        pci_set_long(d->wmask + reg, (uint32_t)~(size - 1) & 0xfffffff0);
        if (type & PCI_BAR_MEM64) {
            pci_set_long(d->config + reg + 4, 0);
            pci_set_long(d->wmask + reg + 4, (uint32_t)(~(size - 1) >> 32));
        }
    }
}

/* Where the guest has put BAR n, or ~0 when it is not to be mapped. */
static uint64_t bar_address(struct pci_device *d, int n)
{
    struct pci_bar *bar = &d->bars[n];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint64_t addr;
    if (n == PCI_ROM_SLOT) {
        uint32_t v = pci_get_long(d->config + PCI_ROM_ADDRESS);
        if (!(cmd & PCI_COMMAND_MEMORY) || !(v & 1)) {
            return ~0ULL;
        }
        addr = v & ~(uint64_t)(bar->size - 1) & 0xfffff800;
    } else {
        unsigned reg = PCI_BASE_ADDRESS_0 + 4 * n;
        uint32_t lo = pci_get_long(d->config + reg);
        if (bar->type & PCI_BAR_IO) {
            if (!(cmd & PCI_COMMAND_IO)) {
                return ~0ULL;
            }
            addr = lo & ~(uint64_t)(bar->size - 1) & 0xfffc;
            /* Sizing writes leave all ones; such an address is not live. */
            if ((lo & 0xfffc) == (0xffffffff & ~(bar->size - 1) & 0xfffc) &&
                (lo >> 16) == 0xffff) {
                return ~0ULL;
            }
        } else {
            if (!(cmd & PCI_COMMAND_MEMORY)) {
                return ~0ULL;
            }
            uint64_t full = lo & 0xfffffff0;
            if (bar->type & PCI_BAR_MEM64) {
                full |= (uint64_t)pci_get_long(d->config + reg + 4) << 32;
            }
            addr = full & ~(bar->size - 1);
            uint64_t all = (bar->type & PCI_BAR_MEM64) ? ~0ULL : 0xffffffffULL;
            if ((addr | (bar->size - 1)) == (all | (bar->size - 1)) &&
                addr == (all & ~(bar->size - 1))) {
                return ~0ULL;
            }
        }
    }
    if (addr == 0) {
        return ~0ULL;
    }
    return addr;
}

static void update_mappings(struct pci_device *d)
{
    for (int n = 0; n <= PCI_ROM_SLOT; n++) {
        struct pci_bar *bar = &d->bars[n];
        if (!bar->size) {
            continue;
        }
        struct addr_space *as = (bar->type & PCI_BAR_IO) ? d->bus->io : d->bus->mem;
        uint64_t addr = bar_address(d, n);
        if (bar->map && addr == bar->addr) {
            continue;
        }
        if (bar->map) {
            as_unmap(as, bar->map);
            bar->map = NULL;
        }
        if (addr != ~0ULL && as) {
            bar->map = as_map(as, addr, bar->mr, 0, bar->mr->size, BAR_PRIORITY);
            bar->addr = addr;
        }
    }
}

static void update_intx(struct pci_device *d);

uint32_t pci_default_config_read(struct pci_device *d, unsigned off,
                                 unsigned len)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < len && off + i < 256; i++) {
        v |= (uint32_t)d->config[off + i] << (8 * i);
    }
    return v;
}

void pci_default_config_write(struct pci_device *d, unsigned off, uint32_t val,
                              unsigned len)
{
    bool remap = false;
    bool intx_change = false;
    for (unsigned i = 0; i < len && off + i < 256; i++) {
        unsigned o = off + i;
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[o], w1c = d->w1cmask[o];
        d->config[o] = (d->config[o] & ~wm) | (b & wm);
        d->config[o] &= ~(b & w1c);
        if ((o >= PCI_BASE_ADDRESS_0 && o < PCI_BASE_ADDRESS_0 + 24) ||
            (o >= PCI_ROM_ADDRESS && o < PCI_ROM_ADDRESS + 4) ||
            o == PCI_COMMAND) {
            remap = true;
        }
        if (o == PCI_COMMAND + 1) {
            intx_change = true;
            remap = true;
        }
    }
    if (remap) {
        update_mappings(d);
    }
    if (intx_change) {
        update_intx(d);
    }
    if (d->msix) {
        msix_config_written(d->msix);   /* an unmask sends what is pending */
    }
}

uint32_t pci_config_read(struct pci_bus *bus, int devfn, unsigned off,
                         unsigned len)
{
    struct pci_device *d = bus->devs[devfn & 0xff];
    if (!d || off >= 256) {
        return 0xffffffffu >> (32 - 8 * len);
    }
    /* Functions 1-7 only exist behind a multifunction function 0. */
    if ((devfn & 7) && (!bus->devs[devfn & ~7] ||
                        !(bus->devs[devfn & ~7]->config[PCI_HEADER_TYPE] & 0x80))) {
        return 0xffffffffu >> (32 - 8 * len);
    }
    len = MIN(len, 256 - off);
    return d->config_read ? d->config_read(d, off, len)
                          : pci_default_config_read(d, off, len);
}

void pci_config_write(struct pci_bus *bus, int devfn, unsigned off,
                      uint32_t val, unsigned len)
{
    struct pci_device *d = bus->devs[devfn & 0xff];
    if (!d || off >= 256) {
        return;
    }
    len = MIN(len, 256 - off);
    if (d->config_write) {
        d->config_write(d, off, val, len);
    } else {
        pci_default_config_write(d, off, val, len);
    }
}

/* Drive the bus with the device's INTx level unless INTx Disable is set. */
static void update_intx(struct pci_device *d)
{
    int pin = d->config[PCI_INTERRUPT_PIN];
    if (pin == 0 || pin > 4 || !d->bus || !d->bus->map_irq || !d->bus->set_irq) {
        return;
    }
    bool disabled = pci_get_word(d->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
    bool now = d->irq_level && !disabled;
    if (now == d->intx_asserted) {
        return;
    }
    int input = d->bus->map_irq(d, pin - 1);
    if (input < 0 || input >= (int)ARRAY_SIZE(d->bus->irq_count)) {
        return;
    }
    d->intx_asserted = now;
    int before = d->bus->irq_count[input];
    d->bus->irq_count[input] += now ? 1 : -1;
    if ((before > 0) != (d->bus->irq_count[input] > 0)) {
        d->bus->set_irq(d->bus->irq_opaque, input, d->bus->irq_count[input] > 0);
    }
}

void pci_set_irq(struct pci_device *d, int level)
{
    d->irq_level = !!level;
    /* The status bit shows the device's request even while disabled. */
    if (d->irq_level) {
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    } else {
        d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    }
    update_intx(d);
}

int pci_load_rom(struct pci_device *d, const char *default_rom,
                 struct err **errp)
{
    const char *name = d->romfile ? d->romfile : default_rom;
    if (!name || !*name) {
        return 0;
    }
    char *path = config_find_datafile(name);
    if (!path) {
        err_setf(errp, "failed to find romfile \"%s\"", name);
        return -1;
    }
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0 || st.st_size <= 0 ||
        st.st_size > 16 * 1024 * 1024) {
        err_setf(errp, "could not load PCI option ROM '%s'", path);
        if (f) {
            fclose(f);
        }
        free(path);
        return -1;
    }
    uint64_t size = 2048;
    while (size < (uint64_t)st.st_size) {
        size <<= 1;
    }
    d->rom_mr = xzalloc(sizeof(*d->rom_mr));
    if (mem_region_init_rom(d->rom_mr, "pci-rom", size, errp) < 0) {
        fclose(f);
        free(path);
        return -1;
    }
    size_t n = fread(d->rom_mr->ram, 1, st.st_size, f);
    fclose(f);
    free(path);
    if (n != (size_t)st.st_size) {
        err_setf(errp, "could not read PCI option ROM '%s'", name);
        return -1;
    }
    pci_register_bar(d, PCI_ROM_SLOT, PCI_BAR_MEM32, d->rom_mr);
    return 0;
}

void pci_device_reset(struct pci_device *d)
{
    pci_set_irq(d, 0);
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) & PCI_STATUS_CAP_LIST);
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n <= PCI_ROM_SLOT; n++) {
        struct pci_bar *bar = &d->bars[n];
        if (!bar->size) {
            continue;
        }
        unsigned reg = n == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * n;
        pci_set_long(d->config + reg, n == PCI_ROM_SLOT ? 0 : bar->type);
        if (bar->type & PCI_BAR_MEM64 && n != PCI_ROM_SLOT) {
            pci_set_long(d->config + reg + 4, 0);
        }
    }
    update_mappings(d);
}
