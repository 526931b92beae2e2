/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8259.c - two cascaded Intel 8259A programmable interrupt controllers as
 * wired on the PC/AT (master at 0x20 with the slave's INT on its IR2, slave
 * at 0xA0) plus the PIIX edge/level control registers at 0x4D0/0x4D1.
 *
 * Reference: Intel 8259A datasheet (order 231468): ICW1-4, OCW1-3,
 * priority resolution and rotation, special mask mode, automatic EOI, poll
 * command, spurious IR7; Intel 82371FB (PIIX/PIIX3) datasheet for ELCR1/2.
 */
#include "emu/osdep.h"

#include "emu/hw/dev.h"
#include "emu/hw/i8259.h"
#include "emu/hw/isa.h"         /* isa_bus, isa_map_io */
#include "emu/mem/mem.h"        /* mem_region_init_io */
#include "emu/util/err.h"

struct pic_chip {
    uint8_t irr, isr, imr;
    uint8_t lines;          /* input levels as last driven */
    uint8_t edge_armed;     /* edge inputs that were low since last edge */
    uint8_t elcr, elcr_mask;
    uint8_t vector_base;    /* ICW2, T7-T3 */
    uint8_t icw3;
    uint8_t prio_base;      /* the IR with the highest priority */
    uint8_t init_step;      /* 0: operational, 2-4: expecting ICWn */
    bool icw4_needed, single, ltim;
    bool auto_eoi, rotate_aeoi, sfnm;
    bool special_mask, read_isr, poll;
    struct i8259 *owner;
    bool master;
};

struct i8259 {
    struct device dev;
    struct pic_chip chip[2];    /* 0 master, 1 slave */
    struct irq_line intr;
    bool intr_level;
    struct mem_region mr[2], mr_elcr;
};

/* ---------------------------------------------------------------------------
 * Priority resolution
 */

/* Rank (0 = highest) of the highest-priority bit set in mask, 8 if none. */
static int pic_rank(const struct pic_chip *c, uint8_t mask)
{
    for (int i = 0; i < 8; i++) {
        if (mask & (1u << ((c->prio_base + i) & 7))) {
            return i;
        }
    }
    return 8;
}

/* The IR this chip would present now, or -1. */
static int pic_pending(const struct pic_chip *c, bool is_master)
{
    int req = pic_rank(c, c->irr & ~c->imr);
    if (req == 8) {
        return -1;
    }
    /* Special mask mode lets masked in-service levels stop blocking, so
     * a handler can let lower priorities in by masking itself. */
    uint8_t blocking = c->special_mask ? c->isr & ~c->imr : c->isr;
    if (is_master && c->sfnm) {
        /* Special fully nested: the slave may nest a higher request of its
         * own while IR2 is in service on the master. */
        blocking &= ~(1u << 2);
    }
    if (req < pic_rank(c, blocking)) {
        return (c->prio_base + req) & 7;
    }
    return -1;
}

static void pic_update(struct i8259 *p)
{
    struct pic_chip *m = &p->chip[0];
    bool slave_int = pic_pending(&p->chip[1], false) >= 0;
    uint8_t bit = 1u << 2;
    /* The slave's INT output is an input line of the master like any
     * other, edge or level as the master is programmed. */
    bool level_mode = m->ltim || (m->elcr & bit);
    if (slave_int) {
        if (level_mode || (m->edge_armed & bit)) {
            m->irr |= bit;
        }
        m->edge_armed &= ~bit;
        m->lines |= bit;
    } else {
        if (level_mode) {
            m->irr &= ~bit;
        }
        m->edge_armed |= bit;
        m->lines &= ~bit;
    }
    bool out = pic_pending(m, true) >= 0;
    if (out != p->intr_level) {
        p->intr_level = out;
        irq_set(&p->intr, out);
    }
}

void i8259_set_irq(struct i8259 *p, int n, int level)
{
    if (n < 0 || n >= 16) {
        return;
    }
    if (n == 2) {
        /* The master's IR2 carries the cascade; the AT routes the ISA
         * slot's IRQ2 pin to IRQ9 so that PC/XT cards still work. */
        n = 9;
    }
    struct pic_chip *c = &p->chip[n >> 3];
    uint8_t bit = 1u << (n & 7);
    if (c->ltim || (c->elcr & bit)) {
        if (level) {
            c->irr |= bit;
        } else {
            c->irr &= ~bit;
        }
    } else if (level) {
        if (c->edge_armed & bit) {
            c->irr |= bit;
        }
        c->edge_armed &= ~bit;
    } else {
        /* IRR keeps an edge request after the line drops: devices that
         * pulse their line (irq_pulse) rely on it, as they do on QEMU. */
        c->edge_armed |= bit;
    }
    if (level) {
        c->lines |= bit;
    } else {
        c->lines &= ~bit;
    }
    pic_update(p);
}

