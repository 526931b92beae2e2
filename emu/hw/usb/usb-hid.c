/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb-hid.c - usb-tablet, usb-mouse and usb-kbd: full-speed HID devices
 * (Device Class Definition for HID 1.11: §7.1 descriptors, §7.2 class
 * requests, appendix B boot protocol) with one interrupt IN endpoint.
 * The tablet reports absolute X/Y in 0..0x7fff (as the console scales
 * them), the mouse relative motion (boot protocol compatible), the
 * keyboard the boot keyboard report (modifier byte, reserved byte, six
 * key slots).  Events queue up so that a quick press and release both
 * reach the host; a report goes out only when something changed (the
 * endpoint NAKs otherwise).
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "emu/hw/usb/usb-hid.h"
#include "emu/util/err.h"

/* ---------------------------------------------------------------------------
 * Descriptors
 */

/* Tablet: 3 buttons, X and Y 16-bit absolute, wheel. */
static const uint8_t tablet_report_desc[] = {
    0x05, 0x01,         /* Usage Page (Generic Desktop) */
    0x09, 0x02,         /* Usage (Mouse) */
    0xa1, 0x01,         /* Collection (Application) */
    0x09, 0x01,         /*  Usage (Pointer) */
    0xa1, 0x00,         /*  Collection (Physical) */
    0x05, 0x09,         /*   Usage Page (Button) */
    0x19, 0x01,         /*   Usage Minimum (1) */
    0x29, 0x03,         /*   Usage Maximum (3) */
    0x15, 0x00,         /*   Logical Minimum (0) */
    0x25, 0x01,         /*   Logical Maximum (1) */
    0x95, 0x03,         /*   Report Count (3) */
    0x75, 0x01,         /*   Report Size (1) */
    0x81, 0x02,         /*   Input (Data, Variable, Absolute) */
    0x95, 0x01,         /*   Report Count (1) */
    0x75, 0x05,         /*   Report Size (5) */
    0x81, 0x01,         /*   Input (Constant) */
    0x05, 0x01,         /*   Usage Page (Generic Desktop) */
    0x09, 0x30,         /*   Usage (X) */
    0x09, 0x31,         /*   Usage (Y) */
    0x15, 0x00,         /*   Logical Minimum (0) */
    0x26, 0xff, 0x7f,   /*   Logical Maximum (0x7fff) */
    0x35, 0x00,         /*   Physical Minimum (0) */
    0x46, 0xff, 0x7f,   /*   Physical Maximum (0x7fff) */
    0x75, 0x10,         /*   Report Size (16) */
    0x95, 0x02,         /*   Report Count (2) */
    0x81, 0x02,         /*   Input (Data, Variable, Absolute) */
    0x05, 0x01,         /*   Usage Page (Generic Desktop) */
    0x09, 0x38,         /*   Usage (Wheel) */
    0x15, 0x81,         /*   Logical Minimum (-127) */
    0x25, 0x7f,         /*   Logical Maximum (127) */
    0x35, 0x00,         /*   Physical Minimum (0) */
    0x45, 0x00,         /*   Physical Maximum (0) */
    0x75, 0x08,         /*   Report Size (8) */
    0x95, 0x01,         /*   Report Count (1) */
    0x81, 0x06,         /*   Input (Data, Variable, Relative) */
    0xc0,               /*  End Collection */
    0xc0,               /* End Collection */
};

/* Mouse: 3 buttons, X, Y and wheel relative 8-bit; the first three bytes
 * are the boot mouse report. */
static const uint8_t mouse_report_desc[] = {
    0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00,
    0x05, 0x09,         /* buttons as the tablet's */
    0x19, 0x01, 0x29, 0x03, 0x15, 0x00, 0x25, 0x01,
    0x95, 0x03, 0x75, 0x01, 0x81, 0x02,
    0x95, 0x01, 0x75, 0x05, 0x81, 0x01,
    0x05, 0x01,         /* Usage Page (Generic Desktop) */
    0x09, 0x30,         /* Usage (X) */
    0x09, 0x31,         /* Usage (Y) */
    0x09, 0x38,         /* Usage (Wheel) */
    0x15, 0x81,         /* Logical Minimum (-127) */
    0x25, 0x7f,         /* Logical Maximum (127) */
    0x75, 0x08,         /* Report Size (8) */
    0x95, 0x03,         /* Report Count (3) */
    0x81, 0x06,         /* Input (Data, Variable, Relative) */
    0xc0, 0xc0,
};

