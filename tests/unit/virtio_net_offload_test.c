/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio_net_offload_test.c - virtio-net's software TX offloads
 * (emu/hw/virtio/virtio-net-offload.c): a partial TCP checksum finished
 * as RFC 1071 says, a TSOv4 send cut into MSS pieces whose sequence
 * numbers, IPv4 lengths/ids/checksums and TCP checksums verify
 * independently, a TSOv6 send, and headers that do not match the frame
 * refused. */
#include "emu/osdep.h"

#include "emu/hw/virtio/virtio-net.h"
#include "tests/unit/test.h"

static uint8_t out[8][2048];
static size_t out_len[8];
static int nout;

static void emit(void *opaque, const uint8_t *buf, size_t len)
{
    if (nout < 8 && len <= sizeof(out[0])) {
        memcpy(out[nout], buf, len);
        out_len[nout] = len;
    }
    nout++;
}

static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 2) {
        s += p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
    }
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return (uint16_t)s;
}

static unsigned be16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* Ethernet + IPv4 (20) + TCP (20) + payload. */
static size_t make_v4(uint8_t *f, size_t payload)
{
    memset(f, 0, 54 + payload);
    memset(f, 0x02, 12);
    f[12] = 0x08;
    f[14] = 0x45;
    f[16] = (uint8_t)((40 + payload) >> 8);
    f[17] = (uint8_t)(40 + payload);
    f[18] = 0x12;
    f[19] = 0x34;
    f[22] = 64;
    f[23] = 6;
    memcpy(f + 26, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
    f[34] = 0x9c;                   /* ports */
    f[37] = 80;
    memcpy(f + 38, "\x10\x00\x00\x00", 4);  /* seq 0x10000000 */
    f[46] = 0x50;                   /* data offset 5 */
    f[47] = 0x18 | 0x01;            /* PSH ACK FIN */
    for (size_t i = 0; i < payload; i++) {
        f[54 + i] = (uint8_t)(i * 7);
    }
    return 54 + payload;
}

static bool tcp4_ok(const uint8_t *f, size_t len)
{
    if (fold(sum16(0, f + 14, 20)) != 0xffff) {
        return false;
    }
    size_t tl = len - 34;
    uint32_t s = sum16(0, f + 26, 8) + 6 + (uint32_t)tl;
    return fold(sum16(s, f + 34, tl)) == 0xffff;
}

TEST(partial_checksum_finished)
{
    static uint8_t f[2048];
    size_t len = make_v4(f, 100);
    /* What Linux leaves: the pseudo-header sum in the field. */
    uint16_t ph = fold(sum16(0, f + 26, 8) + 6 + 120);
    f[50] = ph >> 8;
    f[51] = (uint8_t)ph;
    f[24] = 0;
    f[25] = 0;
    uint16_t ipc = (uint16_t)~fold(sum16(0, f + 14, 20));
    f[24] = ipc >> 8;
    f[25] = (uint8_t)ipc;
    struct vnet_hdr h = { .flags = VNET_HDR_F_NEEDS_CSUM, .csum_start = 34,
                          .csum_offset = 16 };
    nout = 0;
    EXPECT_EQ(vnet_tx_offload(&h, f, len, emit, NULL), 0);
    EXPECT_EQ(nout, 1);
    EXPECT(tcp4_ok(out[0], out_len[0]));
    h.csum_start = (uint16_t)len;
    nout = 0;
    EXPECT_EQ(vnet_tx_offload(&h, f, len, emit, NULL), -1);
    h.csum_start = 34;
    h.csum_offset = (uint16_t)(len - 35);   /* field past the end */
    EXPECT_EQ(vnet_tx_offload(&h, f, len, emit, NULL), -1);
    EXPECT_EQ(nout, 0);
}

TEST(tso4_cut_into_mss_segments)
{
    static uint8_t f[8192];
    size_t len = make_v4(f, 3000);
    struct vnet_hdr h = { .flags = VNET_HDR_F_NEEDS_CSUM,
                          .gso_type = VNET_GSO_TCPV4, .gso_size = 1448,
                          .hdr_len = 54, .csum_start = 34, .csum_offset = 16 };
    nout = 0;
    EXPECT_EQ(vnet_tx_offload(&h, f, len, emit, NULL), 0);
    EXPECT_EQ(nout, 3);
    size_t want[3] = { 1448, 1448, 104 };
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        const uint8_t *s = out[i];
        EXPECT_EQ(out_len[i], 54 + want[i]);
        EXPECT_EQ(be16(s + 16), 40 + want[i]);
        EXPECT_EQ(be16(s + 18), 0x1234 + i);
        EXPECT_EQ(be32(s + 38), 0x10000000u + off);
        EXPECT(tcp4_ok(s, out_len[i]));
        EXPECT(!memcmp(s + 54, f + 54 + off, want[i]));
        /* FIN and PSH only on the last segment. */
        EXPECT_EQ(s[47], i == 2 ? 0x19 : 0x10);
        off += want[i];
    }
}

TEST(tso6_segments)
{
    static uint8_t f[4096];
    size_t payload = 2000, len = 14 + 40 + 20 + payload;
    memset(f, 0, len);
    f[12] = 0x86;
    f[13] = 0xdd;
    f[14] = 0x60;
    f[18] = (uint8_t)((20 + payload) >> 8);
    f[19] = (uint8_t)(20 + payload);
    f[20] = 6;
    f[21] = 64;
    f[22 + 15] = 1;
    f[38 + 15] = 2;
    f[54 + 12] = 0x50;
    f[54 + 13] = 0x10;
    struct vnet_hdr h = { .flags = VNET_HDR_F_NEEDS_CSUM,
                          .gso_type = VNET_GSO_TCPV6, .gso_size = 1200,
                          .csum_start = 54, .csum_offset = 16 };
    nout = 0;
    EXPECT_EQ(vnet_tx_offload(&h, f, len, emit, NULL), 0);
    EXPECT_EQ(nout, 2);
    for (int i = 0; i < 2; i++) {
        size_t tl = out_len[i] - 54;
        EXPECT_EQ(be16(out[i] + 18), tl);
        uint32_t s = sum16(0, out[i] + 22, 32) + 6 + (uint32_t)tl;
        EXPECT_EQ(fold(sum16(s, out[i] + 54, tl)), 0xffff);
    }
    EXPECT_EQ(out_len[1] - 74, 800);
}

TEST(bad_gso_headers_refused)
{
    static uint8_t f[4096];
    size_t len = make_v4(f, 1000);
    struct vnet_hdr h = { .gso_type = VNET_GSO_TCPV4, .gso_size = 0 };
    nout = 0;
    EXPECT_EQ(vnet_tx_offload(&h, f, len, emit, NULL), -1);
    h.gso_size = 500;
    h.gso_type = VNET_GSO_TCPV6;            /* but the frame is IPv4 */
    EXPECT_EQ(vnet_tx_offload(&h, f, len, emit, NULL), -1);
    h.gso_type = VNET_GSO_UDP;
    EXPECT_EQ(vnet_tx_offload(&h, f, len, emit, NULL), -1);
    h.gso_type = VNET_GSO_TCPV4;
    f[46] = 0xf0;                           /* TCP header past the end */
    EXPECT_EQ(vnet_tx_offload(&h, f, 60, emit, NULL), -1);
    EXPECT_EQ(vnet_tx_offload(&h, f, 10, emit, NULL), -1);
    EXPECT_EQ(nout, 0);
}

TEST_MAIN()
