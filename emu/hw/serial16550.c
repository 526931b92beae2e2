/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serial16550.c - the National Semiconductor PC16550D UART as an ISA
 * serial port ("isa-serial"): COM1-COM4 at their usual ports and IRQs,
 * bytes to and from a chardev front end.
 *
 * Reference: National PC16550D datasheet: register map and DLAB, IER, IIR
 * priorities (line status > received data / character timeout > THR empty
 * > modem status), FCR with 16-byte FIFOs and receive trigger levels, LCR,
 * MCR with loopback, LSR, MSR with delta bits, SCR.
 *
 * Transmission is immediate (the byte goes to the chardev when THR is
 * written), as on QEMU; received bytes arrive at the chardev's pace and
 * the receive FIFO's character timeout runs on guest time.
 */
#include "emu/osdep.h"

#include "emu/chardev/chardev.h"
#include "emu/hw/dev.h"
#include "emu/hw/isa.h"
#include "emu/hw/serial16550.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"

#define FIFO_SIZE 16

#define IER_ERBFI 0x01      /* received data available */
#define IER_ETBEI 0x02      /* THR empty */
#define IER_ELSI 0x04       /* receiver line status */
#define IER_EDSSI 0x08      /* modem status */

#define IIR_NONE 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_CTI 0x0c
#define IIR_FIFO 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLR_RX 0x02
#define FCR_CLR_TX 0x04

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_PE 0x04
#define LSR_FE 0x08
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_ERRS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

/* With no modem control from the chardev the line looks connected. */
#define MSR_LINE_DEFAULT (MSR_DCD | MSR_DSR | MSR_CTS)

struct serial {
    struct device dev;
    uint32_t index, iobase, irq;
    struct chardev *chr;
    bool wakeup;

    struct chr_fe *fe;
    const struct irq_line *irqline;
    bool irq_level;
    struct mem_region mr;
    struct isa_timer *timeout_timer;

    uint16_t divisor;
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    bool thr_ipending;      /* THRE interrupt owed until IIR read/THR write */
    bool timeout_ipending;
    uint8_t rx[FIFO_SIZE];
    unsigned rx_head, rx_count;
};

static const uint16_t com_iobase[SERIAL_MAX_ISA_PORTS] = {
    0x3f8, 0x2f8, 0x3e8, 0x2e8
};
static const uint8_t com_irq[SERIAL_MAX_ISA_PORTS] = { 4, 3, 4, 3 };

/* ---------------------------------------------------------------------------
 * Interrupts
 */

static bool fifo_on(const struct serial *s)
{
    return s->fcr & FCR_ENABLE;
}

static unsigned rx_trigger(const struct serial *s)
{
    static const uint8_t level[4] = { 1, 4, 8, 14 };
    return fifo_on(s) ? level[s->fcr >> 6] : 1;
}

/* The IIR identification code of the highest-priority pending source. */
static uint8_t serial_iir_id(const struct serial *s)
{
    if ((s->ier & IER_ELSI) && (s->lsr & LSR_ERRS)) {
        return IIR_RLSI;
    }
    if ((s->ier & IER_ERBFI) && s->rx_count >= rx_trigger(s)) {
        return IIR_RDI;
    }
    if ((s->ier & IER_ERBFI) && s->timeout_ipending) {
        return IIR_CTI;
    }
    if ((s->ier & IER_ETBEI) && s->thr_ipending) {
        return IIR_THRI;
    }
    if ((s->ier & IER_EDSSI) && (s->msr & 0x0f)) {
        return IIR_MSI;
    }
    return IIR_NONE;
}

static void serial_update_irq(struct serial *s)
{
    /* QEMU does not gate the line with OUT2, and neither do we: guests
     * written against QEMU may leave OUT2 clear. */
    bool level = serial_iir_id(s) != IIR_NONE;
    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irqline, level);
    }
}

/* One character's time on the wire at the programmed baud rate and frame. */
static int64_t serial_char_ns(const struct serial *s)
{
    unsigned bits = 1 + 5 + (s->lcr & 3) + ((s->lcr & 0x04) ? 2 : 1) +
                    ((s->lcr & 0x08) ? 1 : 0);
    uint32_t div = s->divisor ? s->divisor : 0x10000;
    /* 1.8432 MHz clock / 16 = 115200 baud at divisor 1 */
    return isa_muldiv64((int64_t)bits * div, NS_PER_SEC, 115200);
}

static void serial_arm_timeout(struct serial *s)
{
    s->timeout_ipending = false;
    if (fifo_on(s) && s->rx_count) {
        isa_timer_mod(s->timeout_timer, isa_time_ns() +
                      4 * serial_char_ns(s));
    } else {
        isa_timer_del(s->timeout_timer);
    }
}

