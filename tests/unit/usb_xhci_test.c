/* SPDX-License-Identifier: GPL-2.0-or-later */
/* usb_xhci_test.c - the xHCI controller programmed as a driver does it:
 * capability registers and Supported Protocol capabilities, reset and
 * run/halt, a port's connect and reset with their Port Status Change
 * events, Enable Slot / Address Device / Configure Endpoint on the
 * command ring, a GET_DESCRIPTOR control transfer and an interrupt IN
 * transfer that NAKs until the tablet has a report, and hostile rings
 * (link TRBs looping, bad slot and endpoint numbers) that end. */
#include "emu/osdep.h"

#include "emu/hw/usb/usb-hid.h"
#include "emu/hw/usb/xhci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1 << 20)
#define DCBAA 0x10000
#define CR 0x11000          /* command ring */
#define ERST 0x12000
#define ER 0x13000          /* event ring, 64 TRBs */
#define ICTX 0x14000
#define OCTX 0x15000
#define TR0 0x16000         /* EP0 ring */
#define TR3 0x17000         /* EP1 IN ring (DCI 3) */
#define BUF 0x18000

static struct addr_space *as;
static struct mem_region ram;
static struct xhci *hc;
static int irq;
static unsigned cr_idx, ev_idx;
static bool ev_cycle;

static void set_irq(struct xhci *s, int level)
{
    irq = level;
}

static uint32_t r32(uint64_t a)
{
    return as_read(as, a, 4);
}

static void w32(uint64_t a, uint32_t v)
{
    as_write(as, a, v, 4);
}

static uint32_t reg(unsigned off)
{
    return xhci_mmio_read(hc, off, 4);
}

static void wreg(unsigned off, uint32_t v)
{
    xhci_mmio_write(hc, off, v, 4);
}

static void trb(uint64_t a, uint64_t param, uint32_t status, uint32_t control)
{
    w32(a, (uint32_t)param);
    w32(a + 4, param >> 32);
    w32(a + 8, status);
    w32(a + 12, control);
}

/* The next event, or false if none. */
static bool event(uint64_t *param, uint32_t *status, uint32_t *control)
{
    uint64_t a = ER + 16 * ev_idx;
    uint32_t c = r32(a + 12);
    if ((c & 1) != (ev_cycle ? 1u : 0u)) {
        return false;
    }
    *param = r32(a) | (uint64_t)r32(a + 4) << 32;
    *status = r32(a + 8);
    *control = c;
    if (++ev_idx == 64) {
        ev_idx = 0;
        ev_cycle = !ev_cycle;
    }
    wreg(0x1000 + 0x38, (ER + 16 * ev_idx) | 8);
    return true;
}

static unsigned command(uint32_t control, uint64_t param, int *slot)
{
    trb(CR + 16 * cr_idx, param, 0, control | 1);
    uint64_t at = CR + 16 * cr_idx;
    cr_idx++;
    wreg(0x2000, 0);
    uint64_t p;
    uint32_t st, c;
    while (event(&p, &st, &c)) {
        if (((c >> 10) & 0x3f) == 33 && p == at) {
            if (slot) {
                *slot = c >> 24;
            }
            return st >> 24;
        }
    }
    return 0;
}

static struct usb_hid *tablet;

static void setup(void)
{
    if (!as) {
        loop_init();
        as = as_new("mem", 1ULL << 32, 0);
        mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL);
        as_map(as, 0, &ram, 0, RAM_SIZE, 0);
    }
    memset(ram.ram, 0, RAM_SIZE);
    hc = calloc(1, sizeof(*hc));
    hc->irq_cb = set_irq;
    xhci_init(hc, as);
    cr_idx = ev_idx = 0;
    ev_cycle = true;
    wreg(0x40, 2);                              /* HCRST */
    wreg(0x40 + 0x38, 8);                       /* MaxSlotsEn */
    wreg(0x40 + 0x30, DCBAA);
    wreg(0x40 + 0x18, CR | 1);
    w32(ERST, ER);
    w32(ERST + 8, 64);
    wreg(0x1000 + 0x28, 1);
    wreg(0x1000 + 0x38, ER);
    wreg(0x1000 + 0x30, ERST);
    wreg(0x1000 + 0x20, 2);                     /* IE */
    wreg(0x40, 1 | 4);                          /* RS, INTE */
}

