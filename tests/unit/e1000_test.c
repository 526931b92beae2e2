/* SPDX-License-Identifier: GPL-2.0-or-later */
/* e1000_test.c - the 82540EM as a driver sees it: EEPROM over Microwire
 * and EERD (checksum 0xBABA, MAC), PHY over MDIC, legacy and context/data
 * TX descriptors with checksum offload and TCP segmentation, RX into the
 * ring with address filtering and FCS, ICR/IMS and the INTx line, and
 * hostile ring programming (8254x SDM; see emu/hw/e1000.h). */
#include "emu/osdep.h"

#include "emu/hw/e1000.h"
#include "emu/hw/pci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)

static struct addr_space *mem;
static struct mem_region ram;
static struct pci_bus *bus;
static int irq_level;

/* The other end of the wire: records frames, can refuse. */
struct peer {
    struct net_client nc;
    int got;
    size_t len[16];
    uint8_t frame[16][2048];
};
static struct peer *peer;

static ssize_t peer_receive(struct net_client *nc, const uint8_t *buf,
                            size_t len)
{
    struct peer *p = (struct peer *)nc;
    if (p->got < 16) {
        p->len[p->got] = len;
        memcpy(p->frame[p->got], buf, len < 2048 ? len : 2048);
    }
    p->got++;
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

static struct e1000 *setup(void)
{
    static int n;
    char name[16];
    struct err *e = NULL;
    if (!mem) {
        loop_init();
        mem = as_new("mem", 1ULL << 32, 0);
        mem_region_init_ram(&ram, "ram", RAM_SIZE, NULL);
        as_map(mem, 0, &ram, 0, RAM_SIZE, 0);
        bus = pci_bus_new(mem, as_new("io", 0x10000, ~0ull));
        bus->map_irq = map_irq;
        bus->set_irq = set_irq;
    }
    memset(ram.ram, 0, RAM_SIZE);
    snprintf(name, sizeof(name), "peer%d", n++);
    peer = (struct peer *)net_client_new(&peer_ops, sizeof(*peer), "test",
                                         name);
    struct e1000 *s = e1000_create(bus, name, &e);
    if (!s) {
        printf("# %s\n", e->msg);
        exit(1);
    }
    pci_config_write(bus, s->pci.devfn, PCI_COMMAND,
                     PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
    return s;
}

static void wr(struct e1000 *s, uint32_t reg, uint32_t v)
{
    e1000_mmio_writel(s, reg, v);
}

static uint32_t rd(struct e1000 *s, uint32_t reg)
{
    return e1000_mmio_readl(s, reg);
}

/* ---- EEPROM and PHY ---- */

/* Linux's e1000_read_eeprom for Microwire parts, bit by bit. */
static uint16_t microwire_read(struct e1000 *s, unsigned addr)
{
    uint32_t eecd = 0x40;   /* REQ */
    wr(s, E_EECD, eecd);
    eecd |= 0x02;           /* CS */
    wr(s, E_EECD, eecd);
    uint32_t out = (0x6u << 6) | addr;  /* start+READ, 6 address bits */
    for (int i = 8; i >= 0; i--) {
        eecd = (eecd & ~0x04u) | (((out >> i) & 1) ? 0x04 : 0);
        wr(s, E_EECD, eecd);
        wr(s, E_EECD, eecd | 0x01);     /* SK up */
        wr(s, E_EECD, eecd);            /* SK down */
    }
    uint16_t data = 0;
    for (int i = 0; i < 16; i++) {
        wr(s, E_EECD, eecd | 0x01);
        data = (uint16_t)(data << 1 | ((rd(s, E_EECD) & 0x08) ? 1 : 0));
        wr(s, E_EECD, eecd);
    }
    wr(s, E_EECD, 0x40);    /* CS down: standby */
    return data;
}

TEST(eeprom_microwire_checksum_and_mac)
{
    struct e1000 *s = setup();
    EXPECT(rd(s, E_EECD) & 0x80);   /* GNT while REQ */
    uint16_t sum = 0;
    for (unsigned i = 0; i < 64; i++) {
        sum += microwire_read(s, i);
    }
    EXPECT_EQ(sum, 0xbaba);
    uint16_t w0 = microwire_read(s, 0), w2 = microwire_read(s, 2);
    EXPECT_EQ(w0 & 0xff, s->macaddr[0]);
    EXPECT_EQ(w2 >> 8, s->macaddr[5]);
    EXPECT_EQ(microwire_read(s, 0x0d), 0x100e);
}

TEST(eeprom_eerd)
{
    struct e1000 *s = setup();
    wr(s, E_EERD, (0x0e << 8) | 1);
    uint32_t v = rd(s, E_EERD);
    EXPECT(v & 0x10);               /* DONE */
    EXPECT_EQ(v >> 16, 0x8086);
    wr(s, E_EERD, (0xff << 8) | 1); /* past the end: zero, no overrun */
    EXPECT_EQ(rd(s, E_EERD) >> 16, 0);
}

static uint32_t mdic(struct e1000 *s, uint32_t v)
{
    wr(s, E_MDIC, v);
    return rd(s, E_MDIC);
}

TEST(phy_over_mdic)
{
    struct e1000 *s = setup();
    uint32_t v = mdic(s, 0x08000000 | 1 << 21 | 2 << 16);
    EXPECT(v & 0x10000000);
    EXPECT_EQ(v & 0xffff, 0x0141);
    EXPECT_EQ(mdic(s, 0x08000000 | 1 << 21 | 3 << 16) & 0xffff, 0x0c20);
    EXPECT(mdic(s, 0x08000000 | 1 << 21 | 1 << 16) & 0x0004); /* link */
    EXPECT(mdic(s, 0x08000000 | 2 << 21 | 2 << 16) & 0x40000000); /* error */
    mdic(s, 0x04000000 | 1 << 21 | 4 << 16 | 0x01e1);   /* write ANAR */
    EXPECT_EQ(mdic(s, 0x08000000 | 1 << 21 | 4 << 16) & 0xffff, 0x01e1);
    mdic(s, 0x04000000 | 1 << 21 | 2 << 16 | 0x1234);   /* ID: read-only */
    EXPECT_EQ(mdic(s, 0x08000000 | 1 << 21 | 2 << 16) & 0xffff, 0x0141);
}

/* ---- transmit ---- */

#define TX_RING 0x1000
#define TX_BUF 0x8000

static void put_desc(uint64_t at, uint64_t a, uint32_t dw2, uint32_t dw3)
{
    uint8_t d[16];
    memcpy(d, &a, 8);
    memcpy(d + 8, &dw2, 4);
    memcpy(d + 12, &dw3, 4);
    as_rw(mem, at, d, 16, true);
}

static void tx_setup(struct e1000 *s, unsigned n)
{
    wr(s, E_TDBAL, TX_RING);
    wr(s, E_TDBAH, 0);
    wr(s, E_TDLEN, n * 16);
    wr(s, E_TDH, 0);
    wr(s, E_TDT, 0);
    wr(s, E_TCTL, E_TCTL_EN);
}

TEST(tx_legacy_descriptor)
{
    struct e1000 *s = setup();
    tx_setup(s, 8);
    wr(s, E_IMS, E_ICR_TXDW);
    uint8_t f[100];
    for (int i = 0; i < 100; i++) {
        f[i] = (uint8_t)(i * 3);
    }
    as_rw(mem, TX_BUF, f, 100, true);
    /* Two pieces: 40 bytes, then 60 with EOP|RS. */
    put_desc(TX_RING, TX_BUF, 40, 0);
    put_desc(TX_RING + 16, TX_BUF + 40, 60 | (0x09u << 24), 0);
    wr(s, E_TDT, 2);
    EXPECT_EQ(peer->got, 1);
    EXPECT_EQ(peer->len[0], 100);
    EXPECT(!memcmp(peer->frame[0], f, 100));
    EXPECT_EQ(rd(s, E_TDH), 2);
    EXPECT(ram.ram[TX_RING + 16 + 12] & 1);     /* DD written back */
    EXPECT_EQ(irq_level, 1);
    uint32_t icr = rd(s, E_ICR);
    EXPECT(icr & E_ICR_TXDW);
    EXPECT(icr & E_ICR_TXQE);
    EXPECT_EQ(irq_level, 0);                    /* read clears */
    EXPECT_EQ(rd(s, E_ICR), 0);
    EXPECT_EQ(rd(s, E_GPTC), 1);
    EXPECT_EQ(rd(s, E_GPTC), 0);                /* clear on read */
}

static uint16_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += p[i] << 8 | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)sum;
}

