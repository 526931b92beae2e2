/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i8254_test.c - the PIT through ports 0x40-0x43 and 0x61 on a manual
 * guest clock: modes 0-5, latch and read-back, LSB/MSB access, BCD, gate 2
 * and OUT2 via port 0x61, and IRQ 0 edges from counter 0. */
#include "emu/osdep.h"

#include "emu/hw/i8254.h"
#include "emu/hw/isa.h"
#include "emu/mem/mem.h"
#include "tests/unit/test.h"

static struct isa_bus *bus;
static struct i8254 *pit;
static int irq0_level, irq0_edges;
static int64_t t0;

static void irq0_handler(void *opaque, int n, int level)
{
    if (level && !irq0_level) {
        irq0_edges++;
    }
    irq0_level = level;
}

static void outb(uint16_t port, uint8_t v)
{
    as_write(bus->io, port, v, 1);
}

static uint8_t inb(uint16_t port)
{
    return as_read(bus->io, port, 1);
}

static void setup(void)
{
    isa_time_set_manual(true);
    /* Devices of earlier tests stay alive (and their timers run): give
     * them a bus of their own that goes nowhere. */
    if (bus) {
        memset(bus->irq, 0, sizeof(bus->irq));
    }
    static struct isa_bus buses[32];
    static unsigned nbus;
    if (nbus == ARRAY_SIZE(buses)) {
        abort();
    }
    bus = &buses[nbus++];
    bus->io = as_new("io", 0x10000, ~0ULL);
    bus->irq[0] = (struct irq_line){ irq0_handler, NULL, 0 };
    irq0_level = irq0_edges = 0;
    pit = i8254_create(bus, NULL);
}

/* Move the guest clock to exactly k PIT clocks after t0. */
static void at_tick(int64_t k)
{
    int64_t target = t0 + (k * NS_PER_SEC + PIT_FREQ - 1) / PIT_FREQ;
    isa_time_step(target - isa_time_ns());
}

static void load16(int ch, uint16_t v)
{
    outb(0x40 + ch, v & 0xff);
    outb(0x40 + ch, v >> 8);
    t0 = isa_time_ns();
}

static uint16_t latch16(int ch)
{
    outb(0x43, ch << 6);
    uint16_t lo = inb(0x40 + ch);
    return lo | inb(0x40 + ch) << 8;
}

TEST(mode2_rate_generator_irq0)
{
    setup();
    EXPECT(pit != NULL);
    outb(0x43, 0x34);               /* counter 0, LSB+MSB, mode 2 */
    load16(0, 1193);                /* ~1 kHz, as Linux's PIT tick */
    irq0_edges = 0;
    EXPECT_EQ(irq0_level, 1);
    at_tick(1192);
    EXPECT_EQ(irq0_edges, 0);
    EXPECT(!i8254_out(pit, 0));     /* the one-clock low pulse */
    at_tick(1193);
    EXPECT_EQ(irq0_level, 1);
    EXPECT_EQ(irq0_edges, 1);
    at_tick(1193 * 10 + 5);
    EXPECT_EQ(irq0_edges, 10);
    EXPECT_EQ(latch16(0), 1193 - 5);
}

TEST(mode0_interrupt_on_terminal_count)
{
    setup();
    outb(0x43, 0x30);
    EXPECT_EQ(irq0_level, 0);       /* OUT goes low on the control word */
    load16(0, 1000);
    at_tick(100);
    EXPECT_EQ(latch16(0), 900);
    EXPECT_EQ(irq0_level, 0);
    at_tick(999);
    EXPECT_EQ(irq0_level, 0);
    at_tick(1000);
    EXPECT_EQ(irq0_level, 1);
    EXPECT_EQ(irq0_edges, 1);
    at_tick(1010);
    EXPECT_EQ(latch16(0), 0xffff - 9);  /* keeps counting, wrapped */
    EXPECT_EQ(irq0_level, 1);
}

TEST(latch_holds_until_read)
{
    setup();
    outb(0x43, 0x30);
    load16(0, 5000);
    at_tick(10);
    outb(0x43, 0x00);               /* latch */
    at_tick(20);
    outb(0x43, 0x00);               /* ignored: the first is unread */
    EXPECT_EQ(inb(0x40), (4990) & 0xff);
    at_tick(30);
    EXPECT_EQ(inb(0x40), 4990 >> 8);
    /* Unlatched reads follow the live count. */
    uint8_t lo = inb(0x40);
    EXPECT_EQ(lo | inb(0x40) << 8, 4970);
}

TEST(lsb_and_msb_only_access)
{
    setup();
    outb(0x43, 0x90);               /* counter 2, LSB only, mode 0 */
    outb(0x61, 0x01);               /* gate 2 on */
    outb(0x42, 0x80);
    t0 = isa_time_ns();
    at_tick(0x10);
    EXPECT_EQ(inb(0x42), 0x70);
    outb(0x43, 0xa0);               /* counter 2, MSB only, mode 0 */
    outb(0x42, 0x12);
    t0 = isa_time_ns();
    at_tick(0x100);
    EXPECT_EQ(inb(0x42), 0x11);
}

