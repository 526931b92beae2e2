/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-snapshot.c - qcow2 internal snapshots: create, apply (revert the
 * active image to a snapshot) and delete (QEMU's docs/interop/qcow2.txt,
 * "Snapshots": the snapshot table, each entry a copy of the L1 table; a
 * cluster's refcount counts every L1 table that reaches it, and the
 * active tables' OFLAG_COPIED bit says "refcount is exactly 1").
 *
 * Crash order: refcounts are raised before a new table refers to
 * clusters and dropped only after nothing refers to them, and the
 * snapshot table is switched by one header write (nb_snapshots and
 * snapshots_offset are adjacent), so a killed process leaks clusters at
 * worst.  Disk-only snapshots: the VM state size is 0, as qemu-img's.
 */
#include "emu/osdep.h"

#include <time.h>

#include "block-protocols/qcow2.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

/* Raise or drop the references an L2 entry holds. */
static int entry_ref(struct bdrv *bs, uint64_t e, int delta)
{
    struct qcow2 *s = bs->opaque;
    if (e & QCOW2_OFLAG_COMPRESSED) {
        uint64_t off, len;
        qcow2_compressed_range(s, e, &off, &len);
        uint64_t start = off & ~511ULL;
        return qcow2_update_range(bs, start, len + (off - start), delta);
    }
    uint64_t off = e & QCOW2_OFFSET_MASK;
    if (!off) {
        return 0;
    }
    if (off & (s->cluster_size - 1)) {
        return -EIO;
    }
    return qcow2_update_refcount(bs, off >> s->cluster_bits, delta);
}

/* Change by delta the refcount of every cluster an L1 table reaches:
 * its L2 tables and their data clusters. */
static int tree_ref(struct bdrv *bs, const uint64_t *l1, uint32_t l1_size,
                    int delta)
{
    struct qcow2 *s = bs->opaque;
    uint8_t *l2 = xmalloc(s->cluster_size);
    int r = 0;
    for (uint32_t i = 0; i < l1_size && r >= 0; i++) {
        uint64_t l2_off = l1[i] & QCOW2_OFFSET_MASK;
        if (!l2_off) {
            continue;
        }
        if (l2_off & (s->cluster_size - 1)) {
            r = -EIO;
            break;
        }
        r = bdrv_pread(bs->file, l2_off, l2, s->cluster_size);
        for (uint32_t j = 0; r >= 0 && j < s->l2_entries; j++) {
            r = entry_ref(bs, be64_get(l2 + j * 8), delta);
        }
        if (r >= 0) {
            r = qcow2_update_refcount(bs, l2_off >> s->cluster_bits, delta);
        }
    }
    free(l2);
    return r;
}

static int refcount_is_one(struct bdrv *bs, uint64_t off, bool *one)
{
    struct qcow2 *s = bs->opaque;
    uint64_t rc;
    int r = qcow2_get_refcount(bs, off >> s->cluster_bits, &rc);
    *one = rc == 1;
    return r;
}

/* Set OFLAG_COPIED in the active L1 and L2 tables exactly where the
 * refcount is 1 (what qemu-img check verifies). */
static int fix_copied_flags(struct bdrv *bs)
{
    struct qcow2 *s = bs->opaque;
    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l2_off = s->l1[i] & QCOW2_OFFSET_MASK;
        if (!l2_off) {
            continue;
        }
        if (l2_off & (s->cluster_size - 1)) {
            return -EIO;
        }
        bool one;
        int r = refcount_is_one(bs, l2_off, &one);
        if (r < 0) {
            return r;
        }
        uint64_t want = l2_off | (one ? QCOW2_OFLAG_COPIED : 0);
        if (want != s->l1[i]) {
            uint8_t e[8];
            be64_put(e, want);
            r = bdrv_pwrite(bs->file, s->l1_offset + i * 8ULL, e, 8);
            if (r < 0) {
                return r;
            }
            s->l1[i] = want;
        }
        uint8_t *l2;
        r = qcow2_cache_get(bs, s->l2c, l2_off, false, &l2);
        if (r < 0) {
            return r;
        }
        bool changed = false;
        for (uint32_t j = 0; j < s->l2_entries; j++) {
            uint64_t v = be64_get(l2 + j * 8), off = v & QCOW2_OFFSET_MASK;
            if ((v & QCOW2_OFLAG_COMPRESSED) || !off) {
                continue;
            }
            r = refcount_is_one(bs, off, &one);
            if (r < 0) {
                return r;
            }
            uint64_t w = one ? v | QCOW2_OFLAG_COPIED : v & ~QCOW2_OFLAG_COPIED;
            if (w != v) {
                be64_put(l2 + j * 8, w);
                changed = true;
            }
        }
        /* The cache entry may have been evicted by the refcount reads. */
        if (changed) {
            uint8_t *copy = xmalloc(s->cluster_size);
            memcpy(copy, l2, s->cluster_size);
            qcow2_cache_drop(s, s->l2c, l2_off);
            r = bdrv_pwrite(bs->file, l2_off, copy, s->cluster_size);
            free(copy);
            if (r < 0) {
                return r;
            }
        }
    }
    return 0;
}

