/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-refcount.c - qcow2 refcounts and cluster allocation (qcow2.txt
 * "Host cluster management"): the refcount table, refcount blocks of
 * 2^refcount_order-bit entries, first-fit allocation of contiguous
 * clusters, byte allocation for compressed clusters, and growing the
 * refcount table when the image outgrows it.  Every change is written
 * through (see qcow2.h for the ordering).
 */
#include "emu/osdep.h"

#include "block-protocols/qcow2.h"
#include "emu/util/cutils.h"

int qcow2_rt_load(struct bdrv *bs)
{
    struct qcow2 *s = bs->opaque;
    uint64_t bytes = (uint64_t)s->rt_clusters << s->cluster_bits;
    s->rt_size = bytes / 8;
    s->rt = xmalloc(bytes ? bytes : 8);
    uint8_t *raw = xmalloc(bytes ? bytes : 8);
    int r = bdrv_pread(bs->file, s->rt_offset, raw, bytes);
    for (uint64_t i = 0; r >= 0 && i < s->rt_size; i++) {
        s->rt[i] = be64_get(raw + i * 8) & ~0x1ffULL;
    }
    free(raw);
    return r;
}

int qcow2_cache_get(struct bdrv *bs, struct qcow2_cache_ent *c,
                    uint64_t offset, bool fresh, uint8_t **data)
{
    struct qcow2 *s = bs->opaque;
    struct qcow2_cache_ent *victim = &c[0];
    for (int i = 0; i < QCOW2_CACHE_SIZE; i++) {
        if (c[i].offset == offset && c[i].data) {
            c[i].lru = ++s->lru_clock;
            if (fresh) {
                memset(c[i].data, 0, s->cluster_size);
            }
            *data = c[i].data;
            return 0;
        }
        if (!c[i].data || c[i].lru < victim->lru) {
            victim = &c[i];
            if (!c[i].data) {
                break;
            }
        }
    }
    if (!victim->data) {
        victim->data = xmalloc(s->cluster_size);
    }
    victim->offset = 0;
    if (fresh) {
        memset(victim->data, 0, s->cluster_size);
    } else {
        int r = bdrv_pread(bs->file, offset, victim->data, s->cluster_size);
        if (r < 0) {
            return r;
        }
    }
    victim->offset = offset;
    victim->lru = ++s->lru_clock;
    *data = victim->data;
    return 0;
}

void qcow2_cache_drop(struct qcow2 *s, struct qcow2_cache_ent *c,
                      uint64_t offset)
{
    for (int i = 0; i < QCOW2_CACHE_SIZE; i++) {
        if (c[i].offset == offset) {
            c[i].offset = 0;
        }
    }
}

uint64_t qcow2_rb_get(const struct qcow2 *s, const uint8_t *rb, uint64_t i)
{
    switch (s->refcount_order) {
    case 0: return (rb[i / 8] >> (i % 8)) & 1;
    case 1: return (rb[i / 4] >> (2 * (i % 4))) & 3;
    case 2: return (rb[i / 2] >> (4 * (i % 2))) & 15;
    case 3: return rb[i];
    case 4: return be16_get(rb + 2 * i);
    case 5: return be32_get(rb + 4 * i);
    default: return be64_get(rb + 8 * i);
    }
}

void qcow2_rb_set(const struct qcow2 *s, uint8_t *rb, uint64_t i, uint64_t v)
{
    unsigned sh;
    switch (s->refcount_order) {
    case 0:
        sh = i % 8;
        rb[i / 8] = (rb[i / 8] & ~(1u << sh)) | (v & 1) << sh;
        break;
    case 1:
        sh = 2 * (i % 4);
        rb[i / 4] = (rb[i / 4] & ~(3u << sh)) | (v & 3) << sh;
        break;
    case 2:
        sh = 4 * (i % 2);
        rb[i / 2] = (rb[i / 2] & ~(15u << sh)) | (v & 15) << sh;
        break;
    case 3: rb[i] = v; break;
    case 4: be16_put(rb + 2 * i, v); break;
    case 5: be32_put(rb + 4 * i, v); break;
    default: be64_put(rb + 8 * i, v); break;
    }
}

