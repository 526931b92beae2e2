/* SPDX-License-Identifier: GPL-2.0-or-later */
/* i8259_test.c - the 8259A pair through its ports: initialisation, masking,
 * priorities and rotation, cascade, auto-EOI, special mask, poll mode,
 * ELCR level mode and spurious IRQ7/15. */
#include "emu/osdep.h"

#include "emu/hw/dev.h"
#include "emu/hw/i8259.h"
#include "emu/hw/isa.h"
#include "emu/mem/mem.h"
#include "tests/unit/test.h"

static struct isa_bus bus;
static struct i8259 *pic;
static int intr_level, intr_edges;

static void intr_handler(void *opaque, int n, int level)
{
    if (level && !intr_level) {
        intr_edges++;
    }
    intr_level = level;
}

static void outb(uint16_t port, uint8_t v)
{
    as_write(bus.io, port, v, 1);
}

static uint8_t inb(uint16_t port)
{
    return as_read(bus.io, port, 1);
}

/* The PC BIOS programming: vectors 0x08 and 0x70, cascade on IR2. */
static void setup(uint8_t icw4)
{
    if (bus.io) {
        as_free(bus.io);
    }
    memset(&bus, 0, sizeof(bus));
    bus.io = as_new("io", 0x10000, ~0ULL);
    struct irq_line intr = { intr_handler, NULL, 0 };
    intr_level = intr_edges = 0;
    pic = i8259_create(&bus, &intr, NULL);
    outb(0x20, 0x11);
    outb(0x21, 0x08);
    outb(0x21, 0x04);
    outb(0x21, icw4);
    outb(0xa0, 0x11);
    outb(0xa1, 0x70);
    outb(0xa1, 0x02);
    outb(0xa1, icw4);
    outb(0x21, 0x00);
    outb(0xa1, 0x00);
}

static uint8_t read_isr(uint16_t base)
{
    outb(base, 0x0b);
    uint8_t v = inb(base);
    outb(base, 0x0a);
    return v;
}

TEST(init_and_single_irq)
{
    setup(0x01);
    EXPECT(pic != NULL);
    EXPECT_EQ(intr_level, 0);
    irq_raise(&bus.irq[1]);
    EXPECT_EQ(intr_level, 1);
    EXPECT_EQ(inb(0x20), 0x02);     /* IRR by default */
    EXPECT_EQ(i8259_inta(pic), 0x09);
    EXPECT_EQ(intr_level, 0);
    EXPECT_EQ(read_isr(0x20), 0x02);
    EXPECT_EQ(inb(0x20), 0x00);     /* edge: IRR cleared by INTA */
    irq_lower(&bus.irq[1]);
    outb(0x20, 0x20);               /* non-specific EOI */
    EXPECT_EQ(read_isr(0x20), 0x00);
    EXPECT_EQ(intr_level, 0);
}

TEST(edge_needs_new_rising_edge)
{
    setup(0x01);
    irq_raise(&bus.irq[3]);
    EXPECT_EQ(i8259_inta(pic), 0x0b);
    outb(0x20, 0x20);
    irq_raise(&bus.irq[3]);         /* still high: no new request */
    EXPECT_EQ(intr_level, 0);
    irq_lower(&bus.irq[3]);
    irq_raise(&bus.irq[3]);
    EXPECT_EQ(intr_level, 1);
    EXPECT_EQ(i8259_inta(pic), 0x0b);
    outb(0x20, 0x20);
    irq_lower(&bus.irq[3]);
    irq_pulse(&bus.irq[3]);         /* a pulse is latched in IRR */
    EXPECT_EQ(intr_level, 1);
}

TEST(masking)
{
    setup(0x01);
    outb(0x21, 0x10);
    EXPECT_EQ(inb(0x21), 0x10);
    /* A word read covers both chips' ports... */
    EXPECT_EQ(as_read(bus.io, 0xa1, 2), 0xff00);   /* 0xa2 is empty */
    irq_raise(&bus.irq[4]);
    EXPECT_EQ(intr_level, 0);
    EXPECT_EQ(inb(0x20), 0x10);     /* requested but masked */
    outb(0x21, 0x00);
    EXPECT_EQ(intr_level, 1);
    EXPECT_EQ(i8259_inta(pic), 0x0c);
}