/* A TCP/IPv4 frame's checksums verify (0xffff folded sums). */
static void expect_tcp_ok(const uint8_t *f, size_t len)
{
    EXPECT_EQ(sum16(f + 14, 20, 0), 0xffff);
    size_t tlen = len - 34;
    uint32_t ph = (f[26] << 8 | f[27]) + (f[28] << 8 | f[29]) +
                  (f[30] << 8 | f[31]) + (f[32] << 8 | f[33]) + 6 +
                  (uint32_t)tlen;
    EXPECT_EQ(sum16(f + 34, tlen, ph), 0xffff);
}

static size_t make_tcp(uint8_t *f, size_t payload, bool pseudo_without_len)
{
    memset(f, 0, 54);
    memcpy(f, "\x52\x54\x00\x00\x00\x01\x52\x54\x00\x12\x34\x56\x08\x00", 14);
    uint8_t *ip = f + 14, *t = f + 34;
    ip[0] = 0x45;
    ip[2] = (uint8_t)((20 + 20 + payload) >> 8);
    ip[3] = (uint8_t)(20 + 20 + payload);
    ip[4] = 0x12;
    ip[5] = 0x34;
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    t[0] = 0x30; t[1] = 0x39; t[2] = 0x00; t[3] = 0x50;
    t[4] = 0x01; t[5] = 0x02; t[6] = 0x03; t[7] = 0x04;   /* seq */
    t[12] = 0x50;
    t[13] = 0x19;   /* FIN PSH ACK */
    for (size_t i = 0; i < payload; i++) {
        f[54 + i] = (uint8_t)(i * 7 + 1);
    }
    /* The driver's part: pseudo-header sum in the TCP checksum field. */
    uint32_t ph = 0x0a00 + 0x020f + 0x0a00 + 0x0202 + 6 +
                  (pseudo_without_len ? 0 : (uint32_t)(20 + payload));
    while (ph >> 16) {
        ph = (ph & 0xffff) + (ph >> 16);
    }
    t[16] = (uint8_t)(ph >> 8);
    t[17] = (uint8_t)ph;
    return 54 + payload;
}

