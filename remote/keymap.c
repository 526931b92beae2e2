/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keymap.c - keyboard layouts for keysym input: which PC key (scan code
 * set 1, IBM PS/2 Technical Reference) carries a character on the US,
 * German and French layouts (their national standards: ANSI US, DIN 2137,
 * the French AZERTY), plus the keys that do not depend on the layout.
 * Keysym values: X11 keysymdef.h (Latin-1 keysyms are the code points;
 * Unicode keysyms are 0x1000000 + code point).
 */
#include "emu/osdep.h"

#include "remote/keymap.h"
#include "emu/util/err.h"

/* A key and the keysyms it types plain, with Shift and with AltGr. */
struct keydef {
    uint8_t code;
    uint32_t plain, shift, altgr;
};

/* Keysyms beyond ASCII used in the tables. */
#define KS_DEAD_GRAVE 0xfe50
#define KS_DEAD_ACUTE 0xfe51
#define KS_DEAD_CIRCUMFLEX 0xfe52
#define KS_DEAD_TILDE 0xfe53
#define KS_DEAD_DIAERESIS 0xfe57
#define KS_EURO 0x20ac

static const struct keydef us_keys[] = {
    { 0x29, '`', '~' }, { 0x02, '1', '!' }, { 0x03, '2', '@' },
    { 0x04, '3', '#' }, { 0x05, '4', '$' }, { 0x06, '5', '%' },
    { 0x07, '6', '^' }, { 0x08, '7', '&' }, { 0x09, '8', '*' },
    { 0x0a, '9', '(' }, { 0x0b, '0', ')' }, { 0x0c, '-', '_' },
    { 0x0d, '=', '+' }, { 0x10, 'q', 'Q' }, { 0x11, 'w', 'W' },
    { 0x12, 'e', 'E' }, { 0x13, 'r', 'R' }, { 0x14, 't', 'T' },
    { 0x15, 'y', 'Y' }, { 0x16, 'u', 'U' }, { 0x17, 'i', 'I' },
    { 0x18, 'o', 'O' }, { 0x19, 'p', 'P' }, { 0x1a, '[', '{' },
    { 0x1b, ']', '}' }, { 0x2b, '\\', '|' }, { 0x1e, 'a', 'A' },
    { 0x1f, 's', 'S' }, { 0x20, 'd', 'D' }, { 0x21, 'f', 'F' },
    { 0x22, 'g', 'G' }, { 0x23, 'h', 'H' }, { 0x24, 'j', 'J' },
    { 0x25, 'k', 'K' }, { 0x26, 'l', 'L' }, { 0x27, ';', ':' },
    { 0x28, '\'', '"' }, { 0x2c, 'z', 'Z' }, { 0x2d, 'x', 'X' },
    { 0x2e, 'c', 'C' }, { 0x2f, 'v', 'V' }, { 0x30, 'b', 'B' },
    { 0x31, 'n', 'N' }, { 0x32, 'm', 'M' }, { 0x33, ',', '<' },
    { 0x34, '.', '>' }, { 0x35, '/', '?' }, { 0 },
};

