/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char-udp.c - the udp back end ("UDP net console"): every write is one
 * datagram to host:port, sent from localaddr:localport; datagrams from the
 * peer are fed to the front end as a byte stream.
 * Reference: qemu-6.2 manual, "-chardev udp" and "-serial udp:".
 */
#include "emu/osdep.h"
#include <netdb.h>
#include <sys/socket.h>

#include "emu/chardev/chardev-int.h"
#include "emu/cli/keyval.h"     /* kv_str, kv_bool, kv_check_used */
#include "emu/util/cutils.h"    /* xzalloc */
#include "emu/util/err.h"       /* err_setf */

struct udp_chr {
    int fd;
    uint8_t buf[65536];     /* the datagram being delivered */
    int len, pos;
};

/* Hand over what the front end takes; false if some must wait for room. */
static bool udp_drain(struct chardev *chr)
{
    struct udp_chr *s = chr->opaque;
    while (s->pos < s->len) {
        int room = chr_be_room(chr);
        if (!room) {
            return false;
        }
        int n = MIN(room, s->len - s->pos);
        chr_be_write(chr, s->buf + s->pos, n);
        s->pos += n;
    }
    return true;
}

static void udp_read_cb(void *opaque)
{
    struct chardev *chr = opaque;
    struct udp_chr *s = chr->opaque;
    if (!udp_drain(chr)) {
        return;
    }
    ssize_t n = recv(s->fd, s->buf, sizeof(s->buf), 0);
    if (n <= 0) {
        return;     /* EAGAIN, or ICMP errors from an absent peer */
    }
    s->len = n;
    s->pos = 0;
    udp_drain(chr);
}

/* Held data would not make the fd readable again: deliver it first. */
static void udp_accept_input(struct chardev *chr)
{
    if (udp_drain(chr)) {
        chr_input_resume(chr);
    }
}

static int udp_open(struct chardev *chr, struct kvlist *opts,
                    struct err **errp)
{
    struct err *e = NULL;
    const char *host = kv_str(opts, "host", "");
    const char *port = kv_str(opts, "port", "");
    const char *laddr = kv_str(opts, "localaddr", "");
    const char *lport = kv_str(opts, "localport", "");
    bool v4 = kv_bool(opts, "ipv4", false, &e);
    bool v6 = kv_bool(opts, "ipv6", false, &e);
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (kv_check_used(opts, errp) < 0) {
        return -1;
    }
    if (!*host) {
        host = "localhost";
    }
    if (!*port) {
        err_setf(errp, "chardev: udp: remote port not specified");
        return -1;
    }
    if (!*lport) {
        lport = "0";
    }

    struct addrinfo hints = {
        .ai_family = v4 && !v6 ? AF_INET : v6 && !v4 ? AF_INET6 : AF_UNSPEC,
        .ai_socktype = SOCK_DGRAM,
    };
    struct addrinfo *remote, *local;
    int r = getaddrinfo(host, port, &hints, &remote);
    if (r) {
        err_setf(errp, "address resolution failed for %s:%s: %s", host, port,
                 gai_strerror(r));
        return -1;
    }
    /* The local side must use the remote's family. */
    hints.ai_family = remote->ai_family;
    hints.ai_flags = AI_PASSIVE;
    r = getaddrinfo(*laddr ? laddr : NULL, lport, &hints, &local);
    if (r) {
        err_setf(errp, "address resolution failed for %s:%s: %s", laddr,
                 lport, gai_strerror(r));
        freeaddrinfo(remote);
        return -1;
    }
    int fd = socket(remote->ai_family, SOCK_DGRAM | SOCK_CLOEXEC |
                    SOCK_NONBLOCK, 0);
    if (fd < 0) {
        err_setf(errp, "Failed to create socket: %s", strerror(errno));
    } else if (bind(fd, local->ai_addr, local->ai_addrlen) < 0) {
        err_setf(errp, "Failed to bind socket: %s", strerror(errno));
        close(fd);
        fd = -1;
    } else if (connect(fd, remote->ai_addr, remote->ai_addrlen) < 0) {
        err_setf(errp, "Failed to connect socket: %s", strerror(errno));
        close(fd);
        fd = -1;
    }
    freeaddrinfo(remote);
    freeaddrinfo(local);
    if (fd < 0) {
        return -1;
    }
    struct udp_chr *s = xzalloc(sizeof(*s));
    s->fd = fd;
    chr->opaque = s;
    chr_be_set_open(chr);
    chr_input_watch(chr, fd, udp_read_cb);
    return 0;
}

static int udp_write(struct chardev *chr, const uint8_t *buf, int len)
{
    struct udp_chr *s = chr->opaque;
    /* A lost datagram is what UDP means; never block for it. */
    send(s->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    return len;
}

static void udp_close(struct chardev *chr)
{
    struct udp_chr *s = chr->opaque;
    if (s) {
        chr_input_watch(chr, -1, NULL);
        close(s->fd);
        free(s);
        chr->opaque = NULL;
    }
}

const struct chr_driver chr_udp_driver = {
    .name = "udp",
    .open = udp_open,
    .write = udp_write,
    .accept_input = udp_accept_input,
    .close = udp_close,
};
