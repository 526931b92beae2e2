/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2.c - the qcow2 format, versions 2 (compat 0.10) and 3 (compat 1.1)
 * (QEMU's docs/interop/qcow2.txt): header and extensions, two-level L1/L2
 * mapping, cluster allocation with copy-on-write of partial clusters from
 * the backing file, zero clusters, compressed clusters (read, and write
 * for hemu-img convert -c), internal snapshots (listed, and their shared
 * clusters copied before writing), growth, creation.  Everything read
 * from the image is checked before use: a hostile image gets -EIO or an
 * open error, never an out-of-range access.
 */
#include "emu/osdep.h"

#include <json-c/json.h>
#include <libgen.h>
#include <zlib.h>

#include "block-protocols/qcow2.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

static int probe(const uint8_t *buf, size_t len)
{
    if (len >= 8 && be32_get(buf) == QCOW2_MAGIC &&
        (be32_get(buf + 4) == 2 || be32_get(buf + 4) == 3)) {
        return 100;
    }
    return 0;
}

int qcow2_write_header_field(struct bdrv *bs, unsigned off, const void *v,
                             size_t len)
{
    return bdrv_pwrite(bs->file, off, v, len);
}

/* ---- mapping ---- */

static bool entry_offset_ok(const struct qcow2 *s, uint64_t off)
{
    return !(off & (s->cluster_size - 1));
}

/* The L2 table of L1 index i for reading; *l2 NULL when unallocated. */
static int l2_get(struct bdrv *bs, uint64_t i, uint8_t **l2)
{
    struct qcow2 *s = bs->opaque;
    *l2 = NULL;
    if (i >= s->l1_size) {
        return 0;
    }
    uint64_t off = s->l1[i] & QCOW2_OFFSET_MASK;
    if (!off) {
        return 0;
    }
    if (!entry_offset_ok(s, off)) {
        return -EIO;
    }
    return qcow2_cache_get(bs, s->l2c, off, false, l2);
}

static int write_l1_entry(struct bdrv *bs, uint64_t i, uint64_t v)
{
    struct qcow2 *s = bs->opaque;
    uint8_t e[8];
    be64_put(e, v);
    int r = bdrv_pwrite(bs->file, s->l1_offset + i * 8, e, 8);
    if (r >= 0) {
        s->l1[i] = v;
    }
    return r;
}

/* The L2 table of L1 index i for writing: allocated, and private to the
 * active image (copied when a snapshot shares it). */
static int l2_get_write(struct bdrv *bs, uint64_t i, uint8_t **l2)
{
    struct qcow2 *s = bs->opaque;
    if (i >= s->l1_size) {
        return -EIO;
    }
    uint64_t e = s->l1[i], old = e & QCOW2_OFFSET_MASK;
    if (old && !entry_offset_ok(s, old)) {
        return -EIO;
    }
    if (old && (e & QCOW2_OFLAG_COPIED)) {
        return qcow2_cache_get(bs, s->l2c, old, false, l2);
    }
    uint8_t *copy = NULL;
    if (old) {
        uint8_t *t;
        int r = qcow2_cache_get(bs, s->l2c, old, false, &t);
        if (r < 0) {
            return r;
        }
        copy = xmalloc(s->cluster_size);
        memcpy(copy, t, s->cluster_size);
        /* Data refcounts count every L1 path to a cluster (as QEMU's
         * snapshot creation counts them), so they already include the
         * copy; only the flags change. */
        for (uint32_t j = 0; j < s->l2_entries; j++) {
            uint64_t v = be64_get(copy + j * 8);
            be64_put(copy + j * 8, v & ~QCOW2_OFLAG_COPIED);
        }
    }
    int64_t off = qcow2_alloc_clusters(bs, 1);
    if (off < 0) {
        free(copy);
        return off;
    }
    uint8_t *t;
    int r = qcow2_cache_get(bs, s->l2c, off, true, &t);
    if (r >= 0) {
        if (copy) {
            memcpy(t, copy, s->cluster_size);
        }
        r = bdrv_pwrite(bs->file, off, t, s->cluster_size);
    }
    free(copy);
    if (r >= 0) {
        r = write_l1_entry(bs, i, off | QCOW2_OFLAG_COPIED);
    }
    if (r >= 0 && old) {
        r = qcow2_update_refcount(bs, old >> s->cluster_bits, -1);
    }
    if (r < 0) {
        qcow2_cache_drop(s, s->l2c, off);
        return r;
    }
    *l2 = t;
    return 0;
}

/* Decompress the cluster of entry e into s->dbuf. */
static int read_compressed(struct bdrv *bs, uint64_t e)
{
    struct qcow2 *s = bs->opaque;
    if (s->dbuf_entry == e) {
        return 0;
    }
    uint64_t off, len;
    qcow2_compressed_range(s, e, &off, &len);
    int r = bdrv_pread(bs->file, off, s->cbuf, len);
    if (r < 0) {
        return r;
    }
    z_stream z = { 0 };
    if (inflateInit2(&z, -12) != Z_OK) {
        return -EIO;
    }
    z.next_in = s->cbuf;
    z.avail_in = len;
    z.next_out = s->dbuf;
    z.avail_out = s->cluster_size;
    int zr = inflate(&z, Z_FINISH);
    bool ok = (zr == Z_STREAM_END || zr == Z_BUF_ERROR) && z.avail_out == 0;
    inflateEnd(&z);
    if (!ok) {
        s->dbuf_entry = 0;
        return -EIO;
    }
    s->dbuf_entry = e;
    return 0;
}

static int read_backing(struct bdrv *bs, uint64_t off, uint8_t *buf,
                        size_t len)
{
    if (!bs->backing) {
        memset(buf, 0, len);
        return 0;
    }
    uint64_t bsize = bs->backing->total_size;
    size_t n = off >= bsize ? 0 : MIN((uint64_t)len, bsize - off);
    if (n < len) {
        memset(buf + n, 0, len - n);
    }
    return n ? bdrv_pread(bs->backing, off, buf, n) : 0;
}

/* Read [off, off+len) of one cluster whose L2 entry is e. */
static int read_in_cluster(struct bdrv *bs, uint64_t e, uint64_t off,
                           uint8_t *buf, size_t len)
{
    struct qcow2 *s = bs->opaque;
    uint64_t in = off & (s->cluster_size - 1);
    if (e & QCOW2_OFLAG_COMPRESSED) {
        int r = read_compressed(bs, e);
        if (r >= 0) {
            memcpy(buf, s->dbuf + in, len);
        }
        return r;
    }
    if (s->version >= 3 && (e & QCOW2_OFLAG_ZERO)) {
        memset(buf, 0, len);
        return 0;
    }
    uint64_t host = e & QCOW2_OFFSET_MASK;
    if (!host) {
        return read_backing(bs, off, buf, len);
    }
    if (!entry_offset_ok(s, host)) {
        return -EIO;
    }
    return bdrv_pread(bs->file, host + in, buf, len);
}

static int qcow2_pread(struct bdrv *bs, uint64_t off, void *vbuf, size_t len)
{
    struct qcow2 *s = bs->opaque;
    uint8_t *buf = vbuf;
    /* Host-contiguous plain clusters are read in one request. */
    uint64_t pend_host = 0;
    uint8_t *pend_buf = NULL;
    size_t pend_len = 0;
    int r = 0;
    while (len && r >= 0) {
        uint64_t vc = off >> s->cluster_bits;
        uint64_t in = off & (s->cluster_size - 1);
        size_t n = MIN((uint64_t)len, s->cluster_size - in);
        uint8_t *l2;
        r = l2_get(bs, vc >> s->l2_bits, &l2);
        if (r < 0) {
            break;
        }
        uint64_t e = l2 ? be64_get(l2 + (vc & (s->l2_entries - 1)) * 8) : 0;
        uint64_t host = e & QCOW2_OFFSET_MASK;
        bool plain = !(e & QCOW2_OFLAG_COMPRESSED) && host &&
                     !(s->version >= 3 && (e & QCOW2_OFLAG_ZERO)) &&
                     entry_offset_ok(s, host);
        if (plain && pend_len && pend_host + pend_len == host + in) {
            pend_len += n;
        } else {
            if (pend_len) {
                r = bdrv_pread(bs->file, pend_host, pend_buf, pend_len);
                pend_len = 0;
                if (r < 0) {
                    break;
                }
            }
            if (plain) {
                pend_host = host + in;
                pend_buf = buf;
                pend_len = n;
            } else {
                r = read_in_cluster(bs, e, off, buf, n);
            }
        }
        off += n;
        buf += n;
        len -= n;
    }
    if (r >= 0 && pend_len) {
        r = bdrv_pread(bs->file, pend_host, pend_buf, pend_len);
    }
    return r;
}

/* Whether an entry is a cluster the active image may write in place. */
static bool writable_in_place(const struct qcow2 *s, uint64_t e)
{
    uint64_t host = e & QCOW2_OFFSET_MASK;
    return (e & QCOW2_OFLAG_COPIED) && !(e & QCOW2_OFLAG_COMPRESSED) && host &&
           !(e & QCOW2_OFLAG_ZERO) && entry_offset_ok(s, host);
}

/* Write entries [first, first+n) of an L2 table at l2off back to disk. */
static int write_l2_entries(struct bdrv *bs, uint64_t l2off, uint8_t *l2,
                            uint64_t first, uint64_t n)
{
    return bdrv_pwrite(bs->file, l2off + first * 8, l2 + first * 8, n * 8);
}

#define MAX_ALLOC_RUN 256

static int qcow2_pwrite(struct bdrv *bs, uint64_t off, const void *vbuf,
                        size_t len)
{
    struct qcow2 *s = bs->opaque;
    const uint8_t *buf = vbuf;
    uint64_t cs = s->cluster_size;
    s->dbuf_entry = 0;
    while (len) {
        uint64_t vc = off >> s->cluster_bits;
        uint64_t l1i = vc >> s->l2_bits, idx = vc & (s->l2_entries - 1);
        uint8_t *l2;
        int r = l2_get_write(bs, l1i, &l2);
        if (r < 0) {
            return r;
        }
        uint64_t l2off = s->l1[l1i] & QCOW2_OFFSET_MASK;
        uint64_t e = be64_get(l2 + idx * 8);
        uint64_t in = off & (cs - 1);
        if (writable_in_place(s, e)) {
            /* A run of in-place clusters contiguous on the host. */
            uint64_t host = e & QCOW2_OFFSET_MASK;
            size_t n = MIN((uint64_t)len, cs - in);
            uint64_t j = idx + 1;
            while (n < len && j < s->l2_entries) {
                uint64_t e2 = be64_get(l2 + j * 8);
                if (!writable_in_place(s, e2) ||
                    (e2 & QCOW2_OFFSET_MASK) != host + (j - idx) * cs) {
                    break;
                }
                n += MIN((uint64_t)(len - n), cs);
                j++;
            }
            r = bdrv_pwrite(bs->file, host + in, buf, n);
            if (r < 0) {
                return r;
            }
            off += n;
            buf += n;
            len -= n;
            continue;
        }
        /* A run of clusters needing allocation, in this L2 table. */
        uint64_t k = 1;
        uint64_t span = in + len;   /* bytes from the first cluster start */
        while (k < MAX_ALLOC_RUN && idx + k < s->l2_entries && k * cs < span &&
               !writable_in_place(s, be64_get(l2 + (idx + k) * 8))) {
            k++;
        }
        uint64_t bytes = MIN((uint64_t)len, k * cs - in);
        uint64_t tail = (in + bytes) & (cs - 1);
        const uint8_t *src = buf;
        uint8_t *tmp = NULL;
        if (in || tail) {
            tmp = xmalloc(k * cs);
            uint64_t vstart = vc << s->cluster_bits;
            if (in) {
                r = read_in_cluster(bs, e, vstart, tmp, in);
            }
            if (r >= 0 && tail) {
                uint64_t le = be64_get(l2 + (idx + k - 1) * 8);
                uint64_t lstart = vstart + (k - 1) * cs;
                uint64_t lend = MIN(cs, s->size - lstart);
                if (lend > tail) {
                    r = read_in_cluster(bs, le, lstart + tail,
                                        tmp + (k - 1) * cs + tail, lend - tail);
                }
                if (lend < cs) {
                    memset(tmp + (k - 1) * cs + MAX(tail, lend), 0,
                           cs - MAX(tail, lend));
                }
            }
            if (r < 0) {
                free(tmp);
                return r;
            }
            memcpy(tmp + in, buf, bytes);
            src = tmp;
        }
        int64_t host = qcow2_alloc_clusters(bs, k);
        if (host < 0) {
            free(tmp);
            return host;
        }
        /* Allocation may have evicted the L2 table from the cache. */
        r = qcow2_cache_get(bs, s->l2c, l2off, false, &l2);
        if (r >= 0) {
            r = bdrv_pwrite(bs->file, host, src, (in || tail) ? k * cs : bytes);
        }
        free(tmp);
        if (r < 0) {
            return r;
        }
        uint64_t olds[MAX_ALLOC_RUN];
        for (uint64_t j = 0; j < k; j++) {
            olds[j] = be64_get(l2 + (idx + j) * 8);
            be64_put(l2 + (idx + j) * 8,
                     (host + j * cs) | QCOW2_OFLAG_COPIED);
        }
        r = write_l2_entries(bs, l2off, l2, idx, k);
        for (uint64_t j = 0; r >= 0 && j < k; j++) {
            r = qcow2_free_entry(bs, olds[j]);
        }
        if (r < 0) {
            return r;
        }
        off += bytes;
        buf += bytes;
        len -= bytes;
    }
    return 0;
}

/* Set whole clusters [off, off+len) to new_entry-kind (zero or
 * unallocated), freeing what they held. */
static int set_clusters(struct bdrv *bs, uint64_t off, uint64_t len,
                        uint64_t new_entry)
{
    struct qcow2 *s = bs->opaque;
    s->dbuf_entry = 0;
    while (len) {
        uint64_t vc = off >> s->cluster_bits;
        uint64_t l1i = vc >> s->l2_bits, idx = vc & (s->l2_entries - 1);
        uint64_t n = MIN(len >> s->cluster_bits, s->l2_entries - idx);
        uint8_t *l2;
        int r;
        if (!new_entry && !(s->l1[l1i] & QCOW2_OFFSET_MASK)) {
            /* Already unallocated. */
            off += n << s->cluster_bits;
            len -= n << s->cluster_bits;
            continue;
        }
        r = l2_get_write(bs, l1i, &l2);
        if (r < 0) {
            return r;
        }
        uint64_t l2off = s->l1[l1i] & QCOW2_OFFSET_MASK;
        uint64_t *olds = xmalloc(n * 8);
        for (uint64_t j = 0; j < n; j++) {
            olds[j] = be64_get(l2 + (idx + j) * 8);
            be64_put(l2 + (idx + j) * 8, new_entry);
        }
        r = write_l2_entries(bs, l2off, l2, idx, n);
        for (uint64_t j = 0; r >= 0 && j < n; j++) {
            r = qcow2_free_entry(bs, olds[j]);
        }
        free(olds);
        if (r < 0) {
            return r;
        }
        off += n << s->cluster_bits;
        len -= n << s->cluster_bits;
    }
    return 0;
}

static int zero_or_discard(struct bdrv *bs, uint64_t off, uint64_t len,
                           bool discard)
{
    struct qcow2 *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    uint64_t end = off + len;
    /* Whole clusters only; the last one may be partial at the image end.
     * Discard is advisory, so its partial clusters are left alone. */
    uint64_t astart = (off + cs - 1) & ~(cs - 1);
    uint64_t aend = end == s->size ? (end + cs - 1) & ~(cs - 1)
                                   : end & ~(cs - 1);
    if (astart >= aend) {
        return discard ? 0 : -ENOTSUP;
    }
    if (s->version < 3) {
        if (bs->backing) {
            /* v2 has no zero clusters: unallocating would show the backing
             * file, so zeroes must be written. */
            return discard ? 0 : -ENOTSUP;
        }
        return set_clusters(bs, astart, aend - astart, 0);
    }
    uint64_t ne = (discard && !bs->backing) ? 0 : QCOW2_OFLAG_ZERO;
    return set_clusters(bs, astart, aend - astart, ne);
}

static int qcow2_pwrite_zeroes(struct bdrv *bs, uint64_t off, uint64_t len,
                               bool may_unmap)
{
    struct qcow2 *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    if ((off & (cs - 1)) || ((off + len) & (cs - 1) && off + len != s->size)) {
        /* Partial clusters: plain writes of zeroes for those parts. */
        uint64_t astart = (off + cs - 1) & ~(cs - 1);
        uint64_t aend = (off + len == s->size) ? off + len
                                                : (off + len) & ~(cs - 1);
        if (astart >= aend) {
            return -ENOTSUP;
        }
        int r = 0;
        if (off < astart) {
            uint8_t *z = xzalloc(astart - off);
            r = qcow2_pwrite(bs, off, z, astart - off);
            free(z);
        }
        if (r >= 0 && aend < off + len) {
            uint8_t *z = xzalloc(off + len - aend);
            r = qcow2_pwrite(bs, aend, z, off + len - aend);
            free(z);
        }
        if (r < 0) {
            return r;
        }
        return zero_or_discard(bs, astart, aend - astart, false);
    }
    return zero_or_discard(bs, off, len, false);
}

static int qcow2_discard(struct bdrv *bs, uint64_t off, uint64_t len)
{
    return zero_or_discard(bs, off, len, true);
}

static int qcow2_block_status(struct bdrv *bs, uint64_t off, uint64_t len,
                              uint64_t *pnum, uint64_t *map)
{
    struct qcow2 *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    int st = -1;
    uint64_t done = 0, next_host = 0;
    while (done < len) {
        uint64_t vo = off + done;
        uint64_t vc = vo >> s->cluster_bits;
        uint64_t in = vo & (cs - 1);
        uint64_t n = MIN(len - done, cs - in);
        uint8_t *l2;
        int r = l2_get(bs, vc >> s->l2_bits, &l2);
        if (r < 0) {
            return r;
        }
        uint64_t e = l2 ? be64_get(l2 + (vc & (s->l2_entries - 1)) * 8) : 0;
        uint64_t host = e & QCOW2_OFFSET_MASK;
        int t;
        if (e & QCOW2_OFLAG_COMPRESSED) {
            t = BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_COMPRESSED;
        } else if (s->version >= 3 && (e & QCOW2_OFLAG_ZERO)) {
            t = BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
        } else if (host) {
            t = BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED | BDRV_BLOCK_OFFSET_VALID;
        } else {
            t = bs->backing ? 0 : BDRV_BLOCK_ZERO;
        }
        if (st < 0) {
            st = t;
            if (t & BDRV_BLOCK_OFFSET_VALID) {
                *map = host + in;
                next_host = host + in + n;
            }
        } else if (t != st || ((t & BDRV_BLOCK_OFFSET_VALID) &&
                               host + in != next_host)) {
            break;
        } else if (t & BDRV_BLOCK_OFFSET_VALID) {
            next_host += n;
        }
        done += n;
        if (done >= ((uint64_t)64 << 20)) {
            break;  /* bounded work per call */
        }
    }
    *pnum = done;
    return st < 0 ? 0 : st;
}

static int qcow2_pwrite_compressed(struct bdrv *bs, uint64_t off,
                                   const void *buf, size_t len)
{
    struct qcow2 *s = bs->opaque;
    uint64_t cs = s->cluster_size;
    if ((off & (cs - 1)) || len > cs) {
        return -EINVAL;
    }
    uint8_t *in = xzalloc(cs);
    memcpy(in, buf, len);
    uint8_t *out = xmalloc(cs);
    z_stream z = { 0 };
    int r = 0;
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        free(in);
        free(out);
        return -EIO;
    }
    z.next_in = in;
    z.avail_in = cs;
    z.next_out = out;
    z.avail_out = cs - 1;
    int zr = deflate(&z, Z_FINISH);
    uint64_t clen = cs - 1 - z.avail_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END) {
        /* Does not compress: store it plainly. */
        r = qcow2_pwrite(bs, off, in, MIN((uint64_t)cs, s->size - off));
        free(in);
        free(out);
        return r;
    }
    uint64_t vc = off >> s->cluster_bits;
    uint64_t l1i = vc >> s->l2_bits, idx = vc & (s->l2_entries - 1);
    uint8_t *l2;
    r = l2_get_write(bs, l1i, &l2);
    int64_t host = r < 0 ? r : qcow2_alloc_bytes(bs, clen);
    if (host < 0) {
        free(in);
        free(out);
        return host;
    }
    uint64_t l2off = s->l1[l1i] & QCOW2_OFFSET_MASK;
    r = bdrv_pwrite(bs->file, host, out, clen);
    free(in);
    free(out);
    if (r >= 0) {
        r = qcow2_cache_get(bs, s->l2c, l2off, false, &l2);
    }
    if (r < 0) {
        return r;
    }
    uint64_t nsec = ((host + clen - 1) >> 9) - (host >> 9);
    uint64_t old = be64_get(l2 + idx * 8);
    be64_put(l2 + idx * 8, QCOW2_OFLAG_COMPRESSED | host |
             nsec << s->csize_shift);
    r = write_l2_entries(bs, l2off, l2, idx, 1);
    s->dbuf_entry = 0;
    return r < 0 ? r : qcow2_free_entry(bs, old);
}

