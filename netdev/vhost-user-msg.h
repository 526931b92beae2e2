/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user-msg.h - the wire format of the vhost-user protocol (QEMU's
 * docs/interop/vhost-user.rst, "Message Specification"): a 12-byte header
 * (request, flags, payload size, little-endian) and a payload; file
 * descriptors travel as SCM_RIGHTS ancillary data.  Only what hemu's front
 * end sends and the replies it reads.
 */
#ifndef HEMU_NETDEV_VHOST_USER_MSG_H
#define HEMU_NETDEV_VHOST_USER_MSG_H

#include "emu/osdep.h"

struct err;

enum {
    VU_GET_FEATURES = 1,
    VU_SET_FEATURES = 2,
    VU_SET_OWNER = 3,
    VU_SET_MEM_TABLE = 5,
    VU_SET_VRING_NUM = 8,
    VU_SET_VRING_ADDR = 9,
    VU_SET_VRING_BASE = 10,
    VU_GET_VRING_BASE = 11,
    VU_SET_VRING_KICK = 12,
    VU_SET_VRING_CALL = 13,
    VU_GET_PROTOCOL_FEATURES = 15,
    VU_SET_PROTOCOL_FEATURES = 16,
    VU_GET_QUEUE_NUM = 17,
    VU_SET_VRING_ENABLE = 18,
};

#define VU_VERSION 0x1
#define VU_FLAG_VERSION_MASK 0x3
#define VU_FLAG_REPLY (1u << 2)
#define VU_FLAG_NEED_REPLY (1u << 3)

#define VU_F_PROTOCOL_FEATURES 30   /* a virtio feature bit */
#define VU_PF_MQ 0
#define VU_PF_REPLY_ACK 3

#define VU_HDR_SIZE 12
#define VU_MAX_REGIONS 8
/* The largest payload hemu sends or accepts (the memory table). */
#define VU_MAX_PAYLOAD (8 + VU_MAX_REGIONS * 32)

struct vu_region {
    uint64_t gpa, size, uaddr, mmap_offset;
};

/* Encoders: fill buf (VU_HDR_SIZE + VU_MAX_PAYLOAD bytes) and return the
 * message length. */
size_t vu_encode_u64(uint8_t *buf, uint32_t req, uint32_t flags,
                     uint64_t v);
size_t vu_encode_none(uint8_t *buf, uint32_t req, uint32_t flags);
size_t vu_encode_state(uint8_t *buf, uint32_t req, uint32_t flags,
                       uint32_t index, uint32_t num);
size_t vu_encode_addr(uint8_t *buf, uint32_t flags, uint32_t index,
                      uint64_t desc, uint64_t used, uint64_t avail);
size_t vu_encode_mem(uint8_t *buf, uint32_t flags,
                     const struct vu_region *r, unsigned n);

/* A reply's header: checks version, the reply flag, the request it
 * answers and that its payload size is want (bytes).  Returns the payload
 * size, or -1 with *errp set. */
int vu_check_header(const uint8_t *hdr, uint32_t req, uint32_t want,
                    struct err **errp);
/* A whole reply (header and payload, len bytes) carrying a u64 (features,
 * ack status, queue count) or a vring state (GET_VRING_BASE). */
int vu_parse_u64(const uint8_t *buf, size_t len, uint32_t req, uint64_t *v,
                 struct err **errp);
int vu_parse_state(const uint8_t *buf, size_t len, uint32_t req,
                   uint32_t *index, uint32_t *num, struct err **errp);

#endif
