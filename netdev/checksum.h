/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * checksum.h - the Internet checksum (RFC 1071: 16-bit one's complement
 * sum, folded) and big-endian 16-bit field access, for the NICs that
 * compute IP/TCP/UDP checksums and segment TSO frames in software
 * (e1000's TX offloads, virtio-net's).
 */
#ifndef HEMU_NETDEV_CHECKSUM_H
#define HEMU_NETDEV_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += p[i] << 8 | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    return sum;
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
