/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd-aio.c - guest reads of an NBD node in the main loop, as QEMU's NBD
 * client does them (NetworkBlockDevice/nbd doc/proto.md "Transmission
 * phase": requests may be pipelined, replies come back in any order,
 * matched by handle).  The thread that submits (a vCPU in a virtio
 * notify, big lock held) writes NBD_CMD_READ on a connection of the
 * node's own, and the main loop reads the replies straight into the
 * caller's iovecs and completes the request there: no worker thread
 * between the guest and the socket (the synchronous path of nbd.c costs
 * two more thread wake-ups per request).  Many reads share the one
 * connection.  Only the happy path is here: anything unusual (an error
 * reply, a lost connection, a protocol violation, a request we cannot
 * map) hands the request back (-EAGAIN) to the worker path, which has the
 * reconnects and the messages; a connection that went wrong is not used
 * again.  Everything runs under the big lock.  The server is not
 * trusted: chunk offsets and lengths are checked against the request.
 */
#include "emu/osdep.h"

#include <poll.h>
#include <sys/socket.h>

#include "block-protocols/block.h"
#include "block-protocols/nbd.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"

#define MAX_INFLIGHT 64
#define MAX_META 65536          /* error and hole chunk payloads */
#define RECV_IOV 64

struct aio_req {
    uint64_t handle, off;
    uint32_t len;
    const struct iovec *iov;
    int niov;
    uint64_t covered;
    bool failed;            /* an error chunk: redo on the worker path */
    void (*done)(void *opaque, int ret);
    void *opaque;
    struct aio_req *next;
};

enum rx_state { RX_MAGIC, RX_HDR, RX_META, RX_DATA };

struct nbd_aio {
    int fd;
    struct nbd_client c;
    bool broken;            /* not used any more (or never connected) */
    struct aio_req *reqs;
    int nreqs;
    uint8_t *sendq;         /* request headers the socket did not take */
    size_t sq_len, sq_cap;
    /* The reply being received. */
    enum rx_state st;
    uint8_t hdr[20];
    size_t got, need;
    struct aio_req *cur;
    uint16_t flags, type;
    uint8_t *meta;
    uint64_t data_at;       /* where in the request the data chunk goes */
    struct nbd_aio *next_all;
};

static struct nbd_aio *all;

static void unlink_req(struct nbd_aio *a, struct aio_req *r)
{
    for (struct aio_req **p = &a->reqs; *p; p = &(*p)->next) {
        if (*p == r) {
            *p = r->next;
            a->nreqs--;
            return;
        }
    }
}

static void complete(struct nbd_aio *a, struct aio_req *r, int ret)
{
    unlink_req(a, r);
    r->done(r->opaque, ret);
    free(r);
}

/* The connection is unusable: every request goes to the worker path. */
static void kill_conn(struct nbd_aio *a)
{
    if (a->fd >= 0) {
        loop_set_fd(a->fd, NULL, NULL, NULL);
        close(a->fd);
        a->fd = -1;
    }
    a->broken = true;
    a->sq_len = 0;
    a->cur = NULL;
    while (a->reqs) {
        complete(a, a->reqs, -EAGAIN);
    }
}

static void on_read(void *opaque);
static void on_write(void *opaque);

static void watch(struct nbd_aio *a)
{
    loop_set_fd(a->fd, on_read, a->sq_len ? on_write : NULL, a);
}

/* Send what is queued; false when the connection broke. */
static bool flush_sendq(struct nbd_aio *a)
{
    size_t done = 0;
    while (done < a->sq_len) {
        ssize_t n = send(a->fd, a->sendq + done, a->sq_len - done,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        }
        if (n <= 0) {
            return false;
        }
        done += n;
    }
    memmove(a->sendq, a->sendq + done, a->sq_len - done);
    a->sq_len -= done;
    return true;
}

static void on_write(void *opaque)
{
    struct nbd_aio *a = opaque;
    if (!flush_sendq(a)) {
        kill_conn(a);
        return;
    }
    watch(a);
}

static struct aio_req *find(struct nbd_aio *a, uint64_t handle)
{
    for (struct aio_req *r = a->reqs; r; r = r->next) {
        if (r->handle == handle) {
            return r;
        }
    }
    return NULL;
}

/* The end of a reply chunk: complete the request on the last one. */
static void chunk_done(struct nbd_aio *a)
{
    struct aio_req *r = a->cur;
    a->st = RX_MAGIC;
    a->got = 0;
    a->need = 4;
    a->cur = NULL;
    if (a->flags & NBD_REPLY_FLAG_DONE) {
        bool ok = !r->failed && r->covered == r->len;
        complete(a, r, ok ? 0 : -EAGAIN);
    }
}

