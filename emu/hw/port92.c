/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * port92.c - System Control Port A (IBM PS/2 and PIIX "port 92h"): bit 1
 * gates A20, a 0-to-1 change of bit 0 resets the CPU.
 */
#include "emu/osdep.h"

#include "emu/hw/isa.h"
#include "emu/hw/port92.h"
#include "emu/vm/runstate.h"

static uint64_t p92_read(void *opaque, uint64_t off, unsigned size)
{
    return ((struct port92 *)opaque)->val;
}

static void p92_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct port92 *p = opaque;
    uint8_t old = p->val;
    p->val = v & 0x02;      /* bit 0 reads back 0 once the reset is done */
    if ((old ^ v) & 0x02 && p->a20_set) {
        p->a20_set(p->a20_opaque, v & 0x02);
    }
    if (v & 0x01) {
        vm_request_reset(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const struct mem_ops p92_ops = {
    .read = p92_read, .write = p92_write, .valid_min = 1, .valid_max = 1,
};

static void p92_reset(struct device *dev)
{
    ((struct port92 *)dev)->val = 0;
}

static const struct dev_type port92_type = {
    .name = "port92",
    .category = "Misc devices",
    .desc = "System Control Port A",
    .bus = BUS_ISA,
    .size = sizeof(struct port92),
    .reset = p92_reset,
};
DEV_TYPE(port92_type);

struct port92 *port92_create(struct isa_bus *bus, struct err **errp)
{
    struct port92 *p = (struct port92 *)dev_create(&port92_type, NULL, errp);
    if (!p) {
        return NULL;
    }
    mem_region_init_io(&p->mr, "port92", 1, &p92_ops, p);
    isa_map_io(bus, &p->mr, 0x92);
    return p;
}
