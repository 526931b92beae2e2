/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtl8139_test.c - the RTL8139C through its I/O BAR as 8139too drives it:
 * 93C46 EEPROM (signature and MAC), chip version in TCR, TX slots, the RX
 * ring with headers, wrap-around and CAPR, ISR write-1-to-clear and the
 * INTx line, hostile lengths. */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/hw/pci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "tests/unit/test.h"

/* Named here so the archive link keeps emu/hw/rtl8139.o. */
extern const struct dev_type rtl8139_type;

#define RAM_SIZE (1u << 20)
#define IOBASE 0xc000

static struct addr_space *mem, *io;
static struct mem_region ram;
static struct pci_bus *bus;
static int irq_level;
static struct net_client *peer;
static int peer_got;
static size_t peer_len;
static uint8_t peer_frame[2048];

static ssize_t peer_receive(struct net_client *nc, const uint8_t *buf,
                            size_t len)
{
    peer_got++;
    peer_len = len;
    memcpy(peer_frame, buf, len < 2048 ? len : 2048);
    return len;
}

static const struct net_client_ops peer_ops = {
    .type = "test", .receive = peer_receive,
};

static int map_irq(struct pci_device *d, int pin)
{
    return 0;
}

static void set_irq(void *opaque, int input, int level)
{
    irq_level = level;
}

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

static struct pci_device *setup(void)
{
    static int n;
    char name[16];
    struct err *e = NULL;
    if (!mem) {
        loop_init();
        mem = as_new("mem", 1ULL << 32, 0);
        io = as_new("io", 0x10000, ~0ull);
        mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL);
        as_map(mem, 0, &ram, 0, RAM_SIZE, 0);
        bus = pci_bus_new(mem, io);
        bus->map_irq = map_irq;
        bus->set_irq = set_irq;
        pci_default_bus = bus;
    }
    memset(ram.ram, 0, RAM_SIZE);
    snprintf(name, sizeof(name), "rpeer%d", n++);
    peer = net_client_new(&peer_ops, sizeof(*peer), "test", name);
    peer_got = 0;
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "netdev", name);
    kv_set(kv, "romfile", "");
    kv_set(kv, "mac", "52:54:00:ab:cd:ef");
    struct device *d = dev_create(&rtl8139_type, kv, &e);
    kvlist_free(kv);
    if (!d) {
        printf("# %s\n", e->msg);
        exit(1);
    }
    struct pci_device *p = (struct pci_device *)d;
    /* BAR0 (I/O) at IOBASE, I/O and bus mastering on. */
    pci_config_write(bus, p->devfn, PCI_BASE_ADDRESS_0, IOBASE, 4);
    pci_config_write(bus, p->devfn, PCI_COMMAND,
                     PCI_COMMAND_IO | PCI_COMMAND_MASTER, 2);
    return p;
}

static void out8(unsigned r, uint8_t v) { as_write(io, IOBASE + r, v, 1); }
static void out16(unsigned r, uint16_t v) { as_write(io, IOBASE + r, v, 2); }
static void out32(unsigned r, uint32_t v) { as_write(io, IOBASE + r, v, 4); }
static uint8_t in8(unsigned r) { return (uint8_t)as_read(io, IOBASE + r, 1); }
static uint16_t in16(unsigned r) { return (uint16_t)as_read(io, IOBASE + r, 2); }
static uint32_t in32(unsigned r) { return (uint32_t)as_read(io, IOBASE + r, 4); }

/* 8139too's read_eeprom(): 6 address bits for a 93C46. */
static uint16_t ee_read(unsigned addr)
{
    unsigned cmd = (6u << 6) | addr;
    out8(0x50, 0x80);
    out8(0x50, 0x88);
    for (int i = 8; i >= 0; i--) {
        uint8_t d = ((cmd >> i) & 1) ? 0x02 : 0;
        out8(0x50, 0x88 | d);
        out8(0x50, 0x88 | d | 0x04);
    }
    out8(0x50, 0x88);
    uint16_t v = 0;
    for (int i = 0; i < 16; i++) {
        out8(0x50, 0x88 | 0x04);
        v = (uint16_t)(v << 1 | (in8(0x50) & 1));
        out8(0x50, 0x88);
    }
    out8(0x50, 0x00);
    return v;
}

