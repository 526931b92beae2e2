/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * i8254.c - the Intel 8254 programmable interval timer as wired on the
 * PC/AT: three counters clocked at 1.193182 MHz; counter 0's OUT is ISA
 * IRQ 0, counter 1 is the (unused) DRAM refresh timer, counter 2 feeds the
 * speaker with its gate on bit 0 of port 0x61.
 *
 * Reference: Intel 8254 datasheet (order 231164): control word, modes 0-5,
 * counter latch and read-back commands, read/write of LSB/MSB, BCD
 * counting, gate behaviour per mode.  IBM PC/AT Technical Reference for
 * port 0x61 (speaker data, gate 2, refresh toggle, OUT2).
 *
 * The counters are not stepped: each keeps the time it was loaded (or
 * last triggered) and derives its count and OUT from the guest clock when
 * asked.  A timer only exists for counter 0, armed at OUT's next change.
 */
#include "emu/osdep.h"

#include "emu/hw/dev.h"
#include "emu/hw/i8254.h"
#include "emu/hw/isa.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

enum { RW_LATCH, RW_LSB, RW_MSB, RW_WORD };

/* The shortest interval between IRQ 0 wake-ups, in PIT clocks (25 us),
 * for periods too short to wake up twice in each. */
#define PIT_MIN_IRQ_TICKS 30

struct pit_counter {
    struct i8254 *pit;
    int idx;
    uint8_t mode, rw, bcd;
    uint32_t n;             /* effective initial count, 1..0x10000 */
    int64_t load_ns;        /* when counting (re)started */
    bool gate;
    bool waiting;           /* modes 1, 5: loaded, no trigger yet */
    bool frozen;            /* modes 0, 4: gate low holds the count */
    int64_t frozen_ticks;
    bool null_count;        /* a count was written but not loaded yet */
    bool have_count;        /* a count has been loaded since the mode */
    bool write_msb_next;
    uint8_t write_lsb;
    bool read_msb_next;
    /* Latches: a latched count stays until it is read out. */
    bool count_latched;
    uint8_t latch_bytes;    /* bytes of the latch still to read */
    uint16_t latch_val;
    bool status_latched;
    uint8_t status;
    /* IRQ 0 bookkeeping (counter 0 only) */
    bool irq_level;
    int64_t irq_cycle;
};

struct i8254 {
    struct device dev;
    uint32_t iobase;
    struct pit_counter c[3];
    uint8_t port61;         /* bits 0-3 as last written */
    struct isa_timer *timer;
    const struct irq_line *irq0;
    struct mem_region mr, mr61;
};

/* ---------------------------------------------------------------------------
 * Time and counts
 */

static int64_t ns_to_ticks(int64_t ns)
{
    return ns <= 0 ? 0 : isa_muldiv64(ns, PIT_FREQ, NS_PER_SEC);
}

/* The first nanosecond at which ns_to_ticks reaches ticks (rounding up
 * keeps a timer armed for a tick from firing just before it). */
static int64_t ticks_to_ns(int64_t ticks)
{
    if (ticks <= 0) {
        return 0;
    }
    return (int64_t)(((__int128)ticks * NS_PER_SEC + PIT_FREQ - 1) / PIT_FREQ);
}

/* Clock pulses counted since the load or trigger. */
static int64_t pit_elapsed(const struct pit_counter *c, int64_t now)
{
    if (c->frozen) {
        return c->frozen_ticks;
    }
    return ns_to_ticks(now - c->load_ns);
}

static bool pit_counting(const struct pit_counter *c)
{
    return c->have_count && !c->waiting;
}

static uint32_t pit_modulus(const struct pit_counter *c)
{
    return c->bcd ? 10000 : 0x10000;
}

/* The counting element's value at now (binary, before BCD encoding). */
static uint32_t pit_count(const struct pit_counter *c, int64_t now)
{
    if (!pit_counting(c)) {
        return c->n % pit_modulus(c);
    }
    int64_t d = pit_elapsed(c, now);
    uint32_t n = c->n, mod = pit_modulus(c);
    switch (c->mode) {
    case 2:
        return n - (uint32_t)(d % n);
    case 3: {
        /* Counts by two through each half of the period. */
        uint32_t hi = (n + 1) / 2, r = (uint32_t)(d % n);
        uint32_t phase = r < hi ? r : r - hi;
        int64_t v = (int64_t)(n & ~1u) - 2 * (int64_t)phase;
        return v > 0 ? (uint32_t)v : (n & ~1u);
    }
    default:
        /* Modes 0, 1, 4, 5 keep counting down past zero and wrap. */
        return (uint32_t)(((int64_t)n - d % mod + mod) % mod);
    }
}

