/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtl8139.c - the Realtek RTL8139C Fast Ethernet controller (PCI
 * 10ec:8139), QEMU's "rtl8139", in its normal (not C+) mode as Linux's
 * 8139too drives it.  Reference: Realtek "RTL8139C(L) Single-Chip Fast
 * Ethernet Controller" datasheet (registers §6, RX ring §7.1, TX §7.2)
 * and the 93C46 EEPROM's Microwire protocol.
 *
 * RX is one contiguous ring at RBSTART: each frame is a 4-byte header
 * (status, length including the FCS), the frame, its FCS, rounded up to 4
 * bytes; CBR is where the device writes next, CAPR + 16 where the driver
 * reads.  TX uses four slots (TSAD address, TSD size and status).  Every
 * offset the guest gives is reduced into the ring; DMA only with bus
 * mastering on, through the PCI bus's address space.
 */
#include "emu/osdep.h"

#include <zlib.h>

#include "emu/cli/keyval.h"
#include "emu/hw/bootorder.h"
#include "emu/hw/pci.h"
#include "emu/mem/mem.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"

enum {
    R_IDR0 = 0x00, R_MAR0 = 0x08, R_TSD0 = 0x10, R_TSAD0 = 0x20,
    R_RBSTART = 0x30, R_CR = 0x37, R_CAPR = 0x38, R_CBR = 0x3a, R_IMR = 0x3c,
    R_ISR = 0x3e, R_TCR = 0x40, R_RCR = 0x44, R_TCTR = 0x48, R_MPC = 0x4c,
    R_9346CR = 0x50, R_CONFIG0 = 0x51, R_CONFIG1 = 0x52, R_MSR = 0x58,
    R_CONFIG3 = 0x59, R_CONFIG4 = 0x5a, R_TSAD = 0x60, R_BMCR = 0x62,
    R_BMSR = 0x64, R_ANAR = 0x66, R_ANLPAR = 0x68, R_ANER = 0x6a,
};

#define CR_RST 0x10
#define CR_RE 0x08
#define CR_TE 0x04
#define CR_BUFE 0x01

#define ISR_ROK 0x0001
#define ISR_TOK 0x0004
#define ISR_RXOVW 0x0010
#define ISR_LINKCHG 0x0020

#define RCR_AAP 0x01
#define RCR_APM 0x02
#define RCR_AM 0x04
#define RCR_AB 0x08
#define RCR_WRAP 0x80

#define TSD_OWN 0x2000
#define TSD_TOK 0x8000

/* TCR hardware version bits of the RTL8139C (8139too's chip table). */
#define TCR_HWVER_8139C 0x74000000u

#define RTL_IO_SIZE 0x100

struct rtl8139 {
    struct pci_device pci;
    struct net_client nc;
    uint8_t mac_prop[6];
    char *netdev;
    char *bootindex_str;
    int32_t bootindex;

    struct addr_space *dma;
    struct mem_region io, mmio;
    uint8_t regs[RTL_IO_SIZE];
    uint8_t macaddr[6];
    uint16_t eeprom[64];
    struct {
        uint32_t in;
        int nbits;
        bool reading;
        unsigned addr;
        int out_pos;
        uint8_t last;
    } ee;
    int tx_next;            /* the slot the driver fills next */
};

static uint16_t rd16(struct rtl8139 *s, unsigned r)
{
    return s->regs[r] | s->regs[r + 1] << 8;
}

static void wr16(struct rtl8139 *s, unsigned r, uint16_t v)
{
    s->regs[r] = (uint8_t)v;
    s->regs[r + 1] = v >> 8;
}

static uint32_t rd32(struct rtl8139 *s, unsigned r)
{
    return rd16(s, r) | (uint32_t)rd16(s, r + 2) << 16;
}

static void wr32(struct rtl8139 *s, unsigned r, uint32_t v)
{
    wr16(s, r, (uint16_t)v);
    wr16(s, r + 2, v >> 16);
}

static void update_irq(struct rtl8139 *s)
{
    pci_set_irq(&s->pci, (rd16(s, R_ISR) & rd16(s, R_IMR)) != 0);
}