TEST(read_back_status_and_count)
{
    setup();
    outb(0x43, 0x94);               /* counter 2, LSB, mode 2 */
    outb(0x43, 0xe8);               /* read-back status of counter 2 */
    /* null count set, OUT high in mode 2, RW=1, mode 2 */
    EXPECT_EQ(inb(0x42), 0x80 | 0x40 | 0x10 | 0x04);
    outb(0x61, 0x01);
    outb(0x42, 50);
    t0 = isa_time_ns();
    at_tick(7);
    outb(0x43, 0xc8);               /* latch both: status comes first */
    EXPECT_EQ(inb(0x42), 0x80 | 0x10 | 0x04);
    EXPECT_EQ(inb(0x42), 43);
    outb(0x43, 0x43);               /* control register reads are junk */
    EXPECT_EQ(inb(0x43), 0xff);
}

TEST(bcd_counting)
{
    setup();
    outb(0x43, 0x31);               /* counter 0, LSB+MSB, mode 0, BCD */
    load16(0, 0x1000);              /* 1000 decimal */
    at_tick(1);
    EXPECT_EQ(latch16(0), 0x0999);
    at_tick(1000);
    EXPECT_EQ(irq0_level, 1);
    at_tick(1001);
    EXPECT_EQ(latch16(0), 0x9999);  /* wraps in decimal */
}

TEST(mode3_square_wave_on_out2)
{
    setup();
    outb(0x61, 0x03);               /* gate 2 and speaker data on */
    EXPECT(i8254_speaker_enabled(pit));
    outb(0x43, 0xb6);               /* counter 2, LSB+MSB, mode 3 */
    load16(2, 100);
    EXPECT(inb(0x61) & 0x20);
    at_tick(49);
    EXPECT(inb(0x61) & 0x20);
    at_tick(50);
    EXPECT(!(inb(0x61) & 0x20));
    at_tick(99);
    EXPECT(!(inb(0x61) & 0x20));
    at_tick(100);
    EXPECT(inb(0x61) & 0x20);
    /* Gate low forces OUT high and stops the wave. */
    at_tick(150);
    EXPECT(!(inb(0x61) & 0x20));
    outb(0x61, 0x00);
    EXPECT(inb(0x61) & 0x20);
    EXPECT(!i8254_speaker_enabled(pit));
}

TEST(gate_pauses_mode0_on_counter2)
{
    setup();
    outb(0x61, 0x01);
    outb(0x43, 0xb0);               /* Linux's calibration: ch2, mode 0 */
    load16(2, 0x400);
    EXPECT(!(inb(0x61) & 0x20));
    at_tick(0x100);
    outb(0x61, 0x00);               /* gate low: the count holds */
    at_tick(0x300);
    EXPECT_EQ(latch16(2), 0x300);
    outb(0x61, 0x01);
    t0 = isa_time_ns();
    at_tick(0x2ff);
    EXPECT(!(inb(0x61) & 0x20));
    at_tick(0x300);
    EXPECT(inb(0x61) & 0x20);
}

TEST(mode4_software_strobe)
{
    setup();
    outb(0x43, 0x38);
    EXPECT_EQ(irq0_level, 1);
    load16(0, 10);
    irq0_edges = 0;
    at_tick(10);
    EXPECT_EQ(irq0_level, 0);
    at_tick(11);
    EXPECT_EQ(irq0_level, 1);
    EXPECT_EQ(irq0_edges, 1);
    at_tick(100);
    EXPECT_EQ(irq0_edges, 1);       /* once only */
}

TEST(mode1_and_mode5_gate_triggered)
{
    setup();
    outb(0x43, 0xb2);               /* counter 2, mode 1 */
    load16(2, 20);
    EXPECT(inb(0x61) & 0x20);       /* waits for the gate */
    at_tick(50);
    EXPECT(inb(0x61) & 0x20);
    outb(0x61, 0x01);               /* trigger */
    t0 = isa_time_ns();
    EXPECT(!(inb(0x61) & 0x20));
    at_tick(19);
    EXPECT(!(inb(0x61) & 0x20));
    at_tick(20);
    EXPECT(inb(0x61) & 0x20);

    outb(0x61, 0x00);
    outb(0x43, 0xba);               /* counter 2, mode 5 */
    load16(2, 5);
    outb(0x61, 0x01);
    t0 = isa_time_ns();
    at_tick(4);
    EXPECT(inb(0x61) & 0x20);
    at_tick(5);
    EXPECT(!(inb(0x61) & 0x20));    /* the strobe */
    at_tick(6);
    EXPECT(inb(0x61) & 0x20);
}

TEST(refresh_bit_toggles)
{
    setup();
    uint8_t a = inb(0x61) & 0x10;
    isa_time_step(15085);
    uint8_t b = inb(0x61) & 0x10;
    EXPECT(a != b);
}

TEST(mode3_irq0_edges_and_tiny_counts)
{
    setup();
    outb(0x43, 0x36);               /* counter 0, mode 3 */
    load16(0, 100);
    irq0_edges = 0;
    at_tick(1000);
    EXPECT_EQ(irq0_edges, 10);
    /* Mode 2 with a count of 2: interrupts are merged to ~40 kHz rather
     * than waking the host 600000 times a second. */
    outb(0x43, 0x34);
    load16(0, 2);
    irq0_edges = 0;
    isa_time_step(NS_PER_SEC);
    EXPECT(irq0_edges > 10000);
    EXPECT(irq0_edges <= PIT_FREQ / 30 + 2);
}

TEST_MAIN()
