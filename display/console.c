/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * console.c - surfaces, listeners, the adaptive refresh timer and input
 * routing of the console layer (see console.h).  Scan codes: IBM PS/2
 * Technical Reference, keyboard scan code sets 1 and 2.
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"

struct console {
    char *name;
    const struct console_hw_ops *ops;
    void *opaque;
    struct surface surface;
    struct console_listener *listeners;
    struct timer *timer;
    int interval_ms;
    unsigned dirty_count;       /* rectangles in the current refresh */
    unsigned last_dirty;
    struct device *dev;         /* the display device, head */
    int head;
    struct console *next;
};

static struct console *consoles;

struct console *console_new(const char *name, const struct console_hw_ops *ops,
                            void *opaque)
{
    struct console *c = xzalloc(sizeof(*c));
    c->name = xstrdup(name);
    c->ops = ops;
    c->opaque = opaque;
    c->interval_ms = CONSOLE_REFRESH_MIN_MS;
    struct console **pp = &consoles;
    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = c;
    console_resize(c, 640, 480);
    return c;
}

void console_set_hw_ops(struct console *c, const struct console_hw_ops *ops,
                        void *opaque)
{
    c->ops = ops;
    c->opaque = opaque;
}

void console_set_device(struct console *c, struct device *dev, int head)
{
    c->dev = dev;
    c->head = head;
}

struct console *console_by_device(const struct device *dev, int head)
{
    for (struct console *c = consoles; c; c = c->next) {
        if (c->dev == dev && c->head == head) {
            return c;
        }
    }
    return NULL;
}

struct console *console_default(void)
{
    return consoles;
}

const char *console_name(const struct console *c)
{
    return c->name;
}

struct surface *console_surface(struct console *c)
{
    return &c->surface;
}

void console_resize(struct console *c, int width, int height)
{
    /* The guest controls the mode; the device clamps it before this. */
    width = MAX(width, 1);
    height = MAX(height, 1);
    if (c->surface.data && c->surface.width == width &&
        c->surface.height == height) {
        return;
    }
    free(c->surface.data);
    c->surface.width = width;
    c->surface.height = height;
    c->surface.stride = width * 4;
    c->surface.data = xzalloc((size_t)c->surface.stride * height);
    for (struct console_listener *l = c->listeners; l; l = l->next) {
        if (l->resize) {
            l->resize(l->opaque, &c->surface);
        }
    }
}

void console_dirty(struct console *c, int x, int y, int w, int h)
{
    int x2 = MIN(x + w, c->surface.width), y2 = MIN(y + h, c->surface.height);
    x = MAX(x, 0);
    y = MAX(y, 0);
    if (x >= x2 || y >= y2) {
        return;
    }
    c->dirty_count++;
    for (struct console_listener *l = c->listeners; l; l = l->next) {
        if (l->update) {
            l->update(l->opaque, x, y, x2 - x, y2 - y);
        }
    }
}

void console_refresh(struct console *c)
{
    c->dirty_count = 0;
    if (c->ops && c->ops->refresh) {
        c->ops->refresh(c->opaque);
    }
    c->last_dirty = c->dirty_count;
    for (struct console_listener *l = c->listeners; l; l = l->next) {
        if (l->refreshed) {
            l->refreshed(l->opaque);
        }
    }
}

void console_invalidate(struct console *c)
{
    if (c->ops && c->ops->invalidate) {
        c->ops->invalidate(c->opaque);
    }
}

unsigned console_last_dirty(const struct console *c)
{
    return c->last_dirty;
}

int console_refresh_interval(const struct console *c)
{
    return c->interval_ms;
}

bool console_timer_active(const struct console *c)
{
    return c->timer && timer_pending(c->timer);
}

/* Nobody watching: no timer at all.  Watched: 30 ms while the screen
 * changes, and 50 ms slower per quiet refresh, so that an idle screen
 * costs a refresh a second. */
static bool watched(const struct console *c)
{
    for (struct console_listener *l = c->listeners; l; l = l->next) {
        if (l->active) {
            return true;
        }
    }
    return false;
}

