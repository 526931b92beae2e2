/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.c - -netdev tap and -netdev bridge: a Linux TAP interface
 * (Documentation/networking/tuntap.rst) opened by name (ifname=, with
 * queues=N as an IFF_MULTI_QUEUE device), inherited from the caller (fd=,
 * fds=) or from a bridge helper (helper=/br=, QEMU's qemu-bridge-helper
 * contract: "HELPER --use-vnet --fd=N --br=BRIDGE", the tap descriptor
 * comes back over the unix socket N as SCM_RIGHTS), configured by
 * script=/downscript= (QEMU's defaults /etc/qemu-ifup and /etc/qemu-ifdown,
 * "no" for none; the script gets the interface name as $1).
 *
 * The interface is opened with IFF_VNET_HDR when the kernel has it (as
 * QEMU; vnet_hdr=off prevents it).  A virtio-net peer then exchanges its
 * virtio_net_hdr with the kernel unchanged (TUNSETVNETHDRSZ, TUNSETOFFLOAD
 * from the guest's features), so the guest's TSO and checksum offloads
 * go to the host stack as they are and large received segments come in
 * whole; other peers get plain frames (an all-zero header is written and
 * the one read is skipped).  Every queue is read; frames go out on the
 * first (the NICs have one queue pair).  QEMU 6.2 manual, "-netdev tap",
 * "-netdev bridge".
 */
#include "emu/osdep.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "emu/cli/keyval.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"

#define DEFAULT_SCRIPT "/etc/qemu-ifup"
#define DEFAULT_DOWNSCRIPT "/etc/qemu-ifdown"
#define DEFAULT_HELPER "/usr/lib/qemu/qemu-bridge-helper"
#define DEFAULT_BRIDGE "br0"
#define VNET_HDR_LEN 10     /* struct virtio_net_hdr, the kernel default */
#define MAX_HDR_LEN 12      /* struct virtio_net_hdr_v1 */
#define MAX_QUEUES 16

struct tap_nd;

struct tap_queue {
    struct tap_nd *t;
    int fd;
};

struct tap_nd {
    struct net_client nc;
    struct tap_queue q[MAX_QUEUES];
    int nq;
    unsigned hdr_len;       /* the kernel's vnet header size, 0: none */
    bool pass_hdr;          /* the peer sends and takes the header */
    bool reading;
    bool write_blocked;
    bool own_fds;           /* opened here (fd=/fds= are the caller's too) */
    char ifname[IFNAMSIZ];
    char *downscript;
    struct tap_nd *next_tap;
};

static struct tap_nd *taps;

static void tap_read(void *opaque);
static void tap_writable(void *opaque);

static void watch(struct tap_nd *t)
{
    for (int i = 0; i < t->nq; i++) {
        loop_set_fd(t->q[i].fd, t->reading ? tap_read : NULL,
                    i == 0 && t->write_blocked ? tap_writable : NULL,
                    &t->q[i]);
    }
}

static void tap_read(void *opaque)
{
    struct tap_queue *q = opaque;
    struct tap_nd *t = q->t;
    static uint8_t buf[MAX_HDR_LEN + NET_MAX_FRAME];
    size_t skip = t->pass_hdr ? 0 : t->hdr_len;
    /* A bounded batch per wakeup; the loop comes back if there is more. */
    for (int i = 0; i < 64 && t->reading; i++) {
        ssize_t n = read(q->fd, buf, t->hdr_len + NET_MAX_FRAME);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= (ssize_t)t->hdr_len) {
            break;
        }
        if (net_send(&t->nc, buf + skip, n - skip) == 0) {
            t->reading = false;     /* the NIC is full: wait for resume */
            watch(t);
        }
    }
}

static void tap_writable(void *opaque)
{
    struct tap_nd *t = ((struct tap_queue *)opaque)->t;
    t->write_blocked = false;
    watch(t);
    net_flush(&t->nc);
}