static uint64_t l1_bytes(const struct qcow2 *s, uint32_t n)
{
    uint64_t b = n * 8ULL;
    return (b + s->cluster_size - 1) & ~(uint64_t)(s->cluster_size - 1);
}

/* Write the table of snaps[0..n) to new clusters and switch the header
 * to it; the old table's clusters are freed afterwards. */
static int write_table(struct bdrv *bs, struct qcow2_snap *snaps, uint32_t n)
{
    struct qcow2 *s = bs->opaque;
    uint64_t size = 0;
    for (uint32_t i = 0; i < n; i++) {
        size += 40 + 24 + strlen(snaps[i].id) + strlen(snaps[i].name);
        size = (size + 7) & ~7ULL;
    }
    int64_t off = 0;
    uint64_t alloc = (size + s->cluster_size - 1) & ~(uint64_t)(s->cluster_size - 1);
    if (n) {
        off = qcow2_alloc_clusters(bs, alloc >> s->cluster_bits);
        if (off < 0) {
            return off;
        }
        uint8_t *t = xzalloc(alloc), *p = t;
        for (uint32_t i = 0; i < n; i++) {
            struct qcow2_snap *sn = &snaps[i];
            size_t il = strlen(sn->id), nl = strlen(sn->name);
            be64_put(p, sn->l1_offset);
            be32_put(p + 8, sn->l1_size);
            be16_put(p + 12, il);
            be16_put(p + 14, nl);
            be32_put(p + 16, sn->date_sec);
            be32_put(p + 20, sn->date_nsec);
            be64_put(p + 24, sn->vm_clock_nsec);
            be32_put(p + 32, sn->vm_state_size > UINT32_MAX ? 0 : sn->vm_state_size);
            be32_put(p + 36, 24);
            be64_put(p + 40, sn->vm_state_size);
            be64_put(p + 48, sn->disk_size);
            be64_put(p + 56, sn->icount);
            memcpy(p + 64, sn->id, il);
            memcpy(p + 64 + il, sn->name, nl);
            p += (64 + il + nl + 7) & ~7ULL;
        }
        int r = bdrv_pwrite(bs->file, off, t, alloc);
        free(t);
        if (r < 0) {
            return r;
        }
        r = bdrv_flush(bs->file);
        if (r < 0) {
            return r;
        }
    }
    uint64_t old_off = s->snapshots_offset, old_size = s->snapshots_size;
    uint8_t h[12];
    be32_put(h, n);
    be64_put(h + 4, off);
    int r = qcow2_write_header_field(bs, 60, h, 12);
    if (r < 0) {
        return r;
    }
    r = bdrv_flush(bs->file);
    if (r < 0) {
        return r;
    }
    s->nb_snapshots = n;
    s->snapshots_offset = off;
    s->snapshots_size = size;
    /* The old table had clusters of its own (as QEMU allocates them). */
    if (old_off && old_size) {
        r = qcow2_update_range(bs, old_off, old_size, -1);
    }
    return r;
}

