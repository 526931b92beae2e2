/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iscsi-aio.c - guest reads of an iSCSI LUN in the main loop, the way
 * QEMU drives libiscsi: a session of its own whose fd the main loop
 * watches (iscsi_which_events()/iscsi_service()), READ(16) commands
 * queued by the submitting thread (a vCPU in a virtio notify, big lock
 * held) with libiscsi's asynchronous calls, data straight into the
 * caller's iovecs, and the completion run by the main loop.  No worker
 * thread sits between the guest and the socket (iscsi.c's synchronous
 * path costs two more thread wake-ups per request), and many commands
 * share the session.  Reads up to 128 KiB: bigger ones keep the worker
 * path's several sessions (see MAX_AIO_LEN).  Only the happy path is here: a command that does
 * not end GOOD goes back (-EAGAIN) to the worker path, which has the
 * retries, the sense handling and the messages; a session whose
 * connection fails for good is not used again.  With timeout=, a timer
 * lets libiscsi scan its commands for timeouts while any is out.
 * Everything runs under the big lock.
 */
#include "emu/osdep.h"

#include <poll.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "block-protocols/block.h"
#include "block-protocols/iscsi-aio.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"

#define MAX_INFLIGHT 64
#define MAX_NIOV 1024
/* Bigger reads stay on the worker path: its pool of sessions moves bulk
 * data faster (tgtd serves each session's commands one after another, and
 * libiscsi takes data-in PDUs one main loop pass at a time), while what
 * costs a small read is the latency this path saves.  Measured on
 * loopback tgtd: a guest's 256 KiB sequential reads took 2-4x longer here
 * than on the pool. */
#define MAX_AIO_LEN (128 * 1024)

struct iscsi_aio {
    struct iscsi_context *ctx;
    struct iscsi_lun l;
    int fd;                 /* what the main loop watches, -1: none */
    bool broken;
    int inflight;
    struct timer *tick;
    struct iscsi_aio *next_all;
};

struct aio_cmd {
    struct iscsi_aio *a;
    void (*done)(void *opaque, int ret);
    void *opaque;
    struct scsi_iovec v[];
};

static struct iscsi_aio *all;

static void on_read(void *opaque);
static void on_write(void *opaque);

/* Watch what libiscsi wants now (its fd changes across a reconnect). */
static void watch(struct iscsi_aio *a)
{
    if (a->broken) {
        return;
    }
    int fd = iscsi_get_fd(a->ctx);
    if (a->fd >= 0 && a->fd != fd) {
        loop_set_fd(a->fd, NULL, NULL, NULL);
    }
    a->fd = fd;
    if (fd >= 0) {
        bool out = iscsi_which_events(a->ctx) & POLLOUT;
        loop_set_fd(fd, on_read, out ? on_write : NULL, a);
    }
    if (a->inflight && a->tick && !timer_pending(a->tick)) {
        timer_mod_in(a->tick, 1000000000);
    }
}

/* The session failed for good: what is out goes to the worker path
 * (libiscsi completes each as cancelled when the context goes). */
static void kill_session(struct iscsi_aio *a)
{
    if (a->fd >= 0) {
        loop_set_fd(a->fd, NULL, NULL, NULL);
        a->fd = -1;
    }
    if (a->tick) {
        timer_del(a->tick);
    }
    a->broken = true;
    if (a->ctx) {
        struct iscsi_context *ctx = a->ctx;
        a->ctx = NULL;
        iscsi_destroy_context(ctx);
    }
}

static void service(struct iscsi_aio *a, int revents)
{
    if (a->broken) {
        return;
    }
    if (iscsi_service(a->ctx, revents) < 0) {
        kill_session(a);
        return;
    }
    watch(a);
}

static void on_read(void *opaque)
{
    service(opaque, POLLIN);
}

static void on_write(void *opaque)
{
    service(opaque, POLLOUT);
}

