/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i8042_test.c - the keyboard controller through ports 0x60/0x64: self
 * test, command byte, keyboard commands and replies, set 2 to set 1
 * translation of make/break codes, the mouse behind 0xd4 with its wheel
 * knock and packets, IRQ 1/12 levels, the A20 gate and reset lines. */
#include "emu/osdep.h"

#include "emu/hw/i8042.h"
#include "emu/hw/isa.h"
#include "emu/loop/loop.h"
#include "tests/unit/test.h"

static struct addr_space *io;
static struct isa_bus isa;
static struct i8042 *kbc;
static int irq[16];
static int a20 = -1;

static void set_irq(void *opaque, int n, int level)
{
    irq[n] = level;
}

static void set_a20(void *opaque, bool on)
{
    a20 = on;
}

static void setup(void)
{
    if (kbc) {
        return;
    }
    loop_init();
    io = as_new("io", 0x10000, ~0ULL);
    isa.io = io;
    for (int i = 0; i < 16; i++) {
        isa.irq[i] = (struct irq_line){ set_irq, NULL, i };
    }
    kbc = i8042_create(&isa, NULL);
    kbc->a20_set = set_a20;
}

static uint8_t status(void)
{
    return (uint8_t)as_read(io, 0x64, 1);
}

static void cmd(uint8_t c)
{
    as_write(io, 0x64, c, 1);
}

static void data(uint8_t d)
{
    as_write(io, 0x60, d, 1);
}

/* Read one byte, checking the output buffer was full. */
static int rd(void)
{
    if (!(status() & 1)) {
        return -1;
    }
    return (int)as_read(io, 0x60, 1);
}

TEST(self_test_and_command_byte)
{
    setup();
    cmd(0xaa);
    EXPECT_EQ(rd(), 0x55);
    EXPECT(status() & 0x04);        /* system flag after self test */
    cmd(0xab);
    EXPECT_EQ(rd(), 0x00);
    cmd(0x20);
    EXPECT_EQ(rd(), 0x03);          /* both interrupts enabled at reset */
    cmd(0x60);
    data(0x61);                     /* translate, sys, kbd int */
    cmd(0x20);
    EXPECT_EQ(rd(), 0x61);
    EXPECT_EQ(rd(), -1);            /* nothing more */
}

TEST(keyboard_commands)
{
    setup();
    data(0xff);                     /* reset */
    EXPECT_EQ(rd(), 0xfa);
    EXPECT_EQ(rd(), 0xaa);
    data(0xf2);                     /* identify */
    EXPECT_EQ(rd(), 0xfa);
    EXPECT_EQ(rd(), 0xab);
    EXPECT_EQ(rd(), 0x41);          /* 0x83, translated (command byte 0x61) */
    data(0xed);                     /* LEDs */
    EXPECT_EQ(rd(), 0xfa);
    data(0x07);
    EXPECT_EQ(rd(), 0xfa);
    EXPECT_EQ(kbc->kbd.leds, 7);
    data(0xf0);                     /* which scan code set? */
    EXPECT_EQ(rd(), 0xfa);
    data(0x00);
    EXPECT_EQ(rd(), 0xfa);
    EXPECT_EQ(rd(), 2);
    data(0x12);                     /* not a command */
    EXPECT_EQ(rd(), 0xfe);
}

TEST(translation_and_irq1)
{
    setup();
    cmd(0x60);
    data(0x61);
    /* 'A' (set 2: 1c, break f0 1c) and Up (e0 75, e0 f0 75). */
    static const uint8_t keys[] = { 0x1c, 0xf0, 0x1c, 0xe0, 0x75, 0xe0, 0xf0, 0x75 };
    i8042_put_keycodes(kbc, keys, sizeof(keys));
    EXPECT_EQ(irq[1], 1);
    EXPECT_EQ(rd(), 0x1e);
    EXPECT_EQ(rd(), 0x9e);
    EXPECT_EQ(rd(), 0xe0);
    EXPECT_EQ(rd(), 0x48);
    EXPECT_EQ(rd(), 0xe0);
    EXPECT_EQ(rd(), 0xc8);
    EXPECT_EQ(irq[1], 0);
    /* Without translation the set 2 bytes come through. */
    cmd(0x60);
    data(0x21);
    i8042_put_keycodes(kbc, keys, 3);
    EXPECT_EQ(rd(), 0x1c);
    EXPECT_EQ(rd(), 0xf0);
    EXPECT_EQ(rd(), 0x1c);
    /* Interface disabled: keys wait. */
    cmd(0xad);
    i8042_put_keycodes(kbc, keys, 1);
    EXPECT_EQ(rd(), -1);
    cmd(0xae);
    EXPECT_EQ(rd(), 0x1c);
}

TEST(mouse_wheel_and_packets)
{
    setup();
    cmd(0x60);
    data(0x43);                     /* translate + both interrupts */
    cmd(0xa8);
    static const uint8_t knock[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        cmd(0xd4);
        data(0xf3);
        EXPECT_EQ(rd(), 0xfa);
        cmd(0xd4);
        data(knock[i]);
        EXPECT_EQ(rd(), 0xfa);
    }
    cmd(0xd4);
    data(0xf2);
    EXPECT_EQ(rd(), 0xfa);
    EXPECT_EQ(rd(), 3);             /* IntelliMouse */
    cmd(0xd4);
    data(0xf4);                     /* enable reporting */
    EXPECT_EQ(rd(), 0xfa);
    i8042_mouse_event(kbc, 5, -3, 1, 1);
    EXPECT_EQ(irq[12], 1);
    EXPECT(status() & 0x20);        /* aux data */
    EXPECT_EQ(rd(), 0x08 | 0x20 | 0x01);
    EXPECT_EQ(rd(), 5);
    EXPECT_EQ(rd(), 0xfd);
    EXPECT_EQ(rd(), 0x01);
    EXPECT_EQ(irq[12], 0);
}

TEST(a20_and_reset_lines)
{
    setup();
    cmd(0xd0);
    EXPECT_EQ(rd() & 0x03, 0x03);
    cmd(0xd1);
    data(0x01);                     /* A20 off, reset line high */
    EXPECT_EQ(a20, 0);
    cmd(0xdf);
    EXPECT_EQ(a20, 1);
    cmd(0xd0);
    EXPECT_EQ(rd() & 0x02, 0x02);
}

TEST_MAIN()
