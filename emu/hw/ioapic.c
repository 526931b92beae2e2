/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioapic.c - the I/O APIC of the pc machine, after the Intel 82093AA
 * datasheet (order 290566): indirect registers behind IOREGSEL/IOWIN, the
 * ID, version and arbitration registers, 24 redirection entries; edge pins
 * deliver on a rising edge, level pins while asserted with Remote IRR set
 * until the local APIC's EOI comes back (broadcast by vector, or through
 * the EOI register of the version 0x20 IOAPIC, as QEMU's pc has).
 *
 * Input levels are "asserted" levels, as QEMU's: ISA and PCI lines arrive
 * active-high whatever the polarity bit says, which the MADT overrides
 * describe to the guest.
 */
#include "emu/osdep.h"

#include "emu/hw/ioapic.h"
#include "emu/util/cutils.h"

#define IOAPIC_VERSION 0x20
/* Bits of a redirection entry the guest may write; 12 and 14 are status. */
#define RTE_WRITABLE (0xff00000000000000ULL | 0x1afffULL)

static void ioapic_deliver(struct ioapic *s, int n)
{
    uint64_t e = s->rte[n];
    struct apic_msg m = {
        .dest = e >> 56,
        .logical = e & (1u << 11),
        .mode = (e >> 8) & 7,
        .vector = e & 0xff,
        .level = e & IOAPIC_RTE_LEVEL,
    };
    /* ExtINT through the IOAPIC (virtual wire mode B) would need the
     * PIC's vector; hemu wires the PIC to LINT0 (mode A) instead. */
    if (m.mode == APIC_DM_EXTINT) {
        return;
    }
    if (s->bus) {
        apic_bus_deliver(s->bus, &m);
    }
}

/* Deliver whatever pin n has to deliver now. */
static void ioapic_service(struct ioapic *s, int n)
{
    uint64_t e = s->rte[n];
    uint32_t bit = 1u << n;
    if (e & IOAPIC_RTE_MASKED) {
        return;
    }
    if (e & IOAPIC_RTE_LEVEL) {
        /* Remote IRR holds off the next message until the EOI: without it
         * a level line would storm the CPU. */
        if ((s->level & bit) && !(e & IOAPIC_RTE_REMOTE_IRR)) {
            s->rte[n] |= IOAPIC_RTE_REMOTE_IRR;
            ioapic_deliver(s, n);
        }
    } else if (s->pending & bit) {
        s->pending &= ~bit;
        ioapic_deliver(s, n);
    }
}

void ioapic_set_irq(void *opaque, int n, int level)
{
    struct ioapic *s = opaque;
    if (n < 0 || n >= IOAPIC_NUM_PINS) {
        return;
    }
    uint32_t bit = 1u << n;
    bool was = s->level & bit;
    if (level) {
        s->level |= bit;
    } else {
        s->level &= ~bit;
    }
    if (!(s->rte[n] & IOAPIC_RTE_LEVEL)) {
        if (level && !was) {
            /* Kept while masked, as QEMU does: Linux masks edge pins while
             * it moves them and expects no interrupt lost. */
            s->pending |= bit;
        } else {
            return;
        }
    }
    ioapic_service(s, n);
}

void ioapic_eoi(void *opaque, uint8_t vector)
{
    struct ioapic *s = opaque;
    for (int n = 0; n < IOAPIC_NUM_PINS; n++) {
        uint64_t e = s->rte[n];
        if ((e & 0xff) == vector && (e & IOAPIC_RTE_REMOTE_IRR)) {
            s->rte[n] &= ~IOAPIC_RTE_REMOTE_IRR;
            /* Still asserted: the device wants more service. */
            ioapic_service(s, n);
        }
    }
}

/* ---------------------------------------------------------------------------
 * Registers
 */

static uint32_t ioapic_reg_read(struct ioapic *s)
{
    unsigned r = s->regsel;
    switch (r) {
    case IOAPIC_REG_ID:
        return (uint32_t)s->id << 24;
    case IOAPIC_REG_VER:
        return ((IOAPIC_NUM_PINS - 1) << 16) | IOAPIC_VERSION;
    case IOAPIC_REG_ARB:
        return 0;
    default:
        break;
    }
    if (r >= IOAPIC_REG_REDTBL && r < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        unsigned n = (r - IOAPIC_REG_REDTBL) / 2;
        uint64_t e = s->rte[n];
        return (r & 1) ? (uint32_t)(e >> 32) : (uint32_t)e;
    }
    /* Unimplemented registers read as all ones on the 82093AA. */
    return 0xffffffffu;
}

static void ioapic_reg_write(struct ioapic *s, uint32_t val)
{
    unsigned r = s->regsel;
    if (r == IOAPIC_REG_ID) {
        s->id = (val >> 24) & 0x0f;
        return;
    }
    if (r < IOAPIC_REG_REDTBL || r >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        return;
    }
    unsigned n = (r - IOAPIC_REG_REDTBL) / 2;
    uint64_t e = s->rte[n];
    uint64_t ro = e & ~RTE_WRITABLE;
    if (r & 1) {
        e = (e & 0xffffffffULL) | ((uint64_t)val << 32);
    } else {
        e = (e & ~0xffffffffULL) | val;
    }
    e = (e & RTE_WRITABLE) | ro;
    if (!(e & IOAPIC_RTE_LEVEL)) {
        /* An edge pin has no Remote IRR. */
        e &= ~IOAPIC_RTE_REMOTE_IRR;
    }
    s->rte[n] = e;
    /* Unmasking, or switching to level, may deliver at once. */
    if (e & IOAPIC_RTE_LEVEL) {
        s->pending &= ~(1u << n);
    }
    ioapic_service(s, n);
}

static uint64_t ioapic_read(void *opaque, uint64_t off, unsigned size)
{
    struct ioapic *s = opaque;
    switch (off) {
    case IOAPIC_IOREGSEL:
        return s->regsel;
    case IOAPIC_IOWIN:
        return ioapic_reg_read(s);
    default:
        return 0;
    }
}

static void ioapic_write(void *opaque, uint64_t off, uint64_t val,
                         unsigned size)
{
    struct ioapic *s = opaque;
    switch (off) {
    case IOAPIC_IOREGSEL:
        s->regsel = val;
        break;
    case IOAPIC_IOWIN:
        ioapic_reg_write(s, (uint32_t)val);
        break;
    case IOAPIC_EOI:
        ioapic_eoi(s, val & 0xff);
        break;
    default:
        break;
    }
}

static const struct mem_ops ioapic_ops = {
    .read = ioapic_read, .write = ioapic_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 4, .impl_max = 4,
};

void ioapic_reset(struct ioapic *s)
{
    s->id = 0;
    s->regsel = 0;
    s->pending = 0;
    for (int n = 0; n < IOAPIC_NUM_PINS; n++) {
        s->rte[n] = IOAPIC_RTE_MASKED;
    }
}

struct ioapic *ioapic_create(struct apic_bus *bus)
{
    struct ioapic *s = xzalloc(sizeof(*s));
    s->bus = bus;
    mem_region_init_io(&s->mr, "ioapic", IOAPIC_MMIO_SIZE, &ioapic_ops, s);
    ioapic_reset(s);
    return s;
}

void ioapic_free(struct ioapic *s)
{
    free(s);
}