static bool pit_out_at(const struct pit_counter *c, int64_t d)
{
    uint32_t n = c->n;
    switch (c->mode) {
    case 0:
        return d >= n;
    case 1:
        return c->waiting || d >= n;
    case 2:
        return c->waiting || n < 2 || d % n != n - 1;
    case 3:
        return (uint32_t)(d % n) < (n + 1) / 2;
    default: /* 4, 5: one low clock at terminal count */
        return c->waiting || d != n;
    }
}

static bool pit_out(const struct pit_counter *c, int64_t now)
{
    if (!c->have_count) {
        /* After a control word: low in mode 0, high in the others. */
        return c->mode != 0;
    }
    if (!c->gate && (c->mode == 2 || c->mode == 3)) {
        return true;
    }
    return pit_out_at(c, c->waiting ? 0 : pit_elapsed(c, now));
}

/* Elapsed tick count of OUT's next change after d, or -1 if none. */
static int64_t pit_next_change(const struct pit_counter *c, int64_t d)
{
    int64_t n = c->n, base = d - d % n;
    switch (c->mode) {
    case 0:
    case 1:
        return d < n ? n : -1;
    case 2:
        if (n < 2) {
            return -1;
        }
        return d % n < n - 1 ? base + n - 1 : base + n;
    case 3: {
        int64_t hi = (n + 1) / 2;
        return d % n < hi ? base + hi : base + n;
    }
    default:
        return d < n ? n : d == n ? n + 1 : -1;
    }
}

static uint16_t to_bcd(uint32_t v)
{
    return (v % 10) | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 |
           (v / 1000 % 10) << 12;
}

static uint32_t from_bcd(uint16_t v)
{
    return (v & 15) % 10 + ((v >> 4) & 15) % 10 * 10 +
           ((v >> 8) & 15) % 10 * 100 + ((v >> 12) & 15) % 10 * 1000;
}

/* ---------------------------------------------------------------------------
 * IRQ 0
 */

static void pit_irq_update(struct i8254 *pit)
{
    struct pit_counter *c = &pit->c[0];
    int64_t now = isa_time_ns();
    bool out = pit_out(c, now);

    if (pit_counting(c) && c->gate && (c->mode == 2 || c->mode == 3)) {
        /* Each period must give the PIC one rising edge.  Mode 2's short
         * low phase is never scheduled (see below), and a late or merged
         * wake-up may miss an edge of mode 3: when a period ended and
         * what follows is not a rising edge, make one. */
        int64_t cycle = pit_elapsed(c, now) / c->n;
        if (cycle > c->irq_cycle && !(out && !c->irq_level)) {
            if (c->irq_level) {
                irq_set(pit->irq0, 0);
            }
            irq_set(pit->irq0, 1);
            c->irq_level = true;
        }
        c->irq_cycle = cycle;
    }
    if (out != c->irq_level) {
        c->irq_level = out;
        irq_set(pit->irq0, out);
    }
    isa_timer_del(pit->timer);
    if (pit_counting(c) && !c->frozen && c->gate) {
        int64_t d = pit_elapsed(c, now);
        /* Mode 2's low phase lasts one clock: rather than wake for both
         * of its edges, wake at the reload and pulse the line there. */
        int64_t next = c->mode == 2 ? (d / c->n + 1) * c->n
                                    : pit_next_change(c, d);
        if (next >= 0 && (c->mode == 2 || c->mode == 3) &&
            c->n < 2 * PIT_MIN_IRQ_TICKS) {
            /* A guest-chosen tiny count must not make the host spin:
             * interrupts beyond ~40 kHz are merged (lost ticks). */
            next = MAX(next, d + PIT_MIN_IRQ_TICKS);
        }
        if (next >= 0) {
            isa_timer_mod(pit->timer, c->load_ns + ticks_to_ns(next));
        }
    }
}

static void pit_timer_cb(void *opaque)
{
    pit_irq_update(opaque);
}

static void pit_changed(struct pit_counter *c)
{
    if (c->idx == 0) {
        c->irq_cycle = 0;
        pit_irq_update(c->pit);
    }
}

/* ---------------------------------------------------------------------------
 * Programming
 */

