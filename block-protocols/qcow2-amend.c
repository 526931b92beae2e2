/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-amend.c - change a qcow2 image's options in place (hemu-img
 * amend -o, as qemu-img amend accepts them): compat=0.10|1.1 (version 2
 * or 3 header), lazy_refcounts, size; backing_file/backing_fmt only when
 * they name what the image already names (qemu-img points to rebase).
 * Reference: docs/interop/qcow2.txt: version 2 has a 72-byte header, no
 * feature bits and no zero flag in L2 entries (bit 0), so a downgrade
 * first turns zero clusters into real zeroes; version 3 snapshot entries
 * carry at least 16 bytes of extra data.
 *
 * This driver always updates refcounts at once, so lazy_refcounts=on
 * only sets the compatible bit that allows other writers (QEMU) to defer
 * them; the dirty bit is never set here.
 */
#include "emu/osdep.h"

#include "block-protocols/qcow2.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define QCOW2_EXT_BITMAPS 0x23852875u

/* Rebuild cluster 0 with a header of another version: version 3 gets the
 * 112-byte header hemu and QEMU create; version 2 loses the extensions
 * that only version 3 defines. */
static int rewrite_header(struct bdrv *bs, uint32_t version, uint64_t compat,
                          struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    uint32_t cs = s->cluster_size;
    uint8_t *c0 = xzalloc(cs), *n = xzalloc(cs);
    int r = bdrv_pread(bs->file, 0, c0, cs);
    if (r < 0) {
        goto io_err;
    }
    uint64_t bf_off = be64_get(c0 + 8);
    uint32_t bf_len = be32_get(c0 + 16);
    uint64_t ext_end = bf_off ? bf_off : cs;
    if (s->header_length > cs || ext_end > cs || bf_len > cs - ext_end) {
        err_setf(errp, "Image header is invalid");
        goto fail;
    }
    uint32_t hlen = version >= 3 ? 112 : 72;
    memcpy(n, c0, 72);
    be32_put(n + 4, version);
    if (version >= 3) {
        be64_put(n + 72, s->incompat & ~QCOW2_INCOMPAT_COMPRESSION);
        be64_put(n + 80, compat);
        be64_put(n + 88, 0);
        be32_put(n + 96, s->refcount_order);
        be32_put(n + 100, hlen);
    }
    uint64_t in = s->header_length, out = hlen;
    while (in + 8 <= ext_end) {
        uint32_t type = be32_get(c0 + in), len = be32_get(c0 + in + 4);
        if (type == 0) {
            break;
        }
        uint64_t padded = ((uint64_t)len + 7) & ~7ULL;
        if (padded > ext_end - in - 8 || out + 8 + padded > cs) {
            err_setf(errp, "Image header extensions are invalid");
            goto fail;
        }
        bool keep = version >= 3 || (type != QCOW2_EXT_FEATURE_TABLE &&
                                     type != QCOW2_EXT_BITMAPS);
        if (keep) {
            memcpy(n + out, c0 + in, 8 + padded);
            out += 8 + padded;
        }
        in += 8 + padded;
    }
    out += 8;   /* end of the extensions */
    if (out + bf_len > cs) {
        err_setf(errp, "The backing file name does not fit in the header");
        goto fail;
    }
    if (bf_len) {
        memcpy(n + out, c0 + bf_off, bf_len);
        be64_put(n + 8, out);
    }
    r = bdrv_pwrite(bs->file, 0, n, cs);
    if (r >= 0) {
        r = bdrv_flush(bs->file);
    }
    if (r < 0) {
        goto io_err;
    }
    s->version = version;
    s->header_length = hlen;
    s->compat = version >= 3 ? compat : 0;
    s->autoclear = 0;
    if (version < 3) {
        s->incompat = 0;
    } else {
        s->incompat &= ~QCOW2_INCOMPAT_COMPRESSION;
    }
    free(c0);
    free(n);
    return 0;
io_err:
    err_setf(errp, "Could not write the image header: %s", strerror(-r));
fail:
    free(c0);
    free(n);
    return -1;
}

/* Turn the zero flags of one L2 table into what version 2 can say:
 * preallocated zero clusters are zeroed on disk, unallocated ones read as
 * zero anyway without a backing file and get a zeroed cluster with one.
 * A new cluster is reached through every L1 table that reaches this L2
 * table, so it starts with the table's refcount. */
