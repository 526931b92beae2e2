/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net-offload.c - the transmit offloads of virtio-net done in
 * software (VIRTIO 1.0 5.1.6.2): VIRTIO_NET_HDR_F_NEEDS_CSUM (the guest
 * left the ones' complement sum from csum_start to the end to the device,
 * with the pseudo-header sum already in the field, RFC 1071) and GSO
 * TCPv4/TCPv6 (one large TCP segment cut into gso_size pieces: sequence
 * numbers advanced, FIN/PSH only on the last piece and CWR only on the
 * first (RFC 3168 6.1.2), IPv4 total length, identification and header
 * checksum, IPv6 payload length, TCP checksum over the RFC 793/RFC 8200
 * pseudo header).  The back ends carry plain frames, so this is where the
 * guest's large sends become wire-sized ones.  Every offset is the
 * guest's and is checked against the frame.
 */
#include "emu/osdep.h"

#include "emu/hw/virtio/virtio-net.h"
#include "emu/util/cutils.h"
#include "netdev/checksum.h"

#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_VLAN 0x8100
#define IPPROTO_TCP_NUM 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, (uint16_t)v);
}

static int partial_csum(const struct vnet_hdr *h, uint8_t *f, size_t len)
{
    size_t start = h->csum_start, field = start + h->csum_offset;
    if (start >= len || field + 2 > len) {
        return -1;
    }
    put16(f + field, (uint16_t)~csum_fold(csum_add(0, f + start,
                                                   len - start)));
    return 0;
}

static int tso(const struct vnet_hdr *h, uint8_t *f, size_t len,
               vnet_emit_fn *emit, void *opaque)
{
    bool v4 = (h->gso_type & ~VNET_GSO_ECN) == VNET_GSO_TCPV4;
    size_t l3 = 14;
    if (len < l3 + 2 || !h->gso_size) {
        return -1;
    }
    uint16_t et = get16(f + 12);
    if (et == ETH_P_VLAN) {
        l3 = 18;
        et = get16(f + 16);
    }
    size_t l4;
    if (v4) {
        if (et != ETH_P_IPV4 || len < l3 + 20 || (f[l3] >> 4) != 4 ||
            f[l3 + 9] != IPPROTO_TCP_NUM) {
            return -1;
        }
        l4 = l3 + (f[l3] & 15) * 4u;
        if (l4 < l3 + 20) {
            return -1;
        }
    } else {
        /* Extension headers are not walked: Linux sends none with TSO. */
        if (et != ETH_P_IPV6 || len < l3 + 40 ||
            f[l3 + 6] != IPPROTO_TCP_NUM) {
            return -1;
        }
        l4 = l3 + 40;
    }
    if (l4 + 20 > len) {
        return -1;
    }
    size_t thl = (f[l4 + 12] >> 4) * 4u;
    if (thl < 20 || l4 + thl > len) {
        return -1;
    }
    size_t hdrs = l4 + thl, payload = len - hdrs, mss = h->gso_size;
    uint32_t seq = get32(f + l4 + 4);
    uint16_t ipid = v4 ? get16(f + l3 + 4) : 0;
    uint8_t tflags = f[l4 + 13];
    uint8_t *seg = xmalloc(hdrs + MIN(mss, payload) + 1);
    size_t off = 0;
    for (unsigned i = 0; off < payload || (i == 0 && !payload); i++) {
        size_t n = MIN(mss, payload - off);
        bool last = off + n == payload;
        memcpy(seg, f, hdrs);
        memcpy(seg + hdrs, f + hdrs + off, n);
        uint32_t sum = 0;
        uint16_t tcp_len = (uint16_t)(thl + n);
        if (v4) {
            size_t ihl = l4 - l3;
            put16(seg + l3 + 2, (uint16_t)(ihl + tcp_len));
            put16(seg + l3 + 4, (uint16_t)(ipid + i));
            put16(seg + l3 + 10, 0);
            put16(seg + l3 + 10, (uint16_t)~csum_fold(csum_add(0, seg + l3,
                                                               ihl)));
            sum = csum_add(0, seg + l3 + 12, 8);
        } else {
            put16(seg + l3 + 4, tcp_len);
            sum = csum_add(0, seg + l3 + 8, 32);
        }
        sum += IPPROTO_TCP_NUM + tcp_len;
        put32(seg + l4 + 4, seq + (uint32_t)off);
        uint8_t fl = tflags;
        if (!last) {
            fl &= ~(TCP_FIN | TCP_PSH);
        }
        if (i) {
            fl &= ~TCP_CWR;
        }
        seg[l4 + 13] = fl;
        put16(seg + l4 + 16, 0);
        put16(seg + l4 + 16, (uint16_t)~csum_fold(csum_add(sum, seg + l4,
                                                           tcp_len)));
        emit(opaque, seg, hdrs + n);
        off += n;
        if (!payload) {
            break;
        }
    }
    free(seg);
    return 0;
}

int vnet_tx_offload(const struct vnet_hdr *h, uint8_t *frame, size_t len,
                    vnet_emit_fn *emit, void *opaque)
{
    uint8_t gso = h->gso_type & ~VNET_GSO_ECN;
    if (gso == VNET_GSO_TCPV4 || gso == VNET_GSO_TCPV6) {
        return tso(h, frame, len, emit, opaque);
    }
    if (gso != VNET_GSO_NONE) {
        return -1;      /* UFO is not offered */
    }
    if ((h->flags & VNET_HDR_F_NEEDS_CSUM) && partial_csum(h, frame, len) < 0) {
        return -1;
    }
    emit(opaque, frame, len);
    return 0;
}
