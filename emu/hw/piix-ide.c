/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * piix-ide.c - the PIIX3 IDE function (Intel 82371SB datasheet, function
 * 1: 8086:7010) at PCI 00:01.1 as on QEMU's pc: two channels in legacy
 * mode (0x1f0-0x1f7/0x3f6 on IRQ 14, 0x170-0x177/0x376 on IRQ 15), the
 * IDE timing registers, and the bus master (BAR 4, SFF-8038i): command,
 * status and PRD table pointer per channel.  The PRD walk is bounded;
 * ATA DMA maps the PRD buffers onto guest RAM for the block layer (a
 * buffer that is not RAM fails the transfer with the bus master's ERROR
 * bit), ATAPI copies through the memory API (as_rw), which marks written
 * RAM dirty for the CPU's code cache.
 */
#include "emu/osdep.h"

#include "emu/hw/ide.h"
#include "emu/hw/isa.h"
#include "emu/hw/pci.h"
#include "emu/hw/piix-ide.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

#define BM_ACTIVE 0x01
#define BM_ERROR 0x02
#define BM_INT 0x04
#define BM_CMD_START 0x01
#define BM_CMD_READ 0x08    /* bus master writes memory */
#define MAX_PRDS 8192

struct bm {
    struct piix_ide *s;
    int ch;
    uint8_t cmd, status;
    uint32_t prd;
};

struct piix_ide {
    struct pci_device pci;
    struct ide_bus bus[2];
    struct bm bm[2];
    struct mem_region cmd_mr[2], ctl_mr[2], bm_mr;
};

static uint64_t cmd_read(void *opaque, uint64_t off, unsigned size)
{
    struct ide_bus *bus = opaque;
    if (off == 0) {
        return ide_data_read(bus, size);
    }
    return ide_ioport_read(bus, off);
}

static void cmd_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct ide_bus *bus = opaque;
    if (off == 0) {
        ide_data_write(bus, val, size);
    } else {
        ide_ioport_write(bus, off, val);
    }
}

static const struct mem_ops cmd_ops = {
    .read = cmd_read, .write = cmd_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

static uint64_t ctl_read(void *opaque, uint64_t off, unsigned size)
{
    return ide_status_read(opaque);
}

static void ctl_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    ide_ctrl_write(opaque, val);
}

static const struct mem_ops ctl_ops = {
    .read = ctl_read, .write = ctl_write, .valid_min = 1, .valid_max = 1,
};

/* ---- bus master ---- */

static uint64_t bm_rw(void *opaque, uint8_t *buf, uint64_t len, bool to_guest)
{
    struct bm *bm = opaque;
    struct addr_space *mem = bm->s->pci.bus->mem;
    uint64_t done = 0;
    uint32_t prd = bm->prd;
    for (int i = 0; i < MAX_PRDS && done < len; i++, prd += 8) {
        uint32_t addr = as_read(mem, prd, 4);
        uint32_t cnt = as_read(mem, prd + 4, 4);
        uint32_t n = cnt & 0xfffe;
        if (!n) {
            n = 0x10000;
        }
        n = MIN((uint64_t)n, len - done);
        as_rw(mem, addr & ~1u, buf + done, n, to_guest);
        done += n;
        if (cnt & 0x80000000u) {
            break;
        }
    }
    return done;
}

static bool bm_map(void *opaque, struct ide_sg *sg, uint64_t len,
                   bool to_guest)
{
    struct bm *bm = opaque;
    struct addr_space *mem = bm->s->pci.bus->mem;
    uint32_t prd = bm->prd;
    sg->n = 0;
    sg->size = 0;
    for (int i = 0; i < MAX_PRDS && sg->size < len; i++, prd += 8) {
        uint32_t addr = as_read(mem, prd, 4) & ~1u;
        uint32_t cnt = as_read(mem, prd + 4, 4);
        uint64_t n = cnt & 0xfffe;
        if (!n) {
            n = 0x10000;
        }
        n = MIN(n, len - sg->size);
        while (n) {
            struct mem_lookup l = as_lookup(mem, addr);
            if (!l.mr || !l.mr->ram || !l.len ||
                (to_guest && !(l.mr->flags & MR_RAM))) {
                bm->status |= BM_ERROR;
                return false;
            }
            uint64_t k = MIN(l.len, n);
            ide_sg_add(sg, l.mr->ram + l.off, k, l.mr, l.off);
            addr += k;
            n -= k;
        }
        if (cnt & 0x80000000u) {
            break;
        }
    }
    return true;
}

static void bm_done(void *opaque, bool error)
{
    struct bm *bm = opaque;
    /* A device error (ERR in the task file) is not a bus error: the bus
     * master's ERROR bit stays clear, as on the real PIIX. */
    bm->status &= ~BM_ACTIVE;
    (void)error;
}

static bool bm_active(void *opaque)
{
    struct bm *bm = opaque;
    return bm->status & BM_ACTIVE;
}

static void bm_irq(void *opaque)
{
    struct bm *bm = opaque;
    bm->status |= BM_INT;
}

