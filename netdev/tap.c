/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.c - -netdev tap: a Linux TAP interface (Documentation/networking/
 * tuntap.rst) opened by name (ifname=) or inherited (fd=), configured by
 * script=/downscript= (QEMU's defaults /etc/qemu-ifup and /etc/qemu-ifdown,
 * "no" for none; the script gets the interface name as $1), optionally
 * with the virtio-net header (vnet_hdr=on: hemu writes an all-zero header
 * and skips the one it reads).  QEMU 6.2 manual, "-netdev tap".
 */
#include "emu/osdep.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
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
#define VNET_HDR_LEN 10     /* struct virtio_net_hdr */

struct tap_nd {
    struct net_client nc;
    int fd;
    bool vnet_hdr;
    bool reading;
    bool write_blocked;
    char ifname[IFNAMSIZ];
    char *downscript;
    struct tap_nd *next_tap;
};

static struct tap_nd *taps;

static void tap_read(void *opaque);
static void tap_writable(void *opaque);

static void watch(struct tap_nd *t)
{
    loop_set_fd(t->fd, t->reading ? tap_read : NULL,
                t->write_blocked ? tap_writable : NULL, t);
}

static void tap_read(void *opaque)
{
    struct tap_nd *t = opaque;
    uint8_t buf[VNET_HDR_LEN + NET_MAX_FRAME];
    size_t skip = t->vnet_hdr ? VNET_HDR_LEN : 0;
    /* A bounded batch per wakeup; the loop comes back if there is more. */
    for (int i = 0; i < 64 && t->reading; i++) {
        ssize_t n = read(t->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= (ssize_t)skip) {
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
    struct tap_nd *t = opaque;
    t->write_blocked = false;
    watch(t);
    net_flush(&t->nc);
}

static ssize_t tap_receive(struct net_client *nc, const uint8_t *buf,
                           size_t len)
{
    struct tap_nd *t = (struct tap_nd *)nc;
    static const uint8_t zero_hdr[VNET_HDR_LEN];
    struct iovec iov[2] = { { (void *)zero_hdr, VNET_HDR_LEN },
                            { (void *)buf, len } };
    struct iovec *v = t->vnet_hdr ? iov : iov + 1;
    int cnt = t->vnet_hdr ? 2 : 1;
    ssize_t n;
    do {
        n = writev(t->fd, v, cnt);
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
    loop_set_fd(t->fd, NULL, NULL, NULL);
    if (t->downscript) {
        struct err *e = NULL;
        if (run_script(t->downscript, t->ifname, &e) < 0) {
            err_report_err(e);
        }
        free(t->downscript);
    }
    close(t->fd);
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
};

static int tap_open(const char *ifname, bool *vnet_hdr, bool vnet_required,
                    char out[IFNAMSIZ], struct err **errp)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        err_setf(errp, "could not open /dev/net/tun: %s", strerror(errno));
        return -1;
    }
    struct ifreq ifr = { 0 };
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    unsigned int features = 0;
    if (*vnet_hdr) {
        if (ioctl(fd, TUNGETFEATURES, &features) == 0 &&
            (features & IFF_VNET_HDR)) {
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
    if (ifname && *ifname) {
        snprintf(ifr.ifr_name, IFNAMSIZ, "%s", ifname);
    } else {
        snprintf(ifr.ifr_name, IFNAMSIZ, "tap%%d");
    }
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        err_setf(errp, "could not configure /dev/net/tun (%s): %s",
                 ifname ? ifname : "tap%d", strerror(errno));
        close(fd);
        return -1;
    }
    snprintf(out, IFNAMSIZ, "%s", ifr.ifr_name);
    return fd;
}

static struct net_client *tap_init(struct kvlist *kv, const char *name,
                                   struct err **errp)
{
    static const char *const unsupported_keys[] = {
        "fds", "br", "helper", "vhostfd", "vhostfds", "vhostforce",
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
    const char *script = kv_str(kv, "script", DEFAULT_SCRIPT);
    const char *downscript = kv_str(kv, "downscript", DEFAULT_DOWNSCRIPT);
    bool vnet_given = kv_has(kv, "vnet_hdr");
    bool vnet_hdr = kv_bool(kv, "vnet_hdr", false, &e);
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
    if (queues != 1) {
        err_setf(errp, "tap option 'queues=%" PRIu64 "': not supported",
                 queues);
        return NULL;
    }
    int fd;
    char ifn[IFNAMSIZ] = "";
    if (fd_s) {
        if (ifname || kv_has(kv, "script") || kv_has(kv, "downscript") ||
            vnet_given) {
            err_setf(errp, "ifname=, script=, downscript=, vnet_hdr=, "
                     "helper=, queues=, fds=, and vhostfds= are invalid "
                     "with fd=");
            return NULL;
        }
        char *end;
        long v = strtol(fd_s, &end, 10);
        if (!*fd_s || *end || v < 0 || v > INT32_MAX ||
            fcntl((int)v, F_GETFD) < 0) {
            err_setf(errp, "Invalid file descriptor '%s'", fd_s);
            return NULL;
        }
        fd = (int)v;
        struct ifreq ifr = { 0 };
        if (ioctl(fd, TUNGETIFF, &ifr) == 0) {
            snprintf(ifn, IFNAMSIZ, "%s", ifr.ifr_name);
            vnet_hdr = (ifr.ifr_flags & IFF_VNET_HDR) != 0;
        }
        script = downscript = "no";
    } else {
        fd = tap_open(ifname, &vnet_hdr, vnet_given && vnet_hdr, ifn, errp);
        if (fd < 0) {
            return NULL;
        }
        if (strcmp(script, "no") && *script &&
            run_script(script, ifn, errp) < 0) {
            close(fd);
            return NULL;
        }
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct tap_nd *t = (struct tap_nd *)net_client_new(&tap_ops, sizeof(*t),
                                                       "tap", name);
    t->fd = fd;
    t->vnet_hdr = vnet_hdr;
    t->reading = true;
    snprintf(t->ifname, sizeof(t->ifname), "%s", ifn);
    if (strcmp(downscript, "no") && *downscript) {
        t->downscript = xstrdup(downscript);
    }
    if (!taps) {
        atexit(run_downscripts);
    }
    t->next_tap = taps;
    taps = t;
    if (fd_s) {
        net_client_set_info(&t->nc, "fd=%d", fd);
    } else {
        net_client_set_info(&t->nc, "ifname=%s,script=%s,downscript=%s",
                            ifn, script, downscript);
    }
    watch(t);
    return &t->nc;
}

const struct netdev_type netdev_tap = { "tap", tap_init };