/* Keyboard: the boot keyboard layout (HID 1.11 appendix B.1). */
static const uint8_t kbd_report_desc[] = {
    0x05, 0x01,         /* Usage Page (Generic Desktop) */
    0x09, 0x06,         /* Usage (Keyboard) */
    0xa1, 0x01,         /* Collection (Application) */
    0x75, 0x01,         /*  Report Size (1) */
    0x95, 0x08,         /*  Report Count (8) */
    0x05, 0x07,         /*  Usage Page (Key Codes) */
    0x19, 0xe0,         /*  Usage Minimum (224) */
    0x29, 0xe7,         /*  Usage Maximum (231) */
    0x15, 0x00,         /*  Logical Minimum (0) */
    0x25, 0x01,         /*  Logical Maximum (1) */
    0x81, 0x02,         /*  Input (Data, Variable, Absolute): modifiers */
    0x95, 0x01,         /*  Report Count (1) */
    0x75, 0x08,         /*  Report Size (8) */
    0x81, 0x01,         /*  Input (Constant): reserved byte */
    0x95, 0x05,         /*  Report Count (5) */
    0x75, 0x01,         /*  Report Size (1) */
    0x05, 0x08,         /*  Usage Page (LEDs) */
    0x19, 0x01,         /*  Usage Minimum (1) */
    0x29, 0x05,         /*  Usage Maximum (5) */
    0x91, 0x02,         /*  Output (Data, Variable, Absolute): LEDs */
    0x95, 0x01,         /*  Report Count (1) */
    0x75, 0x03,         /*  Report Size (3) */
    0x91, 0x01,         /*  Output (Constant): padding */
    0x95, 0x06,         /*  Report Count (6) */
    0x75, 0x08,         /*  Report Size (8) */
    0x15, 0x00,         /*  Logical Minimum (0) */
    0x25, 0xff,         /*  Logical Maximum (255) */
    0x05, 0x07,         /*  Usage Page (Key Codes) */
    0x19, 0x00,         /*  Usage Minimum (0) */
    0x29, 0xff,         /*  Usage Maximum (255) */
    0x81, 0x00,         /*  Input (Data, Array): key slots */
    0xc0,               /* End Collection */
};

/* Device descriptor: USB 1.1 full speed, class in the interface, vendor
 * 0x0627 product 0x0001 as QEMU's HID devices (guests have quirks keyed
 * on them), strings 1-3. */
#define DEVICE_DESC(product_lo)                                           \
    { 18, USB_DT_DEVICE, 0x10, 0x01, 0, 0, 0, 8,                        \
      0x27, 0x06, product_lo, 0x00, 0x00, 0x00, 1, 2, 3, 1 }

static const uint8_t hid_device_desc[18] = DEVICE_DESC(0x01);

/* Configuration 1: one HID interface (subclass, protocol), its HID
 * descriptor naming the report descriptor's length, one interrupt IN
 * endpoint (0x81) polled every 10 ms (8 bytes max). */
#define CONFIG_DESC(subclass, proto, rlen)                               \
    {                                                                    \
        9, USB_DT_CONFIG, 34, 0, 1, 1, 4, 0xa0, 50,                      \
        9, USB_DT_INTERFACE, 0, 0, 1, 3, subclass, proto, 0,            \
        9, 0x21, 0x01, 0x01, 0, 1, 0x22, (rlen) & 0xff, (rlen) >> 8,   \
        7, USB_DT_ENDPOINT, 0x81, 3, 8, 0, 10,                          \
    }

static const uint8_t tablet_config[34] =
    CONFIG_DESC(0, 0, sizeof(tablet_report_desc));
