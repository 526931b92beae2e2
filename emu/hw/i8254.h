/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8254.h - the PC's Intel 8254 programmable interval timer (ports
 * 0x40-0x43; counter 0 drives ISA IRQ 0, counter 2 the speaker) and the
 * speaker/gate bits of system control port B (0x61).
 */
#ifndef HEMU_EMU_HW_I8254_H
#define HEMU_EMU_HW_I8254_H

#include "emu/osdep.h"

struct err;
struct isa_bus;
struct i8254;

#define PIT_FREQ 1193182    /* Hz: the PC's 14.31818 MHz crystal / 12 */

/* Create the PIT with port 0x61 on bus; counter 0's OUT drives IRQ 0. */
struct i8254 *i8254_create(struct isa_bus *bus, struct err **errp);
/* OUT of counter n (0-2) now. */
bool i8254_out(struct i8254 *pit, int n);
/* Whether the speaker is driven (gate 2 and the data bit both on). */
bool i8254_speaker_enabled(const struct i8254 *pit);

#endif
