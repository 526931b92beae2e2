/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block.h - the block layer's node graph (DESIGN.md "block"): a node
 * (struct bdrv) is one driver instance, a format (raw, qcow2) over a
 * protocol (file; nbd/iscsi later).  Node I/O is synchronous and in bytes;
 * a node is used by one thread at a time (its lock, taken by the callers in
 * blk-backend.c and hemu-img).  The asynchronous, main-loop-delivered
 * requests of the front ends are in blk-backend.h.
 */
#ifndef HEMU_BLOCK_BLOCK_H
#define HEMU_BLOCK_BLOCK_H

#include "emu/osdep.h"
#include <pthread.h>
#include <sys/uio.h>

struct err;
struct kvlist;
struct bdrv;

/* Open flags. */
enum {
    BDRV_O_RDWR = 1 << 0,
    BDRV_O_NOCACHE = 1 << 1,    /* O_DIRECT (cache.direct=on) */
    BDRV_O_NO_FLUSH = 1 << 2,   /* cache=unsafe: flushes are dropped */
    BDRV_O_NO_BACKING = 1 << 3, /* do not open the backing file */
    BDRV_O_NO_LOCK = 1 << 4,    /* locking=off */
    BDRV_O_NO_PROBE_WARN = 1 << 5,
    BDRV_O_WRITETHROUGH = 1 << 6, /* flush after every write (cache.writeback=off) */
    BDRV_O_LOCK_TRY = 1 << 7,   /* locking=auto: skip locks if the fs lacks them */
};

/* block_status answers. */
enum {
    BDRV_BLOCK_DATA = 1 << 0,       /* read from this layer's file */
    BDRV_BLOCK_ZERO = 1 << 1,       /* reads as zeroes */
    BDRV_BLOCK_OFFSET_VALID = 1 << 2, /* *map is the host offset */
    BDRV_BLOCK_ALLOCATED = 1 << 3,  /* this layer decides the content */
    BDRV_BLOCK_COMPRESSED = 1 << 4,
};

struct bdrv_info_fmt;   /* format specific fields for info */

struct bdrv_create_opts {
    uint64_t size;
    const char *backing_file;
    const char *backing_fmt;
    uint32_t cluster_size;      /* 0: default */
    int compat;                 /* qcow2: 2 (0.10) or 3 (1.1) */
    int refcount_bits;          /* 0: 16 */
    bool lazy_refcounts;
    const char *preallocation;  /* off, metadata, falloc, full */
    bool extended_l2;           /* qcow2: measured only, never created */
};

/* hemu-img measure's answer (qemu-img measure's fields). */
struct bdrv_measure {
    uint64_t required, fully_allocated, bitmaps;
    bool has_bitmaps;
};

struct bdrv_snapshot {
    char *id, *name;
    uint64_t vm_state_size;
    uint32_t date_sec, date_nsec;
    uint64_t vm_clock_nsec;
    uint32_t icount_valid;
    uint64_t icount;
};

/* Result of a consistency check (qemu-img check's counters). */
struct bdrv_check_result {
    int corruptions, leaks, check_errors;
    int corruptions_fixed, leaks_fixed;
    uint64_t image_end_offset;
    uint64_t allocated_clusters, total_clusters, fragmented_clusters,
             compressed_clusters;
    bool has_stats;
};

enum { BDRV_FIX_LEAKS = 1, BDRV_FIX_ERRORS = 2 };

