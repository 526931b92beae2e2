/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * e1000.c - the 82540EM's registers, EEPROM, PHY, interrupts and receive
 * path (see e1000.h for the reference; the transmit path is e1000-tx.c).
 *
 * Guest-controlled values are never trusted: ring bases and lengths only
 * steer DMA through the PCI bus's address space (as_rw, which refuses what
 * is not memory and marks written RAM dirty for the CPU's code cache),
 * ring indexes are checked against the ring size, and every path walks at
 * most one ring's worth of descriptors per guest write.
 */
#include "emu/osdep.h"

#include <endian.h>
#include <json-c/json.h>
#include <zlib.h>

#include "emu/cli/keyval.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/e1000.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/checksum.h"
#include "netdev/netdev.h"

#define R(s, reg) ((s)->mac[(reg) >> 2])

/* M88E1011 PHY registers (SDM §13.5, and the Marvell-specific ones the
 * Linux e1000 driver programs). */
enum {
    PHY_CTRL = 0, PHY_STATUS = 1, PHY_ID1 = 2, PHY_ID2 = 3, PHY_ANAR = 4,
    PHY_LPAR = 5, PHY_ANER = 6, PHY_GCR = 9, PHY_GSR = 10, PHY_EXT_STATUS = 15,
    PHY_SPEC_CTRL = 16, PHY_SPEC_STATUS = 17,
};
#define PHY_CTRL_RESET 0x8000
#define PHY_CTRL_RESTART_AN 0x0200
#define PHY_STATUS_LINK 0x0004
#define PHY_STATUS_AN_DONE 0x0020

#define MDIC_DATA 0x0000ffff
#define MDIC_REG_SHIFT 16
#define MDIC_PHY_SHIFT 21
#define MDIC_OP_WRITE 0x04000000
#define MDIC_OP_READ 0x08000000
#define MDIC_READY 0x10000000
#define MDIC_INT_EN 0x20000000
#define MDIC_ERROR 0x40000000

#define EECD_SK 0x01
#define EECD_CS 0x02
#define EECD_DI 0x04
#define EECD_DO 0x08
#define EECD_FWE 0x30
#define EECD_REQ 0x40
#define EECD_GNT 0x80
#define EECD_PRES 0x100

#define EERD_START 0x01
#define EERD_DONE 0x10

/* ---------------------------------------------------------------------------
 * Interrupts (SDM §13.4.17-21): the line is ICR & IMS, at most one rising
 * edge per ITR interval (256 ns units).
 */

static void update_irq(struct e1000 *s);

static void itr_expired(void *opaque)
{
    update_irq(opaque);
}

static void update_irq(struct e1000 *s)
{
    bool want = (R(s, E_ICR) & R(s, E_IMS)) != 0;
    if (want && !s->irq_level) {
        uint32_t itr = R(s, E_ITR) & 0xffff;
        int64_t now = clock_ns(CLOCK_VIRT);
        if (itr && now < s->itr_next) {
            if (!timer_pending(s->itr_timer)) {
                timer_mod(s->itr_timer, s->itr_next);
            }
            return;
        }
        s->itr_next = now + (int64_t)itr * 256;
    }
    s->irq_level = want;
    pci_set_irq(&s->pci, want);
}

void e1000_set_ics(struct e1000 *s, uint32_t cause)
{
    R(s, E_ICR) |= cause;
    update_irq(s);
}

void e1000_stat_add(struct e1000 *s, unsigned reg, uint64_t n)
{
    uint32_t *r = &R(s, reg);
    /* Counters saturate (SDM §13.7). */
    *r = (uint64_t)*r + n > UINT32_MAX ? UINT32_MAX : *r + (uint32_t)n;
}

static void stat_add64(struct e1000 *s, unsigned lo, uint64_t n)
{
    uint64_t v = ((uint64_t)R(s, lo + 4) << 32 | R(s, lo)) + n;
    R(s, lo) = (uint32_t)v;
    R(s, lo + 4) = (uint32_t)(v >> 32);
}

