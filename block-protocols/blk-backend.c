/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blk-backend.c - drives for the front ends (see blk-backend.h): a worker
 * pool of eight threads runs the node I/O (each node tree serialised by
 * its root's lock), completions are queued and delivered by one bottom
 * half in the main loop.  A drive whose image is a network protocol that
 * takes concurrent requests (netblk_concurrent(): iSCSI, HTTP...),
 * directly or under raw, lets its plain reads and writes run side by
 * side without the root's lock, so that several are on the wire at once
 * as with QEMU; everything else (flush, discard, zeroes, writethrough,
 * block jobs) waits for them and runs alone, so a flush still follows
 * every write that completed before it.  The error policy follows QEMU's
 * BlockdevOnError: stop pauses the VM in the io-error state, emits
 * BLOCK_IO_ERROR and requeues the request when the VM is resumed.
 */
#include "emu/osdep.h"

#include <json-c/json.h>
#include <pthread.h>

#include "block-protocols/blk-backend.h"
#include "block-protocols/commit.h"
#include "block-protocols/nbd.h"
#include "block-protocols/netblk.h"
#include "emu/loop/loop.h"
#include "emu/monitor/event.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/runstate.h"

#define NR_WORKERS 8

struct blk_req {
    struct blk *b;
    enum blk_op op;
    uint64_t off, len;
    void *buf;
    const struct iovec *iov;    /* blk_submitv: instead of buf */
    int niov;
    blk_cb *cb;
    void *opaque;
    int ret;
    int64_t start_ns;
    struct blk_req *next;
};

static struct blk *all_blks;
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static struct blk_req *pending, **pending_tail = &pending;
static struct blk_req *done, **done_tail = &done;
static int nr_busy, nr_total;
static bool started;
static struct bh *done_bh;

struct blk *blk_new(const char *id, struct bdrv *root)
{
    struct blk *b = xzalloc(sizeof(*b));
    b->id = xstrdup(id);
    b->root = root;
    b->read_only = root ? root->read_only : false;
    b->write_cache = true;
    pthread_rwlock_init(&b->io_lock, NULL);
    struct blk **p = &all_blks;
    while (*p) {
        p = &(*p)->next;
    }
    *p = b;
    return b;
}

struct blk *blk_find(const char *id)
{
    for (struct blk *b = all_blks; b; b = b->next) {
        if (!strcmp(b->id, id)) {
            return b;
        }
    }
    return NULL;
}

struct blk *blk_first(void)
{
    return all_blks;
}

uint64_t blk_getlength(struct blk *b)
{
    return b->root ? b->root->total_size : 0;
}

void blk_attach_medium(struct blk *b, struct bdrv *root)
{
    b->root = root;
    b->tray_open = false;
    if (b->media_changed) {
        b->media_changed(b->dev_opaque, true);
    }
}

void blk_eject_medium(struct blk *b)
{
    blk_drain_all();
    bdrv_close(b->root);
    b->root = NULL;
    b->tray_open = true;
    if (b->media_changed) {
        b->media_changed(b->dev_opaque, false);
    }
}

bool netblk_concurrent(const struct bdrv *bs)
{
    return bs->drv == &bdrv_iscsi_ops || bs->drv == &bdrv_http_ops ||
           bs->drv == &bdrv_https_ops || bs->drv == &bdrv_ftp_ops ||
           bs->drv == &bdrv_ftps_ops ||
           (bs->drv == &bdrv_nbd_ops && nbd_concurrent(bs));
}

/* Whether r may run beside other requests of its drive (see the top). */
static bool run_shared(const struct blk_req *r, struct bdrv *bs)
{
    if (r->op != BLK_READ && r->op != BLK_WRITE) {
        return false;
    }
    if (r->op == BLK_WRITE && (r->b->detect_zeroes || !r->b->write_cache)) {
        return false;
    }
    if (r->b->write_notify || r->b->job_busy) {
        return false;
    }
    if (bs->drv->is_protocol) {
        return netblk_concurrent(bs);
    }
    return !strcmp(bs->drv->name, "raw") && bs->file && !bs->backing &&
           netblk_concurrent(bs->file);
}

static int run_req(struct blk_req *r)
{
    struct bdrv *bs = r->b->root;
    if (!bs) {
        return -ENOMEDIUM;
    }
    if (run_shared(r, bs)) {
        pthread_rwlock_rdlock(&r->b->io_lock);
        int ret;
        if (r->op == BLK_READ) {
            ret = r->iov ? bdrv_preadv(bs, r->off, r->iov, r->niov)
                         : bdrv_pread(bs, r->off, r->buf, r->len);
        } else {
            ret = r->iov ? bdrv_pwritev(bs, r->off, r->iov, r->niov)
                         : bdrv_pwrite(bs, r->off, r->buf, r->len);
        }
        pthread_rwlock_unlock(&r->b->io_lock);
        return ret;
    }
    pthread_rwlock_wrlock(&r->b->io_lock);
    pthread_mutex_lock(&bs->lock);
    int ret;
    switch (r->op) {
    case BLK_READ:
        ret = r->iov ? bdrv_preadv(bs, r->off, r->iov, r->niov)
                     : bdrv_pread(bs, r->off, r->buf, r->len);
        break;
    case BLK_WRITE:
        if (r->b->detect_zeroes && (r->iov ? iov_is_zero(r->iov, r->niov)
                                    : buffer_is_zero(r->buf, r->len))) {
            /* As QEMU: unmap only when both detect-zeroes=unmap and
             * discard=unmap allow it. */
            ret = bdrv_pwrite_zeroes(bs, r->off, r->len,
                                     r->b->detect_zeroes_unmap &&
                                     r->b->discard_unmap);
        } else if (r->iov) {
            ret = bdrv_pwritev(bs, r->off, r->iov, r->niov);
        } else {
            ret = bdrv_pwrite(bs, r->off, r->buf, r->len);
        }
        if (ret >= 0 && !r->b->write_cache) {
            ret = bdrv_flush(bs);   /* writethrough */
        }
        break;
    case BLK_FLUSH:
        ret = bdrv_flush(bs);
        break;
    case BLK_DISCARD:
        ret = r->b->discard_unmap ? bdrv_discard(bs, r->off, r->len) : 0;
        break;
    default:
        ret = bdrv_pwrite_zeroes(bs, r->off, r->len, r->b->discard_unmap);
        break;
    }
    if (r->op != BLK_READ && r->op != BLK_FLUSH && r->b->write_notify) {
        r->b->write_notify(r->b->write_notify_opaque, r->off, r->len);
    }
    pthread_mutex_unlock(&bs->lock);
    pthread_rwlock_unlock(&r->b->io_lock);
    return ret;
}

static void *worker(void *opaque)
{
    pthread_mutex_lock(&q_lock);
    for (;;) {
        while (!pending) {
            pthread_cond_wait(&q_cond, &q_lock);
        }
        struct blk_req *r = pending;
        pending = r->next;
        if (!pending) {
            pending_tail = &pending;
        }
        nr_busy++;
        pthread_mutex_unlock(&q_lock);
        r->ret = run_req(r);
        pthread_mutex_lock(&q_lock);
        nr_busy--;
        r->next = NULL;
        *done_tail = r;
        done_tail = &r->next;
        pthread_cond_broadcast(&idle_cond);
        bh_schedule(done_bh);
    }
    return NULL;
}

static void account(struct blk_req *r)
{
    struct blk_stats *s = &r->b->stats;
    int64_t ns = clock_monotonic_ns() - r->start_ns;
    bool ok = r->ret >= 0;
    switch (r->op) {
    case BLK_READ:
        if (ok) {
            s->rd_bytes += r->len;
            s->rd_ops++;
            s->rd_ns += ns;
        } else {
            s->failed_rd++;
        }
        break;
    case BLK_WRITE:
    case BLK_ZEROES:
        if (ok) {
            s->wr_bytes += r->len;
            s->wr_ops++;
            s->wr_ns += ns;
        } else {
            s->failed_wr++;
        }
        break;
    case BLK_FLUSH:
        if (ok) {
            s->flush_ops++;
            s->flush_ns += ns;
        } else {
            s->failed_flush++;
        }
        break;
    case BLK_DISCARD:
        s->unmap_ops++;
        s->unmap_bytes += r->len;
        break;
    }
}

static void enqueue(struct blk_req *r)
{
    pthread_mutex_lock(&q_lock);
    r->next = NULL;
    *pending_tail = r;
    pending_tail = &r->next;
    pthread_cond_signal(&q_cond);
    pthread_mutex_unlock(&q_lock);
}

static void resume_failed(void *opaque, bool running, enum run_state s)
{
    if (!running) {
        return;
    }
    for (struct blk *b = all_blks; b; b = b->next) {
        while (b->failed) {
            struct blk_req *r = b->failed;
            b->failed = r->next;
            enqueue(r);
        }
    }
}

/* The error policy; true when the request is held for a retry. */
static bool handle_error(struct blk_req *r)
{
    bool is_read = r->op == BLK_READ;
    enum blk_err_action a = is_read ? r->b->rerror : r->b->werror;
    if (a == BLK_ERR_ENOSPC) {
        a = r->ret == -ENOSPC ? BLK_ERR_STOP : BLK_ERR_REPORT;
    }
    const char *action = a == BLK_ERR_STOP ? "stop" :
                         a == BLK_ERR_IGNORE ? "ignore" : "report";
    struct json_object *d = json_object_new_object();
    json_object_object_add(d, "device", json_object_new_string(r->b->id));
    json_object_object_add(d, "node-name", json_object_new_string(
        r->b->node_name ? r->b->node_name : ""));
    json_object_object_add(d, "operation",
                           json_object_new_string(is_read ? "read" : "write"));
    json_object_object_add(d, "action", json_object_new_string(action));
    json_object_object_add(d, "nospace", json_object_new_boolean(r->ret == -ENOSPC));
    json_object_object_add(d, "reason", json_object_new_string(strerror(-r->ret)));
    event_emit("BLOCK_IO_ERROR", d);
    if (a == BLK_ERR_IGNORE) {
        r->ret = 0;
    }
    if (a != BLK_ERR_STOP) {
        return false;
    }
    r->next = r->b->failed;
    r->b->failed = r;
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_IO_ERROR);
    }
    return true;
}