struct bdrv_ops {
    const char *name;
    bool is_protocol;
    /* Protocols: the filename prefixes ("nbd", "http"...) that select this
     * driver when a filename "SCHEME:..." comes without driver=; NULL-ended.
     * The driver's open() parses the whole filename itself. */
    const char *const *schemes;
    /* Score 0..100 that buf (the first bytes of the file) is this format. */
    int (*probe)(const uint8_t *buf, size_t len);
    /* opts: the node's remaining keys (driver-specific), may be NULL. */
    int (*open)(struct bdrv *bs, struct kvlist *opts, int flags,
                struct err **errp);
    void (*close)(struct bdrv *bs);
    /* Switch between read-only and read-write (flags: BDRV_O_RDWR or 0).
     * Protocols reopen their resource; formats are told after the
     * protocol below them switched. */
    int (*reopen)(struct bdrv *bs, int flags, struct err **errp);
    int (*pread)(struct bdrv *bs, uint64_t off, void *buf, size_t len);
    int (*pwrite)(struct bdrv *bs, uint64_t off, const void *buf, size_t len);
    /* Scatter/gather forms (optional: without them the bytes go through
     * one bounce buffer and pread/pwrite).  The iovecs may point straight
     * into guest RAM. */
    int (*preadv)(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                  int niov);
    int (*pwritev)(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                   int niov);
    /* A read that completes now without blocking (page cache hit), or
     * -EAGAIN: the caller then takes the normal, blocking path. */
    int (*preadv_nowait)(struct bdrv *bs, uint64_t off,
                         const struct iovec *iov, int niov);
    int (*pwrite_zeroes)(struct bdrv *bs, uint64_t off, uint64_t len,
                         bool may_unmap);
    int (*discard)(struct bdrv *bs, uint64_t off, uint64_t len);
    int (*flush)(struct bdrv *bs);
    int64_t (*getlength)(struct bdrv *bs);
    int64_t (*allocated_size)(struct bdrv *bs);
    int (*truncate)(struct bdrv *bs, uint64_t len, struct err **errp);
    /* Status of [off, off+len): flags, with *pnum bytes alike and *map the
     * offset in bs->file when OFFSET_VALID. */
    int (*block_status)(struct bdrv *bs, uint64_t off, uint64_t len,
                        uint64_t *pnum, uint64_t *map);
    int (*create)(const char *filename, const struct bdrv_create_opts *o,
                  struct err **errp);
    int (*check)(struct bdrv *bs, struct bdrv_check_result *res, int fix,
                 FILE *report);
    /* Compressed write of one whole cluster (hemu-img convert -c). */
    int (*pwrite_compressed)(struct bdrv *bs, uint64_t off, const void *buf,
                             size_t len);
    uint32_t (*cluster_size)(struct bdrv *bs);
    /* Human "Format specific information" lines and the JSON object's
     * members (a json-c object, as void * to keep json-c out of this
     * header). */
    void (*info_specific)(struct bdrv *bs, FILE *human, void *json);
    int (*snapshot_list)(struct bdrv *bs, struct bdrv_snapshot **list);
    /* Internal snapshots of the disk (no VM state). */
    int (*snapshot_create)(struct bdrv *bs, const char *name,
                           struct err **errp);
    int (*snapshot_apply)(struct bdrv *bs, const char *id_or_name,
                          struct err **errp);
    int (*snapshot_delete)(struct bdrv *bs, const char *id_or_name,
                           struct err **errp);
    /* Name another backing file (and format) in the image; NULL: none. */
    int (*set_backing)(struct bdrv *bs, const char *file, const char *fmt,
                       struct err **errp);
    /* Size of a new image of this format holding in (NULL: empty, of
     * o->size bytes). */
    int (*measure)(const struct bdrv_create_opts *o, struct bdrv *in,
                   struct bdrv_measure *m, struct err **errp);
    /* Change the image's options in place (hemu-img amend -o); the driver
     * uses the keys it knows, the caller rejects the rest. */
    int (*amend)(struct bdrv *bs, struct kvlist *opts, struct err **errp);
    /* Whether a write would need a rw reopen (header is dirty...). */
    bool (*is_dirty)(struct bdrv *bs);
};

struct bdrv {
    const struct bdrv_ops *drv;
    void *opaque;               /* the driver's state */
    char *filename;             /* what the protocol opened */
    char *node_name;
    int flags;
    bool read_only;
    struct bdrv *file;          /* format: the protocol node below */
    struct bdrv *backing;       /* qcow2: the backing chain */
    char *backing_file;         /* as written in the image */
    char *backing_fmt;
    uint64_t total_size;        /* virtual size in bytes */
    bool probed_raw;            /* format was guessed as raw */
    pthread_mutex_t lock;       /* serialises node I/O (tree root only) */
};

/* The registered drivers (file, raw, qcow2, the network protocols). */
const struct bdrv_ops *bdrv_find_driver(const char *name);
/* The protocol whose schemes match filename's "SCHEME:" prefix, or NULL. */
const struct bdrv_ops *bdrv_find_protocol(const char *filename);

