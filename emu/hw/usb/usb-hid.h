/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usb-hid.h - the USB HID devices (usb-tablet, usb-mouse, usb-kbd);
 * exposed for the unit tests, which feed events and read reports.
 */
#ifndef HEMU_EMU_HW_USB_USB_HID_H
#define HEMU_EMU_HW_USB_USB_HID_H

#include "emu/hw/usb/usb.h"

enum hid_kind { HID_TABLET, HID_MOUSE, HID_KEYBOARD };

struct hid_event {
    int x, y, dx, dy, dz;
    uint8_t buttons;
    uint8_t key;        /* HID usage */
    bool down;
};

#define HID_QUEUE 16

struct usb_hid {
    struct usb_device usb;
    enum hid_kind kind;
    const uint8_t *report_desc;
    size_t report_desc_len;
    struct hid_event q[HID_QUEUE];
    int q_head, q_len;
    /* what the host has seen (pointer) or holds (keyboard) */
    int x, y, dx, dy, dz;
    uint8_t buttons;
    uint8_t modifiers;
    uint8_t keys[6];
    int nkeys;
    uint8_t leds, idle;
    bool boot_protocol;
};

/* For tests and the fuzz target: set up h (already zeroed) as kind,
 * without a bus. */
void usb_hid_init(struct usb_hid *h, enum hid_kind kind);
void usb_hid_pointer_abs(struct usb_hid *h, int x, int y, int dz,
                         uint8_t buttons);
void usb_hid_pointer_rel(struct usb_hid *h, int dx, int dy, int dz,
                         uint8_t buttons);
void usb_hid_key(struct usb_hid *h, unsigned keycode, bool down);
/* The current report (at most 8 bytes); returns its length. */
int usb_hid_report(struct usb_hid *h, uint8_t *out);
int usb_hid_keycode_to_usage(unsigned keycode);

#endif
