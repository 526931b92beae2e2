/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apic_test.c - local APICs on an APIC bus, through their registers and
 * a manual guest clock: reset state, software enable, TPR/PPR and
 * priority classes, ISR nesting and EOI, illegal vectors and the ESR,
 * LINT0 in ExtINT mode carrying the PIC, the timer in one-shot, periodic
 * and TSC-deadline modes with the divider, IPIs (fixed, NMI, INIT, SIPI,
 * shorthands, lowest priority), the APIC base MSR (enable, BSP bit,
 * reserved bits, relocation), INIT resetting the target's registers, and
 * the shared MMIO window answering for the current CPU. */
#include "emu/osdep.h"

#include "emu/hw/apic.h"
#include "emu/hw/isa.h"
#include "emu/loop/loop.h"
#include "tests/unit/test.h"

static struct apic_bus bus;
static struct apic *lapic[3];
static int intr[3], nmis[3], inits[3], sipis[3], sipi_vec[3];
static int cur;             /* the "current CPU" for the MMIO window */
static int pic_vector = -1;

static void set_intr(void *opaque, int level)
{
    intr[(intptr_t)opaque] = level;
}

static void on_nmi(void *opaque)
{
    nmis[(intptr_t)opaque]++;
}

static void on_init(void *opaque)
{
    inits[(intptr_t)opaque]++;
}

static void on_sipi(void *opaque, uint8_t v)
{
    sipis[(intptr_t)opaque]++;
    sipi_vec[(intptr_t)opaque] = v;
}

static const struct apic_cpu_ops ops = { set_intr, on_nmi, on_init, on_sipi };

static int current(void *opaque)
{
    return cur;
}

static int pic_ack(void *opaque)
{
    return pic_vector;
}

enum {
    ID = 0x20, VER = 0x30, TPR = 0x80, PPR = 0xa0, EOI = 0xb0, LDR = 0xd0,
    DFR = 0xe0, SVR = 0xf0, ISR = 0x100, IRR = 0x200, ESR = 0x280,
    ICR_LO = 0x300, ICR_HI = 0x310, LVT_TIMER = 0x320, LVT_LINT0 = 0x350,
    LVT_ERROR = 0x370, TMICT = 0x380, TMCCT = 0x390, TDCR = 0x3e0,
};

static uint32_t rd(int cpu, unsigned off)
{
    return apic_mmio_read(lapic[cpu], off);
}

static void wr(int cpu, unsigned off, uint32_t v)
{
    apic_mmio_write(lapic[cpu], off, v);
}

static bool in(int cpu, unsigned base, int vec)
{
    return rd(cpu, base + (vec / 32) * 16) & (1u << (vec % 32));
}

static void setup(void)
{
    if (!bus.n) {
        loop_init();
        isa_time_set_manual(true);
        apic_bus_init(&bus);
        for (intptr_t i = 0; i < 3; i++) {
            lapic[i] = apic_create(&bus, i, &ops, (void *)i);
        }
        bus.current = current;
        bus.extint_ack = pic_ack;
    }
    for (int i = 0; i < 3; i++) {
        apic_reset(lapic[i]);
        nmis[i] = inits[i] = sipis[i] = 0;
    }
    for (int i = 0; i < 3; i++) {
        apic_set_lint(lapic[i], 0, 0);
    }
    pic_vector = -1;
}

static void enable(int cpu)
{
    wr(cpu, SVR, 0x1ff);
}

/* A fixed IPI from cpu 0 to physical dest. */
static void ipi(int from, uint8_t dest, uint32_t lo)
{
    wr(from, ICR_HI, (uint32_t)dest << 24);
    wr(from, ICR_LO, lo);
}

TEST(reset_state)
{
    setup();
    EXPECT_EQ(rd(1, ID), 1u << 24);
    EXPECT_EQ(rd(0, VER), 0x00050014);
    EXPECT_EQ(rd(0, SVR), 0xff);
    EXPECT_EQ(rd(0, DFR), 0xffffffffu);
    EXPECT_EQ(rd(0, LVT_TIMER), 1u << 16);
    /* The BSP's LINT0 is in ExtINT, unmasked; the APs' are masked. */
    EXPECT_EQ(rd(0, LVT_LINT0), 0x700);
    EXPECT_EQ(rd(1, LVT_LINT0), 1u << 16);
    EXPECT_EQ(apic_get_base(lapic[0]), 0xfee00900ULL);
    EXPECT_EQ(apic_get_base(lapic[1]), 0xfee00800ULL);
}

