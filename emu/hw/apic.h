/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apic.h - the local APIC of each vCPU (xAPIC mode, Intel SDM vol. 3A
 * ch. 10) and the APIC "bus" that joins them to the IOAPIC: interrupt
 * messages with physical/logical destinations, IPIs, EOI broadcast.
 * Every local APIC answers at the same MMIO address; the region asks the
 * machine which vCPU is accessing it.
 */
#ifndef HEMU_EMU_HW_APIC_H
#define HEMU_EMU_HW_APIC_H

#include "emu/osdep.h"
#include "emu/mem/mem.h"

#define APIC_DEFAULT_BASE 0xfee00000ULL
#define APIC_MMIO_SIZE 0x1000
#define APIC_MAX_CPUS 16

/* Delivery modes (ICR, LVT and IOAPIC redirection entries, bits 10:8). */
enum {
    APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
    APIC_DM_INIT = 5, APIC_DM_SIPI = 6, APIC_DM_EXTINT = 7,
};

/* An interrupt message on the APIC bus (from the IOAPIC or an IPI). */
struct apic_msg {
    uint8_t dest;               /* APIC ID or logical mask; 0xff broadcast */
    bool logical;
    uint8_t mode;               /* APIC_DM_* */
    uint8_t vector;
    bool level;                 /* level-triggered: EOI is broadcast */
};

struct apic;

/* What an APIC drives in its CPU and asks of the platform. */
struct apic_cpu_ops {
    void (*set_intr)(void *opaque, int level);  /* the CPU's INTR */
    void (*nmi)(void *opaque);
    void (*init)(void *opaque);
    void (*sipi)(void *opaque, uint8_t vector);
};

struct apic_bus {
    struct apic *cpu[APIC_MAX_CPUS];
    int n;
    struct mem_region mr;       /* the shared 4 KiB window */
    /* Which APIC an MMIO access comes from (an index into cpu[]). */
    int (*current)(void *opaque);
    void *current_opaque;
    /* EOI of a level-triggered vector reaches the IOAPIC. */
    void (*eoi)(void *opaque, uint8_t vector);
    void *eoi_opaque;
    /* ExtINT acknowledge: the PIC's vector. */
    int (*extint_ack)(void *opaque);
    void *extint_opaque;
};

/* An empty bus with its MMIO region (map bus->mr at APIC_DEFAULT_BASE). */
void apic_bus_init(struct apic_bus *bus);
/* Add the APIC of the CPU with this APIC ID (the first is the BSP). */
struct apic *apic_create(struct apic_bus *bus, uint8_t id,
                         const struct apic_cpu_ops *ops, void *opaque);
/* Deliver a message to every APIC it names. */
void apic_bus_deliver(struct apic_bus *bus, const struct apic_msg *m);
/* A PCI MSI/MSI-X write (SDM 10.11): false if it is not an interrupt
 * message (address outside 0xFEExxxxx, or a reserved vector). */
bool apic_bus_msi(struct apic_bus *bus, uint64_t addr, uint32_t data);

/* The CPU's interrupt acknowledge: an APIC vector, or through LINT0 in
 * ExtINT mode the PIC's; -1 if nothing is pending. */
int apic_irq_ack(struct apic *a);
/* Would the CPU see INTR now? */
bool apic_intr_pending(const struct apic *a);
/* The LINT0/LINT1 pins (the PIC's INTR is wired to the BSP's LINT0). */
void apic_set_lint(struct apic *a, int pin, int level);
/* IA32_APIC_BASE as the CPU's MSR holds it (enable bit 11, BSP bit 8,
 * the window's address); false for reserved bits (the CPU raises #GP). */
#define APIC_PHYS_BITS 40
bool apic_set_base(struct apic *a, uint64_t base);
uint64_t apic_get_base(const struct apic *a);
/* IA32_TSC_DEADLINE in guest nanoseconds (0 disarms). */
void apic_set_tsc_deadline(struct apic *a, uint64_t deadline_ns);
/* MMIO as the given APIC (tests, and the bus region). */
uint32_t apic_mmio_read(struct apic *a, unsigned off);
void apic_mmio_write(struct apic *a, unsigned off, uint32_t val);
/* An access to the APIC's 4 KiB window at offset off, as the CPU owning
 * it makes it (any width; the machine routes each CPU's own window). */
uint64_t apic_access_read(struct apic *a, uint64_t off, unsigned size);
void apic_access_write(struct apic *a, uint64_t off, uint64_t val,
                       unsigned size);
/* INIT: registers to power-on state, keeping the ID and base. */
void apic_init_reset(struct apic *a);
/* Power-on state (BSP: LINT0 in ExtINT so the PIC reaches the CPU). */
void apic_reset(struct apic *a);

#endif