static void set_isr(struct rtl8139 *s, uint16_t bits)
{
    wr16(s, R_ISR, rd16(s, R_ISR) | bits);
    update_irq(s);
}

static bool dma_ok(struct rtl8139 *s)
{
    return (s->pci.config[PCI_COMMAND] & PCI_COMMAND_MASTER) != 0;
}

/* ---- EEPROM (93C46, 64 x 16 bits) through 9346CR ---- */

static void eeprom_init(struct rtl8139 *s)
{
    memset(s->eeprom, 0, sizeof(s->eeprom));
    s->eeprom[0] = 0x8129;      /* 93C46 signature 8139too checks */
    s->eeprom[1] = 0x10ec;
    s->eeprom[2] = 0x8139;
    for (int i = 0; i < 3; i++) {
        s->eeprom[7 + i] = s->macaddr[2 * i] | s->macaddr[2 * i + 1] << 8;
    }
}

static void eeprom_write(struct rtl8139 *s, uint8_t v)
{
    s->regs[R_9346CR] = v;
    uint8_t old = s->ee.last;
    s->ee.last = v;
    if ((v >> 6) != 2 || !(v & 0x08)) {     /* not programming or CS low */
        s->ee.nbits = 0;
        s->ee.in = 0;
        s->ee.reading = false;
        return;
    }
    if ((old & 0x04) || !(v & 0x04)) {
        return;                             /* rising SK only */
    }
    if (s->ee.reading) {
        if (s->ee.out_pos < 16 * 64) {
            s->ee.out_pos++;
        }
        return;
    }
    s->ee.in = s->ee.in << 1 | ((v & 0x02) ? 1 : 0);
    if (++s->ee.nbits == 9) {
        if ((s->ee.in >> 6) == 0x6) {
            s->ee.reading = true;
            s->ee.addr = s->ee.in & 0x3f;
            s->ee.out_pos = 0;
        } else {
            s->ee.nbits = 0;
            s->ee.in = 0;
        }
    }
}

static uint8_t eeprom_read(struct rtl8139 *s)
{
    uint8_t v = s->regs[R_9346CR] & ~0x01;
    if (s->ee.reading && s->ee.out_pos > 0) {
        unsigned bit = s->ee.out_pos - 1;
        unsigned word = (s->ee.addr + bit / 16) % 64;
        if ((s->eeprom[word] >> (15 - bit % 16)) & 1) {
            v |= 0x01;
        }
    }
    return v;
}

/* ---- receive ---- */

static uint32_t rx_size(struct rtl8139 *s)
{
    return 8192u << ((rd32(s, R_RCR) >> 11) & 3);
}

static uint32_t rx_free(struct rtl8139 *s)
{
    uint32_t size = rx_size(s);
    uint32_t rd = (rd16(s, R_CAPR) + 16u) % size;
    uint32_t wr = rd16(s, R_CBR) % size;
    /* Equal pointers mean empty; keep 4 bytes so full never looks so. */
    uint32_t used = (wr + size - rd) % size;
    return size - used - 4;
}

static bool rx_enabled(struct rtl8139 *s)
{
    return (s->regs[R_CR] & CR_RE) && !s->nc.link_down && dma_ok(s);
}

static bool rtl_can_receive(struct net_client *nc)
{
    struct rtl8139 *s = container_of(nc, struct rtl8139, nc);
    return !rx_enabled(s) || rx_free(s) >= 1536 + 8;
}

/* Write len bytes at ring offset off, wrapping at the ring's end unless
 * RCR.WRAP lets the device run past it (the driver then has 1.5 KiB
 * spare after the ring). */
static void ring_write(struct rtl8139 *s, uint32_t off, const uint8_t *buf,
                       uint32_t len)
{
    uint32_t size = rx_size(s), base = rd32(s, R_RBSTART);
    if (rd32(s, R_RCR) & RCR_WRAP) {
        as_rw(s->dma, base + off, (void *)buf, len, true);
        return;
    }
    uint32_t first = len < size - off ? len : size - off;
    as_rw(s->dma, base + off, (void *)buf, first, true);
    if (first < len) {
        as_rw(s->dma, base, (void *)(buf + first), len - first, true);
    }
}

