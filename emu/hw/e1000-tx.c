/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * e1000-tx.c - the 82540EM's transmit path (8254x SDM §3.3): the
 * descriptor ring between TDH and TDT, legacy descriptors (with the CSO/
 * CSS checksum insert), context descriptors (§3.3.6) and data descriptors
 * (§3.3.7) with IP and TCP/UDP checksum offload, TCP segmentation (§3.5)
 * and VLAN tag insertion.  Work per run is bounded: what is left over runs
 * again from a bottom half, so a guest cannot stall the main loop with a
 * huge ring of tiny segments.
 */
#include "emu/osdep.h"

#include <endian.h>

#include "emu/hw/e1000.h"
#include "emu/loop/loop.h"
#include "netdev/checksum.h"

#define TXD_CMD_EOP 0x01
#define TXD_CMD_IC 0x04     /* legacy: insert checksum */
#define TXD_CMD_TSE 0x04    /* data: TCP segmentation */
#define TXD_CMD_RS 0x08
#define TXD_CMD_DEXT 0x20
#define TXD_CMD_VLE 0x40
#define TXD_POPTS_IXSM 0x01
#define TXD_POPTS_TXSM 0x02
#define TUCMD_TCP 0x01
#define TUCMD_IP 0x02

/* Frames sent (or descriptors walked) in one run before yielding. */
#define TX_BUDGET 1024

/* Checksum bytes [css, cse] (cse 0: to the end) into cso; extra is added
 * to the sum first (the TCP length under TSO).  Out-of-range offsets from
 * the guest leave the frame alone. */
static void put_csum(uint8_t *buf, size_t len, unsigned css, unsigned cso,
                     unsigned cse, uint32_t extra)
{
    if (css >= len || cso + 2 > len) {
        return;
    }
    size_t end = cse ? (size_t)cse + 1 : len;
    if (end > len) {
        end = len;
    }
    if (end <= css) {
        return;
    }
    uint16_t v = (uint16_t)~csum_fold(csum_add(extra, buf + css, end - css));
    put16(buf + cso, v);
}

static void send_frame(struct e1000 *s, uint8_t *buf, size_t len, bool vle,
                       uint16_t vlan)
{
    uint8_t tagged[E1000_TX_MAX + 4];
    if (vle && (s->mac[E_CTRL >> 2] & E_CTRL_VME) && len >= 12) {
        memcpy(tagged, buf, 12);
        put16(tagged + 12, (uint16_t)s->mac[0x38 >> 2]); /* VET */
        put16(tagged + 14, vlan);
        memcpy(tagged + 16, buf + 12, len - 12);
        buf = tagged;
        len += 4;
    }
    e1000_stat_add(s, E_GPTC, 1);
    e1000_stat_add(s, E_TPT, 1);
    if (buf[0] & 1) {
        e1000_stat_add(s, buf[0] == 0xff ? E_BPTC : E_MPTC, 1);
    }
    uint64_t oct = ((uint64_t)s->mac[E_GOTCH >> 2] << 32 | s->mac[E_GOTCL >> 2])
                   + len + 4;
    s->mac[E_GOTCL >> 2] = (uint32_t)oct;
    s->mac[E_GOTCH >> 2] = (uint32_t)(oct >> 32);
    net_send(&s->nc, buf, len);
}

/* A TSO packet: header (hdrlen bytes) + payload cut into mss pieces, each
 * with lengths, IP ID, TCP sequence, flags and checksums fixed up. */