TEST(priorities_and_nesting)
{
    setup(0x01);
    irq_raise(&bus.irq[3]);
    irq_raise(&bus.irq[1]);
    EXPECT_EQ(i8259_inta(pic), 0x09);
    /* IRQ1 in service blocks IRQ3 ... */
    EXPECT_EQ(intr_level, 0);
    /* ... but not IRQ0 */
    irq_raise(&bus.irq[0]);
    EXPECT_EQ(intr_level, 1);
    EXPECT_EQ(i8259_inta(pic), 0x08);
    EXPECT_EQ(read_isr(0x20), 0x03);
    outb(0x20, 0x20);               /* ends IRQ0, the highest */
    EXPECT_EQ(read_isr(0x20), 0x02);
    EXPECT_EQ(intr_level, 0);
    outb(0x20, 0x61);               /* specific EOI for IRQ1 */
    EXPECT_EQ(intr_level, 1);
    EXPECT_EQ(i8259_inta(pic), 0x0b);
}

TEST(cascade_through_irq2)
{
    setup(0x01);
    irq_raise(&bus.irq[10]);
    EXPECT_EQ(intr_level, 1);
    EXPECT_EQ(i8259_inta(pic), 0x72);
    EXPECT_EQ(read_isr(0x20), 0x04);
    EXPECT_EQ(read_isr(0xa0), 0x04);
    /* While the slave is in service, master IRQ3 (lower) waits. */
    irq_raise(&bus.irq[3]);
    EXPECT_EQ(intr_level, 0);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    EXPECT_EQ(intr_level, 1);
    EXPECT_EQ(i8259_inta(pic), 0x0b);
    /* Slave masks apply on the slave. */
    outb(0x20, 0x20);
    outb(0xa1, 0x80);
    irq_raise(&bus.irq[15]);
    EXPECT_EQ(intr_level, 0);
    outb(0xa1, 0x00);
    EXPECT_EQ(i8259_inta(pic), 0x77);
    /* The ISA IRQ2 pin arrives as IRQ9. */
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    irq_raise(&bus.irq[2]);
    EXPECT_EQ(i8259_inta(pic), 0x71);
}

TEST(rotation)
{
    setup(0x01);
    outb(0x20, 0xc4);               /* IR4 lowest: IR5 is highest */
    irq_raise(&bus.irq[3]);
    irq_raise(&bus.irq[6]);
    EXPECT_EQ(i8259_inta(pic), 0x0e);
    outb(0x20, 0xa0);               /* rotate on non-specific EOI: IR6 lowest */
    EXPECT_EQ(i8259_inta(pic), 0x0b);
    outb(0x20, 0xe3);               /* rotate on specific EOI 3 */
    irq_raise(&bus.irq[4]);
    irq_raise(&bus.irq[1]);
    EXPECT_EQ(i8259_inta(pic), 0x0c);   /* IR4 now highest */
}

TEST(auto_eoi)
{
    setup(0x03);
    irq_raise(&bus.irq[5]);
    EXPECT_EQ(i8259_inta(pic), 0x0d);
    EXPECT_EQ(read_isr(0x20), 0x00);
    irq_raise(&bus.irq[6]);
    EXPECT_EQ(intr_level, 1);       /* nothing in service blocks it */
}

TEST(special_mask_mode)
{
    setup(0x01);
    irq_raise(&bus.irq[1]);
    EXPECT_EQ(i8259_inta(pic), 0x09);
    irq_raise(&bus.irq[5]);
    EXPECT_EQ(intr_level, 0);
    outb(0x21, 0x02);               /* the handler masks itself ... */
    outb(0x20, 0x68);               /* ... and sets special mask mode */
    EXPECT_EQ(intr_level, 1);
    EXPECT_EQ(i8259_inta(pic), 0x0d);
    outb(0x20, 0x48);               /* reset special mask */
    EXPECT_EQ(read_isr(0x20), 0x22);
}