static int qcow2_flush(struct bdrv *bs)
{
    return 0;   /* metadata is written through; block.c flushes the file */
}

static int64_t qcow2_getlength(struct bdrv *bs)
{
    return ((struct qcow2 *)bs->opaque)->size;
}

static int64_t qcow2_allocated_size(struct bdrv *bs)
{
    return bs->file->drv->allocated_size ?
           bs->file->drv->allocated_size(bs->file) : -ENOTSUP;
}

static uint64_t l1_needed(const struct qcow2 *s, uint64_t size)
{
    uint64_t per = (uint64_t)s->cluster_size * s->l2_entries;
    return (size + per - 1) / per;
}

static int qcow2_truncate(struct bdrv *bs, uint64_t len, struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    if (len < s->size) {
        err_setf(errp, "qcow2 doesn't support shrinking images yet");
        return -ENOTSUP;
    }
    if (s->nb_snapshots) {
        err_setf(errp, "Can't resize an image which has snapshots");
        return -ENOTSUP;
    }
    uint64_t need = l1_needed(s, len);
    int r = 0;
    if (need * 8 > QCOW2_MAX_L1_BYTES) {
        err_setf(errp, "The image size is too large for this cluster size");
        return -EFBIG;
    }
    if (need > s->l1_size) {
        uint64_t bytes = need * 8;
        uint64_t nclus = (bytes + s->cluster_size - 1) >> s->cluster_bits;
        int64_t noff = qcow2_alloc_clusters(bs, nclus);
        if (noff < 0) {
            err_setf(errp, "Could not allocate the L1 table: %s",
                     strerror((int)-noff));
            return noff;
        }
        uint8_t *raw = xzalloc(nclus << s->cluster_bits);
        for (uint32_t i = 0; i < s->l1_size; i++) {
            be64_put(raw + i * 8, s->l1[i]);
        }
        r = bdrv_pwrite(bs->file, noff, raw, nclus << s->cluster_bits);
        free(raw);
        if (r >= 0) {
            r = bdrv_flush(bs->file);
        }
        uint8_t hdr[12];
        be32_put(hdr, need);
        be64_put(hdr + 4, noff);
        if (r >= 0) {
            r = qcow2_write_header_field(bs, 36, hdr, 12);
        }
        if (r < 0) {
            err_setf(errp, "Could not write the L1 table: %s", strerror(-r));
            return r;
        }
        uint64_t old_off = s->l1_offset, old_size = s->l1_size;
        s->l1 = xrealloc(s->l1, need * 8);
        memset(s->l1 + s->l1_size, 0, (need - s->l1_size) * 8);
        s->l1_size = need;
        s->l1_offset = noff;
        if (old_off && old_size) {
            qcow2_update_range(bs, old_off, old_size * 8, -1);
        }
    }
    uint8_t sz[8];
    be64_put(sz, len);
    r = qcow2_write_header_field(bs, 24, sz, 8);
    if (r < 0) {
        err_setf(errp, "Could not update the image size: %s", strerror(-r));
        return r;
    }
    s->size = len;
    return 0;
}

