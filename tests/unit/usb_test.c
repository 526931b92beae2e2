/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usb_test.c - the USB core's control transfers and standard requests,
 * the HID devices' descriptors and reports (tablet, mouse with boot
 * protocol, keyboard with its event queue), console input routing to
 * them, and the UHCI: register reset values and write rules, root port
 * connect/reset/enable, a control transfer run from a frame list in
 * guest memory, and hostile schedules (loops, bad lengths, pointers
 * outside RAM) that must end within a frame. */
#include "emu/osdep.h"

#include "display/console.h"
#include "emu/hw/usb/uhci.h"
#include "emu/hw/usb/usb-hid.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "tests/unit/test.h"

/* ---- control transfers straight to a device ---- */

static int xfer(struct usb_device *d, int pid, uint8_t ep, uint8_t *buf,
                size_t len, size_t *actual)
{
    struct usb_packet p = { .pid = pid, .ep = ep, .data = buf, .len = len };
    int r = usb_handle_packet(d, &p);
    if (actual) {
        *actual = p.actual;
    }
    return r;
}

/* A whole control-IN transfer: returns the bytes got or -1 on stall. */
static int ctrl_in(struct usb_device *d, uint8_t type, uint8_t req,
                   uint16_t value, uint16_t index, uint16_t len, uint8_t *out)
{
    uint8_t setup[8] = { type, req, value & 0xff, value >> 8, index & 0xff,
                         index >> 8, len & 0xff, len >> 8 };
    if (xfer(d, USB_TOKEN_SETUP, 0, setup, 8, NULL) != USB_RET_SUCCESS) {
        return -1;
    }
    size_t got = 0;
    while (got < len) {
        size_t a;
        if (xfer(d, USB_TOKEN_IN, 0, out + got, MIN((size_t)8, len - got),
                 &a) != USB_RET_SUCCESS) {
            return -1;
        }
        got += a;
        if (a < 8) {
            break;
        }
    }
    if (xfer(d, USB_TOKEN_OUT, 0, NULL, 0, NULL) != USB_RET_SUCCESS) {
        return -1;
    }
    return (int)got;
}

static int ctrl_out(struct usb_device *d, uint8_t type, uint8_t req,
                    uint16_t value, uint16_t index, uint16_t len,
                    uint8_t *data)
{
    uint8_t setup[8] = { type, req, value & 0xff, value >> 8, index & 0xff,
                         index >> 8, len & 0xff, len >> 8 };
    if (xfer(d, USB_TOKEN_SETUP, 0, setup, 8, NULL) != USB_RET_SUCCESS) {
        return -1;
    }
    if (len && xfer(d, USB_TOKEN_OUT, 0, data, len, NULL) != USB_RET_SUCCESS) {
        return -1;
    }
    return xfer(d, USB_TOKEN_IN, 0, NULL, 0, NULL) == USB_RET_SUCCESS ? 0 : -1;
}

static struct usb_hid *new_hid(enum hid_kind kind)
{
    struct usb_hid *h = calloc(1, sizeof(*h));
    usb_hid_init(h, kind);
    usb_device_reset(&h->usb);
    return h;
}

