/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice-input.c - SPICE keyboard and mouse (spice-server/spice-input.h,
 * SPICE_INTERFACE_KEYBOARD 1.1, SPICE_INTERFACE_MOUSE 1.1).  The inputs
 * channel hands over PC scan code set 1 bytes (0xe0 prefixes included)
 * and relative motion with SPICE button masks; both go into the
 * console's key and pointer path like VNC input.
 *
 * Absolute pointing: when the machine has an absolute pointer (a USB
 * tablet) at start, a SpiceTabletInstance (SPICE_INTERFACE_TABLET) is
 * added too, which makes spice-server offer client mouse mode; its
 * positions (in the display's logical size) go to the tablet scaled to
 * 0..0x7fff like VNC's.
 */
#include "emu/osdep.h"

#include "display/console.h"
#include "remote/spice-int.h"

static struct {
    SpiceKbdInstance kbd;
    SpiceMouseInstance mouse;
    bool e0;            /* the last byte was the 0xe0 prefix */
    int e1_left;        /* bytes of a Pause (0xe1 ...) sequence to skip */
    uint32_t buttons;
    SpiceTabletInstance tablet;
    int width, height;  /* the tablet's logical size */
    int x, y;           /* its last position */
} in;

static void kbd_push(SpiceKbdInstance *sin, uint8_t b)
{
    if (in.e1_left) {
        /* Pause: e1 1d 45 e1 9d c5.  The console's key numbers have no
         * Pause (set 2 sends it as one make-only sequence), so it is
         * swallowed whole rather than sent as stray Ctrl/NumLock. */
        in.e1_left--;
        return;
    }
    if (b == 0xe1) {
        in.e1_left = 2;
        return;
    }
    if (b == 0xe0) {
        in.e0 = true;
        return;
    }
    unsigned code = (b & 0x7f) | (in.e0 ? 0x80 : 0);
    in.e0 = false;
    if ((code & 0x7f) == 0) {
        return;
    }
    console_key_event(code, !(b & 0x80));
}

static uint8_t kbd_leds(SpiceKbdInstance *sin)
{
    /* The keyboard's LED state is not exported by the PS/2 model; the
     * client keeps its own. */
    return 0;
}

static const SpiceKbdInterface kbd_sif = {
    .base = {
        .type = SPICE_INTERFACE_KEYBOARD,
        .description = "hemu keyboard",
        .major_version = SPICE_INTERFACE_KEYBOARD_MAJOR,
        .minor_version = SPICE_INTERFACE_KEYBOARD_MINOR,
    },
    .push_scan_freg = kbd_push,
    .get_leds = kbd_leds,
};

/* SPICE: bit 0 left, 1 middle, 2 right; PS/2: 0 left, 1 right, 2 middle. */
static uint8_t ps2_buttons(uint32_t s)
{
    return (s & SPICE_MOUSE_BUTTON_MASK_LEFT ? 1 : 0) |
           (s & SPICE_MOUSE_BUTTON_MASK_RIGHT ? 2 : 0) |
           (s & SPICE_MOUSE_BUTTON_MASK_MIDDLE ? 4 : 0);
}

static void mouse_motion(SpiceMouseInstance *sin, int dx, int dy, int dz,
                         uint32_t buttons)
{
    in.buttons = buttons;
    /* SPICE counts y downwards, PS/2 upwards; dz: negative is wheel up
     * in both. */
    console_pointer_event(dx, -dy, dz, ps2_buttons(buttons));
}

static void mouse_buttons(SpiceMouseInstance *sin, uint32_t buttons)
{
    in.buttons = buttons;
    console_pointer_event(0, 0, 0, ps2_buttons(buttons));
}

static const SpiceMouseInterface mouse_sif = {
    .base = {
        .type = SPICE_INTERFACE_MOUSE,
        .description = "hemu mouse",
        .major_version = SPICE_INTERFACE_MOUSE_MAJOR,
        .minor_version = SPICE_INTERFACE_MOUSE_MINOR,
    },
    .motion = mouse_motion,
    .buttons = mouse_buttons,
};

static void tablet_set_logical_size(SpiceTabletInstance *sin, int width,
                                    int height)
{
    in.width = width;
    in.height = height;
}

static void tablet_send(int dz)
{
    if (in.width <= 0 || in.height <= 0) {
        return;
    }
    console_pointer_abs_event(console_abs_scale(in.x, in.width),
                              console_abs_scale(in.y, in.height), dz,
                              ps2_buttons(in.buttons));
}

static void tablet_position(SpiceTabletInstance *sin, int x, int y,
                            uint32_t buttons)
{
    in.x = x;
    in.y = y;
    in.buttons = buttons;
    tablet_send(0);
}

static void tablet_wheel(SpiceTabletInstance *sin, int wheel, uint32_t buttons)
{
    in.buttons = buttons;
    tablet_send(wheel);
}

static void tablet_buttons(SpiceTabletInstance *sin, uint32_t buttons)
{
    in.buttons = buttons;
    tablet_send(0);
}

static const SpiceTabletInterface tablet_sif = {
    .base = {
        .type = SPICE_INTERFACE_TABLET,
        .description = "hemu tablet",
        .major_version = SPICE_INTERFACE_TABLET_MAJOR,
        .minor_version = SPICE_INTERFACE_TABLET_MINOR,
    },
    .set_logical_size = tablet_set_logical_size,
    .position = tablet_position,
    .wheel = tablet_wheel,
    .buttons = tablet_buttons,
};

int spice_input_init(SpiceServer *s)
{
    in.kbd.base.sif = &kbd_sif.base;
    in.mouse.base.sif = &mouse_sif.base;
    if (spice_server_add_interface(s, &in.kbd.base) < 0 ||
        spice_server_add_interface(s, &in.mouse.base) < 0) {
        return -1;
    }
    if (console_pointer_is_absolute()) {
        in.tablet.base.sif = &tablet_sif.base;
        if (spice_server_add_interface(s, &in.tablet.base) < 0) {
            return -1;
        }
    }
    return 0;
}
