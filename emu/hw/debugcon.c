/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * debugcon.c - "isa-debugcon", the Bochs/QEMU debug console port: every
 * byte the guest writes to the port goes to a chardev; reads return a
 * fixed "readback" value (0xe9) so that software can detect the port.
 * SeaBIOS prints its debug log to port 0x402 and test programs
 * customarily use 0xe9 (see reference/firmware-interface.md).
 *
 * Reference: Bochs documentation, "port E9 hack"; QEMU 6.2 manual for the
 * device and its properties (iobase, chardev, readback).
 */
#include "emu/osdep.h"

#include "emu/chardev/chardev.h"
#include "emu/hw/dev.h"
#include "emu/hw/isa.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

struct debugcon {
    struct device dev;
    uint32_t iobase;
    struct chardev *chr;
    uint32_t readback;
    struct chr_fe *fe;
    struct mem_region mr;
};

static uint64_t debugcon_read(void *opaque, uint64_t off, unsigned size)
{
    struct debugcon *d = opaque;
    return d->readback & 0xff;
}

static void debugcon_write(void *opaque, uint64_t off, uint64_t val,
                           unsigned size)
{
    struct debugcon *d = opaque;
    uint8_t b = val;
    if (d->fe) {
        chr_fe_write(d->fe, &b, 1);
    }
}

static const struct mem_ops debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,     /* wider accesses split, as on QEMU */
};

static int debugcon_realize(struct device *dev, struct err **errp)
{
    struct debugcon *d = (struct debugcon *)dev;
    struct isa_bus *bus = isa_bus_get(dev->type->name, errp);
    if (!bus) {
        return -1;
    }
    if (d->iobase > 0xffff) {
        err_setf(errp, "Property 'isa-debugcon.iobase' out of range");
        return -1;
    }
    if (!d->chr) {
        /* QEMU's wording when chardev= is missing. */
        err_setf(errp, "Can't create debugcon device, empty char device");
        return -1;
    }
    /* Output only: the guest has no way to read what the host types. */
    static const struct chr_fe_ops no_input = { NULL, NULL, NULL };
    d->fe = chr_fe_attach(d->chr, &no_input, d, errp);
    if (!d->fe) {
        return -1;
    }
    mem_region_init_io(&d->mr, "isa-debugcon", 1, &debugcon_ops, d);
    isa_map_io(bus, &d->mr, d->iobase);
    return 0;
}

static const struct prop debugcon_props[] = {
    PROP("chardev", PROP_CHR, struct debugcon, chr, NULL,
         "ID of a chardev to use as a backend"),
    PROP("iobase", PROP_U32, struct debugcon, iobase, "233", NULL),
    PROP("readback", PROP_U32, struct debugcon, readback, "233", NULL),
    { NULL },
};

const struct dev_type isa_debugcon_type = {
    .name = "isa-debugcon",
    .category = "Misc devices",
    .bus = BUS_ISA,
    .size = sizeof(struct debugcon),
    .props = debugcon_props,
    .user_creatable = true,
    .realize = debugcon_realize,
};
DEV_TYPE(isa_debugcon_type);