/* Receive into the request's iovecs from byte at of the request. */
static ssize_t recv_iov(struct nbd_aio *a, struct aio_req *r, uint64_t at,
                        size_t len)
{
    struct iovec v[RECV_IOV];
    int n = 0;
    for (int i = 0; i < r->niov && n < RECV_IOV && len; i++) {
        if (at >= r->iov[i].iov_len) {
            at -= r->iov[i].iov_len;
            continue;
        }
        size_t take = MIN(len, r->iov[i].iov_len - at);
        v[n].iov_base = (uint8_t *)r->iov[i].iov_base + at;
        v[n++].iov_len = take;
        len -= take;
        at = 0;
    }
    struct msghdr m = { .msg_iov = v, .msg_iovlen = n };
    return recvmsg(a->fd, &m, MSG_DONTWAIT);
}

static void zero_iov(struct aio_req *r, uint64_t at, uint64_t len)
{
    for (int i = 0; i < r->niov && len; i++) {
        if (at >= r->iov[i].iov_len) {
            at -= r->iov[i].iov_len;
            continue;
        }
        size_t n = MIN(len, r->iov[i].iov_len - at);
        memset((uint8_t *)r->iov[i].iov_base + at, 0, n);
        len -= n;
        at = 0;
    }
}

/* A complete header is in hdr: what comes next.  False: violation. */
static bool got_header(struct nbd_aio *a)
{
    uint32_t magic = be32_get(a->hdr);
    if (magic == NBD_SIMPLE_REPLY_MAGIC) {
        /* Structured replies are negotiated (nbd_aio_readv checks), so a
         * simple reply may only carry an error. */
        struct aio_req *r = find(a, be64_get(a->hdr + 8));
        if (!r || !be32_get(a->hdr + 4)) {
            return false;
        }
        complete(a, r, -EAGAIN);
        a->st = RX_MAGIC;
        a->got = 0;
        a->need = 4;
        return true;
    }
    a->flags = be16_get(a->hdr + 4);
    a->type = be16_get(a->hdr + 6);
    a->cur = find(a, be64_get(a->hdr + 8));
    uint32_t clen = be32_get(a->hdr + 16);
    if (!a->cur) {
        return false;
    }
    a->got = 0;
    switch (a->type) {
    case NBD_REPLY_TYPE_NONE:
        if (clen || !(a->flags & NBD_REPLY_FLAG_DONE)) {
            return false;
        }
        chunk_done(a);
        return true;
    case NBD_REPLY_TYPE_OFFSET_DATA:
        if (clen <= 8) {
            return false;
        }
        a->st = RX_META;    /* the offset, then the data (RX_DATA) */
        a->need = 8;
        a->data_at = clen - 8;  /* the data's length until the offset is in */
        return true;
    case NBD_REPLY_TYPE_OFFSET_HOLE:
        if (clen != 12) {
            return false;
        }
        break;
    default:
        if (!(a->type & 0x8000) || clen > MAX_META) {
            return false;   /* block status to a read, or nonsense */
        }
        a->cur->failed = true;  /* an error: the worker path reports it */
        break;
    }
    a->st = RX_META;
    a->need = clen;
    if (!clen) {
        chunk_done(a);
    }
    return true;
}

/* The small payload of a chunk is in meta.  False: violation. */
static bool got_meta(struct nbd_aio *a)
{
    struct aio_req *r = a->cur;
    if (a->type == NBD_REPLY_TYPE_OFFSET_DATA) {
        uint64_t coff = be64_get(a->meta), n = a->data_at;
        if (coff < r->off || coff - r->off > r->len ||
            n > r->len - (coff - r->off)) {
            return false;
        }
        a->data_at = coff - r->off;
        a->st = RX_DATA;
        a->got = 0;
        a->need = n;
        return true;
    }
    if (a->type == NBD_REPLY_TYPE_OFFSET_HOLE) {
        uint64_t coff = be64_get(a->meta), n = be32_get(a->meta + 8);
        if (!n || coff < r->off || coff - r->off > r->len ||
            n > r->len - (coff - r->off)) {
            return false;
        }
        zero_iov(r, coff - r->off, n);
        r->covered += n;
    }
    chunk_done(a);
    return true;
}

