/* SPDX-License-Identifier: GPL-2.0-or-later */
/* serial_test.c - the 16550A "isa-serial" through its ports with a ringbuf
 * chardev behind it: COM defaults, DLAB, transmit, receive with FIFO
 * trigger levels and character timeout, IIR priorities and clearing,
 * overrun, break, loopback and modem status; also the chardev-backed
 * isa-debugcon and the exit status of isa-debug-exit. */
#include "emu/osdep.h"
#include <sys/wait.h>

#include "emu/chardev/chardev-int.h"    /* chr_be_write: bytes from "the line" */
#include "emu/cli/keyval.h"
#include "emu/hw/dev.h"
#include "emu/hw/isa.h"
#include "emu/hw/serial16550.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

static struct isa_bus *bus;
static struct chardev *chr;
static int irq_level[16], irq_edges[16];
static uint16_t base;

static void irq_record(void *opaque, int n, int level)
{
    if (level && !irq_level[n]) {
        irq_edges[n]++;
    }
    irq_level[n] = level;
}

static void outb(uint16_t port, uint8_t v)
{
    as_write(bus->io, port, v, 1);
}

static uint8_t inb(uint16_t port)
{
    return as_read(bus->io, port, 1);
}

static void new_bus(void)
{
    static bool inited;
    if (!inited) {
        loop_init();
        bql_lock();
        isa_time_set_manual(true);
        inited = true;
    }
    if (bus) {
        memset(bus->irq, 0, sizeof(bus->irq));
    }
    static struct isa_bus buses[32];
    static unsigned nbus;
    if (nbus == ARRAY_SIZE(buses)) {
        abort();
    }
    bus = &buses[nbus++];
    bus->io = as_new("io", 0x10000, ~0ULL);
    for (int i = 0; i < 16; i++) {
        bus->irq[i] = (struct irq_line){ irq_record, NULL, i };
        irq_level[i] = irq_edges[i] = 0;
    }
    isa_bus_current = bus;
}

static struct chardev *new_ringbuf(void)
{
    static int n;
    char spec[64];
    snprintf(spec, sizeof(spec), "ringbuf,id=rb%d,size=1024", n++);
    struct kvlist *kv = kvlist_new();
    struct chardev *c = NULL;
    if (kvlist_parse(kv, spec, "backend", NULL) == 0) {
        c = chr_new(kv, NULL);
    }
    kvlist_free(kv);
    return c;
}

/* Create a device with "key=val,..." options; the error text if it fails. */
static struct device *create(const struct dev_type *t, const char *opts,
                             char *errbuf, size_t errlen)
{
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    struct device *d = NULL;
    if (kvlist_parse(kv, opts, NULL, &e) == 0) {
        d = dev_create(t, kv, &e);
    }
    if (errbuf) {
        snprintf(errbuf, errlen, "%s", e ? e->msg : "");
    }
    err_free(e);
    kvlist_free(kv);
    return d;
}

/* A COM port with a fresh bus and ringbuf chardev. */
static void setup(int index)
{
    char opts[80];
    new_bus();
    chr = new_ringbuf();
    snprintf(opts, sizeof(opts), "index=%d,chardev=%s", index, chr_id(chr));
    EXPECT(create(&isa_serial_type, opts, NULL, 0) != NULL);
    base = index == 1 ? 0x2f8 : 0x3f8;
}

static void line_sends(const char *s)
{
    chr_be_write(chr, (const uint8_t *)s, strlen(s));
}

static int line_got(char *buf, int size)
{
    int n = chr_ringbuf_read(chr, (uint8_t *)buf, size - 1, NULL);
    buf[n > 0 ? n : 0] = 0;
    return n;
}

TEST(com_defaults_and_errors)
{
    setup(1);
    EXPECT_EQ(inb(0x2fd), 0x60);        /* THRE | TEMT */
    EXPECT_EQ(inb(0x2fa), 0x01);        /* nothing pending, no FIFO */
    EXPECT_EQ(inb(0x2fe), 0xb0);        /* DCD, DSR, CTS */
    outb(0x2ff, 0x5a);
    EXPECT_EQ(inb(0x2ff), 0x5a);
    EXPECT_EQ(inb(0x3fd), 0xff);        /* COM1 was not created */
    char err[160];
    EXPECT(!create(&isa_serial_type, "index=4", err, sizeof(err)));
    EXPECT_STR(err, "Max. supported number of ISA serial ports is 4.");
    EXPECT(!create(&isa_serial_type, "index=2,irq=16", err, sizeof(err)));
    /* COM3 and COM4 ports and lines */
    EXPECT(create(&isa_serial_type, "index=3", NULL, 0) != NULL);
    EXPECT_EQ(inb(0x2ed), 0x60);
    isa_bus_current = NULL;
    EXPECT(!create(&isa_serial_type, "index=2", err, sizeof(err)));
    EXPECT_STR(err, "No 'ISA' bus found for device 'isa-serial'");
}