static void refresh_tick(void *opaque)
{
    struct console *c = opaque;
    if (!watched(c)) {
        return;
    }
    console_refresh(c);
    if (c->last_dirty) {
        c->interval_ms = CONSOLE_REFRESH_MIN_MS;
    } else {
        c->interval_ms = MIN(c->interval_ms + 50, CONSOLE_REFRESH_MAX_MS);
    }
    timer_mod_in(c->timer, (int64_t)c->interval_ms * 1000000);
}

void console_poke(struct console *c)
{
    c->interval_ms = CONSOLE_REFRESH_MIN_MS;
    if (c->timer && watched(c)) {
        timer_mod_in(c->timer, (int64_t)c->interval_ms * 1000000);
    }
}

void console_add_listener(struct console *c, struct console_listener *l)
{
    l->next = c->listeners;
    c->listeners = l;
    if (!c->timer) {
        c->timer = timer_new(CLOCK_RT, refresh_tick, c);
    }
    console_poke(c);
}

void console_remove_listener(struct console *c, struct console_listener *l)
{
    for (struct console_listener **pp = &c->listeners; *pp; pp = &(*pp)->next) {
        if (*pp == l) {
            *pp = l->next;
            break;
        }
    }
    if (!watched(c) && c->timer) {
        timer_del(c->timer);
    }
}

void console_listener_set_active(struct console *c, struct console_listener *l,
                                 bool active)
{
    l->active = active;
    if (active) {
        console_poke(c);
    } else if (!watched(c) && c->timer) {
        timer_del(c->timer);
    }
}

/* ---------------------------------------------------------------------------
 * Input
 */

static const struct console_input_ops *input_ops;
static void *input_opaque;

void console_set_input(const struct console_input_ops *ops, void *opaque)
{
    input_ops = ops;
    input_opaque = opaque;
}

/* Set 1 make codes to set 2; the E0-prefixed keys use the same numbers
 * behind their prefix in both sets. */
static const uint8_t set1_to_set2[128] = {
    [0x01] = 0x76, [0x02] = 0x16, [0x03] = 0x1e, [0x04] = 0x26, [0x05] = 0x25,
    [0x06] = 0x2e, [0x07] = 0x36, [0x08] = 0x3d, [0x09] = 0x3e, [0x0a] = 0x46,
    [0x0b] = 0x45, [0x0c] = 0x4e, [0x0d] = 0x55, [0x0e] = 0x66, [0x0f] = 0x0d,
    [0x10] = 0x15, [0x11] = 0x1d, [0x12] = 0x24, [0x13] = 0x2d, [0x14] = 0x2c,
    [0x15] = 0x35, [0x16] = 0x3c, [0x17] = 0x43, [0x18] = 0x44, [0x19] = 0x4d,
    [0x1a] = 0x54, [0x1b] = 0x5b, [0x1c] = 0x5a, [0x1d] = 0x14, [0x1e] = 0x1c,
    [0x1f] = 0x1b, [0x20] = 0x23, [0x21] = 0x2b, [0x22] = 0x34, [0x23] = 0x33,
    [0x24] = 0x3b, [0x25] = 0x42, [0x26] = 0x4b, [0x27] = 0x4c, [0x28] = 0x52,
    [0x29] = 0x0e, [0x2a] = 0x12, [0x2b] = 0x5d, [0x2c] = 0x1a, [0x2d] = 0x22,
    [0x2e] = 0x21, [0x2f] = 0x2a, [0x30] = 0x32, [0x31] = 0x31, [0x32] = 0x3a,
    [0x33] = 0x41, [0x34] = 0x49, [0x35] = 0x4a, [0x36] = 0x59, [0x37] = 0x7c,
    [0x38] = 0x11, [0x39] = 0x29, [0x3a] = 0x58, [0x3b] = 0x05, [0x3c] = 0x06,
    [0x3d] = 0x04, [0x3e] = 0x0c, [0x3f] = 0x03, [0x40] = 0x0b, [0x41] = 0x83,
    [0x42] = 0x0a, [0x43] = 0x01, [0x44] = 0x09, [0x45] = 0x77, [0x46] = 0x7e,
    [0x47] = 0x6c, [0x48] = 0x75, [0x49] = 0x7d, [0x4a] = 0x7b, [0x4b] = 0x6b,
    [0x4c] = 0x73, [0x4d] = 0x74, [0x4e] = 0x79, [0x4f] = 0x69, [0x50] = 0x72,
    [0x51] = 0x7a, [0x52] = 0x70, [0x53] = 0x71, [0x56] = 0x61, [0x57] = 0x78,
    [0x58] = 0x07, [0x5b] = 0x1f, [0x5c] = 0x27, [0x5d] = 0x2f, [0x5e] = 0x37,
    [0x5f] = 0x3f, [0x63] = 0x5e, [0x70] = 0x13, [0x73] = 0x51, [0x79] = 0x64,
    [0x7b] = 0x67, [0x7d] = 0x6a,
};