TEST(extint_passes_the_pic_through)
{
    setup();
    pic_vector = 0x08;
    apic_set_lint(lapic[0], 0, 1);
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x08);
    apic_set_lint(lapic[0], 0, 0);
    EXPECT_EQ(intr[0], 0);
    /* Masked LINT0 blocks it, unless the APIC is off in the MSR. */
    enable(0);
    wr(0, LVT_LINT0, 0x10700);
    apic_set_lint(lapic[0], 0, 1);
    EXPECT_EQ(intr[0], 0);
    apic_set_base(lapic[0], 0xfee00000);
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x08);
}

TEST(priority_isr_and_eoi)
{
    setup();
    /* Software-disabled: fixed interrupts are not signalled. */
    ipi(0, 0, 0x45);
    EXPECT_EQ(intr[0], 0);
    enable(0);
    EXPECT_EQ(intr[0], 1);
    ipi(0, 0, 0x61);
    /* Highest first. */
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x61);
    EXPECT(in(0, ISR, 0x61));
    EXPECT_EQ(rd(0, PPR), 0x60);
    /* 0x45 is of a lower class than the one in service: held. */
    EXPECT_EQ(intr[0], 0);
    ipi(0, 0, 0x72);
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x72);
    wr(0, EOI, 0);                  /* ends 0x72 */
    EXPECT(!in(0, ISR, 0x72));
    EXPECT(in(0, ISR, 0x61));
    wr(0, EOI, 0);
    EXPECT_EQ(intr[0], 1);
    /* TPR holds back classes at or below it. */
    wr(0, TPR, 0x40);
    EXPECT_EQ(intr[0], 0);
    EXPECT_EQ(rd(0, PPR), 0x40);
    wr(0, TPR, 0x30);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x45);
    wr(0, EOI, 0);
    /* Nothing left: the acknowledge finds nothing. */
    EXPECT_EQ(apic_irq_ack(lapic[0]), -1);
}

TEST(illegal_vector_and_esr)
{
    setup();
    enable(0);
    ipi(0, 0, 0x05);
    EXPECT_EQ(intr[0], 0);
    EXPECT_EQ(rd(0, ESR), 0);       /* latched by the next write */
    wr(0, ESR, 0);
    EXPECT_EQ(rd(0, ESR), 1u << 5);
    wr(0, ESR, 0);
    EXPECT_EQ(rd(0, ESR), 0);
}

TEST(timer_one_shot_and_periodic)
{
    setup();
    enable(0);
    wr(0, TDCR, 0x3);               /* divide by 16 */
    wr(0, LVT_TIMER, 0x30);         /* one-shot, vector 0x30 */
    wr(0, TMICT, 1000);             /* 16 us */
    isa_time_step(8000);
    EXPECT_EQ(rd(0, TMCCT), 500);
    EXPECT_EQ(intr[0], 0);
    isa_time_step(8000);
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(rd(0, TMCCT), 0);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x30);
    wr(0, EOI, 0);
    isa_time_step(100000);
    EXPECT_EQ(intr[0], 0);
    /* Periodic, divide by 1: every 100 ns. */
    wr(0, TDCR, 0xb);
    wr(0, LVT_TIMER, (1u << 17) | 0x31);
    wr(0, TMICT, 100);
    int fired = 0;
    for (int i = 0; i < 10; i++) {
        isa_time_step(100);
        if (intr[0]) {
            fired++;
            EXPECT_EQ(apic_irq_ack(lapic[0]), 0x31);
            wr(0, EOI, 0);
        }
    }
    EXPECT_EQ(fired, 10);
    /* Masked: the count runs, nothing is delivered. */
    wr(0, LVT_TIMER, (1u << 17) | (1u << 16) | 0x31);
    isa_time_step(1000);
    EXPECT_EQ(intr[0], 0);
    /* Writing 0 stops it. */
    wr(0, TMICT, 0);
    EXPECT_EQ(rd(0, TMCCT), 0);
}