TEST(divisor_latch)
{
    setup(0);
    outb(base + 3, 0x83);
    outb(base + 0, 0x01);
    outb(base + 1, 0x02);
    EXPECT_EQ(inb(base + 0), 0x01);
    EXPECT_EQ(inb(base + 1), 0x02);
    outb(base + 3, 0x03);
    EXPECT_EQ(inb(base + 1), 0x00);     /* IER again */
    EXPECT_EQ(inb(base + 3), 0x03);
    char buf[8];
    EXPECT_EQ(line_got(buf, sizeof(buf)), 0);   /* DLL writes send nothing */
}

TEST(transmit_and_thre_interrupt)
{
    setup(0);
    outb(base, 'h');
    outb(base, 'i');
    char buf[16];
    EXPECT_EQ(line_got(buf, sizeof(buf)), 2);
    EXPECT_STR(buf, "hi");
    EXPECT_EQ(irq_level[4], 0);
    outb(base + 1, 0x02);               /* ETBEI with THR empty */
    EXPECT_EQ(irq_level[4], 1);
    EXPECT_EQ(inb(base + 2), 0x02);
    EXPECT_EQ(irq_level[4], 0);         /* reading IIR acknowledged it */
    EXPECT_EQ(inb(base + 2), 0x01);
    outb(base, '!');
    EXPECT_EQ(irq_level[4], 1);
    outb(base + 1, 0x00);
    EXPECT_EQ(irq_level[4], 0);
}

TEST(receive_without_fifo)
{
    setup(0);
    outb(base + 1, 0x01);
    line_sends("A");
    EXPECT_EQ(inb(base + 5) & 0x01, 0x01);
    EXPECT_EQ(irq_level[4], 1);
    EXPECT_EQ(inb(base + 2), 0x04);
    EXPECT_EQ(chr_be_room(chr), 0);     /* one byte of holding register */
    EXPECT_EQ(inb(base), 'A');
    EXPECT_EQ(irq_level[4], 0);
    EXPECT_EQ(inb(base + 5) & 0x01, 0);
    EXPECT_EQ(chr_be_room(chr), 1);
}

TEST(overrun_and_line_status_priority)
{
    setup(0);
    outb(base + 1, 0x07);               /* RX, THRE, line status */
    line_sends("xy");                   /* y overruns x */
    EXPECT_EQ(inb(base + 2), 0x06);     /* line status first */
    EXPECT_EQ(inb(base + 5) & 0x03, 0x03);
    EXPECT_EQ(inb(base + 5) & 0x02, 0); /* OE cleared by the read */
    EXPECT_EQ(inb(base + 2), 0x04);     /* then the data */
    EXPECT_EQ(inb(base), 'x');
    EXPECT_EQ(inb(base + 2), 0x02);     /* then THR empty */
    EXPECT_EQ(inb(base + 2), 0x01);
}

TEST(fifo_trigger_and_timeout)
{
    setup(0);
    outb(base + 3, 0x03);               /* 8N1, divisor 12: 9600 baud */
    outb(base + 2, 0xc7);               /* FIFO on, clear, trigger 14 */
    EXPECT_EQ(inb(base + 2), 0xc1);
    outb(base + 1, 0x01);
    EXPECT_EQ(chr_be_room(chr), 16);
    line_sends("0123456789abc");        /* 13 < 14 */
    EXPECT_EQ(irq_level[4], 0);
    /* 4 characters of 10 bits at 9600 baud: 4.17 ms */
    isa_time_step(4000000);
    EXPECT_EQ(irq_level[4], 0);
    isa_time_step(200000);
    EXPECT_EQ(irq_level[4], 1);
    EXPECT_EQ(inb(base + 2), 0xcc);     /* character timeout */
    EXPECT_EQ(inb(base), '0');
    EXPECT_EQ(irq_level[4], 0);         /* a read restarts the timeout */
    line_sends("de");                   /* 14 now */
    EXPECT_EQ(inb(base + 2), 0xc4);
    EXPECT_EQ(chr_be_room(chr), 2);
    char got[15] = { 0 };
    for (int i = 0; i < 14; i++) {
        got[i] = inb(base);
    }
    EXPECT_STR(got, "123456789abcde");
    EXPECT_EQ(irq_level[4], 0);
    EXPECT_EQ(inb(base + 5) & 0x01, 0);
    isa_time_step(10000000);
    EXPECT_EQ(irq_level[4], 0);         /* empty: no timeout */
    /* Trigger level 4 */
    outb(base + 2, 0x41);
    line_sends("wxy");
    EXPECT_EQ(irq_level[4], 0);
    line_sends("z");
    EXPECT_EQ(inb(base + 2), 0xc4);
    /* Clearing the receive FIFO drops the data and the request. */
    outb(base + 2, 0x43);
    EXPECT_EQ(inb(base + 5) & 0x01, 0);
    EXPECT_EQ(irq_level[4], 0);
    /* Turning the FIFO off */
    outb(base + 2, 0x00);
    EXPECT_EQ(inb(base + 2), 0x01);
}