static ssize_t tap_receive(struct net_client *nc, const uint8_t *buf,
                           size_t len)
{
    struct tap_nd *t = (struct tap_nd *)nc;
    static const uint8_t zero_hdr[MAX_HDR_LEN];
    struct iovec iov[2] = { { (void *)zero_hdr, t->hdr_len },
                            { (void *)buf, len } };
    bool add = t->hdr_len && !t->pass_hdr;
    ssize_t n;
    do {
        n = writev(t->q[0].fd, add ? iov : iov + 1, add ? 2 : 1);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) {
        t->write_blocked = true;
        watch(t);
        return 0;
    }
    return len;
}

static bool tap_can_receive(struct net_client *nc)
{
    return !((struct tap_nd *)nc)->write_blocked;
}

static void tap_resume(struct net_client *nc)
{
    struct tap_nd *t = (struct tap_nd *)nc;
    if (!t->reading) {
        t->reading = true;
        watch(t);
    }
}

static bool tap_vnet_hdr_enable(struct net_client *nc, unsigned len)
{
    struct tap_nd *t = (struct tap_nd *)nc;
    int sz = (int)len;
    if (!t->hdr_len || len < VNET_HDR_LEN || len > MAX_HDR_LEN) {
        return false;
    }
    /* The size belongs to the device; every queue sees it. */
    if (ioctl(t->q[0].fd, TUNSETVNETHDRSZ, &sz) < 0) {
        return false;
    }
    t->hdr_len = len;
    t->pass_hdr = true;
    unsigned off = 0;
    ioctl(t->q[0].fd, TUNSETOFFLOAD, off);
    return true;
}

static void tap_set_offload(struct net_client *nc, unsigned flags)
{
    struct tap_nd *t = (struct tap_nd *)nc;
    flags &= TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    if (!(flags & TUN_F_CSUM)) {
        flags = 0;      /* segmentation offloads need partial checksums */
    }
    if (t->pass_hdr && ioctl(t->q[0].fd, TUNSETOFFLOAD, flags) < 0) {
        /* An old kernel without one of them: keep the checksum at least. */
        ioctl(t->q[0].fd, TUNSETOFFLOAD, flags & TUN_F_CSUM);
    }
}

/* Run script with the interface name; 0 if it exited with status 0. */
static int run_script(const char *script, const char *ifname,
                      struct err **errp)
{
    pid_t pid = fork();
    if (pid < 0) {
        err_setf(errp, "could not launch network script %s: %s", script,
                 strerror(errno));
        return -1;
    }
    if (pid == 0) {
        /* Only the standard descriptors go to the script. */
        for (int fd = 3; fd < 1024; fd++) {
            close(fd);
        }
        execl(script, script, ifname, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            err_setf(errp, "network script %s: %s", script, strerror(errno));
            return -1;
        }
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        err_setf(errp, "network script %s failed with status %d", script, st);
        return -1;
    }
    return 0;
}

/*
 * QEMU's bridge helper contract: the helper gets "--use-vnet --fd=N
 * --br=BRIDGE" (through /bin/sh -c when the helper= string has arguments
 * of its own), opens a tap with IFF_VNET_HDR, adds it to the bridge (if
 * its ACL, /etc/qemu/bridge.conf, allows) and sends the descriptor over
 * the stream socket N with SCM_RIGHTS.  Returns the descriptor or -1.
 */
static int run_helper(const char *helper, const char *bridge,
                      struct err **errp)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        err_setf(errp, "failed to create socketpair: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        err_setf(errp, "failed to fork bridge helper: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        for (int fd = 3; fd < 1024; fd++) {
            if (fd != sv[1]) {
                close(fd);
            }
        }
        fcntl(sv[1], F_SETFD, 0);
        char fdarg[32], brarg[IFNAMSIZ + 8];
        snprintf(fdarg, sizeof(fdarg), "--fd=%d", sv[1]);
        snprintf(brarg, sizeof(brarg), "--br=%s", bridge);
        if (strchr(helper, ' ') || strchr(helper, '\t')) {
            char *cmd = xasprintf("%s --use-vnet %s %s", helper, fdarg, brarg);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        } else {
            execl(helper, helper, "--use-vnet", fdarg, brarg, (char *)NULL);
        }
        _exit(1);
    }
    close(sv[1]);
    int fd = -1;
    char byte;
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } ctl;
    struct iovec iov = { &byte, 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = ctl.buf,
                          .msg_controllen = sizeof(ctl.buf) };
    ssize_t n;
    do {
        n = recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    close(sv[0]);
    if (n > 0) {
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int))) {
            memcpy(&fd, CMSG_DATA(c), sizeof(int));
        }
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (fd < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        err_setf(errp, "bridge helper %s failed (br=%s)", helper, bridge);
        return -1;
    }
    return fd;
}

