/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hpet.c - the HPET of the pc machine: capabilities (three 64-bit capable
 * comparators, legacy replacement capable, 10 ns period), the general
 * configuration and interrupt status registers, the main counter (only
 * writable while halted), and per timer one-shot or periodic operation in
 * 64- or 32-bit mode with edge or level interrupts routed to an IOAPIC
 * input, or in legacy replacement mode to IRQ0 (timer 0) and IRQ8
 * (timer 1).  The routing capability is QEMU pc's: GSIs 2, 8 and 16-23.
 *
 * Reference: IA-PC HPET (High Precision Event Timers) Specification,
 * revision 1.0a: 2.3 registers, 2.3.9 periodic mode and "set value",
 * 2.4 interrupt mapping including legacy replacement.
 */
#include "emu/osdep.h"

#include "emu/hw/hpet.h"
#include "emu/hw/isa.h"         /* isa_time_ns, isa_timer_* */
#include "emu/util/cutils.h"

#define HPET_ROUTE_CAP 0x00ff0104u
#define TICK_NS (HPET_PERIOD_FS / 1000000)
/* Timer configuration bits the guest may write (2.3.8). */
#define TN_WRITABLE (HPET_TN_LEVEL | HPET_TN_ENABLE | HPET_TN_PERIODIC | \
                     HPET_TN_SETVAL | HPET_TN_32BIT | (0x1fu << 9))

/* ---------------------------------------------------------------------------
 * The main counter
 */

static bool hpet_enabled(const struct hpet *h)
{
    return h->config & HPET_CFG_ENABLE;
}

static uint64_t hpet_counter(const struct hpet *h)
{
    if (!hpet_enabled(h)) {
        return h->counter;
    }
    return h->counter + (uint64_t)((isa_time_ns() - h->counter_ns) / TICK_NS);
}

bool hpet_legacy(struct hpet *h)
{
    return h && (h->config & HPET_CFG_LEGACY);
}

/* ---------------------------------------------------------------------------
 * Interrupts
 */

/* The GSI timer t interrupts on now, or -1. */
static int hpet_route(const struct hpet_timer *t)
{
    if (hpet_legacy(t->h) && t->n < 2) {
        return t->n == 0 ? 0 : 8;
    }
    int r = (t->config >> HPET_TN_ROUTE_SHIFT) & 0x1f;
    return (HPET_ROUTE_CAP & (1u << r)) ? r : -1;
}

/* Bring the level of t's line in line with its status. */
static void hpet_update_line(struct hpet_timer *t)
{
    struct hpet *h = t->h;
    int line = hpet_route(t);
    bool level = (t->config & HPET_TN_LEVEL) && (t->config & HPET_TN_ENABLE) &&
                 (h->status & (1u << t->n));
    if (t->line >= 0 && (t->line != line || !level)) {
        h->set_irq(h->irq_opaque, t->line, 0);
        t->line = -1;
    }
    if (level && line >= 0 && t->line < 0) {
        t->line = line;
        h->set_irq(h->irq_opaque, line, 1);
    }
}

static void hpet_fire(struct hpet_timer *t)
{
    struct hpet *h = t->h;
    if (!(t->config & HPET_TN_ENABLE)) {
        return;
    }
    if (t->config & HPET_TN_LEVEL) {
        /* Level: the status bit holds the line until the guest clears
         * it (2.3.6). */
        h->status |= 1u << t->n;
        hpet_update_line(t);
        return;
    }
    int line = hpet_route(t);
    if (line >= 0) {
        h->set_irq(h->irq_opaque, line, 1);
        h->set_irq(h->irq_opaque, line, 0);
    }
}

/* ---------------------------------------------------------------------------
 * Comparators
 */

static uint64_t hpet_mask(const struct hpet_timer *t)
{
    return (t->config & HPET_TN_32BIT) ? 0xffffffffULL : ~0ULL;
}

