/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user.c - -netdev vhost-user,chardev=ID[,queues=1]: the front end of
 * the vhost-user protocol (QEMU's docs/interop/vhost-user.rst) over a unix
 * socket chardev.  At creation hemu negotiates with the back end
 * (GET_FEATURES, GET/SET_PROTOCOL_FEATURES with REPLY_ACK and MQ,
 * SET_OWNER).  When the guest's virtio-net driver sets DRIVER_OK, hemu
 * sends the negotiated features, the memory table (guest RAM from a
 * memory-backend-file/memfd with share=on, its fd passed with SCM_RIGHTS)
 * and each ring (size, base, addresses in hemu's address space, kick and
 * call eventfds, enable).  The guest's notifications are written to the
 * kick eventfd; the back end's call eventfd raises the device interrupt
 * from the main loop.  A device reset takes the rings back with
 * GET_VRING_BASE.  The conversation is synchronous and bounded in time;
 * every reply is checked (vhost-user-msg.c) before use.
 */
#include "emu/osdep.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "emu/chardev/chardev.h"
#include "emu/cli/keyval.h"
#include "emu/hw/virtio/virtio-pci.h"
#include "emu/loop/loop.h"
#include "emu/mem/mem.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"
#include "netdev/vhost-user-msg.h"
#include "netdev/vhost-user.h"

/* How long a back end may take to answer one message. */
#define REPLY_TIMEOUT_MS 30000
#define MAX_RINGS 2

struct vhost_user {
    struct net_client nc;
    struct chardev *chr;
    struct chr_fe *fe;
    int sock;
    bool dead;                  /* the conversation failed: stop talking */
    uint64_t features;          /* the back end's */
    uint64_t protocol_features; /* negotiated */
    struct virtio_pci *vp;
    unsigned nvqs;
    bool started;
    int kick[MAX_RINGS], call[MAX_RINGS];
};

static const struct net_client_ops vu_ops;

/* ---- the socket ---- */

static int wait_fd(int fd, short events, struct err **errp)
{
    struct pollfd p = { .fd = fd, .events = events };
    for (;;) {
        int r = poll(&p, 1, REPLY_TIMEOUT_MS);
        if (r > 0) {
            return 0;
        }
        if (r == 0) {
            err_setf(errp, "vhost-user: the back end did not answer");
            return -1;
        }
        if (errno != EINTR) {
            err_setf(errp, "vhost-user: poll: %s", strerror(errno));
            return -1;
        }
    }
}

static int send_msg(struct vhost_user *vu, const uint8_t *buf, size_t len,
                    const int *fds, unsigned nfds, struct err **errp)
{
    union {
        struct cmsghdr h;
        char b[CMSG_SPACE(sizeof(int) * VU_MAX_REGIONS)];
    } ctl;
    size_t done = 0;
    while (done < len) {
        struct iovec iov = { (void *)(buf + done), len - done };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (nfds && !done) {
            memset(&ctl, 0, sizeof(ctl));
            m.msg_control = ctl.b;
            m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
            struct cmsghdr *c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
            memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
        }
        ssize_t n = sendmsg(vu->sock, &m, MSG_NOSIGNAL);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(vu->sock, POLLOUT, errp) < 0) {
                return -1;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        err_setf(errp, "vhost-user: write to the back end failed: %s",
                 n < 0 ? strerror(errno) : "closed");
        return -1;
    }
    return 0;
}

/* Read exactly len bytes; file descriptors a back end sends along are
 * closed (no reply hemu asks for carries any). */
static int recv_all(struct vhost_user *vu, uint8_t *buf, size_t len,
                    struct err **errp)
{
    size_t done = 0;
    while (done < len) {
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(int) * VU_MAX_REGIONS)];
        } ctl;
        struct iovec iov = { buf + done, len - done };
        struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                            .msg_control = ctl.b,
                            .msg_controllen = sizeof(ctl.b) };
        ssize_t n = recvmsg(vu->sock, &m, MSG_CMSG_CLOEXEC);
        if (n > 0) {
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c;
                 c = CMSG_NXTHDR(&m, c)) {
                if (c->cmsg_level == SOL_SOCKET &&
                    c->cmsg_type == SCM_RIGHTS) {
                    size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                    for (size_t i = 0; i < k; i++) {
                        int fd;
                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
                               sizeof(fd));
                        close(fd);
                    }
                }
            }
            done += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_fd(vu->sock, POLLIN, errp) < 0) {
                return -1;
            }
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        err_setf(errp, "vhost-user: read from the back end failed: %s",
                 n < 0 ? strerror(errno) : "connection closed");
        return -1;
    }
    return 0;
}

