/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serial16550.h - the 16550A UART as QEMU's "isa-serial" device (COM1-4),
 * with its bytes carried by a chardev.  The pc machine creates one per
 * -serial option with dev_create(&isa_serial_type, ...) and chardev=ID.
 */
#ifndef HEMU_EMU_HW_SERIAL16550_H
#define HEMU_EMU_HW_SERIAL16550_H

#include "emu/osdep.h"

struct dev_type;

#define SERIAL_MAX_ISA_PORTS 4

extern const struct dev_type isa_serial_type;

#endif