/* Schedule t's next match with the counter. */
static void hpet_arm(struct hpet_timer *t)
{
    struct hpet *h = t->h;
    if (!hpet_enabled(h)) {
        isa_timer_del(t->t);
        return;
    }
    uint64_t mask = hpet_mask(t);
    uint64_t now = hpet_counter(h);
    uint64_t diff = (t->cmp - now) & mask;
    if (diff == 0) {
        /* A match now fires once, not forever: the comparator matches
         * again only when the counter comes round (never, in 64 bits). */
        if (mask == ~0ULL) {
            isa_timer_del(t->t);
            return;
        }
        diff = mask + 1;
    }
    /* A match centuries away (a 64-bit comparator left at its reset
     * value of all ones) would overflow the clock: it never comes. */
    if (diff > (uint64_t)INT64_MAX / (4 * TICK_NS)) {
        isa_timer_del(t->t);
        return;
    }
    uint64_t ticks = (now - h->counter) + diff;
    isa_timer_mod(t->t, h->counter_ns + (int64_t)(ticks * TICK_NS));
}

static void hpet_timer_cb(void *opaque)
{
    struct hpet_timer *t = opaque;
    hpet_fire(t);
    if ((t->config & HPET_TN_PERIODIC) && t->period) {
        /* Periodic: the comparator advances by the period (2.3.9.2.2),
         * catching up if the host fell behind. */
        uint64_t mask = hpet_mask(t);
        uint64_t now = hpet_counter(t->h);
        uint64_t behind = (now - t->cmp) & mask;
        uint64_t k = behind <= (mask >> 1) ? behind / t->period + 1 : 1;
        t->cmp = (t->cmp + k * t->period) & mask;
    }
    hpet_arm(t);
}

/* ---------------------------------------------------------------------------
 * Registers
 */

static uint64_t hpet_reg_read(struct hpet *h, unsigned reg)
{
    switch (reg) {
    case HPET_CAP:
        return (HPET_PERIOD_FS << 32) | (0x8086u << 16) | (1u << 15) |
               (1u << 13) | ((HPET_NUM_TIMERS - 1) << 8) | 0x01;
    case HPET_CFG:
        return h->config;
    case HPET_STATUS:
        return h->status;
    case HPET_COUNTER:
        return hpet_counter(h);
    default:
        break;
    }
    if (reg >= 0x100 && reg < 0x100 + 0x20 * HPET_NUM_TIMERS) {
        const struct hpet_timer *t = &h->timer[(reg - 0x100) / 0x20];
        switch (reg & 0x1f) {
        case 0x00: return t->config;
        case 0x08: return t->cmp;
        default: return 0;          /* no FSB delivery */
        }
    }
    return 0;
}

static void hpet_write_timer(struct hpet_timer *t, unsigned r, uint64_t v,
                             uint64_t mask)
{
    if (r == 0x00) {
        uint64_t old = t->config;
        t->config = (old & ~(TN_WRITABLE & mask)) | (v & TN_WRITABLE & mask);
        if (t->n != 0) {
            /* Only timer 0 can be periodic (PER_INT_CAP). */
            t->config &= ~(uint64_t)HPET_TN_PERIODIC;
        }
        if (t->config & HPET_TN_32BIT) {
            t->cmp &= 0xffffffffULL;
            t->period &= 0xffffffffULL;
        }
        if (!(t->config & HPET_TN_LEVEL)) {
            /* An edge timer has no status to hold. */
            t->h->status &= ~(1ULL << t->n);
        }
        hpet_update_line(t);
        hpet_arm(t);
    } else if (r == 0x08) {
        uint64_t val = (t->cmp & ~mask) | (v & mask);
        if (t->config & HPET_TN_32BIT) {
            val &= 0xffffffffULL;
        }
        /* Periodic: SETVAL lets this write move the comparator; without
         * it only the period changes (2.3.9.2.2, Linux relies on it). */
        if (!(t->config & HPET_TN_PERIODIC) || (t->config & HPET_TN_SETVAL)) {
            t->cmp = val;
        }
        t->period = (t->period & ~mask) | (v & mask);
        if (t->config & HPET_TN_32BIT) {
            t->period &= 0xffffffffULL;
        }
        t->config &= ~(uint64_t)HPET_TN_SETVAL;
        hpet_arm(t);
    }
}

