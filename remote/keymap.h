/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keymap.h - X11 keysyms (what RFB KeyEvent messages carry) to the PC key
 * that types them on a given keyboard layout (-k), as a "QEMU number":
 * scan code set 1, bit 7 set for E0-prefixed keys.
 */
#ifndef HEMU_REMOTE_KEYMAP_H
#define HEMU_REMOTE_KEYMAP_H

#include "emu/osdep.h"

struct err;

/* Select a layout ("en-us", "de", "fr", ...); -1 if unknown. */
int keymap_select(const char *name, struct err **errp);
const char *keymap_name(void);
/* The key for keysym, or 0 if the layout has none. */
unsigned keymap_lookup(uint32_t keysym);
/* Layout names, NULL-terminated (for -k help). */
extern const char *const keymap_names[];

#endif