static uint32_t ctx_dw(uint8_t a, uint8_t b, uint16_t c)
{
    return a | b << 8 | (uint32_t)c << 16;
}

TEST(tx_checksum_offload)
{
    struct e1000 *s = setup();
    tx_setup(s, 8);
    uint8_t f[300];
    size_t len = make_tcp(f, 200, false);
    as_rw(mem, TX_BUF, f, len, true);
    /* Context: IP 14..33 into 24, TCP from 34 into 50. */
    uint64_t lo = ctx_dw(14, 24, 33) | (uint64_t)ctx_dw(34, 50, 0) << 32;
    put_desc(TX_RING, lo, 0x20u << 24 | 0x02u << 24, 0);
    /* Data: DEXT, DTYP=1, EOP|RS, POPTS IXSM|TXSM. */
    put_desc(TX_RING + 16, TX_BUF, (uint32_t)len | 1u << 20 | 0x29u << 24,
             0x03u << 8);
    wr(s, E_TDT, 2);
    EXPECT_EQ(peer->got, 1);
    EXPECT_EQ(peer->len[0], len);
    expect_tcp_ok(peer->frame[0], len);
}

TEST(tx_tcp_segmentation)
{
    struct e1000 *s = setup();
    tx_setup(s, 8);
    static uint8_t f[4000];
    size_t len = make_tcp(f, 2500, true);
    f[16] = f[17] = 0;      /* Linux zeroes tot_len for TSO */
    as_rw(mem, TX_BUF, f, len, true);
    uint64_t lo = ctx_dw(14, 24, 33) | (uint64_t)ctx_dw(34, 50, 0) << 32;
    /* TUCMD: DEXT|TSE|IP|TCP; PAYLEN 2500; HDRLEN 54; MSS 1000. */
    put_desc(TX_RING, lo, 2500 | 0x27u << 24, 54u << 8 | 1000u << 16);
    /* Header and payload in two data descriptors, TSE on both. */
    put_desc(TX_RING + 16, TX_BUF, 54 | 1u << 20 | 0x24u << 24, 0x03u << 8);
    put_desc(TX_RING + 32, TX_BUF + 54, 2500 | 1u << 20 | 0x2du << 24,
             0x03u << 8);
    wr(s, E_TDT, 3);
    EXPECT_EQ(peer->got, 3);
    size_t want[3] = { 1054, 1054, 554 };
    for (int i = 0; i < 3 && i < peer->got; i++) {
        uint8_t *g = peer->frame[i];
        EXPECT_EQ(peer->len[i], want[i]);
        EXPECT_EQ(g[16] << 8 | g[17], want[i] - 14);     /* tot_len */
        EXPECT_EQ(g[18] << 8 | g[19], 0x1234 + i);       /* IP ID */
        uint32_t seq = (uint32_t)g[38] << 24 | g[39] << 16 | g[40] << 8 | g[41];
        EXPECT_EQ(seq, 0x01020304u + 1000u * i);
        EXPECT_EQ(g[47] & 0x09, i == 2 ? 0x09 : 0);       /* FIN|PSH last */
        EXPECT(!memcmp(g + 54, f + 54 + 1000 * i, want[i] - 54));
        expect_tcp_ok(g, want[i]);
    }
}

