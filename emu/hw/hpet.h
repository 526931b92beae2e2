/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hpet.h - the High Precision Event Timer of the pc machine (IA-PC HPET
 * specification 1.0a): a 64-bit main counter at 100 MHz and three
 * comparators, at 0xfed00000, with legacy replacement routing (timer 0 on
 * IRQ0, timer 1 on IRQ8 instead of the PIT and RTC).
 */
#ifndef HEMU_EMU_HW_HPET_H
#define HEMU_EMU_HW_HPET_H

#include "emu/osdep.h"
#include "emu/mem/mem.h"

#define HPET_DEFAULT_BASE 0xfed00000ULL
#define HPET_MMIO_SIZE 0x400
#define HPET_NUM_TIMERS 3
#define HPET_PERIOD_FS 10000000ULL      /* 10 ns: 100 MHz, as QEMU */

/* Registers (spec 2.3.1). */
#define HPET_CAP 0x000
#define HPET_CFG 0x010
#define HPET_STATUS 0x020
#define HPET_COUNTER 0x0f0
#define HPET_TN_CFG(n) (0x100 + 0x20 * (n))
#define HPET_TN_CMP(n) (0x108 + 0x20 * (n))

#define HPET_CFG_ENABLE (1u << 0)
#define HPET_CFG_LEGACY (1u << 1)
#define HPET_TN_LEVEL (1u << 1)
#define HPET_TN_ENABLE (1u << 2)
#define HPET_TN_PERIODIC (1u << 3)
#define HPET_TN_PERIODIC_CAP (1u << 4)
#define HPET_TN_SIZE_CAP (1u << 5)
#define HPET_TN_SETVAL (1u << 6)
#define HPET_TN_32BIT (1u << 8)
#define HPET_TN_ROUTE_SHIFT 9

struct isa_timer;
struct hpet;

struct hpet_timer {
    struct hpet *h;
    int n;
    uint64_t config, cmp, period;
    struct isa_timer *t;
    int line;                   /* the GSI it drives now, -1 none */
};

struct hpet {
    struct mem_region mr;
    uint64_t config, status;
    uint64_t counter;           /* value at counter_ns (or frozen) */
    int64_t counter_ns;
    struct hpet_timer timer[HPET_NUM_TIMERS];
    /* Drive global system interrupt gsi (0-23; the pc's ISA-style
     * numbering, 0 = the timer interrupt). */
    void (*set_irq)(void *opaque, int gsi, int level);
    void *irq_opaque;
};

struct hpet *hpet_create(void (*set_irq)(void *, int, int), void *opaque);
void hpet_reset(struct hpet *h);
/* Legacy replacement on: the PIT's and RTC's IRQ0/IRQ8 are cut off. */
bool hpet_legacy(struct hpet *h);

#endif