static void run_downscripts(void)
{
    for (struct tap_nd *t = taps; t; t = t->next_tap) {
        if (t->downscript) {
            struct err *e = NULL;
            if (run_script(t->downscript, t->ifname, &e) < 0) {
                err_report_err(e);
            }
            free(t->downscript);
            t->downscript = NULL;
        }
    }
}

static void tap_cleanup(struct net_client *nc)
{
    struct tap_nd *t = (struct tap_nd *)nc;
    for (int i = 0; i < t->nq; i++) {
        loop_set_fd(t->q[i].fd, NULL, NULL, NULL);
    }
    if (t->downscript) {
        struct err *e = NULL;
        if (run_script(t->downscript, t->ifname, &e) < 0) {
            err_report_err(e);
        }
        free(t->downscript);
    }
    for (int i = 0; i < t->nq; i++) {
        close(t->q[i].fd);
    }
    for (struct tap_nd **pp = &taps; *pp; pp = &(*pp)->next_tap) {
        if (*pp == t) {
            *pp = t->next_tap;
            break;
        }
    }
}

static const struct net_client_ops tap_ops = {
    .type = "tap",
    .receive = tap_receive,
    .can_receive = tap_can_receive,
    .resume = tap_resume,
    .cleanup = tap_cleanup,
    .vnet_hdr_enable = tap_vnet_hdr_enable,
    .set_offload = tap_set_offload,
};

/* Open queue i of interface ifname (NULL or "" for a new tapN; the
 * kernel's name in out). */
static int tap_open(const char *ifname, bool *vnet_hdr, bool vnet_required,
                    bool multi, char out[IFNAMSIZ], struct err **errp)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        err_setf(errp, "could not open /dev/net/tun: %s", strerror(errno));
        return -1;
    }
    struct ifreq ifr = { 0 };
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    unsigned int features = 0;
    ioctl(fd, TUNGETFEATURES, &features);
    if (*vnet_hdr) {
        if (features & IFF_VNET_HDR) {
            ifr.ifr_flags |= IFF_VNET_HDR;
        } else if (vnet_required) {
            err_setf(errp, "vnet_hdr=1 requested, but no kernel support for "
                     "IFF_VNET_HDR available");
            close(fd);
            return -1;
        } else {
            *vnet_hdr = false;
        }
    }
    if (multi) {
        if (!(features & IFF_MULTI_QUEUE)) {
            err_setf(errp, "multiqueue tap (queues=) is not supported by the "
                     "kernel");
            close(fd);
            return -1;
        }
        ifr.ifr_flags |= IFF_MULTI_QUEUE;
    }
    if (ifname && *ifname) {
        snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    } else {
        snprintf(ifr.ifr_name, IFNAMSIZ, "tap%%d");
    }
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        err_setf(errp, "could not configure /dev/net/tun (%s): %s",
                 ifname && *ifname ? ifname : "tap%d", strerror(errno));
        close(fd);
        return -1;
    }
    snprintf(out, IFNAMSIZ, "%s", ifr.ifr_name);
    return fd;
}

/* A descriptor given by the caller (fd=, fds=): a number of an open file. */
static int parse_fd(const char *s, struct err **errp)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > INT32_MAX || fcntl((int)v, F_GETFD) < 0) {
        err_setf(errp, "Invalid file descriptor '%s'", s);
        return -1;
    }
    return (int)v;
}

