/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * apic.c - the local APIC of each vCPU in xAPIC mode and the APIC bus
 * between them and the IOAPIC.  Modelled: ID, version, TPR/PPR, EOI (with
 * the broadcast to the IOAPIC for level-triggered vectors), LDR/DFR with
 * flat and cluster logical destinations, SVR software enable, ISR/TMR/IRR,
 * ESR, ICR (fixed, lowest priority, NMI, INIT, SIPI; destination
 * shorthands), the LVT (timer, thermal, performance, LINT0, LINT1, error),
 * the timer in one-shot, periodic and TSC-deadline modes, interrupt
 * acceptance and priority, and the IA32_APIC_BASE enable bit.
 *
 * The timer counts at 1 GHz before the divider (one tick per guest
 * nanosecond), as QEMU's does, so the guest's calibration against the PIT
 * and the PM timer agrees.
 *
 * Reference: Intel SDM vol. 3A ch. 10 "Advanced Programmable Interrupt
 * Controller (APIC)" (10.4 base and enable, 10.5 LVT, timer, ESR, 10.6
 * ICR and IPIs, 10.8 acceptance, priorities, EOI, 10.9 spurious vector).
 */
#include "emu/osdep.h"

#include "emu/hw/apic.h"
#include "emu/hw/isa.h"         /* isa_time_ns, isa_timer_* */
#include "emu/util/cutils.h"

/* Register offsets (SDM Table 10-1). */
enum {
    APIC_ID = 0x20, APIC_VER = 0x30, APIC_TPR = 0x80, APIC_APR = 0x90,
    APIC_PPR = 0xa0, APIC_EOI = 0xb0, APIC_RRD = 0xc0, APIC_LDR = 0xd0,
    APIC_DFR = 0xe0, APIC_SVR = 0xf0, APIC_ISR = 0x100, APIC_TMR = 0x180,
    APIC_IRR = 0x200, APIC_ESR = 0x280, APIC_LVT_CMCI = 0x2f0,
    APIC_ICR_LO = 0x300, APIC_ICR_HI = 0x310, APIC_LVT_TIMER = 0x320,
    APIC_LVT_ERROR = 0x370, APIC_TMICT = 0x380, APIC_TMCCT = 0x390,
    APIC_TDCR = 0x3e0,
};

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR,
       LVT_NUM };

#define LVT_MASKED (1u << 16)
#define LVT_LEVEL (1u << 15)
#define LVT_TIMER_MODE(v) (((v) >> 17) & 3)
#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define SVR_ENABLE (1u << 8)
#define BASE_ENABLE (1ULL << 11)
#define BASE_BSP (1ULL << 8)
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)

struct apic {
    struct apic_bus *bus;
    const struct apic_cpu_ops *ops;
    void *opaque;
    int index;
    uint8_t id, initial_id;
    uint64_t base;
    uint32_t tpr, ldr, dfr, svr, esr, esr_pending;
    uint32_t icr_lo, icr_hi;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t lvt[LVT_NUM], lvt_cmci;
    uint32_t initial, divide;
    int64_t timer_start;        /* ns when the count was (re)loaded */
    uint64_t deadline;          /* TSC-deadline mode, guest ns; 0 = off */
    struct isa_timer *timer;
    int lint[2];
    int intr_out;
};

/* ---------------------------------------------------------------------------
 * Vector bitmaps and priority
 */