/* Linux loads ~1 us one-shot counts; a host thread preempted between
 * loading the count and arming the timer must not lose the interrupt,
 * nor may a divider change after the count ran out. */
TEST(timer_short_one_shot_on_a_slow_host)
{
    setup();
    enable(0);
    wr(0, TDCR, 0x3);               /* divide by 16 */
    wr(0, LVT_TIMER, 0x33);
    isa_time_set_read_step(5000);   /* each clock read: 5 us later */
    wr(0, TMICT, 0x3e);             /* 992 ns */
    isa_time_set_read_step(0);
    isa_time_step(5000);
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x33);
    wr(0, EOI, 0);
    /* Fired once only: a divider change afterwards fires nothing. */
    wr(0, TDCR, 0xb);
    isa_time_step(5000);
    EXPECT_EQ(intr[0], 0);
    /* A divider change with the timer still pending but its count run
     * out (the clock moved on between the reads): it fires now. */
    wr(0, TDCR, 0x3);
    isa_time_set_read_step(5000);
    wr(0, TMICT, 0x3e);
    wr(0, TDCR, 0xb);
    isa_time_set_read_step(0);
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x33);
    wr(0, EOI, 0);
    isa_time_step(10000);
    EXPECT_EQ(intr[0], 0);
}

TEST(timer_tsc_deadline)
{
    setup();
    enable(0);
    wr(0, LVT_TIMER, (2u << 17) | 0x32);
    /* TMICT is ignored in this mode. */
    wr(0, TMICT, 5);
    EXPECT_EQ(rd(0, TMICT), 0);
    int64_t now = isa_time_ns();
    apic_set_tsc_deadline(lapic[0], now + 5000);
    isa_time_step(4999);
    EXPECT_EQ(intr[0], 0);
    isa_time_step(1);
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x32);
    wr(0, EOI, 0);
    /* A deadline in the past fires at once; 0 disarms. */
    apic_set_tsc_deadline(lapic[0], 1);
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(apic_irq_ack(lapic[0]), 0x32);
    wr(0, EOI, 0);
    apic_set_tsc_deadline(lapic[0], isa_time_ns() + 100);
    apic_set_tsc_deadline(lapic[0], 0);
    isa_time_step(1000);
    EXPECT_EQ(intr[0], 0);
}

TEST(ipis_and_shorthands)
{
    setup();
    for (int i = 0; i < 3; i++) {
        enable(i);
    }
    /* Self. */
    wr(1, ICR_LO, (1u << 18) | 0x40);
    EXPECT(in(1, IRR, 0x40));
    EXPECT(!in(0, IRR, 0x40));
    /* All excluding self. */
    wr(1, ICR_LO, (3u << 18) | 0x41);
    EXPECT(in(0, IRR, 0x41) && in(2, IRR, 0x41) && !in(1, IRR, 0x41));
    /* All including self. */
    wr(2, ICR_LO, (2u << 18) | 0x42);
    EXPECT(in(0, IRR, 0x42) && in(1, IRR, 0x42) && in(2, IRR, 0x42));
    /* NMI, INIT (assert), SIPI with its vector. */
    ipi(0, 2, APIC_DM_NMI << 8);
    EXPECT_EQ(nmis[2], 1);
    ipi(0, 1, (APIC_DM_INIT << 8) | (1u << 14));
    EXPECT_EQ(inits[1], 1);
    /* INIT level de-assert does nothing. */
    ipi(0, 1, (APIC_DM_INIT << 8) | (1u << 15));
    EXPECT_EQ(inits[1], 1);
    ipi(0, 1, (APIC_DM_SIPI << 8) | 0x9a);
    EXPECT_EQ(sipis[1], 1);
    EXPECT_EQ(sipi_vec[1], 0x9a);
    /* The ICR reads back idle. */
    EXPECT_EQ(rd(0, ICR_LO) & (1u << 12), 0);
    /* Lowest priority among a logical group: the lowest TPR wins. */
    wr(1, LDR, 0x01000000);
    wr(2, LDR, 0x02000000);
    wr(1, TPR, 0x20);
    wr(2, TPR, 0x10);
    ipi(0, 0x03, (1u << 11) | (APIC_DM_LOWEST << 8) | 0x55);
    EXPECT(in(2, IRR, 0x55) && !in(1, IRR, 0x55));
    /* Cluster model: cluster 1, member bit 0. */
    wr(1, DFR, 0x0fffffff);
    wr(1, LDR, 0x11000000);
    ipi(0, 0x11, (1u << 11) | 0x56);
    EXPECT(in(1, IRR, 0x56));
    ipi(0, 0x21, (1u << 11) | 0x57);
    EXPECT(!in(1, IRR, 0x57));
}

