/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pc-storage.c - the pc board's storage: opens the -drive/-blockdev
 * images, puts the PIIX3 IDE function at 00:01.1 (as QEMU's pc does) and
 * attaches the if=ide drives by bus and unit (-hda ide0 master ... -cdrom
 * ide1 master).  Interfaces without a front end yet are refused.
 */
#include "emu/osdep.h"

#include "block-protocols/blk-backend.h"
#include "emu/blk/drive.h"
#include "emu/hw/i440fx.h"
#include "emu/hw/fdc.h"
#include "emu/hw/i8237.h"
#include "emu/hw/ide.h"
#include "emu/hw/mc146818.h"
#include "emu/hw/pc.h"
#include "emu/hw/piix-ide.h"
#include "emu/hw/virtio/virtio-blk.h"
#include "emu/cli/keyval.h"
#include "emu/util/err.h"

struct piix_ide *pc_ide;

int pc_storage_init(struct pc_board *b, struct err **errp)
{
    if (drive_init_all(errp) < 0) {
        return -1;
    }
    pc_ide = piix_ide_create(b->host->bus, &b->isa, errp);
    if (!pc_ide) {
        return -1;
    }
    for (struct drive *d = drive_first(); d; d = d->next) {
        err_loc_set_cmdline(d->opt, d->arg);
        if (d->iface == IF_VIRTIO) {
            /* One virtio-blk-pci function per drive, as QEMU does. */
            struct kvlist *kv = kvlist_new();
            kv_set(kv, "drive", d->blk->id);
            struct device *dev = dev_create(&virtio_blk_pci_type, kv, errp);
            kvlist_free(kv);
            if (!dev) {
                return -1;
            }
            continue;
        }
        if (d->iface != IF_IDE) {
            continue;
        }
        if (d->bus > 1) {
            err_setf(errp, "machine type does not support if=ide,bus=%d,"
                     "unit=%d", d->bus, d->unit);
            return -1;
        }
        if (ide_attach(piix_ide_bus(pc_ide, d->bus), d->unit, d->blk,
                       d->cdrom, -1, errp) < 0) {
            return -1;
        }
        d->claimed = true;
    }
    err_loc_clear();
    /* The DMA controllers are always there (QEMU's pc has them); the
     * floppy controller when a floppy drive is given. */
    struct isa_dma *dma = isa_dma_create(&b->isa, b->mem, errp);
    if (!dma) {
        return -1;
    }
    struct blk *fd[2] = { NULL, NULL };
    int nfd = 0;
    for (int u = 0; u < 2; u++) {
        struct drive *d = drive_get(IF_FLOPPY, 0, u);
        if (d) {
            fd[u] = d->blk;
            d->claimed = true;
            nfd++;
        }
    }
    if (nfd) {
        struct fdc *f = fdc_create(&b->isa, dma, fd, errp);
        if (!f) {
            return -1;
        }
        /* CMOS 0x10: drive types (A high nibble); 0x14, the equipment
         * byte: bit 0 floppies present, bits 6-7 their number - 1. */
        if (b->rtc) {
            rtc_set_cmos(b->rtc, 0x10, fdc_cmos_type(f, 0) << 4 |
                                       fdc_cmos_type(f, 1));
            uint8_t eq = rtc_get_cmos(b->rtc, 0x14) & 0x3e;
            rtc_set_cmos(b->rtc, 0x14, eq | 1 | (nfd - 1) << 6);
        }
    }
    /* SeaBIOS reads the boot order from CMOS; QEMU's default is "cad". */
    if (!rtc_get_cmos(b->rtc, 0x3d)) {
        rtc_set_boot_order(b->rtc, "cad", true);
    }
    return 0;
}