static void pic_bus_irq(void *opaque, int n, int level)
{
    i8259_set_irq(opaque, n, level);
}

/* Accept IR irq on chip c: what INTA and the poll command do. */
static void pic_ack(struct pic_chip *c, int irq)
{
    uint8_t bit = 1u << irq;
    if (!(c->ltim || (c->elcr & bit))) {
        c->irr &= ~bit;
    }
    if (c->auto_eoi) {
        if (c->rotate_aeoi) {
            c->prio_base = (irq + 1) & 7;
        }
    } else {
        c->isr |= bit;
    }
}

uint8_t i8259_inta(struct i8259 *p)
{
    struct pic_chip *m = &p->chip[0], *s = &p->chip[1];
    uint8_t vec;
    int irq = pic_pending(m, true);
    if (irq < 0) {
        /* The request went away between INTR and INTA. */
        vec = m->vector_base | 7;
    } else {
        pic_ack(m, irq);
        if (irq == 2 && !m->single) {
            int sirq = pic_pending(s, false);
            if (sirq < 0) {
                vec = s->vector_base | 7;
            } else {
                pic_ack(s, sirq);
                vec = s->vector_base | sirq;
            }
            /* The slave's INT drops during the acknowledge and rises
             * again if it has more to offer (AEOI, or a higher request),
             * giving the edge-triggered IR2 a fresh edge. */
            m->edge_armed |= 1u << 2;
            m->lines &= ~(1u << 2);
        } else {
            vec = m->vector_base | irq;
        }
    }
    pic_update(p);
    return vec;
}

bool i8259_intr_pending(const struct i8259 *p)
{
    return p->intr_level;
}

/* ---------------------------------------------------------------------------
 * Command and data ports
 */

static void pic_eoi(struct pic_chip *c, int irq, bool rotate)
{
    if (irq < 0 || irq > 7) {
        return;
    }
    c->isr &= ~(1u << irq);
    if (rotate) {
        c->prio_base = (irq + 1) & 7;
    }
}

static void pic_ocw2(struct pic_chip *c, uint8_t val)
{
    int level = val & 7;
    int highest = pic_rank(c, c->isr);
    int top = highest < 8 ? (c->prio_base + highest) & 7 : -1;

    switch (val >> 5) {
    case 0: /* clear rotate in automatic EOI mode */
        c->rotate_aeoi = false;
        break;
    case 4: /* set rotate in automatic EOI mode */
        c->rotate_aeoi = true;
        break;
    case 1: /* non-specific EOI */
        pic_eoi(c, top, false);
        break;
    case 5: /* rotate on non-specific EOI */
        pic_eoi(c, top, true);
        break;
    case 3: /* specific EOI */
        pic_eoi(c, level, false);
        break;
    case 7: /* rotate on specific EOI */
        pic_eoi(c, level, true);
        break;
    case 6: /* set priority: level becomes the lowest */
        c->prio_base = (level + 1) & 7;
        break;
    default: /* 2: no operation */
        break;
    }
}

static void pic_icw1(struct pic_chip *c, uint8_t val)
{
    c->icw4_needed = val & 0x01;
    c->single = val & 0x02;
    c->ltim = val & 0x08;
    c->init_step = 2;
    c->imr = 0;
    c->isr = 0;
    c->prio_base = 0;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->auto_eoi = false;
    c->rotate_aeoi = false;
    c->sfnm = false;
    /* The edge sense latch is reset: an input that is high now must go
     * low and high again to request. */
    c->edge_armed = ~c->lines;
    c->irr = c->lines & (c->ltim ? 0xff : c->elcr);
}

static uint64_t pic_read(void *opaque, uint64_t off, unsigned size)
{
    struct pic_chip *c = opaque;
    uint8_t val;
    if (off == 0 && c->poll) {
        /* Poll command: the read itself acknowledges, with INTR unused. */
        c->poll = false;
        int irq = pic_pending(c, c->master);
        if (irq < 0) {
            return 0;
        }
        pic_ack(c, irq);
        pic_update(c->owner);
        return 0x80 | irq;
    }
    if (off == 0) {
        val = c->read_isr ? c->isr : c->irr;
    } else {
        val = c->imr;
    }
    return val;
}