int qcow2_snapshot_rewrite_table(struct bdrv *bs)
{
    struct qcow2 *s = bs->opaque;
    return write_table(bs, s->snaps, s->nb_snapshots);
}

static int find_snap(struct qcow2 *s, const char *id_or_name)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snaps[i].id, id_or_name)) {
            return i;
        }
    }
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snaps[i].name, id_or_name)) {
            return i;
        }
    }
    return -1;
}

static uint64_t *read_l1(struct bdrv *bs, uint64_t off, uint32_t n, int *ret)
{
    uint64_t *l1 = xzalloc(MAX(n, 1u) * 8ULL);
    *ret = n ? bdrv_pread(bs->file, off, l1, n * 8ULL) : 0;
    for (uint32_t i = 0; i < n; i++) {
        l1[i] = be64_get((uint8_t *)&l1[i]);
    }
    return l1;
}

int qcow2_snapshot_create(struct bdrv *bs, const char *name, struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    if (!*name || strlen(name) > 0xffff) {
        err_setf(errp, "Invalid snapshot name");
        return -1;
    }
    if (find_snap(s, name) >= 0) {
        err_setf(errp, "Snapshot with name '%s' already exists", name);
        return -1;
    }
    if (s->nb_snapshots >= QCOW2_MAX_SNAPSHOTS) {
        err_setf(errp, "Too many snapshots");
        return -1;
    }
    /* The next free numeric id, as QEMU picks it. */
    unsigned long max_id = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        unsigned long v = strtoul(s->snaps[i].id, NULL, 10);
        max_id = MAX(max_id, v);
    }
    int r = bdrv_flush(bs->file);
    uint64_t bytes = l1_bytes(s, s->l1_size);
    int64_t l1_off = r < 0 ? r : qcow2_alloc_clusters(bs, bytes >> s->cluster_bits);
    if (l1_off < 0) {
        err_setf(errp, "Could not allocate the snapshot's L1 table: %s",
                 strerror((int)-l1_off));
        return -1;
    }
    uint8_t *copy = xzalloc(bytes);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        be64_put(copy + i * 8, s->l1[i] & ~QCOW2_OFLAG_COPIED);
    }
    r = bdrv_pwrite(bs->file, l1_off, copy, bytes);
    free(copy);
    if (r >= 0) {
        r = tree_ref(bs, s->l1, s->l1_size, 1);
    }
    if (r >= 0) {
        r = fix_copied_flags(bs);
    }
    if (r < 0) {
        err_setf(errp, "Could not create snapshot '%s': %s", name,
                 strerror(-r));
        return -1;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct qcow2_snap *snaps = xzalloc((s->nb_snapshots + 1) * sizeof(*snaps));
    memcpy(snaps, s->snaps, s->nb_snapshots * sizeof(*snaps));
    struct qcow2_snap *sn = &snaps[s->nb_snapshots];
    sn->l1_offset = l1_off;
    sn->l1_size = s->l1_size;
    sn->id = xasprintf("%lu", max_id + 1);
    sn->name = xstrdup(name);
    sn->date_sec = ts.tv_sec;
    sn->date_nsec = ts.tv_nsec;
    sn->disk_size = s->size;
    sn->icount = UINT64_MAX;
    r = write_table(bs, snaps, s->nb_snapshots + 1);
    if (r < 0) {
        free(sn->id);
        free(sn->name);
        free(snaps);
        err_setf(errp, "Could not write the snapshot table: %s", strerror(-r));
        return -1;
    }
    free(s->snaps);
    s->snaps = snaps;
    return 0;
}