bool e1000_dma_ok(struct e1000 *s)
{
    return (s->pci.config[PCI_COMMAND] & PCI_COMMAND_MASTER) != 0;
}

/* ---------------------------------------------------------------------------
 * EEPROM (SDM §5.6 and table 5-2): words 0-2 the MAC, IDs, checksum in
 * word 0x3f so that the words sum to 0xbaba.
 */

static void eeprom_init(struct e1000 *s)
{
    uint16_t *e = s->eeprom;
    for (int i = 0; i < E1000_EEPROM_WORDS; i++) {
        e[i] = 0xffff;
    }
    for (int i = 0; i < 3; i++) {
        e[i] = s->macaddr[2 * i] | s->macaddr[2 * i + 1] << 8;
    }
    e[0x03] = 0x0000;   /* compatibility: nothing special */
    e[0x04] = 0xffff;   /* LED settings: hardware defaults */
    e[0x08] = 0x1000;   /* PBA number, a made-up one */
    e[0x09] = 0x0001;
    e[0x0a] = 0x4408;   /* ICW1: signature 01b, load subsystem IDs */
    e[0x0b] = 0x001e;   /* subsystem ID */
    e[0x0c] = 0x8086;   /* subsystem vendor */
    e[0x0d] = 0x100e;   /* device ID */
    e[0x0e] = 0x8086;   /* vendor ID */
    e[0x0f] = 0x3000;   /* ICW2 */
    e[0x10] = 0x0000;   /* software-defined pins */
    uint16_t sum = 0;
    for (int i = 0; i < 0x3f; i++) {
        sum += e[i];
    }
    e[0x3f] = (uint16_t)(0xbaba - sum);
}

/* Microwire read (opcode 110b, 6 address bits), as Linux bit-bangs it:
 * data bit n appears on DO after the n-th rising SK edge that follows the
 * address; reads run on into the next words while CS stays high. */
static void eecd_write(struct e1000 *s, uint32_t val)
{
    uint32_t old = s->ee.last;
    s->ee.last = val;
    if (!(val & EECD_CS)) {
        s->ee.nbits_in = 0;
        s->ee.in = 0;
        s->ee.reading = false;
        return;
    }
    if ((old & EECD_SK) || !(val & EECD_SK)) {
        return;     /* act on rising clock edges only */
    }
    if (s->ee.reading) {
        if (s->ee.out_pos < 16 * E1000_EEPROM_WORDS) {
            s->ee.out_pos++;
        }
        return;
    }
    s->ee.in = (s->ee.in << 1) | ((val & EECD_DI) ? 1 : 0);
    if (++s->ee.nbits_in == 9) {
        if ((s->ee.in >> 6) == 0x6) {
            s->ee.reading = true;
            s->ee.addr = s->ee.in & 0x3f;
            s->ee.out_pos = 0;
        } else {
            /* Writes and erase/enable opcodes: the EEPROM is read-only. */
            s->ee.nbits_in = 0;
            s->ee.in = 0;
        }
    }
}

static uint32_t eecd_read(struct e1000 *s)
{
    uint32_t v = EECD_PRES | EECD_GNT |
                 (s->ee.last & (EECD_SK | EECD_CS | EECD_DI | EECD_FWE |
                                EECD_REQ));
    if (s->ee.reading && s->ee.out_pos > 0) {
        unsigned bit = s->ee.out_pos - 1;
        unsigned word = (s->ee.addr + bit / 16) % E1000_EEPROM_WORDS;
        if ((s->eeprom[word] >> (15 - bit % 16)) & 1) {
            v |= EECD_DO;
        }
    }
    return v;
}

static void eerd_write(struct e1000 *s, uint32_t val)
{
    /* 82540: address in bits 15:8, data in 31:16 (SDM §13.4.4). */
    unsigned addr = (val >> 8) & 0xff;
    if (!(val & EERD_START)) {
        R(s, E_EERD) = val & ~EERD_DONE;
        return;
    }
    uint16_t data = addr < E1000_EEPROM_WORDS ? s->eeprom[addr] : 0;
    R(s, E_EERD) = (uint32_t)data << 16 | addr << 8 | EERD_DONE;
}

