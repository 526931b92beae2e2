/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hpet_test.c - the HPET through its MMIO registers on a manual guest
 * clock: capabilities, the counter running at 100 MHz only while enabled
 * and writable while halted, one-shot and periodic comparators (with the
 * SETVAL sequence Linux uses), 32-bit mode wrap, edge and level
 * interrupts with the status register, routing to GSIs and legacy
 * replacement (timer 0 on IRQ0, timer 1 on IRQ8). */
#include "emu/osdep.h"

#include "emu/hw/hpet.h"
#include "emu/hw/isa.h"
#include "emu/loop/loop.h"
#include "tests/unit/test.h"

static struct hpet *h;
static int level[24], edges[24];

static void set_irq(void *opaque, int gsi, int l)
{
    if (gsi < 0 || gsi >= 24) {
        return;
    }
    if (l && !level[gsi]) {
        edges[gsi]++;
    }
    level[gsi] = l;
}

static uint64_t rd(unsigned off)
{
    return h->mr.ops->read(h, off, 8);
}

static uint32_t rd32(unsigned off)
{
    return (uint32_t)h->mr.ops->read(h, off, 4);
}

static void wr(unsigned off, uint64_t v)
{
    h->mr.ops->write(h, off, v, 8);
}

static void wr32(unsigned off, uint32_t v)
{
    h->mr.ops->write(h, off, v, 4);
}

static void setup(void)
{
    if (!h) {
        loop_init();
        isa_time_set_manual(true);
        h = hpet_create(set_irq, NULL);
    }
    hpet_reset(h);
    memset(level, 0, sizeof(level));
    memset(edges, 0, sizeof(edges));
}

TEST(capabilities)
{
    setup();
    uint64_t cap = rd(HPET_CAP);
    EXPECT_EQ(cap >> 32, HPET_PERIOD_FS);
    EXPECT_EQ((cap >> 8) & 0x1f, HPET_NUM_TIMERS - 1);
    EXPECT(cap & (1u << 15));       /* legacy replacement capable */
    EXPECT(cap & (1u << 13));       /* 64-bit counter */
    EXPECT_EQ(cap & 0xff, 1);
    EXPECT_EQ(rd32(HPET_CAP + 4), HPET_PERIOD_FS);
    /* Timer 0 periodic-capable, all 64-bit; routes 2, 8, 16-23. */
    EXPECT(rd(HPET_TN_CFG(0)) & HPET_TN_PERIODIC_CAP);
    EXPECT(!(rd(HPET_TN_CFG(1)) & HPET_TN_PERIODIC_CAP));
    EXPECT_EQ(rd32(HPET_TN_CFG(2) + 4), 0x00ff0104);
}

TEST(counter_runs_while_enabled)
{
    setup();
    isa_time_step(1000);
    EXPECT_EQ(rd(HPET_COUNTER), 0);
    /* Written while halted. */
    wr(HPET_COUNTER, 0x100000000ULL);
    wr32(HPET_COUNTER, 5);
    EXPECT_EQ(rd(HPET_COUNTER), 0x100000005ULL);
    wr(HPET_CFG, HPET_CFG_ENABLE);
    isa_time_step(1000);            /* 100 ticks of 10 ns */
    EXPECT_EQ(rd(HPET_COUNTER), 0x100000005ULL + 100);
    EXPECT_EQ(rd32(HPET_COUNTER + 4), 1);
    wr(HPET_CFG, 0);
    isa_time_step(1000);
    EXPECT_EQ(rd(HPET_COUNTER), 0x100000005ULL + 100);
}

TEST(one_shot_edge_routed)
{
    setup();
    wr(HPET_TN_CFG(2), HPET_TN_ENABLE | (17u << HPET_TN_ROUTE_SHIFT));
    EXPECT_EQ((rd(HPET_TN_CFG(2)) >> HPET_TN_ROUTE_SHIFT) & 0x1f, 17);
    wr(HPET_TN_CMP(2), 50);
    wr(HPET_CFG, HPET_CFG_ENABLE);
    isa_time_step(490);
    EXPECT_EQ(edges[17], 0);
    isa_time_step(10);
    EXPECT_EQ(edges[17], 1);
    EXPECT_EQ(level[17], 0);        /* a pulse */
    /* One-shot 64-bit: never again. */
    isa_time_step(1000000);
    EXPECT_EQ(edges[17], 1);
    /* A route outside the capability goes nowhere. */
    wr(HPET_TN_CFG(2), HPET_TN_ENABLE | (3u << HPET_TN_ROUTE_SHIFT));
    wr(HPET_TN_CMP(2), rd(HPET_COUNTER) + 10);
    isa_time_step(200);
    EXPECT_EQ(edges[3], 0);
}