static void teardown(void)
{
    if (tablet && tablet->usb.port) {
        usb_device_detach(&tablet->usb);
    }
    usb_bus_free(hc->bus);
    free(hc);
}

TEST(capabilities_and_reset)
{
    setup();
    EXPECT_EQ(reg(0) & 0xff, 0x40);
    EXPECT_EQ(reg(0) >> 16, 0x100);
    EXPECT_EQ(reg(4) >> 24, XHCI_PORTS);
    EXPECT_EQ(reg(0x10) & 1, 1);                /* 64-bit addressing */
    unsigned x = (reg(0x10) >> 16) * 4;
    /* Two Supported Protocol capabilities: USB 2 then USB 3. */
    EXPECT_EQ(reg(x) & 0xff, 2);
    EXPECT_EQ(reg(x) >> 24, 2);
    EXPECT_EQ(reg(x + 4), 0x20425355);
    EXPECT_EQ(reg(x + 8) & 0xff, 1);
    EXPECT_EQ((reg(x + 8) >> 8) & 0xff, XHCI_PORTS2);
    unsigned x2 = x + ((reg(x) >> 8) & 0xff) * 4;
    EXPECT_EQ(reg(x2) >> 24, 3);
    EXPECT_EQ(reg(x2 + 8) & 0xff, XHCI_PORTS2 + 1);
    EXPECT_EQ(reg(0x14), 0x2000);
    EXPECT_EQ(reg(0x18), 0x1000);
    /* Running: not halted; pagesize 4K; the ports are powered. */
    EXPECT_EQ(reg(0x44) & 1, 0);
    EXPECT_EQ(reg(0x48), 1);
    EXPECT_EQ(reg(0x440) & (1u << 9), 1u << 9);
    /* Stop: halted; reset: registers back to zero. */
    wreg(0x40, 0);
    EXPECT_EQ(reg(0x44) & 1, 1);
    wreg(0x40, 2);
    EXPECT_EQ(reg(0x40), 0);
    EXPECT_EQ(reg(0x40 + 0x30), 0);
    EXPECT_EQ(reg(0x1000 + 0x28), 0);
    /* Byte reads of the capability length, qword DCBAAP. */
    EXPECT_EQ(xhci_mmio_read(hc, 0, 1), 0x40);
    xhci_mmio_write(hc, 0x40 + 0x30, 0x123456789000ULL, 8);
    EXPECT_EQ(xhci_mmio_read(hc, 0x40 + 0x30, 8), 0x123456789000ULL);
    teardown();
}

static int enumerate(void)
{
    struct err *e = NULL;
    tablet = (struct usb_hid *)dev_create(dev_type_find("usb-tablet"), NULL, &e);
    EXPECT(tablet != NULL);
    EXPECT(tablet->usb.port == &hc->bus->ports[0]);
    uint64_t p;
    uint32_t st, c;
    /* Connect: CCS, CSC, full speed, and a Port Status Change event. */
    EXPECT_EQ(reg(0x440) & 0x20003, 0x20001);
    EXPECT_EQ((reg(0x440) >> 10) & 0xf, 1);
    EXPECT(event(&p, &st, &c));
    EXPECT_EQ((c >> 10) & 0x3f, 34);
    EXPECT_EQ(p >> 24, 1);
    EXPECT_EQ(irq, 1);
    wreg(0x1000 + 0x20, 3);                     /* ack IP */
    EXPECT_EQ(irq, 0);
    /* Reset the port: enabled, PRC, another event. */
    wreg(0x440, (1u << 9) | (1u << 17) | (1u << 4));
    EXPECT_EQ(reg(0x440) & 0x200003, 0x200003);
    EXPECT(event(&p, &st, &c));
    EXPECT_EQ((c >> 10) & 0x3f, 34);
    wreg(0x440, (1u << 9) | (1u << 21));
    EXPECT_EQ(reg(0x440) & (1u << 21), 0);
    int slot = 0;
    EXPECT_EQ(command(9 << 10, 0, &slot), 1);   /* Enable Slot */
    EXPECT_EQ(slot, 1);
    w32(DCBAA + 8, OCTX);
    /* Input context: add slot + EP0; root port 1; EP0 ring at TR0. */
    w32(ICTX + 4, 3);
    w32(ICTX + 32, 1u << 27);
    w32(ICTX + 32 + 4, 1u << 16);
    w32(ICTX + 64 + 4, 4u << 3 | 64u << 16);
    w32(ICTX + 64 + 8, TR0 | 1);
    EXPECT_EQ(command(11 << 10 | 1u << 24, ICTX, NULL), 1);
    EXPECT_EQ(r32(OCTX + 12) >> 27, 2);         /* slot Addressed */
    EXPECT_EQ(r32(OCTX + 32) & 7, 1);           /* EP0 Running */
    return slot;
}