static const uint8_t mouse_config[34] =
    CONFIG_DESC(1, 2, sizeof(mouse_report_desc));
static const uint8_t kbd_config[34] =
    CONFIG_DESC(1, 1, sizeof(kbd_report_desc));

static const char *const tablet_strings[] = {
    "QEMU", "QEMU USB Tablet", "28754-0000:00:01.2-1", "HID Tablet", NULL
};
static const char *const mouse_strings[] = {
    "QEMU", "QEMU USB Mouse", "89126-0000:00:01.2-1", "HID Mouse", NULL
};
static const char *const kbd_strings[] = {
    "QEMU", "QEMU USB Keyboard", "68284-0000:00:01.2-1", "HID Keyboard", NULL
};

static const struct usb_descs tablet_descs = {
    hid_device_desc, tablet_config, sizeof(tablet_config), tablet_strings,
};
static const struct usb_descs mouse_descs = {
    hid_device_desc, mouse_config, sizeof(mouse_config), mouse_strings,
};
static const struct usb_descs kbd_descs = {
    hid_device_desc, kbd_config, sizeof(kbd_config), kbd_strings,
};

/* ---------------------------------------------------------------------------
 * Keys: QEMU numbers (set 1 make codes, 0x80 for E0-prefixed) to HID
 * Keyboard page usages (HID Usage Tables 1.12 §10).
 */
static const uint8_t qcode_to_usage[256] = {
    [0x01] = 0x29, [0x02] = 0x1e, [0x03] = 0x1f, [0x04] = 0x20, [0x05] = 0x21,
    [0x06] = 0x22, [0x07] = 0x23, [0x08] = 0x24, [0x09] = 0x25, [0x0a] = 0x26,
    [0x0b] = 0x27, [0x0c] = 0x2d, [0x0d] = 0x2e, [0x0e] = 0x2a, [0x0f] = 0x2b,
    [0x10] = 0x14, [0x11] = 0x1a, [0x12] = 0x08, [0x13] = 0x15, [0x14] = 0x17,
    [0x15] = 0x1c, [0x16] = 0x18, [0x17] = 0x0c, [0x18] = 0x12, [0x19] = 0x13,
    [0x1a] = 0x2f, [0x1b] = 0x30, [0x1c] = 0x28, [0x1d] = 0xe0, [0x1e] = 0x04,
    [0x1f] = 0x16, [0x20] = 0x07, [0x21] = 0x09, [0x22] = 0x0a, [0x23] = 0x0b,
    [0x24] = 0x0d, [0x25] = 0x0e, [0x26] = 0x0f, [0x27] = 0x33, [0x28] = 0x34,
    [0x29] = 0x35, [0x2a] = 0xe1, [0x2b] = 0x31, [0x2c] = 0x1d, [0x2d] = 0x1b,
    [0x2e] = 0x06, [0x2f] = 0x19, [0x30] = 0x05, [0x31] = 0x11, [0x32] = 0x10,
    [0x33] = 0x36, [0x34] = 0x37, [0x35] = 0x38, [0x36] = 0xe5, [0x37] = 0x55,
    [0x38] = 0xe2, [0x39] = 0x2c, [0x3a] = 0x39, [0x3b] = 0x3a, [0x3c] = 0x3b,
    [0x3d] = 0x3c, [0x3e] = 0x3d, [0x3f] = 0x3e, [0x40] = 0x3f, [0x41] = 0x40,
    [0x42] = 0x41, [0x43] = 0x42, [0x44] = 0x43, [0x45] = 0x53, [0x46] = 0x47,
    [0x47] = 0x5f, [0x48] = 0x60, [0x49] = 0x61, [0x4a] = 0x56, [0x4b] = 0x5c,
    [0x4c] = 0x5d, [0x4d] = 0x5e, [0x4e] = 0x57, [0x4f] = 0x59, [0x50] = 0x5a,
    [0x51] = 0x5b, [0x52] = 0x62, [0x53] = 0x63, [0x56] = 0x64, [0x57] = 0x44,
    [0x58] = 0x45,
    [0x9c] = 0x58, [0x9d] = 0xe4, [0xb5] = 0x54, [0xb7] = 0x46, [0xb8] = 0xe6,
    [0xc7] = 0x4a, [0xc8] = 0x52, [0xc9] = 0x4b, [0xcb] = 0x50, [0xcd] = 0x4f,
    [0xcf] = 0x4d, [0xd0] = 0x51, [0xd1] = 0x4e, [0xd2] = 0x49, [0xd3] = 0x4c,
    [0xdb] = 0xe3, [0xdc] = 0xe7, [0xdd] = 0x65,
};

