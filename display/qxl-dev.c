/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qxl-dev.c - the QXL card's two PCI models, as QEMU has them (Red Hat
 * vendor 0x1b36, device 0x0100, revision 5 = QXL_REVISION_STABLE_V12 + 1,
 * subsystem 0x1af4:0x1100; spice/qxl_dev.h for the ROM):
 *   qxl-vga  class 0x0300, the std VGA core embedded (legacy ports and
 *            the 0xa0000 window, its vram is BAR 0), option ROM
 *            vgabios-qxl.bin; it must be the first display (console 0);
 *   qxl      class 0x0380, the secondary (multi-head) card: the same
 *            BARs, rings and QXL interface, no VGA ports or legacy
 *            memory and no option ROM; any number of them.
 * Each card is its own spice-server QXL instance, numbered by
 * remote/spice.c in console order (QEMU's channel ids).
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "display/qxl-int.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "remote/spice.h"

static struct qxl *first_card;

static void rom_init(struct qxl *d)
{
    QXLRom *r = d->rom;
    memset(r, 0, QXL_ROM_SIZE);
    r->magic = QXL_ROM_MAGIC;
    r->id = 0;
    r->log_level = 0;
    r->modes_offset = QXL_ROUND_UP(sizeof(QXLRom), 8);
    r->num_pages = (d->ram_header_offset - (d->vgamem_mb << 20)) / 4096;
    r->draw_area_offset = 0;
    r->surface0_area_size = d->vgamem_mb << 20;
    r->ram_header_offset = d->ram_header_offset;
    r->n_surfaces = QXL_NUM_SURFACES;
    r->slots_start = 0;
    r->slots_end = QXL_NUM_SLOTS - 1;
    r->slot_id_bits = QXL_SLOT_ID_BITS;
    r->slot_gen_bits = QXL_SLOT_GEN_BITS;
    r->slot_generation = d->generation;
    static const uint16_t res[][2] = {
        { 640, 480 }, { 800, 480 }, { 800, 600 }, { 832, 624 },
        { 960, 640 }, { 1024, 600 }, { 1024, 768 }, { 1152, 864 },
        { 1152, 870 }, { 1280, 720 }, { 1280, 760 }, { 1280, 768 },
        { 1280, 800 }, { 1280, 960 }, { 1280, 1024 }, { 1360, 768 },
        { 1366, 768 }, { 1400, 1050 }, { 1440, 900 }, { 1600, 900 },
        { 1600, 1200 }, { 1680, 1050 }, { 1920, 1080 }, { 1920, 1200 },
    };
    QXLModes *m = (QXLModes *)((uint8_t *)r + r->modes_offset);
    uint32_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(res); i++) {
        uint32_t size = res[i][0] * res[i][1] * 4;
        if (size > r->surface0_area_size ||
            r->modes_offset + sizeof(QXLModes) + (n + 2) * sizeof(QXLMode) >
                QXL_ROM_SIZE) {
            continue;
        }
        /* Each resolution upright and turned (orientation 0 and 1). */
        for (int o = 0; o < 2; o++) {
            QXLMode *md = &m->modes[n];
            md->id = n;
            md->x_res = res[i][o];
            md->y_res = res[i][1 - o];
            md->bits = 32;
            md->stride = md->x_res * 4;
            md->x_mili = md->x_res * 254 / 96 * 10 / 100 * 10;
            md->y_mili = md->y_res * 254 / 96 * 10 / 100 * 10;
            md->orientation = o;
            n++;
        }
    }
    m->n_modes = n;
}

/* BAR 0 (the VGA's vram on qxl-vga, or ram_mr), the other BARs, the
 * rings: what both models share. */