/* One reply of 8 payload bytes (all hemu asks for) into buf. */
static int recv_reply(struct vhost_user *vu, uint32_t req, uint8_t *buf,
                      struct err **errp)
{
    if (recv_all(vu, buf, VU_HDR_SIZE, errp) < 0 ||
        vu_check_header(buf, req, 8, errp) < 0 ||
        recv_all(vu, buf + VU_HDR_SIZE, 8, errp) < 0) {
        return -1;
    }
    return 0;
}

static int request_u64(struct vhost_user *vu, uint32_t req, uint64_t *v,
                       struct err **errp)
{
    uint8_t buf[VU_HDR_SIZE + VU_MAX_PAYLOAD];
    size_t len = vu_encode_none(buf, req, 0);
    if (send_msg(vu, buf, len, NULL, 0, errp) < 0 ||
        recv_reply(vu, req, buf, errp) < 0) {
        return -1;
    }
    return vu_parse_u64(buf, VU_HDR_SIZE + 8, req, v, errp);
}

static uint32_t ack_flag(const struct vhost_user *vu)
{
    return vu->protocol_features & (1ULL << VU_PF_REPLY_ACK)
           ? VU_FLAG_NEED_REPLY : 0;
}

/* Send a message that sets something (encoded with ack_flag()), then wait
 * for the back end's acknowledgement when REPLY_ACK was negotiated. */
static int request_set(struct vhost_user *vu, const uint8_t *msg, size_t len,
                       const int *fds, unsigned nfds, struct err **errp)
{
    uint32_t req = msg[0] | msg[1] << 8 | msg[2] << 16 | (uint32_t)msg[3] << 24;
    if (send_msg(vu, msg, len, fds, nfds, errp) < 0) {
        return -1;
    }
    if (!(msg[4] & VU_FLAG_NEED_REPLY)) {
        return 0;
    }
    uint8_t buf[VU_HDR_SIZE + 8];
    uint64_t status;
    if (recv_reply(vu, req, buf, errp) < 0 ||
        vu_parse_u64(buf, sizeof(buf), req, &status, errp) < 0) {
        return -1;
    }
    if (status) {
        err_setf(errp, "vhost-user: the back end refused request %u", req);
        return -1;
    }
    return 0;
}

static int set_u64(struct vhost_user *vu, uint32_t req, uint64_t v,
                   const int *fd, struct err **errp)
{
    uint8_t buf[VU_HDR_SIZE + 8];
    size_t len = vu_encode_u64(buf, req, ack_flag(vu), v);
    return request_set(vu, buf, len, fd, fd ? 1 : 0, errp);
}

static int set_state(struct vhost_user *vu, uint32_t req, uint32_t index,
                     uint32_t num, struct err **errp)
{
    uint8_t buf[VU_HDR_SIZE + 8];
    size_t len = vu_encode_state(buf, req, ack_flag(vu), index, num);
    return request_set(vu, buf, len, NULL, 0, errp);
}

/* ---- the memory table ---- */

struct mem_walk {
    struct vu_region r[VU_MAX_REGIONS];
    int fds[VU_MAX_REGIONS];
    unsigned n;
    bool overflow, unshared;
};

static void add_range(void *opaque, uint64_t base, uint64_t len,
                      struct mem_region *mr, uint64_t off)
{
    struct mem_walk *w = opaque;
    if (!mr->ram || !(mr->flags & MR_RAM)) {
        return;
    }
    if (!mr->has_fd || !mr->shared) {
        w->unshared = true;
        return;
    }
    if (w->n == VU_MAX_REGIONS) {
        w->overflow = true;
        return;
    }
    w->r[w->n] = (struct vu_region){ base, len,
                                     (uint64_t)(uintptr_t)(mr->ram + off),
                                     off };
    w->fds[w->n++] = mr->fd;
}

static void walk_memory(struct vhost_user *vu, struct mem_walk *w)
{
    memset(w, 0, sizeof(*w));
    as_foreach_range(vu->vp->vq[0].as, add_range, w);
}