static void on_read(void *opaque)
{
    struct nbd_aio *a = opaque;
    for (;;) {
        ssize_t n;
        if (a->st == RX_DATA) {
            n = recv_iov(a, a->cur, a->data_at + a->got, a->need - a->got);
        } else {
            uint8_t *dst = a->st == RX_META ? a->meta : a->hdr;
            n = recv(a->fd, dst + a->got, a->need - a->got, MSG_DONTWAIT);
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (n <= 0) {
            kill_conn(a);
            return;
        }
        a->got += n;
        if (a->got < a->need) {
            continue;
        }
        bool ok = true;
        switch (a->st) {
        case RX_MAGIC: {
            uint32_t magic = be32_get(a->hdr);
            if (magic == NBD_SIMPLE_REPLY_MAGIC) {
                a->need = 16;
            } else if (magic == NBD_STRUCTURED_REPLY_MAGIC) {
                a->need = 20;
            } else {
                ok = false;
            }
            a->st = RX_HDR;
            break;
        }
        case RX_HDR:
            ok = got_header(a);
            break;
        case RX_META:
            ok = got_meta(a);
            break;
        case RX_DATA:
            a->cur->covered += a->need;
            chunk_done(a);
            break;
        }
        if (!ok) {
            kill_conn(a);
            return;
        }
    }
}

struct nbd_aio *nbd_aio_new(int fd, const struct nbd_export *info)
{
    struct nbd_aio *a = xzalloc(sizeof(*a));
    a->fd = fd;
    a->c.info = *info;
    set_nonblock(a->fd, true);
    a->meta = xmalloc(MAX_META);
    a->st = RX_MAGIC;
    a->need = 4;
    a->next_all = all;
    all = a;
    watch(a);
    return a;
}

static struct nbd_aio *aio_get(struct bdrv *bs)
{
    struct nbd_aio **slot = nbd_aio_slot(bs);
    if (*slot) {
        return (*slot)->broken ? NULL : *slot;
    }
    int fd = -1;
    struct nbd_client c;
    if (nbd_aio_connect(bs, &fd, &c) < 0 || !c.info.structured) {
        if (fd >= 0) {
            close(fd);
        }
        *slot = xzalloc(sizeof(**slot));
        (*slot)->fd = -1;
        (*slot)->broken = true;     /* the worker path for good */
        return NULL;
    }
    *slot = nbd_aio_new(fd, &c.info);
    loop_notify();      /* the main loop polls the new fd from now on */
    return *slot;
}

int nbd_aio_submit(struct nbd_aio *a, uint64_t off, const struct iovec *iov,
                   int niov, void (*done)(void *opaque, int ret),
                   void *opaque)
{
    uint64_t len = iov_size(iov, niov);
    if (a->broken) {
        return -EAGAIN;
    }
    const struct nbd_export *x = &a->c.info;
    uint32_t align = x->min_block ? x->min_block : 1;
    uint32_t max = x->max_block ? x->max_block : NBD_MAX_PAYLOAD;
    if (!len || len > max || off % align || len % align ||
        off > x->size || len > x->size - off || a->nreqs >= MAX_INFLIGHT) {
        return -EAGAIN;
    }
    struct aio_req *r = xzalloc(sizeof(*r));
    *r = (struct aio_req){ .handle = a->c.next_handle++, .off = off,
                           .len = (uint32_t)len, .iov = iov, .niov = niov,
                           .done = done, .opaque = opaque };
    if (a->sq_cap - a->sq_len < 28) {
        a->sq_cap = a->sq_cap * 2 + 28 * 16;
        a->sendq = xrealloc(a->sendq, a->sq_cap);
    }
    uint8_t *q = a->sendq + a->sq_len;
    be32_put(q, NBD_REQUEST_MAGIC);
    be16_put(q + 4, 0);
    be16_put(q + 6, NBD_CMD_READ);
    be64_put(q + 8, r->handle);
    be64_put(q + 16, off);
    be32_put(q + 24, (uint32_t)len);
    bool was_empty = !a->sq_len;
    a->sq_len += 28;
    r->next = a->reqs;
    a->reqs = r;
    a->nreqs++;
    if (!flush_sendq(a)) {
        unlink_req(a, r);
        free(r);
        kill_conn(a);
        return -EAGAIN;
    }
    if (was_empty && a->sq_len) {
        watch(a);
        loop_notify();
    }
    return 0;
}

void nbd_aio_input(struct nbd_aio *a)
{
    if (!a->broken) {
        on_read(a);
    }
}

int nbd_aio_readv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                  int niov, void (*done)(void *opaque, int ret), void *opaque)
{
    struct nbd_aio *a = aio_get(bs);
    return a ? nbd_aio_submit(a, off, iov, niov, done, opaque) : -EAGAIN;
}

void nbd_aio_drain_all(void)
{
    for (struct nbd_aio *a = all; a; a = a->next_all) {
        int64_t until = clock_monotonic_ns() + 30 * 1000000000LL;
        while (a->reqs && a->fd >= 0) {
            struct pollfd p = { .fd = a->fd,
                                .events = POLLIN | (a->sq_len ? POLLOUT : 0) };
            int r = poll(&p, 1, 100);
            if (r > 0 && (p.revents & (POLLOUT | POLLERR)) && a->sq_len) {
                on_write(a);
            }
            if (r > 0 && a->fd >= 0 && (p.revents & (POLLIN | POLLHUP |
                                                     POLLERR))) {
                on_read(a);
            }
            if (clock_monotonic_ns() > until) {
                kill_conn(a);   /* a silent server: the workers take over */
            }
        }
    }
}

void nbd_aio_free(struct nbd_aio *a)
{
    if (!a) {
        return;
    }
    kill_conn(a);
    for (struct nbd_aio **p = &all; *p; p = &(*p)->next_all) {
        if (*p == a) {
            *p = a->next_all;
            break;
        }
    }
    free(a->sendq);
    free(a->meta);
    free(a);
}