/* fds=a:b:c into fds (at most MAX_QUEUES); the count or -1. */
static int parse_fds(const char *s, int *fds, struct err **errp)
{
    int n = 0;
    char *copy = xstrdup(s), *save = NULL;
    for (char *p = strtok_r(copy, ":", &save); p;
         p = strtok_r(NULL, ":", &save)) {
        if (n == MAX_QUEUES) {
            err_setf(errp, "fds=: at most %d descriptors", MAX_QUEUES);
            n = -1;
            break;
        }
        if ((fds[n++] = parse_fd(p, errp)) < 0) {
            n = -1;
            break;
        }
    }
    free(copy);
    if (n == 0) {
        err_setf(errp, "fds=: no file descriptor");
        n = -1;
    }
    return n;
}

/* What a descriptor from outside is: its name and whether it carries the
 * vnet header. */
static void describe_fd(int fd, char ifn[IFNAMSIZ], bool *vnet_hdr)
{
    struct ifreq ifr = { 0 };
    *vnet_hdr = false;
    if (ioctl(fd, TUNGETIFF, &ifr) == 0) {
        snprintf(ifn, IFNAMSIZ, "%s", ifr.ifr_name);
        *vnet_hdr = (ifr.ifr_flags & IFF_VNET_HDR) != 0;
    }
}

static struct net_client *tap_new(const char *name, int *fds, int nq,
                                  bool own, bool vnet_hdr, const char *ifn,
                                  const char *downscript)
{
    struct tap_nd *t = (struct tap_nd *)net_client_new(&tap_ops, sizeof(*t),
                                                       "tap", name);
    for (int i = 0; i < nq; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        t->q[i].t = t;
        t->q[i].fd = fds[i];
    }
    t->nq = nq;
    t->own_fds = own;
    t->hdr_len = vnet_hdr ? VNET_HDR_LEN : 0;
    if (vnet_hdr) {
        /* A descriptor from outside may have another size set: ours. */
        int sz = VNET_HDR_LEN;
        unsigned off = 0;
        ioctl(fds[0], TUNSETVNETHDRSZ, &sz);
        ioctl(fds[0], TUNSETOFFLOAD, off);
    }
    t->reading = true;
    snprintf(t->ifname, sizeof(t->ifname), "%s", ifn);
    if (downscript && strcmp(downscript, "no") && *downscript) {
        t->downscript = xstrdup(downscript);
    }
    if (!taps) {
        atexit(run_downscripts);
    }
    t->next_tap = taps;
    taps = t;
    watch(t);
    return &t->nc;
}