int usb_hid_keycode_to_usage(unsigned keycode)
{
    return keycode < 256 ? qcode_to_usage[keycode] : 0;
}

/* ---------------------------------------------------------------------------
 * State and reports
 */

static struct usb_hid *hid_of(struct usb_device *d)
{
    return (struct usb_hid *)d;
}

static void queue_push(struct usb_hid *h, const struct hid_event *ev)
{
    if (h->q_len == HID_QUEUE) {
        /* Full: fold into the newest entry so the state stays right. */
        struct hid_event *last = &h->q[(h->q_head + h->q_len - 1) % HID_QUEUE];
        if (h->kind == HID_KEYBOARD) {
            return;     /* drop: the guest stopped polling */
        }
        last->x = ev->x;
        last->y = ev->y;
        last->dx += ev->dx;
        last->dy += ev->dy;
        last->dz += ev->dz;
        last->buttons = ev->buttons;
        return;
    }
    h->q[(h->q_head + h->q_len) % HID_QUEUE] = *ev;
    h->q_len++;
}

void usb_hid_pointer_abs(struct usb_hid *h, int x, int y, int dz,
                         uint8_t buttons)
{
    struct hid_event ev = { .x = x, .y = y, .dz = dz, .buttons = buttons & 7 };
    queue_push(h, &ev);
}

void usb_hid_pointer_rel(struct usb_hid *h, int dx, int dy, int dz,
                         uint8_t buttons)
{
    struct hid_event ev = { .dx = dx, .dy = dy, .dz = dz, .buttons = buttons & 7 };
    queue_push(h, &ev);
}

void usb_hid_key(struct usb_hid *h, unsigned keycode, bool down)
{
    int u = usb_hid_keycode_to_usage(keycode);
    if (!u) {
        return;
    }
    struct hid_event ev = { .key = u, .down = down };
    queue_push(h, &ev);
}

static int clamp8(int *v)
{
    int r = MAX(-127, MIN(*v, 127));
    *v -= r;
    return r;
}

/* Apply a keyboard event to the key state; false if it changed nothing. */
static bool kbd_apply(struct usb_hid *h, const struct hid_event *ev)
{
    if (ev->key >= 0xe0) {
        uint8_t old = h->modifiers;
        uint8_t bit = 1 << (ev->key - 0xe0);
        h->modifiers = ev->down ? old | bit : old & ~bit;
        return h->modifiers != old;
    }
    int i;
    for (i = 0; i < h->nkeys && h->keys[i] != ev->key; i++) {
    }
    if (ev->down) {
        if (i < h->nkeys || h->nkeys == (int)sizeof(h->keys)) {
            return false;
        }
        h->keys[h->nkeys++] = ev->key;
    } else {
        if (i == h->nkeys) {
            return false;
        }
        memmove(h->keys + i, h->keys + i + 1, h->nkeys - i - 1);
        h->nkeys--;
    }
    return true;
}

int usb_hid_report(struct usb_hid *h, uint8_t *out)
{
    switch (h->kind) {
    case HID_TABLET:
        out[0] = h->buttons;
        out[1] = h->x & 0xff;
        out[2] = h->x >> 8;
        out[3] = h->y & 0xff;
        out[4] = h->y >> 8;
        out[5] = (uint8_t)clamp8(&h->dz);
        return 6;
    case HID_MOUSE:
        out[0] = h->buttons;
        out[1] = (uint8_t)clamp8(&h->dx);
        out[2] = (uint8_t)clamp8(&h->dy);
        if (h->boot_protocol) {
            return 3;
        }
        out[3] = (uint8_t)clamp8(&h->dz);
        return 4;
    case HID_KEYBOARD:
    default:
        out[0] = h->modifiers;
        out[1] = 0;
        memset(out + 2, 0, 6);
        memcpy(out + 2, h->keys, h->nkeys);
        return 8;
    }
}