/* ---- open ---- */

static int read_snapshots(struct bdrv *bs, struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    if (!s->nb_snapshots) {
        return 0;
    }
    if (s->nb_snapshots > QCOW2_MAX_SNAPSHOTS ||
        !entry_offset_ok(s, s->snapshots_offset)) {
        err_setf(errp, "Snapshot table is invalid");
        return -1;
    }
    s->snaps = xzalloc(s->nb_snapshots * sizeof(*s->snaps));
    uint64_t off = s->snapshots_offset;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        uint8_t h[40];
        if (bdrv_pread(bs->file, off, h, 40) < 0) {
            err_setf(errp, "Could not read the snapshot table");
            return -1;
        }
        struct qcow2_snap *sn = &s->snaps[i];
        sn->l1_offset = be64_get(h);
        sn->l1_size = be32_get(h + 8);
        uint16_t id_len = be16_get(h + 12), name_len = be16_get(h + 14);
        sn->date_sec = be32_get(h + 16);
        sn->date_nsec = be32_get(h + 20);
        sn->vm_clock_nsec = be64_get(h + 24);
        sn->vm_state_size = be32_get(h + 32);
        uint32_t extra = be32_get(h + 36);
        if (extra > 1024 || sn->l1_size * 8ULL > QCOW2_MAX_L1_BYTES) {
            err_setf(errp, "Snapshot table entry %u is invalid", i);
            return -1;
        }
        off += 40;
        uint8_t ex[1024];
        if (extra && bdrv_pread(bs->file, off, ex, extra) < 0) {
            err_setf(errp, "Could not read the snapshot table");
            return -1;
        }
        if (extra >= 8) {
            sn->vm_state_size = be64_get(ex);
        }
        sn->disk_size = extra >= 16 ? be64_get(ex + 8) : s->size;
        sn->icount = extra >= 24 ? be64_get(ex + 16) : UINT64_MAX;
        off += extra;
        sn->id = xzalloc(id_len + 1);
        sn->name = xzalloc(name_len + 1);
        if (bdrv_pread(bs->file, off, sn->id, id_len) < 0 ||
            bdrv_pread(bs->file, off + id_len, sn->name, name_len) < 0) {
            err_setf(errp, "Could not read the snapshot table");
            return -1;
        }
        off += id_len + name_len;
        off = (off + 7) & ~7ULL;
    }
    s->snapshots_size = off - s->snapshots_offset;
    return 0;
}