TEST(periodic_with_setval)
{
    setup();
    wr(HPET_CFG, HPET_CFG_ENABLE);
    /* Linux's sequence: config with SETVAL, comparator = now + delta,
     * then delta alone sets the period. */
    wr(HPET_TN_CFG(0), HPET_TN_ENABLE | HPET_TN_PERIODIC | HPET_TN_SETVAL |
                       (2u << HPET_TN_ROUTE_SHIFT));
    uint64_t now = rd(HPET_COUNTER);
    wr(HPET_TN_CMP(0), now + 100);
    wr(HPET_TN_CMP(0), 100);
    EXPECT_EQ(rd(HPET_TN_CFG(0)) & HPET_TN_SETVAL, 0);
    EXPECT_EQ(rd(HPET_TN_CMP(0)), now + 100);
    for (int i = 1; i <= 5; i++) {
        isa_time_step(1000);
        EXPECT_EQ(edges[2], i);
    }
    EXPECT_EQ(rd(HPET_TN_CMP(0)), now + 600);
    /* Periodic is only for timer 0. */
    wr(HPET_TN_CFG(1), HPET_TN_PERIODIC);
    EXPECT_EQ(rd(HPET_TN_CFG(1)) & HPET_TN_PERIODIC, 0);
}

TEST(level_interrupt_and_status)
{
    setup();
    wr(HPET_CFG, HPET_CFG_ENABLE);
    wr(HPET_TN_CFG(1), HPET_TN_ENABLE | HPET_TN_LEVEL |
                       (20u << HPET_TN_ROUTE_SHIFT));
    wr(HPET_TN_CMP(1), rd(HPET_COUNTER) + 10);
    isa_time_step(100);
    EXPECT_EQ(level[20], 1);
    EXPECT_EQ(rd(HPET_STATUS), 2);
    /* Writing 0 does nothing; 1 clears and drops the line. */
    wr(HPET_STATUS, 0);
    EXPECT_EQ(level[20], 1);
    wr(HPET_STATUS, 2);
    EXPECT_EQ(level[20], 0);
    EXPECT_EQ(rd(HPET_STATUS), 0);
}

TEST(thirty_two_bit_mode_wraps)
{
    setup();
    wr(HPET_COUNTER, 0xfffffff0ULL);
    wr(HPET_TN_CFG(2), HPET_TN_ENABLE | HPET_TN_32BIT |
                       (16u << HPET_TN_ROUTE_SHIFT));
    /* The upper half of the comparator is dropped. */
    wr(HPET_TN_CMP(2), 0x500000005ULL);
    EXPECT_EQ(rd(HPET_TN_CMP(2)), 5);
    wr(HPET_CFG, HPET_CFG_ENABLE);
    isa_time_step(200);             /* 0xfffffff0 + 20 ticks wraps to 4 */
    EXPECT_EQ(edges[16], 0);
    isa_time_step(10);
    EXPECT_EQ(edges[16], 1);
}

TEST(legacy_replacement)
{
    setup();
    EXPECT(!hpet_legacy(h));
    wr(HPET_CFG, HPET_CFG_ENABLE | HPET_CFG_LEGACY);
    EXPECT(hpet_legacy(h));
    /* Routes are overridden: timer 0 to IRQ0, timer 1 to IRQ8. */
    wr(HPET_TN_CFG(0), HPET_TN_ENABLE | (20u << HPET_TN_ROUTE_SHIFT));
    wr(HPET_TN_CFG(1), HPET_TN_ENABLE | (21u << HPET_TN_ROUTE_SHIFT));
    uint64_t now = rd(HPET_COUNTER);
    wr(HPET_TN_CMP(0), now + 10);
    wr(HPET_TN_CMP(1), now + 20);
    isa_time_step(300);
    EXPECT_EQ(edges[0], 1);
    EXPECT_EQ(edges[8], 1);
    EXPECT_EQ(edges[20] + edges[21], 0);
    /* Out of legacy mode, timer 0 goes to its own route again. */
    wr(HPET_CFG, HPET_CFG_ENABLE);
    wr(HPET_TN_CMP(0), rd(HPET_COUNTER) + 10);
    isa_time_step(300);
    EXPECT_EQ(edges[20], 1);
    EXPECT_EQ(edges[0], 1);
}

TEST_MAIN()
