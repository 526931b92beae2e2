/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * debugexit.c - "isa-debug-exit": a port that ends the emulator when the
 * guest writes it, with exit status (value << 1) | 1, so that a test
 * program's result can never be mistaken for a clean exit 0.  tests/guest
 * programs finish through it.
 *
 * Reference: QEMU 6.2 manual and QEMU's documented behaviour of the
 * device (properties iobase=0x501, iosize=2; 1-4 byte writes).
 */
#include "emu/osdep.h"

#include "emu/hw/dev.h"
#include "emu/hw/isa.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

struct debugexit {
    struct device dev;
    uint32_t iobase, iosize;
    struct mem_region mr;
};

static uint64_t debugexit_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void debugexit_write(void *opaque, uint64_t off, uint64_t val,
                            unsigned size)
{
    /* Immediate, like QEMU: the guest asked to stop right here, and the
     * status is all that matters to the harness.  stdio buffers are
     * flushed by exit(); atexit handlers restore the terminal. */
    exit((int)(((uint32_t)val << 1) | 1));
}

static const struct mem_ops debugexit_ops = {
    .read = debugexit_read,
    .write = debugexit_write,
    .valid_min = 1, .valid_max = 4,
};

static int debugexit_realize(struct device *dev, struct err **errp)
{
    struct debugexit *d = (struct debugexit *)dev;
    struct isa_bus *bus = isa_bus_get(dev->type->name, errp);
    if (!bus) {
        return -1;
    }
    if (!d->iosize || d->iosize > 0x10000 || d->iobase > 0x10000 - d->iosize) {
        err_setf(errp, "isa-debug-exit: iobase 0x%x, iosize 0x%x out of range",
                 d->iobase, d->iosize);
        return -1;
    }
    mem_region_init_io(&d->mr, "isa-debug-exit", d->iosize, &debugexit_ops,
                       d);
    isa_map_io(bus, &d->mr, d->iobase);
    return 0;
}

static const struct prop debugexit_props[] = {
    PROP("iobase", PROP_U32, struct debugexit, iobase, "1281", NULL),
    PROP("iosize", PROP_U32, struct debugexit, iosize, "2", NULL),
    { NULL },
};

const struct dev_type isa_debug_exit_type = {
    .name = "isa-debug-exit",
    .category = "Misc devices",
    .bus = BUS_ISA,
    .size = sizeof(struct debugexit),
    .props = debugexit_props,
    .user_creatable = true,
    .realize = debugexit_realize,
};
DEV_TYPE(isa_debug_exit_type);
