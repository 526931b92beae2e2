/* SPDX-License-Identifier: GPL-2.0-or-later */
/* port92.h - System Control Port A at 0x92: fast A20 gate and fast reset. */
#ifndef HEMU_EMU_HW_PORT92_H
#define HEMU_EMU_HW_PORT92_H

#include "emu/hw/dev.h"
#include "emu/mem/mem.h"

struct isa_bus;

struct port92 {
    struct device dev;
    struct mem_region mr;
    uint8_t val;
    void (*a20_set)(void *opaque, bool on);
    void *a20_opaque;
};

struct port92 *port92_create(struct isa_bus *bus, struct err **errp);

#endif
