/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i440fx.c - the 82441FX PCI and Memory Controller as the pc machine uses
 * it (Intel 440FX PCIset datasheet: CONFADD/CONFDATA, PAM0-PAM6, SMRAM).
 * IDs as QEMU presents them, with the subsystem 1af4:1100 that SeaBIOS
 * looks for (shared/reference/firmware-interface.md).
 */
#include "emu/osdep.h"

#include "emu/hw/i440fx.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

/* PAM segments: PAM0's high nibble covers 0xf0000-0xfffff; PAM1-PAM6 have
 * two 16 KiB segments each from 0xc0000 to 0xeffff. */
static uint64_t pam_base(int i)
{
    return i == 0 ? 0xf0000 : 0xc0000 + (uint64_t)(i - 1) * 0x4000;
}

static uint64_t pam_size(int i)
{
    return i == 0 ? 0x10000 : 0x4000;
}

static int pam_field(const struct i440fx *h, int i)
{
    if (i == 0) {
        return (h->pci.config[I440FX_PAM] >> 4) & 3;
    }
    uint8_t reg = h->pci.config[I440FX_PAM + (i + 1) / 2];
    return (i & 1) ? reg & 3 : (reg >> 4) & 3;
}

/* Map what the guest sees in PAM segment i. */
static void pam_apply(struct i440fx *h, int i)
{
    int mode = pam_field(h, i);
    if (mode == h->pam_mode[i] && h->pam_map[i]) {
        return;
    }
    if (h->pam_map[i]) {
        as_unmap(h->mem, h->pam_map[i]);
        h->pam_map[i] = NULL;
    }
    h->pam_mode[i] = mode;
    uint64_t base = pam_base(i), size = pam_size(i);
    switch (mode) {
    case 3:
        /* Read/write RAM: the RAM mapping underneath shows through. */
        break;
    case 1:
        /* Read-only RAM: the BIOS after it shadowed itself. */
        h->pam_map[i] = as_map(h->mem, base, &h->pam_ro[i], 0, size, 1);
        break;
    default:
        /* 0 (and 2, write-only, which QEMU also treats as PCI): what
         * PCI decodes there - the last 128 KiB of the firmware (less for
         * a smaller image, ending at 1 MiB), below it pc.rom. */
        {
            uint64_t isa_bios = MIN(h->bios->size, 0x20000);
            uint64_t isa_start = 0x100000 - isa_bios;
            if (base >= isa_start) {
                h->pam_map[i] = as_map(h->mem, base, h->bios,
                                       h->bios->size - isa_bios + (base - isa_start),
                                       size, 1);
            } else if (base < 0xe0000) {
                h->pam_map[i] = as_map(h->mem, base, h->pc_rom,
                                       base - 0xc0000, size, 1);
            } else {
                h->pam_map[i] = as_map(h->mem, base, &h->pci_empty, 0, size, 1);
            }
        }
        break;
    }
}

static void smram_apply(struct i440fx *h)
{
    /* D_OPEN with G_SMRAME makes SMRAM (RAM) visible outside SMM. */
    uint8_t v = h->pci.config[I440FX_SMRAM];
    bool open = (v & 0x40) && (v & 0x08);
    if (open && !h->smram_map) {
        h->smram_map = as_map(h->mem, 0xa0000, &h->smram_open, 0, 0x20000, 2);
    } else if (!open && h->smram_map) {
        as_unmap(h->mem, h->smram_map);
        h->smram_map = NULL;
    }
}

static void host_config_write(struct pci_device *d, unsigned off, uint32_t val,
                              unsigned len)
{
    struct i440fx *h = (struct i440fx *)d;
    pci_default_config_write(d, off, val, len);
    if (off < I440FX_PAM + 7 && off + len > I440FX_PAM) {
        as_begin(h->mem);
        for (int i = 0; i < I440FX_NUM_PAM; i++) {
            pam_apply(h, i);
        }
        as_commit(h->mem);
    }
    if (off <= I440FX_SMRAM && off + len > I440FX_SMRAM) {
        smram_apply(h);
    }
}

/* ---------------------------------------------------------------------------
 * Configuration mechanism #1
 */

static uint64_t idx_read(void *opaque, uint64_t off, unsigned size)
{
    return ((struct i440fx *)opaque)->conf_addr;
}

static void idx_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    /* Only dword accesses reach CONFADD; smaller ones are other ports. */
    if (size == 4) {
        ((struct i440fx *)opaque)->conf_addr = (uint32_t)val & 0x80fffffc;
    }
}

static bool conf_target(struct i440fx *h, int *devfn, unsigned *reg)
{
    uint32_t a = h->conf_addr;
    if (!(a & 0x80000000) || ((a >> 16) & 0xff) != 0) {
        return false;   /* disabled, or a bus hemu does not have */
    }
    *devfn = (a >> 8) & 0xff;
    *reg = a & 0xfc;
    return true;
}

static uint64_t data_read(void *opaque, uint64_t off, unsigned size)
{
    struct i440fx *h = opaque;
    int devfn;
    unsigned reg;
    if (!conf_target(h, &devfn, &reg)) {
        return 0xffffffffu >> (32 - 8 * size);
    }
    return pci_config_read(h->bus, devfn, reg + off, size);
}