static void pic_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct pic_chip *c = opaque;
    uint8_t val = v;

    if (off == 0) {
        if (val & 0x10) {
            pic_icw1(c, val);
        } else if (val & 0x08) {
            /* OCW3 */
            if (val & 0x04) {
                c->poll = true;
            }
            if ((val & 0x03) == 0x02) {
                c->read_isr = false;
            } else if ((val & 0x03) == 0x03) {
                c->read_isr = true;
            }
            if ((val & 0x60) == 0x40) {
                c->special_mask = false;
            } else if ((val & 0x60) == 0x60) {
                c->special_mask = true;
            }
        } else {
            pic_ocw2(c, val);
        }
    } else {
        switch (c->init_step) {
        case 2:
            c->vector_base = val & 0xf8;
            c->init_step = !c->single ? 3 : c->icw4_needed ? 4 : 0;
            break;
        case 3:
            c->icw3 = val;
            c->init_step = c->icw4_needed ? 4 : 0;
            break;
        case 4:
            /* uPM (bit 0) is assumed: an x86 CPU takes one vector byte. */
            c->auto_eoi = val & 0x02;
            c->sfnm = val & 0x10;
            c->init_step = 0;
            break;
        default:
            c->imr = val;   /* OCW1 */
            break;
        }
    }
    pic_update(c->owner);
}

static const struct mem_ops pic_ops = {
    .read = pic_read,
    .write = pic_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,     /* wider accesses split, as on QEMU */
};

static uint64_t elcr_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8259 *p = opaque;
    return p->chip[off & 1].elcr;
}

static void elcr_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct i8259 *p = opaque;
    struct pic_chip *c = &p->chip[off & 1];
    c->elcr = v & c->elcr_mask;
    /* A line switched to level mode requests for as long as it is high. */
    c->irr = (c->irr & ~c->elcr) | (c->lines & c->elcr);
    pic_update(p);
}

static const struct mem_ops elcr_ops = {
    .read = elcr_read,
    .write = elcr_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,     /* wider accesses split, as on QEMU */
};

/* ---------------------------------------------------------------------------
 * Device
 */

static void i8259_reset(struct device *dev)
{
    struct i8259 *p = (struct i8259 *)dev;
    for (int i = 0; i < 2; i++) {
        struct pic_chip *c = &p->chip[i];
        uint8_t lines = c->lines;
        memset(c, 0, sizeof(*c));
        c->owner = p;
        c->master = i == 0;
        c->lines = lines;
        c->edge_armed = ~lines;
        /* IRQ0, 1, 2, 8 and 13 are wired edge-only on the PIIX. */
        c->elcr_mask = i == 0 ? 0xf8 : 0xde;
    }
    pic_update(p);
}

static int i8259_realize(struct device *dev, struct err **errp)
{
    struct i8259 *p = (struct i8259 *)dev;
    struct isa_bus *bus = isa_bus_get(dev->type->name, errp);
    if (!bus) {
        return -1;
    }
    mem_region_init_io(&p->mr[0], "pic-master", 2, &pic_ops, &p->chip[0]);
    mem_region_init_io(&p->mr[1], "pic-slave", 2, &pic_ops, &p->chip[1]);
    mem_region_init_io(&p->mr_elcr, "elcr", 2, &elcr_ops, p);
    isa_map_io(bus, &p->mr[0], 0x20);
    isa_map_io(bus, &p->mr[1], 0xa0);
    isa_map_io(bus, &p->mr_elcr, 0x4d0);
    for (int i = 0; i < 2; i++) {
        p->chip[i].lines = 0;
    }
    i8259_reset(dev);
    for (int n = 0; n < ISA_NUM_IRQS; n++) {
        bus->irq[n] = (struct irq_line){ pic_bus_irq, p, n };
    }
    return 0;
}

static const struct prop i8259_props[] = {
    { NULL },
};

static const struct dev_type i8259_type = {
    .name = "isa-i8259",
    .category = "Misc devices",
    .desc = "8259A PIC pair with ELCR",
    .bus = BUS_ISA,
    .size = sizeof(struct i8259),
    .props = i8259_props,
    .user_creatable = false,
    .realize = i8259_realize,
    .reset = i8259_reset,
};
DEV_TYPE(i8259_type);

struct i8259 *i8259_create(struct isa_bus *bus, const struct irq_line *intr,
                           struct err **errp)
{
    struct isa_bus *saved = isa_bus_current;
    isa_bus_current = bus;
    struct i8259 *p = (struct i8259 *)dev_create(&i8259_type, NULL, errp);
    isa_bus_current = saved;
    if (p && intr) {
        p->intr = *intr;
    }
    return p;
}