TEST(descriptors_and_standard_requests)
{
    struct usb_hid *h = new_hid(HID_TABLET);
    uint8_t buf[512];
    EXPECT_EQ(ctrl_in(&h->usb, 0x80, USB_REQ_GET_DESCRIPTOR, 0x100, 0, 64, buf), 18);
    EXPECT_EQ(buf[1], USB_DT_DEVICE);
    EXPECT_EQ(buf[8] | buf[9] << 8, 0x0627);
    EXPECT_EQ(buf[7], 8);               /* ep0 max packet */
    /* Short read of the configuration, then all of it. */
    EXPECT_EQ(ctrl_in(&h->usb, 0x80, USB_REQ_GET_DESCRIPTOR, 0x200, 0, 9, buf), 9);
    int total = buf[2] | buf[3] << 8;
    EXPECT_EQ(ctrl_in(&h->usb, 0x80, USB_REQ_GET_DESCRIPTOR, 0x200, 0, 255, buf),
              total);
    EXPECT_EQ(buf[9 + 5], 3);           /* interface class HID */
    EXPECT_EQ(buf[18 + 1], 0x21);       /* HID descriptor */
    int rlen = buf[18 + 7] | buf[18 + 8] << 8;
    EXPECT_EQ(buf[27 + 2], 0x81);       /* interrupt IN endpoint 1 */
    EXPECT_EQ(buf[27 + 3], 3);
    /* The report descriptor is as long as the HID descriptor says and
     * declares X/Y up to 0x7fff. */
    EXPECT_EQ(ctrl_in(&h->usb, 0x81, USB_REQ_GET_DESCRIPTOR, 0x2200, 0, 255, buf),
              rlen);
    bool has_max = false;
    for (int i = 0; i + 2 < rlen; i++) {
        has_max |= buf[i] == 0x26 && buf[i + 1] == 0xff && buf[i + 2] == 0x7f;
    }
    EXPECT(has_max);
    /* Strings: language IDs, then UTF-16LE product name. */
    EXPECT_EQ(ctrl_in(&h->usb, 0x80, USB_REQ_GET_DESCRIPTOR, 0x300, 0, 255, buf), 4);
    EXPECT_EQ(buf[2] | buf[3] << 8, 0x0409);
    int n = ctrl_in(&h->usb, 0x80, USB_REQ_GET_DESCRIPTOR, 0x302, 0x409, 255, buf);
    EXPECT_EQ(n, 2 + 2 * (int)strlen("QEMU USB Tablet"));
    EXPECT_EQ(buf[2], 'Q');
    EXPECT_EQ(ctrl_in(&h->usb, 0x80, USB_REQ_GET_DESCRIPTOR, 0x309, 0, 255, buf), -1);
    /* Unknown descriptor types and requests stall. */
    EXPECT_EQ(ctrl_in(&h->usb, 0x80, USB_REQ_GET_DESCRIPTOR, 0x700, 0, 255, buf), -1);
    EXPECT_EQ(ctrl_in(&h->usb, 0xc0, 0x42, 0, 0, 8, buf), -1);
    /* SET_ADDRESS takes effect after the status stage. */
    uint8_t setup[8] = { 0, USB_REQ_SET_ADDRESS, 5, 0, 0, 0, 0, 0 };
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_SETUP, 0, setup, 8, NULL), USB_RET_SUCCESS);
    EXPECT_EQ(h->usb.addr, 0);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 0, NULL, 0, NULL), USB_RET_SUCCESS);
    EXPECT_EQ(h->usb.addr, 5);
    EXPECT_EQ(ctrl_out(&h->usb, 0, USB_REQ_SET_ADDRESS, 200, 0, 0, NULL), -1);
    /* Configuration: only 0 and 1; endpoints answer only when set. */
    uint8_t rep[8];
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, rep, 8, NULL), USB_RET_STALL);
    EXPECT_EQ(ctrl_out(&h->usb, 0, USB_REQ_SET_CONFIGURATION, 2, 0, 0, NULL), -1);
    EXPECT_EQ(ctrl_out(&h->usb, 0, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
    EXPECT_EQ(ctrl_in(&h->usb, 0x80, USB_REQ_GET_CONFIGURATION, 0, 0, 1, buf), 1);
    EXPECT_EQ(buf[0], 1);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, rep, 8, NULL), USB_RET_NAK);
    /* Endpoint halt: set, seen by GET_STATUS, stalls, cleared. */
    EXPECT_EQ(ctrl_out(&h->usb, 2, USB_REQ_SET_FEATURE, 0, 0x81, 0, NULL), 0);
    EXPECT_EQ(ctrl_in(&h->usb, 0x82, USB_REQ_GET_STATUS, 0, 0x81, 2, buf), 2);
    EXPECT_EQ(buf[0], 1);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, rep, 8, NULL), USB_RET_STALL);
    EXPECT_EQ(ctrl_out(&h->usb, 2, USB_REQ_CLEAR_FEATURE, 0, 0x81, 0, NULL), 0);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, rep, 8, NULL), USB_RET_NAK);
    /* A SETUP of the wrong size, an OUT data stage longer than wLength. */
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_SETUP, 0, setup, 7, NULL), USB_RET_STALL);
    uint8_t big[64] = { 0 };
    uint8_t s2[8] = { 0x21, 0x09, 0, 2, 0, 0, 1, 0 };
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_SETUP, 0, s2, 8, NULL), USB_RET_SUCCESS);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_OUT, 0, big, 64, NULL), USB_RET_STALL);
    /* wLength beyond the core's buffer stalls rather than overflowing. */
    uint8_t s3[8] = { 0x21, 0x09, 0, 2, 0, 0, 0xff, 0xff };
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_SETUP, 0, s3, 8, NULL), USB_RET_SUCCESS);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_OUT, 0, big, 8, NULL), USB_RET_STALL);
    free(h);
}