static void pit_load(struct pit_counter *c, uint16_t raw, int64_t now)
{
    uint32_t n = c->bcd ? from_bcd(raw) : raw;
    if (n == 0) {
        n = pit_modulus(c);     /* 0 stands for the largest count */
    }
    c->n = n;
    c->null_count = false;
    bool had = c->have_count;
    c->have_count = true;
    c->frozen = false;
    switch (c->mode) {
    case 1:
    case 5:
        /* Counting starts on a gate trigger, not on the write. */
        if (!had) {
            c->waiting = true;
        }
        break;
    case 2:
    case 3:
        /* With the gate low these wait for it to rise. */
        c->waiting = !c->gate;
        c->load_ns = now;
        break;
    default:
        c->waiting = false;
        c->load_ns = now;
        if (!c->gate) {
            c->frozen = true;
            c->frozen_ticks = 0;
        }
        break;
    }
    pit_changed(c);
}

static void pit_set_gate(struct pit_counter *c, bool gate)
{
    int64_t now = isa_time_ns();
    if (gate == c->gate) {
        return;
    }
    c->gate = gate;
    switch (c->mode) {
    case 0:
    case 4:
        /* Gate low suspends counting; high resumes where it stopped. */
        if (!c->have_count) {
            break;
        }
        if (!gate) {
            c->frozen_ticks = pit_elapsed(c, now);
            c->frozen = true;
        } else {
            c->load_ns = now - ticks_to_ns(c->frozen_ticks);
            c->frozen = false;
        }
        break;
    case 2:
    case 3:
        /* Gate low stops the count and forces OUT high; high restarts it
         * from the initial value. */
        if (c->have_count) {
            c->waiting = !gate;
            c->load_ns = now;
        }
        break;
    case 1:
    case 5:
        /* A rising gate (re)starts the count from the initial value. */
        if (gate && c->have_count) {
            c->waiting = false;
            c->load_ns = now;
        }
        break;
    }
    pit_changed(c);
}

static void pit_latch_count(struct pit_counter *c, int64_t now)
{
    if (c->count_latched) {
        return;     /* a second latch before the read is ignored */
    }
    uint32_t v = pit_count(c, now);
    c->latch_val = c->bcd ? to_bcd(v) : (uint16_t)v;
    c->count_latched = true;
    c->latch_bytes = c->rw == RW_WORD ? 2 : 1;
    c->read_msb_next = c->rw == RW_MSB;
}

static void pit_latch_status(struct pit_counter *c, int64_t now)
{
    if (c->status_latched) {
        return;
    }
    c->status = (pit_out(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
                c->rw << 4 | c->mode << 1 | c->bcd;
    c->status_latched = true;
}

static void pit_control(struct i8254 *pit, uint8_t val, int64_t now)
{
    int sel = val >> 6;
    if (sel == 3) {
        /* Read-back: bit 5 low latches counts, bit 4 low the status. */
        for (int i = 0; i < 3; i++) {
            if (!(val & (2 << i))) {
                continue;
            }
            if (!(val & 0x10)) {
                pit_latch_status(&pit->c[i], now);
            }
            if (!(val & 0x20)) {
                pit_latch_count(&pit->c[i], now);
            }
        }
        return;
    }
    struct pit_counter *c = &pit->c[sel];
    int rw = (val >> 4) & 3;
    if (rw == RW_LATCH) {
        pit_latch_count(c, now);
        return;
    }
    c->rw = rw;
    c->mode = (val >> 1) & 7;
    if (c->mode > 5) {
        c->mode -= 4;   /* 6 and 7 are aliases of 2 and 3 */
    }
    c->bcd = val & 1;
    c->have_count = false;
    c->waiting = false;
    c->frozen = false;
    c->null_count = true;
    c->write_msb_next = false;
    c->read_msb_next = false;
    c->count_latched = false;
    c->status_latched = false;
    pit_changed(c);
}

static uint64_t pit_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8254 *pit = opaque;
    if (off >= 3) {
        return 0xff;    /* the control register is write-only */
    }
    struct pit_counter *c = &pit->c[off];
    int64_t now = isa_time_ns();
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    uint16_t v;
    if (c->count_latched) {
        v = c->latch_val;
        if (--c->latch_bytes == 0) {
            c->count_latched = false;
        }
    } else {
        uint32_t cnt = pit_count(c, now);
        v = c->bcd ? to_bcd(cnt) : (uint16_t)cnt;
    }
    bool msb;
    switch (c->rw) {
    case RW_MSB:
        msb = true;
        break;
    case RW_WORD:
        msb = c->read_msb_next;
        c->read_msb_next = !c->read_msb_next;
        break;
    default:
        msb = false;
        break;
    }
    return msb ? v >> 8 : v & 0xff;
}

static void pit_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct i8254 *pit = opaque;
    uint8_t val = v;
    int64_t now = isa_time_ns();
    if (off == 3) {
        pit_control(pit, val, now);
        return;
    }
    if (off > 3) {
        return;
    }
    struct pit_counter *c = &pit->c[off];
    switch (c->rw) {
    case RW_LSB:
        pit_load(c, val, now);
        break;
    case RW_MSB:
        pit_load(c, val << 8, now);
        break;
    case RW_WORD:
        if (!c->write_msb_next) {
            c->write_lsb = val;
            c->write_msb_next = true;
        } else {
            c->write_msb_next = false;
            pit_load(c, c->write_lsb | val << 8, now);
        }
        break;
    default:
        break;
    }
}