static int qxl_setup(struct qxl *d, struct mem_region *bar0, uint16_t class,
                     struct err **errp)
{
    d->bar0_mr = bar0;
    d->bar0 = bar0->ram;
    if (mem_region_init_ram(&d->vram_mr, "qxl.vram", (uint64_t)d->vram_size_mb
                            << 20, errp) < 0 ||
        mem_region_init_rom(&d->rom_mr, "qxl.vrom", QXL_ROM_SIZE, errp) < 0) {
        return -1;
    }
    mem_region_init_io(&d->io_mr, "qxl.io", QXL_IO_SIZE, &qxl_io_ops, d);
    pthread_mutex_init(&d->lock, NULL);
    d->irq_bh = bh_new(qxl_irq_bh, d);
    d->ram_header_offset = (d->ram_size_mb << 20) -
                           QXL_ROUND_UP(sizeof(QXLRam), 4096);
    d->ram = (QXLRam *)(d->bar0 + d->ram_header_offset);
    d->rom = (QXLRom *)d->rom_mr.ram;
    rom_init(d);
    qxl_ram_init(d);
    if (d->fuzz) {
        return 0;
    }

    uint8_t *c = d->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, REDHAT_PCI_VENDOR_ID);
    pci_set_word(c + PCI_DEVICE_ID, QXL_DEVICE_ID_STABLE);
    c[PCI_REVISION_ID] = QXL_REVISION_STABLE_V12 + 1;
    pci_set_word(c + PCI_CLASS_DEVICE, class);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    pci_set_word(c + PCI_SUBSYSTEM_ID, 0x1100);
    c[PCI_INTERRUPT_PIN] = 1;
    pci_register_bar(&d->pci, QXL_RAM_RANGE_INDEX, PCI_BAR_MEM32 |
                     PCI_BAR_PREFETCH, d->bar0_mr);
    pci_register_bar(&d->pci, QXL_VRAM_RANGE_INDEX, PCI_BAR_MEM32 |
                     PCI_BAR_PREFETCH, &d->vram_mr);
    pci_register_bar(&d->pci, QXL_ROM_RANGE_INDEX, PCI_BAR_MEM32,
                     &d->rom_mr);
    pci_register_bar(&d->pci, QXL_IO_RANGE_INDEX, PCI_BAR_IO, &d->io_mr);

    console_set_hw_ops(d->con, &qxl_console_ops, d);
    console_set_device(d->con, &d->pci.dev, 0);
    d->qxl.base.sif = &qxl_sif.base;
    spice_register_qxl(&d->qxl, d->con, qxl_spice_added, d);
    if (!first_card) {
        first_card = d;
    }
    return 0;
}

static int check_props(struct qxl *d, const char *name, struct err **errp)
{
    if (!pci_default_bus) {
        err_setf(errp, "No 'PCI' bus found for device '%s'", name);
        return -1;
    }
    uint32_t sizes[] = { d->ram_size_mb, d->vram_size_mb, d->vgamem_mb };
    for (int i = 0; i < 3; i++) {
        if (sizes[i] < 1 || sizes[i] > 512 || (sizes[i] & (sizes[i] - 1))) {
            err_setf(errp, "%s: memory sizes must be powers of two "
                     "between 1 and 512 MiB", name);
            return -1;
        }
    }
    if (d->vgamem_mb * 2 > d->ram_size_mb) {
        err_setf(errp, "%s: ram_size_mb must be at least twice "
                 "vgamem_mb", name);
        return -1;
    }
    return 0;
}

static int qxl_vga_realize(struct device *dev, struct err **errp)
{
    struct qxl *d = (struct qxl *)dev;
    if (check_props(d, "qxl-vga", errp) < 0) {
        return -1;
    }
    /* The VGA ports and window exist once: QEMU's rule and message. */
    if (console_default()) {
        err_setf(errp, "primary qxl-vga device must be console 0 (first "
                 "display device on the command line)");
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &d->pci, errp) < 0) {
        return -1;
    }
    if (vga_init(&d->vga, d->ram_size_mb << 20, NULL, pci_default_bus->io,
                 errp) < 0) {
        return -1;
    }
    d->vga_compat = true;
    d->con = vga_console(&d->vga);
    if (qxl_setup(d, &d->vga.vram_mr, 0x0300, errp) < 0) {
        return -1;
    }
    return pci_load_rom(&d->pci, "vgabios-qxl.bin", errp);
}