static ssize_t rtl_receive(struct net_client *nc, const uint8_t *in,
                           size_t len)
{
    struct rtl8139 *s = container_of(nc, struct rtl8139, nc);
    if (!rx_enabled(s) || len < 14 || len > 1514) {
        return len;     /* oversize frames are dropped, as by the chip */
    }
    uint32_t rcr = rd32(s, R_RCR);
    uint16_t status = 0x0001;   /* ROK */
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    if (!memcmp(in, bcast, 6)) {
        if (!(rcr & (RCR_AB | RCR_AAP))) {
            return len;
        }
        status |= 0x2000;
    } else if (in[0] & 1) {
        /* MAR bit: the top 6 bits of the big-endian CRC-32 of the
         * address (how 8139too fills MAR). */
        uint32_t c = 0xffffffffu;
        for (int i = 0; i < 6; i++) {
            uint8_t b = in[i];
            for (int k = 0; k < 8; k++, b >>= 1) {
                bool top = (c >> 31) ^ (b & 1);
                c = (c << 1) ^ (top ? 0x04c11db7u : 0);
            }
        }
        unsigned bit = c >> 26;
        if (!(rcr & RCR_AAP) &&
            !((rcr & RCR_AM) && (s->regs[R_MAR0 + bit / 8] >> (bit % 8) & 1))) {
            return len;
        }
        status |= 0x8000;
    } else if (!memcmp(in, s->regs + R_IDR0, 6)) {
        if (!(rcr & (RCR_APM | RCR_AAP))) {
            return len;
        }
        status |= 0x4000;
    } else if (!(rcr & RCR_AAP)) {
        return len;
    }
    uint8_t frame[1514 + 4 + 64];
    size_t flen = len < 60 ? 60 : len;
    memcpy(frame, in, len);
    memset(frame + len, 0, flen - len);
    uint32_t fcs = (uint32_t)crc32(0, frame, (uInt)flen);
    frame[flen++] = (uint8_t)fcs;
    frame[flen++] = fcs >> 8;
    frame[flen++] = fcs >> 16;
    frame[flen++] = fcs >> 24;
    if (rx_free(s) < flen + 4) {
        wr16(s, R_ISR, rd16(s, R_ISR) | ISR_RXOVW);
        wr32(s, R_MPC, rd32(s, R_MPC) + 1);
        update_irq(s);
        return 0;       /* the layer holds it until CAPR moves */
    }
    uint32_t size = rx_size(s);
    uint32_t off = rd16(s, R_CBR) % size;
    uint8_t hdr[4] = { (uint8_t)status, status >> 8, (uint8_t)flen,
                       (uint8_t)(flen >> 8) };
    ring_write(s, off, hdr, 4);
    ring_write(s, (off + 4) % size, frame, (uint32_t)flen);
    off = (off + 4 + (uint32_t)flen + 3) & ~3u;
    wr16(s, R_CBR, (uint16_t)(off % size));
    s->regs[R_CR] &= ~CR_BUFE;
    set_isr(s, ISR_ROK);
    return len;
}

/* ---- transmit ---- */

static void tx_slot(struct rtl8139 *s, int n)
{
    uint32_t tsd = rd32(s, R_TSD0 + 4 * n);
    if ((tsd & TSD_OWN) || !(s->regs[R_CR] & CR_TE) || !dma_ok(s)) {
        return;
    }
    uint32_t len = tsd & 0x1fff;
    if (len > 1792) {
        len = 1792;     /* the chip's TX buffer */
    }
    uint8_t buf[1792];
    as_rw(s->dma, rd32(s, R_TSAD0 + 4 * n), buf, len, false);
    if (len >= 14) {
        net_send(&s->nc, buf, len);
    }
    wr32(s, R_TSD0 + 4 * n, tsd | TSD_OWN | TSD_TOK);
    set_isr(s, ISR_TOK);
}

/* ---- registers ---- */

