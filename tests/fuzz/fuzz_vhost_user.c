/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_vhost_user.c - libFuzzer target for the vhost-user reply checks
 * (netdev/vhost-user-msg.c): a back end is another process and may send
 * anything.  The first byte picks the request hemu waits for; the rest is
 * what came back, cut at any length.  A reply must be accepted only when
 * its header is a version-1 reply to that request with the exact payload
 * size, and then decode to the bytes that follow; encoded requests must
 * decode back through the same checks once marked as replies.
 */
#include "emu/osdep.h"

#include "emu/util/err.h"
#include "netdev/vhost-user-msg.h"

static const uint32_t reqs[] = {
    VU_GET_FEATURES, VU_GET_PROTOCOL_FEATURES, VU_GET_QUEUE_NUM,
    VU_GET_VRING_BASE, VU_SET_MEM_TABLE, VU_SET_VRING_ADDR, 0, 0xffffffffu,
};

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint32_t req = reqs[data[0] % (sizeof(reqs) / sizeof(reqs[0]))];
    const uint8_t *m = data + 1;
    size_t len = size - 1;
    struct err *e = NULL;
    uint64_t v;
    uint32_t idx, num;

    int ok = vu_parse_u64(m, len, req, &v, &e);
    if (ok == 0) {
        if (e || len < VU_HDR_SIZE + 8 || le32(m) != req ||
            (le32(m + 4) & 7) != (VU_VERSION | VU_FLAG_REPLY) ||
            le32(m + 8) != 8 ||
            v != ((uint64_t)le32(m + 16) << 32 | le32(m + 12))) {
            abort();
        }
    } else if (!e) {
        abort();
    }
    err_free(e);
    e = NULL;
    if (vu_parse_state(m, len, req, &idx, &num, &e) == 0) {
        if (idx != le32(m + 12) || num != le32(m + 16)) {
            abort();
        }
    }
    err_free(e);
    e = NULL;
    if (len >= VU_HDR_SIZE) {
        uint32_t want = len > VU_HDR_SIZE ? m[VU_HDR_SIZE] : 8;
        int r = vu_check_header(m, req, want, &e);
        if ((r < 0) != (e != NULL) || (r >= 0 && (uint32_t)r != want)) {
            abort();
        }
        err_free(e);
        e = NULL;
    }

    /* Encoders: whatever they build, marked as a reply, passes the
     * checks and gives the values back. */
    uint8_t buf[VU_HDR_SIZE + VU_MAX_PAYLOAD];
    uint64_t x = 0;
    memcpy(&x, m, MIN(len, sizeof(x)));
    size_t n = vu_encode_u64(buf, req, VU_FLAG_REPLY, x);
    if (vu_parse_u64(buf, n, req, &v, &e) < 0 || v != x) {
        abort();
    }
    n = vu_encode_state(buf, req, VU_FLAG_REPLY, (uint32_t)x,
                        (uint32_t)(x >> 32));
    if (vu_parse_state(buf, n, req, &idx, &num, &e) < 0 ||
        idx != (uint32_t)x || num != (uint32_t)(x >> 32)) {
        abort();
    }
    struct vu_region r[VU_MAX_REGIONS + 2];
    memset(r, 0, sizeof(r));
    unsigned nr = len ? m[0] % (VU_MAX_REGIONS + 2) : 0;
    n = vu_encode_mem(buf, 0, r, nr);
    if (n > sizeof(buf) || le32(buf + 8) != n - VU_HDR_SIZE) {
        abort();
    }
    return 0;
}
