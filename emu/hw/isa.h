/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * isa.h - the ISA side of the PC board as its devices see it: the port I/O
 * address space and the 16 ISA interrupt lines (IBM PC/AT Technical
 * Reference, "System Board": IRQ0-15 on the cascaded 8259A pair).  The
 * machine fills a struct isa_bus and points isa_bus_current at it before it
 * creates ISA devices (built in or from -device); their realize functions
 * look it up.
 *
 * Also here: guest time for the device models (isa_time_ns and timers).  It
 * is the main loop's CLOCK_VIRT unless a test switches to a manual clock
 * that only isa_time_step() advances, firing due timers in order - the
 * deterministic clock_step of QEMU's qtest.
 */
#ifndef HEMU_EMU_HW_ISA_H
#define HEMU_EMU_HW_ISA_H

#include "emu/osdep.h"
#include "emu/hw/irq.h"
#include "emu/loop/loop.h"      /* loop_fn */

struct addr_space;
struct mem_region;
struct err;

#define ISA_NUM_IRQS 16

struct isa_bus {
    struct addr_space *io;                  /* 64 KiB, reads ones if empty */
    struct irq_line irq[ISA_NUM_IRQS];      /* filled by the interrupt router */
};

/* The bus that ISA devices being created now plug into (NULL: none). */
extern struct isa_bus *isa_bus_current;

/* The current bus, or NULL with QEMU's "No 'ISA' bus found..." error. */
struct isa_bus *isa_bus_get(const char *type_name, struct err **errp);
/* Map a device's port region at base (priority 0). */
void isa_map_io(struct isa_bus *bus, struct mem_region *mr, uint16_t base);
/* The line for ISA IRQ n, or NULL when n is out of range. */
const struct irq_line *isa_irq(struct isa_bus *bus, unsigned n);

/* Types the board and tests create by reference (debugcon.c, debugexit.c). */
struct dev_type;
extern const struct dev_type isa_debugcon_type;
extern const struct dev_type isa_debug_exit_type;

/* ---- guest time for device models ---- */

#define NS_PER_SEC 1000000000LL

struct isa_timer;

int64_t isa_time_ns(void);
struct isa_timer *isa_timer_new(loop_fn *cb, void *opaque);
void isa_timer_mod(struct isa_timer *t, int64_t expire_ns);  /* absolute */
void isa_timer_del(struct isa_timer *t);
bool isa_timer_pending(const struct isa_timer *t);
void isa_timer_free(struct isa_timer *t);

/* Tests: switch to (or from) a manual clock before creating devices. */
void isa_time_set_manual(bool manual);
/* Tests: advance the manual clock by ns, running timers as they fall due. */
void isa_time_step(int64_t ns);
/* Manual clock: every read also moves the time on by ns without firing
 * timers (what a preempted host thread sees between two reads). */
void isa_time_set_read_step(int64_t ns);

/* a * b / c without overflow for the clock conversions (a, b, c >= 0). */
static inline int64_t isa_muldiv64(int64_t a, int64_t b, int64_t c)
{
    return (int64_t)((__int128)a * b / c);
}

#endif