/* Take queued events into the state until a report's worth changed. */
static bool hid_poll(struct usb_hid *h)
{
    bool changed = h->dx || h->dy || h->dz;
    while (h->q_len && !changed) {
        struct hid_event *ev = &h->q[h->q_head];
        h->q_head = (h->q_head + 1) % HID_QUEUE;
        h->q_len--;
        switch (h->kind) {
        case HID_TABLET:
            changed = ev->x != h->x || ev->y != h->y || ev->dz ||
                      ev->buttons != h->buttons;
            h->x = MAX(0, MIN(ev->x, 0x7fff));
            h->y = MAX(0, MIN(ev->y, 0x7fff));
            h->dz += ev->dz;
            h->buttons = ev->buttons;
            break;
        case HID_MOUSE:
            changed = ev->dx || ev->dy || ev->dz || ev->buttons != h->buttons;
            h->dx += ev->dx;
            h->dy += ev->dy;
            h->dz += ev->dz;
            h->buttons = ev->buttons;
            break;
        case HID_KEYBOARD:
            changed = kbd_apply(h, ev);
            break;
        }
    }
    return changed;
}

/* ---------------------------------------------------------------------------
 * USB side
 */

static int hid_control(struct usb_device *d, uint8_t type, uint8_t req,
                       uint16_t value, uint16_t index, uint16_t length,
                       uint8_t *data)
{
    struct usb_hid *h = hid_of(d);
    if (index != 0) {
        return -1;          /* one interface */
    }
    if (type == 0x81 && req == USB_REQ_GET_DESCRIPTOR) {
        switch (value >> 8) {
        case 0x21:          /* HID descriptor */
            memcpy(data, d->descs->config + 18, 9);
            return 9;
        case 0x22:          /* report descriptor */
            memcpy(data, h->report_desc, h->report_desc_len);
            return h->report_desc_len;
        }
        return -1;
    }
    if (type == 0xa1) {
        switch (req) {
        case 0x01:          /* GET_REPORT */
            return usb_hid_report(h, data);
        case 0x02:          /* GET_IDLE */
            data[0] = h->idle;
            return 1;
        case 0x03:          /* GET_PROTOCOL */
            data[0] = h->boot_protocol ? 0 : 1;
            return 1;
        }
        return -1;
    }
    if (type == 0x21) {
        switch (req) {
        case 0x09:          /* SET_REPORT: the keyboard's LEDs */
            if (h->kind == HID_KEYBOARD && length >= 1) {
                h->leds = data[0];
            }
            return 0;
        case 0x0a:          /* SET_IDLE */
            h->idle = value >> 8;
            return 0;
        case 0x0b:          /* SET_PROTOCOL */
            if (value > 1) {
                return -1;
            }
            h->boot_protocol = value == 0;
            return 0;
        }
    }
    return -1;
}

static int hid_data(struct usb_device *d, struct usb_packet *p)
{
    struct usb_hid *h = hid_of(d);
    if (p->ep != 1 || p->pid != USB_TOKEN_IN) {
        return USB_RET_STALL;
    }
    if (!hid_poll(h)) {
        return USB_RET_NAK;
    }
    uint8_t rep[8];
    int n = usb_hid_report(h, rep);
    p->actual = MIN((size_t)n, p->len);
    memcpy(p->data, rep, p->actual);
    return USB_RET_SUCCESS;
}

static void hid_reset(struct usb_device *d)
{
    struct usb_hid *h = hid_of(d);
    h->boot_protocol = false;
    h->idle = 0;
    h->q_len = 0;
    h->dx = h->dy = h->dz = 0;
    h->nkeys = 0;
    h->modifiers = 0;
}

/* The console's wheel counts as PS/2 does (negative: away from the
 * user); a HID wheel reports that as positive. */
