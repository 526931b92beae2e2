/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-check.c - the qcow2 consistency check behind hemu-img check
 * (qemu-img check's semantics): every cluster the metadata references
 * (header, L1/L2 tables of the image and of each snapshot, data and
 * compressed data, snapshot table, refcount table and blocks) is counted
 * and compared with the stored refcount.  A stored count above the real
 * one is a leak (harmless), below it a corruption; the OFLAG_COPIED flags
 * of the active tables must match refcount == 1.  Repair (-r) rewrites the
 * stored counts.
 */
#include "emu/osdep.h"

#include "block-protocols/qcow2.h"
#include "emu/util/cutils.h"

struct ck {
    struct bdrv *bs;
    struct qcow2 *s;
    uint32_t *ref;
    uint64_t n;             /* clusters in the file */
    struct bdrv_check_result *res;
    FILE *report;
};

static void note(struct ck *c, const char *fmt, ...) PRINTF_FMT(2, 3);
static void note(struct ck *c, const char *fmt, ...)
{
    if (!c->report) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->report, fmt, ap);
    va_end(ap);
}

/* Count one reference to every cluster touched by [off, off+len). */
static void count(struct ck *c, uint64_t off, uint64_t len)
{
    if (!len) {
        return;
    }
    uint64_t first = off >> c->s->cluster_bits;
    uint64_t last = (off + len - 1) >> c->s->cluster_bits;
    for (uint64_t i = first; i <= last; i++) {
        if (i >= c->n) {
            note(c, "ERROR: counting reference for region exceeding the end "
                 "of the file by one cluster or more: offset 0x%" PRIx64
                 " size 0x%" PRIx64 "\n", off, len);
            c->res->corruptions++;
            return;
        }
        c->ref[i]++;
    }
}

/* Count an L1 table and everything below it; active: check the copied
 * flags and gather statistics. */
static int count_l1(struct ck *c, uint64_t l1_off, uint32_t l1_size,
                    bool active)
{
    struct qcow2 *s = c->s;
    uint64_t cs = s->cluster_size;
    count(c, l1_off, (uint64_t)l1_size * 8);
    if (!l1_size) {
        return 0;
    }
    uint8_t *l1 = xmalloc((uint64_t)l1_size * 8);
    uint8_t *l2 = xmalloc(cs);
    int r = bdrv_pread(c->bs->file, l1_off, l1, (uint64_t)l1_size * 8);
    uint64_t prev_host = 0;
    for (uint32_t i = 0; r >= 0 && i < l1_size; i++) {
        uint64_t e = be64_get(l1 + i * 8);
        uint64_t l2off = e & QCOW2_OFFSET_MASK;
        if (!l2off) {
            continue;
        }
        if (l2off & (cs - 1)) {
            note(c, "ERROR l2_offset=%" PRIx64 ": Table is not "
                 "cluster aligned; L1 entry corrupted\n", l2off);
            c->res->corruptions++;
            continue;
        }
        if ((l2off >> s->cluster_bits) >= c->n) {
            note(c, "ERROR l2_offset=%" PRIx64 ": beyond the end of the "
                 "file\n", l2off);
            c->res->corruptions++;
            continue;
        }
        count(c, l2off, cs);
        if (active) {
            uint64_t rc = 0;
            qcow2_get_refcount(c->bs, l2off >> s->cluster_bits, &rc);
            if ((rc == 1) != !!(e & QCOW2_OFLAG_COPIED)) {
                note(c, "ERROR OFLAG_COPIED L2 cluster: l1_index=%u "
                     "l1_entry=%" PRIx64 " refcount=%" PRIu64 "\n", i, e, rc);
                c->res->corruptions++;
            }
        }
        if (bdrv_pread(c->bs->file, l2off, l2, cs) < 0) {
            c->res->check_errors++;
            continue;
        }
        for (uint32_t j = 0; j < s->l2_entries; j++) {
            uint64_t v = be64_get(l2 + j * 8);
            if (v & QCOW2_OFLAG_COMPRESSED) {
                uint64_t off, len;
                qcow2_compressed_range(s, v, &off, &len);
                uint64_t start = off & ~511ULL;
                count(c, start, len + (off - start));
                if (active) {
                    c->res->allocated_clusters++;
                    c->res->compressed_clusters++;
                }
                continue;
            }
            uint64_t host = v & QCOW2_OFFSET_MASK;
            if (!host) {
                continue;
            }
            if (host & (cs - 1)) {
                note(c, "ERROR offset=%" PRIx64 ": Cluster is not properly "
                     "aligned; L2 entry corrupted.\n", host);
                c->res->corruptions++;
                continue;
            }
            count(c, host, cs);
            if (active) {
                if (!(v & QCOW2_OFLAG_ZERO) || s->version < 3) {
                    c->res->allocated_clusters++;
                    if (prev_host && host != prev_host + cs) {
                        c->res->fragmented_clusters++;
                    }
                    prev_host = host;
                }
                uint64_t rc = 0;
                qcow2_get_refcount(c->bs, host >> s->cluster_bits, &rc);
                if ((rc == 1) != !!(v & QCOW2_OFLAG_COPIED)) {
                    note(c, "ERROR OFLAG_COPIED data cluster: l2_entry=%"
                         PRIx64 " refcount=%" PRIu64 "\n", v, rc);
                    c->res->corruptions++;
                }
            }
        }
    }
    free(l1);
    free(l2);
    if (r < 0) {
        c->res->check_errors++;
    }
    return 0;
}

