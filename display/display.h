/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * display.h - what the machine asks of display/: the -vga choice and the
 * board hook that adds the default VGA card and routes console input to
 * the PS/2 keyboard and mouse.
 */
#ifndef HEMU_DISPLAY_DISPLAY_H
#define HEMU_DISPLAY_DISPLAY_H

#include "emu/osdep.h"

struct err;
struct i8042;
struct mem_region;

enum vga_choice {
    VGA_DEFAULT,        /* std unless -nodefaults */
    VGA_STD,
    VGA_NONE,
    VGA_QXL,            /* qxl-vga (display/qxl.c, needs spice-server) */
};

extern enum vga_choice vga_choice;

/* -vga TYPE (handler named in options.def). */
int opt_vga(const char *arg, struct err **errp);

/* For the pc board: legacy_slot is where the host bridge takes the
 * 0xa0000 window's device; kbc gets the console's input. */
int display_pc_init(struct mem_region **legacy_slot, struct i8042 *kbc,
                    struct err **errp);

#endif
