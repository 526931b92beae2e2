/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtc_test.c - the MC146818 RTC/CMOS through ports 0x70/0x71 on a manual
 * guest clock: BCD/binary and 12/24-hour time, SET, UIP, update-ended,
 * alarm and periodic interrupts on IRQ 8 with register C clearing, the
 * NMI mask bit, the CMOS bytes that SeaBIOS reads, and -rtc clock=
 * host/rt/vm across a VM pause. */
#include "emu/osdep.h"

#include "emu/hw/isa.h"
#include "emu/hw/mc146818.h"
#include "emu/mem/mem.h"
#include "tests/unit/test.h"

static struct isa_bus *bus;
static struct rtc *rtc;
static int irq8_level, irq8_edges;

static void irq8_handler(void *opaque, int n, int level)
{
    if (level && !irq8_level) {
        irq8_edges++;
    }
    irq8_level = level;
}

static uint8_t cmos_read(uint8_t idx)
{
    as_write(bus->io, 0x70, idx, 1);
    return as_read(bus->io, 0x71, 1);
}

static void cmos_write(uint8_t idx, uint8_t v)
{
    as_write(bus->io, 0x70, idx, 1);
    as_write(bus->io, 0x71, v, 1);
}

/* 2021-03-04 05:06:07 UTC, a Thursday */
#define T0 1614834367

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
    bus->irq[8] = (struct irq_line){ irq8_handler, NULL, 8 };
    irq8_level = irq8_edges = 0;
    rtc = rtc_create(bus, NULL);
    /* Restart the seconds so that updates fall on whole seconds from
     * here: SET, then clear it. */
    rtc_set_time(rtc, T0);
    cmos_write(0x0b, 0x82);
    cmos_write(0x0b, 0x02);
}

TEST(defaults_and_host_time)
{
    setup();
    EXPECT(rtc != NULL);
    EXPECT_EQ(cmos_read(0x0a), 0x26);
    EXPECT_EQ(cmos_read(0x0b), 0x02);
    EXPECT_EQ(cmos_read(0x0d), 0x80);
    EXPECT_EQ(as_read(bus->io, 0x70, 1), 0xff);
    /* A fresh RTC starts at the host's time. */
    struct rtc *r2 = rtc_create(bus, NULL);
    time_t host = time(NULL);
    EXPECT(rtc_get_time(r2) >= host - 60 && rtc_get_time(r2) <= host);
}

TEST(bcd_24h_time)
{
    setup();
    EXPECT_EQ(cmos_read(0x00), 0x07);
    EXPECT_EQ(cmos_read(0x02), 0x06);
    EXPECT_EQ(cmos_read(0x04), 0x05);
    EXPECT_EQ(cmos_read(0x06), 0x05);   /* Thursday: 1 = Sunday */
    EXPECT_EQ(cmos_read(0x07), 0x04);
    EXPECT_EQ(cmos_read(0x08), 0x03);
    EXPECT_EQ(cmos_read(0x09), 0x21);
    EXPECT_EQ(cmos_read(0x32), 0x20);
    isa_time_step(55 * NS_PER_SEC);
    EXPECT_EQ(cmos_read(0x00), 0x02);
    EXPECT_EQ(cmos_read(0x02), 0x07);
}

TEST(binary_and_12h_time)
{
    setup();
    cmos_write(0x0b, 0x04);             /* binary, 12-hour */
    EXPECT_EQ(cmos_read(0x00), 7);
    EXPECT_EQ(cmos_read(0x04), 5);      /* 5 AM */
    rtc_set_time(rtc, T0 + 12 * 3600);
    EXPECT_EQ(cmos_read(0x04), 0x85);   /* 5 PM */
    rtc_set_time(rtc, T0 - 5 * 3600);
    EXPECT_EQ(cmos_read(0x04), 0x0c);   /* 12 AM is midnight */
    cmos_write(0x0b, 0x00);             /* BCD, 12-hour */
    rtc_set_time(rtc, T0 + 7 * 3600);
    EXPECT_EQ(cmos_read(0x04), 0x92);   /* 12 PM is noon */
}

TEST(set_bit_freezes_and_loads_time)
{
    setup();
    cmos_write(0x0b, 0x82);
    cmos_write(0x00, 0x30);
    cmos_write(0x02, 0x45);
    cmos_write(0x04, 0x23);
    cmos_write(0x07, 0x31);
    cmos_write(0x08, 0x12);
    cmos_write(0x09, 0x99);
    cmos_write(0x32, 0x19);
    isa_time_step(5 * NS_PER_SEC);
    EXPECT_EQ(cmos_read(0x00), 0x30);   /* frozen while SET */
    cmos_write(0x0b, 0x02);
    EXPECT_EQ(rtc_get_time(rtc), 946683930);   /* 1999-12-31 23:45:30 */
    isa_time_step(15 * 60 * NS_PER_SEC);
    EXPECT_EQ(cmos_read(0x00), 0x30);
    EXPECT_EQ(cmos_read(0x09), 0x00);   /* the year rolls over ... */
    EXPECT_EQ(cmos_read(0x32), 0x20);   /* ... and so does the century */
    EXPECT_EQ(cmos_read(0x08), 0x01);
}