static void configure(struct usb_hid *h)
{
    EXPECT_EQ(ctrl_out(&h->usb, 0, USB_REQ_SET_CONFIGURATION, 1, 0, 0, NULL), 0);
}

TEST(tablet_reports)
{
    struct usb_hid *h = new_hid(HID_TABLET);
    configure(h);
    uint8_t r[8];
    size_t n;
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_NAK);
    usb_hid_pointer_abs(h, 0x1234, 0x7fff, 0, 1);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
    EXPECT_EQ(n, 6);
    EXPECT_EQ(r[0], 1);
    EXPECT_EQ(r[1] | r[2] << 8, 0x1234);
    EXPECT_EQ(r[3] | r[4] << 8, 0x7fff);
    EXPECT_EQ(r[5], 0);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_NAK);
    /* Press and release at one spot: two reports, in order. */
    usb_hid_pointer_abs(h, 0x1234, 0x7fff, 0, 0);
    usb_hid_pointer_abs(h, 0x1234, 0x7fff, 0, 4);
    usb_hid_pointer_abs(h, 0x1234, 0x7fff, -1, 0);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
    EXPECT_EQ(r[0], 0);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
    EXPECT_EQ(r[0], 4);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
    EXPECT_EQ(r[0], 0);
    EXPECT_EQ((int8_t)r[5], -1);
    /* Out of range positions are clamped; a flood folds into the last. */
    for (int i = 0; i < 100; i++) {
        usb_hid_pointer_abs(h, 40000 + i, -5, 0, 0);
    }
    int reports = 0;
    while (xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n) == USB_RET_SUCCESS) {
        reports++;
        EXPECT(reports < 40);
        if (reports >= 40) {
            break;
        }
    }
    EXPECT_EQ(r[1] | r[2] << 8, 0x7fff);
    EXPECT_EQ(r[3] | r[4] << 8, 0);
    /* GET_REPORT answers the current state. */
    uint8_t buf[16];
    EXPECT_EQ(ctrl_in(&h->usb, 0xa1, 0x01, 0x0100, 0, 16, buf), 6);
    EXPECT_EQ(buf[1] | buf[2] << 8, 0x7fff);
    free(h);
}

TEST(mouse_boot_protocol_and_clamping)
{
    struct usb_hid *h = new_hid(HID_MOUSE);
    configure(h);
    uint8_t r[8], buf[4];
    size_t n;
    usb_hid_pointer_rel(h, 300, -5, 0, 2);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
    EXPECT_EQ(n, 4);
    EXPECT_EQ(r[0], 2);
    EXPECT_EQ((int8_t)r[1], 127);
    EXPECT_EQ((int8_t)r[2], -5);
    /* The rest of the motion follows in the next reports. */
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
    EXPECT_EQ((int8_t)r[1], 127);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
    EXPECT_EQ((int8_t)r[1], 46);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_NAK);
    /* Boot protocol: three bytes. */
    EXPECT_EQ(ctrl_out(&h->usb, 0x21, 0x0b, 0, 0, 0, NULL), 0);
    EXPECT_EQ(ctrl_in(&h->usb, 0xa1, 0x03, 0, 0, 1, buf), 1);
    EXPECT_EQ(buf[0], 0);
    usb_hid_pointer_rel(h, 1, 1, 0, 0);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
    EXPECT_EQ(n, 3);
    EXPECT_EQ(ctrl_out(&h->usb, 0x21, 0x0b, 7, 0, 0, NULL), -1);
    /* SET_IDLE / GET_IDLE */
    EXPECT_EQ(ctrl_out(&h->usb, 0x21, 0x0a, 0x2a00, 0, 0, NULL), 0);
    EXPECT_EQ(ctrl_in(&h->usb, 0xa1, 0x02, 0, 0, 1, buf), 1);
    EXPECT_EQ(buf[0], 0x2a);
    /* Requests to interface 1 (there is none) stall. */
    EXPECT_EQ(ctrl_in(&h->usb, 0xa1, 0x02, 0, 1, 1, buf), -1);
    free(h);
}

