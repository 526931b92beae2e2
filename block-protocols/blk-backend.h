/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blk-backend.h - a drive as a front end (IDE, virtio-blk) sees it
 * (DESIGN.md "block": front end -> block backend -> format -> protocol):
 * asynchronous requests in bytes run on a small worker pool and complete
 * in the main loop (bottom half, big lock held); statistics for
 * query-blockstats; the werror=/rerror= policy (report, ignore, stop,
 * enospc: "stop" pauses the VM with a BLOCK_IO_ERROR event and retries
 * the request when the VM runs again, as QEMU does).
 */
#ifndef HEMU_BLOCK_BLK_BACKEND_H
#define HEMU_BLOCK_BLK_BACKEND_H

#include "block-protocols/block.h"

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD, BLK_ZEROES };
enum blk_err_action { BLK_ERR_REPORT, BLK_ERR_IGNORE, BLK_ERR_STOP,
                      BLK_ERR_ENOSPC };

typedef void blk_cb(void *opaque, int ret);

struct blk_stats {
    uint64_t rd_bytes, wr_bytes, rd_ops, wr_ops, flush_ops, unmap_ops;
    uint64_t unmap_bytes, failed_rd, failed_wr, failed_flush;
    uint64_t rd_ns, wr_ns, flush_ns;
};

struct blk {
    char *id;               /* drive id ("ide0-hd0", -drive id=) */
    char *node_name;
    struct bdrv *root;      /* NULL: no medium (empty CD-ROM) */
    bool read_only;
    bool removable;         /* CD-ROM */
    bool locked;            /* medium removal prevented by the guest */
    bool tray_open;
    bool write_cache;       /* guest-visible write cache (cache.writeback) */
    bool discard_unmap;     /* discard=unmap */
    bool detect_zeroes;     /* detect-zeroes=on|unmap: zero writes become */
    bool detect_zeroes_unmap;   /* write-zeroes (unmapping with discard=unmap) */
    enum blk_err_action werror, rerror;
    char *serial;
    struct blk_stats stats;
    int inflight;
    /* Held shared by requests that run without the root's lock (network
     * protocols, blk-backend.c), exclusively by the others. */
    pthread_rwlock_t io_lock;
    /* Told when the medium changes (eject, change). */
    void (*media_changed)(void *opaque, bool load);
    void *dev_opaque;
    char *attached_to;      /* the front end's name, for query-block */
    struct blk *next;
    char *filename_for_info;
    char *format_for_info;
    struct blk_req *failed;  /* stopped requests waiting for a resume */
    /* Told of every range a guest request may have changed, in a worker
     * with the root's lock held (an active block-commit's dirty map). */
    void (*write_notify)(void *opaque, uint64_t off, uint64_t len);
    void *write_notify_opaque;
    bool job_busy;          /* a block job owns the chain */
};

struct blk *blk_new(const char *id, struct bdrv *root);
struct blk *blk_find(const char *id);
struct blk *blk_first(void);
void blk_attach_medium(struct blk *b, struct bdrv *root);
void blk_eject_medium(struct blk *b);
uint64_t blk_getlength(struct blk *b);

/* Submit; cb(opaque, 0 or -errno) runs in the main loop.  buf must stay
 * valid until then. */
void blk_submit(struct blk *b, enum blk_op op, uint64_t off, void *buf,
                uint64_t len, blk_cb *cb, void *opaque);
/* Scatter/gather form of READ and WRITE: len bytes between off and the
 * iovecs (guest RAM: no bounce copy); iov must stay valid until cb. */
void blk_submitv(struct blk *b, enum blk_op op, uint64_t off,
                 const struct iovec *iov, int niov, blk_cb *cb, void *opaque);
/* A read done at once in the caller's thread when it cannot block (page
 * cache hit, node not busy): 0 and accounted, no callback.  Otherwise
 * nothing happened and the caller submits it as usual. */
int blk_try_readv_now(struct blk *b, uint64_t off, const struct iovec *iov,
                      int niov);
/* Synchronous variant (machine setup, tests). */
int blk_pread(struct blk *b, uint64_t off, void *buf, uint64_t len);
int blk_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len);
/* Wait for every request in flight to complete (reset, exit). */
void blk_drain_all(void);

/* HMP commit: copy what the top image of b holds into its backing file
 * (the -snapshot overlay into the image under it). */
struct err;
int blk_commit(struct blk *b, struct err **errp);

int blk_parse_error_action(const char *s, enum blk_err_action *out);
const char *blk_error_action_name(enum blk_err_action a);

#endif