static int qxl_secondary_realize(struct device *dev, struct err **errp)
{
    struct qxl *d = (struct qxl *)dev;
    if (check_props(d, "qxl", errp) < 0) {
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &d->pci, errp) < 0) {
        return -1;
    }
    if (mem_region_init_ram(&d->ram_mr, "qxl.vgavram", (uint64_t)d->ram_size_mb
                            << 20, errp) < 0) {
        return -1;
    }
    d->con = console_new(dev->id ? dev->id : "qxl", &qxl_console_ops, d);
    if (qxl_setup(d, &d->ram_mr, 0x0380, errp) < 0) {
        return -1;
    }
    /* No VGA BIOS: romfile= only if the user gives one. */
    return pci_load_rom(&d->pci, NULL, errp);
}

static void qxl_reset(struct device *dev)
{
    struct qxl *d = (struct qxl *)dev;
    pci_device_reset(&d->pci);
    if (d->vga_compat) {
        vga_reset(&d->vga);
    }
    qxl_hard_reset(d);
}

struct qxl *qxl_device(void)
{
    return first_card;
}

uint8_t *qxl_bar(struct qxl *d, int n, uint64_t *size)
{
    struct pci_bar *b = &d->pci.bars[n];
    *size = b->size;
    return b->mr ? b->mr->ram : NULL;
}

struct qxl *qxl_fuzz_new(bool vga_compat)
{
    struct qxl *d = xzalloc(sizeof(*d));
    d->ram_size_mb = 4;
    d->vram_size_mb = 1;
    d->vgamem_mb = 1;
    d->fuzz = true;
    d->vga_compat = vga_compat;
    struct mem_region *bar0 = vga_compat ? &d->vga.vram_mr : &d->ram_mr;
    if (mem_region_init_ram(bar0, "qxl.ram", 4 << 20, NULL) < 0 ||
        qxl_setup(d, bar0, 0, NULL) < 0) {
        abort();
    }
    d->pci.bars[0] = (struct pci_bar){ .size = 4 << 20, .mr = bar0,
                                       .addr = 0 };
    d->pci.bars[1] = (struct pci_bar){ .size = 1 << 20, .mr = &d->vram_mr,
                                       .addr = 4 << 20 };
    return d;
}

static const struct prop qxl_props[] = {
    PCI_DEVICE_PROPS(struct qxl),
    PROP("ram_size_mb", PROP_U32, struct qxl, ram_size_mb, "64",
         "BAR 0: primary surface area, driver memory and rings, in MiB"),
    PROP("vram_size_mb", PROP_U32, struct qxl, vram_size_mb, "64",
         "BAR 1: surface memory in MiB"),
    PROP("vgamem_mb", PROP_U32, struct qxl, vgamem_mb, "16",
         "the part of BAR 0 for the primary surface (and VGA), in MiB"),
    { NULL },
};

const struct dev_type qxl_vga_type = {
    .name = "qxl-vga",
    .category = "Display devices",
    .desc = "Spice QXL GPU (primary, vga compatible)",
    .bus = BUS_PCI,
    .size = sizeof(struct qxl),
    .props = qxl_props,
    .user_creatable = true,
    .realize = qxl_vga_realize,
    .reset = qxl_reset,
};
DEV_TYPE(qxl_vga_type);

const struct dev_type qxl_secondary_type = {
    .name = "qxl",
    .category = "Display devices",
    .desc = "Spice QXL GPU (secondary)",
    .bus = BUS_PCI,
    .size = sizeof(struct qxl),
    .props = qxl_props,
    .user_creatable = true,
    .realize = qxl_secondary_realize,
    .reset = qxl_reset,
};
DEV_TYPE(qxl_secondary_type);