static void serial_timeout_cb(void *opaque)
{
    struct serial *s = opaque;
    if (fifo_on(s) && s->rx_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

/* ---------------------------------------------------------------------------
 * Receive side
 */

static unsigned rx_capacity(const struct serial *s)
{
    return fifo_on(s) ? FIFO_SIZE : 1;
}

static void serial_receive_byte(struct serial *s, uint8_t b, uint8_t err)
{
    if (s->rx_count >= rx_capacity(s)) {
        /* The shift register is overwritten; the FIFO keeps its data. */
        s->lsr |= LSR_OE;
    } else {
        s->rx[(s->rx_head + s->rx_count) % FIFO_SIZE] = b;
        s->rx_count++;
    }
    s->lsr |= LSR_DR | err;
}

static void serial_rx_flush(struct serial *s)
{
    s->rx_head = s->rx_count = 0;
    s->lsr &= ~LSR_DR;
    s->timeout_ipending = false;
    isa_timer_del(s->timeout_timer);
}

static int serial_can_read(void *opaque)
{
    struct serial *s = opaque;
    if (s->mcr & MCR_LOOP) {
        return 0;   /* the receiver listens to our own transmitter */
    }
    return rx_capacity(s) - s->rx_count;
}

static void serial_chr_read(void *opaque, const uint8_t *buf, int len)
{
    struct serial *s = opaque;
    if (s->mcr & MCR_LOOP) {
        return;
    }
    for (int i = 0; i < len; i++) {
        serial_receive_byte(s, buf[i], 0);
    }
    serial_arm_timeout(s);
    serial_update_irq(s);
}

static void serial_chr_event(void *opaque, enum chr_event ev)
{
    struct serial *s = opaque;
    if (ev == CHR_EVENT_BREAK && !(s->mcr & MCR_LOOP)) {
        serial_receive_byte(s, 0, LSR_BI);
        serial_arm_timeout(s);
        serial_update_irq(s);
    }
}

static const struct chr_fe_ops serial_fe_ops = {
    .can_read = serial_can_read,
    .read = serial_chr_read,
    .event = serial_chr_event,
};

/* ---------------------------------------------------------------------------
 * Modem lines
 */

/* MSR status bits from the MCR outputs (loopback) or the line. */
static void serial_set_msr_lines(struct serial *s)
{
    uint8_t now;
    if (s->mcr & MCR_LOOP) {
        now = ((s->mcr & MCR_RTS) ? MSR_CTS : 0) |
              ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
              ((s->mcr & MCR_OUT1) ? MSR_RI : 0) |
              ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        now = MSR_LINE_DEFAULT;
    }
    uint8_t old = s->msr & 0xf0, chg = old ^ now;
    uint8_t delta = ((chg & MSR_CTS) ? MSR_DCTS : 0) |
                    ((chg & MSR_DSR) ? MSR_DDSR : 0) |
                    ((chg & MSR_DCD) ? MSR_DDCD : 0) |
                    /* TERI marks the trailing edge of ring only */
                    ((old & MSR_RI) && !(now & MSR_RI) ? MSR_TERI : 0);
    s->msr = now | (s->msr & 0x0f) | delta;
}

/* ---------------------------------------------------------------------------
 * Registers
 */

static void serial_transmit(struct serial *s, uint8_t b)
{
    if (s->mcr & MCR_LOOP) {
        serial_receive_byte(s, b, 0);
        serial_arm_timeout(s);
    } else if (s->fe) {
        chr_fe_write(s->fe, &b, 1);
    }
    /* The byte left at once: THR and the shifter are empty again. */
    s->lsr |= LSR_THRE | LSR_TEMT;
    s->thr_ipending = true;
}

static uint64_t serial_read(void *opaque, uint64_t off, unsigned size)
{
    struct serial *s = opaque;
    uint8_t v;

    switch (off) {
    case 0:
        if (s->lcr & LCR_DLAB) {
            return s->divisor & 0xff;
        }
        v = 0;
        if (s->rx_count) {
            v = s->rx[s->rx_head];
            s->rx_head = (s->rx_head + 1) % FIFO_SIZE;
            s->rx_count--;
        }
        if (!s->rx_count) {
            s->lsr &= ~LSR_DR;
        }
        serial_arm_timeout(s);
        serial_update_irq(s);
        if (s->fe && !(s->mcr & MCR_LOOP)) {
            chr_fe_accept_input(s->fe);
        }
        return v;
    case 1:
        return (s->lcr & LCR_DLAB) ? s->divisor >> 8 : s->ier;
    case 2:
        v = serial_iir_id(s);
        if (v == IIR_THRI) {
            s->thr_ipending = false;    /* reading IIR acknowledges it */
            serial_update_irq(s);
        }
        return v | (fifo_on(s) ? IIR_FIFO : 0);
    case 3:
        return s->lcr;
    case 4:
        return s->mcr;
    case 5:
        v = s->lsr;
        /* Reading LSR clears the error bits (and with them RLSI). */
        s->lsr &= ~LSR_ERRS;
        serial_update_irq(s);
        return v;
    case 6:
        v = s->msr;
        s->msr &= 0xf0;
        serial_update_irq(s);
        return v;
    default:
        return s->scr;
    }
}

static void serial_write(void *opaque, uint64_t off, uint64_t val64,
                         unsigned size)
{
    struct serial *s = opaque;
    uint8_t val = val64;

    switch (off) {
    case 0:
        if (s->lcr & LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | val;
            return;
        }
        s->thr_ipending = false;
        serial_transmit(s, val);
        break;
    case 1:
        if (s->lcr & LCR_DLAB) {
            s->divisor = (s->divisor & 0x00ff) | val << 8;
            return;
        }
        /* Enabling ETBEI with THR empty raises THRE at once. */
        if (!(s->ier & IER_ETBEI) && (val & IER_ETBEI) &&
            (s->lsr & LSR_THRE)) {
            s->thr_ipending = true;
        }
        s->ier = val & 0x0f;
        break;
    case 2:
        if ((val ^ s->fcr) & FCR_ENABLE) {
            /* Switching FIFO mode clears both FIFOs. */
            serial_rx_flush(s);
        }
        if (val & FCR_CLR_RX) {
            serial_rx_flush(s);
        }
        /* Bits 1-2 self-clear; only enable and trigger are kept. */
        s->fcr = (val & FCR_ENABLE) ? (val & 0xc1) : 0;
        break;
    case 3:
        s->lcr = val;
        break;
    case 4: {
        bool was_loop = s->mcr & MCR_LOOP;
        s->mcr = val & 0x1f;
        serial_set_msr_lines(s);
        if (was_loop && !(s->mcr & MCR_LOOP) && s->fe) {
            chr_fe_accept_input(s->fe);
        }
        break;
    }
    case 5:
    case 6:
        return;     /* LSR/MSR writes are for factory test only */
    default:
        s->scr = val;
        return;
    }
    serial_update_irq(s);
}

static const struct mem_ops serial_ops = {
    .read = serial_read,
    .write = serial_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,     /* wider accesses split, as on QEMU */
};

/* ---------------------------------------------------------------------------
 * Device
 */

static void serial_reset(struct device *dev)
{
    struct serial *s = (struct serial *)dev;
    s->divisor = 12;    /* 9600 baud, what a BIOS leaves */
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->scr = 0;
    s->fcr = 0;
    s->lsr = LSR_THRE | LSR_TEMT;
    s->msr = MSR_LINE_DEFAULT;
    s->thr_ipending = false;
    serial_rx_flush(s);
    serial_update_irq(s);
    if (s->fe) {
        chr_fe_accept_input(s->fe);     /* the FIFO has room again */
    }
}

static int serial_realize(struct device *dev, struct err **errp)
{
    static uint32_t next_index;
    struct serial *s = (struct serial *)dev;
    struct isa_bus *bus = isa_bus_get(dev->type->name, errp);
    if (!bus) {
        return -1;
    }
    if (s->index == UINT32_MAX) {
        s->index = next_index;
    }
    if (s->index >= SERIAL_MAX_ISA_PORTS) {
        err_setf(errp, "Max. supported number of ISA serial ports is %d.",
                 SERIAL_MAX_ISA_PORTS);
        return -1;
    }
    if (s->iobase == UINT32_MAX) {
        s->iobase = com_iobase[s->index];
    }
    if (s->irq == UINT32_MAX) {
        s->irq = com_irq[s->index];
    }
    if (s->iobase > 0xfff8) {
        err_setf(errp, "Property 'isa-serial.iobase' out of range");
        return -1;
    }
    s->irqline = isa_irq(bus, s->irq);
    if (!s->irqline) {
        err_setf(errp, "isa irq %u invalid", s->irq);
        return -1;
    }
    if (s->chr) {
        s->fe = chr_fe_attach(s->chr, &serial_fe_ops, s, errp);
        if (!s->fe) {
            return -1;
        }
    }
    next_index = MAX(next_index, s->index + 1);
    s->timeout_timer = isa_timer_new(serial_timeout_cb, s);
    mem_region_init_io(&s->mr, "serial", 8, &serial_ops, s);
    isa_map_io(bus, &s->mr, s->iobase);
    serial_reset(dev);
    return 0;
}

/* In QEMU's order (alphabetical), as -device isa-serial,help prints it. */
static const struct prop serial_props[] = {
    PROP("chardev", PROP_CHR, struct serial, chr, NULL,
         "ID of a chardev to use as a backend"),
    PROP("index", PROP_U32, struct serial, index, "4294967295", NULL),
    PROP("iobase", PROP_U32, struct serial, iobase, "4294967295", NULL),
    PROP("irq", PROP_U32, struct serial, irq, "4294967295", NULL),
    PROP("wakeup", PROP_BOOL, struct serial, wakeup, "false", NULL),
    { NULL },
};

const struct dev_type isa_serial_type = {
    .name = "isa-serial",
    .category = "Input devices",
    .desc = NULL,
    .bus = BUS_ISA,
    .size = sizeof(struct serial),
    .props = serial_props,
    .user_creatable = true,
    .realize = serial_realize,
    .reset = serial_reset,
};
DEV_TYPE(isa_serial_type);
