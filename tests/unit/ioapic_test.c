/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ioapic_test.c - the I/O APIC through its MMIO window, delivering to a
 * local APIC on the APIC bus: ID/version, redirection entries (read-only
 * status bits, bounds), masking, edge pins (rising edge only, kept while
 * masked), level pins with Remote IRR until the EOI (from the local
 * APIC's EOI broadcast and from the EOI register), physical and logical
 * destinations. */
#include "emu/osdep.h"

#include "emu/hw/apic.h"
#include "emu/hw/ioapic.h"
#include "emu/hw/isa.h"
#include "emu/loop/loop.h"
#include "tests/unit/test.h"

static struct apic_bus bus;
static struct apic *lapic[2];
static struct ioapic *io;
static int intr[2];

static void set_intr(void *opaque, int level)
{
    intr[(intptr_t)opaque] = level;
}

static void nop(void *opaque)
{
}

static void nop_sipi(void *opaque, uint8_t v)
{
}

static const struct apic_cpu_ops ops = { set_intr, nop, nop, nop_sipi };

static uint32_t io_read(unsigned reg)
{
    io->mr.ops->write(io, IOAPIC_IOREGSEL, reg, 4);
    return io->mr.ops->read(io, IOAPIC_IOWIN, 4);
}

static void io_write(unsigned reg, uint32_t v)
{
    io->mr.ops->write(io, IOAPIC_IOREGSEL, reg, 4);
    io->mr.ops->write(io, IOAPIC_IOWIN, v, 4);
}

static void set_rte(int pin, uint64_t e)
{
    io_write(IOAPIC_REG_REDTBL + 2 * pin + 1, e >> 32);
    io_write(IOAPIC_REG_REDTBL + 2 * pin, (uint32_t)e);
}

static bool irr(int cpu, int vec)
{
    return apic_mmio_read(lapic[cpu], 0x200 + (vec / 32) * 16) &
           (1u << (vec % 32));
}

static void setup(void)
{
    if (!io) {
        loop_init();
        isa_time_set_manual(true);
        apic_bus_init(&bus);
        for (intptr_t i = 0; i < 2; i++) {
            lapic[i] = apic_create(&bus, i, &ops, (void *)i);
        }
        io = ioapic_create(&bus);
        bus.eoi = ioapic_eoi;
        bus.eoi_opaque = io;
    }
    ioapic_reset(io);
    for (int i = 0; i < 2; i++) {
        apic_reset(lapic[i]);
        apic_mmio_write(lapic[i], 0xf0, 0x1ff);     /* SVR: enable */
    }
    for (int n = 0; n < IOAPIC_NUM_PINS; n++) {
        ioapic_set_irq(io, n, 0);
    }
}

/* Take the interrupt on cpu and return its vector. */
static int ack(int cpu)
{
    return apic_irq_ack(lapic[cpu]);
}

TEST(id_version_and_table)
{
    setup();
    EXPECT_EQ(io_read(IOAPIC_REG_VER), 0x00170020);
    io_write(IOAPIC_REG_ID, 0x0a000000);
    EXPECT_EQ(io_read(IOAPIC_REG_ID), 0x0a000000);
    /* Every pin starts masked. */
    for (int n = 0; n < IOAPIC_NUM_PINS; n++) {
        EXPECT_EQ(io_read(IOAPIC_REG_REDTBL + 2 * n), IOAPIC_RTE_MASKED);
    }
    /* Delivery status and Remote IRR are read-only. */
    set_rte(3, 0x0300000000000000ULL | IOAPIC_RTE_MASKED |
               IOAPIC_RTE_REMOTE_IRR | IOAPIC_RTE_DELIVS | 0x8e5);
    EXPECT_EQ(io_read(IOAPIC_REG_REDTBL + 6), IOAPIC_RTE_MASKED | 0x8e5);
    EXPECT_EQ(io_read(IOAPIC_REG_REDTBL + 7), 0x03000000);
    /* Past the table: all ones, and writes go nowhere. */
    io_write(IOAPIC_REG_REDTBL + 48, 0);
    EXPECT_EQ(io_read(IOAPIC_REG_REDTBL + 48), 0xffffffffu);
    EXPECT_EQ(io_read(0xff), 0xffffffffu);
}

TEST(edge_pin_delivers_on_rising_edge)
{
    setup();
    set_rte(2, 0x30);       /* edge, fixed, physical dest 0, vector 0x30 */
    ioapic_set_irq(io, 2, 1);
    EXPECT(irr(0, 0x30));
    EXPECT_EQ(intr[0], 1);
    EXPECT_EQ(ack(0), 0x30);
    EXPECT_EQ(intr[0], 0);
    /* Held high: no second interrupt. */
    ioapic_set_irq(io, 2, 1);
    EXPECT(!irr(0, 0x30));
    apic_mmio_write(lapic[0], 0xb0, 0);
    ioapic_set_irq(io, 2, 0);
    ioapic_set_irq(io, 2, 1);
    EXPECT(irr(0, 0x30));
    EXPECT_EQ(ack(0), 0x30);
    apic_mmio_write(lapic[0], 0xb0, 0);
    /* An edge while masked is delivered at unmask. */
    ioapic_set_irq(io, 2, 0);
    set_rte(2, IOAPIC_RTE_MASKED | 0x30);
    ioapic_set_irq(io, 2, 1);
    EXPECT(!irr(0, 0x30));
    set_rte(2, 0x30);
    EXPECT(irr(0, 0x30));
}

TEST(level_pin_remote_irr_and_eoi)
{
    setup();
    set_rte(9, IOAPIC_RTE_LEVEL | 0x41);
    ioapic_set_irq(io, 9, 1);
    EXPECT(irr(0, 0x41));
    EXPECT(io_read(IOAPIC_REG_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR);
    EXPECT_EQ(ack(0), 0x41);
    /* The vector is level-triggered in the local APIC's TMR. */
    EXPECT(apic_mmio_read(lapic[0], 0x180 + 2 * 16) & (1u << 1));
    /* Still asserted at EOI: delivered again. */
    apic_mmio_write(lapic[0], 0xb0, 0);
    EXPECT(irr(0, 0x41));
    EXPECT_EQ(ack(0), 0x41);
    /* Deasserted before the EOI: Remote IRR clears, nothing more. */
    ioapic_set_irq(io, 9, 0);
    apic_mmio_write(lapic[0], 0xb0, 0);
    EXPECT(!irr(0, 0x41));
    EXPECT_EQ(io_read(IOAPIC_REG_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR, 0);
    /* The EOI register clears Remote IRR by vector too. */
    ioapic_set_irq(io, 9, 1);
    EXPECT_EQ(ack(0), 0x41);
    ioapic_set_irq(io, 9, 0);
    io->mr.ops->write(io, IOAPIC_EOI, 0x41, 4);
    EXPECT_EQ(io_read(IOAPIC_REG_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR, 0);
    /* Masked level pins wait; unmasking delivers. */
    set_rte(9, IOAPIC_RTE_MASKED | IOAPIC_RTE_LEVEL | 0x41);
    ioapic_set_irq(io, 9, 1);
    EXPECT_EQ(io_read(IOAPIC_REG_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR, 0);
    set_rte(9, IOAPIC_RTE_LEVEL | 0x41);
    EXPECT(io_read(IOAPIC_REG_REDTBL + 18) & IOAPIC_RTE_REMOTE_IRR);
}

TEST(destinations)
{
    setup();
    /* Physical APIC ID 1. */
    set_rte(4, (1ULL << 56) | 0x50);
    ioapic_set_irq(io, 4, 1);
    EXPECT(!irr(0, 0x50));
    EXPECT(irr(1, 0x50));
    /* Logical flat: LDR bit 1 on CPU 0 only. */
    apic_mmio_write(lapic[0], 0xd0, 0x02000000);
    apic_mmio_write(lapic[1], 0xd0, 0x01000000);
    set_rte(5, (2ULL << 56) | (1u << 11) | 0x51);
    ioapic_set_irq(io, 5, 1);
    EXPECT(irr(0, 0x51));
    EXPECT(!irr(1, 0x51));
    /* Broadcast 0xff reaches both. */
    set_rte(6, (0xffULL << 56) | 0x52);
    ioapic_set_irq(io, 6, 1);
    EXPECT(irr(0, 0x52));
    EXPECT(irr(1, 0x52));
    /* Bad pin numbers are ignored. */
    ioapic_set_irq(io, 24, 1);
    ioapic_set_irq(io, -1, 1);
}

TEST_MAIN()