/* ---- rings ---- */

static void call_cb(void *opaque)
{
    struct vhost_user *vu = opaque;
    for (unsigned i = 0; i < vu->nvqs; i++) {
        uint64_t v;
        if (vu->call[i] >= 0 && read(vu->call[i], &v, sizeof(v)) == 8 &&
            vu->started) {
            virtio_queue_irq(vu->vp, i);
        }
    }
}

static void close_rings(struct vhost_user *vu)
{
    for (unsigned i = 0; i < MAX_RINGS; i++) {
        if (vu->call[i] >= 0) {
            loop_set_fd(vu->call[i], NULL, NULL, NULL);
            close(vu->call[i]);
        }
        if (vu->kick[i] >= 0) {
            close(vu->kick[i]);
        }
        vu->kick[i] = vu->call[i] = -1;
    }
}

static void fail(struct vhost_user *vu, struct err *e)
{
    err_report_err(e);
    vu->dead = true;
    close_rings(vu);
    vu->started = false;
}

static int ring_ptr(struct vhost_user *vu, uint64_t gpa, uint64_t len,
                    const char *what, unsigned q, uint64_t *uaddr,
                    struct err **errp)
{
    uint8_t *p = as_ram_ptr(vu->vp->vq[q].as, gpa, len, true);
    if (!p) {
        err_setf(errp, "vhost-user: ring %u: the %s ring at 0x%" PRIx64
                 " is not in guest RAM", q, what, gpa);
        return -1;
    }
    *uaddr = (uint64_t)(uintptr_t)p;
    return 0;
}