/* ---------------------------------------------------------------------------
 * PHY through MDIC (SDM §13.4.7)
 */

static void phy_reset(struct e1000 *s)
{
    memset(s->phy, 0, sizeof(s->phy));
    s->phy[PHY_CTRL] = 0x1140;          /* autoneg, full duplex, 1000 */
    s->phy[PHY_STATUS] = 0x7949 | PHY_STATUS_AN_DONE;
    s->phy[PHY_ID1] = 0x0141;           /* Marvell OUI */
    s->phy[PHY_ID2] = 0x0c20;           /* 88E1011, as the 82540EM reports */
    s->phy[PHY_ANAR] = 0x0de1;
    s->phy[PHY_LPAR] = 0x45e1;
    s->phy[PHY_ANER] = 0x000d;
    s->phy[PHY_GCR] = 0x0e00;
    s->phy[PHY_GSR] = 0x3c00;
    s->phy[PHY_EXT_STATUS] = 0x3000;
    s->phy[PHY_SPEC_CTRL] = 0x0360;
    s->phy[PHY_SPEC_STATUS] = 0xac00;
    if (!s->nc.link_down) {
        s->phy[PHY_STATUS] |= PHY_STATUS_LINK;
    }
}

static void mdic_write(struct e1000 *s, uint32_t val)
{
    unsigned reg = (val >> MDIC_REG_SHIFT) & 0x1f;
    unsigned phy = (val >> MDIC_PHY_SHIFT) & 0x1f;
    uint32_t data = val & MDIC_DATA;
    if (phy != 1) {
        /* Only PHY address 1 answers. */
        val |= MDIC_ERROR;
    } else if (val & MDIC_OP_READ) {
        data = s->phy[reg];
    } else if (val & MDIC_OP_WRITE) {
        switch (reg) {
        case PHY_STATUS: case PHY_ID1: case PHY_ID2: case PHY_LPAR:
        case PHY_ANER: case PHY_GSR: case PHY_EXT_STATUS: case PHY_SPEC_STATUS:
            break;      /* read-only */
        case PHY_CTRL:
            if (data & PHY_CTRL_RESET) {
                phy_reset(s);
                break;
            }
            /* Auto-negotiation completes at once. */
            s->phy[PHY_CTRL] = data & ~PHY_CTRL_RESTART_AN;
            s->phy[PHY_STATUS] |= PHY_STATUS_AN_DONE;
            break;
        default:
            s->phy[reg] = (uint16_t)data;
        }
    }
    R(s, E_MDIC) = (val & ~MDIC_DATA) | data | MDIC_READY;
    if (val & MDIC_INT_EN) {
        e1000_set_ics(s, E_ICR_MDAC);
    }
}

/* ---------------------------------------------------------------------------
 * Link
 */

static void set_link_status(struct e1000 *s)
{
    if (s->nc.link_down) {
        R(s, E_STATUS) &= ~E_STATUS_LU;
        s->phy[PHY_STATUS] &= ~PHY_STATUS_LINK;
    } else {
        R(s, E_STATUS) |= E_STATUS_LU;
        s->phy[PHY_STATUS] |= PHY_STATUS_LINK | PHY_STATUS_AN_DONE;
    }
}

static void e1000_link_changed(struct net_client *nc)
{
    struct e1000 *s = container_of(nc, struct e1000, nc);
    set_link_status(s);
    e1000_set_ics(s, E_ICR_LSC);
}

/* ---------------------------------------------------------------------------
 * Receive (SDM §3.2)
 */

static uint32_t rx_ring_size(struct e1000 *s)
{
    return (R(s, E_RDLEN) & 0xfff80) / 16;
}

static uint64_t rx_ring_base(struct e1000 *s)
{
    return ((uint64_t)R(s, E_RDBAH) << 32 | R(s, E_RDBAL)) & ~0xfull;
}

