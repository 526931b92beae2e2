/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iscsi.c - the "iscsi" protocol: a LUN of an iSCSI target through libiscsi
 * (qemu-6.2 manual "Device URL Syntax", -blockdev driver=iscsi; SCSI
 * commands per SBC-3).  The URL is split by libiscsi's own parser, which
 * also reads LIBISCSI_CHAP_USERNAME/PASSWORD; -iscsi settings come from
 * iscsi-opts.c.
 *
 * Node I/O in hemu is synchronous and runs in the block worker threads
 * (blk-backend.c), so this driver uses libiscsi's synchronous calls there
 * instead of putting libiscsi's fd in the main loop.  Several workers may
 * read and write one node at once (netblk_concurrent()): each request
 * takes a session of its own from a small pool (a second login to the
 * same target, made when the others are busy), so that several commands
 * are in flight as QEMU keeps them; a session is only ever touched by the
 * thread that took it.  A request that times
 * out (timeout=, libiscsi's per-PDU timer) or loses the connection makes
 * the session reconnect and the request is issued again; UNIT ATTENTION
 * after a reconnect is retried too.
 *
 * Capabilities come from READ CAPACITY(16) (LBPME), the Block Limits and
 * Logical Block Provisioning VPD pages, and MODE SENSE(6)'s WP bit:
 * UNMAP for discard when LBPU, WRITE SAME(16) for zeroes when the LUN
 * takes it (dropped for good after ILLEGAL REQUEST), SYNCHRONIZE CACHE(16)
 * for flush.  Byte requests that are not block aligned are bounced
 * (read-modify-write for writes).
 */
#include "emu/osdep.h"

#include <limits.h>

#include <poll.h>
#include <pthread.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "block-protocols/block.h"
#include "block-protocols/iscsi-aio.h"
#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define MAX_TRIES 8
#define MAX_XFER (4u << 20)     /* cap per command, below any MaxBurst issue */

/* One session (login) to the LUN; the node has up to MAX_CONNS. */
struct iscsi_state {
    struct iscsi_context *ctx;
    int lun;
    uint32_t block_size;
    uint64_t num_blocks;
    uint32_t max_xfer;          /* bytes per READ/WRITE */
    uint32_t max_unmap;         /* blocks per UNMAP descriptor, 0: none */
    uint64_t max_ws;            /* blocks per WRITE SAME, 0: unlimited */
    bool lbpu, lbpws, lbprz, ws_broken, no_flush;
    char *where;                /* URL without password, for messages */
};

#define MAX_CONNS 4

/* What a node keeps to log in again, and its pool of sessions. */
struct iscsi_node {
    struct iscsi_state *conn[MAX_CONNS];
    bool busy[MAX_CONNS];
    int nconn;
    bool connecting, no_more;   /* a login under way / one failed */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Writes of partial blocks (read-modify-write) exclusively, whole
     * block writes shared. */
    pthread_rwlock_t rmw;
    struct iscsi_addr a;
    struct iscsi_params p;
    uint64_t peak;              /* most sessions busy at once (tests) */
    struct iscsi_aio *aio;      /* the main loop's session (iscsi-aio.c) */
};

/* Split an iscsi:// URL with libiscsi's parser. */
int iscsi_addr_parse(const char *url, struct iscsi_addr *a, struct err **errp)
{
    memset(a, 0, sizeof(*a));
    struct iscsi_context *tmp = iscsi_create_context("iqn.2008-11.org.linux-kvm");
    if (!tmp) {
        err_setf(errp, "iSCSI: out of memory");
        return -1;
    }
    struct iscsi_url *u = iscsi_parse_full_url(tmp, url);
    if (!u) {
        err_setf(errp, "Failed to parse URL : %s", iscsi_get_error(tmp));
        iscsi_destroy_context(tmp);
        return -1;
    }
    /* libiscsi takes the LUN with atoi() and an empty target as given. */
    if (u->lun < 0 || !u->target[0] || !u->portal[0]) {
        err_setf(errp, "Failed to parse URL : %s",
                 u->lun < 0 ? "invalid LUN" : "no target or portal");
        explicit_bzero(u->passwd, sizeof(u->passwd));
        iscsi_destroy_url(u);
        iscsi_destroy_context(tmp);
        return -1;
    }
    a->portal = xstrdup(u->portal);
    a->target = xstrdup(u->target);
    a->lun = u->lun;
    if (u->user[0]) {
        a->user = xstrdup(u->user);
        a->password = xstrdup(u->passwd);
    }
    explicit_bzero(u->passwd, sizeof(u->passwd));
    iscsi_destroy_url(u);
    iscsi_destroy_context(tmp);
    return 0;
}

void iscsi_addr_free(struct iscsi_addr *a)
{
    free(a->portal);
    free(a->target);
    free(a->user);
    if (a->password) {
        explicit_bzero(a->password, strlen(a->password));
    }
    free(a->password);
    memset(a, 0, sizeof(*a));
}

/* The node's address: a URL (filename=) or the QAPI keys
 * transport=tcp,portal=,target=,lun=. */
static int node_addr(struct kvlist *kv, struct iscsi_addr *a,
                     struct err **errp)
{
    const char *fn = kv_str(kv, "filename", NULL);
    if (fn) {
        return iscsi_addr_parse(fn, a, errp);
    }
    const char *tr = kv_str(kv, "transport", "tcp");
    const char *portal = kv_str(kv, "portal", NULL);
    const char *target = kv_str(kv, "target", NULL);
    struct err *e = NULL;
    uint64_t lun = kv_uint(kv, "lun", 0, &e);
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (strcmp(tr, "tcp")) {
        err_setf(errp, "iSCSI: transport '%s' is not supported", tr);
        return -1;
    }
    if (!portal || !target) {
        err_setf(errp, "Parameter '%s' is required", portal ? "target"
                                                             : "portal");
        return -1;
    }
    if (lun > INT_MAX) {
        err_setf(errp, "Parameter 'lun' is out of range");
        return -1;
    }
    memset(a, 0, sizeof(*a));
    a->portal = xstrdup(portal);
    a->target = xstrdup(target);
    a->lun = (int)lun;
    return 0;
}

/* The result of a synchronous command: 0, -errno, or 1 to issue it again
 * (after reconnecting when the session broke). */
static int finish(struct iscsi_state *s, struct scsi_task *t, int tries)
{
    int r;
    if (t && t->status == SCSI_STATUS_GOOD) {
        r = 0;
    } else if (t && t->status == SCSI_STATUS_CHECK_CONDITION) {
        switch (t->sense.key) {
        case SCSI_SENSE_UNIT_ATTENTION:
            r = tries < MAX_TRIES ? 1 : -EIO;
            break;
        case SCSI_SENSE_DATA_PROTECTION:
            r = -EACCES;
            break;
        case SCSI_SENSE_ILLEGAL_REQUEST:
            r = -EINVAL;
            break;
        default:
            r = -EIO;
        }
    } else {
        /* Timeout, lost connection, or a task that could not be sent. */
        r = -EIO;
        if (tries < MAX_TRIES) {
            warn_report("iSCSI: %s: %s, reconnecting", s->where,
                        t && t->status == SCSI_STATUS_TIMEOUT
                        ? "request timed out" : iscsi_get_error(s->ctx));
            if (iscsi_reconnect_sync(s->ctx) == 0) {
                r = 1;
            }
        }
    }
    if (t) {
        scsi_free_scsi_task(t);
    }
    return r;
}

/* One synchronous READ(16)/WRITE(16) of at most max_xfer bytes, with the
 * retries of finish(). */
static int rw_one(struct iscsi_state *s, bool write, uint64_t lba, void *buf,
                  size_t n)
{
    for (int tries = 0;; tries++) {
        struct scsi_task *t;
        if (write) {
            t = iscsi_write16_sync(s->ctx, s->lun, lba, buf, (uint32_t)n,
                                   (int)s->block_size, 0, 0, 0, 0, 0);
        } else {
            struct scsi_iovec iov = { .iov_base = buf, .iov_len = n };
            t = iscsi_read16_iov_sync(s->ctx, s->lun, lba, (uint32_t)n,
                                      (int)s->block_size, 0, 0, 0, 0, 0,
                                      &iov, 1);
        }
        int r = finish(s, t, tries);
        if (r != 1) {
            return r;
        }
    }
}

/* A big request goes out as several commands at once (the target works
 * on them in parallel, as it would for QEMU's concurrent requests), with
 * libiscsi's asynchronous calls driven by poll() right here in the
 * worker.  Whatever does not come back GOOD is redone synchronously,
 * which brings the timeout/reconnect handling of finish(). */
#define PIECE (256 * 1024)
#define MAX_PIECES 16

struct piece {
    uint64_t lba;
    uint8_t *buf;
    size_t len;
    struct scsi_iovec iov;
    bool sent, done, good;
};

static void piece_cb(struct iscsi_context *ctx, int status, void *data,
                     void *opaque)
{
    struct piece *p = opaque;
    p->done = true;
    p->good = status == SCSI_STATUS_GOOD;
    if (data) {
        scsi_free_scsi_task(data);
    }
}

static int rw_parallel(struct iscsi_state *s, bool write, uint64_t lba,
                       uint8_t *buf, size_t len)
{
    struct piece pc[MAX_PIECES];
    size_t piece = MAX(PIECE - PIECE % s->block_size, s->block_size);
    int n = 0, pending = 0;
    while (len && n < MAX_PIECES) {
        struct piece *p = &pc[n++];
        *p = (struct piece){ .lba = lba, .buf = buf, .len = MIN(len, piece) };
        p->iov = (struct scsi_iovec){ .iov_base = p->buf, .iov_len = p->len };
        struct scsi_task *t = write
            ? iscsi_write16_iov_task(s->ctx, s->lun, p->lba, NULL,
                                     (uint32_t)p->len, (int)s->block_size,
                                     0, 0, 0, 0, 0, piece_cb, p, &p->iov, 1)
            : iscsi_read16_iov_task(s->ctx, s->lun, p->lba, (uint32_t)p->len,
                                    (int)s->block_size, 0, 0, 0, 0, 0,
                                    piece_cb, p, &p->iov, 1);
        p->sent = t != NULL;
        pending += p->sent;
        lba += p->len / s->block_size;
        buf += p->len;
        len -= p->len;
    }
    /* Until every callback has run: libiscsi re-sends in-flight commands
     * itself after a reconnect, and pc[] must outlive them.  A command
     * that times out (timeout=) completes with SCSI_STATUS_TIMEOUT. */
    while (pending) {
        struct pollfd pfd = { .fd = iscsi_get_fd(s->ctx),
                              .events = (short)iscsi_which_events(s->ctx) };
        int pr = pfd.events ? poll(&pfd, 1, 1000) : (usleep(100000), 0);
        /* revents 0 still runs libiscsi's timeout scan. */
        if (iscsi_service(s->ctx, pr > 0 ? pfd.revents : 0) < 0) {
            usleep(100000);     /* libiscsi reconnects on its own */
        }
        pending = 0;
        for (int i = 0; i < n; i++) {
            pending += pc[i].sent && !pc[i].done;
        }
    }
    for (int i = 0; i < n; i++) {
        if (!pc[i].good) {
            int r = rw_one(s, write, pc[i].lba, pc[i].buf, pc[i].len);
            if (r < 0) {
                return r;
            }
        }
    }
    if (len) {
        return rw_parallel(s, write, lba, buf, len);
    }
    return 0;
}

static int rw_blocks(struct iscsi_state *s, bool write, uint64_t lba,
                     void *buf, size_t len)
{
    if (len > PIECE) {
        return rw_parallel(s, write, lba, buf, len);
    }
    return rw_one(s, write, lba, buf, len);
}

static int check_range(struct iscsi_state *s, uint64_t off, uint64_t len)
{
    uint64_t size = s->num_blocks * s->block_size;
    return off > size || len > size - off ? -EIO : 0;
}

/* Byte access over block I/O: the aligned middle goes straight to buf,
 * partial head and tail blocks through a bounce block. */
static int rw_bytes(struct iscsi_state *s, bool write, uint64_t off,
                    uint8_t *buf, size_t len)
{
    uint32_t bsz = s->block_size;
    if (check_range(s, off, len) < 0) {
        return -EIO;
    }
    uint8_t *tmp = NULL;
    int r = 0;
    while (len && r >= 0) {
        uint64_t head = off % bsz;
        if (head || len < bsz) {
            size_t n = MIN(len, (size_t)(bsz - head));
            if (!tmp) {
                tmp = xmalloc(bsz);
            }
            r = rw_blocks(s, false, off / bsz, tmp, bsz);
            if (r >= 0) {
                if (write) {
                    memcpy(tmp + head, buf, n);
                    r = rw_blocks(s, true, off / bsz, tmp, bsz);
                } else {
                    memcpy(buf, tmp + head, n);
                }
            }
            off += n;
            buf += n;
            len -= n;
        } else {
            size_t n = len - len % bsz;
            r = rw_blocks(s, write, off / bsz, buf, n);
            off += n;
            buf += n;
            len -= n;
        }
    }
    free(tmp);
    return r;
}

/* Take a session for one request: an idle one, a new login while the
 * pool has room, else wait for one to come back. */
static struct iscsi_state *conn_get(struct iscsi_node *n);
static void conn_put(struct iscsi_node *n, struct iscsi_state *s);

static int node_rw(struct bdrv *bs, bool write, uint64_t off, uint8_t *buf,
                   size_t len)
{
    struct iscsi_node *n = bs->opaque;
    uint32_t bsz = n->conn[0]->block_size;
    bool partial = write && (off % bsz || len % bsz);
    if (write) {
        if (partial) {
            pthread_rwlock_wrlock(&n->rmw);
        } else {
            pthread_rwlock_rdlock(&n->rmw);
        }
    }
    struct iscsi_state *s = conn_get(n);
    int r = rw_bytes(s, write, off, buf, len);
    conn_put(n, s);
    if (write) {
        pthread_rwlock_unlock(&n->rmw);
    }
    return r;
}

static int iscsi_pread(struct bdrv *bs, uint64_t off, void *buf, size_t len)
{
    return node_rw(bs, false, off, buf, len);
}

static int iscsi_pwrite(struct bdrv *bs, uint64_t off, const void *buf,
                        size_t len)
{
    /* libiscsi only reads the data out buffer. */
    return node_rw(bs, true, off, (uint8_t *)(uintptr_t)buf, len);
}

static int flush_one(struct bdrv *bs, struct iscsi_state *s)
{
    if (s->no_flush || bs->read_only) {
        return 0;
    }
    /* SYNCHRONIZE CACHE covers the LUN, whichever session wrote. */
    for (int tries = 0;; tries++) {
        struct scsi_task *t = iscsi_synchronizecache16_sync(s->ctx, s->lun,
                                                            0, 0, 0, 0);
        int r = finish(s, t, tries);
        if (r != 1) {
            return r;
        }
    }
}

static int iscsi_flush(struct bdrv *bs)
{
    struct iscsi_node *n = bs->opaque;
    struct iscsi_state *s = conn_get(n);
    int r = flush_one(bs, s);
    conn_put(n, s);
    return r;
}

static int discard_one(struct iscsi_state *s, uint64_t off, uint64_t len)
{
    if (!s->lbpu || check_range(s, off, len) < 0) {
        return s->lbpu ? -EIO : 0;  /* discard is advisory */
    }
    /* Only whole blocks can be unmapped. */
    uint64_t lba = (off + s->block_size - 1) / s->block_size;
    uint64_t end = (off + len) / s->block_size;
    while (lba < end) {
        uint32_t n = (uint32_t)MIN(end - lba, (uint64_t)(s->max_unmap
                                   ? s->max_unmap : 0xffffffffu));
        struct unmap_list l = { .lba = lba, .num = n };
        int r;
        for (int tries = 0;; tries++) {
            r = finish(s, iscsi_unmap_sync(s->ctx, s->lun, 0, 0, &l, 1),
                       tries);
            if (r != 1) {
                break;
            }
        }
        if (r < 0) {
            return r == -EINVAL ? 0 : r;
        }
        lba += n;
    }
    return 0;
}

static int iscsi_discard(struct bdrv *bs, uint64_t off, uint64_t len)
{
    struct iscsi_node *n = bs->opaque;
    struct iscsi_state *s = conn_get(n);
    int r = discard_one(s, off, len);
    conn_put(n, s);
    return r;
}

static int zeroes_one(struct iscsi_state *s, uint64_t off, uint64_t len,
                      bool may_unmap)
{
    if (s->ws_broken || off % s->block_size || len % s->block_size) {
        return -ENOTSUP;    /* block.c writes zero buffers instead */
    }
    if (check_range(s, off, len) < 0) {
        return -EIO;
    }
    /* Unmapping only yields zeroes where the LUN says so (LBPRZ). */
    int unmap = may_unmap && s->lbpws && s->lbprz;
    uint8_t *zero = xzalloc(s->block_size);
    uint64_t lba = off / s->block_size, nb = len / s->block_size;
    uint64_t chunk = s->max_ws ? s->max_ws : 65536;
    int r = 0;
    while (nb && r >= 0) {
        uint32_t n = (uint32_t)MIN(nb, chunk);
        for (int tries = 0;; tries++) {
            r = finish(s, iscsi_writesame16_sync(s->ctx, s->lun, lba, zero,
                                                 s->block_size, n, 0, unmap,
                                                 0, 0), tries);
            if (r != 1) {
                break;
            }
        }
        lba += n;
        nb -= n;
    }
    free(zero);
    if (r == -EINVAL) {
        s->ws_broken = true;    /* the LUN has no WRITE SAME(16) */
        return -ENOTSUP;
    }
    return r;
}

static int iscsi_pwrite_zeroes(struct bdrv *bs, uint64_t off, uint64_t len,
                               bool may_unmap)
{
    struct iscsi_node *n = bs->opaque;
    pthread_rwlock_wrlock(&n->rmw);
    struct iscsi_state *s = conn_get(n);
    int r = zeroes_one(s, off, len, may_unmap);
    conn_put(n, s);
    pthread_rwlock_unlock(&n->rmw);
    return r;
}

static int64_t iscsi_getlength(struct bdrv *bs)
{
    struct iscsi_state *s = ((struct iscsi_node *)bs->opaque)->conn[0];
    return (int64_t)(s->num_blocks * s->block_size);
}

/* One synchronous command at open, with retries; the task stays the
 * caller's to free. */
static struct scsi_task *open_cmd(struct iscsi_state *s, int which,
                                  int page)
{
    for (int tries = 0; tries < MAX_TRIES; tries++) {
        struct scsi_task *t = NULL;
        switch (which) {
        case 0:
            t = iscsi_readcapacity16_sync(s->ctx, s->lun);
            break;
        case 1:
            t = iscsi_readcapacity10_sync(s->ctx, s->lun, 0, 0);
            break;
        case 2:
            t = iscsi_inquiry_sync(s->ctx, s->lun, page != 0, page, 255);
            break;
        case 3:
            t = iscsi_modesense6_sync(s->ctx, s->lun, 1, SCSI_MODESENSE_PC_CURRENT,
                                      SCSI_MODEPAGE_RETURN_ALL_PAGES, 0, 255);
            break;
        }
        if (t && t->status == SCSI_STATUS_CHECK_CONDITION &&
            t->sense.key == SCSI_SENSE_UNIT_ATTENTION) {
            scsi_free_scsi_task(t);
            continue;
        }
        if (t && t->status != SCSI_STATUS_GOOD) {
            scsi_free_scsi_task(t);
            t = NULL;
        }
        return t;
    }
    return NULL;
}

static int read_geometry(struct iscsi_state *s, struct err **errp)
{
    struct scsi_task *t = open_cmd(s, 2, 0);
    struct scsi_inquiry_standard *inq = t ? scsi_datain_unmarshall(t) : NULL;
    if (!inq) {
        err_setf(errp, "iSCSI: failed to send inquiry command: %s",
                 iscsi_get_error(s->ctx));
        goto fail;
    }
    if (inq->device_type != SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS &&
        inq->device_type != SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_MMC) {
        err_setf(errp, "iSCSI: LUN %d is a SCSI device of type %d, not a "
                 "disk or CD-ROM", s->lun, inq->device_type);
        goto fail;
    }
    scsi_free_scsi_task(t);

    bool ok = false;
    t = open_cmd(s, 0, 0);
    struct scsi_readcapacity16 *rc16 = t ? scsi_datain_unmarshall(t) : NULL;
    if (rc16) {
        s->block_size = rc16->block_length;
        s->num_blocks = rc16->returned_lba + 1;
        s->lbprz = rc16->lbprz;
        s->lbpu = rc16->lbpme;  /* refined by the LBP page below */
        s->lbpws = rc16->lbpme;
        ok = true;
    }
    if (t) {
        scsi_free_scsi_task(t);
    }
    if (!ok) {
        t = open_cmd(s, 1, 0);
        struct scsi_readcapacity10 *rc10 = t ? scsi_datain_unmarshall(t) : NULL;
        if (rc10) {
            s->block_size = rc10->block_size;
            s->num_blocks = rc10->lba ? (uint64_t)rc10->lba + 1 : 0;
            ok = true;
        }
        if (t) {
            scsi_free_scsi_task(t);
        }
    }
    t = NULL;
    if (!ok) {
        err_setf(errp, "iSCSI: failed to send readcapacity command: %s",
                 iscsi_get_error(s->ctx));
        return -1;
    }
    if (s->block_size < 512 || s->block_size > 65536 ||
        (s->block_size & (s->block_size - 1))) {
        err_setf(errp, "iSCSI: unsupported block size %u", s->block_size);
        return -1;
    }
    if (s->num_blocks > (UINT64_MAX >> 17)) {
        err_setf(errp, "iSCSI: LUN reports an impossible size");
        return -1;
    }
    s->max_xfer = MAX_XFER - MAX_XFER % s->block_size;

    /* Optional pages: absent ones leave the defaults. */
    t = open_cmd(s, 2, SCSI_INQUIRY_PAGECODE_BLOCK_LIMITS);
    struct scsi_inquiry_block_limits *bl = t ? scsi_datain_unmarshall(t) : NULL;
    if (bl) {
        if (bl->max_xfer_len &&
            (uint64_t)bl->max_xfer_len * s->block_size < s->max_xfer) {
            s->max_xfer = bl->max_xfer_len * s->block_size;
        }
        s->max_unmap = bl->max_unmap == 0xffffffffu ? 0 : bl->max_unmap;
        s->max_ws = bl->max_ws_len;
    }
    if (t) {
        scsi_free_scsi_task(t);
    }
    if (s->lbpu) {
        t = open_cmd(s, 2, SCSI_INQUIRY_PAGECODE_LOGICAL_BLOCK_PROVISIONING);
        struct scsi_inquiry_logical_block_provisioning *lbp =
            t ? scsi_datain_unmarshall(t) : NULL;
        if (lbp) {
            s->lbpu = lbp->lbpu;
            s->lbpws = lbp->lbpws;
        }
        if (t) {
            scsi_free_scsi_task(t);
        }
    }
    return 0;

fail:
    if (t) {
        scsi_free_scsi_task(t);
    }
    return -1;
}

static bool write_protected(struct iscsi_state *s)
{
    struct scsi_task *t = open_cmd(s, 3, 0);
    struct scsi_mode_sense *ms = t ? scsi_datain_unmarshall(t) : NULL;
    bool wp = ms && (ms->device_specific_parameter & 0x80);
    if (t) {
        scsi_free_scsi_task(t);
    }
    return wp;
}

/* The URL as shown in messages: the password never appears. */
static char *safe_name(const struct iscsi_addr *a)
{
    return xasprintf("iscsi://%s%s%s/%s/%d", a->user ? a->user : "",
                     a->user ? "@" : "", a->portal, a->target, a->lun);
}

/* Log in to the node's LUN (n->a, n->p); NULL with *errp set. */
static struct iscsi_state *conn_new(struct iscsi_node *n, int flags,
                                    struct err **errp)
{
    struct iscsi_state *s = xzalloc(sizeof(*s));
    s->lun = n->a.lun;
    s->where = safe_name(&n->a);
    s->no_flush = flags & BDRV_O_NO_FLUSH;
    s->ctx = iscsi_create_context(n->p.initiator_name);
    if (!s->ctx) {
        err_setf(errp, "iSCSI: Failed to create iSCSI context.");
        goto fail;
    }
    if (iscsi_set_targetname(s->ctx, n->a.target) ||
        iscsi_set_session_type(s->ctx, ISCSI_SESSION_NORMAL) ||
        iscsi_set_header_digest(s->ctx, n->p.header_digest)) {
        err_setf(errp, "iSCSI: %s", iscsi_get_error(s->ctx));
        goto fail;
    }
    /* The URL's (or the environment's) CHAP account wins over -iscsi's. */
    const char *user = n->a.user ? n->a.user : n->p.user;
    const char *pw = n->a.user ? n->a.password : n->p.password;
    if (user && iscsi_set_initiator_username_pwd(s->ctx, user, pw)) {
        err_setf(errp, "iSCSI: Failed to set initiator username and "
                 "password");
        goto fail;
    }
    if (n->p.timeout) {
        iscsi_set_timeout(s->ctx, n->p.timeout);
    }
    if (iscsi_full_connect_sync(s->ctx, n->a.portal, n->a.lun) != 0) {
        err_setf(errp, "iSCSI: Failed to connect to LUN : %s (%s)",
                 iscsi_get_error(s->ctx), s->where);
        goto fail;
    }
    return s;

fail:
    if (s->ctx) {
        iscsi_destroy_context(s->ctx);
    }
    free(s->where);
    free(s);
    return NULL;
}

static void conn_free(struct iscsi_state *s)
{
    if (iscsi_is_logged_in(s->ctx)) {
        iscsi_logout_sync(s->ctx);
    }
    iscsi_destroy_context(s->ctx);
    free(s->where);
    free(s);
}

static struct iscsi_state *conn_get(struct iscsi_node *n)
{
    pthread_mutex_lock(&n->mu);
    for (;;) {
        uint64_t busy = 0;
        for (int i = 0; i < n->nconn; i++) {
            busy += n->busy[i];
        }
        for (int i = 0; i < n->nconn; i++) {
            if (!n->busy[i]) {
                n->busy[i] = true;
                n->peak = MAX(n->peak, busy + 1);
                pthread_mutex_unlock(&n->mu);
                return n->conn[i];
            }
        }
        if (n->nconn < MAX_CONNS && !n->no_more && !n->connecting) {
            n->connecting = true;
            pthread_mutex_unlock(&n->mu);
            struct err *e = NULL;
            struct iscsi_state *s = conn_new(n, n->conn[0]->no_flush
                                             ? BDRV_O_NO_FLUSH : 0, &e);
            if (s) {
                /* The LUN's geometry is the first session's. */
                struct iscsi_state *c0 = n->conn[0];
                s->block_size = c0->block_size;
                s->num_blocks = c0->num_blocks;
                s->max_xfer = c0->max_xfer;
                s->max_unmap = c0->max_unmap;
                s->max_ws = c0->max_ws;
                s->lbpu = c0->lbpu;
                s->lbpws = c0->lbpws;
                s->lbprz = c0->lbprz;
                s->ws_broken = c0->ws_broken;
            }
            err_free(e);    /* the sessions there are carry on */
            pthread_mutex_lock(&n->mu);
            n->connecting = false;
            if (s) {
                n->conn[n->nconn++] = s;
            } else {
                n->no_more = true;
            }
            pthread_cond_broadcast(&n->cv);
            continue;
        }
        pthread_cond_wait(&n->cv, &n->mu);
    }
}

static void conn_put(struct iscsi_node *n, struct iscsi_state *s)
{
    pthread_mutex_lock(&n->mu);
    for (int i = 0; i < n->nconn; i++) {
        if (n->conn[i] == s) {
            n->busy[i] = false;
        }
    }
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
}

static void node_free(struct iscsi_node *n)
{
    iscsi_aio_free(n->aio);
    for (int i = 0; i < n->nconn; i++) {
        conn_free(n->conn[i]);
    }
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    pthread_rwlock_destroy(&n->rmw);
    iscsi_params_free(&n->p);
    iscsi_addr_free(&n->a);
    free(n);
}

static int iscsi_open(struct bdrv *bs, struct kvlist *kv, int flags,
                      struct err **errp)
{
    struct iscsi_node *n = xzalloc(sizeof(*n));
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    pthread_rwlock_init(&n->rmw, NULL);
    if (node_addr(kv, &n->a, errp) < 0) {
        free(n);
        return -1;
    }
    if (iscsi_params_get(n->a.target, kv, &n->p, errp) < 0) {
        iscsi_addr_free(&n->a);
        free(n);
        return -1;
    }
    struct iscsi_state *s = conn_new(n, flags, errp);
    if (!s) {
        node_free(n);
        return -1;
    }
    n->conn[n->nconn++] = s;
    if (read_geometry(s, errp) < 0) {
        node_free(n);
        return -1;
    }
    if (write_protected(s) && (flags & BDRV_O_RDWR)) {
        err_setf(errp, "Block node is read-only: LUN %s is write "
                 "protected", s->where);
        node_free(n);
        return -1;
    }
    bs->opaque = n;
    bs->filename = n->a.user || !kv_has(kv, "filename") ? xstrdup(s->where)
                   : xstrdup(kv_get(kv, "filename"));
    return 0;
}

static void iscsi_close(struct bdrv *bs)
{
    node_free(bs->opaque);
}

struct iscsi_aio **iscsi_aio_slot(struct bdrv *bs)
{
    return &((struct iscsi_node *)bs->opaque)->aio;
}

struct iscsi_context *iscsi_aio_login(struct bdrv *bs, struct iscsi_lun *l)
{
    struct iscsi_node *n = bs->opaque;
    struct iscsi_state *c0 = n->conn[0];
    struct err *e = NULL;
    struct iscsi_state *s = conn_new(n, BDRV_O_NO_FLUSH, &e);
    err_free(e);    /* the worker path carries on */
    if (!s) {
        return NULL;
    }
    *l = (struct iscsi_lun){ .lun = c0->lun, .block_size = c0->block_size,
                             .num_blocks = c0->num_blocks,
                             .max_xfer = c0->max_xfer };
    struct iscsi_context *ctx = s->ctx;
    free(s->where);
    free(s);
    return ctx;
}

uint64_t iscsi_peak_sessions(const struct bdrv *bs)
{
    struct iscsi_node *n = bs->opaque;
    pthread_mutex_lock(&n->mu);
    uint64_t p = n->peak;
    pthread_mutex_unlock(&n->mu);
    return p;
}

static const char *const iscsi_schemes[] = { "iscsi", NULL };

const struct bdrv_ops bdrv_iscsi_ops = {
    .name = "iscsi",
    .is_protocol = true,
    .schemes = iscsi_schemes,
    .open = iscsi_open,
    .close = iscsi_close,
    .pread = iscsi_pread,
    .pwrite = iscsi_pwrite,
    .pwrite_zeroes = iscsi_pwrite_zeroes,
    .discard = iscsi_discard,
    .flush = iscsi_flush,
    .getlength = iscsi_getlength,
};