static int start_ring(struct vhost_user *vu, unsigned q, struct err **errp)
{
    struct virtqueue *vq = &vu->vp->vq[q];
    uint64_t desc, avail, used;
    uint8_t buf[VU_HDR_SIZE + VU_MAX_PAYLOAD];
    if (!vq->num) {
        err_setf(errp, "vhost-user: the driver did not set up ring %u", q);
        return -1;
    }
    if (ring_ptr(vu, vq->desc, 16ULL * vq->num, "descriptor", q, &desc,
                 errp) < 0 ||
        ring_ptr(vu, vq->avail, 6 + 2ULL * vq->num, "available", q, &avail,
                 errp) < 0 ||
        ring_ptr(vu, vq->used, 6 + 8ULL * vq->num, "used", q, &used,
                 errp) < 0) {
        return -1;
    }
    vu->kick[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    vu->call[q] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (vu->kick[q] < 0 || vu->call[q] < 0) {
        err_setf(errp, "vhost-user: eventfd: %s", strerror(errno));
        return -1;
    }
    loop_set_fd(vu->call[q], call_cb, NULL, vu);
    size_t len = vu_encode_addr(buf, ack_flag(vu), q, desc, used, avail);
    if (set_state(vu, VU_SET_VRING_NUM, q, vq->num, errp) < 0 ||
        set_state(vu, VU_SET_VRING_BASE, q, vq->last_avail, errp) < 0 ||
        request_set(vu, buf, len, NULL, 0, errp) < 0 ||
        set_u64(vu, VU_SET_VRING_KICK, q, &vu->kick[q], errp) < 0 ||
        set_u64(vu, VU_SET_VRING_CALL, q, &vu->call[q], errp) < 0) {
        return -1;
    }
    return 0;
}

/* The virtio feature bits a back end implements for the rings; hemu
 * offers the guest only these of the back end's (the rest of what
 * virtio-net offers is configuration and control queue, hemu's). */
#define RING_FEATURES (1ULL << 15 /* MRG_RXBUF */ | 1ULL << VIRTIO_F_VERSION_1)

static int do_start(struct vhost_user *vu, struct err **errp)
{
    uint64_t acked = vu->vp->guest_features & vu->features & RING_FEATURES;
    if (vu->features & (1ULL << VU_F_PROTOCOL_FEATURES)) {
        acked |= 1ULL << VU_F_PROTOCOL_FEATURES;
    }
    if (set_u64(vu, VU_SET_FEATURES, acked, NULL, errp) < 0) {
        return -1;
    }
    struct mem_walk w;
    walk_memory(vu, &w);
    uint8_t buf[VU_HDR_SIZE + VU_MAX_PAYLOAD];
    size_t len = vu_encode_mem(buf, ack_flag(vu), w.r, w.n);
    if (request_set(vu, buf, len, w.fds, w.n, errp) < 0) {
        return -1;
    }
    for (unsigned q = 0; q < vu->nvqs; q++) {
        if (start_ring(vu, q, errp) < 0) {
            return -1;
        }
    }
    if (vu->features & (1ULL << VU_F_PROTOCOL_FEATURES)) {
        /* With protocol features, rings start disabled. */
        for (unsigned q = 0; q < vu->nvqs; q++) {
            if (set_state(vu, VU_SET_VRING_ENABLE, q, 1, errp) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

void vhost_user_start(struct vhost_user *vu)
{
    struct err *e = NULL;
    if (vu->started || vu->dead) {
        return;
    }
    vu->started = true;
    if (do_start(vu, &e) < 0) {
        fail(vu, e);
    }
}

void vhost_user_stop(struct vhost_user *vu)
{
    struct err *e = NULL;
    if (!vu->started) {
        return;
    }
    vu->started = false;
    for (unsigned q = 0; q < vu->nvqs && !vu->dead; q++) {
        /* Stops the ring; the answer is where the back end got to, which a
         * reset makes moot. */
        uint8_t buf[VU_HDR_SIZE + 8];
        uint32_t index, num;
        size_t len = vu_encode_state(buf, VU_GET_VRING_BASE, 0, q, 0);
        if (send_msg(vu, buf, len, NULL, 0, &e) < 0 ||
            recv_reply(vu, VU_GET_VRING_BASE, buf, &e) < 0 ||
            vu_parse_state(buf, sizeof(buf), VU_GET_VRING_BASE, &index, &num,
                           &e) < 0) {
            fail(vu, e);
            return;
        }
    }
    close_rings(vu);
}

void vhost_user_kick(struct vhost_user *vu, unsigned q)
{
    uint64_t one = 1;
    if (q < vu->nvqs && vu->kick[q] >= 0 &&
        write(vu->kick[q], &one, sizeof(one)) < 0) {
        /* EAGAIN: the counter is full, the back end has been told. */
    }
}

/* ---- the device side ---- */

struct vhost_user *vhost_user_of(struct net_client *peer)
{
    return peer && peer->ops == &vu_ops
           ? container_of(peer, struct vhost_user, nc) : NULL;
}

uint64_t vhost_user_features(const struct vhost_user *vu)
{
    return vu->features & RING_FEATURES;
}

int vhost_user_attach(struct vhost_user *vu, struct virtio_pci *vp,
                      unsigned nvqs, struct err **errp)
{
    if (vu->vp) {
        err_setf(errp, "vhost-user: netdev %s is already in use",
                 vu->nc.name);
        return -1;
    }
    vu->vp = vp;
    vu->nvqs = MIN(nvqs, MAX_RINGS);
    struct mem_walk w;
    walk_memory(vu, &w);
    if (!w.n || w.unshared) {
        /* QEMU's words when its memory table has nothing to send. */
        err_setf(errp, "Failed initializing vhost-user memory map, consider "
                 "using -object memory-backend-file share=on");
        return -1;
    }
    if (w.overflow) {
        err_setf(errp, "vhost-user: guest RAM is in more than %d pieces",
                 VU_MAX_REGIONS);
        return -1;
    }
    if (!vp->disable_modern &&
        !(vu->features & (1ULL << VIRTIO_F_VERSION_1))) {
        err_setf(errp, "vhost-user: the back end has no VIRTIO_F_VERSION_1 "
                 "(use disable-modern=on)");
        return -1;
    }
    return 0;
}

/* ---- the net client ---- */

static ssize_t vu_receive(struct net_client *nc, const uint8_t *buf,
                          size_t len)
{
    /* Frames reach the back end through the rings only. */
    return (ssize_t)len;
}

static void vu_cleanup(struct net_client *nc)
{
    struct vhost_user *vu = container_of(nc, struct vhost_user, nc);
    close_rings(vu);
    if (vu->fe) {
        chr_fe_detach(vu->fe);
    }
}

static const struct net_client_ops vu_ops = {
    .type = "vhost-user",
    .receive = vu_receive,
    .cleanup = vu_cleanup,
};

/* The chardev's bytes are the protocol's, read by hemu synchronously:
 * keep the chardev from reading them. */
static int fe_can_read(void *opaque)
{
    return 0;
}

static void fe_read(void *opaque, const uint8_t *buf, int len)
{
}

static void fe_event(void *opaque, enum chr_event ev)
{
    struct vhost_user *vu = opaque;
    if (ev == CHR_EVENT_CLOSED && !vu->dead) {
        err_report("vhost-user: the back end of %s went away", vu->nc.name);
        vu->dead = true;
    }
}

static const struct chr_fe_ops fe_ops = {
    .can_read = fe_can_read,
    .read = fe_read,
    .event = fe_event,
};

static int handshake(struct vhost_user *vu, uint64_t queues,
                     struct err **errp)
{
    if (request_u64(vu, VU_GET_FEATURES, &vu->features, errp) < 0) {
        return -1;
    }
    if (vu->features & (1ULL << VU_F_PROTOCOL_FEATURES)) {
        uint64_t pf;
        if (request_u64(vu, VU_GET_PROTOCOL_FEATURES, &pf, errp) < 0) {
            return -1;
        }
        pf &= 1ULL << VU_PF_MQ | 1ULL << VU_PF_REPLY_ACK;
        if (set_u64(vu, VU_SET_PROTOCOL_FEATURES, pf, NULL, errp) < 0) {
            return -1;
        }
        vu->protocol_features = pf;
        if (pf & (1ULL << VU_PF_MQ)) {
            uint64_t n;
            if (request_u64(vu, VU_GET_QUEUE_NUM, &n, errp) < 0) {
                return -1;
            }
            if (queues > n) {
                err_setf(errp, "The maximum number of queues supported by "
                         "the backend is %" PRIu64, n);
                return -1;
            }
        }
    }
    uint8_t buf[VU_HDR_SIZE];
    size_t len = vu_encode_none(buf, VU_SET_OWNER, ack_flag(vu));
    return request_set(vu, buf, len, NULL, 0, errp);
}

static struct net_client *vu_init(struct kvlist *kv, const char *name,
                                  struct err **errp)
{
    const char *chr_name = kv_str(kv, "chardev", NULL);
    uint64_t queues = kv_uint(kv, "queues", 1, errp);
    if (errp && *errp) {
        return NULL;
    }
    (void)kv_bool(kv, "vhostforce", false, errp);
    if ((errp && *errp) || kv_check_used(kv, errp) < 0) {
        return NULL;
    }
    if (!chr_name) {
        err_setf(errp, "Parameter 'chardev' is missing");
        return NULL;
    }
    if (queues < 1 || queues > 1024) {
        err_setf(errp, "vhost-user number of queues must be in range [1, "
                 "1024]");
        return NULL;
    }
    if (queues > 1) {
        err_setf(errp, "vhost-user: queues=%" PRIu64 ": multiqueue not "
                 "supported", queues);
        return NULL;
    }
    struct chardev *chr = chr_find(chr_name);
    if (!chr) {
        err_setf(errp, "chardev \"%s\" not found", chr_name);
        return NULL;
    }
    int sock = chr_socket_unix_fd(chr);
    if (sock == -2) {
        err_setf(errp, "chardev \"%s\" is not a unix socket", chr_name);
        return NULL;
    }
    if (sock < 0) {
        err_setf(errp, "vhost-user: chardev \"%s\" is not connected "
                 "(server=on,wait=off and reconnect= are not supported)",
                 chr_name);
        return NULL;
    }
    struct vhost_user *vu = (struct vhost_user *)net_client_new(
        &vu_ops, sizeof(*vu), "vhost-user", name);
    vu->chr = chr;
    vu->sock = sock;
    for (unsigned i = 0; i < MAX_RINGS; i++) {
        vu->kick[i] = vu->call[i] = -1;
    }
    vu->fe = chr_fe_attach(chr, &fe_ops, vu, errp);
    if (!vu->fe || handshake(vu, queues, errp) < 0) {
        net_client_free(&vu->nc);
        return NULL;
    }
    net_client_set_info(&vu->nc, "vhost-user to %s", chr_name);
    return &vu->nc;
}

const struct netdev_type netdev_vhost_user = { "vhost-user", vu_init };