TEST(write_without_set_applies_at_once)
{
    setup();
    cmos_write(0x02, 0x30);
    EXPECT_EQ(rtc_get_time(rtc), T0 + 24 * 60);
    EXPECT_EQ(cmos_read(0x00), 0x07);
}

TEST(uip_before_each_update)
{
    setup();
    isa_time_step(NS_PER_SEC - 300000);
    EXPECT_EQ(cmos_read(0x0a) & 0x80, 0);
    isa_time_step(100000);
    EXPECT_EQ(cmos_read(0x0a) & 0x80, 0x80);
    EXPECT_EQ(cmos_read(0x00), 0x07);   /* not updated yet */
    isa_time_step(200000);
    EXPECT_EQ(cmos_read(0x0a) & 0x80, 0);
    EXPECT_EQ(cmos_read(0x00), 0x08);
    cmos_write(0x0a, 0xa6);             /* UIP is read-only */
    EXPECT_EQ(cmos_read(0x0a) & 0x7f, 0x26);
}

TEST(update_ended_interrupt)
{
    setup();
    cmos_write(0x0a, 0x20);             /* no periodic flag in the way */
    cmos_read(0x0c);
    cmos_write(0x0b, 0x12);             /* UIE */
    EXPECT_EQ(irq8_level, 0);
    isa_time_step(NS_PER_SEC / 2);
    EXPECT_EQ(irq8_level, 0);
    isa_time_step(NS_PER_SEC / 2);
    EXPECT_EQ(irq8_level, 1);
    EXPECT_EQ(cmos_read(0x0c), 0x90);
    EXPECT_EQ(irq8_level, 0);
    EXPECT_EQ(cmos_read(0x0c), 0x00);
    for (int i = 0; i < 5; i++) {
        isa_time_step(NS_PER_SEC);
        EXPECT_EQ(cmos_read(0x0c), 0x90);
    }
    EXPECT_EQ(irq8_edges, 6);
    /* Without UIE the flag is still set, but no interrupt. */
    cmos_write(0x0b, 0x02);
    isa_time_step(NS_PER_SEC);
    EXPECT_EQ(irq8_level, 0);
    EXPECT_EQ(cmos_read(0x0c), 0x10);
}

TEST(alarm_interrupt)
{
    setup();
    cmos_write(0x01, 0x10);             /* 05:06:10 */
    cmos_write(0x03, 0x06);
    cmos_write(0x05, 0x05);
    cmos_read(0x0c);
    cmos_write(0x0b, 0x22);             /* AIE */
    isa_time_step(2 * NS_PER_SEC);
    EXPECT_EQ(irq8_level, 0);
    isa_time_step(NS_PER_SEC);
    EXPECT_EQ(irq8_level, 1);
    EXPECT_EQ(cmos_read(0x0c) & 0xe0, 0xa0 | 0x40);  /* PF runs too */
    /* Don't-care seconds: every second matches. */
    cmos_write(0x01, 0xc0);
    cmos_write(0x03, 0xff);
    cmos_write(0x05, 0xff);
    isa_time_step(NS_PER_SEC);
    EXPECT_EQ(irq8_level, 1);
    EXPECT_EQ(cmos_read(0x0c) & 0xb0, 0xb0);
}

TEST(periodic_interrupt)
{
    setup();
    cmos_read(0x0c);
    cmos_write(0x0a, 0x26);             /* 1024 Hz */
    cmos_write(0x0b, 0x42);             /* PIE */
    int pf = 0;
    for (int i = 0; i < 100; i++) {
        isa_time_step(1000000);         /* 1 ms */
        if (cmos_read(0x0c) & 0x40) {
            pf++;
        }
    }
    EXPECT_EQ(pf, 100);                 /* a period is 976.5625 us */
    EXPECT_EQ(irq8_edges, 100);
    /* 2 Hz: rate 15 */
    cmos_write(0x0a, 0x2f);
    cmos_read(0x0c);
    irq8_edges = 0;
    isa_time_step(NS_PER_SEC / 2 - 1000);
    EXPECT_EQ(irq8_level, 0);
    isa_time_step(1000);
    EXPECT_EQ(irq8_level, 1);
    EXPECT_EQ(cmos_read(0x0c), 0xc0);
    /* Rate 0 turns it off. */
    cmos_write(0x0a, 0x20);
    isa_time_step(NS_PER_SEC);
    EXPECT_EQ(irq8_level, 0);
    EXPECT_EQ(cmos_read(0x0c) & 0x40, 0);
}

