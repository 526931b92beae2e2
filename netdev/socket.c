/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * socket.c - -netdev socket: Ethernet frames over a TCP connection
 * (listen=, connect=), UDP multicast (mcast=, localaddr=), unicast UDP
 * (udp=, localaddr=) or an inherited fd= (QEMU 6.2 manual "-netdev
 * socket").  On the wire as QEMU puts them, so hemu and QEMU VMs share a
 * segment: a stream carries each frame after its length as 4 bytes big
 * endian; a datagram is one frame.
 */
#include "emu/osdep.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "emu/cli/keyval.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"

struct sock_nd {
    struct net_client nc;
    int fd;             /* the connection or datagram socket, -1 if none */
    int listen_fd;      /* listen=, -1 otherwise */
    bool stream;
    bool reading;       /* fd watched for input */
    struct sockaddr_in dgram_dst;
    /* stream input: header then frame */
    uint8_t rbuf[4 + NET_MAX_FRAME];
    size_t rlen;
    /* stream output the socket did not take yet */
    uint8_t *obuf;
    size_t olen, ooff;
    char desc[128];
};

static void sock_read(void *opaque);
static void sock_write(void *opaque);

static void watch(struct sock_nd *s)
{
    if (s->fd < 0) {
        return;
    }
    loop_set_fd(s->fd, s->reading ? sock_read : NULL,
                s->olen > s->ooff ? sock_write : NULL, s);
}

static void listen_accept(void *opaque);

/* The peer went away: a listener waits for the next one (QEMU does the
 * same); a connect= or datagram socket stays dead. */
static void disconnect(struct sock_nd *s)
{
    if (s->fd >= 0) {
        loop_set_fd(s->fd, NULL, NULL, NULL);
        close(s->fd);
        s->fd = -1;
    }
    s->rlen = 0;
    free(s->obuf);
    s->obuf = NULL;
    s->olen = s->ooff = 0;
    if (s->listen_fd >= 0) {
        loop_set_fd(s->listen_fd, listen_accept, NULL, s);
        net_client_set_info(&s->nc, "socket: wait from %s", s->desc);
    }
}

static void sock_read(void *opaque)
{
    struct sock_nd *s = opaque;
    if (!s->stream) {
        uint8_t buf[NET_MAX_FRAME];
        ssize_t n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0 && net_send(&s->nc, buf, n) == 0) {
            s->reading = false;     /* the NIC is full: wait for resume */
            watch(s);
        }
        return;
    }
    ssize_t n = recv(s->fd, s->rbuf + s->rlen, sizeof(s->rbuf) - s->rlen,
                     MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        disconnect(s);
        return;
    }
    if (n < 0) {
        return;
    }
    s->rlen += n;
    size_t off = 0;
    while (s->rlen - off >= 4) {
        const uint8_t *p = s->rbuf + off;
        uint32_t len = (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
        if (len > NET_MAX_FRAME) {
            warn_report("netdev %s: frame of %u bytes from the peer; "
                        "dropping the connection", s->nc.name, len);
            disconnect(s);
            return;
        }
        if (s->rlen - off < 4 + len) {
            break;
        }
        off += 4 + len;
        if (net_send(&s->nc, p + 4, len) == 0) {
            s->reading = false;
        }
    }
    memmove(s->rbuf, s->rbuf + off, s->rlen - off);
    s->rlen -= off;
    watch(s);
}

static void sock_write(void *opaque)
{
    struct sock_nd *s = opaque;
    while (s->ooff < s->olen) {
        ssize_t n = send(s->fd, s->obuf + s->ooff, s->olen - s->ooff,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            watch(s);
            return;
        }
        if (n <= 0) {
            disconnect(s);
            return;
        }
        s->ooff += n;
    }
    free(s->obuf);
    s->obuf = NULL;
    s->olen = s->ooff = 0;
    watch(s);
    /* Frames that waited for the socket go now. */
    net_flush(&s->nc);
}

static bool sock_can_receive(struct net_client *nc)
{
    struct sock_nd *s = (struct sock_nd *)nc;
    /* A listener without a peer drops frames; a full socket holds them. */
    return s->fd < 0 || s->olen == s->ooff;
}

static ssize_t sock_receive(struct net_client *nc, const uint8_t *buf,
                            size_t len)
{
    struct sock_nd *s = (struct sock_nd *)nc;
    if (s->fd < 0) {
        return len;
    }
    if (!s->stream) {
        sendto(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
               (struct sockaddr *)&s->dgram_dst, sizeof(s->dgram_dst));
        return len;
    }
    if (s->olen > s->ooff) {
        return 0;
    }
    uint8_t hdr[4] = { len >> 24, len >> 16, len >> 8, (uint8_t)len };
    struct iovec iov[2] = { { hdr, 4 }, { (void *)buf, len } };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
    ssize_t n = sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        disconnect(s);
        return len;
    }
    if (n < 0) {
        n = 0;
    }
    if ((size_t)n < 4 + len) {
        /* Keep the rest, in order, and wait for the socket. */
        s->olen = 4 + len - n;
        s->ooff = 0;
        s->obuf = xmalloc(s->olen);
        size_t hn = n < 4 ? 4 - n : 0;
        memcpy(s->obuf, hdr + (4 - hn), hn);
        memcpy(s->obuf + hn, buf + (n > 4 ? n - 4 : 0), s->olen - hn);
        watch(s);
    }
    return len;
}

