/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ioapic.h - the I/O APIC (Intel 82093AA) of the pc machine: 24 input
 * pins with a redirection table, version 0x20 (with the EOI register), at
 * 0xfec00000.  Interrupt messages go onto the APIC bus.
 */
#ifndef HEMU_EMU_HW_IOAPIC_H
#define HEMU_EMU_HW_IOAPIC_H

#include "emu/osdep.h"
#include "emu/hw/apic.h"
#include "emu/mem/mem.h"

#define IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define IOAPIC_NUM_PINS 24
#define IOAPIC_MMIO_SIZE 0x1000

/* Register offsets in the window and register indexes (82093AA §3). */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_EOI 0x40
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_ARB 0x02
#define IOAPIC_REG_REDTBL 0x10

/* Redirection entry bits. */
#define IOAPIC_RTE_DELIVS (1ULL << 12)
#define IOAPIC_RTE_POLARITY (1ULL << 13)
#define IOAPIC_RTE_REMOTE_IRR (1ULL << 14)
#define IOAPIC_RTE_LEVEL (1ULL << 15)
#define IOAPIC_RTE_MASKED (1ULL << 16)

struct ioapic {
    struct mem_region mr;
    struct apic_bus *bus;       /* NULL: messages go nowhere */
    uint8_t id;
    uint8_t regsel;
    uint64_t rte[IOAPIC_NUM_PINS];
    uint32_t level;             /* input pin levels */
    uint32_t pending;           /* edges not delivered yet (masked) */
};

/* Create with every pin masked; map ->mr at IOAPIC_DEFAULT_BASE. */
struct ioapic *ioapic_create(struct apic_bus *bus);
/* Drive input pin n (0-23), as an irq_handler with the ioapic as opaque. */
void ioapic_set_irq(void *opaque, int n, int level);
/* A local APIC's EOI of a level-triggered vector (the EOI broadcast). */
void ioapic_eoi(void *opaque, uint8_t vector);
void ioapic_reset(struct ioapic *s);
void ioapic_free(struct ioapic *s);

#endif