static uint32_t rx_buf_size(struct e1000 *s)
{
    uint32_t rctl = R(s, E_RCTL);
    unsigned bsize = (rctl >> 16) & 3;
    if (rctl & E_RCTL_BSEX) {
        static const uint32_t ext[4] = { 2048, 16384, 8192, 4096 };
        return ext[bsize];
    }
    static const uint32_t std[4] = { 2048, 1024, 512, 256 };
    return std[bsize];
}

/* Free descriptors between head and tail (head == tail: none). */
static uint32_t rx_free(struct e1000 *s)
{
    uint32_t n = rx_ring_size(s), h = R(s, E_RDH), t = R(s, E_RDT);
    if (!n || h >= n || t >= n) {
        return 0;
    }
    return t >= h ? t - h : n - h + t;
}

static bool rx_enabled(struct e1000 *s)
{
    return (R(s, E_RCTL) & E_RCTL_EN) && (R(s, E_STATUS) & E_STATUS_LU) &&
           e1000_dma_ok(s);
}

static bool e1000_can_receive(struct net_client *nc)
{
    struct e1000 *s = container_of(nc, struct e1000, nc);
    /* A disabled receiver drops frames (below); an enabled one with no
     * buffers makes the layer hold them until the guest adds some. */
    return !rx_enabled(s) || rx_free(s) > 0;
}

/* Destination address filter (SDM §3.2.1, §13.5.1 MTA hashing). */
static bool rx_accept(struct e1000 *s, const uint8_t *buf)
{
    uint32_t rctl = R(s, E_RCTL);
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (!memcmp(buf, bcast, 6)) {
        return (rctl & E_RCTL_BAM) || (rctl & E_RCTL_MPE);
    }
    if (buf[0] & 1) {
        if (rctl & E_RCTL_MPE) {
            return true;
        }
        static const unsigned shift[4] = { 4, 3, 2, 0 };
        unsigned mo = (rctl >> 12) & 3;
        unsigned hash = ((buf[4] >> shift[mo]) | (buf[5] << (8 - shift[mo])))
                        & 0xfff;
        return (R(s, E_MTA + (hash >> 5) * 4) >> (hash & 31)) & 1;
    }
    if (rctl & E_RCTL_UPE) {
        return true;
    }
    for (int i = 0; i < 16; i++) {
        uint32_t lo = R(s, E_RA + i * 8), hi = R(s, E_RA + i * 8 + 4);
        if (!(hi & E_RAH_AV)) {
            continue;
        }
        uint8_t ra[6] = { lo, lo >> 8, lo >> 16, lo >> 24, hi, hi >> 8 };
        if (!memcmp(ra, buf, 6)) {
            return true;
        }
    }
    return false;
}

#define RXD_STAT_DD 0x01
#define RXD_STAT_EOP 0x02
#define RXD_STAT_IXSM 0x04
#define RXD_STAT_TCPCS 0x20
#define RXD_STAT_IPCS 0x40
#define RXD_ERR_TCPE 0x20
#define RXD_ERR_IPE 0x40
#define RXCSUM_IPOFLD 0x100
#define RXCSUM_TUOFLD 0x200

/* Receive checksum offload (SDM §3.2.9, RXCSUM §13.4.26): with IPOFLD the
 * IPv4 header checksum is checked, with TUOFLD the TCP or UDP checksum of
 * an unfragmented IPv4 packet; the verdict goes into the descriptor's
 * status (IPCS, TCPCS) and errors (IPE, TCPE).  With neither enabled the
 * descriptor says IXSM (no verdict), so the driver checks for itself. */