TEST(mmio_window_is_per_cpu)
{
    setup();
    const struct mem_ops *o = bus.mr.ops;
    cur = 1;
    EXPECT_EQ(o->read(&bus, ID, 4), 1u << 24);
    o->write(&bus, TPR, 0x20, 4);
    EXPECT_EQ(rd(1, TPR), 0x20);
    EXPECT_EQ(rd(0, TPR), 0);
    cur = 0;
    EXPECT_EQ(o->read(&bus, ID, 4), 0);
    /* A byte read sees part of the register; unaligned writes are lost. */
    cur = 1;
    EXPECT_EQ(o->read(&bus, ID + 3, 1), 1);
    o->write(&bus, TPR + 4, 0x30, 4);
    EXPECT_EQ(rd(1, TPR), 0x20);
    /* With the APIC off in the MSR the window reads nothing. */
    apic_set_base(lapic[1], 0xfee00000);
    EXPECT_EQ(o->read(&bus, ID, 4), 0);
    cur = 7;        /* no such CPU */
    EXPECT_EQ(o->read(&bus, ID, 4), 0);
    cur = 0;
}

TEST(base_msr_bits_and_relocation)
{
    setup();
    const struct mem_ops *o = bus.mr.ops;
    /* Reserved: bits 0-7, 9, 10 (x2APIC) and above 40 physical bits. */
    EXPECT(!apic_set_base(lapic[1], 0xfee00801ULL));
    EXPECT(!apic_set_base(lapic[1], 0xfee00c00ULL));
    EXPECT(!apic_set_base(lapic[1], (1ULL << 40) | 0xfee00800ULL));
    EXPECT_EQ(apic_get_base(lapic[1]), 0xfee00800ULL);
    /* The BSP bit is read-only both ways. */
    EXPECT(apic_set_base(lapic[1], 0xfee00900ULL));
    EXPECT_EQ(apic_get_base(lapic[1]), 0xfee00800ULL);
    EXPECT(apic_set_base(lapic[0], 0xfee00800ULL));
    EXPECT_EQ(apic_get_base(lapic[0]), 0xfee00900ULL);
    /* Moved away, the APIC no longer answers in the default window (the
     * machine routes its new window to it) but keeps working. */
    EXPECT(apic_set_base(lapic[1], 0xfed00800ULL));
    EXPECT_EQ(apic_get_base(lapic[1]), 0xfed00800ULL);
    cur = 1;
    EXPECT_EQ(o->read(&bus, ID, 4), 0);
    EXPECT_EQ(apic_access_read(lapic[1], ID, 4), 1u << 24);
    cur = 0;
    EXPECT_EQ(o->read(&bus, ID, 4), 0);
    EXPECT_EQ(apic_access_read(lapic[0], ID, 4), 0);
}

TEST(init_resets_the_target_but_keeps_id)
{
    setup();
    enable(0);
    enable(1);
    wr(1, ID, 5u << 24);
    wr(1, TPR, 0x30);
    wr(1, LVT_TIMER, 0x20031);
    ipi(0, 5, (APIC_DM_INIT << 8) | (1u << 14));
    EXPECT_EQ(inits[1], 1);
    EXPECT_EQ(rd(1, ID), 5u << 24);
    EXPECT_EQ(rd(1, TPR), 0);
    EXPECT_EQ(rd(1, SVR), 0xff);
    EXPECT_EQ(rd(1, LVT_TIMER), 1u << 16);
    EXPECT_EQ(apic_get_base(lapic[1]), 0xfee00800ULL);
}

TEST_MAIN()