TEST(poll_mode)
{
    setup(0x01);
    outb(0x21, 0xff);
    irq_raise(&bus.irq[6]);
    outb(0x20, 0x0c);
    EXPECT_EQ(inb(0x20), 0x00);     /* masked: nothing to poll */
    outb(0x21, 0x00);
    outb(0x20, 0x0c);
    EXPECT_EQ(inb(0x20), 0x86);
    EXPECT_EQ(read_isr(0x20), 0x40);
    EXPECT_EQ(intr_level, 0);
}

TEST(elcr_level_mode)
{
    setup(0x01);
    outb(0x4d0, 0xff);
    outb(0x4d1, 0xff);
    EXPECT_EQ(inb(0x4d0), 0xf8);    /* IRQ0-2 cannot be level */
    EXPECT_EQ(inb(0x4d1), 0xde);    /* nor IRQ8 and IRQ13 */
    irq_raise(&bus.irq[11]);
    EXPECT_EQ(i8259_inta(pic), 0x73);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
    /* Still high after EOI: requests again. */
    EXPECT_EQ(intr_level, 1);
    irq_lower(&bus.irq[11]);
    EXPECT_EQ(inb(0xa0) & 0x08, 0); /* the slave's IRR follows the line */
    /* The master's IR2 is edge-only and keeps its latch: spurious 15. */
    EXPECT_EQ(i8259_inta(pic), 0x77);
    EXPECT_EQ(intr_level, 0);
}

TEST(spurious_irq7_and_15)
{
    setup(0x01);
    outb(0x4d0, 0x20);
    irq_raise(&bus.irq[5]);
    EXPECT_EQ(intr_level, 1);
    irq_lower(&bus.irq[5]);         /* gone before the acknowledge */
    EXPECT_EQ(i8259_inta(pic), 0x0f);
    EXPECT_EQ(read_isr(0x20), 0x00);

    outb(0x4d1, 0x02);
    irq_raise(&bus.irq[9]);
    EXPECT_EQ(intr_level, 1);
    /* The master resolves IR2 from a stale latch in edge mode: drop the
     * slave's request after the master latched it. */
    irq_lower(&bus.irq[9]);
    EXPECT_EQ(inb(0x20) & 0x04, 0x04);
    EXPECT_EQ(i8259_inta(pic), 0x77);
    EXPECT_EQ(read_isr(0xa0), 0x00);
}

TEST(reinit_clears_state)
{
    setup(0x01);
    outb(0x21, 0x55);
    irq_raise(&bus.irq[4]);
    outb(0x20, 0x11);
    outb(0x21, 0x20);
    outb(0x21, 0x04);
    outb(0x21, 0x01);
    EXPECT_EQ(inb(0x21), 0x00);
    EXPECT_EQ(intr_level, 0);       /* the high line needs a new edge */
    irq_lower(&bus.irq[4]);
    irq_raise(&bus.irq[4]);
    EXPECT_EQ(i8259_inta(pic), 0x24);
}

TEST(system_reset)
{
    setup(0x01);
    outb(0x4d0, 0x20);
    outb(0x21, 0x0f);
    irq_raise(&bus.irq[5]);
    EXPECT_EQ(intr_level, 1);
    dev_reset_all();
    EXPECT_EQ(intr_level, 0);
    EXPECT_EQ(inb(0x21), 0x00);
    EXPECT_EQ(inb(0x4d0), 0x00);
    EXPECT_EQ(inb(0x20), 0x00);     /* the high line needs a new edge */
}

TEST(slave_auto_eoi_offers_next_request)
{
    setup(0x01);
    outb(0xa0, 0x11);               /* slave again, now with auto-EOI */
    outb(0xa1, 0x70);
    outb(0xa1, 0x02);
    outb(0xa1, 0x03);
    irq_raise(&bus.irq[10]);
    irq_raise(&bus.irq[8]);
    EXPECT_EQ(i8259_inta(pic), 0x70);
    outb(0x20, 0x20);
    EXPECT_EQ(intr_level, 1);       /* IRQ10 is still waiting */
    EXPECT_EQ(i8259_inta(pic), 0x72);
    EXPECT_EQ(read_isr(0xa0), 0x00);
}

TEST_MAIN()