static void rtl_reset_regs(struct rtl8139 *s)
{
    memset(s->regs, 0, sizeof(s->regs));
    memcpy(s->regs + R_IDR0, s->macaddr, 6);
    s->regs[R_CR] = CR_BUFE;
    wr32(s, R_TCR, TCR_HWVER_8139C);
    for (int i = 0; i < 4; i++) {
        wr32(s, R_TSD0 + 4 * i, TSD_OWN);
    }
    wr16(s, R_CAPR, 0xfff0);
    s->regs[R_MSR] = s->nc.link_down ? 0x04 : 0x00;  /* LINKB: 1 = down */
    wr16(s, R_BMCR, 0x3100);        /* 100 Mb/s, autoneg, full duplex */
    wr16(s, R_BMSR, s->nc.link_down ? 0x7809 : 0x782d);
    wr16(s, R_ANAR, 0x05e1);
    wr16(s, R_ANLPAR, 0x45e1);
    wr16(s, R_ANER, 0x0001);
    s->regs[R_CONFIG1] = 0x0d;
    s->tx_next = 0;
    memset(&s->ee, 0, sizeof(s->ee));
    update_irq(s);
}

static uint32_t rtl_read(struct rtl8139 *s, unsigned off, unsigned size)
{
    off &= RTL_IO_SIZE - 1;
    if (off == R_9346CR && size == 1) {
        return eeprom_read(s);
    }
    if (off == R_TSAD && size == 2) {
        /* TSAD: OWN/TOK of all four slots. */
        uint16_t v = 0;
        for (int i = 0; i < 4; i++) {
            uint32_t t = rd32(s, R_TSD0 + 4 * i);
            v |= ((t & TSD_OWN) ? 1u : 0) << i;
            v |= ((t & TSD_TOK) ? 1u : 0) << (12 + i);
        }
        return v;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size && off + i < RTL_IO_SIZE; i++) {
        v |= (uint32_t)s->regs[off + i] << (8 * i);
    }
    return v;
}

static void rtl_write(struct rtl8139 *s, unsigned off, uint32_t val,
                      unsigned size)
{
    off &= RTL_IO_SIZE - 1;
    if (off == R_ISR && size >= 2) {
        /* Write 1 to clear. */
        wr16(s, R_ISR, rd16(s, R_ISR) & ~(uint16_t)val);
        update_irq(s);
        return;
    }
    if (off >= R_TSD0 && off < R_TSD0 + 16 && size == 4) {
        int n = (off - R_TSD0) / 4;
        /* Writing the size with OWN clear hands the slot to the chip;
         * status bits are the chip's. */
        wr32(s, off, (val & 0x003f3fff));
        tx_slot(s, n);
        return;
    }
    for (unsigned i = 0; i < size && off + i < RTL_IO_SIZE; i++) {
        unsigned r = off + i;
        uint8_t b = (uint8_t)(val >> (8 * i));
        switch (r) {
        case R_CR:
            if (b & CR_RST) {
                rtl_reset_regs(s);
                break;
            }
            s->regs[R_CR] = (s->regs[R_CR] & CR_BUFE) | (b & (CR_RE | CR_TE));
            if (b & CR_RE) {
                net_flush(&s->nc);
            }
            break;
        case R_9346CR:
            eeprom_write(s, b);
            if ((b >> 6) == 0) {
                /* Normal mode: nothing more. */
            }
            break;
        case R_CBR: case R_CBR + 1: case R_TCR + 3: case R_MSR:
        case R_BMSR: case R_BMSR + 1:
            break;  /* read-only */
        case R_ISR: case R_ISR + 1:
            s->regs[r] &= ~b;
            update_irq(s);
            break;
        default:
            s->regs[r] = b;
        }
    }
    if (off <= R_CAPR + 1 && off + size > R_CAPR) {
        if (rx_free(s) == rx_size(s) - 4) {
            s->regs[R_CR] |= CR_BUFE;
        }
        net_flush(&s->nc);
    }
    if (off <= R_IMR + 1 && off + size > R_IMR) {
        update_irq(s);
    }
    if (off <= R_RCR && off + size > R_RCR) {
        net_flush(&s->nc);
    }
}

static uint64_t bar_read(void *opaque, uint64_t off, unsigned size)
{
    return rtl_read(opaque, (unsigned)off, size);
}

static void bar_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    rtl_write(opaque, (unsigned)off, (uint32_t)val, size);
}