TEST(tx_hostile_rings)
{
    struct e1000 *s = setup();
    tx_setup(s, 8);
    /* Head past the ring: nothing is walked. */
    wr(s, E_TDH, 100);
    wr(s, E_TDT, 3);
    EXPECT_EQ(peer->got, 0);
    /* Ring and buffers where there is no memory; a giant length. */
    wr(s, E_TDBAL, 0xfff00000);
    wr(s, E_TDH, 0);
    wr(s, E_TDT, 5);
    EXPECT_EQ(peer->got, 0);
    wr(s, E_TDBAL, TX_RING);
    wr(s, E_TDH, 0);
    put_desc(TX_RING, 0xfffff000ull, 0xffff | 0x09u << 24, 0);
    wr(s, E_TDT, 1);
    EXPECT_EQ(peer->got, 1);        /* sent what it could read */
    /* TSO with MSS 0 and a header longer than the data: dropped. */
    uint64_t lo = ctx_dw(14, 24, 33) | (uint64_t)ctx_dw(34, 50, 0) << 32;
    put_desc(TX_RING + 16, lo, 0x27u << 24, 200u << 8);
    put_desc(TX_RING + 32, TX_BUF, 100 | 1u << 20 | 0x2du << 24, 0x03u << 8);
    wr(s, E_TDT, 3);
    EXPECT_EQ(peer->got, 1);
    /* Bus mastering off: no DMA at all. */
    pci_config_write(bus, s->pci.devfn, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    put_desc(TX_RING + 48, TX_BUF, 60 | 0x09u << 24, 0);
    wr(s, E_TDT, 4);
    EXPECT_EQ(peer->got, 1);
    EXPECT_EQ(rd(s, E_TDH), 3);
}

TEST(tx_big_ring_yields)
{
    struct e1000 *s = setup();
    unsigned n = 4096;
    tx_setup(s, n);
    uint8_t f[60] = { 0x52, 0x54 };
    as_rw(mem, TX_BUF, f, 60, true);
    for (unsigned i = 0; i < n; i++) {
        put_desc(TX_RING + 16 * i, TX_BUF, 60 | 0x01u << 24, 0);
    }
    wr(s, E_TDT, n - 1);
    /* One run stops at its budget; the bottom half does the rest. */
    EXPECT(peer->got < (int)n - 1);
    EXPECT(peer->got > 0);
    for (int i = 0; i < 20 && rd(s, E_TDH) != n - 1; i++) {
        loop_wait(0);
    }
    EXPECT_EQ(rd(s, E_TDH), n - 1);
    EXPECT_EQ(peer->got, (int)n - 1);
}

/* ---- receive ---- */

#define RX_RING 0x2000
#define RX_BUF 0x10000

static void rx_setup(struct e1000 *s, unsigned n, uint32_t rctl)
{
    for (unsigned i = 0; i < n; i++) {
        put_desc(RX_RING + 16 * i, RX_BUF + 0x800 * i, 0, 0);
    }
    wr(s, E_RDBAL, RX_RING);
    wr(s, E_RDLEN, n * 16);
    wr(s, E_RDH, 0);
    wr(s, E_RDT, n - 1);
    wr(s, E_RCTL, rctl);
}

static size_t make_frame(uint8_t *f, const uint8_t *dst, size_t len)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, "\x52\x55\x0a\x00\x02\x02", 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++) {
        f[i] = (uint8_t)i;
    }
    return len;
}