/* A request is done (main loop, big lock): the error policy, the
 * statistics and the front end's callback. */
static void finish(struct blk_req *r)
{
    if (r->ret < 0 && r->ret != -ENOMEDIUM && handle_error(r)) {
        return;
    }
    account(r);
    r->b->inflight--;
    r->cb(r->opaque, r->ret);
    free(r);
}

static void deliver(void *opaque)
{
    pthread_mutex_lock(&q_lock);
    struct blk_req *list = done;
    done = NULL;
    done_tail = &done;
    pthread_mutex_unlock(&q_lock);
    while (list) {
        struct blk_req *r = list;
        list = r->next;
        finish(r);
    }
}

/* A read that netblk_aio_readv() took: -EAGAIN goes to the workers. */
static void aio_done(void *opaque, int ret)
{
    struct blk_req *r = opaque;
    if (ret == -EAGAIN) {
        enqueue(r);
        return;
    }
    r->ret = ret;
    finish(r);
}

/*
 * At exit (quit, SIGTERM, poweroff): let the requests the workers have
 * taken or still queue finish, then flush every image, so that nothing
 * a guest could have been told is done is lost, as QEMU's drain and
 * close at exit.  Completions are not delivered any more (the devices are
 * going away).  Bounded, so that a hung network back end cannot keep the
 * process alive for ever.
 */