static void abs_cb(void *opaque, int x, int y, int dz, uint8_t buttons)
{
    usb_hid_pointer_abs(opaque, x, y, -dz, buttons);
}

static void rel_cb(void *opaque, int dx, int dy, int dz, uint8_t buttons)
{
    /* The console's dy counts up (PS/2); HID's counts down. */
    usb_hid_pointer_rel(opaque, dx, -dy, -dz, buttons);
}

static void key_cb(void *opaque, unsigned keycode, bool down)
{
    usb_hid_key(opaque, keycode, down);
}

static const struct console_abs_pointer_ops abs_ops = { abs_cb };
static const struct console_rel_pointer_ops rel_ops = { rel_cb };
static const struct console_kbd_ops kbd_ops = { key_cb };

static void hid_attached(struct usb_device *d, bool on)
{
    struct usb_hid *h = hid_of(d);
    switch (h->kind) {
    case HID_TABLET:
        console_set_abs_pointer(on ? &abs_ops : NULL, h);
        break;
    case HID_MOUSE:
        console_set_rel_pointer(on ? &rel_ops : NULL, h);
        break;
    case HID_KEYBOARD:
        console_set_keyboard(on ? &kbd_ops : NULL, h);
        break;
    }
}

static const struct usb_device_ops hid_ops = {
    .control = hid_control,
    .data = hid_data,
    .reset = hid_reset,
    .attached = hid_attached,
};

void usb_hid_init(struct usb_hid *h, enum hid_kind kind)
{
    h->kind = kind;
    h->usb.ops = &hid_ops;
    h->usb.speed = USB_SPEED_FULL;
    switch (kind) {
    case HID_TABLET:
        h->usb.descs = &tablet_descs;
        h->report_desc = tablet_report_desc;
        h->report_desc_len = sizeof(tablet_report_desc);
        break;
    case HID_MOUSE:
        h->usb.descs = &mouse_descs;
        h->report_desc = mouse_report_desc;
        h->report_desc_len = sizeof(mouse_report_desc);
        break;
    case HID_KEYBOARD:
        h->usb.descs = &kbd_descs;
        h->report_desc = kbd_report_desc;
        h->report_desc_len = sizeof(kbd_report_desc);
        break;
    }
}

static int realize(struct device *dev, enum hid_kind kind, struct err **errp)
{
    struct usb_hid *h = (struct usb_hid *)dev;
    usb_hid_init(h, kind);
    return usb_device_attach(&h->usb, errp);
}

static int tablet_realize(struct device *dev, struct err **errp)
{
    return realize(dev, HID_TABLET, errp);
}

static int mouse_realize(struct device *dev, struct err **errp)
{
    return realize(dev, HID_MOUSE, errp);
}

static int kbd_realize(struct device *dev, struct err **errp)
{
    return realize(dev, HID_KEYBOARD, errp);
}

static void dev_reset(struct device *dev)
{
    /* The controller resets its ports; the device's state goes with a
     * port reset (usb_device_reset), not here. */
    (void)dev;
}

static const struct prop hid_props[] = {
    USB_DEVICE_PROPS(struct usb_hid),
    { NULL },
};

static const struct dev_type tablet_type = {
    .name = "usb-tablet", .category = "Input devices",
    .bus = BUS_USB, .size = sizeof(struct usb_hid), .props = hid_props,
    .user_creatable = true, .realize = tablet_realize, .reset = dev_reset,
};
DEV_TYPE(tablet_type);

static const struct dev_type mouse_type = {
    .name = "usb-mouse", .category = "Input devices",
    .bus = BUS_USB, .size = sizeof(struct usb_hid), .props = hid_props,
    .user_creatable = true, .realize = mouse_realize, .reset = dev_reset,
};
DEV_TYPE(mouse_type);

static const struct dev_type kbd_type = {
    .name = "usb-kbd", .category = "Input devices",
    .bus = BUS_USB, .size = sizeof(struct usb_hid), .props = hid_props,
    .user_creatable = true, .realize = kbd_realize, .reset = dev_reset,
};
DEV_TYPE(kbd_type);