TEST(rx_into_ring)
{
    struct e1000 *s = setup();
    rx_setup(s, 8, E_RCTL_EN | E_RCTL_BAM | E_RCTL_SECRC);
    wr(s, E_IMS, E_ICR_RXT0);
    uint8_t f[1000];
    make_frame(f, s->macaddr, 1000);
    EXPECT_EQ(net_send(&peer->nc, f, 1000), 1000);
    EXPECT(!memcmp(ram.ram + RX_BUF, f, 1000));
    uint8_t *d = ram.ram + RX_RING;
    EXPECT_EQ(d[8] | d[9] << 8, 1000);
    EXPECT_EQ(d[12] & 3, 3);        /* DD|EOP */
    EXPECT_EQ(rd(s, E_RDH), 1);
    EXPECT_EQ(irq_level, 1);
    EXPECT(rd(s, E_ICR) & E_ICR_RXT0);
    /* Short frame: padded to 60. */
    make_frame(f, s->macaddr, 42);
    net_send(&peer->nc, f, 42);
    EXPECT_EQ(d[16 + 8], 60);
    EXPECT_EQ(rd(s, E_GPRC), 2);
}

TEST(rx_fcs_and_multi_buffer)
{
    struct e1000 *s = setup();
    /* 256-byte buffers (BSIZE 11b), FCS kept. */
    rx_setup(s, 8, E_RCTL_EN | 3u << 16);
    uint8_t f[600];
    make_frame(f, s->macaddr, 600);
    net_send(&peer->nc, f, 600);
    uint8_t *d = ram.ram + RX_RING;
    EXPECT_EQ(d[8] | d[9] << 8, 256);
    EXPECT_EQ(d[12] & 3, 1);
    EXPECT_EQ(d[32 + 8] | d[32 + 9] << 8, 604 - 512);
    EXPECT_EQ(d[32 + 12] & 3, 3);
    EXPECT(!memcmp(ram.ram + RX_BUF + 0x800, f + 256, 256));
    /* The FCS is the Ethernet CRC-32: the residue over data+FCS. */
    uint8_t all[604];
    memcpy(all, f, 600);
    memcpy(all + 600, ram.ram + RX_BUF + 0x1000 + 88, 4);
    uint32_t c = 0xffffffffu;
    for (int i = 0; i < 604; i++) {
        c ^= all[i];
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        }
    }
    EXPECT_EQ(c, 0xdebb20e3u);
}

TEST(rx_address_filter)
{
    struct e1000 *s = setup();
    rx_setup(s, 8, E_RCTL_EN | E_RCTL_SECRC);
    uint8_t f[100];
    make_frame(f, (const uint8_t *)"\x52\x54\x00\x99\x99\x99", 100);
    net_send(&peer->nc, f, 100);                /* not ours */
    make_frame(f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 100);
    net_send(&peer->nc, f, 100);                /* broadcast, BAM off */
    EXPECT_EQ(rd(s, E_RDH), 0);
    wr(s, E_RCTL, E_RCTL_EN | E_RCTL_SECRC | E_RCTL_BAM);
    net_send(&peer->nc, f, 100);
    EXPECT_EQ(rd(s, E_RDH), 1);
    /* Multicast through the MTA (MO=0: bits 47:36). */
    const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
    make_frame(f, mc, 100);
    net_send(&peer->nc, f, 100);
    EXPECT_EQ(rd(s, E_RDH), 1);
    unsigned hash = (mc[4] >> 4 | mc[5] << 4) & 0xfff;
    wr(s, E_MTA + (hash >> 5) * 4, 1u << (hash & 31));
    net_send(&peer->nc, f, 100);
    EXPECT_EQ(rd(s, E_RDH), 2);
    /* Promiscuous. */
    wr(s, E_RCTL, E_RCTL_EN | E_RCTL_SECRC | E_RCTL_UPE);
    make_frame(f, (const uint8_t *)"\x52\x54\x00\x99\x99\x99", 100);
    net_send(&peer->nc, f, 100);
    EXPECT_EQ(rd(s, E_RDH), 3);
}

TEST(rx_waits_for_buffers)
{
    struct e1000 *s = setup();
    /* RDLEN counts in 128-byte units: 8 descriptors, 3 handed over. */
    rx_setup(s, 8, E_RCTL_EN | E_RCTL_SECRC);
    wr(s, E_RDT, 3);
    uint8_t f[100];
    make_frame(f, s->macaddr, 100);
    for (int i = 0; i < 5; i++) {
        f[14] = (uint8_t)i;
        net_send(&peer->nc, f, 100);
    }
    /* Three free descriptors (head 0, tail 3): two frames wait. */
    EXPECT_EQ(rd(s, E_RDH), 3);
    EXPECT_EQ(s->nc.q_len, 2);
    /* The driver hands the buffers back. */
    wr(s, E_RDT, 6);
    EXPECT_EQ(s->nc.q_len, 0);
    EXPECT_EQ(rd(s, E_RDH), 5);
    EXPECT_EQ(ram.ram[RX_BUF + 0x800 * 3 + 14], 3);
    EXPECT_EQ(ram.ram[RX_BUF + 0x800 * 4 + 14], 4);
}

