/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ps2.c - the PS/2 keyboard and mouse protocols (IBM PS/2 Hardware
 * Interface Technical Reference, "Keyboard and Auxiliary Device
 * Controller": keyboard commands 0xED-0xFF, mouse commands 0xE6-0xFF;
 * Microsoft IntelliMouse's sample-rate knock 200-100-80 for the wheel).
 */
#include "emu/osdep.h"

#include "emu/hw/ps2.h"

#define ACK 0xfa
#define RESEND 0xfe
#define BAT_OK 0xaa

void ps2_queue_put(struct ps2_queue *q, uint8_t b)
{
    /* A full queue drops input, like a real keyboard's overrun. */
    if (q->count == PS2_QUEUE_SIZE) {
        return;
    }
    q->data[(q->rptr + q->count) % PS2_QUEUE_SIZE] = b;
    q->count++;
}

int ps2_queue_get(struct ps2_queue *q)
{
    if (!q->count) {
        return -1;
    }
    uint8_t b = q->data[q->rptr];
    q->rptr = (q->rptr + 1) % PS2_QUEUE_SIZE;
    q->count--;
    return b;
}

bool ps2_queue_empty(const struct ps2_queue *q)
{
    return q->count == 0;
}

static void queue_clear(struct ps2_queue *q)
{
    q->rptr = q->count = 0;
}

/* ---------------------------------------------------------------------------
 * Keyboard
 */

static void kbd_defaults(struct ps2_kbd *k)
{
    k->scancode_set = 2;
    k->pending_cmd = 0;
}

void ps2_kbd_reset(struct ps2_kbd *k)
{
    queue_clear(&k->q);
    kbd_defaults(k);
    k->scanning = true;
    k->leds = 0;
}

void ps2_kbd_write(struct ps2_kbd *k, uint8_t b)
{
    if (k->pending_cmd) {
        int cmd = k->pending_cmd;
        k->pending_cmd = 0;
        switch (cmd) {
        case 0xed:      /* set LEDs */
            k->leds = b & 7;
            ps2_queue_put(&k->q, ACK);
            return;
        case 0xf3:      /* typematic rate/delay: accepted, not modelled */
            ps2_queue_put(&k->q, ACK);
            return;
        case 0xf0:      /* scan code set: 0 asks which */
            if (b == 0) {
                ps2_queue_put(&k->q, ACK);
                ps2_queue_put(&k->q, k->scancode_set);
            } else if (b >= 1 && b <= 3) {
                k->scancode_set = b;
                ps2_queue_put(&k->q, ACK);
            } else {
                ps2_queue_put(&k->q, RESEND);
            }
            return;
        }
    }
    switch (b) {
    case 0xed:
    case 0xf0:
    case 0xf3:
        k->pending_cmd = b;
        ps2_queue_put(&k->q, ACK);
        break;
    case 0xee:          /* echo */
        ps2_queue_put(&k->q, 0xee);
        break;
    case 0xf2:          /* identify: an MF2 keyboard */
        ps2_queue_put(&k->q, ACK);
        ps2_queue_put(&k->q, 0xab);
        ps2_queue_put(&k->q, 0x83);
        break;
    case 0xf4:          /* enable scanning */
        k->scanning = true;
        ps2_queue_put(&k->q, ACK);
        break;
    case 0xf5:          /* disable and restore defaults */
        kbd_defaults(k);
        k->scanning = false;
        ps2_queue_put(&k->q, ACK);
        break;
    case 0xf6:          /* restore defaults */
        kbd_defaults(k);
        ps2_queue_put(&k->q, ACK);
        break;
    case 0xff:          /* reset and self-test */
        ps2_kbd_reset(k);
        ps2_queue_put(&k->q, ACK);
        ps2_queue_put(&k->q, BAT_OK);
        break;
    default:
        ps2_queue_put(&k->q, RESEND);
        break;
    }
}

void ps2_kbd_put_set2(struct ps2_kbd *k, const uint8_t *codes, int n)
{
    if (!k->scanning) {
        return;
    }
    for (int i = 0; i < n; i++) {
        ps2_queue_put(&k->q, codes[i]);
    }
}

/* ---------------------------------------------------------------------------
 * Mouse
 */

static void mouse_defaults(struct ps2_mouse *m)
{
    m->sample_rate = 100;
    m->resolution = 2;
    m->scaling = 1;
    m->streaming = false;
    m->remote = false;
    m->dx = m->dy = m->dz = 0;
}

void ps2_mouse_reset(struct ps2_mouse *m)
{
    queue_clear(&m->q);
    mouse_defaults(m);
    m->type = 0;
    m->pending_cmd = 0;
    memset(m->rate_seq, 0, sizeof(m->rate_seq));
    m->buttons = 0;
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* One movement packet (3 bytes, 4 with a wheel) from the accumulated
 * motion; large motions are sent over several packets. */
static void mouse_packet(struct ps2_mouse *m)
{
    int dx = clamp(m->dx, -256, 255), dy = clamp(m->dy, -256, 255);
    int dz = clamp(m->dz, -8, 7);
    uint8_t b0 = 0x08 | (m->buttons & 7);
    if (dx < 0) {
        b0 |= 0x10;
    }
    if (dy < 0) {
        b0 |= 0x20;
    }
    ps2_queue_put(&m->q, b0);
    ps2_queue_put(&m->q, (uint8_t)dx);
    ps2_queue_put(&m->q, (uint8_t)dy);
    if (m->type == 3) {
        ps2_queue_put(&m->q, (uint8_t)dz & 0x0f);
    }
    m->dx -= dx;
    m->dy -= dy;
    m->dz -= dz;
}

static void mouse_status(struct ps2_mouse *m)
{
    uint8_t s = (m->remote ? 0x40 : 0) | (m->streaming ? 0x20 : 0) |
                (m->scaling == 2 ? 0x10 : 0) | (m->buttons & 1 ? 0x04 : 0) |
                (m->buttons & 4 ? 0x02 : 0) | (m->buttons & 2 ? 0x01 : 0);
    ps2_queue_put(&m->q, s);
    ps2_queue_put(&m->q, m->resolution);
    ps2_queue_put(&m->q, m->sample_rate);
}

void ps2_mouse_write(struct ps2_mouse *m, uint8_t b)
{
    if (m->pending_cmd) {
        int cmd = m->pending_cmd;
        m->pending_cmd = 0;
        if (cmd == 0xf3) {
            m->sample_rate = b;
            /* 200, 100, 80 in a row switches to the wheel protocol. */
            m->rate_seq[0] = m->rate_seq[1];
            m->rate_seq[1] = m->rate_seq[2];
            m->rate_seq[2] = b;
            if (m->rate_seq[0] == 200 && m->rate_seq[1] == 100 &&
                m->rate_seq[2] == 80) {
                m->type = 3;
            }
        } else {
            m->resolution = b & 3;
        }
        ps2_queue_put(&m->q, ACK);
        return;
    }
    switch (b) {
    case 0xe6:
        m->scaling = 1;
        ps2_queue_put(&m->q, ACK);
        break;
    case 0xe7:
        m->scaling = 2;
        ps2_queue_put(&m->q, ACK);
        break;
    case 0xe8:          /* set resolution */
    case 0xf3:          /* set sample rate */
        m->pending_cmd = b;
        ps2_queue_put(&m->q, ACK);
        break;
    case 0xe9:
        ps2_queue_put(&m->q, ACK);
        mouse_status(m);
        break;
    case 0xea:
        m->remote = false;
        ps2_queue_put(&m->q, ACK);
        break;
    case 0xeb:          /* read data (remote mode) */
        ps2_queue_put(&m->q, ACK);
        mouse_packet(m);
        break;
    case 0xf0:
        m->remote = true;
        ps2_queue_put(&m->q, ACK);
        break;
    case 0xf2:          /* identify */
        ps2_queue_put(&m->q, ACK);
        ps2_queue_put(&m->q, m->type);
        break;
    case 0xf4:
        m->streaming = true;
        ps2_queue_put(&m->q, ACK);
        break;
    case 0xf5:
        m->streaming = false;
        ps2_queue_put(&m->q, ACK);
        break;
    case 0xf6:
        mouse_defaults(m);
        ps2_queue_put(&m->q, ACK);
        break;
    case 0xff:
        ps2_mouse_reset(m);
        ps2_queue_put(&m->q, ACK);
        ps2_queue_put(&m->q, BAT_OK);
        ps2_queue_put(&m->q, 0x00);
        break;
    default:
        ps2_queue_put(&m->q, RESEND);
        break;
    }
}

void ps2_mouse_event(struct ps2_mouse *m, int dx, int dy, int dz,
                     uint8_t buttons)
{
    m->dx += dx;
    m->dy += dy;
    m->dz += dz;
    bool changed = buttons != m->buttons;
    m->buttons = buttons;
    if (!m->streaming || m->remote) {
        return;
    }
    /* Leave room in the queue for the controller's own replies. */
    while ((changed || m->dx || m->dy || m->dz) &&
           m->q.count < PS2_QUEUE_SIZE - 16) {
        mouse_packet(m);
        changed = false;
    }
}