/* libiscsi's timeout scan (timeout=) runs in iscsi_service(). */
static void on_tick(void *opaque)
{
    struct iscsi_aio *a = opaque;
    service(a, 0);
    if (!a->broken && a->inflight) {
        timer_mod_in(a->tick, 1000000000);
    }
}

static void cmd_cb(struct iscsi_context *ctx, int status, void *data,
                   void *opaque)
{
    struct aio_cmd *c = opaque;
    if (data) {
        scsi_free_scsi_task(data);
    }
    c->a->inflight--;
    c->done(c->opaque, status == SCSI_STATUS_GOOD ? 0 : -EAGAIN);
    free(c);
}

static struct iscsi_aio *aio_get(struct bdrv *bs)
{
    struct iscsi_aio **slot = iscsi_aio_slot(bs);
    if (*slot) {
        return (*slot)->broken ? NULL : *slot;
    }
    struct iscsi_aio *a = xzalloc(sizeof(*a));
    *slot = a;
    a->fd = -1;
    a->ctx = iscsi_aio_login(bs, &a->l);
    if (!a->ctx || !a->l.block_size) {
        kill_session(a);
        return NULL;
    }
    a->tick = timer_new(CLOCK_RT, on_tick, a);
    a->next_all = all;
    all = a;
    watch(a);
    loop_notify();      /* the main loop polls the session from now on */
    return a;
}

int iscsi_aio_readv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                    int niov, void (*done)(void *opaque, int ret),
                    void *opaque)
{
    uint64_t len = iov_size(iov, niov);
    struct iscsi_aio *a = aio_get(bs);
    if (!a) {
        return -EAGAIN;
    }
    uint32_t bsz = a->l.block_size;
    uint64_t size = a->l.num_blocks * bsz;
    if (!len || len > MIN(a->l.max_xfer, (uint32_t)MAX_AIO_LEN) || off % bsz || len % bsz ||
        off > size || len > size - off || niov > MAX_NIOV ||
        a->inflight >= MAX_INFLIGHT) {
        return -EAGAIN;
    }
    struct aio_cmd *c = xzalloc(sizeof(*c) + niov * sizeof(c->v[0]));
    c->a = a;
    c->done = done;
    c->opaque = opaque;
    for (int i = 0; i < niov; i++) {
        c->v[i] = (struct scsi_iovec){ .iov_base = iov[i].iov_base,
                                       .iov_len = iov[i].iov_len };
    }
    struct scsi_task *t = iscsi_read16_iov_task(a->ctx, a->l.lun, off / bsz,
                                                (uint32_t)len, (int)bsz,
                                                0, 0, 0, 0, 0, cmd_cb, c,
                                                c->v, niov);
    if (!t) {
        free(c);
        return -EAGAIN;
    }
    a->inflight++;
    /* libiscsi only queues the PDU: write it now, from this thread,
     * rather than one main loop wake-up later; the main loop only needs
     * waking when the socket did not take it all (POLLOUT to watch). */
    service(a, POLLOUT);
    if (!a->broken && (iscsi_which_events(a->ctx) & POLLOUT)) {
        loop_notify();
    }
    return 0;
}

void iscsi_aio_drain_all(void)
{
    for (struct iscsi_aio *a = all; a; a = a->next_all) {
        int64_t until = clock_monotonic_ns() + 30 * 1000000000LL;
        while (!a->broken && a->inflight) {
            struct pollfd p = { .fd = iscsi_get_fd(a->ctx),
                                .events = (short)iscsi_which_events(a->ctx) };
            int r = poll(&p, 1, 100);
            service(a, r > 0 ? p.revents : 0);
            if (!a->broken && a->inflight && clock_monotonic_ns() > until) {
                kill_session(a);    /* a silent target: the workers redo */
            }
        }
    }
}

void iscsi_aio_free(struct iscsi_aio *a)
{
    if (!a) {
        return;
    }
    kill_session(a);
    for (struct iscsi_aio **p = &all; *p; p = &(*p)->next_all) {
        if (*p == a) {
            *p = a->next_all;
            break;
        }
    }
    timer_free(a->tick);
    free(a);
}