static int send_tso(struct e1000 *s)
{
    const struct e1000_tx_ctx *c = &s->ctx;
    unsigned hdrlen = c->hdrlen, mss = c->mss;
    if (!mss || hdrlen >= s->tx_len || hdrlen < 14) {
        return 0;   /* nonsense from the guest: drop */
    }
    uint8_t seg[E1000_TX_MAX];
    size_t payload = s->tx_len - hdrlen;
    bool ipv4 = c->tucmd & TUCMD_IP, tcp = c->tucmd & TUCMD_TCP;
    uint16_t ip_id = c->ipcss + 6u <= hdrlen ? get16(s->tx_buf + c->ipcss + 4)
                                             : 0;
    uint32_t seq = 0;
    if (tcp && c->tucss + 8u <= hdrlen) {
        const uint8_t *t = s->tx_buf + c->tucss + 4;
        seq = (uint32_t)t[0] << 24 | t[1] << 16 | t[2] << 8 | t[3];
    }
    int frames = 0;
    for (size_t off = 0; off < payload; off += mss, frames++) {
        size_t chunk = payload - off < mss ? payload - off : mss;
        size_t flen = hdrlen + chunk;
        bool last = off + chunk == payload;
        memcpy(seg, s->tx_buf, hdrlen);
        memcpy(seg + hdrlen, s->tx_buf + hdrlen + off, chunk);
        if (ipv4 && c->ipcss + 20u <= hdrlen) {
            put16(seg + c->ipcss + 2, (uint16_t)(flen - c->ipcss));
            put16(seg + c->ipcss + 4, (uint16_t)(ip_id + frames));
        } else if (!ipv4 && c->ipcss + 40u <= hdrlen) {
            put16(seg + c->ipcss + 4, (uint16_t)(flen - c->ipcss - 40));
        }
        if (tcp && c->tucss + 14u <= hdrlen) {
            uint32_t sq = seq + (uint32_t)off;
            uint8_t *t = seg + c->tucss;
            t[4] = sq >> 24;
            t[5] = sq >> 16;
            t[6] = sq >> 8;
            t[7] = (uint8_t)sq;
            if (!last) {
                t[13] &= ~0x09;     /* FIN and PSH only on the last */
            }
        } else if (!tcp && c->tucss + 8u <= hdrlen) {
            put16(seg + c->tucss + 4, (uint16_t)(flen - c->tucss));
        }
        if ((s->tx_popts & TXD_POPTS_IXSM) && ipv4 && c->ipcso + 2u <= hdrlen) {
            put16(seg + c->ipcso, 0);
            put_csum(seg, flen, c->ipcss, c->ipcso, c->ipcse, 0);
        }
        if ((s->tx_popts & TXD_POPTS_TXSM) && c->tucss < flen) {
            /* The driver left the pseudo-header sum without the length;
             * the controller adds this segment's L4 length. */
            put_csum(seg, flen, c->tucss, c->tucso, 0,
                     (uint32_t)(flen - c->tucss));
        }
        send_frame(s, seg, flen, s->tx_vle, s->tx_vlan);
    }
    return frames;
}

/* The packet in tx_buf is complete. */
static int finish_packet(struct e1000 *s)
{
    int frames = 1;
    if (s->tx_tse) {
        frames = send_tso(s);
    } else {
        if (s->tx_legacy_ic) {
            put_csum(s->tx_buf, s->tx_len, s->tx_css, s->tx_cso, 0, 0);
        }
        if (s->tx_popts & TXD_POPTS_IXSM) {
            put_csum(s->tx_buf, s->tx_len, s->ctx.ipcss, s->ctx.ipcso,
                     s->ctx.ipcse, 0);
        }
        if (s->tx_popts & TXD_POPTS_TXSM) {
            put_csum(s->tx_buf, s->tx_len, s->ctx.tucss, s->ctx.tucso,
                     s->ctx.tucse, 0);
        }
        if (s->tx_len >= 14) {
            send_frame(s, s->tx_buf, s->tx_len, s->tx_vle, s->tx_vlan);
        }
    }
    s->tx_len = 0;
    s->tx_first = true;
    s->tx_popts = 0;
    s->tx_tse = false;
    s->tx_legacy_ic = false;
    s->tx_vle = false;
    return frames;
}

static void append(struct e1000 *s, uint64_t addr, uint32_t len)
{
    uint32_t room = E1000_TX_MAX - s->tx_len;
    if (len > room) {
        len = room;     /* longer than any real packet: cut */
    }
    if (len) {
        as_rw(s->dma, addr, s->tx_buf + s->tx_len, len, false);
        s->tx_len += len;
    }
}