TEST(keyboard_reports)
{
    struct usb_hid *h = new_hid(HID_KEYBOARD);
    configure(h);
    uint8_t r[8];
    size_t n;
    EXPECT_EQ(usb_hid_keycode_to_usage(0x1e), 0x04);     /* a */
    EXPECT_EQ(usb_hid_keycode_to_usage(0x9d), 0xe4);     /* right ctrl */
    EXPECT_EQ(usb_hid_keycode_to_usage(0xc8), 0x52);     /* up */
    EXPECT_EQ(usb_hid_keycode_to_usage(0x1000), 0);
    /* Shift-a pressed and released quickly: four reports in order. */
    usb_hid_key(h, 0x2a, true);
    usb_hid_key(h, 0x1e, true);
    usb_hid_key(h, 0x1e, false);
    usb_hid_key(h, 0x2a, false);
    static const uint8_t want[4][3] = {
        { 0x02, 0, 0 }, { 0x02, 0, 0x04 }, { 0x02, 0, 0 }, { 0, 0, 0 },
    };
    for (int i = 0; i < 4; i++) {
        EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_SUCCESS);
        EXPECT_EQ(n, 8);
        EXPECT_EQ(r[0], want[i][0]);
        EXPECT_EQ(r[2], want[i][2]);
    }
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_NAK);
    /* Seven keys down: the sixth slot is the last one used. */
    static const unsigned keys[7] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16 };
    for (int i = 0; i < 7; i++) {
        usb_hid_key(h, keys[i], true);
    }
    while (xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n) == USB_RET_SUCCESS) {
    }
    EXPECT_EQ(r[7], 0x1c);      /* y, the sixth key */
    /* A release of a key not down, an unknown key: no report. */
    usb_hid_key(h, 0x16, false);
    usb_hid_key(h, 0x7f, true);
    EXPECT_EQ(xfer(&h->usb, USB_TOKEN_IN, 1, r, 8, &n), USB_RET_NAK);
    /* LEDs through SET_REPORT. */
    uint8_t led = 0x02;
    EXPECT_EQ(ctrl_out(&h->usb, 0x21, 0x09, 0x0200, 0, 1, &led), 0);
    EXPECT_EQ(h->leds, 2);
    free(h);
}

/* ---- UHCI ---- */

static struct addr_space *as;
static struct mem_region ram;
static struct uhci *hc;
static int irq_level;

#define RAM_SIZE (1 << 20)
#define FL 0x10000          /* frame list */

static void set_irq(struct uhci *s, int level)
{
    irq_level = level;
}

static void w32(uint32_t addr, uint32_t v)
{
    as_write(as, addr, v, 4);
}

static uint32_t r32(uint32_t addr)
{
    return as_read(as, addr, 4);
}

static uint16_t reg(unsigned off)
{
    return uhci_io_read(hc, off, 2);
}

static void wreg(unsigned off, uint16_t v)
{
    uhci_io_write(hc, off, v, 2);
}

static void setup_hc(void)
{
    if (!as) {
        loop_init();
        as = as_new("mem", 1ULL << 32, 0);
        mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL);
        as_map(as, 0, &ram, 0, RAM_SIZE, 0);
    }
    hc = calloc(1, sizeof(*hc));
    hc->pci_irq = set_irq;
    uhci_init(hc, as);
    memset(ram.ram, 0, RAM_SIZE);
}

static void teardown_hc(void)
{
    usb_bus_free(hc->bus);
    free(hc);
    hc = NULL;
}

TEST(uhci_registers)
{
    setup_hc();
    EXPECT_EQ(reg(0x00), 0);
    EXPECT_EQ(reg(0x02), 0x20);                 /* HCHalted */
    EXPECT_EQ(uhci_io_read(hc, 0x0c, 1), 64);   /* SOFMOD */
    EXPECT_EQ(reg(0x10), 0x80);                 /* bit 7 reads 1 */
    EXPECT_EQ(reg(0x12), 0x80);
    EXPECT_EQ(reg(0x14), 0xffff);               /* no third port */
    /* FLBASEADD keeps only 4K-aligned bits; FRNUM writable while halted. */
    uhci_io_write(hc, 0x08, 0x12345678, 4);
    EXPECT_EQ(uhci_io_read(hc, 0x08, 4), 0x12345000);
    wreg(0x06, 0xffff);
    EXPECT_EQ(reg(0x06), 0x7ff);
    wreg(0x04, 0xffff);
    EXPECT_EQ(reg(0x04), 0xf);
    /* Run: no longer halted; FRNUM then read-only. */
    wreg(0x00, 0x01);
    EXPECT_EQ(reg(0x02) & 0x20, 0);
    wreg(0x06, 5);
    EXPECT_EQ(reg(0x06), 0x7ff);
    wreg(0x00, 0x00);
    EXPECT_EQ(reg(0x02) & 0x20, 0x20);
    /* HCRESET puts everything back. */
    wreg(0x00, 0x02);
    EXPECT_EQ(uhci_io_read(hc, 0x08, 4), 0);
    EXPECT_EQ(reg(0x04), 0);
    teardown_hc();
}