static void vec_set(uint32_t *map, uint8_t v)
{
    map[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(uint32_t *map, uint8_t v)
{
    map[v >> 5] &= ~(1u << (v & 31));
}

static bool vec_test(const uint32_t *map, uint8_t v)
{
    return map[v >> 5] & (1u << (v & 31));
}

/* Highest vector set, or -1. */
static int vec_highest(const uint32_t *map)
{
    for (int i = 7; i >= 0; i--) {
        if (map[i]) {
            return i * 32 + 31 - __builtin_clz(map[i]);
        }
    }
    return -1;
}

static bool apic_hw_enabled(const struct apic *a)
{
    return a->base & BASE_ENABLE;
}

static bool apic_sw_enabled(const struct apic *a)
{
    return apic_hw_enabled(a) && (a->svr & SVR_ENABLE);
}

/* PPR (10.8.3.1): the TPR, or the class of the highest in-service vector
 * when that is higher. */
static uint32_t apic_ppr(const struct apic *a)
{
    int isrv = vec_highest(a->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (a->tpr & 0xf0) >= isr_class ? a->tpr & 0xff : isr_class;
}

/* The highest requested vector that PPR lets through, or -1. */
static int apic_deliverable(const struct apic *a)
{
    int v = vec_highest(a->irr);
    if (v < 0 || !apic_sw_enabled(a)) {
        return -1;
    }
    return ((uint32_t)v & 0xf0) > (apic_ppr(a) & 0xf0) ? v : -1;
}

/* LINT0 in ExtINT mode passes the PIC through; with the APIC off (MSR
 * enable clear) the pin is wired straight to INTR, as on a real CPU. */
static bool apic_extint(const struct apic *a)
{
    uint32_t l = a->lvt[LVT_LINT0];
    if (!apic_hw_enabled(a)) {
        return a->lint[0];
    }
    return a->lint[0] && !(l & LVT_MASKED) &&
           ((l >> 8) & 7) == APIC_DM_EXTINT;
}

bool apic_intr_pending(const struct apic *a)
{
    return apic_deliverable(a) >= 0 || apic_extint(a);
}

static void apic_update(struct apic *a)
{
    int level = apic_intr_pending(a);
    if (level != a->intr_out) {
        a->intr_out = level;
        a->ops->set_intr(a->opaque, level);
    }
}

/* Accept a fixed interrupt into the IRR (10.8.1). */
static void apic_set_irr(struct apic *a, uint8_t vector, bool level)
{
    if (vector < 16) {
        /* Vectors 0-15 are illegal: the receiver logs it and drops it. */
        a->esr_pending |= ESR_RECV_ILLEGAL;
        return;
    }
    vec_set(a->irr, vector);
    if (level) {
        vec_set(a->tmr, vector);
    } else {
        vec_clear(a->tmr, vector);
    }
    apic_update(a);
}

int apic_irq_ack(struct apic *a)
{
    int v = vec_highest(a->irr);
    if (v >= 0 && apic_sw_enabled(a)) {
        if (((uint32_t)v & 0xf0) <= (apic_ppr(a) & 0xf0)) {
            /* The request went under the TPR between INTR and INTA. */
            if (!apic_extint(a)) {
                return a->svr & 0xff;
            }
        } else {
            vec_clear(a->irr, v);
            vec_set(a->isr, v);
            apic_update(a);
            return v;
        }
    }
    if (apic_extint(a) && a->bus->extint_ack) {
        int vec = a->bus->extint_ack(a->bus->extint_opaque);
        apic_update(a);
        return vec;
    }
    return -1;
}

/* Deliver an LVT entry's interrupt locally. */
static void apic_local(struct apic *a, int lvt)
{
    uint32_t l = a->lvt[lvt];
    if (l & LVT_MASKED || !apic_hw_enabled(a)) {
        return;
    }
    switch ((l >> 8) & 7) {
    case APIC_DM_FIXED:
        apic_set_irr(a, l & 0xff, lvt == LVT_LINT0 || lvt == LVT_LINT1 ?
                     (l & LVT_LEVEL) : false);
        break;
    case APIC_DM_NMI:
        a->ops->nmi(a->opaque);
        break;
    default:
        break;
    }
}

static void apic_error(struct apic *a, uint32_t bits)
{
    a->esr_pending |= bits;
    apic_local(a, LVT_ERROR);
}

/* ---------------------------------------------------------------------------
 * The APIC bus
 */

static bool apic_match_logical(const struct apic *a, uint8_t dest)
{
    uint8_t ldr = a->ldr >> 24;
    if ((a->dfr >> 28) == 0xf) {
        return ldr & dest;              /* flat model */
    }
    /* Cluster model: the high nibble names the cluster. */
    return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0x0f);
}

static bool apic_match(const struct apic *a, const struct apic_msg *m)
{
    if (m->logical) {
        return apic_match_logical(a, m->dest);
    }
    return m->dest == 0xff || m->dest == a->id;
}

static void apic_accept(struct apic *a, const struct apic_msg *m)
{
    switch (m->mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        if (apic_hw_enabled(a)) {
            apic_set_irr(a, m->vector, m->level);
        }
        break;
    case APIC_DM_NMI:
        a->ops->nmi(a->opaque);
        break;
    case APIC_DM_INIT:
        apic_init_reset(a);
        a->ops->init(a->opaque);
        break;
    case APIC_DM_SIPI:
        a->ops->sipi(a->opaque, m->vector);
        break;
    default:
        /* SMI: there is no SMM.  ExtINT over the bus: not wired. */
        break;
    }
}

/* Deliver m to the APICs selected by mask (bit i = bus->cpu[i]). */
static void apic_deliver_mask(struct apic_bus *bus, const struct apic_msg *m,
                              uint32_t mask)
{
    if (m->mode == APIC_DM_LOWEST) {
        /* Lowest priority: the lowest TPR among the targets; ties go to
         * the first, which is as good as any arbitration. */
        int best = -1;
        for (int i = 0; i < bus->n; i++) {
            if ((mask & (1u << i)) && apic_hw_enabled(bus->cpu[i]) &&
                (best < 0 || bus->cpu[i]->tpr < bus->cpu[best]->tpr)) {
                best = i;
            }
        }
        mask = best < 0 ? 0 : 1u << best;
    }
    for (int i = 0; i < bus->n; i++) {
        if (mask & (1u << i)) {
            apic_accept(bus->cpu[i], m);
        }
    }
}

void apic_bus_deliver(struct apic_bus *bus, const struct apic_msg *m)
{
    uint32_t mask = 0;
    for (int i = 0; i < bus->n; i++) {
        if (apic_match(bus->cpu[i], m)) {
            mask |= 1u << i;
        }
    }
    apic_deliver_mask(bus, m, mask);
}

bool apic_bus_msi(struct apic_bus *bus, uint64_t addr, uint32_t data)
{
    /* SDM 10.11.1/10.11.2: address 0xFEE, destination ID in bits 19:12,
     * destination mode in bit 2; data: vector, delivery mode, trigger. */
    if ((addr >> 20) != 0xfee) {
        return false;
    }
    struct apic_msg m = {
        .dest = addr >> 12,
        .logical = addr & 4,
        .mode = (data >> 8) & 7,
        .vector = data & 0xff,
        .level = false,         /* MSIs are edges: no EOI broadcast */
    };
    if ((m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST) &&
        m.vector < 16) {
        return false;
    }
    apic_bus_deliver(bus, &m);
    return true;
}

/* An ICR write: send the IPI (10.6.1). */
static void apic_send_ipi(struct apic *a)
{
    uint32_t lo = a->icr_lo;
    struct apic_msg m = {
        .dest = a->icr_hi >> 24,
        .logical = lo & (1u << 11),
        .mode = (lo >> 8) & 7,
        .vector = lo & 0xff,
        .level = false,
    };
    /* INIT level de-assert only resynchronises arbitration IDs. */
    if (m.mode == APIC_DM_INIT && !(lo & (1u << 14)) && (lo & LVT_LEVEL)) {
        return;
    }
    if ((m.mode == APIC_DM_FIXED || m.mode == APIC_DM_LOWEST) &&
        m.vector < 16) {
        apic_error(a, ESR_SEND_ILLEGAL);
        return;
    }
    struct apic_bus *bus = a->bus;
    uint32_t all = bus->n >= 32 ? ~0u : (1u << bus->n) - 1;
    uint32_t self = 1u << a->index;
    uint32_t mask;
    switch ((lo >> 18) & 3) {
    case 1: mask = self; break;
    case 2: mask = all; break;
    case 3: mask = all & ~self; break;
    default:
        apic_bus_deliver(bus, &m);
        return;
    }
    apic_deliver_mask(bus, &m, mask);
}

/* ---------------------------------------------------------------------------
 * The timer
 */

static int64_t apic_tick_ns(const struct apic *a)
{
    /* TDCR bits 0, 1, 3: divide by 2^(value+1), 0b111 = by 1. */
    unsigned v = (a->divide & 3) | ((a->divide >> 1) & 4);
    return v == 7 ? 1 : 2LL << v;
}

static uint32_t apic_current_count(const struct apic *a)
{
    uint32_t mode = LVT_TIMER_MODE(a->lvt[LVT_TIMER]);
    if (!a->initial || mode == TIMER_TSC_DEADLINE) {
        return 0;
    }
    int64_t ticks = (isa_time_ns() - a->timer_start) / apic_tick_ns(a);
    if (mode == TIMER_PERIODIC) {
        return a->initial - (uint32_t)(ticks % a->initial);
    }
    return ticks >= a->initial ? 0 : a->initial - (uint32_t)ticks;
}

/* now is the time the caller loaded timer_start at: reading the clock
 * again here could find a short count (Linux loads ~1 us ones) already
 * run out when the host was slow between the two reads, and lose it. */
static void apic_timer_arm(struct apic *a, int64_t now)
{
    uint32_t mode = LVT_TIMER_MODE(a->lvt[LVT_TIMER]);
    if (mode == TIMER_TSC_DEADLINE) {
        if (a->deadline) {
            isa_timer_mod(a->timer, (int64_t)a->deadline);
        } else {
            isa_timer_del(a->timer);
        }
        return;
    }
    if (!a->initial) {
        isa_timer_del(a->timer);
        return;
    }
    int64_t period = (int64_t)a->initial * apic_tick_ns(a);
    int64_t next = a->timer_start + period;
    if (mode == TIMER_PERIODIC && next <= now) {
        next += (now - a->timer_start) / period * period;
        if (next <= now) {
            next += period;
        }
    } else if (next <= now) {
        /* A one-shot count that ran out (a divider change can do that):
         * it fires now unless its timer already did. */
        bool due = isa_timer_pending(a->timer);
        isa_timer_del(a->timer);
        if (due) {
            apic_local(a, LVT_TIMER);
        }
        return;
    }
    isa_timer_mod(a->timer, next);
}

static void apic_timer_cb(void *opaque)
{
    struct apic *a = opaque;
    apic_local(a, LVT_TIMER);
    switch (LVT_TIMER_MODE(a->lvt[LVT_TIMER])) {
    case TIMER_PERIODIC:
        apic_timer_arm(a, isa_time_ns());
        break;
    case TIMER_TSC_DEADLINE:
        /* The deadline MSR reads 0 once it has fired (10.5.4.1). */
        a->deadline = 0;
        break;
    default:
        break;
    }
}

void apic_set_tsc_deadline(struct apic *a, uint64_t deadline_ns)
{
    if (LVT_TIMER_MODE(a->lvt[LVT_TIMER]) != TIMER_TSC_DEADLINE) {
        return;
    }
    a->deadline = deadline_ns;
    if (deadline_ns && (int64_t)deadline_ns <= isa_time_ns()) {
        a->deadline = 0;
        isa_timer_del(a->timer);
        apic_local(a, LVT_TIMER);
        return;
    }
    apic_timer_arm(a, isa_time_ns());
}

/* ---------------------------------------------------------------------------
 * Registers
 */

uint32_t apic_mmio_read(struct apic *a, unsigned off)
{
    off &= 0xff0;
    switch (off) {
    case APIC_ID: return (uint32_t)a->id << 24;
    /* Version 0x14 (integrated APIC), six LVT entries, no EOI-broadcast
     * suppression. */
    case APIC_VER: return ((LVT_NUM - 1) << 16) | 0x14;
    case APIC_TPR: return a->tpr;
    case APIC_APR: return 0;
    case APIC_PPR: return apic_ppr(a);
    case APIC_LDR: return a->ldr;
    case APIC_DFR: return a->dfr;
    case APIC_SVR: return a->svr;
    case APIC_ESR: return a->esr;
    case APIC_LVT_CMCI: return a->lvt_cmci;
    case APIC_ICR_LO: return a->icr_lo & ~(1u << 12);   /* always idle */
    case APIC_ICR_HI: return a->icr_hi;
    case APIC_TMICT: return a->initial;
    case APIC_TMCCT: return apic_current_count(a);
    case APIC_TDCR: return a->divide;
    default:
        break;
    }
    if (off >= APIC_ISR && off < APIC_ISR + 0x80) {
        return a->isr[(off - APIC_ISR) >> 4];
    }
    if (off >= APIC_TMR && off < APIC_TMR + 0x80) {
        return a->tmr[(off - APIC_TMR) >> 4];
    }
    if (off >= APIC_IRR && off < APIC_IRR + 0x80) {
        return a->irr[(off - APIC_IRR) >> 4];
    }
    if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR) {
        return a->lvt[(off - APIC_LVT_TIMER) >> 4];
    }
    return 0;
}

static void apic_eoi(struct apic *a)
{
    int v = vec_highest(a->isr);
    if (v < 0) {
        return;
    }
    vec_clear(a->isr, v);
    if (vec_test(a->tmr, v) && a->bus->eoi) {
        vec_clear(a->tmr, v);
        a->bus->eoi(a->bus->eoi_opaque, v);
    }
    apic_update(a);
}

static void apic_write_lvt(struct apic *a, int n, uint32_t val)
{
    /* Writable bits per entry (Figure 10-8): the timer has its mode, the
     * LINT pins polarity and trigger, the others vector/mode/mask. */
    static const uint32_t wmask[LVT_NUM] = {
        0x700ff, 0x107ff, 0x107ff, 0x1a7ff, 0x1a7ff, 0x100ff,
    };
    uint32_t old = a->lvt[n];
    if (!(a->svr & SVR_ENABLE)) {
        /* While software-disabled the mask bits stay set (10.4.7.2). */
        val |= LVT_MASKED;
    }
    a->lvt[n] = (old & ~wmask[n]) | (val & wmask[n]);
    if (n == LVT_TIMER &&
        LVT_TIMER_MODE(old) != LVT_TIMER_MODE(a->lvt[n])) {
        /* A mode switch disarms the timer (10.5.4.1). */
        a->initial = 0;
        a->deadline = 0;
        isa_timer_del(a->timer);
    }
    apic_update(a);
}

void apic_mmio_write(struct apic *a, unsigned off, uint32_t val)
{
    off &= 0xff0;
    switch (off) {
    case APIC_ID:
        a->id = val >> 24;
        break;
    case APIC_TPR:
        a->tpr = val & 0xff;
        apic_update(a);
        break;
    case APIC_EOI:
        apic_eoi(a);
        break;
    case APIC_LDR:
        a->ldr = val & 0xff000000u;
        break;
    case APIC_DFR:
        a->dfr = val | 0x0fffffffu;
        break;
    case APIC_SVR:
        a->svr = val & 0x3ff;
        if (!(a->svr & SVR_ENABLE)) {
            for (int i = 0; i < LVT_NUM; i++) {
                a->lvt[i] |= LVT_MASKED;
            }
        }
        apic_update(a);
        break;
    case APIC_ESR:
        /* A write latches the errors seen since the last one. */
        a->esr = a->esr_pending;
        a->esr_pending = 0;
        break;
    case APIC_LVT_CMCI:
        a->lvt_cmci = val & 0x107ff;
        break;
    case APIC_ICR_LO:
        a->icr_lo = val & ~(1u << 12);
        apic_send_ipi(a);
        break;
    case APIC_ICR_HI:
        a->icr_hi = val & 0xff000000u;
        break;
    case APIC_TMICT:
        if (LVT_TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
            break;
        }
        a->initial = val;
        a->timer_start = isa_time_ns();
        apic_timer_arm(a, a->timer_start);
        break;
    case APIC_TDCR: {
        /* Keep the current count across a divider change. */
        uint32_t cur = apic_current_count(a);
        a->divide = val & 0xb;
        if (a->initial) {
            int64_t now = isa_time_ns();
            a->timer_start = now -
                             (int64_t)(a->initial - cur) * apic_tick_ns(a);
            apic_timer_arm(a, now);
        }
        break;
    }
    default:
        if (off >= APIC_LVT_TIMER && off <= APIC_LVT_ERROR) {
            apic_write_lvt(a, (off - APIC_LVT_TIMER) >> 4, val);
        }
        break;
    }
}

static struct apic *apic_current(struct apic_bus *bus)
{
    int i = bus->current ? bus->current(bus->current_opaque) : 0;
    return i >= 0 && i < bus->n ? bus->cpu[i] : NULL;
}

uint64_t apic_access_read(struct apic *a, uint64_t off, unsigned size)
{
    if (!apic_hw_enabled(a)) {
        return 0;
    }
    /* Registers are 32 bits at 16-byte strides; narrower reads see part
     * of one. */
    uint32_t v = apic_mmio_read(a, off & ~3ULL);
    return (v >> (8 * (off & 3))) & (size >= 4 ? ~0u : (1u << (8 * size)) - 1);
}

void apic_access_write(struct apic *a, uint64_t off, uint64_t val,
                       unsigned size)
{
    /* Only aligned dword writes reach a register (10.4.1). */
    if (apic_hw_enabled(a) && size == 4 && !(off & 0xf)) {
        apic_mmio_write(a, off, (uint32_t)val);
    }
}

/* The shared window at the default base serves the APICs that sit there;
 * one the guest moved elsewhere no longer answers here. */
static struct apic *apic_at_default(struct apic_bus *bus)
{
    struct apic *a = apic_current(bus);
    return a && (a->base & ~0xfffULL) == APIC_DEFAULT_BASE ? a : NULL;
}

static uint64_t apic_region_read(void *opaque, uint64_t off, unsigned size)
{
    struct apic *a = apic_at_default(opaque);
    return a ? apic_access_read(a, off, size) : 0;
}

static void apic_region_write(void *opaque, uint64_t off, uint64_t val,
                              unsigned size)
{
    struct apic *a = apic_at_default(opaque);
    if (a) {
        apic_access_write(a, off, val, size);
    }
}

static const struct mem_ops apic_region_ops = {
    .read = apic_region_read, .write = apic_region_write,
    .valid_min = 1, .valid_max = 4,
};

/* ---------------------------------------------------------------------------
 * Pins, MSR, reset
 */

void apic_set_lint(struct apic *a, int pin, int level)
{
    if (pin < 0 || pin > 1) {
        return;
    }
    int was = a->lint[pin];
    a->lint[pin] = level;
    if (pin == 0) {
        uint32_t l = a->lvt[LVT_LINT0];
        if (((l >> 8) & 7) != APIC_DM_EXTINT && level && !was) {
            apic_local(a, LVT_LINT0);
        }
        apic_update(a);
    } else if (level && !was) {
        apic_local(a, LVT_LINT1);
    }
}

bool apic_set_base(struct apic *a, uint64_t base)
{
    /* Bits 0-7, 9 and 10 (x2APIC, not offered) and those above the
     * physical address width are reserved; BSP is read-only. */
    if (base & (0xffULL | (1ULL << 9) | (1ULL << 10) |
                ~((1ULL << APIC_PHYS_BITS) - 1))) {
        return false;
    }
    bool was = apic_hw_enabled(a);
    a->base = (base & ~0xfffULL) | (base & BASE_ENABLE) | (a->base & BASE_BSP);
    if (was && !apic_hw_enabled(a)) {
        /* Disabling through the MSR resets the APIC but keeps its ID
         * (10.4.3); every LVT entry ends up masked. */
        apic_init_reset(a);
        for (int i = 0; i < LVT_NUM; i++) {
            a->lvt[i] = LVT_MASKED;
        }
    }
    apic_update(a);
    return true;
}

/* INIT (and an MSR disable): the power-on register state, but the APIC
 * keeps its ID and base (SDM 10.4.7.3). */
void apic_init_reset(struct apic *a)
{
    uint8_t id = a->id;
    uint64_t b = a->base;
    apic_reset(a);
    a->id = id;
    a->base = b;
    apic_update(a);
}

uint64_t apic_get_base(const struct apic *a)
{
    return a->base;
}

void apic_reset(struct apic *a)
{
    a->id = a->initial_id;
    a->base = APIC_DEFAULT_BASE | BASE_ENABLE | (a->index == 0 ? BASE_BSP : 0);
    a->tpr = a->ldr = a->esr = a->esr_pending = 0;
    a->dfr = 0xffffffffu;
    a->svr = 0xff;
    a->icr_lo = a->icr_hi = 0;
    memset(a->isr, 0, sizeof(a->isr));
    memset(a->tmr, 0, sizeof(a->tmr));
    memset(a->irr, 0, sizeof(a->irr));
    for (int i = 0; i < LVT_NUM; i++) {
        a->lvt[i] = LVT_MASKED;
    }
    a->lvt_cmci = LVT_MASKED;
    /* The BSP's LINT0 starts in ExtINT, unmasked, as QEMU's: firmware
     * that never touches the APIC still gets the PIC's interrupts. */
    if (a->index == 0) {
        a->lvt[LVT_LINT0] = APIC_DM_EXTINT << 8;
    }
    a->initial = a->divide = 0;
    a->deadline = 0;
    isa_timer_del(a->timer);
    apic_update(a);
}

void apic_bus_init(struct apic_bus *bus)
{
    memset(bus, 0, sizeof(*bus));
    mem_region_init_io(&bus->mr, "apic", APIC_MMIO_SIZE, &apic_region_ops,
                       bus);
}

struct apic *apic_create(struct apic_bus *bus, uint8_t id,
                         const struct apic_cpu_ops *ops, void *opaque)
{
    if (bus->n >= APIC_MAX_CPUS) {
        return NULL;
    }
    struct apic *a = xzalloc(sizeof(*a));
    a->bus = bus;
    a->ops = ops;
    a->opaque = opaque;
    a->index = bus->n;
    a->initial_id = id;
    a->timer = isa_timer_new(apic_timer_cb, a);
    bus->cpu[bus->n++] = a;
    apic_reset(a);
    return a;
}