static const struct ide_dma_ops bm_ops = {
    .rw = bm_rw, .map = bm_map, .done = bm_done, .active = bm_active,
    .irq = bm_irq,
};

static uint64_t bm_read(void *opaque, uint64_t off, unsigned size)
{
    struct piix_ide *s = opaque;
    struct bm *bm = &s->bm[off >= 8];
    switch (off & 7) {
    case 0: return bm->cmd;
    case 2: return bm->status;
    case 4: case 5: case 6: case 7:
        return (bm->prd >> (8 * (off & 3))) & 0xff;
    default: return 0;
    }
}

static void bm_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct piix_ide *s = opaque;
    struct bm *bm = &s->bm[off >= 8];
    switch (off & 7) {
    case 0: {
        uint8_t old = bm->cmd;
        bm->cmd = val & (BM_CMD_START | BM_CMD_READ);
        if (!(old & BM_CMD_START) && (val & BM_CMD_START)) {
            bm->status |= BM_ACTIVE;
            ide_dma_start(&s->bus[bm->ch]);
        } else if ((old & BM_CMD_START) && !(val & BM_CMD_START)) {
            bm->status &= ~BM_ACTIVE;
        }
        break;
    }
    case 2:
        bm->status = (bm->status & ~0x60) | (val & 0x60);
        bm->status &= ~(val & (BM_ERROR | BM_INT));
        break;
    case 4: case 5: case 6: case 7: {
        unsigned sh = 8 * (off & 3);
        bm->prd = (bm->prd & ~(0xffu << sh)) | (uint32_t)(val & 0xff) << sh;
        bm->prd &= ~3u;
        break;
    }
    }
}

static const struct mem_ops bm_mem_ops = {
    .read = bm_read, .write = bm_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 1,
};

static void piix_ide_reset(struct device *dev)
{
    struct piix_ide *s = (struct piix_ide *)dev;
    pci_device_reset(&s->pci);
    for (int i = 0; i < 2; i++) {
        ide_bus_reset(&s->bus[i]);
        s->bm[i].cmd = 0;
        s->bm[i].status = 0;
        s->bm[i].prd = 0;
    }
}

static const struct dev_type piix_ide_type = {
    .name = "piix3-ide",
    .category = "Storage devices",
    .desc = "PIIX3 IDE controller",
    .bus = BUS_PCI,
    .size = sizeof(struct piix_ide),
    .user_creatable = false,
    .reset = piix_ide_reset,
};
DEV_TYPE(piix_ide_type);

struct piix_ide *piix_ide_create(struct pci_bus *pbus, struct isa_bus *isa,
                                 struct err **errp)
{
    struct piix_ide *s = (struct piix_ide *)dev_create(&piix_ide_type, NULL,
                                                       errp);
    if (!s) {
        return NULL;
    }
    s->pci.devfn = (1 << 3) | 1;
    if (pci_device_plug(pbus, &s->pci, errp) < 0) {
        return NULL;
    }
    uint8_t *c = s->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x8086);
    pci_set_word(c + PCI_DEVICE_ID, 0x7010);
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0101);
    c[PCI_CLASS_PROG] = 0x80;   /* legacy mode, bus master capable */
    /* IDETIM, SIDETIM, UDMACTL/UDMATIM: storage the guest programs. */
    memset(s->pci.wmask + 0x40, 0xff, 12);
    static const uint16_t cmd_base[2] = { 0x1f0, 0x170 };
    static const uint16_t ctl_base[2] = { 0x3f6, 0x376 };
    for (int i = 0; i < 2; i++) {
        ide_bus_init(&s->bus[i], i, *isa_irq(isa, 14 + i));
        s->bus[i].dma = &bm_ops;
        s->bus[i].dma_opaque = &s->bm[i];
        s->bm[i].s = s;
        s->bm[i].ch = i;
        mem_region_init_io(&s->cmd_mr[i], "ide-cmd", 8, &cmd_ops, &s->bus[i]);
        mem_region_init_io(&s->ctl_mr[i], "ide-ctl", 1, &ctl_ops, &s->bus[i]);
        isa_map_io(isa, &s->cmd_mr[i], cmd_base[i]);
        isa_map_io(isa, &s->ctl_mr[i], ctl_base[i]);
    }
    mem_region_init_io(&s->bm_mr, "piix-bmdma", 16, &bm_mem_ops, s);
    pci_register_bar(&s->pci, 4, PCI_BAR_IO, &s->bm_mr);
    piix_ide_reset(&s->pci.dev);
    return s;
}

struct ide_bus *piix_ide_bus(struct piix_ide *s, int n)
{
    return n >= 0 && n < 2 ? &s->bus[n] : NULL;
}

int piix_ide_boot_path(struct piix_ide *s, int bus, int unit, char *buf,
                       size_t len, int32_t *bootindex)
{
    struct ide_dev *d = &s->bus[bus].dev[unit];
    *bootindex = d->bootindex;
    return ide_boot_path(d, 1, 1, buf, len);
}
