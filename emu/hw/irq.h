/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * irq.h - an interrupt line (DESIGN.md "devices -> CPU"): a callback, its
 * opaque and a pin number.  Lines carry levels; a receiver that wants edges
 * (the 8259 in edge mode, the IOAPIC's edge pins) detects them itself.
 */
#ifndef HEMU_EMU_HW_IRQ_H
#define HEMU_EMU_HW_IRQ_H

#include "emu/osdep.h"

typedef void irq_handler(void *opaque, int n, int level);

struct irq_line {
    irq_handler *handler;
    void *opaque;
    int n;
};

static inline void irq_set(const struct irq_line *l, int level)
{
    if (l && l->handler) {
        l->handler(l->opaque, l->n, level);
    }
}

static inline void irq_raise(const struct irq_line *l)
{
    irq_set(l, 1);
}

static inline void irq_lower(const struct irq_line *l)
{
    irq_set(l, 0);
}

/* A high-then-low pulse, for edge-triggered receivers. */
static inline void irq_pulse(const struct irq_line *l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

#endif
