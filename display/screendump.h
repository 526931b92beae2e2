/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * screendump.h - write a console's surface to a file: binary PPM (P6,
 * Netpbm) or PNG (libpng), as QMP/HMP screendump do.
 */
#ifndef HEMU_DISPLAY_SCREENDUMP_H
#define HEMU_DISPLAY_SCREENDUMP_H

#include "emu/osdep.h"

struct console;
struct err;

/* The console of display device id device (QMP device=), head head;
 * NULL with *errp set if there is none, NULL without an error for no
 * device (the default console). */
struct console *screendump_console(const char *device, bool has_head,
                                   int64_t head, struct err **errp);
/* format: "ppm" or "png"; con NULL: the default console. */
int screendump(struct console *con, const char *filename, const char *format,
               struct err **errp);

#endif