static const struct mem_ops rtl_ops = {
    .read = bar_read,
    .write = bar_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

static void rtl_link_changed(struct net_client *nc)
{
    struct rtl8139 *s = container_of(nc, struct rtl8139, nc);
    s->regs[R_MSR] = nc->link_down ? 0x04 : 0x00;
    wr16(s, R_BMSR, nc->link_down ? 0x7809 : 0x782d);
    set_isr(s, ISR_LINKCHG);
}

static const struct net_client_ops rtl_net_ops = {
    .type = "nic",
    .is_nic = true,
    .receive = rtl_receive,
    .can_receive = rtl_can_receive,
    .link_changed = rtl_link_changed,
};

static void rtl_reset(struct device *dev)
{
    struct rtl8139 *s = (struct rtl8139 *)dev;
    pci_device_reset(&s->pci);
    rtl_reset_regs(s);
}

static int rtl_realize(struct device *dev, struct err **errp)
{
    struct rtl8139 *s = (struct rtl8139 *)dev;

    if (!pci_default_bus) {
        err_setf(errp, "No 'PCI' bus found for device 'rtl8139'");
        return -1;
    }
    if (net_nic_props("rtl8139", s->bootindex_str, &s->bootindex, s->mac_prop,
                      s->macaddr, errp) < 0) {
        return -1;
    }
    if (net_nic_init(&s->nc, &rtl_net_ops, "rtl8139", s->pci.dev.id,
                     s->netdev, errp) < 0) {
        return -1;
    }
    if (pci_device_plug(pci_default_bus, &s->pci, errp) < 0) {
        return -1;
    }
    s->dma = pci_default_bus->mem;
    uint8_t *c = s->pci.config;
    pci_set_word(c + PCI_VENDOR_ID, 0x10ec);
    pci_set_word(c + PCI_DEVICE_ID, 0x8139);
    /* Below 0x20: Linux binds 8139too (0x20 and up mean C+, 8139cp). */
    c[PCI_REVISION_ID] = 0x10;
    pci_set_word(c + PCI_CLASS_DEVICE, 0x0200);
    pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID, 0x10ec);
    pci_set_word(c + PCI_SUBSYSTEM_ID, 0x8139);
    c[PCI_INTERRUPT_PIN] = 1;
    mem_region_init_io(&s->io, "rtl8139-io", RTL_IO_SIZE, &rtl_ops, s);
    mem_region_init_io(&s->mmio, "rtl8139-mmio", RTL_IO_SIZE, &rtl_ops, s);
    pci_register_bar(&s->pci, 0, PCI_BAR_IO, &s->io);
    pci_register_bar(&s->pci, 1, PCI_BAR_MEM32, &s->mmio);
    if (pci_load_rom(&s->pci, "efi-rtl8139.rom", errp) < 0) {
        return -1;
    }
    eeprom_init(s);
    net_client_set_info(&s->nc, "model=rtl8139,macaddr=%02x:%02x:%02x:%02x:"
                        "%02x:%02x", s->macaddr[0], s->macaddr[1],
                        s->macaddr[2], s->macaddr[3], s->macaddr[4],
                        s->macaddr[5]);
    rtl_reset(dev);
    return bootorder_add_pci(s->bootindex, "ethernet", s->pci.devfn, "", errp);
}

static const struct prop rtl_props[] = {
    PCI_DEVICE_PROPS(struct rtl8139),
    PROP("mac", PROP_MAC, struct rtl8139, mac_prop, NULL, "MAC address"),
    PROP("netdev", PROP_STR, struct rtl8139, netdev, NULL,
         "ID of a netdev to use as a backend"),
    PROP("bootindex", PROP_STR, struct rtl8139, bootindex_str, NULL,
         "boot order index (int32)"),
    { NULL },
};

const struct dev_type rtl8139_type;
const struct dev_type rtl8139_type = {
    .name = "rtl8139",
    .category = "Network devices",
    .desc = "Realtek RTL8139 Fast Ethernet",
    .bus = BUS_PCI,
    .size = sizeof(struct rtl8139),
    .props = rtl_props,
    .user_creatable = true,
    .realize = rtl_realize,
    .reset = rtl_reset,
};
DEV_TYPE(rtl8139_type);
