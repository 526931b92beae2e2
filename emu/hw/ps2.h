/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ps2.h - a PS/2 keyboard and a PS/2 mouse as the i8042 sees them: a byte
 * queue each, the command sets of the IBM PS/2 keyboard (scan code set 2
 * natively) and of the standard / IntelliMouse pointing device.
 */
#ifndef HEMU_EMU_HW_PS2_H
#define HEMU_EMU_HW_PS2_H

#include "emu/osdep.h"

#define PS2_QUEUE_SIZE 256

struct ps2_queue {
    uint8_t data[PS2_QUEUE_SIZE];
    int rptr, count;
};

struct ps2_kbd {
    struct ps2_queue q;
    int pending_cmd;        /* command awaiting its data byte, or 0 */
    bool scanning;
    int scancode_set;       /* 1, 2 or 3 */
    uint8_t leds;
};

struct ps2_mouse {
    struct ps2_queue q;
    int pending_cmd;
    bool streaming;         /* data reporting enabled */
    bool remote;
    uint8_t resolution, sample_rate, scaling;
    uint8_t type;           /* 0: standard, 3: IntelliMouse wheel */
    uint8_t rate_seq[3];    /* last sample rates, for the wheel knock */
    int dx, dy, dz;
    uint8_t buttons;
};

void ps2_queue_put(struct ps2_queue *q, uint8_t b);
int ps2_queue_get(struct ps2_queue *q);     /* -1 if empty */
bool ps2_queue_empty(const struct ps2_queue *q);

void ps2_kbd_reset(struct ps2_kbd *k);
/* A byte from the controller to the keyboard. */
void ps2_kbd_write(struct ps2_kbd *k, uint8_t b);
/* Key input in scan code set 2 (make/break sequences, E0 prefixes). */
void ps2_kbd_put_set2(struct ps2_kbd *k, const uint8_t *codes, int n);

void ps2_mouse_reset(struct ps2_mouse *m);
void ps2_mouse_write(struct ps2_mouse *m, uint8_t b);
/* Relative motion and buttons (bit 0 left, 1 right, 2 middle). */
void ps2_mouse_event(struct ps2_mouse *m, int dx, int dy, int dz,
                     uint8_t buttons);

#endif