static int read_extensions(struct bdrv *bs, const uint8_t *c0, uint64_t end,
                           struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    uint64_t off = s->header_length;
    while (off + 8 <= end) {
        uint32_t type = be32_get(c0 + off), len = be32_get(c0 + off + 4);
        off += 8;
        if (type == 0) {
            break;
        }
        if (len > end - off) {
            err_setf(errp, "Header extension too large");
            return -1;
        }
        if (type == QCOW2_EXT_BACKING_FORMAT) {
            free(bs->backing_fmt);
            bs->backing_fmt = xstrndup((const char *)c0 + off, MIN(len, 16u));
        }
        off += (len + 7) & ~7u;
    }
    return 0;
}

static void qcow2_free_state(struct qcow2 *s)
{
    for (int i = 0; i < QCOW2_CACHE_SIZE; i++) {
        free(s->l2c[i].data);
        free(s->rbc[i].data);
    }
    for (uint32_t i = 0; s->snaps && i < s->nb_snapshots; i++) {
        free(s->snaps[i].id);
        free(s->snaps[i].name);
    }
    free(s->snaps);
    free(s->l1);
    free(s->rt);
    free(s->cbuf);
    free(s->dbuf);
    free(s);
}

static int open_backing(struct bdrv *bs, struct kvlist *kv, int flags,
                        struct err **errp)
{
    const char *override = kv_get(kv, "backing");
    if ((flags & BDRV_O_NO_BACKING) || !bs->backing_file ||
        (override && (!*override || !strcmp(override, "null")))) {
        return 0;
    }
    struct kvlist *bkv = kvlist_new();
    for (int i = 0; i < kv->n; i++) {
        if (!strncmp(kv->v[i].key, "backing.", 8)) {
            kv_set(bkv, kv->v[i].key + 8, kv->v[i].val ? kv->v[i].val : "on");
            kv->v[i].used = true;
        }
    }
    char *path;
    const char *bf = bs->backing_file;
    if (bf[0] == '/' || !strncmp(bf, "json:", 5) || strstr(bf, "://") ||
        bdrv_find_protocol(bf)) {
        path = xstrdup(bf);
    } else {
        char *dup = xstrdup(bs->filename);
        const char *d = dirname(dup);
        path = strcmp(d, ".") ? xasprintf("%s/%s", d, bf) : xstrdup(bf);
        free(dup);
    }
    if (!kv_has(bkv, "file") && !kv_has(bkv, "file.filename")) {
        kv_set(bkv, "file", path);
    }
    if (!kv_has(bkv, "driver") && bs->backing_fmt) {
        kv_set(bkv, "driver", bs->backing_fmt);
    }
    int bflags = (flags & ~BDRV_O_RDWR) | BDRV_O_NO_PROBE_WARN;
    struct err *e = NULL;
    bs->backing = bdrv_open_opts(bkv, bflags, &e);
    kvlist_free(bkv);
    if (!bs->backing) {
        err_setf(errp, "Could not open backing file: %s", e ? e->msg : path);
        err_free(e);
        free(path);
        return -1;
    }
    free(path);
    return 0;
}

