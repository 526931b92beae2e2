/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * checksum.h - the Internet checksum (RFC 1071: 16-bit one's complement
 * sum, folded) and big-endian 16-bit field access, for the NICs that
 * compute IP/TCP/UDP checksums and segment TSO frames in software
 * (e1000's TX offloads, virtio-net's).
 */
#ifndef HEMU_NETDEV_CHECKSUM_H
#define HEMU_NETDEV_CHECKSUM_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Adds the 16-bit big-endian words of p to sum; the result folds (below)
 * to the same value as word-by-word addition.  Four bytes at a time into a
 * 64-bit accumulator: 2^16 = 1 modulo 0xffff, so a 32-bit word counts as
 * its two halves, and the end-around carry is folded once at the end. */
static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        uint32_t w;
        memcpy(&w, p + i, 4);
        acc += be32toh(w);
    }
    for (; i + 1 < len; i += 2) {
        acc += (uint32_t)(p[i] << 8 | p[i + 1]);
    }
    if (len & 1) {
        acc += (uint32_t)p[len - 1] << 8;
    }
    while (acc >> 32) {
        acc = (acc & 0xffffffffu) + (acc >> 32);
    }
    return (uint32_t)acc;
}

static inline uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t)sum;
}

static inline uint16_t get16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = (uint8_t)v;
}

#endif
