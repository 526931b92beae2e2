/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-blockjob.c - QMP block-commit and the block job commands
 * (qemu-6.2 QMP reference, "Block jobs": block-commit, query-block-jobs,
 * block-job-cancel, block-job-complete, block-job-set-speed; events
 * BLOCK_JOB_READY, BLOCK_JOB_COMPLETED, BLOCK_JOB_CANCELLED and
 * JOB_STATUS_CHANGE in the order QEMU sends them).
 *
 * A commit job copies, in 1 MiB steps run from a main-loop timer with the
 * drive's lock held, what the layers from `top` down to (not including)
 * `base` hold into `base` (commit.c does each step).  A backing file is
 * opened read-only, so base is reopened read-write for the job and back
 * when it ends without becoming the active layer.
 *
 * Committing an intermediate layer ends by itself: the layer above top
 * then names base as its backing file and the layers in between leave
 * the chain.  Committing the active layer ("active commit") keeps a map
 * of the 1 MiB chunks the guest writes meanwhile and copies them again;
 * once nothing is left it says BLOCK_JOB_READY and keeps base in step
 * until block-job-complete (base becomes the drive's image) or
 * block-job-cancel (the drive keeps its image; base holds a copy).
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "block-protocols/blk-backend.h"
#include "block-protocols/commit.h"
#include "emu/loop/loop.h"
#include "emu/monitor/event.h"
#include "emu/monitor/qmp-blockjob.h"
#include "emu/monitor/qmp.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define CHUNK BDRV_COMMIT_CHUNK

enum job_status { JOB_RUNNING, JOB_READY };

struct blockjob {
    char *id;
    struct blk *blk;
    struct bdrv *top, *base;
    struct bdrv *above;         /* the layer whose backing is top, or NULL */
    char *backing_name;         /* backing-file: what above will name */
    bool active, base_was_ro;
    enum job_status status;
    uint64_t len, offset;       /* progress as QEMU counts it */
    int64_t speed;              /* bytes/s, 0: unlimited */
    uint64_t size, cursor;
    uint8_t *dirty;             /* one byte per chunk: still to copy */
    uint64_t nchunks, ndirty;   /* under the drive's lock */
    uint8_t *buf;
    struct timer *tick;
    struct blockjob *next;
};

static struct blockjob *jobs;

static const char *arg_str(struct json_object *a, const char *k)
{
    struct json_object *v;
    return json_object_object_get_ex(a, k, &v) ? json_object_get_string(v)
                                               : NULL;
}

static struct blockjob *job_find(const char *id)
{
    for (struct blockjob *j = jobs; j; j = j->next) {
        if (!strcmp(j->id, id)) {
            return j;
        }
    }
    return NULL;
}

static void status_event(struct blockjob *j, const char *status)
{
    struct json_object *d = json_object_new_object();
    json_object_object_add(d, "status", json_object_new_string(status));
    json_object_object_add(d, "id", json_object_new_string(j->id));
    event_emit("JOB_STATUS_CHANGE", d);
}

static struct json_object *job_data(struct blockjob *j)
{
    struct json_object *d = json_object_new_object();
    json_object_object_add(d, "device", json_object_new_string(j->id));
    json_object_object_add(d, "len", json_object_new_int64(j->len));
    json_object_object_add(d, "offset", json_object_new_int64(j->offset));
    json_object_object_add(d, "speed", json_object_new_int64(j->speed));
    json_object_object_add(d, "type", json_object_new_string("commit"));
    return d;
}

/* Guest writes during an active commit (a worker, the drive's lock held). */
static void mark_dirty(void *opaque, uint64_t off, uint64_t len)
{
    struct blockjob *j = opaque;
    if (!len || off >= j->size) {
        return;
    }
    uint64_t last = MIN(off + len - 1, j->size - 1) / CHUNK;
    for (uint64_t c = off / CHUNK; c <= last; c++) {
        if (!j->dirty[c]) {
            j->dirty[c] = 1;
            j->ndirty++;
            j->len += MIN((uint64_t)CHUNK, j->size - c * CHUNK);
        }
    }
}

/* Copy the next dirty chunk; the drive's lock is held. */
static int copy_one(struct blockjob *j, uint64_t *copied)
{
    *copied = 0;
    for (uint64_t n = 0; n < j->nchunks; n++) {
        uint64_t c = (j->cursor + n) % j->nchunks;
        if (!j->dirty[c]) {
            continue;
        }
        j->dirty[c] = 0;
        j->ndirty--;
        j->cursor = c + 1;
        uint64_t off = c * CHUNK, end = MIN(off + CHUNK, j->size);
        while (off < end) {
            uint64_t pnum = 0;
            int r = bdrv_commit_chunk(j->top, j->base, j->base, off,
                                      end - off, j->buf, &pnum);
            if (r < 0) {
                return r;
            }
            if (!pnum) {
                return -EIO;
            }
            off += pnum;
        }
        *copied = end - c * CHUNK;
        j->offset += *copied;
        return 0;
    }
    return 0;
}

static void job_free(struct blockjob *j)
{
    for (struct blockjob **p = &jobs; *p; p = &(*p)->next) {
        if (*p == j) {
            *p = j->next;
            break;
        }
    }
    j->blk->job_busy = false;
    timer_del(j->tick);
    timer_free(j->tick);
    free(j->dirty);
    free(j->buf);
    free(j->backing_name);
    free(j->id);
    free(j);
}

/* Take the layers from top down to base's child out of the chain and
 * close them (not what lies below). */
static void drop_layers(struct bdrv *top, struct bdrv *base)
{
    struct bdrv *b = top;
    while (b && b != base) {
        struct bdrv *next = b->backing;
        b->backing = NULL;
        bdrv_close(b);
        b = next;
    }
}

/* The end of a job: err NULL on success.  pivot: base becomes the
 * drive's image (active commit completed). */
static void job_finish(struct blockjob *j, const char *err, bool cancelled,
                       bool pivot)
{
    struct blk *b = j->blk;
    b->write_notify = NULL;
    b->write_notify_opaque = NULL;
    status_event(j, "waiting");
    status_event(j, "pending");
    struct err *e = NULL;
    if (!err && !cancelled && !j->active) {
        /* The layer above top now reads from base directly. */
        struct bdrv *above = j->above;
        bool ro = above->read_only;
        const char *name = j->backing_name ? j->backing_name
                                           : j->base->filename;
        int r = ro ? bdrv_reopen(above, true, &e) : 0;
        if (r >= 0) {
            r = above->drv->set_backing ?
                above->drv->set_backing(above, name, j->base->drv->name, &e) :
                -1;
        }
        if (ro) {
            struct err *e2 = NULL;
            bdrv_reopen(above, false, &e2);
            err_free(e2);
        }
        if (r < 0) {
            err = e ? e->msg : "could not update the backing file name";
        } else {
            above->backing = j->base;
            drop_layers(j->top, j->base);
        }
    }
    if (pivot) {
        struct bdrv *old = b->root;
        b->root = j->base;
        b->read_only = false;
        drop_layers(old, j->base);
    } else if (j->base_was_ro) {
        struct err *e = NULL;
        bdrv_reopen(j->base, false, &e);
        err_free(e);
    }
    struct json_object *d = job_data(j);
    if (err) {
        json_object_object_add(d, "error", json_object_new_string(err));
    }
    event_emit(cancelled ? "BLOCK_JOB_CANCELLED" : "BLOCK_JOB_COMPLETED", d);
    status_event(j, "concluded");
    status_event(j, "null");
    err_free(e);
    job_free(j);
}

static void job_tick(void *opaque)
{
    struct blockjob *j = opaque;
    struct bdrv *root = j->blk->root;
    uint64_t copied = 0;
    pthread_mutex_lock(&root->lock);
    int r = copy_one(j, &copied);
    if (r >= 0 && !j->ndirty) {
        r = bdrv_flush(j->base);
    }
    bool done = !j->ndirty;
    pthread_mutex_unlock(&root->lock);
    if (r < 0) {
        job_finish(j, strerror(-r), false, false);
        return;
    }
    if (done && !j->active) {
        job_finish(j, NULL, false, false);
        return;
    }
    if (done && j->status == JOB_RUNNING) {
        j->status = JOB_READY;
        status_event(j, "ready");
        event_emit("BLOCK_JOB_READY", job_data(j));
    }
    int64_t delay = 0;
    if (done) {
        delay = 10 * 1000 * 1000;       /* ready: poll for guest writes */
    } else if (j->speed > 0 && copied) {
        delay = (int64_t)(copied * 1000000000.0 / j->speed);
    }
    timer_mod_in(j->tick, delay);
}

/* Stop the guest's I/O and copy what is left (complete, cancel after
 * READY). */
static int sync_rest(struct blockjob *j)
{
    blk_drain_all();
    struct bdrv *root = j->blk->root;
    pthread_mutex_lock(&root->lock);
    int r = 0;
    while (r >= 0 && j->ndirty) {
        uint64_t copied;
        r = copy_one(j, &copied);
    }
    if (r >= 0) {
        r = bdrv_flush(j->base);
    }
    pthread_mutex_unlock(&root->lock);
    return r;
}

/* A layer of b's chain by node-name or file name. */
static struct bdrv *find_layer(struct blk *b, const char *node,
                               const char *file)
{
    for (struct bdrv *x = b->root; x; x = x->backing) {
        if (node && x->node_name && !strcmp(x->node_name, node)) {
            return x;
        }
        if (file) {
            const char *fn = x->file ? x->file->filename : x->filename;
            if ((fn && !strcmp(fn, file)) ||
                (x->filename && !strcmp(x->filename, file))) {
                return x;
            }
        }
    }
    return NULL;
}

int qmp_block_commit(struct qmp_session *s, struct json_object *args,
                     struct json_object **ret, struct err **errp)
{
    const char *dev = arg_str(args, "device");
    struct blk *b = dev ? blk_find(dev) : NULL;
    if (!b) {
        err_setf(errp, "Cannot find device='%s' nor node-name='%s'",
                 dev ? dev : "", dev ? dev : "");
        return -1;
    }
    if (!b->root) {
        err_setf(errp, "Device '%s' has no medium", b->id);
        return -1;
    }
    if (b->read_only) {
        err_setf(errp, "Device '%s' is read-only", b->id);
        return -1;
    }
    const char *id = arg_str(args, "job-id");
    if (!id) {
        id = b->id;
    }
    if (b->job_busy) {
        err_setf(errp, "Node '%s' is busy: block device is in use by block "
                 "job: commit", b->id);
        return -1;
    }
    if (job_find(id)) {
        err_setf(errp, "Job ID '%s' already in use", id);
        return -1;
    }
    const char *on_error = arg_str(args, "on-error");
    if (on_error && strcmp(on_error, "report")) {
        err_setf(errp, "on-error=%s: not supported", on_error);
        return -1;
    }
    struct json_object *v;
    if ((json_object_object_get_ex(args, "auto-finalize", &v) &&
         !json_object_get_boolean(v)) ||
        (json_object_object_get_ex(args, "auto-dismiss", &v) &&
         !json_object_get_boolean(v))) {
        err_setf(errp, "auto-finalize/auto-dismiss=false: not supported");
        return -1;
    }
    if (arg_str(args, "filter-node-name")) {
        err_setf(errp, "filter-node-name: not supported");
        return -1;
    }
    int64_t speed = 0;
    if (json_object_object_get_ex(args, "speed", &v)) {
        speed = json_object_get_int64(v);
        if (speed < 0) {
            err_setf(errp, "Parameter 'speed' expects a non-negative value");
            return -1;
        }
    }
    const char *topn = arg_str(args, "top-node"), *topf = arg_str(args, "top");
    const char *basen = arg_str(args, "base-node"), *basef = arg_str(args, "base");
    if (topn && topf) {
        err_setf(errp, "'top-node' and 'top' are mutually exclusive");
        return -1;
    }
    if (basen && basef) {
        err_setf(errp, "'base-node' and 'base' are mutually exclusive");
        return -1;
    }
    struct bdrv *top = b->root;
    if (topn || topf) {
        top = find_layer(b, topn, topf);
        if (!top) {
            err_setf(errp, "Top image file %s not found", topn ? topn : topf);
            return -1;
        }
    }
    struct bdrv *base = NULL;
    if (basen || basef) {
        for (struct bdrv *x = top->backing; x && !base; x = x->backing) {
            const char *fn = x->file ? x->file->filename : x->filename;
            if ((basen && x->node_name && !strcmp(x->node_name, basen)) ||
                (basef && ((fn && !strcmp(fn, basef)) ||
                           (x->filename && !strcmp(x->filename, basef))))) {
                base = x;
            }
        }
        if (!base) {
            err_setf(errp, "Can't find '%s' below the top image",
                     basen ? basen : basef);
            return -1;
        }
    } else {
        for (struct bdrv *x = top->backing; x; x = x->backing) {
            base = x;
        }
    }
    if (!base) {
        err_setf(errp, "Top image has no backing file to commit into");
        return -1;
    }
    struct bdrv *above = NULL;
    for (struct bdrv *x = b->root; x && x != top; x = x->backing) {
        above = x;
    }
    bool active = top == b->root;
    const char *bfile = arg_str(args, "backing-file");
    if (bfile && active) {
        err_setf(errp, "'backing-file' specified, but 'top' is the active "
                 "layer");
        return -1;
    }
    int64_t size = bdrv_getlength(top);
    int64_t bsize = bdrv_getlength(base);
    if (size < 0 || bsize < 0) {
        err_setf(errp, "Could not get the image sizes");
        return -1;
    }
    bool base_ro = base->read_only;
    if (base_ro && bdrv_reopen(base, true, errp) < 0) {
        return -1;
    }
    if (bsize < size) {
        blk_drain_all();
        pthread_mutex_lock(&b->root->lock);
        int r = bdrv_truncate(base, size, errp);
        pthread_mutex_unlock(&b->root->lock);
        if (r < 0) {
            if (base_ro) {
                struct err *e = NULL;
                bdrv_reopen(base, false, &e);
                err_free(e);
            }
            return -1;
        }
    }
    struct blockjob *j = xzalloc(sizeof(*j));
    j->id = xstrdup(id);
    j->blk = b;
    j->top = top;
    j->base = base;
    j->above = above;
    j->backing_name = bfile ? xstrdup(bfile) : NULL;
    j->active = active;
    j->base_was_ro = base_ro;
    j->speed = speed;
    j->size = size;
    j->nchunks = (size + CHUNK - 1) / CHUNK;
    j->dirty = xmalloc(MAX(j->nchunks, 1));
    memset(j->dirty, 1, MAX(j->nchunks, 1));
    j->ndirty = j->nchunks;
    j->len = size;
    j->buf = xmalloc(CHUNK);
    j->tick = timer_new(CLOCK_RT, job_tick, j);
    j->next = jobs;
    jobs = j;
    b->job_busy = true;
    if (active) {
        /* From here on guest writes are seen; earlier ones are in the
         * all-dirty map already. */
        blk_drain_all();
        pthread_mutex_lock(&b->root->lock);
        b->write_notify = mark_dirty;
        b->write_notify_opaque = j;
        pthread_mutex_unlock(&b->root->lock);
    }
    status_event(j, "created");
    status_event(j, "running");
    timer_mod_in(j->tick, 0);
    return 0;
}

int qmp_query_block_jobs(struct qmp_session *s, struct json_object *args,
                         struct json_object **ret, struct err **errp)
{
    struct json_object *a = json_object_new_array();
    for (struct blockjob *j = jobs; j; j = j->next) {
        struct json_object *o = json_object_new_object();
        bool ready = j->status == JOB_READY;
        json_object_object_add(o, "auto-finalize", json_object_new_boolean(1));
        json_object_object_add(o, "io-status", json_object_new_string("ok"));
        json_object_object_add(o, "device", json_object_new_string(j->id));
        json_object_object_add(o, "auto-dismiss", json_object_new_boolean(1));
        json_object_object_add(o, "busy", json_object_new_boolean(!ready));
        json_object_object_add(o, "len", json_object_new_int64(j->len));
        json_object_object_add(o, "offset", json_object_new_int64(j->offset));
        json_object_object_add(o, "status", json_object_new_string(
            ready ? "ready" : "running"));
        json_object_object_add(o, "paused", json_object_new_boolean(0));
        json_object_object_add(o, "speed", json_object_new_int64(j->speed));
        json_object_object_add(o, "ready", json_object_new_boolean(ready));
        json_object_object_add(o, "type", json_object_new_string("commit"));
        json_object_array_add(a, o);
    }
    *ret = a;
    return 0;
}

static struct blockjob *job_arg(struct json_object *args, struct err **errp)
{
    const char *id = arg_str(args, "device");
    struct blockjob *j = id ? job_find(id) : NULL;
    if (!j) {
        err_set_class(errp, ERR_DEVICE_NOT_ACTIVE, "Block job '%s' not found",
                      id ? id : "");
    }
    return j;
}

int qmp_block_job_cancel(struct qmp_session *s, struct json_object *args,
                         struct json_object **ret, struct err **errp)
{
    struct blockjob *j = job_arg(args, errp);
    if (!j) {
        return -1;
    }
    struct json_object *v;
    bool force = json_object_object_get_ex(args, "force", &v) &&
                 json_object_get_boolean(v);
    if (j->status == JOB_READY && !force) {
        /* As QEMU: a ready job cancelled completes without the pivot. */
        int r = sync_rest(j);
        job_finish(j, r < 0 ? strerror(-r) : NULL, false, false);
        return 0;
    }
    job_finish(j, NULL, true, false);
    return 0;
}

int qmp_block_job_complete(struct qmp_session *s, struct json_object *args,
                           struct json_object **ret, struct err **errp)
{
    struct blockjob *j = job_arg(args, errp);
    if (!j) {
        return -1;
    }
    if (j->status != JOB_READY) {
        err_setf(errp, "Job '%s' in state '%s' cannot accept command verb "
                 "'complete'", j->id,
                 j->status == JOB_RUNNING ? "running" : "ready");
        return -1;
    }
    int r = sync_rest(j);
    job_finish(j, r < 0 ? strerror(-r) : NULL, false, r >= 0);
    return 0;
}

int qmp_block_job_set_speed(struct qmp_session *s, struct json_object *args,
                            struct json_object **ret, struct err **errp)
{
    struct blockjob *j = job_arg(args, errp);
    if (!j) {
        return -1;
    }
    struct json_object *v;
    json_object_object_get_ex(args, "speed", &v);
    int64_t speed = json_object_get_int64(v);
    if (speed < 0) {
        err_setf(errp, "Parameter 'speed' expects a non-negative value");
        return -1;
    }
    j->speed = speed;
    return 0;
}

void block_jobs_cancel_all(void)
{
    while (jobs) {
        job_finish(jobs, NULL, true, false);
    }
}

const struct qmp_arg qmp_block_commit_args[] = {
    { "job-id", QMP_ARG_STR, true }, { "device", QMP_ARG_STR, false },
    { "base-node", QMP_ARG_STR, true }, { "base", QMP_ARG_STR, true },
    { "top-node", QMP_ARG_STR, true }, { "top", QMP_ARG_STR, true },
    { "backing-file", QMP_ARG_STR, true }, { "speed", QMP_ARG_INT, true },
    { "on-error", QMP_ARG_STR, true },
    { "filter-node-name", QMP_ARG_STR, true },
    { "auto-finalize", QMP_ARG_BOOL, true },
    { "auto-dismiss", QMP_ARG_BOOL, true }, { NULL },
};
const struct qmp_arg qmp_block_job_cancel_args[] = {
    { "device", QMP_ARG_STR, false }, { "force", QMP_ARG_BOOL, true },
    { NULL },
};
const struct qmp_arg qmp_block_job_complete_args[] = {
    { "device", QMP_ARG_STR, false }, { NULL },
};
const struct qmp_arg qmp_block_job_set_speed_args[] = {
    { "device", QMP_ARG_STR, false }, { "speed", QMP_ARG_INT, false },
    { NULL },
};
