/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtqueue.c - split virtqueue processing (VIRTIO 1.0 2.4.5-2.4.8):
 * chains follow VIRTQ_DESC_F_NEXT with indices checked against the queue
 * size and the chain length bounded by it (no loops); an indirect table
 * (VIRTQ_DESC_F_INDIRECT, 2.4.5.3) is followed only when the device
 * offered it and the driver took it, once per chain (no nesting, no NEXT
 * on the indirect descriptor), with a length that is a whole number of
 * descriptors and at most VQ_MAX_INDIRECT of them, its indices and chain
 * length bounded by the table's size;
 * every guest access goes through the memory API, which refuses what is
 * not RAM and marks written pages dirty.  With VIRTIO_F_RING_EVENT_IDX
 * (2.4.7.2, 2.4.8.2) used_event (after the avail ring) decides interrupts
 * and avail_event (after the used ring) is published whenever the device
 * finds the ring empty.
 */
#include "emu/osdep.h"

#include "emu/hw/virtio/virtqueue.h"
#include "emu/mem/mem.h"

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4
#define AVAIL_F_NO_INTERRUPT 1

static uint16_t rd16(struct virtqueue *vq, uint64_t a)
{
    uint8_t b[2] = { 0 };
    as_rw(vq->as, a, b, 2, false);
    return b[0] | b[1] << 8;
}

static void wr16(struct virtqueue *vq, uint64_t a, uint16_t v)
{
    uint8_t b[2] = { v, v >> 8 };
    as_rw(vq->as, a, b, 2, true);
}

void vq_reset(struct virtqueue *vq)
{
    vq->num = vq->num_max;
    vq->ready = false;
    vq->desc = vq->avail = vq->used = 0;
    vq->last_avail = 0;
    vq->used_idx = 0;
    vq->signalled_valid = false;
    vq->event_idx = vq->indirect = false;
    vq->msix_vector = VIRTIO_MSI_NO_VECTOR;
}

void vq_set_legacy_pfn(struct virtqueue *vq, uint32_t pfn)
{
    uint64_t base = (uint64_t)pfn << 12;
    vq->desc = base;
    vq->avail = base + 16ULL * vq->num;
    uint64_t avail_end = vq->avail + 6 + 2ULL * vq->num;
    vq->used = (avail_end + 4095) & ~4095ULL;
    vq->ready = pfn != 0;
    vq->last_avail = 0;
    vq->used_idx = 0;
    vq->signalled_valid = false;
}

int vq_pop(struct virtqueue *vq, struct vq_elem *e)
{
    if (!vq->ready || !vq->num) {
        return 0;
    }
    uint16_t avail_idx = rd16(vq, vq->avail + 2);
    if (avail_idx == vq->last_avail) {
        /* Empty: with event indexes the driver kicks only past
         * avail_event, so it must name the next chain before the device
         * waits (and chains that raced in are taken now). */
        if (!vq->event_idx || !vq_enable_notify(vq)) {
            return 0;
        }
        avail_idx = rd16(vq, vq->avail + 2);
    }
    if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
        return -1;      /* the guest claims more buffers than the ring holds */
    }
    uint16_t head = rd16(vq, vq->avail + 4 + 2ULL * (vq->last_avail % vq->num));
    vq->last_avail++;
    if (head >= vq->num) {
        return -1;
    }
    e->head = head;
    e->n_in = e->n_out = 0;
    e->in_len = e->out_len = 0;
    uint64_t table = vq->desc;      /* the ring's table, then an indirect one */
    unsigned size = vq->num;
    bool indirect = false;
    uint16_t i = head;
    for (unsigned count = 0;; count++) {
        if (count >= size || i >= size) {
            return -1;  /* a loop, or an index outside the table */
        }
        uint8_t d[16];
        if (as_rw(vq->as, table + 16ULL * i, d, 16, false) < 0) {
            return -1;
        }
        uint64_t addr = 0;
        for (int k = 7; k >= 0; k--) {
            addr = addr << 8 | d[k];
        }
        uint32_t len = d[8] | d[9] << 8 | d[10] << 16 | (uint32_t)d[11] << 24;
        uint16_t flags = d[12] | d[13] << 8, next = d[14] | d[15] << 8;
        if (flags & DESC_F_INDIRECT) {
            if (!vq->indirect || indirect || (flags & DESC_F_NEXT) ||
                !len || len % 16 || len / 16 > VQ_MAX_INDIRECT) {
                return -1;
            }
            /* The chain goes on in the table, from its first entry. */
            table = addr;
            size = len / 16;
            indirect = true;
            i = 0;
            count = -1u;
            continue;
        }
        if (flags & DESC_F_WRITE) {
            if (e->n_in >= VQ_MAX_SEGS) {
                return -1;
            }
            e->in[e->n_in++] = (struct vq_seg){ addr, len };
            e->in_len += len;
        } else {
            if (e->n_in || e->n_out >= VQ_MAX_SEGS) {
                return -1;  /* readable after writable is not allowed */
            }
            e->out[e->n_out++] = (struct vq_seg){ addr, len };
            e->out_len += len;
        }
        if (!(flags & DESC_F_NEXT)) {
            break;
        }
        i = next;
    }
    return 1;
}