TEST(enumerate_and_transfer)
{
    setup();
    int slot = enumerate();
    /* GET_DESCRIPTOR(device, 18) on EP0: setup, data IN (64, short),
     * status OUT with IOC. */
    trb(TR0, 0x0012000001000680ULL, 8, 2 << 10 | 0x40 | 3u << 16 | 1);
    trb(TR0 + 16, BUF, 64, 3 << 10 | 1u << 16 | 0x4 | 1);
    trb(TR0 + 32, 0, 0, 4 << 10 | 0x20 | 1);
    wreg(0x2000 + 4 * slot, 1);
    uint64_t p;
    uint32_t st, c;
    EXPECT(event(&p, &st, &c));
    EXPECT_EQ((c >> 10) & 0x3f, 32);
    EXPECT_EQ(p, TR0 + 16);
    EXPECT_EQ(st >> 24, 13);                    /* short packet */
    EXPECT_EQ(st & 0xffffff, 64 - 18);
    EXPECT(event(&p, &st, &c));
    EXPECT_EQ(p, TR0 + 32);
    EXPECT_EQ(st >> 24, 1);
    EXPECT_EQ((c >> 16) & 0x1f, 1);
    EXPECT_EQ(c >> 24, (uint32_t)slot);
    EXPECT_EQ(as_read(as, BUF, 1), 18);
    EXPECT_EQ(as_read(as, BUF + 8, 2), 0x0627);
    /* The output context's dequeue pointer moved past the TD. */
    EXPECT_EQ(r32(OCTX + 32 + 8) & ~0xfu, TR0 + 48);
    /* SET_CONFIGURATION 1 */
    trb(TR0 + 48, 0x0000000000010900ULL, 8, 2 << 10 | 0x40 | 1);
    trb(TR0 + 64, 0, 0, 4 << 10 | 1u << 16 | 0x20 | 1);
    wreg(0x2000 + 4 * slot, 1);
    EXPECT(event(&p, &st, &c));
    EXPECT_EQ(st >> 24, 1);
    /* Configure EP1 IN (DCI 3, interrupt IN). */
    memset(ram.ram + ICTX, 0, 0x400);
    w32(ICTX + 4, 1 | 8);
    w32(ICTX + 32, 3u << 27);
    w32(ICTX + 32 * 4 + 4, 7u << 3 | 8u << 16);
    w32(ICTX + 32 * 4 + 8, TR3 | 1);
    EXPECT_EQ(command(12 << 10 | (uint32_t)slot << 24, ICTX, NULL), 1);
    EXPECT_EQ(r32(OCTX + 12) >> 27, 3);         /* Configured */
    EXPECT_EQ(r32(OCTX + 32 * 3) & 7, 1);
    /* An interrupt IN: NAK (no event) until the tablet moves. */
    trb(TR3, BUF + 0x100, 8, 1 << 10 | 0x20 | 0x4 | 1);
    wreg(0x2000 + 4 * slot, 3);
    EXPECT(!event(&p, &st, &c));
    EXPECT(hc->slots[slot].ep[3].nak);
    usb_hid_pointer_abs(tablet, 0x1234, 0x4321, 0, 1);
    wreg(0x2000 + 4 * slot, 3);
    EXPECT(event(&p, &st, &c));
    EXPECT_EQ(p, TR3);
    EXPECT_EQ(st >> 24, 13);                    /* 6 of 8 bytes */
    EXPECT_EQ(st & 0xffffff, 2);
    EXPECT_EQ(as_read(as, BUF + 0x101, 2), 0x1234);
    /* Stop the endpoint, move its dequeue pointer, disable the slot. */
    EXPECT_EQ(command(15 << 10 | 3u << 16 | (uint32_t)slot << 24, 0, NULL), 1);
    EXPECT_EQ(r32(OCTX + 32 * 3) & 7, 3);
    EXPECT_EQ(command(16 << 10 | 3u << 16 | (uint32_t)slot << 24, TR3 | 1,
                      NULL), 1);
    EXPECT_EQ(command(14 << 10 | 3u << 16 | (uint32_t)slot << 24, 0, NULL),
              19);                              /* not halted */
    EXPECT_EQ(command(10 << 10 | (uint32_t)slot << 24, 0, NULL), 1);
    EXPECT_EQ(command(10 << 10 | (uint32_t)slot << 24, 0, NULL), 11);
    teardown();
}