static int qcow2_open(struct bdrv *bs, struct kvlist *kv, int flags,
                      struct err **errp)
{
    uint8_t h[112] = { 0 };
    if (bdrv_pread(bs->file, 0, h, sizeof(h)) < 0) {
        err_setf(errp, "Could not read qcow2 header");
        return -1;
    }
    if (be32_get(h) != QCOW2_MAGIC) {
        err_setf(errp, "Image is not in qcow2 format");
        return -1;
    }
    struct qcow2 *s = xzalloc(sizeof(*s));
    bs->opaque = s;
    uint8_t *c0 = NULL;
    s->version = be32_get(h + 4);
    if (s->version != 2 && s->version != 3) {
        err_setf(errp, "Unsupported qcow2 version %u", s->version);
        goto fail;
    }
    uint64_t bf_off = be64_get(h + 8);
    uint32_t bf_size = be32_get(h + 16);
    s->cluster_bits = be32_get(h + 20);
    s->size = be64_get(h + 24);
    uint32_t crypt = be32_get(h + 32);
    s->l1_size = be32_get(h + 36);
    s->l1_offset = be64_get(h + 40);
    s->rt_offset = be64_get(h + 48);
    s->rt_clusters = be32_get(h + 56);
    s->nb_snapshots = be32_get(h + 60);
    s->snapshots_offset = be64_get(h + 64);
    if (s->version == 2) {
        s->refcount_order = 4;
        s->header_length = 72;
    } else {
        s->incompat = be64_get(h + 72);
        s->compat = be64_get(h + 80);
        s->autoclear = be64_get(h + 88);
        s->refcount_order = be32_get(h + 96);
        s->header_length = be32_get(h + 100);
    }
    if (s->cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
        s->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        err_setf(errp, "Unsupported cluster size: 2^%u", s->cluster_bits);
        goto fail;
    }
    s->cluster_size = 1u << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    s->l2_entries = 1u << s->l2_bits;
    if (s->version == 3 && (s->header_length < 104 ||
                            s->header_length > s->cluster_size ||
                            (s->header_length & 7))) {
        err_setf(errp, "qcow2 header length is invalid");
        goto fail;
    }
    if (s->refcount_order > 6) {
        err_setf(errp, "Reference count entry width too large; may not "
                 "exceed 64 bits");
        goto fail;
    }
    if (crypt) {
        err_setf(errp, "Encrypted qcow2 images are not supported");
        goto fail;
    }
    uint64_t known = QCOW2_INCOMPAT_DIRTY | QCOW2_INCOMPAT_CORRUPT |
                     QCOW2_INCOMPAT_COMPRESSION;
    if (s->incompat & ~known) {
        err_setf(errp, "Unsupported qcow2 feature(s): 0x%" PRIx64,
                 s->incompat & ~known);
        goto fail;
    }
    if (s->incompat & QCOW2_INCOMPAT_COMPRESSION) {
        if (s->header_length < 105 || h[104] != 0) {
            err_setf(errp, "Unsupported compression type (only zlib)");
            goto fail;
        }
    }
    if ((s->incompat & QCOW2_INCOMPAT_CORRUPT) && (flags & BDRV_O_RDWR)) {
        err_setf(errp, "qcow2: Image is corrupt; cannot be opened read/write");
        goto fail;
    }
    if ((s->incompat & QCOW2_INCOMPAT_DIRTY) && (flags & BDRV_O_RDWR)) {
        err_setf(errp, "qcow2: Image is dirty (lazy refcounts); repair it "
                 "with 'hemu-img check -r all' first");
        goto fail;
    }
    if (s->size > (1ULL << 56)) {
        err_setf(errp, "Image size is too large");
        goto fail;
    }
    if (!entry_offset_ok(s, s->l1_offset) || !entry_offset_ok(s, s->rt_offset)
        || !s->rt_offset) {
        err_setf(errp, "Image metadata offsets are invalid");
        goto fail;
    }
    if ((uint64_t)s->l1_size * 8 > QCOW2_MAX_L1_BYTES ||
        s->l1_size < l1_needed(s, s->size)) {
        err_setf(errp, "L1 table is too small or too large");
        goto fail;
    }
    if (!s->rt_clusters ||
        ((uint64_t)s->rt_clusters << s->cluster_bits) > QCOW2_MAX_RT_BYTES) {
        err_setf(errp, "Reference count table is invalid");
        goto fail;
    }
    s->rb_entries = (s->cluster_size * 8) >> s->refcount_order;
    s->csize_shift = 62 - (s->cluster_bits - 8);
    s->csize_mask = (1ULL << (s->cluster_bits - 8)) - 1;
    s->coffset_mask = (1ULL << s->csize_shift) - 1;

