/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide-dev.c - the -device ide-hd and ide-cd front ends (qemu-6.2 manual,
 * "-device ide-hd,drive=..." under Block device options): an ATA disk or
 * an ATAPI CD-ROM on the PIIX3 IDE channels "ide.0"/"ide.1", unit 0
 * (master) or 1 (slave), with the IDENTIFY strings serial=, model=, ver=
 * and bootindex= (the firmware path SeaBIOS matches is
 * /pci@i0cf8/ide@1,1/drive@BUS/disk@UNIT).  Without bus=/unit= the device
 * takes the first free position, after the -drive if=ide drives, as in
 * QEMU.
 */
#include "emu/osdep.h"

#include "block-protocols/blk-backend.h"
#include "emu/blk/drive.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/dev.h"
#include "emu/hw/ide.h"
#include "emu/hw/piix-ide.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

struct ide_device {
    struct device dev;
    char *drive;
    char *bus;
    char *unit;
    char *serial;
    char *model;
    char *ver;
};

/* bus= "ide.N" (QEMU's names for the PIIX channels) or absent (-1). */
static int parse_bus(const char *name, struct err **errp)
{
    if (!name) {
        return -1;
    }
    if (!strcmp(name, "ide.0")) {
        return 0;
    }
    if (!strcmp(name, "ide.1")) {
        return 1;
    }
    err_setf(errp, "Bus '%s' not found", name);
    return -2;
}

static int ide_device_realize(struct device *dev, bool cd, struct err **errp)
{
    struct ide_device *s = (struct ide_device *)dev;
    const char *tname = dev->type->name;
    if (!pc_ide) {
        err_setf(errp, "No 'IDE' bus found for device '%s'", tname);
        return -1;
    }
    int bus = parse_bus(s->bus, errp);
    if (bus < -1) {
        return -1;
    }
    int64_t unit = -1;
    if (s->unit && (parse_int64(s->unit, 0, &unit) < 0 || unit < 0)) {
        err_setf(errp, "Parameter 'unit' expects uint32_t");
        return -1;
    }
    if (unit > 1) {
        err_setf(errp, "Can't create IDE unit %" PRId64 ", bus supports only "
                 "2 units", unit);
        return -1;
    }
    /* Find the position first so that a full bus fails before the drive
     * is claimed. */
    int b0 = bus < 0 ? 0 : bus, b1 = bus < 0 ? 1 : bus;
    struct ide_bus *ib = NULL;
    for (int b = b0; b <= b1 && !ib; b++) {
        struct ide_bus *cand = piix_ide_bus(pc_ide, b);
        if (unit >= 0) {
            if (!cand->dev[unit].blk) {
                ib = cand;
            }
            continue;
        }
        for (int u = 0; u < 2; u++) {
            if (!cand->dev[u].blk) {
                ib = cand;
                unit = u;
                break;
            }
        }
    }
    if (!ib) {
        if (unit >= 0) {
            err_setf(errp, "IDE unit %" PRId64 " is in use", unit);
        } else {
            err_setf(errp, "No free IDE unit for device '%s'", tname);
        }
        return -1;
    }
    struct blk *blk;
    if (s->drive) {
        blk = drive_claim_by_id(s->drive, errp);
        if (!blk) {
            return -1;
        }
    } else if (cd) {
        /* An empty CD-ROM drive: media comes later (change, QMP). */
        char id[32];
        snprintf(id, sizeof(id), "ide%d-cd%d", ib->index, (int)unit);
        if (blk_find(id)) {
            err_setf(errp, "Drive '%s' already exists", id);
            return -1;
        }
        blk = blk_new(dev->id ? dev->id : id, NULL);
    } else {
        err_setf(errp, "No drive specified");
        return -1;
    }
    if (cd) {
        /* The guest cannot write a CD-ROM; media can change. */
        blk->read_only = true;
        blk->removable = true;
    } else if (blk->removable) {
        err_setf(errp, "Drive '%s' has media=cdrom: use ide-cd", s->drive);
        return -1;
    }
    if (ide_attach(ib, unit, blk, cd, dev->bootindex, errp) < 0) {
        return -1;
    }
    struct ide_dev *d = &ib->dev[unit];
    if (s->serial || s->model || s->ver) {
        ide_set_strings(d, s->serial, s->model, s->ver);
    }
    char path[64];
    ide_boot_path(d, 1, 1, path, sizeof(path));
    return dev_boot_register(dev, path, errp);
}

static int ide_hd_realize(struct device *dev, struct err **errp)
{
    return ide_device_realize(dev, false, errp);
}

static int ide_cd_realize(struct device *dev, struct err **errp)
{
    return ide_device_realize(dev, true, errp);
}

static const struct prop ide_props[] = {
    PROP("drive", PROP_STR, struct ide_device, drive, NULL,
         "the -drive id or -blockdev node-name"),
    PROP("bus", PROP_STR, struct ide_device, bus, NULL,
         "IDE channel: ide.0 (primary) or ide.1 (secondary)"),
    PROP("unit", PROP_STR, struct ide_device, unit, NULL,
         "0 (master) or 1 (slave)"),
    PROP("serial", PROP_STR, struct ide_device, serial, NULL,
         "IDENTIFY serial number"),
    PROP("model", PROP_STR, struct ide_device, model, NULL,
         "IDENTIFY model string"),
    PROP("ver", PROP_STR, struct ide_device, ver, NULL,
         "IDENTIFY firmware revision"),
    { NULL },
};

static const struct dev_type ide_hd_type = {
    .name = "ide-hd",
    .category = "Storage devices",
    .desc = "virtual IDE disk",
    .bus = BUS_PCI,             /* on the PIIX3 IDE function's channels */
    .size = sizeof(struct ide_device),
    .props = ide_props,
    .user_creatable = true,
    .bootable = true,
    .realize = ide_hd_realize,
};
DEV_TYPE(ide_hd_type);

static const struct dev_type ide_cd_type = {
    .name = "ide-cd",
    .category = "Storage devices",
    .desc = "virtual IDE CD-ROM",
    .bus = BUS_PCI,
    .size = sizeof(struct ide_device),
    .props = ide_props,
    .user_creatable = true,
    .bootable = true,
    .realize = ide_cd_realize,
};
DEV_TYPE(ide_cd_type);