static void rx_checksum(struct e1000 *s, const uint8_t *f, size_t len,
                        uint8_t *status, uint8_t *errors)
{
    uint32_t rxcsum = R(s, E_RXCSUM);
    if (!(rxcsum & (RXCSUM_IPOFLD | RXCSUM_TUOFLD))) {
        *status |= RXD_STAT_IXSM;
        return;
    }
    size_t l3 = 14;
    if (len >= 18 && get16(f + 12) == 0x8100) {
        l3 = 18;    /* a tag the controller did not strip */
    }
    if (len < l3 + 20 || get16(f + l3 - 2) != 0x0800 || (f[l3] >> 4) != 4) {
        return;     /* not IPv4: no verdict */
    }
    const uint8_t *ip = f + l3;
    size_t ihl = (ip[0] & 0xf) * 4u, tot = get16(ip + 2);
    if (ihl < 20 || tot < ihl || l3 + tot > len) {
        return;     /* malformed: left to the stack */
    }
    if (rxcsum & RXCSUM_IPOFLD) {
        *status |= RXD_STAT_IPCS;
        if (csum_fold(csum_add(0, ip, ihl)) != 0xffff) {
            *errors |= RXD_ERR_IPE;
        }
    }
    uint8_t proto = ip[9];
    bool frag = (get16(ip + 6) & 0x3fff) != 0;     /* MF or an offset */
    if (!(rxcsum & RXCSUM_TUOFLD) || frag || (proto != 6 && proto != 17)) {
        return;
    }
    const uint8_t *l4 = ip + ihl;
    size_t l4len = tot - ihl;
    if (l4len < (proto == 6 ? 20u : 8u)) {
        return;
    }
    *status |= RXD_STAT_TCPCS;
    if (proto == 17 && get16(l4 + 6) == 0) {
        return;     /* UDP without a checksum */
    }
    /* Pseudo-header: addresses, protocol, L4 length (RFC 793/768). */
    uint32_t sum = csum_add(0, ip + 12, 8) + proto + (uint32_t)l4len;
    if (csum_fold(csum_add(sum, l4, l4len)) != 0xffff) {
        *errors |= RXD_ERR_TCPE;
    }
}

static ssize_t e1000_receive(struct net_client *nc, const uint8_t *in,
                             size_t len)
{
    struct e1000 *s = container_of(nc, struct e1000, nc);
    uint8_t frame[NET_MAX_FRAME + 64];

    if (!rx_enabled(s) || len < 14) {
        return len;
    }
    if (!rx_accept(s, in)) {
        return len;
    }
    /* Short frames are padded to the Ethernet minimum; the FCS follows
     * unless the driver has the controller strip it (SECRC). */
    size_t flen = len < 60 ? 60 : len;
    memcpy(frame, in, len);
    memset(frame + len, 0, flen - len);
    uint8_t status = 0, errors = 0;
    rx_checksum(s, frame, flen, &status, &errors);
    if (!(R(s, E_RCTL) & E_RCTL_SECRC)) {
        uint32_t fcs = (uint32_t)crc32(0, frame, (uInt)flen);
        frame[flen++] = fcs;
        frame[flen++] = fcs >> 8;
        frame[flen++] = fcs >> 16;
        frame[flen++] = fcs >> 24;
    }
    uint32_t bufsz = rx_buf_size(s);
    uint32_t need = (flen + bufsz - 1) / bufsz;
    uint32_t n = rx_ring_size(s);
    if (rx_free(s) < need) {
        /* Not enough buffers: the layer keeps the frame for later. */
        e1000_set_ics(s, E_ICR_RXO);
        return 0;
    }
    uint64_t base = rx_ring_base(s);
    size_t done = 0;
    while (done < flen) {
        uint32_t h = R(s, E_RDH);
        uint64_t daddr = base + (uint64_t)h * 16;
        uint8_t desc[16];
        as_rw(s->dma, daddr, desc, 16, false);
        uint64_t buf;
        memcpy(&buf, desc, 8);
        buf = le64toh(buf);
        uint32_t chunk = flen - done < bufsz ? (uint32_t)(flen - done) : bufsz;
        if (buf) {
            as_rw(s->dma, buf, frame + done, chunk, true);
        }
        done += chunk;
        uint16_t l16 = htole16((uint16_t)chunk);
        memcpy(desc + 8, &l16, 2);
        memset(desc + 10, 0, 2);   /* packet checksum: not provided */
        /* The checksum verdict is in the frame's last descriptor. */
        desc[12] = RXD_STAT_DD | (done == flen ? RXD_STAT_EOP | status : 0);
        desc[13] = done == flen ? errors : 0;
        memset(desc + 14, 0, 2);   /* special */
        as_rw(s->dma, daddr + 8, desc + 8, 8, true);
        R(s, E_RDH) = h + 1 >= n ? 0 : h + 1;
    }
    e1000_stat_add(s, E_GPRC, 1);
    e1000_stat_add(s, E_TPR, 1);
    if (in[0] & 1) {
        e1000_stat_add(s, in[0] == 0xff ? E_BPRC : E_MPRC, 1);
    }
    stat_add64(s, E_GORCL, flen);
    stat_add64(s, E_TORL, flen);

    uint32_t cause = E_ICR_RXT0;
    /* RXDMT0: free descriptors fell to 1/2, 1/4 or 1/8 of the ring. */
    unsigned rdmts = (R(s, E_RCTL) >> 8) & 3;
    if (rdmts < 3 && rx_free(s) <= (n >> (rdmts + 1))) {
        cause |= E_ICR_RXDMT0;
    }
    e1000_set_ics(s, cause);
    return len;
}