static const struct keydef de_keys[] = {
    { 0x29, KS_DEAD_CIRCUMFLEX, 0xb0 }, { 0x02, '1', '!' },
    { 0x03, '2', '"', 0xb2 }, { 0x04, '3', 0xa7, 0xb3 }, { 0x05, '4', '$' },
    { 0x06, '5', '%' }, { 0x07, '6', '&' }, { 0x08, '7', '/', '{' },
    { 0x09, '8', '(', '[' }, { 0x0a, '9', ')', ']' }, { 0x0b, '0', '=', '}' },
    { 0x0c, 0xdf, '?', '\\' }, { 0x0d, KS_DEAD_ACUTE, KS_DEAD_GRAVE },
    { 0x10, 'q', 'Q', '@' }, { 0x11, 'w', 'W' }, { 0x12, 'e', 'E', KS_EURO },
    { 0x13, 'r', 'R' }, { 0x14, 't', 'T' }, { 0x15, 'z', 'Z' },
    { 0x16, 'u', 'U' }, { 0x17, 'i', 'I' }, { 0x18, 'o', 'O' },
    { 0x19, 'p', 'P' }, { 0x1a, 0xfc, 0xdc }, { 0x1b, '+', '*', '~' },
    { 0x1e, 'a', 'A' }, { 0x1f, 's', 'S' }, { 0x20, 'd', 'D' },
    { 0x21, 'f', 'F' }, { 0x22, 'g', 'G' }, { 0x23, 'h', 'H' },
    { 0x24, 'j', 'J' }, { 0x25, 'k', 'K' }, { 0x26, 'l', 'L' },
    { 0x27, 0xf6, 0xd6 }, { 0x28, 0xe4, 0xc4 }, { 0x2b, '#', '\'' },
    { 0x56, '<', '>', '|' }, { 0x2c, 'y', 'Y' }, { 0x2d, 'x', 'X' },
    { 0x2e, 'c', 'C' }, { 0x2f, 'v', 'V' }, { 0x30, 'b', 'B' },
    { 0x31, 'n', 'N' }, { 0x32, 'm', 'M', 0xb5 }, { 0x33, ',', ';' },
    { 0x34, '.', ':' }, { 0x35, '-', '_' }, { 0 },
};

static const struct keydef fr_keys[] = {
    { 0x29, 0xb2 }, { 0x02, '&', '1' }, { 0x03, 0xe9, '2', KS_DEAD_TILDE },
    { 0x04, '"', '3', '#' }, { 0x05, '\'', '4', '{' }, { 0x06, '(', '5', '[' },
    { 0x07, '-', '6', '|' }, { 0x08, 0xe8, '7', KS_DEAD_GRAVE },
    { 0x09, '_', '8', '\\' }, { 0x0a, 0xe7, '9', '^' }, { 0x0b, 0xe0, '0', '@' },
    { 0x0c, ')', 0xb0, ']' }, { 0x0d, '=', '+', '}' }, { 0x10, 'a', 'A' },
    { 0x11, 'z', 'Z' }, { 0x12, 'e', 'E', KS_EURO }, { 0x13, 'r', 'R' },
    { 0x14, 't', 'T' }, { 0x15, 'y', 'Y' }, { 0x16, 'u', 'U' },
    { 0x17, 'i', 'I' }, { 0x18, 'o', 'O' }, { 0x19, 'p', 'P' },
    { 0x1a, KS_DEAD_CIRCUMFLEX, KS_DEAD_DIAERESIS }, { 0x1b, '$', 0xa3, 0xa4 },
    { 0x1e, 'q', 'Q' }, { 0x1f, 's', 'S' }, { 0x20, 'd', 'D' },
    { 0x21, 'f', 'F' }, { 0x22, 'g', 'G' }, { 0x23, 'h', 'H' },
    { 0x24, 'j', 'J' }, { 0x25, 'k', 'K' }, { 0x26, 'l', 'L' },
    { 0x27, 'm', 'M' }, { 0x28, 0xf9, '%' }, { 0x2b, '*', 0xb5 },
    { 0x56, '<', '>' }, { 0x2c, 'w', 'W' }, { 0x2d, 'x', 'X' },
    { 0x2e, 'c', 'C' }, { 0x2f, 'v', 'V' }, { 0x30, 'b', 'B' },
    { 0x31, 'n', 'N' }, { 0x32, ',', '?' }, { 0x33, ';', '.' },
    { 0x34, ':', '/' }, { 0x35, '!', 0xa7 }, { 0 },
};