TEST(identity_and_eeprom)
{
    struct pci_device *p = setup();
    EXPECT_EQ(pci_config_read(bus, p->devfn, PCI_VENDOR_ID, 4), 0x813910ec);
    EXPECT_EQ(in32(0x40) & 0x7cc00000, 0x74000000);     /* RTL8139C */
    EXPECT_EQ(ee_read(0), 0x8129);
    EXPECT_EQ(ee_read(7), 0x5452);
    EXPECT_EQ(ee_read(9), 0xefcd);
    EXPECT_EQ(in8(0x00), 0x52);
    EXPECT_EQ(in8(0x05), 0xef);
    EXPECT(in16(0x64) & 0x0004);    /* BMSR link up */
    EXPECT_EQ(in8(0x58) & 0x04, 0); /* MSR LINKB clear: link up */
}

TEST(tx_slots)
{
    setup();
    out8(0x37, 0x0c);               /* RE|TE */
    out16(0x3c, 0x0005);            /* IMR ROK|TOK */
    uint8_t f[80];
    for (int i = 0; i < 80; i++) {
        f[i] = (uint8_t)(i + 1);
    }
    as_rw(mem, 0x4000, f, 80, true);
    out32(0x20, 0x4000);            /* TSAD0 */
    out32(0x10, 80);                /* TSD0: size, OWN clear */
    EXPECT_EQ(peer_got, 1);
    EXPECT_EQ(peer_len, 80);
    EXPECT(!memcmp(peer_frame, f, 80));
    EXPECT_EQ(in32(0x10) & 0xa000, 0xa000);    /* OWN|TOK */
    EXPECT(in16(0x3e) & 0x0004);
    EXPECT_EQ(irq_level, 1);
    out16(0x3e, 0x0004);            /* write 1 to clear */
    EXPECT_EQ(in16(0x3e), 0);
    EXPECT_EQ(irq_level, 0);
    /* A size beyond the chip's buffer is cut, never overrun. */
    out32(0x24, 0xfff00000);        /* TSAD1: no memory there */
    out32(0x14, 0x1fff);
    EXPECT_EQ(peer_got, 2);
    EXPECT_EQ(peer_len, 1792);
}

TEST(rx_ring_and_capr)
{
    setup();
    out32(0x30, 0x8000);            /* RBSTART, 8 KiB ring, no WRAP */
    out32(0x44, 0x0000000a);        /* APM|AB */
    out8(0x37, 0x0c);
    EXPECT(in8(0x37) & 0x01);       /* BUFE */
    uint8_t f[1000];
    memcpy(f, MAC, 6);
    memset(f + 6, 0x11, 6);
    for (int i = 12; i < 1000; i++) {
        f[i] = (uint8_t)i;
    }
    unsigned off = 0;
    for (int k = 0; k < 12; k++) {
        f[20] = (uint8_t)k;
        EXPECT_EQ(net_send(peer, f, 1000), 1000);
        uint8_t hdr[4];
        as_rw(mem, 0x8000 + off, hdr, 4, false);
        EXPECT_EQ(hdr[0] | hdr[1] << 8, 0x4001);       /* ROK|PAM */
        EXPECT_EQ(hdr[2] | hdr[3] << 8, 1004);         /* with FCS */
        uint8_t got[1000];
        for (int i = 0; i < 1000; i++) {
            got[i] = ram.ram[0x8000 + (off + 4 + i) % 8192];
        }
        EXPECT(!memcmp(got, f, 1000));
        off = (off + 4 + 1004 + 3) & ~3u;
        off %= 8192;
        EXPECT_EQ(in16(0x3a), off);                      /* CBR */
        EXPECT(!(in8(0x37) & 0x01));
        /* The driver consumes it. */
        out16(0x38, (uint16_t)(off - 16));
    }
    EXPECT(in8(0x37) & 0x01);       /* empty again */
    /* Not for us, no AAP: dropped. */
    f[0] = 0x02;
    net_send(peer, f, 1000);
    EXPECT_EQ(in16(0x3a), off);
}

TEST(rx_full_waits_for_capr)
{
    setup();
    out32(0x30, 0x8000);
    out32(0x44, 0x0000000a);
    out8(0x37, 0x0c);
    uint8_t f[1500];
    memcpy(f, MAC, 6);
    memset(f + 6, 0x22, 1494);
    for (int k = 0; k < 8; k++) {
        net_send(peer, f, 1500);
    }
    /* 8 KiB holds five; the rest wait in the net layer. */
    EXPECT_EQ(in16(0x3a), 5 * 1508);
    EXPECT_EQ(in16(0x3a), 5 * 1508);  /* nothing overwritten */
    out16(0x38, (uint16_t)(5 * 1508 - 16));
    EXPECT_EQ(in16(0x3a), (8 * 1508) % 8192);
}

TEST_MAIN()