static uint64_t snapshot_table_size(struct ck *c)
{
    struct qcow2 *s = c->s;
    uint64_t off = s->snapshots_offset;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        uint8_t h[40];
        if (bdrv_pread(c->bs->file, off, h, 40) < 0) {
            break;
        }
        off += 40 + be32_get(h + 36) + be16_get(h + 12) + be16_get(h + 14);
        off = (off + 7) & ~7ULL;
    }
    return off - s->snapshots_offset;
}

int qcow2_check(struct bdrv *bs, struct bdrv_check_result *res, int fix,
                FILE *report)
{
    struct qcow2 *s = bs->opaque;
    int64_t flen = bdrv_getlength(bs->file);
    if (flen < 0) {
        return flen;
    }
    struct ck c = { .bs = bs, .s = s, .res = res, .report = report };
    c.n = ((uint64_t)flen + s->cluster_size - 1) >> s->cluster_bits;
    c.ref = xzalloc(MAX(c.n, 1ULL) * sizeof(uint32_t));
    memset(res, 0, sizeof(*res));
    res->has_stats = true;
    res->total_clusters = (s->size + s->cluster_size - 1) >> s->cluster_bits;

    count(&c, 0, s->cluster_size);
    count_l1(&c, s->l1_offset, s->l1_size, true);
    if (s->nb_snapshots) {
        count(&c, s->snapshots_offset, snapshot_table_size(&c));
        for (uint32_t i = 0; i < s->nb_snapshots; i++) {
            count_l1(&c, s->snaps[i].l1_offset, s->snaps[i].l1_size, false);
        }
    }
    count(&c, s->rt_offset, (uint64_t)s->rt_clusters << s->cluster_bits);
    for (uint64_t i = 0; i < s->rt_size; i++) {
        if (!s->rt[i]) {
            continue;
        }
        if (s->rt[i] & (s->cluster_size - 1)) {
            note(&c, "ERROR refcount block %" PRIu64 " is not cluster "
                 "aligned; refcount table entry corrupted\n", i);
            res->corruptions++;
            continue;
        }
        count(&c, s->rt[i], s->cluster_size);
    }

    /* Compare with what the image says. */
    uint64_t highest = 0;
    /* Refcounts past the end of the file are not looked at (as in
     * qemu-img check). */
    for (uint64_t i = 0; i < c.n; i++) {
        uint64_t rc = 0;
        if (qcow2_get_refcount(bs, i, &rc) < 0) {
            res->check_errors++;
            continue;
        }
        uint64_t want = c.ref[i];
        if (want) {
            highest = i + 1;
        }
        if (rc == want) {
            continue;
        }
        bool leak = rc > want;
        bool do_fix = leak ? (fix & BDRV_FIX_LEAKS) : (fix & BDRV_FIX_ERRORS);
        note(&c, "%s cluster %" PRIu64 " refcount=%" PRIu64 " reference=%"
             PRIu64 "\n", do_fix ? "Repairing" : (leak ? "Leaked" : "ERROR"),
             i, rc, want);
        if (do_fix) {
            int d = (int)((int64_t)want - (int64_t)rc);
            int r = 0;
            while (r >= 0 && d) {
                int step = d > 0 ? 1 : -1;
                r = qcow2_update_refcount(bs, i, step);
                d -= step;
            }
            if (r >= 0) {
                if (leak) {
                    res->leaks_fixed++;
                } else {
                    res->corruptions_fixed++;
                }
                continue;
            }
        }
        if (leak) {
            res->leaks++;
        } else {
            res->corruptions++;
        }
    }
    res->image_end_offset = highest << s->cluster_bits;
    free(c.ref);
    return 0;
}
