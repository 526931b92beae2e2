/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console.h - the console layer (DESIGN.md "display"): a display device
 * owns a surface (width, height, stride, XRGB8888), redraws into it when
 * asked and reports dirty rectangles; listeners (VNC, screendump) are told
 * of updates and resizes.  A refresh timer runs only while a listener
 * watches and slows down while nothing changes.  Input from listeners
 * (PC scan code set 2, relative pointer) is routed to the keyboard and
 * mouse the machine registered.
 */
#ifndef HEMU_DISPLAY_CONSOLE_H
#define HEMU_DISPLAY_CONSOLE_H

#include "emu/osdep.h"

struct surface {
    int width, height;
    int stride;                 /* bytes per line */
    uint32_t *data;             /* XRGB8888, host order */
};

struct console_hw_ops {
    /* Bring the surface up to date (console_resize/console_dirty). */
    void (*refresh)(void *opaque);
    /* Everything must be redrawn on the next refresh. */
    void (*invalidate)(void *opaque);
};

struct console_listener {
    void (*update)(void *opaque, int x, int y, int w, int h);
    void (*resize)(void *opaque, struct surface *s);
    /* After a refresh: a chance to flush what update collected. */
    void (*refreshed)(void *opaque);
    void *opaque;
    /* Someone is looking (a VNC client is connected): the refresh timer
     * runs only while a listener is active. */
    bool active;
    struct console_listener *next;
};

struct console;

/* Refresh interval bounds (ms): 30 while the screen changes, backing off
 * by 50 per quiet refresh up to 1000. */
#define CONSOLE_REFRESH_MIN_MS 30
#define CONSOLE_REFRESH_MAX_MS 1000

struct console *console_new(const char *name, const struct console_hw_ops *ops,
                            void *opaque);
/* A device that embeds another (QXL embeds the std VGA) takes over the
 * console the inner one made. */
void console_set_hw_ops(struct console *c, const struct console_hw_ops *ops,
                        void *opaque);
/* Which device (and head of it) draws the console: QMP screendump's
 * device= and head= look it up. */
struct device;
void console_set_device(struct console *c, struct device *dev, int head);
struct console *console_by_device(const struct device *dev, int head);
/* The first display device's console, or NULL (-vga none). */
struct console *console_default(void);
const char *console_name(const struct console *c);
struct surface *console_surface(struct console *c);
/* Resize (and clear) the surface; listeners hear of it. */
void console_resize(struct console *c, int width, int height);
/* A rectangle of the surface changed (clipped to the surface). */
void console_dirty(struct console *c, int x, int y, int w, int h);
/* Run the device's refresh now (screendump, timer, listeners). */
void console_refresh(struct console *c);
void console_invalidate(struct console *c);
/* How many dirty rectangles the last refresh reported (tests). */
unsigned console_last_dirty(const struct console *c);
/* Current refresh interval (ms) and whether the timer runs (tests). */
int console_refresh_interval(const struct console *c);
bool console_timer_active(const struct console *c);

void console_add_listener(struct console *c, struct console_listener *l);
void console_remove_listener(struct console *c, struct console_listener *l);
void console_listener_set_active(struct console *c, struct console_listener *l,
                                 bool active);
/* Something happened that should be seen quickly (input): back to the
 * fastest refresh. */
void console_poke(struct console *c);

/* ---- input routing ---- */

struct console_input_ops {
    void (*key_set2)(void *opaque, const uint8_t *codes, int n);
    void (*pointer)(void *opaque, int dx, int dy, int dz, uint8_t buttons);
};

/* The machine's keyboard and mouse (one for all consoles, as on a PC). */
void console_set_input(const struct console_input_ops *ops, void *opaque);
/*
 * A key by its "QEMU number" (what the RFB Extended Key Event carries):
 * the PC scan code set 1 make code, with bit 7 set for the E0-prefixed
 * keys (right Ctrl = 0x9d).  Translated to set 2 for the keyboard.
 */
void console_key_event(unsigned keycode, bool down);
void console_pointer_event(int dx, int dy, int dz, uint8_t buttons);
/* QEMU number to set 2 bytes; returns the count (0: unknown). */
int console_keycode_to_set2(unsigned keycode, bool down, uint8_t out[8]);

/*
 * Absolute pointer (a USB tablet): x and y scaled to 0..0x7fff over the
 * console surface, buttons as for the relative pointer (bit 0 left, 1
 * right, 2 middle).  While one is set, listeners send absolute positions
 * (QEMU routes pointer events to the tablet when one is present).
 */
struct console_abs_pointer_ops {
    void (*pointer_abs)(void *opaque, int x, int y, int dz, uint8_t buttons);
};
/* NULL ops removes it (only if opaque is the one set). */
void console_set_abs_pointer(const struct console_abs_pointer_ops *ops,
                             void *opaque);
bool console_pointer_is_absolute(void);
void console_pointer_abs_event(int x, int y, int dz, uint8_t buttons);
/* Scale a surface coordinate (0..size-1) to 0..0x7fff. */
int console_abs_scale(int v, int size);

/*
 * A keyboard or relative pointer added later than the PS/2 ones (USB):
 * it takes the events instead of PS/2 while set (QEMU routes input to
 * the most recently added device).  Keys come as QEMU numbers.
 */
struct console_kbd_ops {
    void (*key)(void *opaque, unsigned keycode, bool down);
};
struct console_rel_pointer_ops {
    void (*pointer)(void *opaque, int dx, int dy, int dz, uint8_t buttons);
};
void console_set_keyboard(const struct console_kbd_ops *ops, void *opaque);
void console_set_rel_pointer(const struct console_rel_pointer_ops *ops,
                             void *opaque);

#endif