static void sock_resume(struct net_client *nc)
{
    struct sock_nd *s = (struct sock_nd *)nc;
    if (!s->reading) {
        s->reading = true;
        watch(s);
    }
}

static void sock_cleanup(struct net_client *nc)
{
    struct sock_nd *s = (struct sock_nd *)nc;
    if (s->fd >= 0) {
        loop_set_fd(s->fd, NULL, NULL, NULL);
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        loop_set_fd(s->listen_fd, NULL, NULL, NULL);
        close(s->listen_fd);
    }
    free(s->obuf);
}

static const struct net_client_ops sock_ops = {
    .type = "socket",
    .receive = sock_receive,
    .can_receive = sock_can_receive,
    .resume = sock_resume,
    .cleanup = sock_cleanup,
};

static void start_fd(struct sock_nd *s, int fd, bool stream)
{
    s->fd = fd;
    s->stream = stream;
    s->reading = true;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (stream) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    watch(s);
}

static void listen_accept(void *opaque)
{
    struct sock_nd *s = opaque;
    struct sockaddr_in peer;
    socklen_t plen = sizeof(peer);
    int fd = accept(s->listen_fd, (struct sockaddr *)&peer, &plen);
    if (fd < 0) {
        return;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    /* One peer at a time; the next waits until this one leaves. */
    loop_set_fd(s->listen_fd, NULL, NULL, NULL);
    char a[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &peer.sin_addr, a, sizeof(a));
    net_client_set_info(&s->nc, "socket: connection from %s:%d", a,
                        ntohs(peer.sin_port));
    start_fd(s, fd, true);
    net_flush(&s->nc);
}

/* "host:port" (host may be empty: any / localhost). */
static int parse_hostport(const char *str, struct sockaddr_in *sa,
                          bool empty_is_any, struct err **errp)
{
    char host[256];
    const char *colon = strrchr(str, ':');
    if (!colon || colon - str >= (ptrdiff_t)sizeof(host)) {
        err_setf(errp, "host address '%s' doesn't contain ':' separating "
                 "host from port", str);
        return -1;
    }
    memcpy(host, str, colon - str);
    host[colon - str] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535) {
        err_setf(errp, "port number '%s' is invalid", colon + 1);
        return -1;
    }
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!host[0]) {
        sa->sin_addr.s_addr = htonl(empty_is_any ? INADDR_ANY
                                                 : INADDR_LOOPBACK);
        return 0;
    }
    if (inet_pton(AF_INET, host, &sa->sin_addr) == 1) {
        return 0;
    }
    struct addrinfo hints = { .ai_family = AF_INET }, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
        err_setf(errp, "can't resolve host address '%s'", host);
        return -1;
    }
    sa->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return 0;
}