void vq_push(struct virtqueue *vq, const struct vq_elem *e, uint32_t len)
{
    uint8_t u[8] = {
        e->head, e->head >> 8, 0, 0, len, len >> 8, len >> 16, len >> 24,
    };
    as_rw(vq->as, vq->used + 4 + 8ULL * (vq->used_idx % vq->num), u, 8, true);
    vq->used_idx++;
    /* The ring entry is written before the index the guest polls. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    wr16(vq, vq->used + 2, vq->used_idx);
}

void vq_fill(struct virtqueue *vq, const struct vq_elem *e, uint32_t len,
             unsigned idx)
{
    uint8_t u[8] = {
        e->head, e->head >> 8, 0, 0, len, len >> 8, len >> 16, len >> 24,
    };
    as_rw(vq->as, vq->used + 4 + 8ULL * ((uint16_t)(vq->used_idx + idx) %
                                         vq->num), u, 8, true);
}

void vq_flush(struct virtqueue *vq, unsigned count)
{
    vq->used_idx += count;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    wr16(vq, vq->used + 2, vq->used_idx);
}

unsigned vq_avail_count(struct virtqueue *vq)
{
    if (!vq->ready || !vq->num) {
        return 0;
    }
    uint16_t n = rd16(vq, vq->avail + 2) - vq->last_avail;
    if (!n && vq->event_idx && vq_enable_notify(vq)) {
        n = rd16(vq, vq->avail + 2) - vq->last_avail;
    }
    return MIN(n, vq->num);
}

bool vq_should_notify(struct virtqueue *vq)
{
    /* The used index written before must be visible before the flags are
     * read (a store-load order the CPU does not keep by itself): the
     * driver re-enables interrupts and then rechecks the index, so with
     * the order kept one side always sees the other (2.4.7.2). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (!vq->event_idx) {
        return !(rd16(vq, vq->avail) & AVAIL_F_NO_INTERRUPT);
    }
    /* 2.4.7.2: interrupt when used_event lies in (old, new]; the first
     * time after a reset there is no old, so always. */
    uint16_t ev = rd16(vq, vq->avail + 4 + 2ULL * vq->num);
    uint16_t old = vq->signalled_used, now = vq->used_idx;
    bool valid = vq->signalled_valid;
    vq->signalled_used = now;
    vq->signalled_valid = true;
    return !valid || (uint16_t)(now - ev - 1) < (uint16_t)(now - old);
}

bool vq_enable_notify(struct virtqueue *vq)
{
    if (!vq->ready || !vq->num) {
        return false;
    }
    if (vq->event_idx) {
        wr16(vq, vq->used + 4 + 8ULL * vq->num, vq->last_avail);
    }
    /* avail_event must be visible before the index is read again, or a
     * chain added in between would neither kick nor be seen. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return rd16(vq, vq->avail + 2) != vq->last_avail;
}

static uint64_t copy(struct virtqueue *vq, const struct vq_seg *s, unsigned n,
                     uint64_t skip, void *buf, uint64_t len, bool to_guest)
{
    uint64_t done = 0;
    for (unsigned i = 0; i < n && done < len; i++) {
        if (skip >= s[i].len) {
            skip -= s[i].len;
            continue;
        }
        uint64_t k = MIN((uint64_t)s[i].len - skip, len - done);
        if (as_rw(vq->as, s[i].addr + skip, (uint8_t *)buf + done, k,
                  to_guest) < 0) {
            return done;
        }
        done += k;
        skip = 0;
    }
    return done;
}

uint64_t vq_copy_from(struct virtqueue *vq, const struct vq_seg *s, unsigned n,
                      uint64_t skip, void *buf, uint64_t len)
{
    return copy(vq, s, n, skip, buf, len, false);
}

uint64_t vq_copy_to(struct virtqueue *vq, const struct vq_seg *s, unsigned n,
                    uint64_t skip, const void *buf, uint64_t len)
{
    return copy(vq, s, n, skip, (void *)buf, len, true);
}