/*
 * Open filename as a stack: the protocol (file; "json:{...}" is parsed as
 * options) and the format on top (fmt NULL = probe, with QEMU's warning for
 * raw).  opts may carry more keys ("file.locking", "offset", "size",
 * "backing", ...); whatever remains unused is an error.
 */
struct bdrv *bdrv_open(const char *filename, const char *fmt,
                       struct kvlist *opts, int flags, struct err **errp);
/* Open a node from a full option list (driver=, file=, file.driver=,
 * file.filename=, node-name=...) as -blockdev and -drive give it. */
struct bdrv *bdrv_open_opts(struct kvlist *opts, int flags, struct err **errp);
void bdrv_close(struct bdrv *bs);
/* Make bs and the protocol under it writable or read-only again (not
 * its backing chain). */
int bdrv_reopen(struct bdrv *bs, bool rw, struct err **errp);
/* Flatten a JSON object's options into dotted keys (json:{...}, -blockdev
 * {...}). */
int bdrv_parse_json_opts(struct kvlist *kv, const char *json,
                         struct err **errp);

/* Probe the format of the first bytes of a file: "qcow2" or "raw". */
const char *bdrv_probe(const uint8_t *buf, size_t len);

int bdrv_pread(struct bdrv *bs, uint64_t off, void *buf, size_t len);
int bdrv_pwrite(struct bdrv *bs, uint64_t off, const void *buf, size_t len);
/* Vectored forms: len is the sum of the iovecs' lengths. */
int bdrv_preadv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                int niov);
int bdrv_pwritev(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                 int niov);
/* A read done without blocking, or -EAGAIN (not in the cache, a driver
 * that cannot tell, a short read): nothing is reported, the caller
 * retries with bdrv_preadv on a thread that may block. */
int bdrv_preadv_nowait(struct bdrv *bs, uint64_t off,
                       const struct iovec *iov, int niov);
uint64_t iov_size(const struct iovec *iov, int niov);
/* Copy between iovecs and a flat buffer. */
void iov_to_buf(const struct iovec *iov, int niov, void *buf, uint64_t len);
void iov_from_buf(const struct iovec *iov, int niov, const void *buf,
                  uint64_t len);
bool iov_is_zero(const struct iovec *iov, int niov);
int bdrv_pwrite_zeroes(struct bdrv *bs, uint64_t off, uint64_t len,
                       bool may_unmap);
int bdrv_discard(struct bdrv *bs, uint64_t off, uint64_t len);
int bdrv_flush(struct bdrv *bs);
int64_t bdrv_getlength(struct bdrv *bs);
int bdrv_truncate(struct bdrv *bs, uint64_t len, struct err **errp);
int bdrv_block_status(struct bdrv *bs, uint64_t off, uint64_t len,
                      uint64_t *pnum, uint64_t *map);
/* Like block_status but follows the backing chain: *depth is the layer
 * that holds the data (0 = bs), -1 flags... 0 for none. */
int bdrv_block_status_above(struct bdrv *bs, uint64_t off, uint64_t len,
                            uint64_t *pnum, uint64_t *map, int *depth,
                            struct bdrv **owner);
int bdrv_create(const char *fmt, const char *filename,
                const struct bdrv_create_opts *o, struct err **errp);
/* The protocol a format image named filename lives on: the one its
 * "SCHEME:" prefix names if it can create files (gluster), else file. */
const struct bdrv_ops *bdrv_create_protocol(const char *filename);

/* Whether len bytes are all zero. */
bool buffer_is_zero(const void *buf, size_t len);

/* Big-endian helpers for on-disk formats. */
static inline uint16_t be16_get(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)(b[0] << 8 | b[1]);
}
static inline uint32_t be32_get(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | b[2] << 8 | b[3];
}
static inline uint64_t be64_get(const void *p)
{
    return (uint64_t)be32_get(p) << 32 | be32_get((const uint8_t *)p + 4);
}
static inline void be16_put(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = v >> 8;
    b[1] = v;
}
static inline void be32_put(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = v >> 24;
    b[1] = v >> 16;
    b[2] = v >> 8;
    b[3] = v;
}
static inline void be64_put(void *p, uint64_t v)
{
    be32_put(p, v >> 32);
    be32_put((uint8_t *)p + 4, v);
}

extern const struct bdrv_ops bdrv_file_ops, bdrv_raw_ops, bdrv_qcow2_ops;

#endif