/* The byte range of the refcount block holding entry i (for writing just
 * the changed part back). */
static void rb_entry_bytes(const struct qcow2 *s, uint64_t i, uint64_t *off,
                           uint64_t *len)
{
    if (s->refcount_order < 3) {
        *off = (i << s->refcount_order) / 8;
        *len = 1;
    } else {
        *len = 1u << (s->refcount_order - 3);
        *off = i * *len;
    }
}

static uint64_t rc_max(const struct qcow2 *s)
{
    return s->refcount_order == 6 ? UINT64_MAX
                                  : (1ULL << (1u << s->refcount_order)) - 1;
}

int qcow2_get_refcount(struct bdrv *bs, uint64_t cluster, uint64_t *rc)
{
    struct qcow2 *s = bs->opaque;
    uint64_t ti = cluster / s->rb_entries;
    *rc = 0;
    if (ti >= s->rt_size || !s->rt[ti]) {
        return 0;
    }
    uint8_t *rb;
    int r = qcow2_cache_get(bs, s->rbc, s->rt[ti], false, &rb);
    if (r < 0) {
        return r;
    }
    *rc = qcow2_rb_get(s, rb, cluster % s->rb_entries);
    return 0;
}

static int set_refcount(struct bdrv *bs, uint64_t cluster, uint64_t v)
{
    struct qcow2 *s = bs->opaque;
    uint64_t ti = cluster / s->rb_entries;
    if (ti >= s->rt_size || !s->rt[ti]) {
        return -EIO;    /* only allocation creates refcount blocks */
    }
    uint8_t *rb;
    int r = qcow2_cache_get(bs, s->rbc, s->rt[ti], false, &rb);
    if (r < 0) {
        return r;
    }
    uint64_t i = cluster % s->rb_entries, boff, blen;
    qcow2_rb_set(s, rb, i, v);
    rb_entry_bytes(s, i, &boff, &blen);
    return bdrv_pwrite(bs->file, s->rt[ti] + boff, rb + boff, blen);
}

int qcow2_update_refcount(struct bdrv *bs, uint64_t cluster, int delta)
{
    struct qcow2 *s = bs->opaque;
    uint64_t rc;
    int r = qcow2_get_refcount(bs, cluster, &rc);
    if (r < 0) {
        return r;
    }
    if ((delta < 0 && rc < (uint64_t)-delta) ||
        (delta > 0 && rc > rc_max(s) - delta)) {
        return -EIO;    /* the image's refcounts are inconsistent */
    }
    r = set_refcount(bs, cluster, rc + delta);
    if (r >= 0 && rc + delta == 0 && cluster < s->free_hint) {
        s->free_hint = cluster;
    }
    return r;
}