    /* Cluster 0: header extensions and the backing file name. */
    c0 = xzalloc(s->cluster_size);
    if (bdrv_pread(bs->file, 0, c0, s->cluster_size) < 0) {
        err_setf(errp, "Could not read qcow2 header");
        goto fail;
    }
    uint64_t ext_end = s->cluster_size;
    if (bf_off) {
        if (bf_size > 1023 || bf_off > s->cluster_size ||
            bf_size > s->cluster_size - bf_off) {
            err_setf(errp, "Backing file name too long");
            goto fail;
        }
        ext_end = bf_off;
        bs->backing_file = xstrndup((const char *)c0 + bf_off, bf_size);
    }
    /* Version 2 images carry extensions too (the backing format). */
    if (read_extensions(bs, c0, ext_end, errp) < 0) {
        goto fail;
    }
    free(c0);
    c0 = NULL;

    s->l1 = xzalloc(MAX(s->l1_size, 1u) * 8);
    if (s->l1_size) {
        uint8_t *raw = xmalloc(s->l1_size * 8);
        int r = bdrv_pread(bs->file, s->l1_offset, raw, s->l1_size * 8);
        for (uint32_t i = 0; i < s->l1_size; i++) {
            s->l1[i] = be64_get(raw + i * 8);
        }
        free(raw);
        if (r < 0) {
            err_setf(errp, "Could not read the L1 table");
            goto fail;
        }
    }
    if (qcow2_rt_load(bs) < 0) {
        err_setf(errp, "Could not read the refcount table");
        goto fail;
    }
    if (read_snapshots(bs, errp) < 0) {
        goto fail;
    }
    s->cbuf = xmalloc(2 * s->cluster_size + 512);
    s->dbuf = xmalloc(s->cluster_size);
    bs->total_size = s->size;
    if ((flags & BDRV_O_RDWR) && s->version == 3 && s->autoclear) {
        /* Features we do not maintain (bitmaps) become invalid. */
        uint8_t z[8] = { 0 };
        if (qcow2_write_header_field(bs, 88, z, 8) < 0) {
            err_setf(errp, "Could not update the qcow2 header");
            goto fail;
        }
        s->autoclear = 0;
    }
    if (open_backing(bs, kv, flags, errp) < 0) {
        goto fail;
    }
    return 0;
fail:
    free(c0);
    qcow2_free_state(s);
    bs->opaque = NULL;
    return -1;
}