/* RXCSUM (SDM §3.2.9): verdicts in the EOP descriptor's status/errors. */
TEST(rx_checksum_offload)
{
    struct e1000 *s = setup();
    rx_setup(s, 8, E_RCTL_EN | E_RCTL_SECRC);
    uint8_t f[400];
    size_t len = make_tcp(f, 300, false);
    memcpy(f, s->macaddr, 6);
    /* A correct frame: the checksums a sender computes. */
    uint8_t *ip = f + 14, *t = f + 34;
    uint16_t ic = (uint16_t)~sum16(ip, 20, 0);
    ip[10] = ic >> 8;
    ip[11] = (uint8_t)ic;
    t[16] = t[17] = 0;
    uint32_t ph = 0x0a00 + 0x020f + 0x0a00 + 0x0202 + 6 + 320;
    uint16_t tc = (uint16_t)~sum16(t, 320, ph);
    t[16] = tc >> 8;
    t[17] = (uint8_t)tc;
    expect_tcp_ok(f, len);
    uint8_t *d = ram.ram + RX_RING;

    /* Offloads off (the reset value): IXSM, no verdict. */
    net_send(&peer->nc, f, len);
    EXPECT_EQ(d[12], 0x07);         /* DD|EOP|IXSM */
    EXPECT_EQ(d[13], 0);
    /* IPOFLD|TUOFLD: IPCS|TCPCS, no errors. */
    wr(s, E_RXCSUM, 0x300);
    net_send(&peer->nc, f, len);
    EXPECT_EQ(d[16 + 12], 0x63);    /* DD|EOP|TCPCS|IPCS */
    EXPECT_EQ(d[16 + 13], 0);
    /* A damaged payload: TCPE; a damaged IP header as well: IPE. */
    f[100] ^= 0x40;
    net_send(&peer->nc, f, len);
    EXPECT_EQ(d[32 + 12], 0x63);
    EXPECT_EQ(d[32 + 13], 0x20);
    ip[8] ^= 1;
    net_send(&peer->nc, f, len);
    EXPECT_EQ(d[48 + 13], 0x60);
    ip[8] ^= 1;
    f[100] ^= 0x40;
    /* A fragment: the IP header is checked, TCP is not. */
    ip[6] |= 0x20;                  /* MF */
    ip[10] = ip[11] = 0;
    ic = (uint16_t)~sum16(ip, 20, 0);
    ip[10] = ic >> 8;
    ip[11] = (uint8_t)ic;
    net_send(&peer->nc, f, len);
    EXPECT_EQ(d[64 + 12], 0x43);    /* DD|EOP|IPCS */
    EXPECT_EQ(d[64 + 13], 0);
    /* Not IPv4 (ARP): no verdict either way. */
    f[12] = 0x08;
    f[13] = 0x06;
    net_send(&peer->nc, f, 60);
    EXPECT_EQ(d[80 + 12], 0x03);
    /* A header length past the frame: no verdict, nothing read beyond. */
    f[13] = 0x00;
    ip[0] = 0x4f;
    ip[2] = 0xff;
    net_send(&peer->nc, f, 60);
    EXPECT_EQ(d[96 + 12], 0x03);
    EXPECT_EQ(d[96 + 13], 0);
}

TEST(link_and_reset)
{
    struct e1000 *s = setup();
    EXPECT(rd(s, E_STATUS) & E_STATUS_LU);
    wr(s, E_IMS, E_ICR_LSC);
    net_set_link(&s->nc, false);
    EXPECT(!(rd(s, E_STATUS) & E_STATUS_LU));
    EXPECT(rd(s, E_ICR) & E_ICR_LSC);
    net_set_link(&s->nc, true);
    EXPECT(rd(s, E_STATUS) & E_STATUS_LU);
    wr(s, E_RA, 0x11223344);
    wr(s, E_CTRL, E_CTRL_RST);
    EXPECT(!(rd(s, E_CTRL) & E_CTRL_RST));
    EXPECT_EQ(rd(s, E_RA) & 0xff, s->macaddr[0]);   /* from the EEPROM */
    EXPECT(rd(s, E_RA + 4) & E_RAH_AV);
    EXPECT_EQ(rd(s, E_IMS), 0);
}

TEST_MAIN()
