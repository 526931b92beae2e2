/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mc146818.c - the Motorola MC146818A real-time clock with 128 bytes of
 * CMOS RAM as on the PC/AT: index port 0x70 (bit 7 masks NMI), data port
 * 0x71, IRQ 8.
 *
 * Reference: Motorola MC146818A datasheet: time, calendar and alarm
 * registers in BCD or binary with 12/24-hour modes; register A (UIP,
 * divider, rate select), B (SET, PIE, AIE, UIE, DM, 24/12), C (IRQF, PF,
 * AF, UF, cleared by reading), D (VRT).  IBM PC/AT Technical Reference for
 * the CMOS layout (0x0e-0x3f) and the century byte at 0x32.
 *
 * The clock is not ticked: it is a guest second count anchored at a
 * virtual time, turned into register values when the guest reads them.
 * Flags are brought up to date when register C is read or a timer fires,
 * and timers run only while an interrupt is enabled.  With -rtc
 * clock=host or rt (QEMU's default is host) the time that passes while the
 * VM is paused is added on resume; clock=vm stops with the VM.
 */
#include "emu/osdep.h"

#include "emu/hw/dev.h"
#include "emu/hw/isa.h"
#include "emu/hw/mc146818.h"
#include "emu/mem/mem.h"
#include "emu/loop/loop.h"      /* clock_ns */
#include "emu/util/cutils.h"    /* clock_wall_ns */
#include "emu/vm/runstate.h"    /* vm_register_state_change */
#include "emu/util/err.h"

enum {
    REG_SEC, REG_SEC_ALARM, REG_MIN, REG_MIN_ALARM, REG_HOUR, REG_HOUR_ALARM,
    REG_WDAY, REG_MDAY, REG_MONTH, REG_YEAR,
    REG_A = 0x0a, REG_B, REG_C, REG_D,
    REG_CENTURY = 0x32,
};

#define A_UIP 0x80
#define A_DV_MASK 0x70
#define A_DV_32K 0x20       /* the only divider setting that keeps time */
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_DM_BIN 0x04
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80

/* UIP rises this long before each update (datasheet tBUC). */
#define UIP_LEAD_NS 244000

struct rtc {
    struct device dev;
    uint8_t cmos[128];
    uint8_t index;
    bool nmi_masked;
    /* The clock: guest second base_sec began at virtual time base_ns.
     * While stopped (SET or divider off) the time is frozen at base_sec. */
    int64_t base_sec;
    int64_t base_ns;
    bool stopped;
    int64_t last_update_sec;    /* last second whose update was flagged */
    /* Periodic flag: boundaries counted from period_base_ns. */
    int64_t period_base_ns;
    int64_t last_period;
    const struct irq_line *irq;
    bool irq_level;
    struct isa_timer *update_timer, *periodic_timer;
    struct mem_region mr;
    enum rtc_clock clock;
    int64_t paused_at;          /* rtc_clock_ns() when the VM stopped */
    bool paused;
};

/* ---------------------------------------------------------------------------
 * The clock
 */

static bool rtc_running(const struct rtc *s)
{
    return !s->stopped;
}

static int64_t rtc_now_sec(const struct rtc *s, int64_t now)
{
    if (!rtc_running(s) || now < s->base_ns) {
        return s->base_sec;
    }
    return s->base_sec + (now - s->base_ns) / NS_PER_SEC;
}

static uint8_t rtc_enc(const struct rtc *s, int v)
{
    if (s->cmos[REG_B] & B_DM_BIN) {
        return v;
    }
    return (v / 10) << 4 | v % 10;
}

static int rtc_dec(const struct rtc *s, uint8_t v)
{
    if (s->cmos[REG_B] & B_DM_BIN) {
        return v;
    }
    return ((v >> 4) & 15) * 10 + (v & 15);
}

static uint8_t rtc_enc_hour(const struct rtc *s, int h)
{
    if (s->cmos[REG_B] & B_24H) {
        return rtc_enc(s, h);
    }
    /* 12-hour mode: 12 AM is midnight, bit 7 marks PM. */
    int h12 = h % 12 ? h % 12 : 12;
    return rtc_enc(s, h12) | (h >= 12 ? 0x80 : 0);
}

static int rtc_dec_hour(const struct rtc *s, uint8_t v)
{
    if (s->cmos[REG_B] & B_24H) {
        return rtc_dec(s, v);
    }
    int h = rtc_dec(s, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* Copy the current time into the time and calendar registers. */
static void rtc_to_regs(struct rtc *s, int64_t now)
{
    time_t t = (time_t)rtc_now_sec(s, now);
    struct tm tm;
    gmtime_r(&t, &tm);
    s->cmos[REG_SEC] = rtc_enc(s, tm.tm_sec);
    s->cmos[REG_MIN] = rtc_enc(s, tm.tm_min);
    s->cmos[REG_HOUR] = rtc_enc_hour(s, tm.tm_hour);
    s->cmos[REG_WDAY] = rtc_enc(s, tm.tm_wday + 1);
    s->cmos[REG_MDAY] = rtc_enc(s, tm.tm_mday);
    s->cmos[REG_MONTH] = rtc_enc(s, tm.tm_mon + 1);
    int year = tm.tm_year + 1900;
    s->cmos[REG_YEAR] = rtc_enc(s, year % 100);
    s->cmos[REG_CENTURY] = rtc_enc(s, year / 100);
}

/* The time the guest wrote into the registers. */
static int64_t rtc_from_regs(struct rtc *s)
{
    struct tm tm = { 0 };
    tm.tm_sec = rtc_dec(s, s->cmos[REG_SEC]);
    tm.tm_min = rtc_dec(s, s->cmos[REG_MIN]);
    tm.tm_hour = rtc_dec_hour(s, s->cmos[REG_HOUR]);
    tm.tm_mday = rtc_dec(s, s->cmos[REG_MDAY]);
    tm.tm_mon = rtc_dec(s, s->cmos[REG_MONTH]) - 1;
    int century = rtc_dec(s, s->cmos[REG_CENTURY]);
    if (century < 19 || century > 99) {
        century = 20;
    }
    tm.tm_year = century * 100 + rtc_dec(s, s->cmos[REG_YEAR]) - 1900;
    return (int64_t)timegm(&tm);
}

/* ---------------------------------------------------------------------------
 * Interrupts
 */

static void rtc_irq_update(struct rtc *s)
{
    uint8_t c = s->cmos[REG_C] & (C_PF | C_AF | C_UF);
    uint8_t en = s->cmos[REG_B] & (B_PIE | B_AIE | B_UIE);
    /* PF/AF/UF line up with PIE/AIE/UIE. */
    if (c & en) {
        s->cmos[REG_C] |= C_IRQF;
    }
    bool level = s->cmos[REG_C] & C_IRQF;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
}

static bool alarm_match(uint8_t alarm, uint8_t now)
{
    return (alarm & 0xc0) == 0xc0 || alarm == now;   /* 11xxxxxx: any */
}

/* Periodic interrupt period in 32.768 kHz clocks, 0 when off. */
static int64_t rtc_period_clocks(const struct rtc *s)
{
    int rs = s->cmos[REG_A] & 0x0f;
    if (!rs || (s->cmos[REG_A] & A_DV_MASK) != A_DV_32K) {
        return 0;
    }
    /* Rates 1 and 2 repeat 8 and 9 (256 and 128 Hz), per the table. */
    return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
}

static int64_t rtc_period_index(const struct rtc *s, int64_t now, int64_t clk)
{
    if (now <= s->period_base_ns) {
        return 0;
    }
    return (int64_t)((__int128)(now - s->period_base_ns) * 32768 /
                     ((__int128)NS_PER_SEC * clk));
}

/* Bring PF, UF and AF up to date with the clock, and re-arm the timers
 * for the interrupts that are enabled. */
static void rtc_catch_up(struct rtc *s)
{
    int64_t now = isa_time_ns();
    int64_t clk = rtc_period_clocks(s);

    if (clk) {
        int64_t k = rtc_period_index(s, now, clk);
        if (k > s->last_period) {
            s->cmos[REG_C] |= C_PF;
        }
        s->last_period = k;
    }
    if (rtc_running(s)) {
        int64_t sec = rtc_now_sec(s, now);
        if (sec > s->last_update_sec) {
            s->cmos[REG_C] |= C_UF;
            rtc_to_regs(s, now);
            if (alarm_match(s->cmos[REG_SEC_ALARM], s->cmos[REG_SEC]) &&
                alarm_match(s->cmos[REG_MIN_ALARM], s->cmos[REG_MIN]) &&
                alarm_match(s->cmos[REG_HOUR_ALARM], s->cmos[REG_HOUR])) {
                s->cmos[REG_C] |= C_AF;
            }
        }
        s->last_update_sec = sec;
    }
    rtc_irq_update(s);

    isa_timer_del(s->periodic_timer);
    if (clk && (s->cmos[REG_B] & B_PIE)) {
        __int128 k1 = s->last_period + 1;
        int64_t next = s->period_base_ns +
            (int64_t)((k1 * clk * NS_PER_SEC + 32767) / 32768);
        isa_timer_mod(s->periodic_timer, next);
    }
    isa_timer_del(s->update_timer);
    if (rtc_running(s) && (s->cmos[REG_B] & (B_UIE | B_AIE))) {
        int64_t next = s->base_ns +
            (s->last_update_sec + 1 - s->base_sec) * NS_PER_SEC;
        isa_timer_mod(s->update_timer, next);
    }
}

static void rtc_timer_cb(void *opaque)
{
    rtc_catch_up(opaque);
}

/* Start counting seconds again from now: the first update comes one
 * second (delay_ns) later. */
static void rtc_restart(struct rtc *s, int64_t sec, int64_t delay_ns)
{
    int64_t now = isa_time_ns();
    s->base_sec = sec;
    s->base_ns = now + delay_ns - NS_PER_SEC;
    s->last_update_sec = sec;
}

static void rtc_stop(struct rtc *s)
{
    int64_t now = isa_time_ns();
    rtc_to_regs(s, now);    /* what the registers show while stopped */
    s->base_sec = rtc_now_sec(s, now);
    s->stopped = true;
}

/* ---------------------------------------------------------------------------
 * Ports
 */

static uint8_t rtc_read_reg(struct rtc *s, uint8_t idx)
{
    int64_t now = isa_time_ns();
    switch (idx) {
    case REG_SEC:
    case REG_MIN:
    case REG_HOUR:
    case REG_WDAY:
    case REG_MDAY:
    case REG_MONTH:
    case REG_YEAR:
    case REG_CENTURY:
        if (rtc_running(s)) {
            rtc_to_regs(s, now);
        }
        return s->cmos[idx];
    case REG_A: {
        uint8_t a = s->cmos[REG_A] & ~A_UIP;
        if (rtc_running(s) && now >= s->base_ns &&
            (now - s->base_ns) % NS_PER_SEC >= NS_PER_SEC - UIP_LEAD_NS) {
            a |= A_UIP;
        }
        return a;
    }
    case REG_C: {
        rtc_catch_up(s);
        uint8_t c = s->cmos[REG_C];
        s->cmos[REG_C] = 0;
        rtc_irq_update(s);
        return c;
    }
    default:
        return s->cmos[idx];
    }
}

static void rtc_write_reg(struct rtc *s, uint8_t idx, uint8_t val)
{
    int64_t now = isa_time_ns();
    switch (idx) {
    case REG_SEC:
    case REG_MIN:
    case REG_HOUR:
    case REG_WDAY:
    case REG_MDAY:
    case REG_MONTH:
    case REG_YEAR:
    case REG_CENTURY:
        if (!rtc_running(s)) {
            s->cmos[idx] = val;
            /* Under SET the new time is taken when SET is cleared; with
             * only the divider stopped it is the time from now on. */
            if (!(s->cmos[REG_B] & B_SET)) {
                s->base_sec = rtc_from_regs(s);
            }
            break;
        }
        /* Without SET the new value applies at once, keeping the phase of
         * the current second. */
        rtc_to_regs(s, now);
        s->cmos[idx] = val;
        s->base_sec += rtc_from_regs(s) - rtc_now_sec(s, now);
        s->last_update_sec = rtc_now_sec(s, now);
        break;
    case REG_A: {
        bool was = (s->cmos[REG_A] & A_DV_MASK) == A_DV_32K;
        s->cmos[REG_A] = (val & ~A_UIP) | (s->cmos[REG_A] & A_UIP);
        bool is = (val & A_DV_MASK) == A_DV_32K;
        if (was && !is) {
            rtc_stop(s);
        } else if (!was && is && !(s->cmos[REG_B] & B_SET)) {
            /* Leaving divider reset: the first update is 500 ms later. */
            s->stopped = false;
            rtc_restart(s, s->base_sec, NS_PER_SEC / 2);
        }
        s->period_base_ns = now;
        s->last_period = 0;
        break;
    }
    case REG_B:
        if ((val & B_SET) && !(s->cmos[REG_B] & B_SET)) {
            if (rtc_running(s)) {
                rtc_stop(s);
            }
            val &= ~B_UIE;  /* SET clears UIE */
        } else if (!(val & B_SET) && (s->cmos[REG_B] & B_SET)) {
            s->cmos[REG_B] = val;
            if ((s->cmos[REG_A] & A_DV_MASK) == A_DV_32K) {
                s->stopped = false;
                rtc_restart(s, rtc_from_regs(s), NS_PER_SEC);
            } else {
                s->base_sec = rtc_from_regs(s);
            }
        }
        s->cmos[REG_B] = val;
        break;
    case REG_C:
    case REG_D:
        return;     /* read-only */
    default:
        s->cmos[idx] = val;
        return;
    }
    rtc_catch_up(s);
}

static uint64_t rtc_io_read(void *opaque, uint64_t off, unsigned size)
{
    struct rtc *s = opaque;
    if (off == 0) {
        return 0xff;    /* the index register is write-only */
    }
    return rtc_read_reg(s, s->index);
}

static void rtc_io_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct rtc *s = opaque;
    if (off == 0) {
        s->index = v & 0x7f;
        s->nmi_masked = v & 0x80;
        return;
    }
    rtc_write_reg(s, s->index, v);
}

static const struct mem_ops rtc_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,     /* wider accesses split, as on QEMU */
};

/* ---------------------------------------------------------------------------
 * Machine setters
 */

static void rtc_checksum(struct rtc *s)
{
    /* The AT BIOS sums 0x10-0x2d into 0x2e (high) / 0x2f (low). */
    unsigned sum = 0;
    for (int i = 0x10; i <= 0x2d; i++) {
        sum += s->cmos[i];
    }
    s->cmos[0x2e] = sum >> 8;
    s->cmos[0x2f] = sum & 0xff;
}

void rtc_set_cmos(struct rtc *s, unsigned idx, uint8_t val)
{
    if (idx < ARRAY_SIZE(s->cmos)) {
        s->cmos[idx] = val;
        if (idx >= 0x10 && idx <= 0x2d) {
            rtc_checksum(s);
        }
    }
}

uint8_t rtc_get_cmos(struct rtc *s, unsigned idx)
{
    if (idx >= ARRAY_SIZE(s->cmos)) {
        return 0;
    }
    if ((idx <= REG_YEAR || idx == REG_CENTURY) && rtc_running(s)) {
        rtc_to_regs(s, isa_time_ns());
    }
    return s->cmos[idx];     /* no side effects, unlike a guest read of C */
}

static void rtc_set_word(struct rtc *s, unsigned idx, uint64_t v)
{
    v = MIN(v, 0xffff);
    rtc_set_cmos(s, idx, v & 0xff);
    rtc_set_cmos(s, idx + 1, v >> 8);
}

void rtc_set_memory(struct rtc *s, uint64_t below_4g, uint64_t above_4g)
{
    const uint64_t mib = 1024 * 1024;
    rtc_set_word(s, 0x15, 640);
    uint64_t ext = below_4g > mib ? (below_4g - mib) / 1024 : 0;
    rtc_set_word(s, 0x17, ext);
    rtc_set_word(s, 0x30, ext);
    uint64_t high = below_4g > 16 * mib ? (below_4g - 16 * mib) / 65536 : 0;
    rtc_set_word(s, 0x34, high);
    uint64_t above = MIN(above_4g / 65536, 0xffffff);
    rtc_set_cmos(s, 0x5b, above & 0xff);
    rtc_set_cmos(s, 0x5c, (above >> 8) & 0xff);
    rtc_set_cmos(s, 0x5d, above >> 16);
}

void rtc_set_cpu_count(struct rtc *s, unsigned cpus)
{
    rtc_set_cmos(s, 0x5f, cpus ? MIN(cpus - 1, 255) : 0);
}

int rtc_set_boot_order(struct rtc *s, const char *order, bool fd_check)
{
    uint8_t dev[3] = { 0 };
    for (int i = 0; order[i]; i++) {
        uint8_t code;
        switch (order[i]) {
        case 'a':
        case 'b':
            code = 1;
            break;
        case 'c':
            code = 2;
            break;
        case 'd':
            code = 3;
            break;
        case 'n':
            code = 4;
            break;
        default:
            return -1;
        }
        if (i < 3) {
            dev[i] = code;
        }
    }
    rtc_set_cmos(s, 0x3d, dev[0] | dev[1] << 4);
    rtc_set_cmos(s, 0x38, dev[2] << 4 | (fd_check ? 0 : 1));
    return 0;
}

void rtc_set_time(struct rtc *s, time_t t)
{
    int64_t now = isa_time_ns();
    /* Keep the phase of the running second so updates stay regular. */
    int64_t phase = now >= s->base_ns ? (now - s->base_ns) % NS_PER_SEC : 0;
    s->base_sec = t;
    s->base_ns = now - phase;
    s->last_update_sec = t;
    rtc_to_regs(s, now);
}

time_t rtc_get_time(struct rtc *s)
{
    return (time_t)rtc_now_sec(s, isa_time_ns());
}

void rtc_set_clock(struct rtc *s, enum rtc_clock c)
{
    s->clock = c;
    if (s->paused) {
        s->paused_at = rtc_clock_ns(s);
    }
}

int64_t rtc_clock_ns(const struct rtc *s)
{
    return s->clock == RTC_CLOCK_HOST ? clock_wall_ns() : clock_ns(CLOCK_RT);
}

/* The registers count guest time from base_ns on the virtual clock, which
 * stands still while the VM is paused; a host-time RTC moves its anchor
 * back by the pause on resume, so the guest sees the time that passed. */
void rtc_vm_state(struct rtc *s, bool running, int64_t host_ns)
{
    if (s->clock == RTC_CLOCK_VM) {
        return;
    }
    if (!running) {
        s->paused = true;
        s->paused_at = host_ns;
        return;
    }
    if (s->paused && host_ns > s->paused_at && rtc_running(s)) {
        s->base_ns -= host_ns - s->paused_at;
        rtc_catch_up(s);
    }
    s->paused = false;
}

static void rtc_state_change(void *opaque, bool running, enum run_state st)
{
    struct rtc *s = opaque;
    rtc_vm_state(s, running, rtc_clock_ns(s));
}

bool rtc_nmi_masked(const struct rtc *s)
{
    return s->nmi_masked;
}

/* ---------------------------------------------------------------------------
 * Device
 */

static void rtc_reset(struct device *dev)
{
    struct rtc *s = (struct rtc *)dev;
    /* A reset leaves the time and RAM alone and clears the interrupt
     * enables and flags (datasheet, RESET pin). */
    s->cmos[REG_B] &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
    s->cmos[REG_C] = 0;
    rtc_catch_up(s);
}

static int rtc_realize(struct device *dev, struct err **errp)
{
    struct rtc *s = (struct rtc *)dev;
    struct isa_bus *bus = isa_bus_get(dev->type->name, errp);
    if (!bus) {
        return -1;
    }
    s->irq = isa_irq(bus, 8);
    s->cmos[REG_A] = A_DV_32K | 0x06;   /* 32.768 kHz, 1024 Hz rate */
    s->cmos[REG_B] = B_24H;
    s->cmos[REG_D] = D_VRT;
    s->update_timer = isa_timer_new(rtc_timer_cb, s);
    s->periodic_timer = isa_timer_new(rtc_timer_cb, s);
    s->period_base_ns = isa_time_ns();
    rtc_set_time(s, (time_t)(clock_wall_ns() / NS_PER_SEC));
    vm_register_state_change(rtc_state_change, s);
    if (!runstate_is_running()) {
        /* Created before the VM runs (-S): host time passes meanwhile. */
        s->paused = true;
        s->paused_at = rtc_clock_ns(s);
    }
    mem_region_init_io(&s->mr, "rtc", 2, &rtc_ops, s);
    isa_map_io(bus, &s->mr, 0x70);
    rtc_reset(dev);
    return 0;
}

static const struct prop rtc_props[] = {
    { NULL },
};

static const struct dev_type rtc_type = {
    .name = "mc146818rtc",
    .category = "Misc devices",
    .desc = "MC146818 real-time clock and CMOS",
    .bus = BUS_ISA,
    .size = sizeof(struct rtc),
    .props = rtc_props,
    .user_creatable = false,
    .realize = rtc_realize,
    .reset = rtc_reset,
};
DEV_TYPE(rtc_type);

struct rtc *rtc_create(struct isa_bus *bus, struct err **errp)
{
    struct isa_bus *saved = isa_bus_current;
    isa_bus_current = bus;
    struct device *dev = dev_create(&rtc_type, NULL, errp);
    isa_bus_current = saved;
    return (struct rtc *)dev;
}