static struct usb_hid *attach_tablet(void)
{
    struct err *e = NULL;
    struct usb_hid *h = (struct usb_hid *)dev_create(dev_type_find("usb-tablet"),
                                                     NULL, &e);
    EXPECT(h != NULL);
    return h;
}

TEST(uhci_port_connect_reset_enable)
{
    setup_hc();
    struct usb_hid *h = attach_tablet();
    EXPECT(h->usb.port == &hc->bus->ports[0]);
    EXPECT_EQ(reg(0x10), 0x80 | 0x3);           /* CCS + CSC */
    wreg(0x10, 0x2);                            /* clear CSC */
    EXPECT_EQ(reg(0x10), 0x81);
    /* Reset, then enable; the device is back at address 0. */
    h->usb.addr = 9;
    wreg(0x10, 0x200);
    EXPECT_EQ(reg(0x10) & 0x200, 0x200);
    wreg(0x10, 0);
    EXPECT_EQ(h->usb.addr, 0);
    wreg(0x10, 0x4);
    EXPECT_EQ(reg(0x10), 0x85);
    /* The console now sends absolute events to the tablet. */
    EXPECT(console_pointer_is_absolute());
    console_pointer_abs_event(100, 200, 0, 1);
    EXPECT_EQ(h->q_len, 1);
    /* A wheel click away from the user (PS/2 -1) is HID +1. */
    console_pointer_abs_event(100, 200, -1, 1);
    EXPECT_EQ(h->q[1].dz, 1);
    EXPECT_EQ(console_abs_scale(0, 640), 0);
    EXPECT_EQ(console_abs_scale(639, 640), 0x7fff);
    EXPECT_EQ(console_abs_scale(5000, 640), 0x7fff);
    EXPECT_EQ(console_abs_scale(-3, 640), 0);
    /* Unplugged: disconnect seen, port disabled, pointer relative. */
    usb_device_detach(&h->usb);
    EXPECT_EQ(reg(0x10), 0x80 | 0x2 | 0x8);
    EXPECT(!console_pointer_is_absolute());
    teardown_hc();
}

/* A TD at addr: link, control/status, token, buffer. */
static void td(uint32_t addr, uint32_t link, uint32_t ctl, int pid, int dev,
               int ep, unsigned len, uint32_t buf)
{
    w32(addr, link);
    w32(addr + 4, ctl);
    w32(addr + 8, pid | dev << 8 | ep << 15 | ((len - 1) & 0x7ff) << 21);
    w32(addr + 12, buf);
}

#define ACTIVE (1u << 23)
#define IOC (1u << 24)