/* Becoming writable: what a read-write open refuses or does. */
static int qcow2_reopen(struct bdrv *bs, int flags, struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    if (!(flags & BDRV_O_RDWR)) {
        return 0;
    }
    if (s->incompat & (QCOW2_INCOMPAT_CORRUPT | QCOW2_INCOMPAT_DIRTY)) {
        err_setf(errp, "qcow2: Image is corrupt or dirty; cannot be opened "
                 "read/write");
        return -1;
    }
    if (s->version == 3 && s->autoclear) {
        uint8_t z[8] = { 0 };
        if (qcow2_write_header_field(bs, 88, z, 8) < 0) {
            err_setf(errp, "Could not update the qcow2 header");
            return -1;
        }
        s->autoclear = 0;
    }
    return 0;
}

static void qcow2_close(struct bdrv *bs)
{
    if (bs->opaque) {
        qcow2_free_state(bs->opaque);
    }
}

static uint32_t qcow2_cluster_size(struct bdrv *bs)
{
    return ((struct qcow2 *)bs->opaque)->cluster_size;
}

static bool qcow2_is_dirty(struct bdrv *bs)
{
    return ((struct qcow2 *)bs->opaque)->incompat & QCOW2_INCOMPAT_DIRTY;
}

static void qcow2_info_specific(struct bdrv *bs, FILE *f, void *jv)
{
    struct qcow2 *s = bs->opaque;
    struct json_object *j = jv;
    bool v3 = s->version >= 3;
    bool lazy = s->compat & QCOW2_COMPAT_LAZY_REFCOUNTS;
    bool corrupt = s->incompat & QCOW2_INCOMPAT_CORRUPT;
    if (f) {
        fprintf(f, "    compat: %s\n", v3 ? "1.1" : "0.10");
        fprintf(f, "    compression type: zlib\n");
        if (v3) {
            fprintf(f, "    lazy refcounts: %s\n", lazy ? "true" : "false");
        }
        fprintf(f, "    refcount bits: %u\n", 1u << s->refcount_order);
        if (v3) {
            fprintf(f, "    corrupt: %s\n", corrupt ? "true" : "false");
            fprintf(f, "    extended l2: false\n");
        }
    }
    if (j) {
        json_object_object_add(j, "compat",
                               json_object_new_string(v3 ? "1.1" : "0.10"));
        json_object_object_add(j, "compression-type",
                               json_object_new_string("zlib"));
        if (v3) {
            json_object_object_add(j, "lazy-refcounts",
                                   json_object_new_boolean(lazy));
        }
        json_object_object_add(j, "refcount-bits",
                               json_object_new_int(1 << s->refcount_order));
        if (v3) {
            json_object_object_add(j, "corrupt",
                                   json_object_new_boolean(corrupt));
            json_object_object_add(j, "extended-l2",
                                   json_object_new_boolean(false));
        }
    }
}

static int qcow2_snapshot_list(struct bdrv *bs, struct bdrv_snapshot **list)
{
    struct qcow2 *s = bs->opaque;
    *list = xzalloc(MAX(s->nb_snapshots, 1u) * sizeof(**list));
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        struct bdrv_snapshot *d = &(*list)[i];
        d->id = xstrdup(s->snaps[i].id);
        d->name = xstrdup(s->snaps[i].name);
        d->vm_state_size = s->snaps[i].vm_state_size;
        d->date_sec = s->snaps[i].date_sec;
        d->date_nsec = s->snaps[i].date_nsec;
        d->vm_clock_nsec = s->snaps[i].vm_clock_nsec;
        d->icount = s->snaps[i].icount;
        d->icount_valid = s->snaps[i].icount != UINT64_MAX;
    }
    return s->nb_snapshots;
}

/* ---- create ---- */

/* The create options qcow2_create and qcow2_measure both check, with
 * qemu-img's messages; on success the defaults are filled in. */
int qcow2_check_create_opts(const struct bdrv_create_opts *o, uint32_t *csp,
                            int *compatp, int *rbitsp, struct err **errp)
{
    uint32_t cs = o->cluster_size ? o->cluster_size : 65536;
    if (cs < 512 || cs > (2u << 20) || (cs & (cs - 1))) {
        err_setf(errp, "Cluster size must be a power of two between 512 and "
                 "2048k");
        return -1;
    }
    if (o->extended_l2 && cs < 16384) {
        err_setf(errp, "Extended L2 entries are only supported with cluster "
                 "sizes of at least 16384 bytes");
        return -1;
    }
    int compat = o->compat ? o->compat : 3;
    int rbits = o->refcount_bits ? o->refcount_bits : 16;
    if (rbits > 64 || (rbits & (rbits - 1))) {
        err_setf(errp, "Refcount width must be a power of two and may not "
                 "exceed 64 bits");
        return -1;
    }
    if (compat < 3 && rbits != 16) {
        err_setf(errp, "Different refcount widths than 16 bits require "
                 "compatibility level 1.1 or above (use compat=1.1 or "
                 "greater)");
        return -1;
    }
    *csp = cs;
    *compatp = compat;
    *rbitsp = rbits;
    return 0;
}