static void drain_at_exit(void)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 30;
    pthread_mutex_lock(&q_lock);
    while (pending || nr_busy) {
        if (pthread_cond_timedwait(&idle_cond, &q_lock, &until) == ETIMEDOUT) {
            break;
        }
    }
    pthread_mutex_unlock(&q_lock);
    for (struct blk *b = all_blks; b; b = b->next) {
        struct bdrv *bs = b->root;
        if (bs && !bs->read_only && pthread_mutex_trylock(&bs->lock) == 0) {
            bdrv_flush(bs);
            pthread_mutex_unlock(&bs->lock);
        }
    }
}

/* A forked child has none of the workers (nor their condition variable
 * waiters): it starts a pool of its own if it submits requests. */
static void forget_pool_in_child(void)
{
    pthread_mutex_init(&q_lock, NULL);
    pthread_cond_init(&q_cond, NULL);
    pthread_cond_init(&idle_cond, NULL);
    pending = NULL;
    pending_tail = &pending;
    done = NULL;
    done_tail = &done;
    nr_busy = nr_total = 0;
    started = false;
}

static void start_pool(void)
{
    static bool once;
    if (!once) {
        once = true;
        atexit(drain_at_exit);
        pthread_atfork(NULL, NULL, forget_pool_in_child);
    }
    started = true;
    done_bh = bh_new(deliver, NULL);
    vm_register_state_change(resume_failed, NULL);
    for (int i = 0; i < NR_WORKERS; i++) {
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, worker, NULL) == 0) {
            nr_total++;
        }
        pthread_attr_destroy(&at);
    }
}

void blk_submit(struct blk *b, enum blk_op op, uint64_t off, void *buf,
                uint64_t len, blk_cb *cb, void *opaque)
{
    if (!started) {
        start_pool();
    }
    struct blk_req *r = xzalloc(sizeof(*r));
    r->b = b;
    r->op = op;
    r->off = off;
    r->len = len;
    r->buf = buf;
    r->cb = cb;
    r->opaque = opaque;
    r->start_ns = clock_monotonic_ns();
    b->inflight++;
    enqueue(r);
}