TEST(divider_reset_stops_clock)
{
    setup();
    cmos_write(0x0a, 0x76);             /* divider chain in reset */
    isa_time_step(10 * NS_PER_SEC);
    EXPECT_EQ(rtc_get_time(rtc), T0);
    cmos_write(0x0a, 0x26);
    isa_time_step(NS_PER_SEC / 2 - 1);
    EXPECT_EQ(rtc_get_time(rtc), T0);
    isa_time_step(1);                   /* first update 500 ms later */
    EXPECT_EQ(rtc_get_time(rtc), T0 + 1);
    /* Time written while the divider is held is the time from then. */
    cmos_write(0x0a, 0x70);
    cmos_write(0x00, 0x40);
    EXPECT_EQ(cmos_read(0x00), 0x40);
    isa_time_step(3 * NS_PER_SEC);
    EXPECT_EQ(rtc_get_time(rtc), T0 - 7 + 40);
}

TEST(nmi_mask_and_cmos_ram)
{
    setup();
    as_write(bus->io, 0x70, 0x80 | 0x40, 1);
    EXPECT(rtc_nmi_masked(rtc));
    as_write(bus->io, 0x71, 0x5a, 1);
    EXPECT_EQ(cmos_read(0x40), 0x5a);
    EXPECT(!rtc_nmi_masked(rtc));
    cmos_write(0x7f, 0xa5);
    EXPECT_EQ(cmos_read(0x7f), 0xa5);
    cmos_write(0x0d, 0x00);             /* D is read-only */
    EXPECT_EQ(cmos_read(0x0d), 0x80);
}

TEST(firmware_bytes)
{
    setup();
    rtc_set_memory(rtc, 128 << 20, 0);
    EXPECT_EQ(cmos_read(0x15) | cmos_read(0x16) << 8, 640);
    EXPECT_EQ(cmos_read(0x17) | cmos_read(0x18) << 8, 0xffff);
    EXPECT_EQ(cmos_read(0x30) | cmos_read(0x31) << 8, 0xffff);
    EXPECT_EQ(cmos_read(0x34) | cmos_read(0x35) << 8, (112 << 20) >> 16);
    rtc_set_memory(rtc, 3ULL << 30, 5ULL << 30);
    EXPECT_EQ(cmos_read(0x34) | cmos_read(0x35) << 8, 0xbf00);
    EXPECT_EQ(cmos_read(0x5b) | cmos_read(0x5c) << 8 | cmos_read(0x5d) << 16,
              (5ULL << 30) >> 16);
    rtc_set_memory(rtc, 32 << 20, 0);
    EXPECT_EQ(cmos_read(0x30) | cmos_read(0x31) << 8, 31 * 1024);
    rtc_set_cpu_count(rtc, 4);
    EXPECT_EQ(cmos_read(0x5f), 3);
    EXPECT_EQ(rtc_set_boot_order(rtc, "cdn", true), 0);
    EXPECT_EQ(cmos_read(0x3d), 0x32);
    EXPECT_EQ(cmos_read(0x38), 0x40);
    EXPECT_EQ(rtc_set_boot_order(rtc, "a", false), 0);
    EXPECT_EQ(cmos_read(0x3d), 0x01);
    EXPECT_EQ(cmos_read(0x38), 0x01);
    EXPECT_EQ(rtc_set_boot_order(rtc, "x", false), -1);
    /* checksum over 0x10-0x2d */
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2d; i++) {
        sum += cmos_read(i);
    }
    EXPECT_EQ(cmos_read(0x2e) << 8 | cmos_read(0x2f), sum);
    rtc_set_cmos(rtc, 200, 1);          /* out of range: ignored */
    EXPECT_EQ(rtc_get_cmos(rtc, 200), 0);
}

/* -rtc clock=host|rt: the pause counts; clock=vm: it does not. */
TEST(pause_with_host_and_vm_clocks)
{
    setup();
    int64_t host = 1000 * NS_PER_SEC;
    rtc_set_clock(rtc, RTC_CLOCK_HOST);
    rtc_vm_state(rtc, false, host);
    /* The guest's clock does not move while paused; the host's does. */
    rtc_vm_state(rtc, true, host + 90 * NS_PER_SEC);
    EXPECT_EQ(rtc_get_time(rtc), T0 + 90);
    EXPECT_EQ(cmos_read(0x02), 0x07);       /* 05:07:37 */
    EXPECT_EQ(cmos_read(0x00), 0x37);
    rtc_set_clock(rtc, RTC_CLOCK_RT);
    rtc_vm_state(rtc, false, host);
    rtc_vm_state(rtc, true, host + 5 * NS_PER_SEC);
    EXPECT_EQ(rtc_get_time(rtc), T0 + 95);
    rtc_set_clock(rtc, RTC_CLOCK_VM);
    rtc_vm_state(rtc, false, host);
    rtc_vm_state(rtc, true, host + 600 * NS_PER_SEC);
    EXPECT_EQ(rtc_get_time(rtc), T0 + 95);
    /* A resume without a pause changes nothing. */
    rtc_set_clock(rtc, RTC_CLOCK_HOST);
    rtc_vm_state(rtc, true, host + 700 * NS_PER_SEC);
    EXPECT_EQ(rtc_get_time(rtc), T0 + 95);
}

TEST_MAIN()