static const struct mem_ops pit_ops = {
    .read = pit_read,
    .write = pit_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,     /* wider accesses split, as on QEMU */
};

/* ---------------------------------------------------------------------------
 * Port 0x61: system control port B
 */

/* The refresh request bit toggles every 15.085 us; BIOS delay loops and
 * some guests count its transitions. */
#define REFRESH_PERIOD_NS 15085

static uint64_t port61_read(void *opaque, uint64_t off, unsigned size)
{
    struct i8254 *pit = opaque;
    int64_t now = isa_time_ns();
    uint8_t v = pit->port61 & 0x0f;
    if ((now / REFRESH_PERIOD_NS) & 1) {
        v |= 0x10;
    }
    if (pit_out(&pit->c[2], now)) {
        v |= 0x20;
    }
    return v;
}

static void port61_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct i8254 *pit = opaque;
    pit->port61 = v & 0x0f;
    pit_set_gate(&pit->c[2], v & 1);
}

static const struct mem_ops port61_ops = {
    .read = port61_read,
    .write = port61_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,     /* wider accesses split, as on QEMU */
};

/* ---------------------------------------------------------------------------
 * Device
 */

bool i8254_out(struct i8254 *pit, int n)
{
    if (n < 0 || n > 2) {
        return false;
    }
    return pit_out(&pit->c[n], isa_time_ns());
}

bool i8254_speaker_enabled(const struct i8254 *pit)
{
    return (pit->port61 & 3) == 3;
}

static void i8254_reset(struct device *dev)
{
    struct i8254 *pit = (struct i8254 *)dev;
    for (int i = 0; i < 3; i++) {
        struct pit_counter *c = &pit->c[i];
        memset(c, 0, sizeof(*c));
        c->pit = pit;
        c->idx = i;
        c->mode = 3;
        c->rw = RW_WORD;
        c->n = 0x10000;
        c->gate = i != 2;   /* gates 0 and 1 are tied high */
    }
    pit->port61 = 0;
    if (pit->timer) {
        isa_timer_del(pit->timer);
    }
    irq_set(pit->irq0, 0);
}

static int i8254_realize(struct device *dev, struct err **errp)
{
    struct i8254 *pit = (struct i8254 *)dev;
    struct isa_bus *bus = isa_bus_get(dev->type->name, errp);
    if (!bus) {
        return -1;
    }
    if (pit->iobase > 0xfffc) {
        err_setf(errp, "Property 'isa-pit.iobase' out of range");
        return -1;
    }
    pit->irq0 = isa_irq(bus, 0);
    pit->timer = isa_timer_new(pit_timer_cb, pit);
    mem_region_init_io(&pit->mr, "pit", 4, &pit_ops, pit);
    mem_region_init_io(&pit->mr61, "port61", 1, &port61_ops, pit);
    isa_map_io(bus, &pit->mr, pit->iobase);
    isa_map_io(bus, &pit->mr61, 0x61);
    i8254_reset(dev);
    return 0;
}

static const struct prop i8254_props[] = {
    PROP("iobase", PROP_U32, struct i8254, iobase, "0x40", "I/O base"),
    { NULL },
};

static const struct dev_type i8254_type = {
    .name = "isa-pit",
    .category = "Misc devices",
    .desc = "8254 interval timer",
    .bus = BUS_ISA,
    .size = sizeof(struct i8254),
    .props = i8254_props,
    .user_creatable = false,
    .realize = i8254_realize,
    .reset = i8254_reset,
};
DEV_TYPE(i8254_type);

struct i8254 *i8254_create(struct isa_bus *bus, struct err **errp)
{
    struct isa_bus *saved = isa_bus_current;
    isa_bus_current = bus;
    struct device *dev = dev_create(&i8254_type, NULL, errp);
    isa_bus_current = saved;
    return (struct i8254 *)dev;
}
