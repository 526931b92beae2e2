/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2.h - the qcow2 driver's state and its internal interface between
 * qcow2.c (header, I/O, clusters), qcow2-refcount.c (refcounts and
 * allocation) and qcow2-check.c (consistency check).  Reference: QEMU's
 * docs/interop/qcow2.txt (the image format specification).
 *
 * Metadata (L1, L2 tables, refcount blocks) is written through to the
 * file as soon as it changes, in the order that keeps a killed process's
 * image consistent: refcounts are raised before anything points to a
 * cluster, the L2 entry is written after the cluster's data, and a
 * refcount is dropped only after nothing points to the cluster any more.
 * At worst a crash leaks clusters.
 */
#ifndef HEMU_BLOCK_QCOW2_H
#define HEMU_BLOCK_QCOW2_H

#include "block-protocols/block.h"

#define QCOW2_MAGIC 0x514649fbu
#define QCOW2_OFLAG_COPIED (1ULL << 63)
#define QCOW2_OFLAG_COMPRESSED (1ULL << 62)
#define QCOW2_OFLAG_ZERO 1ULL
#define QCOW2_OFFSET_MASK 0x00fffffffffffe00ULL
#define QCOW2_INCOMPAT_DIRTY 1ULL
#define QCOW2_INCOMPAT_CORRUPT 2ULL
#define QCOW2_INCOMPAT_DATA_FILE 4ULL
#define QCOW2_INCOMPAT_COMPRESSION 8ULL
#define QCOW2_INCOMPAT_EXTL2 16ULL
#define QCOW2_COMPAT_LAZY_REFCOUNTS 1ULL
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE 0x6803f857u
#define QCOW2_MIN_CLUSTER_BITS 9
#define QCOW2_MAX_CLUSTER_BITS 21
/* Limits QEMU also applies, so hostile headers cannot make us allocate
 * absurd tables. */
#define QCOW2_MAX_L1_BYTES (32u << 20)
#define QCOW2_MAX_RT_BYTES (8u << 20)
#define QCOW2_MAX_SNAPSHOTS 65536
#define QCOW2_CACHE_SIZE 16

/* A cached metadata cluster (an L2 table or a refcount block), kept in
 * its on-disk byte order. */
struct qcow2_cache_ent {
    uint64_t offset;        /* 0: empty */
    uint8_t *data;
    uint64_t lru;
};

struct qcow2_snap {
    uint64_t l1_offset;
    uint32_t l1_size;
    char *id, *name;
    uint32_t date_sec, date_nsec;
    uint64_t vm_clock_nsec, vm_state_size, disk_size;
    uint64_t icount;        /* UINT64_MAX: none */
};

struct qcow2 {
    uint32_t version;
    uint32_t cluster_bits, cluster_size, l2_bits, l2_entries;
    uint64_t size;
    uint64_t l1_offset;
    uint32_t l1_size;
    uint64_t *l1;           /* host order */
    uint64_t rt_offset;
    uint32_t rt_clusters;
    uint64_t rt_size;       /* entries */
    uint64_t *rt;           /* host order */
    uint32_t refcount_order, rb_entries;
    uint64_t incompat, compat, autoclear;
    uint32_t header_length;
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;
    uint64_t snapshots_size;    /* bytes of the table on disk */
    struct qcow2_snap *snaps;
    uint32_t csize_shift;
    uint64_t csize_mask, coffset_mask;
    struct qcow2_cache_ent l2c[QCOW2_CACHE_SIZE], rbc[QCOW2_CACHE_SIZE];
    uint64_t lru_clock;
    uint64_t free_hint;     /* no free cluster below this index */
    uint64_t free_byte_off; /* room for compressed data, 0 = none */
    uint8_t *cbuf, *dbuf;   /* compressed read buffers */
    uint64_t dbuf_entry;    /* the cluster in dbuf, 0 = none */
};

/* Refcounts and allocation (qcow2-refcount.c). */
int qcow2_rt_load(struct bdrv *bs);
int qcow2_cache_get(struct bdrv *bs, struct qcow2_cache_ent *c,
                    uint64_t offset, bool fresh, uint8_t **data);
void qcow2_cache_drop(struct qcow2 *s, struct qcow2_cache_ent *c,
                      uint64_t offset);
uint64_t qcow2_rb_get(const struct qcow2 *s, const uint8_t *rb, uint64_t i);
void qcow2_rb_set(const struct qcow2 *s, uint8_t *rb, uint64_t i, uint64_t v);
int qcow2_get_refcount(struct bdrv *bs, uint64_t cluster, uint64_t *rc);
/* Change a cluster's refcount by delta (must stay in range). */
int qcow2_update_refcount(struct bdrv *bs, uint64_t cluster, int delta);
/* Change refcounts of every cluster touched by [off, off+len). */
int qcow2_update_range(struct bdrv *bs, uint64_t off, uint64_t len, int delta);
/* n contiguous clusters with refcount 1; returns the byte offset or
 * -errno. */
int64_t qcow2_alloc_clusters(struct bdrv *bs, uint64_t n);
/* size bytes for compressed data (may share a cluster). */
int64_t qcow2_alloc_bytes(struct bdrv *bs, uint64_t size);
/* Drop the reference an L2 entry holds (normal or compressed). */
int qcow2_free_entry(struct bdrv *bs, uint64_t entry);
/* Where a compressed entry's data lies. */
void qcow2_compressed_range(const struct qcow2 *s, uint64_t entry,
                            uint64_t *off, uint64_t *len);

/* Header (qcow2.c). */
int qcow2_write_header_field(struct bdrv *bs, unsigned off, const void *v,
                             size_t len);
/* Create options' cluster size, extended L2 and refcount width checks,
 * shared by create and measure; fills in the defaults. */
int qcow2_check_create_opts(const struct bdrv_create_opts *o, uint32_t *cs,
                            int *compat, int *rbits, struct err **errp);

/* Internal snapshots (qcow2-snapshot.c). */
int qcow2_snapshot_create(struct bdrv *bs, const char *name, struct err **errp);
int qcow2_snapshot_apply(struct bdrv *bs, const char *id_or_name,
                         struct err **errp);
int qcow2_snapshot_delete(struct bdrv *bs, const char *id_or_name,
                          struct err **errp);

/* The backing file the header names, NULL for none (qcow2-backing.c). */
int qcow2_set_backing(struct bdrv *bs, const char *file, const char *fmt,
                      struct err **errp);

/* Consistency check (qcow2-check.c). */
int qcow2_check(struct bdrv *bs, struct bdrv_check_result *res, int fix,
                FILE *report);

/* hemu-img measure and amend (qcow2-measure.c, qcow2-amend.c). */
int qcow2_measure(const struct bdrv_create_opts *o, struct bdrv *in,
                  struct bdrv_measure *m, struct err **errp);
int qcow2_amend(struct bdrv *bs, struct kvlist *opts, struct err **errp);
/* Rewrite the snapshot table as it is in memory (with the extra data
 * version 3 asks for). */
int qcow2_snapshot_rewrite_table(struct bdrv *bs);

#endif