static int qcow2_create(const char *filename, const struct bdrv_create_opts *o,
                        struct err **errp)
{
    uint32_t cs;
    int compat, rbits;
    if (qcow2_check_create_opts(o, &cs, &compat, &rbits, errp) < 0) {
        return -1;
    }
    if (o->lazy_refcounts && compat < 3) {
        err_setf(errp, "Lazy refcounts only supported with compatibility "
                 "level 1.1 and above (use compat=1.1 or greater)");
        return -1;
    }
    const char *pre = o->preallocation ? o->preallocation : "off";
    if (strcmp(pre, "off") && strcmp(pre, "metadata") &&
        strcmp(pre, "falloc") && strcmp(pre, "full")) {
        err_setf(errp, "Unsupported preallocation mode '%s'", pre);
        return -1;
    }
    if (o->backing_file && strcmp(pre, "off")) {
        err_setf(errp, "Backing file and preallocation can only be used at "
                 "the same time if extended_l2 is on");
        return -1;
    }
    size_t bflen = o->backing_file ? strlen(o->backing_file) : 0;
    if (bflen > 1023) {
        err_setf(errp, "Backing file name too long");
        return -1;
    }
    unsigned order = __builtin_ctz(rbits);
    uint8_t *img = xzalloc(3 * (size_t)cs);
    uint8_t *hd = img;
    be32_put(hd, QCOW2_MAGIC);
    be32_put(hd + 4, compat >= 3 ? 3 : 2);
    be32_put(hd + 20, __builtin_ctz(cs));
    be64_put(hd + 48, cs);          /* refcount table at cluster 1 */
    be32_put(hd + 56, 1);
    uint32_t hlen = 72;
    if (compat >= 3) {
        hlen = 112;
        /* Lazy refcounts allow deferring refcount updates; this driver
         * never defers them, so only the bit is set. */
        be64_put(hd + 80, o->lazy_refcounts ? QCOW2_COMPAT_LAZY_REFCOUNTS : 0);
        be32_put(hd + 96, order);
        be32_put(hd + 100, hlen);
    }
    uint32_t off = hlen;
    if (o->backing_fmt && compat >= 3) {
        size_t fl = strlen(o->backing_fmt);
        be32_put(hd + off, QCOW2_EXT_BACKING_FORMAT);
        be32_put(hd + off + 4, fl);
        memcpy(hd + off + 8, o->backing_fmt, fl);
        off += 8 + ((fl + 7) & ~7u);
    } else if (o->backing_fmt) {
        /* Version 2 headers carry extensions too. */
        size_t fl = strlen(o->backing_fmt);
        be32_put(hd + off, QCOW2_EXT_BACKING_FORMAT);
        be32_put(hd + off + 4, fl);
        memcpy(hd + off + 8, o->backing_fmt, fl);
        off += 8 + ((fl + 7) & ~7u);
    }
    off += 8;   /* end-of-extensions marker (zeroes) */
    if (bflen) {
        if (off + bflen > cs) {
            free(img);
            err_setf(errp, "Backing file name too long for this cluster size");
            return -1;
        }
        be64_put(hd + 8, off);
        be32_put(hd + 16, bflen);
        memcpy(hd + off, o->backing_file, bflen);
    }
    /* Refcount table: one block at cluster 2 counting clusters 0-2. */
    be64_put(img + cs, 2ULL * cs);
    struct qcow2 tmp = { .refcount_order = order };
    for (int i = 0; i < 3; i++) {
        qcow2_rb_set(&tmp, img + 2 * cs, i, 1);
    }
    struct bdrv_create_opts fo = { .size = 0 };
    const struct bdrv_ops *proto = bdrv_create_protocol(filename);
    if (proto->create(filename, &fo, errp) < 0) {
        free(img);
        return -1;
    }
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "driver", proto->name);
    kv_set(kv, "filename", filename);
    struct bdrv *f = bdrv_open_opts(kv, BDRV_O_RDWR, errp);
    kvlist_free(kv);
    if (!f) {
        free(img);
        return -1;
    }
    int r = bdrv_pwrite(f, 0, img, 3 * (size_t)cs);
    free(img);
    bdrv_close(f);
    if (r < 0) {
        err_setf(errp, "Could not write qcow2 header: %s", strerror(-r));
        return -1;
    }
    struct bdrv *bs = bdrv_open(filename, "qcow2", NULL,
                                BDRV_O_RDWR | BDRV_O_NO_BACKING, errp);
    if (!bs) {
        return -1;
    }
    r = bdrv_truncate(bs, o->size, errp);
    if (r >= 0 && strcmp(pre, "off")) {
        /* Every cluster gets an L2 entry pointing at host space. */
        struct qcow2 *s = bs->opaque;
        uint64_t total = (o->size + s->cluster_size - 1) >> s->cluster_bits;
        for (uint64_t vc = 0; vc < total && r >= 0;) {
            uint64_t l1i = vc >> s->l2_bits, idx = vc & (s->l2_entries - 1);
            uint64_t n = MIN(total - vc, s->l2_entries - idx);
            uint8_t *l2;
            r = l2_get_write(bs, l1i, &l2);
            int64_t host = r < 0 ? r : qcow2_alloc_clusters(bs, n);
            if (host < 0) {
                r = host;
                break;
            }
            uint64_t l2off = s->l1[l1i] & QCOW2_OFFSET_MASK;
            r = qcow2_cache_get(bs, s->l2c, l2off, false, &l2);
            for (uint64_t j = 0; r >= 0 && j < n; j++) {
                be64_put(l2 + (idx + j) * 8,
                         (host + (j << s->cluster_bits)) | QCOW2_OFLAG_COPIED);
            }
            if (r >= 0) {
                r = write_l2_entries(bs, l2off, l2, idx, n);
            }
            uint64_t end = host + (n << s->cluster_bits);
            if (r >= 0 && (uint64_t)bdrv_getlength(bs->file) < end) {
                if (!strcmp(pre, "metadata")) {
                    r = bdrv_truncate(bs->file, end, errp);
                } else {
                    r = bdrv_pwrite_zeroes(bs->file, host, end - host, false);
                }
            }
            vc += n;
        }
        if (r < 0) {
            err_setf(errp, "Could not preallocate: %s", strerror(-r));
        }
    }
    if (r >= 0) {
        r = bdrv_flush(bs);
    }
    bdrv_close(bs);
    return r < 0 ? -1 : 0;
}

const struct bdrv_ops bdrv_qcow2_ops = {
    .name = "qcow2",
    .probe = probe,
    .open = qcow2_open,
    .close = qcow2_close,
    .reopen = qcow2_reopen,
    .pread = qcow2_pread,
    .pwrite = qcow2_pwrite,
    .pwrite_zeroes = qcow2_pwrite_zeroes,
    .discard = qcow2_discard,
    .flush = qcow2_flush,
    .getlength = qcow2_getlength,
    .allocated_size = qcow2_allocated_size,
    .truncate = qcow2_truncate,
    .block_status = qcow2_block_status,
    .create = qcow2_create,
    .check = qcow2_check,
    .pwrite_compressed = qcow2_pwrite_compressed,
    .cluster_size = qcow2_cluster_size,
    .info_specific = qcow2_info_specific,
    .snapshot_list = qcow2_snapshot_list,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_apply = qcow2_snapshot_apply,
    .snapshot_delete = qcow2_snapshot_delete,
    .set_backing = qcow2_set_backing,
    .measure = qcow2_measure,
    .amend = qcow2_amend,
    .is_dirty = qcow2_is_dirty,
};