static struct net_client *socket_init(struct kvlist *kv, const char *name,
                                      struct err **errp)
{
    const char *fd_s = kv_str(kv, "fd", NULL);
    const char *listen_s = kv_str(kv, "listen", NULL);
    const char *connect_s = kv_str(kv, "connect", NULL);
    const char *mcast_s = kv_str(kv, "mcast", NULL);
    const char *udp_s = kv_str(kv, "udp", NULL);
    const char *local_s = kv_str(kv, "localaddr", NULL);
    int modes = !!fd_s + !!listen_s + !!connect_s + !!mcast_s + !!udp_s;
    if (modes != 1) {
        err_setf(errp, "exactly one of listen=, connect=, mcast= or udp= "
                 "is required");
        return NULL;
    }
    if (local_s && !mcast_s && !udp_s) {
        err_setf(errp, "localaddr= is only valid with mcast= or udp=");
        return NULL;
    }
    if (udp_s && !local_s) {
        err_setf(errp, "localaddr= is mandatory with udp=");
        return NULL;
    }
    struct sockaddr_in sa, la;
    if ((listen_s && parse_hostport(listen_s, &sa, true, errp) < 0) ||
        (connect_s && parse_hostport(connect_s, &sa, false, errp) < 0) ||
        (mcast_s && parse_hostport(mcast_s, &sa, false, errp) < 0) ||
        (udp_s && parse_hostport(udp_s, &sa, false, errp) < 0)) {
        return NULL;
    }
    if (local_s && udp_s && parse_hostport(local_s, &la, true, errp) < 0) {
        return NULL;
    }
    if (local_s && mcast_s && inet_pton(AF_INET, local_s, &la.sin_addr) != 1) {
        err_setf(errp, "localaddr '%s' is not an IPv4 address", local_s);
        return NULL;
    }
    if (mcast_s && !IN_MULTICAST(ntohl(sa.sin_addr.s_addr))) {
        err_setf(errp, "specified mcastaddr %s (0x%08x) does not contain a "
                 "multicast address", inet_ntoa(sa.sin_addr),
                 ntohl(sa.sin_addr.s_addr));
        return NULL;
    }

    int fd = -1, one = 1;
    bool stream = true;
    if (fd_s) {
        char *end;
        long v = strtol(fd_s, &end, 10);
        int type;
        socklen_t tl = sizeof(type);
        if (!*fd_s || *end || v < 0 || v > INT32_MAX ||
            getsockopt((int)v, SOL_SOCKET, SO_TYPE, &type, &tl) < 0) {
            err_setf(errp, "'%s' is not a valid socket file descriptor", fd_s);
            return NULL;
        }
        fd = (int)v;
        stream = type == SOCK_STREAM;
    } else if (listen_s) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            listen(fd, 1) < 0) {
            err_setf(errp, "can't bind ip=%s to socket: %s",
                     inet_ntoa(sa.sin_addr), strerror(errno));
            close(fd);
            return NULL;
        }
    } else if (connect_s) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
            err_setf(errp, "can't connect socket to %s: %s", connect_s,
                     strerror(errno));
            close(fd);
            return NULL;
        }
    } else {
        stream = false;
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in bind_to;
        if (mcast_s) {
            /* Bound to the group's port on any address, in the group. */
            bind_to = sa;
            struct ip_mreq mr = { .imr_multiaddr = sa.sin_addr };
            mr.imr_interface.s_addr = local_s ? la.sin_addr.s_addr
                                              : htonl(INADDR_ANY);
            unsigned char loop = 1;
            if (bind(fd, (struct sockaddr *)&bind_to, sizeof(bind_to)) < 0 ||
                setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr,
                           sizeof(mr)) < 0 ||
                setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop,
                           sizeof(loop)) < 0 ||
                (local_s && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF,
                                       &mr.imr_interface,
                                       sizeof(mr.imr_interface)) < 0)) {
                err_setf(errp, "can't join multicast group %s: %s", mcast_s,
                         strerror(errno));
                close(fd);
                return NULL;
            }
        } else {
            bind_to = la;
            if (bind(fd, (struct sockaddr *)&bind_to, sizeof(bind_to)) < 0) {
                err_setf(errp, "can't bind ip=%s to socket: %s", local_s,
                         strerror(errno));
                close(fd);
                return NULL;
            }
        }
    }

    struct sock_nd *s = (struct sock_nd *)net_client_new(&sock_ops,
                                                         sizeof(*s),
                                                         "socket", name);
    s->fd = s->listen_fd = -1;
    s->dgram_dst = sa;
    if (listen_s) {
        s->listen_fd = fd;
        snprintf(s->desc, sizeof(s->desc), "%s", listen_s);
        net_client_set_info(&s->nc, "socket: wait from %s", listen_s);
        loop_set_fd(fd, listen_accept, NULL, s);
    } else {
        start_fd(s, fd, stream);
        if (connect_s) {
            net_client_set_info(&s->nc, "socket: connect to %s", connect_s);
        } else if (mcast_s) {
            net_client_set_info(&s->nc, "socket: mcast=%s", mcast_s);
        } else if (udp_s) {
            net_client_set_info(&s->nc, "socket: udp=%s", udp_s);
        } else {
            net_client_set_info(&s->nc, "socket: fd=%d", fd);
        }
    }
    return &s->nc;
}

const struct netdev_type netdev_socket = { "socket", socket_init };