int qcow2_snapshot_apply(struct bdrv *bs, const char *id_or_name,
                         struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    int k = find_snap(s, id_or_name);
    if (k < 0) {
        err_setf(errp, "Could not apply snapshot '%s': snapshot not found",
                 id_or_name);
        return -1;
    }
    struct qcow2_snap *sn = &s->snaps[k];
    if (sn->l1_size > s->l1_size || sn->disk_size != s->size) {
        err_setf(errp, "Could not apply snapshot '%s': its disk size "
                 "differs from the image's (not supported)", id_or_name);
        return -1;
    }
    int r;
    uint64_t *l1 = read_l1(bs, sn->l1_offset, sn->l1_size, &r);
    uint64_t *nl1 = xzalloc(s->l1_size * 8ULL);
    for (uint32_t i = 0; i < sn->l1_size; i++) {
        nl1[i] = l1[i] & ~QCOW2_OFLAG_COPIED;
    }
    free(l1);
    /* The snapshot's clusters gain the active image's reference first. */
    if (r >= 0) {
        r = tree_ref(bs, nl1, s->l1_size, 1);
    }
    uint8_t *be = xzalloc(s->l1_size * 8ULL);
    for (uint32_t i = 0; i < s->l1_size; i++) {
        be64_put(be + i * 8, nl1[i]);
    }
    if (r >= 0) {
        r = bdrv_pwrite(bs->file, s->l1_offset, be, s->l1_size * 8ULL);
    }
    free(be);
    if (r >= 0) {
        r = bdrv_flush(bs->file);
    }
    if (r < 0) {
        free(nl1);
        err_setf(errp, "Could not apply snapshot '%s': %s", id_or_name,
                 strerror(-r));
        return -1;
    }
    uint64_t *old = s->l1;
    s->l1 = nl1;
    r = tree_ref(bs, old, s->l1_size, -1);
    free(old);
    if (r >= 0) {
        r = fix_copied_flags(bs);
    }
    if (r < 0) {
        err_setf(errp, "Could not apply snapshot '%s': %s", id_or_name,
                 strerror(-r));
        return -1;
    }
    return 0;
}

int qcow2_snapshot_delete(struct bdrv *bs, const char *id_or_name,
                          struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    int k = find_snap(s, id_or_name);
    if (k < 0) {
        err_setf(errp, "Could not delete snapshot '%s': snapshot not found",
                 id_or_name);
        return -1;
    }
    struct qcow2_snap gone = s->snaps[k];
    struct qcow2_snap *snaps = xzalloc(MAX(s->nb_snapshots, 1u) * sizeof(*snaps));
    uint32_t n = 0;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if ((int)i != k) {
            snaps[n++] = s->snaps[i];
        }
    }
    int r = write_table(bs, snaps, n);
    if (r < 0) {
        free(snaps);
        err_setf(errp, "Could not delete snapshot '%s': %s", id_or_name,
                 strerror(-r));
        return -1;
    }
    free(s->snaps);
    s->snaps = snaps;
    /* Nothing refers to the snapshot's tree any more. */
    uint64_t *l1 = read_l1(bs, gone.l1_offset, gone.l1_size, &r);
    if (r >= 0) {
        r = tree_ref(bs, l1, gone.l1_size, -1);
    }
    free(l1);
    if (r >= 0 && gone.l1_size) {
        r = qcow2_update_range(bs, gone.l1_offset, l1_bytes(s, gone.l1_size),
                               -1);
    }
    if (r >= 0) {
        r = fix_copied_flags(bs);
    }
    free(gone.id);
    free(gone.name);
    if (r < 0) {
        err_setf(errp, "Snapshot '%s' deleted, but freeing its clusters "
                 "failed (leaked): %s", id_or_name, strerror(-r));
        return -1;
    }
    return 0;
}