static void hpet_reg_write(struct hpet *h, unsigned reg, uint64_t v,
                           uint64_t mask)
{
    switch (reg) {
    case HPET_CFG: {
        uint64_t old = h->config;
        uint64_t cnt = hpet_counter(h);
        h->config = (old & ~(3 & mask)) | (v & 3 & mask);
        if ((old ^ h->config) & HPET_CFG_ENABLE) {
            /* Start or halt the counter where it stands. */
            h->counter = cnt;
            h->counter_ns = isa_time_ns();
        }
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            hpet_update_line(&h->timer[i]);
            hpet_arm(&h->timer[i]);
        }
        return;
    }
    case HPET_STATUS:
        /* Write 1 to clear a level timer's status (and its line). */
        h->status &= ~(v & mask);
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            hpet_update_line(&h->timer[i]);
        }
        return;
    case HPET_COUNTER:
        /* Only meaningful while halted (2.3.7); writes while running are
         * taken anyway, as QEMU does with a warning. */
        h->counter = (hpet_counter(h) & ~mask) | (v & mask);
        h->counter_ns = isa_time_ns();
        for (int i = 0; i < HPET_NUM_TIMERS; i++) {
            hpet_arm(&h->timer[i]);
        }
        return;
    default:
        break;
    }
    if (reg >= 0x100 && reg < 0x100 + 0x20 * HPET_NUM_TIMERS) {
        hpet_write_timer(&h->timer[(reg - 0x100) / 0x20], reg & 0x1f, v, mask);
    }
}

/* 32-bit accesses reach either half of a 64-bit register. */
static uint64_t hpet_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t v = hpet_reg_read(opaque, off & ~7ULL);
    if (size == 8) {
        return v;
    }
    return (uint32_t)(v >> (8 * (off & 4)));
}

static void hpet_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    unsigned shift = size == 8 ? 0 : 8 * (off & 4);
    uint64_t mask = size == 8 ? ~0ULL : 0xffffffffULL << shift;
    hpet_reg_write(opaque, off & ~7ULL, val << shift, mask);
}

static const struct mem_ops hpet_ops = {
    .read = hpet_read, .write = hpet_write,
    .valid_min = 4, .valid_max = 8, .impl_min = 4, .impl_max = 8,
};

void hpet_reset(struct hpet *h)
{
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        struct hpet_timer *t = &h->timer[i];
        if (t->line >= 0) {
            h->set_irq(h->irq_opaque, t->line, 0);
        }
        t->line = -1;
        t->config = ((uint64_t)HPET_ROUTE_CAP << 32) | HPET_TN_SIZE_CAP |
                    (i == 0 ? HPET_TN_PERIODIC_CAP : 0);
        t->cmp = ~0ULL;
        t->period = 0;
        isa_timer_del(t->t);
    }
    h->config = 0;
    h->status = 0;
    h->counter = 0;
    h->counter_ns = isa_time_ns();
}

struct hpet *hpet_create(void (*set_irq)(void *, int, int), void *opaque)
{
    struct hpet *h = xzalloc(sizeof(*h));
    h->set_irq = set_irq;
    h->irq_opaque = opaque;
    for (int i = 0; i < HPET_NUM_TIMERS; i++) {
        h->timer[i].h = h;
        h->timer[i].n = i;
        h->timer[i].line = -1;
        h->timer[i].t = isa_timer_new(hpet_timer_cb, &h->timer[i]);
    }
    mem_region_init_io(&h->mr, "hpet", HPET_MMIO_SIZE, &hpet_ops, h);
    hpet_reset(h);
    return h;
}
