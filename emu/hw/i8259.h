/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8259.h - the PC/AT's cascaded pair of Intel 8259A interrupt controllers
 * with the PIIX edge/level control registers (ELCR).  The pair drives the
 * CPU's INTR line; the CPU answers with i8259_inta() to fetch the vector.
 */
#ifndef HEMU_EMU_HW_I8259_H
#define HEMU_EMU_HW_I8259_H

#include "emu/osdep.h"
#include "emu/hw/irq.h"

struct err;
struct isa_bus;
struct i8259;

/*
 * Create the pair on bus (ports 0x20, 0xA0, 0x4D0), take over the bus's
 * 16 IRQ lines as its inputs and drive intr (the CPU's INTR pin).
 */
struct i8259 *i8259_create(struct isa_bus *bus, const struct irq_line *intr,
                           struct err **errp);
/* Interrupt acknowledge: the vector for the CPU (a spurious IRQ7/15 vector
 * when the request went away before the acknowledge). */
uint8_t i8259_inta(struct i8259 *pic);
/* The current level of the INTR output. */
bool i8259_intr_pending(const struct i8259 *pic);
/* Drive input n (0-15; 2 is routed to 9) directly, as the bus lines do. */
void i8259_set_irq(struct i8259 *pic, int n, int level);

#endif
