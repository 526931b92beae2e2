/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vga-pci.c - the standard VGA as a PCI card (QEMU's "VGA", vendor 0x1234
 * device 0x1111, class 0x0300): BAR 0 is the linear framebuffer (vram,
 * prefetchable), BAR 2 a 4 KiB MMIO page with the VGA ports at 0x400, the
 * DISPI registers at 0x500 and the QEMU extended registers at 0x600 (the
 * layout Linux's bochs-drm and SeaBIOS's vgabios probe), the ROM BAR the
 * VGA BIOS (vgabios-stdvga.bin from Debian's seabios).  The legacy ports
 * and the 0xa0000 window are decoded as on any VGA.
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "display/vga.h"
#include "emu/hw/pci.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

struct vga_pci {
    struct pci_device pci;
    uint32_t vgamem_mb;
    struct vga vga;
    struct mem_region mmio;
};

/* The QEMU extended registers: the size of this block, and the
 * framebuffer byte order (little-endian, the only one here). */
#define QEXT_SIZE 8
#define QEXT_LITTLE_ENDIAN 0x1e1e1e1e

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    struct vga_pci *d = opaque;
    if (off >= 0x400 && off < 0x420) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= (uint64_t)vga_ioport_read(&d->vga, 0x3c0 + off - 0x400 + i)
                 << (8 * i);
        }
        return v;
    }
    if (off >= 0x500 && off < 0x500 + 2 * VBE_DISPI_INDEX_NB) {
        return vbe_read(&d->vga, (off - 0x500) / 2);
    }
    if (off == 0x600) {
        return QEXT_SIZE;
    }
    if (off == 0x604) {
        return QEXT_LITTLE_ENDIAN;
    }
    return 0;
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct vga_pci *d = opaque;
    if (off >= 0x400 && off < 0x420) {
        for (unsigned i = 0; i < size; i++) {
            vga_ioport_write(&d->vga, 0x3c0 + off - 0x400 + i, val >> (8 * i));
        }
    } else if (off >= 0x500 && off < 0x500 + 2 * VBE_DISPI_INDEX_NB &&
               size == 2) {
        vbe_write(&d->vga, (off - 0x500) / 2, val);
    }
}

static const struct mem_ops mmio_ops = {
    .read = mmio_read, .write = mmio_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 4,
};

static int vga_pci_realize(struct device *dev, struct err **errp)
{
    struct vga_pci *d = (struct vga_pci *)dev;
    if (!pci_default_bus) {
        err_setf(errp, "No 'PCI' bus found for device 'VGA'");
        return -1;
    }
    if (d->vgamem_mb < 1 || d->vgamem_mb > 512 ||
        (d->vgamem_mb & (d->vgamem_mb - 1))) {
        err_setf(errp, "invalid vgamem_mb value %u: a power of two between "
                 "1 and 512 is needed", d->vgamem_mb);
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &d->pci, errp) < 0) {
        return -1;
    }
    if (vga_init(&d->vga, d->vgamem_mb << 20, NULL, pci_default_bus->io,
                 errp) < 0) {
        return -1;
    }
    console_set_device(vga_console(&d->vga), &d->pci.dev, 0);
    uint8_t *c = d->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x1234);
    pci_set_word(c + PCI_DEVICE_ID, 0x1111);
    c[PCI_REVISION_ID] = 0x02;
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0300);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, 0x1af4);
    pci_set_word(c + PCI_SUBSYSTEM_ID, 0x1100);
    pci_register_bar(&d->pci, 0, PCI_BAR_MEM32 | PCI_BAR_PREFETCH,
                     &d->vga.vram_mr);
    mem_region_init_io(&d->mmio, "vga.mmio", 0x1000, &mmio_ops, d);
    pci_register_bar(&d->pci, 2, PCI_BAR_MEM32, &d->mmio);
    return pci_load_rom(&d->pci, "vgabios-stdvga.bin", errp);
}

static void vga_pci_reset(struct device *dev)
{
    struct vga_pci *d = (struct vga_pci *)dev;
    pci_device_reset(&d->pci);
    vga_reset(&d->vga);
}

static const struct prop vga_pci_props[] = {
    PCI_DEVICE_PROPS(struct vga_pci),
    PROP("vgamem_mb", PROP_U32, struct vga_pci, vgamem_mb, "16",
         "video memory in MiB"),
    { NULL },
};

const struct dev_type vga_pci_type = {
    .name = "VGA",
    .category = "Display devices",
    .desc = "standard VGA with Bochs VBE extensions",
    .bus = BUS_PCI,
    .size = sizeof(struct vga_pci),
    .props = vga_pci_props,
    .user_creatable = true,
    .realize = vga_pci_realize,
    .reset = vga_pci_reset,
};
DEV_TYPE(vga_pci_type);