/* One descriptor; returns the frames it sent. */
static int process_desc(struct e1000 *s, uint8_t *d)
{
    uint64_t addr;
    memcpy(&addr, d, 8);
    addr = le64toh(addr);
    uint32_t dw2 = d[8] | d[9] << 8 | d[10] << 16 | (uint32_t)d[11] << 24;
    uint8_t cmd = d[11];

    if (!(cmd & TXD_CMD_DEXT)) {
        /* Legacy (SDM §3.3.3). */
        append(s, addr, dw2 & 0xffff);
        s->tx_first = false;
        if (cmd & TXD_CMD_EOP) {
            s->tx_legacy_ic = cmd & TXD_CMD_IC;
            s->tx_cso = d[10];
            s->tx_css = d[13];
            s->tx_vle = cmd & TXD_CMD_VLE;
            s->tx_vlan = d[14] | d[15] << 8;
            return finish_packet(s);
        }
        return 0;
    }
    unsigned dtyp = (dw2 >> 20) & 0xf;
    if (dtyp == 0) {
        /* Context (SDM §3.3.6). */
        struct e1000_tx_ctx *c = &s->ctx;
        c->ipcss = d[0];
        c->ipcso = d[1];
        c->ipcse = d[2] | d[3] << 8;
        c->tucss = d[4];
        c->tucso = d[5];
        c->tucse = d[6] | d[7] << 8;
        c->paylen = dw2 & 0xfffff;
        c->tucmd = cmd;
        c->hdrlen = d[13];
        c->mss = d[14] | d[15] << 8;
        return 0;
    }
    if (dtyp != 1) {
        return 0;   /* reserved type: skipped */
    }
    /* Data (SDM §3.3.7): options come from the packet's first one. */
    if (s->tx_first) {
        s->tx_popts = d[13];
        s->tx_tse = cmd & TXD_CMD_TSE;
        s->tx_first = false;
    }
    append(s, addr, dw2 & 0xfffff);
    if (cmd & TXD_CMD_EOP) {
        s->tx_vle = cmd & TXD_CMD_VLE;
        s->tx_vlan = d[14] | d[15] << 8;
        return finish_packet(s);
    }
    return 0;
}

static void tx_bh_run(void *opaque)
{
    e1000_start_xmit(opaque);
}

void e1000_start_xmit(struct e1000 *s)
{
    uint32_t n = (s->mac[E_TDLEN >> 2] & 0xfff80) / 16;
    if (!(s->mac[E_TCTL >> 2] & E_TCTL_EN) || s->tx_busy || !n ||
        !e1000_dma_ok(s)) {
        return;
    }
    uint64_t base = ((uint64_t)s->mac[E_TDBAH >> 2] << 32 |
                     s->mac[E_TDBAL >> 2]) & ~0xfull;
    uint32_t cause = 0;
    int budget = TX_BUDGET;
    s->tx_busy = true;
    while (s->mac[E_TDH >> 2] != s->mac[E_TDT >> 2]) {
        uint32_t h = s->mac[E_TDH >> 2];
        if (h >= n || s->mac[E_TDT >> 2] >= n) {
            break;  /* indexes past the ring: the controller stalls */
        }
        if (budget <= 0) {
            if (!s->tx_bh) {
                s->tx_bh = bh_new(tx_bh_run, s);
            }
            bh_schedule(s->tx_bh);
            break;
        }
        uint8_t d[16];
        uint64_t daddr = base + (uint64_t)h * 16;
        as_rw(s->dma, daddr, d, 16, false);
        budget -= 1 + process_desc(s, d);
        if (d[11] & TXD_CMD_RS) {
            uint8_t sta = d[12] | 0x01;     /* DD */
            as_rw(s->dma, daddr + 12, &sta, 1, true);
            cause |= E_ICR_TXDW;
        }
        s->mac[E_TDH >> 2] = h + 1 >= n ? 0 : h + 1;
    }
    s->tx_busy = false;
    if (s->mac[E_TDH >> 2] == s->mac[E_TDT >> 2]) {
        cause |= E_ICR_TXQE;
    }
    if (cause) {
        e1000_set_ics(s, cause);
    }
}