static void data_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i440fx *h = opaque;
    int devfn;
    unsigned reg;
    if (conf_target(h, &devfn, &reg)) {
        pci_config_write(h->bus, devfn, reg + off, (uint32_t)val, size);
    }
}

static const struct mem_ops idx_ops = {
    .read = idx_read, .write = idx_write, .valid_min = 1, .valid_max = 4,
    .impl_min = 4, .impl_max = 4,
};
static const struct mem_ops data_ops = {
    .read = data_read, .write = data_write, .valid_min = 1, .valid_max = 4,
};

/* ---------------------------------------------------------------------------
 * The VGA window
 */

static uint64_t vga_read(void *opaque, uint64_t off, unsigned size)
{
    struct i440fx *h = opaque;
    if (h->vga_legacy && h->vga_legacy->ops) {
        return h->vga_legacy->ops->read(h->vga_legacy->opaque, off, size);
    }
    return 0;   /* nothing decodes it: unassigned PCI memory */
}

static void vga_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct i440fx *h = opaque;
    if (h->vga_legacy && h->vga_legacy->ops) {
        h->vga_legacy->ops->write(h->vga_legacy->opaque, off, val, size);
    }
}

static const struct mem_ops vga_ops = {
    .read = vga_read, .write = vga_write, .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 4,
};

/* PCI memory nobody decodes: reads 0, writes vanish (QEMU's unassigned
 * memory). */
static uint64_t empty_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void empty_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
}

static const struct mem_ops empty_ops = {
    .read = empty_read, .write = empty_write, .valid_min = 1, .valid_max = 8,
};

static const struct dev_type i440fx_type = {
    .name = "i440FX",
    .category = "Bridge devices",
    .desc = "Host bridge",
    .bus = BUS_PCI,
    .size = sizeof(struct i440fx),
    .user_creatable = false,
};
DEV_TYPE(i440fx_type);

void i440fx_reset(struct i440fx *h)
{
    memset(h->pci.config + I440FX_PAM, 0, 7);
    h->pci.config[I440FX_SMRAM] = 0x02;
    as_begin(h->mem);
    for (int i = 0; i < I440FX_NUM_PAM; i++) {
        pam_apply(h, i);
    }
    smram_apply(h);
    as_commit(h->mem);
    h->conf_addr = 0;
}

struct i440fx *i440fx_create(struct addr_space *mem, struct addr_space *io,
                             struct mem_region *ram, struct mem_region *pc_rom,
                             struct mem_region *bios, struct err **errp)
{
    if (bios->size < 0x10000 || pc_rom->size < 0x20000 || ram->size < 0x100000) {
        err_setf(errp, "i440FX: firmware or RAM too small for the legacy map");
        return NULL;
    }
    struct i440fx *h = (struct i440fx *)dev_create(&i440fx_type, NULL, errp);
    if (!h) {
        return NULL;
    }
    h->mem = mem;
    h->ram = ram;
    h->pc_rom = pc_rom;
    h->bios = bios;
    h->bus = pci_bus_new(mem, io);
    pci_default_bus = h->bus;
    h->pci.devfn = 0;
    if (pci_device_plug(h->bus, &h->pci, errp) < 0) {
        return NULL;
    }
    uint8_t *c = h->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x8086);
    pci_set_word(c + PCI_DEVICE_ID, 0x1237);
    c[PCI_REVISION_ID] = 0x02;
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0600);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    pci_set_word(c + PCI_SUBSYSTEM_ID, 0x1100);
    memset(h->pci.wmask + I440FX_PAM, 0xff, 7);
    h->pci.wmask[I440FX_SMRAM] = 0x78;     /* D_OPEN, D_CLS, D_LCK, G_SMRAME */
    h->pci.config_write = host_config_write;

    for (int i = 0; i < I440FX_NUM_PAM; i++) {
        struct mem_region *r = &h->pam_ro[i];
        memset(r, 0, sizeof(*r));
        r->name = "pam-ro";
        r->size = pam_size(i);
        r->ram = ram->ram + pam_base(i);
        r->flags = MR_ROM;
        h->pam_mode[i] = -1;
    }
    memset(&h->smram_open, 0, sizeof(h->smram_open));
    h->smram_open.name = "smram";
    h->smram_open.size = 0x20000;
    h->smram_open.ram = ram->ram + 0xa0000;
    h->smram_open.flags = MR_RAM;
    mem_region_init_io(&h->pci_empty, "pci-empty", 0x10000, &empty_ops, h);
    mem_region_init_io(&h->vga_window, "vga-window", 0x20000, &vga_ops, h);
    as_map(mem, 0xa0000, &h->vga_window, 0, 0x20000, 1);

    mem_region_init_io(&h->conf_idx, "pci-conf-idx", 4, &idx_ops, h);
    mem_region_init_io(&h->conf_data, "pci-conf-data", 4, &data_ops, h);
    as_map(io, 0xcf8, &h->conf_idx, 0, 4, 0);
    as_map(io, 0xcfc, &h->conf_data, 0, 4, 0);
    i440fx_reset(h);
    return h;
}