TEST(break_event)
{
    setup(0);
    outb(base + 1, 0x05);
    chr_be_event(chr, CHR_EVENT_BREAK);
    EXPECT_EQ(inb(base + 2), 0x06);
    EXPECT_EQ(inb(base + 5) & 0x11, 0x11);  /* BI and DR */
    EXPECT_EQ(inb(base + 2), 0x04);
    EXPECT_EQ(inb(base), 0x00);
    EXPECT_EQ(irq_level[4], 0);
}

TEST(loopback_and_modem_status)
{
    setup(0);
    inb(base + 6);
    outb(base + 1, 0x09);               /* RX data and modem status */
    outb(base + 4, 0x10);               /* loopback, all outputs off */
    EXPECT_EQ(inb(base + 2), 0x00);     /* MSI: DCD, DSR, CTS dropped */
    EXPECT_EQ(inb(base + 6), 0x0b);
    EXPECT_EQ(irq_level[4], 0);
    outb(base + 4, 0x1f);
    EXPECT_EQ(inb(base + 6), 0xfb);
    outb(base + 4, 0x1b);               /* OUT1 (RI) off: trailing edge */
    EXPECT_EQ(inb(base + 6), 0xb4);
    outb(base, 'L');
    EXPECT_EQ(inb(base + 2), 0x04);
    EXPECT_EQ(inb(base), 'L');
    char buf[8];
    EXPECT_EQ(line_got(buf, sizeof(buf)), 0);   /* nothing left the UART */
    EXPECT_EQ(chr_be_room(chr), 0);     /* the line is disconnected */
    outb(base + 4, 0x03);
    EXPECT_EQ(chr_be_room(chr), 1);
    EXPECT_EQ(inb(base + 6) & 0xf0, 0xb0);
}

TEST(system_reset)
{
    setup(0);
    outb(base + 3, 0x83);
    outb(base + 0, 0x01);
    outb(base + 3, 0x03);
    outb(base + 2, 0xc1);
    outb(base + 1, 0x02);
    outb(base + 4, 0x1f);
    EXPECT_EQ(irq_level[4], 1);
    dev_reset_all();
    EXPECT_EQ(irq_level[4], 0);
    EXPECT_EQ(inb(base + 1), 0x00);
    EXPECT_EQ(inb(base + 2), 0x01);
    EXPECT_EQ(inb(base + 3), 0x00);
    EXPECT_EQ(inb(base + 4), 0x00);
    EXPECT_EQ(inb(base + 5), 0x60);
    EXPECT_EQ(inb(base + 6) & 0xf0, 0xb0);
    outb(base + 3, 0x80);
    EXPECT_EQ(inb(base + 0), 12);       /* 9600 baud */
}

TEST(debugcon_output)
{
    new_bus();
    struct chardev *c = new_ringbuf();
    char opts[64], err[160];
    snprintf(opts, sizeof(opts), "chardev=%s", chr_id(c));
    EXPECT(create(&isa_debugcon_type, opts, NULL, 0) != NULL);
    outb(0xe9, 'o');
    outb(0xe9, 'k');
    EXPECT_EQ(inb(0xe9), 0xe9);
    uint8_t buf[8] = { 0 };
    EXPECT_EQ(chr_ringbuf_read(c, buf, sizeof(buf) - 1, NULL), 2);
    EXPECT_STR((char *)buf, "ok");
    c = new_ringbuf();
    snprintf(opts, sizeof(opts), "iobase=0x402,chardev=%s", chr_id(c));
    EXPECT(create(&isa_debugcon_type, opts, NULL, 0) != NULL);
    outb(0x402, 'S');
    EXPECT_EQ(chr_ringbuf_read(c, buf, sizeof(buf) - 1, NULL), 1);
    EXPECT(!create(&isa_debugcon_type, "", err, sizeof(err)));
    EXPECT_STR(err, "Can't create debugcon device, empty char device");
}

TEST(debug_exit_status)
{
    new_bus();
    EXPECT(create(&isa_debug_exit_type, "", NULL, 0) != NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        as_write(bus->io, 0x501, 0x10, 1);
        _exit(99);      /* not reached */
    }
    int status = 0;
    EXPECT(waitpid(pid, &status, 0) == pid);
    EXPECT(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0x21);
    /* The port reads as the device, not as the empty bus. */
    EXPECT_EQ(inb(0x501), 0);
}

TEST_MAIN()