int qcow2_update_range(struct bdrv *bs, uint64_t off, uint64_t len, int delta)
{
    struct qcow2 *s = bs->opaque;
    if (!len) {
        return 0;
    }
    uint64_t first = off >> s->cluster_bits;
    uint64_t last = (off + len - 1) >> s->cluster_bits;
    for (uint64_t c = first; c <= last; c++) {
        int r = qcow2_update_refcount(bs, c, delta);
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

void qcow2_compressed_range(const struct qcow2 *s, uint64_t entry,
                            uint64_t *off, uint64_t *len)
{
    uint64_t coff = entry & s->coffset_mask;
    uint64_t nsec = ((entry >> s->csize_shift) & s->csize_mask) + 1;
    *off = coff;
    *len = nsec * 512 - (coff & 511);
}

int qcow2_free_entry(struct bdrv *bs, uint64_t entry)
{
    struct qcow2 *s = bs->opaque;
    if (entry & QCOW2_OFLAG_COMPRESSED) {
        uint64_t off, len;
        qcow2_compressed_range(s, entry, &off, &len);
        /* QEMU counts the sectors the data occupies. */
        uint64_t start = off & ~511ULL;
        return qcow2_update_range(bs, start, len + (off - start), -1);
    }
    uint64_t off = entry & QCOW2_OFFSET_MASK;
    if (!off) {
        return 0;
    }
    return qcow2_update_refcount(bs, off >> s->cluster_bits, -1);
}

static int64_t file_clusters(struct bdrv *bs)
{
    struct qcow2 *s = bs->opaque;
    int64_t len = bdrv_getlength(bs->file);
    if (len < 0) {
        return len;
    }
    return (len + s->cluster_size - 1) >> s->cluster_bits;
}

/* Replace the refcount table by one of at least min_entries entries,
 * placed past everything in use with the refcount blocks it needs for
 * itself. */
static int grow_rt(struct bdrv *bs, uint64_t min_entries)
{
    struct qcow2 *s = bs->opaque;
    uint64_t per = s->cluster_size / 8;
    uint64_t entries = MAX(min_entries, s->rt_size * 2);
    entries = (entries + per - 1) / per * per;
    int64_t fc = file_clusters(bs);
    if (fc < 0) {
        return fc;
    }
    uint64_t start = MAX((uint64_t)fc, s->free_hint);
    uint64_t nt, nb;
    for (;;) {
        nt = entries / per;
        /* Refcount blocks missing for [start, start + nt + nb). */
        nb = 0;
        for (int iter = 0; iter < 8; iter++) {
            uint64_t end = start + nt + nb, n = 0;
            for (uint64_t ti = start / s->rb_entries;
                 ti <= (end - 1) / s->rb_entries; ti++) {
                if (ti >= s->rt_size || !s->rt[ti]) {
                    n++;
                }
            }
            if (n == nb) {
                break;
            }
            nb = n;
        }
        uint64_t last_ti = (start + nt + nb - 1) / s->rb_entries;
        if (last_ti < entries) {
            break;
        }
        entries = (last_ti + 1 + per) / per * per;
    }
    uint64_t total = nt + nb;
    if (entries * 8 > QCOW2_MAX_RT_BYTES) {
        return -EFBIG;
    }
    uint64_t *nrt = xzalloc(entries * 8);
    memcpy(nrt, s->rt, s->rt_size * 8);
    /* New refcount blocks after the table, each counting the new clusters
     * in its range. */
    uint8_t *blk = xzalloc(s->cluster_size);
    uint64_t next_rb = start + nt;
    int r = 0;
    for (uint64_t ti = start / s->rb_entries;
         r >= 0 && ti <= (start + total - 1) / s->rb_entries; ti++) {
        if (nrt[ti]) {
            continue;
        }
        memset(blk, 0, s->cluster_size);
        for (uint64_t c = MAX(start, ti * s->rb_entries);
             c < MIN(start + total, (ti + 1) * s->rb_entries); c++) {
            qcow2_rb_set(s, blk, c % s->rb_entries, 1);
        }
        nrt[ti] = next_rb << s->cluster_bits;
        r = bdrv_pwrite(bs->file, nrt[ti], blk, s->cluster_size);
        next_rb++;
    }
    free(blk);
    /* Clusters of the new area counted by blocks that already exist. */
    for (uint64_t c = start; r >= 0 && c < start + total; c++) {
        uint64_t ti = c / s->rb_entries;
        if (ti < s->rt_size && s->rt[ti]) {
            r = set_refcount(bs, c, 1);
        }
    }
    if (r >= 0) {
        uint8_t *raw = xmalloc(entries * 8);
        for (uint64_t i = 0; i < entries; i++) {
            be64_put(raw + i * 8, nrt[i]);
        }
        r = bdrv_pwrite(bs->file, start << s->cluster_bits, raw, entries * 8);
        free(raw);
    }
    if (r >= 0) {
        r = bdrv_flush(bs->file);
    }
    if (r >= 0) {
        uint8_t hdr[12];
        be64_put(hdr, start << s->cluster_bits);
        be32_put(hdr + 8, nt);
        r = qcow2_write_header_field(bs, 48, hdr, 12);
    }
    if (r < 0) {
        free(nrt);
        return r;
    }
    uint64_t old_off = s->rt_offset, old_clusters = s->rt_clusters;
    free(s->rt);
    s->rt = nrt;
    s->rt_size = entries;
    s->rt_offset = start << s->cluster_bits;
    s->rt_clusters = nt;
    return qcow2_update_range(bs, old_off, old_clusters << s->cluster_bits, -1);
}

/* Make sure cluster c has a refcount block.  A new block is put at c
 * itself (c is free, and its block counts it): returns 1 then, so the
 * caller looks for another cluster. */
static int ensure_rb(struct bdrv *bs, uint64_t c)
{
    struct qcow2 *s = bs->opaque;
    uint64_t ti = c / s->rb_entries;
    if (ti >= s->rt_size) {
        int r = grow_rt(bs, ti + 1);
        if (r < 0) {
            return r;
        }
        return 1;   /* the area changed: search again */
    }
    if (s->rt[ti]) {
        return 0;
    }
    uint64_t off = c << s->cluster_bits;
    uint8_t *rb;
    int r = qcow2_cache_get(bs, s->rbc, off, true, &rb);
    if (r < 0) {
        return r;
    }
    qcow2_rb_set(s, rb, c % s->rb_entries, 1);
    r = bdrv_pwrite(bs->file, off, rb, s->cluster_size);
    if (r < 0) {
        qcow2_cache_drop(s, s->rbc, off);
        return r;
    }
    uint8_t e[8];
    be64_put(e, off);
    r = bdrv_pwrite(bs->file, s->rt_offset + ti * 8, e, 8);
    if (r < 0) {
        return r;
    }
    s->rt[ti] = off;
    return 1;
}

int64_t qcow2_alloc_clusters(struct bdrv *bs, uint64_t n)
{
    struct qcow2 *s = bs->opaque;
    if (!n) {
        return -EINVAL;
    }
    uint64_t c = s->free_hint, run = 0, start = c;
    for (;;) {
        if (c >= (1ULL << (56 - s->cluster_bits))) {
            return -EFBIG;
        }
        uint64_t rc;
        int r = qcow2_get_refcount(bs, c, &rc);
        if (r < 0) {
            return r;
        }
        if (rc) {
            c++;
            run = 0;
            start = c;
            continue;
        }
        r = ensure_rb(bs, c);
        if (r < 0) {
            return r;
        }
        if (r > 0) {
            /* c (or the table area) was taken for metadata. */
            c = start;
            run = 0;
            continue;
        }
        run++;
        c++;
        if (run == n) {
            break;
        }
    }
    for (uint64_t i = start; i < start + n; i++) {
        int r = set_refcount(bs, i, 1);
        if (r < 0) {
            return r;
        }
    }
    if (s->free_hint == start) {
        s->free_hint = start + n;
    }
    return (int64_t)(start << s->cluster_bits);
}

int64_t qcow2_alloc_bytes(struct bdrv *bs, uint64_t size)
{
    struct qcow2 *s = bs->opaque;
    uint64_t fb = s->free_byte_off;
    if (fb && (fb & (s->cluster_size - 1)) &&
        (fb & (s->cluster_size - 1)) + size <= s->cluster_size) {
        int r = qcow2_update_refcount(bs, fb >> s->cluster_bits, 1);
        if (r < 0) {
            return r;
        }
        s->free_byte_off = fb + size;
        return fb;
    }
    uint64_t n = (size + s->cluster_size - 1) >> s->cluster_bits;
    int64_t off = qcow2_alloc_clusters(bs, n);
    if (off < 0) {
        return off;
    }
    s->free_byte_off = off + size;
    return off;
}