static int expand_l2(struct bdrv *bs, uint64_t l2off)
{
    struct qcow2 *s = bs->opaque;
    uint64_t l2rc;
    int r = qcow2_get_refcount(bs, l2off >> s->cluster_bits, &l2rc);
    if (r < 0) {
        return r;
    }
    if (!l2rc) {
        return -EIO;
    }
    for (uint32_t j = 0; j < s->l2_entries; j++) {
        uint8_t *l2;
        r = qcow2_cache_get(bs, s->l2c, l2off, false, &l2);
        if (r < 0) {
            return r;
        }
        uint64_t e = be64_get(l2 + j * 8);
        if ((e & QCOW2_OFLAG_COMPRESSED) || !(e & QCOW2_OFLAG_ZERO)) {
            continue;
        }
        uint64_t host = e & QCOW2_OFFSET_MASK, ne;
        if (host) {
            r = bdrv_pwrite_zeroes(bs->file, host, s->cluster_size, false);
            ne = e & ~QCOW2_OFLAG_ZERO;
        } else if (!bs->backing_file) {
            ne = 0;
        } else {
            int64_t c = qcow2_alloc_clusters(bs, 1);
            if (c < 0) {
                return c;
            }
            r = bdrv_pwrite_zeroes(bs->file, c, s->cluster_size, false);
            if (r >= 0 && l2rc > 1) {
                r = qcow2_update_refcount(bs, c >> s->cluster_bits,
                                          (int)(l2rc - 1));
            }
            ne = c | (l2rc == 1 ? QCOW2_OFLAG_COPIED : 0);
        }
        if (r < 0) {
            return r;
        }
        /* The data is on disk before the entry points to it. */
        r = bdrv_flush(bs->file);
        if (r < 0) {
            return r;
        }
        r = qcow2_cache_get(bs, s->l2c, l2off, false, &l2);
        if (r < 0) {
            return r;
        }
        be64_put(l2 + j * 8, ne);
        r = bdrv_pwrite(bs->file, l2off + j * 8ULL, l2 + j * 8, 8);
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

static bool seen(const uint64_t *v, size_t n, uint64_t x)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == x) {
            return true;
        }
    }
    return false;
}

/* Every L2 table of the active image and of the snapshots, once. */
static int expand_zero_clusters(struct bdrv *bs)
{
    struct qcow2 *s = bs->opaque;
    uint64_t *done = NULL;
    size_t nd = 0, cap = 0;
    int r = 0;
    for (int64_t t = -1; t < (int64_t)s->nb_snapshots && r >= 0; t++) {
        uint32_t n = t < 0 ? s->l1_size : s->snaps[t].l1_size;
        uint64_t *l1 = s->l1;
        if (t >= 0) {
            uint8_t *raw = xmalloc(MAX(n, 1u) * 8ULL);
            l1 = xmalloc(MAX(n, 1u) * 8ULL);
            r = bdrv_pread(bs->file, s->snaps[t].l1_offset, raw, n * 8ULL);
            for (uint32_t i = 0; i < n; i++) {
                l1[i] = be64_get(raw + i * 8);
            }
            free(raw);
        }
        for (uint32_t i = 0; i < n && r >= 0; i++) {
            uint64_t off = l1[i] & QCOW2_OFFSET_MASK;
            if (!off || seen(done, nd, off)) {
                continue;
            }
            if (off & (s->cluster_size - 1)) {
                r = -EIO;
                break;
            }
            if (nd == cap) {
                cap = cap ? cap * 2 : 64;
                done = xrealloc(done, cap * sizeof(*done));
            }
            done[nd++] = off;
            r = expand_l2(bs, off);
        }
        if (t >= 0) {
            free(l1);
        }
    }
    free(done);
    if (r >= 0) {
        r = bdrv_flush(bs->file);
    }
    return r;
}

static int parse_compat(const char *v, struct err **errp)
{
    if (!strcmp(v, "0.10") || !strcmp(v, "v2")) {
        return 2;
    }
    if (!strcmp(v, "1.1") || !strcmp(v, "v3")) {
        return 3;
    }
    err_setf(errp, "Unknown compatibility level %s", v);
    return -1;
}