TEST(uhci_control_transfer_from_schedule)
{
    setup_hc();
    struct usb_hid *h = attach_tablet();
    wreg(0x10, 0x200);
    wreg(0x10, 0);
    wreg(0x10, 0x4 | 0x2);
    /* Frame 0 -> QH 0x20000 whose element is SETUP, IN, OUT(status). */
    w32(FL, 0x20000 | 2);
    for (int i = 1; i < 1024; i++) {
        w32(FL + 4 * i, 1);
    }
    w32(0x20000, 1);
    w32(0x20004, 0x21000);
    static const uint8_t setup[8] = { 0x80, 6, 0, 1, 0, 0, 18, 0 };
    as_rw(as, 0x30000, (void *)setup, 8, true);
    td(0x21000, 0x21020 | 4, ACTIVE, USB_TOKEN_SETUP, 0, 0, 8, 0x30000);
    td(0x21020, 0x21040 | 4, ACTIVE, USB_TOKEN_IN, 0, 0, 8, 0x31000);
    td(0x21040, 0x21060 | 4, ACTIVE, USB_TOKEN_IN, 0, 0, 8, 0x31008);
    td(0x21060, 0x21080 | 4, ACTIVE, USB_TOKEN_IN, 0, 0, 8, 0x31010);
    td(0x21080, 1, ACTIVE | IOC, USB_TOKEN_OUT, 0, 0, 0, 0);
    uhci_io_write(hc, 0x08, FL, 4);
    wreg(0x04, 0xf);
    wreg(0x00, 0x01);
    uhci_run_frame(hc);
    EXPECT_EQ(r32(0x21000 + 4) & ACTIVE, 0);
    EXPECT_EQ(r32(0x21000 + 4) & 0x7ff, 7);         /* 8 bytes */
    EXPECT_EQ(r32(0x21060 + 4) & 0x7ff, 1);         /* last 2 bytes */
    EXPECT_EQ(r32(0x21080 + 4) & 0x7ff, 0x7ff);     /* zero length */
    EXPECT_EQ(r32(0x20004), 1);                     /* queue done */
    EXPECT_EQ(as_read(as, 0x31000, 1), 18);
    EXPECT_EQ(as_read(as, 0x31008, 2), 0x0627);
    EXPECT_EQ(reg(0x02) & 1, 1);                    /* USBINT */
    EXPECT_EQ(irq_level, 1);
    wreg(0x02, 1);
    EXPECT_EQ(irq_level, 0);
    /* A TD to an address nobody has: timeout error, not a hang. */
    w32(0x20004, 0x21100);
    td(0x21100, 1, ACTIVE, USB_TOKEN_IN, 33, 0, 8, 0x31000);
    uhci_run_frame(hc);
    EXPECT(r32(0x21104) & (1u << 18));
    EXPECT_EQ(reg(0x02) & 2, 2);
    /* The interrupt endpoint NAKs while nothing happened: TD stays
     * active with NAK set, the queue does not advance. */
    h->usb.addr = 0;
    h->usb.config = 1;
    w32(0x20004, 0x21200);
    td(0x21200, 1, ACTIVE, USB_TOKEN_IN, 0, 1, 8, 0x32000);
    uhci_run_frame(hc);
    EXPECT(r32(0x21204) & ACTIVE);
    EXPECT(r32(0x21204) & (1u << 19));
    EXPECT_EQ(r32(0x20004), 0x21200);
    usb_hid_pointer_abs(h, 0x100, 0x200, 0, 0);
    uhci_run_frame(hc);
    EXPECT_EQ(r32(0x21204) & ACTIVE, 0);
    EXPECT_EQ(as_read(as, 0x32001, 2), 0x100);
    usb_device_detach(&h->usb);
    teardown_hc();
}

TEST(uhci_hostile_schedules)
{
    setup_hc();
    struct usb_hid *h = attach_tablet();
    wreg(0x10, 0x4);
    uhci_io_write(hc, 0x08, FL, 4);
    wreg(0x00, 0x01);
    /* A TD linking to itself, inactive: bounded walk. */
    w32(FL, 0x21000);
    td(0x21000, 0x21000, 0, USB_TOKEN_IN, 0, 0, 8, 0);
    uhci_run_frame(hc);
    /* Two QHs linking to each other with empty queues. */
    w32(FL, 0x20000 | 2);
    w32(0x20000, 0x20010 | 2);
    w32(0x20004, 1);
    w32(0x20010, 0x20000 | 2);
    w32(0x20014, 1);
    uhci_run_frame(hc);
    /* A queue whose TDs loop depth-first and keep NAKing... and one
     * that keeps succeeding (a SETUP, over and over). */
    w32(0x20004, 0x21000);
    td(0x21000, 0x21000 | 4, ACTIVE, USB_TOKEN_SETUP, 0, 0, 8, 0x30000);
    uhci_run_frame(hc);
    /* Pointers outside RAM: whatever they read as, the walk ends. */
    w32(FL, 0xfffff000 | 2);
    uhci_run_frame(hc);
    /* A buffer outside RAM, a maximum length over 1280. */
    w32(FL, 0x21000);
    td(0x21000, 1, ACTIVE, USB_TOKEN_SETUP, 0, 0, 8, 0xfffffff0);
    uhci_run_frame(hc);
    EXPECT_EQ(r32(0x21004) & ACTIVE, 0);
    td(0x21000, 1, ACTIVE, USB_TOKEN_OUT, 0, 0, 0x7fe, 0x30000);
    uhci_run_frame(hc);
    EXPECT_EQ(reg(0x02) & 0x30, 0x30);              /* HCPE, halted */
    EXPECT_EQ(reg(0x00) & 1, 0);
    /* A DMA write aimed at the frame list itself is just memory. */
    wreg(0x02, 0x3f);
    wreg(0x00, 0x01);
    td(0x21000, 1, ACTIVE, USB_TOKEN_IN, 0, 0, 8, FL);
    uhci_run_frame(hc);
    usb_device_detach(&h->usb);
    teardown_hc();
}

TEST_MAIN()