static struct net_client *tap_init(struct kvlist *kv, const char *name,
                                   struct err **errp)
{
    static const char *const unsupported_keys[] = {
        "vhostfd", "vhostfds", "vhostforce",
    };
    for (size_t i = 0; i < ARRAY_SIZE(unsupported_keys); i++) {
        if (kv_has(kv, unsupported_keys[i])) {
            err_setf(errp, "tap option '%s': not supported",
                     unsupported_keys[i]);
            return NULL;
        }
    }
    struct err *e = NULL;
    const char *ifname = kv_str(kv, "ifname", NULL);
    const char *fd_s = kv_str(kv, "fd", NULL);
    const char *fds_s = kv_str(kv, "fds", NULL);
    const char *helper = kv_str(kv, "helper", NULL);
    const char *br = kv_str(kv, "br", NULL);
    const char *script = kv_str(kv, "script", DEFAULT_SCRIPT);
    const char *downscript = kv_str(kv, "downscript", DEFAULT_DOWNSCRIPT);
    bool vnet_given = kv_has(kv, "vnet_hdr");
    bool vnet_hdr = kv_bool(kv, "vnet_hdr", true, &e);
    bool vhost = kv_bool(kv, "vhost", false, &e);
    uint64_t queues = kv_uint(kv, "queues", 1, &e);
    kv_size(kv, "sndbuf", 0, &e);       /* accepted; Linux's default used */
    kv_uint(kv, "poll-us", 0, &e);
    if (e) {
        err_propagate(errp, e);
        return NULL;
    }
    if (vhost) {
        err_setf(errp, "tap option 'vhost=on': not supported");
        return NULL;
    }
    if (queues < 1 || queues > MAX_QUEUES) {
        err_setf(errp, "tap option 'queues=%" PRIu64 "': must be 1 to %d",
                 queues, MAX_QUEUES);
        return NULL;
    }
    bool other = ifname || kv_has(kv, "script") ||
                 kv_has(kv, "downscript") || vnet_given ||
                 kv_has(kv, "queues");
    int fds[MAX_QUEUES];
    char ifn[IFNAMSIZ] = "";
    if (fd_s || fds_s) {
        if (other || helper || br || (fd_s && fds_s)) {
            err_setf(errp, "ifname=, script=, downscript=, vnet_hdr=, "
                     "helper=, queues=, fds=, and vhostfds= are invalid "
                     "with fd=");
            return NULL;
        }
        int n = fd_s ? ((fds[0] = parse_fd(fd_s, errp)) < 0 ? -1 : 1)
                     : parse_fds(fds_s, fds, errp);
        if (n < 0) {
            return NULL;
        }
        describe_fd(fds[0], ifn, &vnet_hdr);
        for (int i = 1; i < n; i++) {
            char other_ifn[IFNAMSIZ] = "";
            bool v;
            describe_fd(fds[i], other_ifn, &v);
            if (v != vnet_hdr || strcmp(other_ifn, ifn)) {
                err_setf(errp, "fds=: the descriptors are not queues of one "
                         "tap with the same vnet_hdr setting");
                return NULL;
            }
        }
        struct net_client *nc = tap_new(name, fds, n, false, vnet_hdr, ifn,
                                        NULL);
        net_client_set_info(nc, "%s=%s", fd_s ? "fd" : "fds",
                            fd_s ? fd_s : fds_s);
        return nc;
    }
    if (helper || br) {
        if (other) {
            err_setf(errp, "ifname=, script=, downscript=, vnet_hdr=, "
                     "queues=, and vhostfds= are invalid with helper=");
            return NULL;
        }
        const char *h = helper ? helper : DEFAULT_HELPER;
        const char *b = br ? br : DEFAULT_BRIDGE;
        int fd = run_helper(h, b, errp);
        if (fd < 0) {
            return NULL;
        }
        describe_fd(fd, ifn, &vnet_hdr);
        struct net_client *nc = tap_new(name, &fd, 1, true, vnet_hdr, ifn,
                                        NULL);
        net_client_set_info(nc, "helper=%s,br=%s", h, b);
        return nc;
    }
    for (uint64_t i = 0; i < queues; i++) {
        fds[i] = tap_open(i ? ifn : ifname, &vnet_hdr,
                          vnet_given && vnet_hdr, queues > 1, ifn, errp);
        if (fds[i] < 0) {
            while (i--) {
                close(fds[i]);
            }
            return NULL;
        }
    }
    if (strcmp(script, "no") && *script && run_script(script, ifn, errp) < 0) {
        for (uint64_t i = 0; i < queues; i++) {
            close(fds[i]);
        }
        return NULL;
    }
    struct net_client *nc = tap_new(name, fds, (int)queues, true, vnet_hdr,
                                    ifn, downscript);
    net_client_set_info(nc, "ifname=%s,script=%s,downscript=%s", ifn, script,
                        downscript);
    return nc;
}

const struct netdev_type netdev_tap = { "tap", tap_init };

/* -netdev bridge,id=,br=,helper=: a tap the helper adds to the bridge. */
static struct net_client *bridge_init(struct kvlist *kv, const char *name,
                                      struct err **errp)
{
    const char *h = kv_str(kv, "helper", DEFAULT_HELPER);
    const char *b = kv_str(kv, "br", DEFAULT_BRIDGE);
    int fd = run_helper(h, b, errp);
    if (fd < 0) {
        return NULL;
    }
    char ifn[IFNAMSIZ] = "";
    bool vnet_hdr;
    describe_fd(fd, ifn, &vnet_hdr);
    struct net_client *nc = tap_new(name, &fd, 1, true, vnet_hdr, ifn, NULL);
    net_client_set_info(nc, "helper=%s,br=%s", h, b);
    return nc;
}

const struct netdev_type netdev_bridge = { "bridge", bridge_init };