int console_keycode_to_set2(unsigned keycode, bool down, uint8_t out[8])
{
    int n = 0;
    if (keycode > 0xff) {
        return 0;
    }
    if (keycode == 0xb7) {
        /* Print Screen: E0 12 E0 7C, broken in reverse order. */
        static const uint8_t make[] = { 0xe0, 0x12, 0xe0, 0x7c };
        static const uint8_t brk[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12 };
        if (down) {
            memcpy(out, make, sizeof(make));
            return sizeof(make);
        }
        memcpy(out, brk, sizeof(brk));
        return sizeof(brk);
    }
    uint8_t code = set1_to_set2[keycode & 0x7f];
    if (!code) {
        return 0;
    }
    if (keycode & 0x80) {
        out[n++] = 0xe0;
    }
    if (!down) {
        out[n++] = 0xf0;
    }
    out[n++] = code;
    return n;
}

static const struct console_kbd_ops *kbd_ops;
static void *kbd_opaque;
static const struct console_rel_pointer_ops *rel_ops;
static void *rel_opaque;
static const struct console_abs_pointer_ops *abs_ops;
static void *abs_opaque;
/* The pointer set last wins (QEMU: the most recently added device). */
static unsigned pointer_seq, abs_seq, rel_seq;

void console_set_keyboard(const struct console_kbd_ops *ops, void *opaque)
{
    if (ops || opaque == kbd_opaque) {
        kbd_ops = ops;
        kbd_opaque = ops ? opaque : NULL;
    }
}

void console_set_rel_pointer(const struct console_rel_pointer_ops *ops,
                             void *opaque)
{
    if (ops || opaque == rel_opaque) {
        rel_ops = ops;
        rel_opaque = ops ? opaque : NULL;
        rel_seq = ++pointer_seq;
    }
}

void console_set_abs_pointer(const struct console_abs_pointer_ops *ops,
                             void *opaque)
{
    if (ops || opaque == abs_opaque) {
        abs_ops = ops;
        abs_opaque = ops ? opaque : NULL;
        abs_seq = ++pointer_seq;
    }
}

bool console_pointer_is_absolute(void)
{
    return abs_ops && (!rel_ops || abs_seq > rel_seq);
}

int console_abs_scale(int v, int size)
{
    if (size <= 1) {
        return 0;
    }
    v = MAX(0, MIN(v, size - 1));
    return (int)((int64_t)v * 0x7fff / (size - 1));
}

void console_pointer_abs_event(int x, int y, int dz, uint8_t buttons)
{
    if (abs_ops && abs_ops->pointer_abs) {
        abs_ops->pointer_abs(abs_opaque, x, y, dz, buttons);
    }
    for (struct console *c = consoles; c; c = c->next) {
        console_poke(c);
    }
}

void console_key_event(unsigned keycode, bool down)
{
    uint8_t buf[8];
    int n = 0;
    if (kbd_ops && kbd_ops->key) {
        kbd_ops->key(kbd_opaque, keycode, down);
    } else {
        n = console_keycode_to_set2(keycode, down, buf);
    }
    if (n && input_ops && input_ops->key_set2) {
        input_ops->key_set2(input_opaque, buf, n);
    }
    for (struct console *c = consoles; c; c = c->next) {
        console_poke(c);
    }
}

void console_pointer_event(int dx, int dy, int dz, uint8_t buttons)
{
    if (rel_ops && rel_ops->pointer) {
        rel_ops->pointer(rel_opaque, dx, dy, dz, buttons);
    } else if (input_ops && input_ops->pointer) {
        input_ops->pointer(input_opaque, dx, dy, dz, buttons);
    }
    for (struct console *c = consoles; c; c = c->next) {
        console_poke(c);
    }
}