static json_object *e1000_rx_filter(struct net_client *nc)
{
    struct e1000 *s = container_of(nc, struct e1000, nc);
    uint32_t rctl = R(s, E_RCTL);
    json_object *o = json_object_new_object();
    char mac[18];
    snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
             R(s, E_RA) & 0xff, (R(s, E_RA) >> 8) & 0xff,
             (R(s, E_RA) >> 16) & 0xff, R(s, E_RA) >> 24,
             R(s, E_RA + 4) & 0xff, (R(s, E_RA + 4) >> 8) & 0xff);
    json_object_object_add(o, "name", json_object_new_string(nc->name));
    json_object_object_add(o, "promiscuous",
                           json_object_new_boolean(rctl & E_RCTL_UPE));
    json_object_object_add(o, "multicast", json_object_new_string(
        (rctl & E_RCTL_MPE) ? "all" : "normal"));
    json_object_object_add(o, "unicast", json_object_new_string(
        (rctl & E_RCTL_UPE) ? "all" : "normal"));
    json_object_object_add(o, "vlan", json_object_new_string("all"));
    json_object_object_add(o, "broadcast-allowed",
                           json_object_new_boolean(rctl & E_RCTL_BAM));
    json_object_object_add(o, "multicast-overflow",
                           json_object_new_boolean(false));
    json_object_object_add(o, "unicast-overflow",
                           json_object_new_boolean(false));
    json_object_object_add(o, "main-mac", json_object_new_string(mac));
    json_object_object_add(o, "vlan-table", json_object_new_array());
    json_object_object_add(o, "unicast-table", json_object_new_array());
    json_object_object_add(o, "multicast-table", json_object_new_array());
    return o;
}

static const struct net_client_ops e1000_net_ops = {
    .type = "nic",
    .is_nic = true,
    .receive = e1000_receive,
    .can_receive = e1000_can_receive,
    .link_changed = e1000_link_changed,
    .rx_filter = e1000_rx_filter,
};

/* ---------------------------------------------------------------------------
 * Registers
 */

static void mac_reset(struct e1000 *s)
{
    memset(s->mac, 0, sizeof(s->mac));
    R(s, E_CTRL) = 0x00140248;      /* FD, SLU, speed 1000, ADVD3WUC */
    R(s, E_STATUS) = E_STATUS_FD | E_STATUS_SPEED_1000 | 0x200;
    R(s, E_EECD) = 0;
    R(s, E_MDIC) = MDIC_READY;
    R(s, E_LEDCTL) = 0x07068302;
    R(s, E_PBA) = 0x00100030;       /* 48 KiB RX, 16 KiB TX */
    R(s, E_TXDCTL) = 0x00010000;    /* SDM: GRAN reset value */
    R(s, E_MANC) = 0x00060000;
    /* RA[0] comes from the EEPROM at reset (SDM §5.6.1). */
    const uint8_t *m = s->macaddr;
    R(s, E_RA) = m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24;
    R(s, E_RA + 4) = m[4] | m[5] << 8 | E_RAH_AV;
    memset(&s->ee, 0, sizeof(s->ee));
    set_link_status(s);
    s->tx_len = 0;
    s->tx_first = true;
    memset(&s->ctx, 0, sizeof(s->ctx));
    timer_del(s->itr_timer);
    s->itr_next = 0;
    s->irq_level = false;
    pci_set_irq(&s->pci, 0);
}

