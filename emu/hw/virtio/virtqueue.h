/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtqueue.h - split virtqueues (Virtual I/O Device (VIRTIO) 1.0, 2.4):
 * descriptor table, available and used rings in guest memory.  vq_pop
 * walks one descriptor chain with every index, length and address
 * checked (a hostile guest gets an error, never host memory); vq_push
 * returns it.  Reusable by every virtio device (blk today, net later).
 */
#ifndef HEMU_EMU_HW_VIRTIO_VIRTQUEUE_H
#define HEMU_EMU_HW_VIRTIO_VIRTQUEUE_H

#include "emu/osdep.h"

struct addr_space;

#define VQ_MAX_SIZE 1024
#define VQ_MAX_SEGS 1024
#define VQ_MAX_INDIRECT 1024    /* descriptors in one indirect table */

struct vq_seg {
    uint64_t addr;
    uint32_t len;
};

/* One popped chain: device-readable segments first, then writable ones. */
struct vq_elem {
    uint16_t head;
    unsigned n_in, n_out;           /* out = readable by the device */
    struct vq_seg out[VQ_MAX_SEGS], in[VQ_MAX_SEGS];
    uint64_t out_len, in_len;
};

struct virtqueue {
    uint16_t num;                   /* 0: not set up */
    uint16_t num_max;
    bool ready;
    uint64_t desc, avail, used;     /* guest-physical addresses */
    uint16_t last_avail;
    uint16_t used_idx;
    uint16_t notify_off;
    uint16_t msix_vector;           /* VIRTIO_MSI_NO_VECTOR: none */
    /* VIRTIO_F_RING_EVENT_IDX negotiated (2.4.7/2.4.8): used_event and
     * avail_event replace the flags; signalled_used is the used index the
     * last interrupt covered. */
    bool event_idx;
    bool indirect;                  /* VIRTIO_RING_F_INDIRECT_DESC taken */
    bool signalled_valid;
    uint16_t signalled_used;
    struct addr_space *as;
};

#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_MSI_NO_VECTOR 0xffff

void vq_reset(struct virtqueue *vq);
/* Legacy layout from a page frame number (virtio 0.9.5, 4096 align). */
void vq_set_legacy_pfn(struct virtqueue *vq, uint32_t pfn);
/* 1: e filled; 0: ring empty; -1: the guest's chain is malformed (the
 * queue should be considered broken). */
int vq_pop(struct virtqueue *vq, struct vq_elem *e);
void vq_push(struct virtqueue *vq, const struct vq_elem *e, uint32_t len);
/* Batched returns (virtio-net's mergeable RX buffers): write the used
 * entry idx places after the current index, then publish count entries
 * at once so the guest never sees part of a set. */
void vq_fill(struct virtqueue *vq, const struct vq_elem *e, uint32_t len,
             unsigned idx);
void vq_flush(struct virtqueue *vq, unsigned count);
/* Chains the guest made available and the device has not popped yet. */
unsigned vq_avail_count(struct virtqueue *vq);
/* Whether the guest wants an interrupt for the used buffers (flags, or
 * with event_idx: whether used_event was crossed since the last one). */
bool vq_should_notify(struct virtqueue *vq);
/* The device is about to wait for a kick: with event_idx, publish
 * avail_event = the next chain it will pop (kicks while it is busy are
 * suppressed since avail_event stays behind); then says whether chains
 * arrived meanwhile (true: pop again rather than wait). */
bool vq_enable_notify(struct virtqueue *vq);

/* Copy between a buffer and the chain's segments (readable: from_guest,
 * writable: to_guest), starting at byte skip; returns bytes moved. */
uint64_t vq_copy_from(struct virtqueue *vq, const struct vq_seg *s, unsigned n,
                      uint64_t skip, void *buf, uint64_t len);
uint64_t vq_copy_to(struct virtqueue *vq, const struct vq_seg *s, unsigned n,
                    uint64_t skip, const void *buf, uint64_t len);

#endif