TEST(hostile_rings)
{
    setup();
    int slot = enumerate();
    uint64_t p;
    uint32_t st, c;
    /* A link TRB pointing at itself on EP0: the walk ends. */
    trb(TR0, TR0, 0, 6 << 10 | 1);
    wreg(0x2000 + 4 * slot, 1);
    /* Toggling cycle each time: still bounded. */
    trb(TR0, TR0, 0, 6 << 10 | 2 | 1);
    wreg(0x2000 + 4 * slot, 1);
    /* Doorbells for slots and endpoints that do not exist. */
    wreg(0x2000 + 4 * 30, 1);
    wreg(0x2000 + 4 * slot, 31);
    wreg(0x2000 + 4 * slot, 0);
    /* Commands with bad slot numbers and unknown types. */
    EXPECT_EQ(command(11 << 10 | 200u << 24, ICTX, NULL), 11);
    EXPECT_EQ(command(14 << 10 | 7u << 24, 0, NULL), 11);
    EXPECT_EQ(command(55 << 10, 0, NULL), 5);
    /* Address Device naming a port with nothing on it, or a USB 3 one. */
    int s2 = 0;
    EXPECT_EQ(command(9 << 10, 0, &s2), 1);
    w32(ICTX + 4, 3);
    w32(ICTX + 32 + 4, 3u << 16);
    EXPECT_EQ(command(11 << 10 | (uint32_t)s2 << 24, ICTX, NULL), 4);
    w32(ICTX + 32 + 4, 7u << 16);
    EXPECT_EQ(command(11 << 10 | (uint32_t)s2 << 24, ICTX, NULL), 4);
    /* A data TRB longer than anything (17 bits) with a buffer outside
     * RAM, on a command ring that links into unassigned space. */
    trb(TR0, 0x0012000001000680ULL, 8, 2 << 10 | 0x40 | 1);
    trb(TR0 + 16, 0xfffffffff000ULL, 0x1ffff, 3 << 10 | 1u << 16 | 1);
    trb(TR0 + 32, 0, 0, 4 << 10 | 0x20 | 1);
    wreg(0x2000 + 4 * slot, 1);
    while (event(&p, &st, &c)) {
    }
    trb(CR + 16 * cr_idx, 0xfff00000ULL, 0, 6 << 10 | 1);
    wreg(0x2000, 0);
    /* An event ring segment table that claims 65535 entries. */
    wreg(0x1000 + 0x28, 0xffff);
    EXPECT_EQ(reg(0x1000 + 0x28), 16);
    teardown();
}

TEST_MAIN()