uint32_t e1000_mmio_readl(struct e1000 *s, uint32_t off)
{
    off &= (E1000_MMIO_SIZE - 1) & ~3u;
    switch (off) {
    case E_EECD:
        return eecd_read(s);
    case E_ICR: {
        /* Read to clear (SDM §13.4.17). */
        uint32_t v = R(s, E_ICR);
        R(s, E_ICR) = 0;
        update_irq(s);
        return v;
    }
    case E_ICS:
        return R(s, E_ICR);
    case E_IMC:
        return 0;
    }
    if (off >= E_STATS && off < E_STATS_END) {
        uint32_t v = R(s, off);
        /* The high halves of the 64-bit octet counters clear with the
         * read of the high dword; the rest on any read. */
        R(s, off) = 0;
        return v;
    }
    return R(s, off);
}

void e1000_mmio_writel(struct e1000 *s, uint32_t off, uint32_t val)
{
    off &= (E1000_MMIO_SIZE - 1) & ~3u;
    switch (off) {
    case E_CTRL:
        if (val & E_CTRL_RST) {
            mac_reset(s);
            return;
        }
        if (val & E_CTRL_PHY_RST) {
            phy_reset(s);
        }
        R(s, E_CTRL) = val & ~(E_CTRL_RST | E_CTRL_PHY_RST);
        return;
    case E_STATUS:
        return;     /* read-only */
    case E_EECD:
        eecd_write(s, val);
        return;
    case E_EERD:
        eerd_write(s, val);
        return;
    case E_MDIC:
        mdic_write(s, val);
        return;
    case E_ICR:
        /* Writing 1s clears (SDM §13.4.17). */
        R(s, E_ICR) &= ~val;
        update_irq(s);
        return;
    case E_ICS:
        e1000_set_ics(s, val);
        return;
    case E_IMS:
        R(s, E_IMS) |= val;
        update_irq(s);
        return;
    case E_IMC:
        R(s, E_IMS) &= ~val;
        update_irq(s);
        return;
    case E_ITR:
        R(s, E_ITR) = val & 0xffff;
        return;
    case E_RCTL:
        R(s, E_RCTL) = val;
        if (rx_enabled(s)) {
            net_flush(&s->nc);
        }
        return;
    case E_RDLEN:
    case E_TDLEN:
        R(s, off) = val & 0xfff80;
        return;
    case E_RDH:
    case E_RDT:
        R(s, off) = val & 0xffff;
        if (off == E_RDT) {
            net_flush(&s->nc);
        }
        return;
    case E_TDH:
        R(s, off) = val & 0xffff;
        return;
    case E_TDT:
        R(s, off) = val & 0xffff;
        e1000_start_xmit(s);
        return;
    case E_TCTL:
        R(s, off) = val;
        e1000_start_xmit(s);
        return;
    }
    if (off >= E_STATS && off < E_STATS_END) {
        return;     /* read-only counters */
    }
    R(s, off) = val;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    return e1000_mmio_readl(opaque, (uint32_t)off);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    e1000_mmio_writel(opaque, (uint32_t)off, (uint32_t)val);
}

static const struct mem_ops mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 4, .impl_max = 4,
};

/* I/O BAR (SDM §13.2): IOADDR at 0 selects a register, IODATA at 4
 * reaches it. */
static uint64_t io_read(void *opaque, uint64_t off, unsigned size)
{
    struct e1000 *s = opaque;
    if (off == 0) {
        return s->ioaddr;
    }
    if (off == 4) {
        return e1000_mmio_readl(s, s->ioaddr & 0x1fffc);
    }
    return 0;
}

static void io_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    struct e1000 *s = opaque;
    if (off == 0) {
        s->ioaddr = (uint32_t)val & 0x1fffc;
    } else if (off == 4) {
        e1000_mmio_writel(s, s->ioaddr, (uint32_t)val);
    }
}

