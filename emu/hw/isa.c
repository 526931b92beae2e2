/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * isa.c - the current ISA bus and the device models' guest time (isa.h).
 * The manual clock exists so that unit tests can step time exactly, the
 * way qtest's clock_step does, instead of racing the host clock on a
 * loaded machine.
 */
#include "emu/osdep.h"

#include "emu/hw/isa.h"
#include "emu/loop/loop.h"      /* timer_new, clock_ns */
#include "emu/mem/mem.h"        /* as_map */
#include "emu/util/cutils.h"    /* xzalloc */
#include "emu/util/err.h"       /* err_setf */

struct isa_bus *isa_bus_current;

struct isa_bus *isa_bus_get(const char *type_name, struct err **errp)
{
    if (!isa_bus_current || !isa_bus_current->io) {
        err_setf(errp, "No 'ISA' bus found for device '%s'", type_name);
        return NULL;
    }
    return isa_bus_current;
}

void isa_map_io(struct isa_bus *bus, struct mem_region *mr, uint16_t base)
{
    as_map(bus->io, base, mr, 0, mr->size, 0);
}

const struct irq_line *isa_irq(struct isa_bus *bus, unsigned n)
{
    return n < ISA_NUM_IRQS ? &bus->irq[n] : NULL;
}

/* ---------------------------------------------------------------------------
 * Guest time
 */

struct isa_timer {
    loop_fn *cb;
    void *opaque;
    struct timer *lt;       /* the loop's timer when the clock is not manual */
    int64_t expire;
    bool pending;           /* manual clock only */
    struct isa_timer *next; /* manual clock: sorted by expiry */
};

static bool manual;
static int64_t manual_now;
static int64_t manual_read_step;
static struct isa_timer *manual_timers;

int64_t isa_time_ns(void)
{
    if (!manual) {
        return clock_ns(CLOCK_VIRT);
    }
    int64_t t = manual_now;
    manual_now += manual_read_step;     /* a slow host, for tests */
    return t;
}

void isa_time_set_read_step(int64_t ns)
{
    manual_read_step = ns;
}

void isa_time_set_manual(bool on)
{
    manual = on;
}

struct isa_timer *isa_timer_new(loop_fn *cb, void *opaque)
{
    struct isa_timer *t = xzalloc(sizeof(*t));
    t->cb = cb;
    t->opaque = opaque;
    t->lt = timer_new(CLOCK_VIRT, cb, opaque);
    return t;
}

static void manual_unlink(struct isa_timer *t)
{
    for (struct isa_timer **pp = &manual_timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->next = NULL;
    t->pending = false;
}

void isa_timer_del(struct isa_timer *t)
{
    if (t->pending) {
        manual_unlink(t);
    }
    timer_del(t->lt);
}

void isa_timer_mod(struct isa_timer *t, int64_t expire_ns)
{
    isa_timer_del(t);
    t->expire = expire_ns;
    if (!manual) {
        timer_mod(t->lt, expire_ns);
        return;
    }
    struct isa_timer **pp = &manual_timers;
    while (*pp && (*pp)->expire <= expire_ns) {
        pp = &(*pp)->next;
    }
    t->next = *pp;
    *pp = t;
    t->pending = true;
}

bool isa_timer_pending(const struct isa_timer *t)
{
    return t->pending || timer_pending(t->lt);
}

void isa_timer_free(struct isa_timer *t)
{
    if (t) {
        isa_timer_del(t);
        timer_free(t->lt);
        free(t);
    }
}

void isa_time_step(int64_t ns)
{
    int64_t end = manual_now + ns;
    /* Each callback sees the clock at its own deadline, so a periodic
     * timer that re-arms itself fires once per period within the step. */
    while (manual_timers && manual_timers->expire <= end) {
        struct isa_timer *t = manual_timers;
        manual_timers = t->next;
        t->next = NULL;
        t->pending = false;
        if (t->expire > manual_now) {
            manual_now = t->expire;
        }
        t->cb(t->opaque);
    }
    manual_now = end;
}