static bool str_differs(const char *a, const char *b)
{
    return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

int qcow2_amend(struct bdrv *bs, struct kvlist *kv, struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    static const char *const create_only[] = {
        "cluster_size", "preallocation", "compression_type", "extended_l2",
        "encryption", "encrypt.format", "encrypt.key-secret",
        "encrypt.cipher-alg", "encrypt.cipher-mode", "encrypt.ivgen-alg",
        "encrypt.ivgen-hash-alg", "encrypt.hash-alg",
    };
    static const char *const unsupported[] = {
        "data_file", "data_file_raw", "encrypt.iter-time", "encrypt.keyslot",
        "encrypt.new-secret", "encrypt.old-secret", "encrypt.state",
    };
    for (int i = 0; i < kv->n; i++) {
        for (size_t j = 0; j < ARRAY_SIZE(create_only); j++) {
            if (!strcmp(kv->v[i].key, create_only[j])) {
                err_setf(errp, "Invalid parameter '%s'\nThis option is only "
                         "supported for image creation", kv->v[i].key);
                return -1;
            }
        }
        for (size_t j = 0; j < ARRAY_SIZE(unsupported); j++) {
            if (!strcmp(kv->v[i].key, unsupported[j])) {
                err_setf(errp, "%s: not supported", kv->v[i].key);
                return -1;
            }
        }
    }
    struct err *e = NULL;
    int version = s->version;
    const char *cv = kv_str(kv, "compat", NULL);
    if (cv && (version = parse_compat(cv, errp)) < 0) {
        return -1;
    }
    bool has_lazy = kv_has(kv, "lazy_refcounts");
    bool lazy = kv_bool(kv, "lazy_refcounts", false, &e);
    bool has_rbits = kv_has(kv, "refcount_bits");
    uint64_t rbits = kv_uint(kv, "refcount_bits", 16, &e);
    bool has_size = kv_has(kv, "size");
    uint64_t size = kv_size(kv, "size", 0, &e);
    bool has_bf = kv_has(kv, "backing_file"), has_bfmt = kv_has(kv, "backing_fmt");
    const char *bf = kv_str(kv, "backing_file", NULL);
    const char *bfmt = kv_str(kv, "backing_fmt", NULL);
    if (e || kv_check_used(kv, &e) < 0) {
        err_propagate(errp, e);
        return -1;
    }
    if ((has_bf || has_bfmt) && (str_differs(bf, bs->backing_file) ||
                                 str_differs(bfmt, bs->backing_fmt))) {
        err_setf(errp, "Cannot amend the backing file\n"
                 "You can use 'hemu-img rebase' instead.");
        return -1;
    }
    if (has_rbits && rbits != (1ULL << s->refcount_order)) {
        if (version < 3) {
            err_setf(errp, "Refcount widths other than 16 bits require "
                     "compatibility level 1.1 or above (use compat=1.1 or "
                     "greater)");
        } else {
            err_setf(errp, "refcount_bits: changing the refcount width: not "
                     "supported");
        }
        return -1;
    }
    if (version < 3 && has_lazy && lazy) {
        err_setf(errp, "Lazy refcounts only supported with compatibility "
                 "level 1.1 and above (use compat=1.1 or greater)");
        return -1;
    }
    if (version < 3 && s->refcount_order != 4) {
        err_setf(errp, "Cannot downgrade an image with a refcount width "
                 "other than 16 bits");
        return -1;
    }
    uint64_t compat = s->compat;
    if (has_lazy) {
        compat = lazy ? compat | QCOW2_COMPAT_LAZY_REFCOUNTS
                      : compat & ~QCOW2_COMPAT_LAZY_REFCOUNTS;
    }
    int r;
    if (version > (int)s->version) {
        /* Version 3 wants the snapshots' extra data; rewrite the table
         * (this driver writes it with all of it) before the header says 3. */
        if (s->nb_snapshots && (r = qcow2_snapshot_rewrite_table(bs)) < 0) {
            err_setf(errp, "Could not rewrite the snapshot table: %s",
                     strerror(-r));
            return -1;
        }
        if (rewrite_header(bs, 3, compat, errp) < 0) {
            return -1;
        }
    } else if (version >= 3 && compat != s->compat) {
        uint8_t v[8];
        be64_put(v, compat);
        r = qcow2_write_header_field(bs, 80, v, 8);
        if (r >= 0) {
            r = bdrv_flush(bs->file);
        }
        if (r < 0) {
            err_setf(errp, "Could not update the image header: %s",
                     strerror(-r));
            return -1;
        }
        s->compat = compat;
    }
    if (has_size && size != s->size && bdrv_truncate(bs, size, errp) < 0) {
        return -1;
    }
    if (version < (int)s->version) {
        r = expand_zero_clusters(bs);
        if (r < 0) {
            err_setf(errp, "Failed to turn zero clusters into normal "
                     "clusters: %s", strerror(-r));
            return -1;
        }
        if (rewrite_header(bs, 2, 0, errp) < 0) {
            return -1;
        }
    }
    return 0;
}