static const struct mem_ops io_ops = {
    .read = io_read,
    .write = io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 4, .impl_max = 4,
};

/* ---------------------------------------------------------------------------
 * The device
 */

static void e1000_reset(struct device *dev)
{
    struct e1000 *s = (struct e1000 *)dev;
    pci_device_reset(&s->pci);
    phy_reset(s);
    mac_reset(s);
}

static int e1000_realize(struct device *dev, struct err **errp)
{
    struct e1000 *s = (struct e1000 *)dev;

    if (!pci_default_bus) {
        err_setf(errp, "No 'PCI' bus found for device 'e1000'");
        return -1;
    }
    if (net_nic_props("e1000", s->bootindex_str, &s->bootindex, s->mac_prop,
                      s->macaddr, errp) < 0) {
        return -1;
    }
    if (net_nic_init(&s->nc, &e1000_net_ops, "e1000", s->pci.dev.id,
                     s->netdev, errp) < 0) {
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &s->pci, errp) < 0) {
        return -1;
    }
    s->dma = pci_default_bus->mem;
    uint8_t *c = s->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x8086);
    pci_set_word(c + PCI_DEVICE_ID, 0x100e);
    c[PCI_REVISION_ID] = 0x03;
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0200);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, 0x8086);
    pci_set_word(c + PCI_SUBSYSTEM_ID, 0x001e);
    c[PCI_INTERRUPT_PIN] = 1;
    c[PCI_LATENCY_TIMER] = 0;

    mem_region_init_io(&s->mmio, "e1000-mmio", E1000_MMIO_SIZE, &mmio_ops, s);
    mem_region_init_io(&s->io, "e1000-io", E1000_IO_SIZE, &io_ops, s);
    pci_register_bar(&s->pci, 0, PCI_BAR_MEM32, &s->mmio);
    pci_register_bar(&s->pci, 1, PCI_BAR_IO, &s->io);
    /* QEMU's choice: the combined iPXE ROM (legacy PXE + EFI). */
    if (pci_load_rom(&s->pci, "efi-e1000.rom", errp) < 0) {
        return -1;
    }
    s->itr_timer = timer_new(CLOCK_VIRT, itr_expired, s);
    eeprom_init(s);
    net_client_set_info(&s->nc, "model=e1000,macaddr=%02x:%02x:%02x:%02x:"
                        "%02x:%02x", s->macaddr[0], s->macaddr[1],
                        s->macaddr[2], s->macaddr[3], s->macaddr[4],
                        s->macaddr[5]);
    e1000_reset(dev);
    return bootorder_add_pci(s->bootindex, "ethernet", s->pci.devfn, "", errp);
}

static const struct prop e1000_props[] = {
    PCI_DEVICE_PROPS(struct e1000),
    PROP("mac", PROP_MAC, struct e1000, mac_prop, NULL, "MAC address"),
    PROP("netdev", PROP_STR, struct e1000, netdev, NULL,
         "ID of a netdev to use as a backend"),
    PROP("bootindex", PROP_STR, struct e1000, bootindex_str, NULL,
         "boot order index (int32)"),
    { NULL },
};

const struct dev_type e1000_type = {
    .name = "e1000",
    .category = "Network devices",
    .desc = "Intel Gigabit Ethernet",
    .bus = BUS_PCI,
    .size = sizeof(struct e1000),
    .props = e1000_props,
    .user_creatable = true,
    .realize = e1000_realize,
    .reset = e1000_reset,
};
DEV_TYPE(e1000_type);

struct e1000 *e1000_create(struct pci_bus *bus, const char *netdev,
                           struct err **errp)
{
    struct pci_bus *saved = pci_default_bus;
    struct kvlist *kv;
    pci_default_bus = bus;
    kv = kvlist_new();
    kv_set(kv, "romfile", "");     /* tests and the fuzzer run no firmware */
    if (netdev) {
        kv_set(kv, "netdev", netdev);
    }
    struct device *d = dev_create(&e1000_type, kv, errp);
    kvlist_free(kv);
    pci_default_bus = saved;
    return (struct e1000 *)d;
}
