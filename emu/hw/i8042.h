/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8042.h - the PC/AT keyboard controller (ports 0x60/0x64) with its PS/2
 * keyboard (IRQ 1) and mouse (IRQ 12), the output port's A20 gate and
 * reset line.
 */
#ifndef HEMU_EMU_HW_I8042_H
#define HEMU_EMU_HW_I8042_H

#include "emu/hw/dev.h"
#include "emu/hw/ps2.h"
#include "emu/mem/mem.h"

struct isa_bus;

struct i8042 {
    struct device dev;
    struct isa_bus *isa;
    struct mem_region data_mr, cmd_mr;
    struct ps2_kbd kbd;
    struct ps2_mouse mouse;
    struct ps2_queue ctrl;      /* the controller's own replies */
    uint8_t status, cmdbyte, outport, obuf;
    int pending;                /* command waiting for its data byte */
    bool xlate_break;           /* set 2 0xf0 seen while translating */
    /* The A20 gate of the output port; the machine ANDs it with port 0x92. */
    void (*a20_set)(void *opaque, bool on);
    void *a20_opaque;
};

struct i8042 *i8042_create(struct isa_bus *bus, struct err **errp);
/* Key input in scan code set 2; the controller translates it to set 1
 * when the command byte asks for it, as PC firmware and Linux do. */
void i8042_put_keycodes(struct i8042 *c, const uint8_t *set2, int n);
void i8042_mouse_event(struct i8042 *c, int dx, int dy, int dz,
                       uint8_t buttons);

#endif