/* Keys whose keysym is the same on every layout. */
static const struct { uint32_t sym; uint8_t code; } common_keys[] = {
    { ' ', 0x39 }, { 0xff08, 0x0e }, { 0xff09, 0x0f }, { 0xfe20, 0x0f },
    { 0xff0d, 0x1c }, { 0xff1b, 0x01 }, { 0xffff, 0xd3 }, { 0xff13, 0xc6 },
    { 0xff14, 0x46 }, { 0xff61, 0xb7 }, { 0xff15, 0xb7 },
    { 0xff50, 0xc7 }, { 0xff51, 0xcb }, { 0xff52, 0xc8 }, { 0xff53, 0xcd },
    { 0xff54, 0xd0 }, { 0xff55, 0xc9 }, { 0xff56, 0xd1 }, { 0xff57, 0xcf },
    { 0xff63, 0xd2 }, { 0xff67, 0xdd },
    { 0xffe1, 0x2a }, { 0xffe2, 0x36 }, { 0xffe3, 0x1d }, { 0xffe4, 0x9d },
    { 0xffe5, 0x3a }, { 0xffe7, 0xdb }, { 0xffe8, 0xdc }, { 0xffe9, 0x38 },
    { 0xffea, 0xb8 }, { 0xfe03, 0xb8 }, { 0xffeb, 0xdb }, { 0xffec, 0xdc },
    { 0xff7e, 0xb8 }, { 0xff7f, 0x45 },
    { 0xffbe, 0x3b }, { 0xffbf, 0x3c }, { 0xffc0, 0x3d }, { 0xffc1, 0x3e },
    { 0xffc2, 0x3f }, { 0xffc3, 0x40 }, { 0xffc4, 0x41 }, { 0xffc5, 0x42 },
    { 0xffc6, 0x43 }, { 0xffc7, 0x44 }, { 0xffc8, 0x57 }, { 0xffc9, 0x58 },
    /* keypad */
    { 0xff8d, 0x9c }, { 0xffaa, 0x37 }, { 0xffab, 0x4e }, { 0xffad, 0x4a },
    { 0xffae, 0x53 }, { 0xffac, 0x53 }, { 0xffaf, 0xb5 },
    { 0xffb0, 0x52 }, { 0xffb1, 0x4f }, { 0xffb2, 0x50 }, { 0xffb3, 0x51 },
    { 0xffb4, 0x4b }, { 0xffb5, 0x4c }, { 0xffb6, 0x4d }, { 0xffb7, 0x47 },
    { 0xffb8, 0x48 }, { 0xffb9, 0x49 },
    { 0xff95, 0x47 }, { 0xff96, 0x4b }, { 0xff97, 0x48 }, { 0xff98, 0x4d },
    { 0xff99, 0x50 }, { 0xff9a, 0x49 }, { 0xff9b, 0x51 }, { 0xff9c, 0x4f },
    { 0xff9d, 0x4c }, { 0xff9e, 0x52 }, { 0xff9f, 0xd3 },
};

static const struct {
    const char *name;
    const struct keydef *keys;
} layouts[] = {
    { "en-us", us_keys },
    { "de", de_keys },
    { "fr", fr_keys },
};

const char *const keymap_names[] = { "en-us", "de", "fr", NULL };

/* Keysyms 0..0xffff; Unicode keysyms are folded onto their code point. */
static uint8_t map[0x10000];
static int current = -1;

static void build(int idx)
{
    memset(map, 0, sizeof(map));
    for (size_t i = 0; i < ARRAY_SIZE(common_keys); i++) {
        map[common_keys[i].sym] = common_keys[i].code;
    }
    /* AltGr first so that a character a layout has both plain and with
     * AltGr types the plain way. */
    for (const struct keydef *k = layouts[idx].keys; k->code; k++) {
        if (k->altgr) {
            map[k->altgr & 0xffff] = k->code;
        }
    }
    for (const struct keydef *k = layouts[idx].keys; k->code; k++) {
        if (k->shift) {
            map[k->shift & 0xffff] = k->code;
        }
    }
    for (const struct keydef *k = layouts[idx].keys; k->code; k++) {
        map[k->plain & 0xffff] = k->code;
    }
    current = idx;
}

int keymap_select(const char *name, struct err **errp)
{
    for (size_t i = 0; i < ARRAY_SIZE(layouts); i++) {
        if (!strcmp(name, layouts[i].name)) {
            build(i);
            return 0;
        }
    }
    err_setf(errp, "could not read keymap file: '%s'", name);
    return -1;
}

const char *keymap_name(void)
{
    return current < 0 ? "en-us" : layouts[current].name;
}

unsigned keymap_lookup(uint32_t keysym)
{
    if (current < 0) {
        build(0);
    }
    if (keysym >= 0x1000000 && keysym < 0x1010000) {
        keysym -= 0x1000000;   /* Unicode keysym */
    }
    if (keysym > 0xffff) {
        return 0;
    }
    return map[keysym];
}