void blk_submitv(struct blk *b, enum blk_op op, uint64_t off,
                 const struct iovec *iov, int niov, blk_cb *cb, void *opaque)
{
    if (!started) {
        start_pool();
    }
    struct blk_req *r = xzalloc(sizeof(*r));
    r->b = b;
    r->op = op;
    r->off = off;
    r->len = iov_size(iov, niov);
    r->iov = iov;
    r->niov = niov;
    r->cb = cb;
    r->opaque = opaque;
    r->start_ns = clock_monotonic_ns();
    b->inflight++;
    /* A network node may read in the main loop, with no worker between
     * the guest and the socket (netblk-aio.c). */
    if (op == BLK_READ && b->root && run_shared(r, b->root) &&
        netblk_aio_readv(b->root, off, iov, niov, aio_done, r) == 0) {
        return;
    }
    enqueue(r);
}

int blk_try_readv_now(struct blk *b, uint64_t off, const struct iovec *iov,
                      int niov)
{
    struct bdrv *bs = b->root;
    if (!bs || pthread_mutex_trylock(&bs->lock)) {
        return -EAGAIN;
    }
    int64_t t0 = clock_monotonic_ns();
    int r = bdrv_preadv_nowait(bs, off, iov, niov);
    pthread_mutex_unlock(&bs->lock);
    if (r >= 0) {
        b->stats.rd_bytes += iov_size(iov, niov);
        b->stats.rd_ops++;
        b->stats.rd_ns += clock_monotonic_ns() - t0;
    }
    return r;
}

int blk_pread(struct blk *b, uint64_t off, void *buf, uint64_t len)
{
    if (!b->root) {
        return -ENOMEDIUM;
    }
    pthread_mutex_lock(&b->root->lock);
    int r = bdrv_pread(b->root, off, buf, len);
    pthread_mutex_unlock(&b->root->lock);
    return r;
}

int blk_pwrite(struct blk *b, uint64_t off, const void *buf, uint64_t len)
{
    if (!b->root) {
        return -ENOMEDIUM;
    }
    if (b->read_only) {
        return -EROFS;
    }
    pthread_mutex_lock(&b->root->lock);
    int r = bdrv_pwrite(b->root, off, buf, len);
    if (r >= 0 && b->write_notify) {
        b->write_notify(b->write_notify_opaque, off, len);
    }
    if (r >= 0 && !b->write_cache) {
        r = bdrv_flush(b->root);
    }
    pthread_mutex_unlock(&b->root->lock);
    return r;
}

void blk_drain_all(void)
{
    if (!started) {
        return;
    }
    netblk_aio_drain();
    pthread_mutex_lock(&q_lock);
    while (pending || nr_busy) {
        pthread_cond_wait(&idle_cond, &q_lock);
    }
    pthread_mutex_unlock(&q_lock);
    deliver(NULL);
}

int blk_commit(struct blk *b, struct err **errp)
{
    struct bdrv *top = b->root;
    if (!top) {
        err_setf(errp, "Device '%s' has no medium", b->id);
        return -1;
    }
    if (!top->backing) {
        err_setf(errp, "Device '%s' has no backing file to commit to", b->id);
        return -1;
    }
    struct bdrv *base = top->backing;
    if (b->job_busy) {
        err_setf(errp, "Device '%s' is busy: a block job runs on it", b->id);
        return -1;
    }
    /* A backing file is open read-only: writable for the copy only. */
    bool ro = base->read_only;
    if (ro && bdrv_reopen(base, true, errp) < 0) {
        return -1;
    }
    /* The guest's requests in flight finish first; the copy runs with the
     * image locked, so the worker pool waits for it. */
    blk_drain_all();
    pthread_mutex_lock(&top->lock);
    int r = bdrv_commit(top, base, base);
    pthread_mutex_unlock(&top->lock);
    if (ro) {
        struct err *e = NULL;
        bdrv_reopen(base, false, &e);
        err_free(e);
    }
    if (r < 0) {
        err_setf(errp, "Commit of '%s' failed: %s", b->id, strerror(-r));
        return -1;
    }
    /* The overlay keeps its clusters: they hold what the base now holds. */
    return 0;
}

int blk_parse_error_action(const char *s, enum blk_err_action *out)
{
    static const char *const names[] = { "report", "ignore", "stop", "enospc" };
    for (int i = 0; i < 4; i++) {
        if (!strcmp(s, names[i])) {
            *out = i;
            return 0;
        }
    }
    return -1;
}

const char *blk_error_action_name(enum blk_err_action a)
{
    static const char *const names[] = { "report", "ignore", "stop", "enospc" };
    return names[a];
}
