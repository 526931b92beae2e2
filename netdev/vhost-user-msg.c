/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user-msg.c - encoding the vhost-user messages hemu's front end
 * sends and checking the replies of the back end (QEMU's
 * docs/interop/vhost-user.rst, "Message Specification", "Front-end message
 * types").  Replies come from another process and are checked field by
 * field before use: version, reply flag, request, exact payload size.
 */
#include "emu/osdep.h"

#include "emu/util/err.h"
#include "netdev/vhost-user-msg.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static size_t header(uint8_t *buf, uint32_t req, uint32_t flags,
                     uint32_t size)
{
    put32(buf, req);
    put32(buf + 4, VU_VERSION | flags);
    put32(buf + 8, size);
    return VU_HDR_SIZE + size;
}

size_t vu_encode_none(uint8_t *buf, uint32_t req, uint32_t flags)
{
    return header(buf, req, flags, 0);
}

size_t vu_encode_u64(uint8_t *buf, uint32_t req, uint32_t flags, uint64_t v)
{
    put64(buf + VU_HDR_SIZE, v);
    return header(buf, req, flags, 8);
}

size_t vu_encode_state(uint8_t *buf, uint32_t req, uint32_t flags,
                       uint32_t index, uint32_t num)
{
    put32(buf + VU_HDR_SIZE, index);
    put32(buf + VU_HDR_SIZE + 4, num);
    return header(buf, req, flags, 8);
}

size_t vu_encode_addr(uint8_t *buf, uint32_t flags, uint32_t index,
                      uint64_t desc, uint64_t used, uint64_t avail)
{
    uint8_t *p = buf + VU_HDR_SIZE;
    put32(p, index);
    put32(p + 4, 0);            /* no VHOST_VRING_F_LOG */
    put64(p + 8, desc);
    put64(p + 16, used);
    put64(p + 24, avail);
    put64(p + 32, 0);           /* log_guest_addr */
    return header(buf, VU_SET_VRING_ADDR, flags, 40);
}

size_t vu_encode_mem(uint8_t *buf, uint32_t flags,
                     const struct vu_region *r, unsigned n)
{
    uint8_t *p = buf + VU_HDR_SIZE;
    if (n > VU_MAX_REGIONS) {
        n = VU_MAX_REGIONS;
    }
    put32(p, n);
    put32(p + 4, 0);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *q = p + 8 + 32 * i;
        put64(q, r[i].gpa);
        put64(q + 8, r[i].size);
        put64(q + 16, r[i].uaddr);
        put64(q + 24, r[i].mmap_offset);
    }
    return header(buf, VU_SET_MEM_TABLE, flags, 8 + 32 * n);
}

int vu_check_header(const uint8_t *hdr, uint32_t req, uint32_t want,
                    struct err **errp)
{
    uint32_t r = get32(hdr), flags = get32(hdr + 4), size = get32(hdr + 8);
    if ((flags & VU_FLAG_VERSION_MASK) != VU_VERSION) {
        err_setf(errp, "vhost-user: reply with version %u (expected %u)",
                 flags & VU_FLAG_VERSION_MASK, VU_VERSION);
        return -1;
    }
    if (!(flags & VU_FLAG_REPLY)) {
        err_setf(errp, "vhost-user: message %u is not a reply", r);
        return -1;
    }
    if (r != req) {
        err_setf(errp, "vhost-user: received unexpected msg type. Expected "
                 "%u received %u", req, r);
        return -1;
    }
    if (size != want) {
        err_setf(errp, "vhost-user: received bad msg size (%u for request "
                 "%u, expected %u)", size, req, want);
        return -1;
    }
    return (int)size;
}

int vu_parse_u64(const uint8_t *buf, size_t len, uint32_t req, uint64_t *v,
                 struct err **errp)
{
    if (len < VU_HDR_SIZE + 8) {
        err_setf(errp, "vhost-user: short reply (%zu bytes)", len);
        return -1;
    }
    if (vu_check_header(buf, req, 8, errp) < 0) {
        return -1;
    }
    *v = get64(buf + VU_HDR_SIZE);
    return 0;
}

int vu_parse_state(const uint8_t *buf, size_t len, uint32_t req,
                   uint32_t *index, uint32_t *num, struct err **errp)
{
    if (len < VU_HDR_SIZE + 8) {
        err_setf(errp, "vhost-user: short reply (%zu bytes)", len);
        return -1;
    }
    if (vu_check_header(buf, req, 8, errp) < 0) {
        return -1;
    }
    *index = get32(buf + VU_HDR_SIZE);
    *num = get32(buf + VU_HDR_SIZE + 4);
    return 0;
}
