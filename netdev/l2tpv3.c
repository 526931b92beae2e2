/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpv3.c - -netdev l2tpv3: Ethernet pseudowires in L2TPv3 (RFC 3931)
 * over UDP, with the options and header layout of QEMU 6.2 (manual
 * "-netdev l2tpv3"), so hemu and QEMU ends interoperate:
 *
 *   [UDP only: 32-bit 0x00030000 (T=0, Ver=3)]
 *   session ID (32 bits)
 *   cookie (32 or 64 bits, when txcookie=/rxcookie= are given)
 *   L2-specific sublayer (32 bits, with counter=on: a counter, 0 with
 *                         pincounter=on)
 *   offset= bytes
 *   Ethernet frame
 *
 * All fields big endian.  QEMU's choices are kept where they differ from
 * what one might expect, so that the same options give the same wire:
 * the counter is off unless counter=on, and any cookie64= (even
 * cookie64=off) makes the cookies 64-bit.  A datagram whose session or cookie does not
 * match (rxsession=, rxcookie=) is dropped.  Raw IP encapsulation
 * (protocol 115, udp=off) is not supported.
 */
#include "emu/osdep.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/socket.h>

#include "emu/cli/keyval.h"
#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "netdev/net.h"
#include "netdev/netdev.h"

#define L2TPV3_DATA_UDP 0x00030000u

struct l2tp_nd {
    struct net_client nc;
    int fd;
    bool reading;
    struct sockaddr_storage dst;
    socklen_t dstlen;
    uint32_t tx_session, rx_session;
    bool cookie, cookie64;
    uint64_t tx_cookie, rx_cookie;
    bool counter, pin_counter;
    uint32_t count;
    unsigned offset;            /* offset= */
    unsigned hdr_len;           /* everything before the frame */
    unsigned session_off, cookie_off, counter_off;
};

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8) {
        p[i] = (uint8_t)v;
    }
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void l2tp_read(void *opaque)
{
    struct l2tp_nd *s = opaque;
    uint8_t buf[24 + 256 + NET_MAX_FRAME];
    for (int i = 0; i < 64 && s->reading; i++) {
        ssize_t n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0) {
            return;
        }
        if ((size_t)n <= s->hdr_len) {
            continue;
        }
        if (get_be(buf + s->session_off, 4) != s->rx_session) {
            continue;
        }
        if (s->cookie &&
            get_be(buf + s->cookie_off, s->cookie64 ? 8 : 4) != s->rx_cookie) {
            continue;
        }
        if (net_send(&s->nc, buf + s->hdr_len, n - s->hdr_len) == 0) {
            s->reading = false;
            loop_set_fd(s->fd, NULL, NULL, NULL);
        }
    }
}

static ssize_t l2tp_receive(struct net_client *nc, const uint8_t *buf,
                            size_t len)
{
    struct l2tp_nd *s = (struct l2tp_nd *)nc;
    uint8_t hdr[24 + 256] = { 0 };
    if (s->session_off) {
        put_be(hdr, L2TPV3_DATA_UDP, 4);
    }
    put_be(hdr + s->session_off, s->tx_session, 4);
    if (s->cookie) {
        put_be(hdr + s->cookie_off, s->tx_cookie, s->cookie64 ? 8 : 4);
    }
    if (s->counter) {
        put_be(hdr + s->counter_off, s->pin_counter ? 0 : ++s->count, 4);
    }
    struct iovec iov[2] = { { hdr, s->hdr_len }, { (void *)buf, len } };
    struct msghdr msg = { .msg_name = &s->dst, .msg_namelen = s->dstlen,
                          .msg_iov = iov, .msg_iovlen = 2 };
    sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    return len;
}

static void l2tp_resume(struct net_client *nc)
{
    struct l2tp_nd *s = (struct l2tp_nd *)nc;
    if (!s->reading) {
        s->reading = true;
        loop_set_fd(s->fd, l2tp_read, NULL, s);
    }
}

static void l2tp_cleanup(struct net_client *nc)
{
    struct l2tp_nd *s = (struct l2tp_nd *)nc;
    loop_set_fd(s->fd, NULL, NULL, NULL);
    close(s->fd);
}

static const struct net_client_ops l2tp_ops = {
    .type = "l2tpv3",
    .receive = l2tp_receive,
    .resume = l2tp_resume,
    .cleanup = l2tp_cleanup,
};

static int resolve(const char *host, const char *port, bool ipv6,
                   struct sockaddr_storage *sa, socklen_t *len,
                   struct err **errp)
{
    struct addrinfo hints = { .ai_family = ipv6 ? AF_INET6 : AF_INET,
                              .ai_socktype = SOCK_DGRAM }, *res;
    int r = getaddrinfo(host, port, &hints, &res);
    if (r || !res) {
        err_setf(errp, "l2tpv3: address '%s' port '%s': %s", host, port,
                 gai_strerror(r));
        return -1;
    }
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int get_u64(struct kvlist *kv, const char *key, uint64_t max,
                   uint64_t *out, struct err **errp)
{
    struct err *e = NULL;
    uint64_t v = kv_uint(kv, key, 0, &e);
    if (e || v > max) {
        err_free(e);
        err_setf(errp, "l2tpv3: '%s' must be a number up to %" PRIu64, key,
                 max);
        return -1;
    }
    *out = v;
    return 0;
}

static struct net_client *l2tp_init(struct kvlist *kv, const char *name,
                                    struct err **errp)
{
    struct err *e = NULL;
    bool udp = kv_bool(kv, "udp", false, &e);
    bool ipv6 = kv_bool(kv, "ipv6", false, &e);
    bool cookie64 = kv_has(kv, "cookie64");
    kv_bool(kv, "cookie64", false, &e);
    bool counter = kv_bool(kv, "counter", false, &e);
    bool pin = kv_bool(kv, "pincounter", false, &e);
    if (e) {
        err_propagate(errp, e);
        return NULL;
    }
    const char *src = kv_str(kv, "src", NULL), *dst = kv_str(kv, "dst", NULL);
    const char *sport = kv_str(kv, "srcport", NULL);
    const char *dport = kv_str(kv, "dstport", NULL);
    if (!src || !dst) {
        err_setf(errp, "l2tpv3: src= and dst= are required");
        return NULL;
    }
    if (!udp) {
        err_setf(errp, "l2tpv3 over raw IP (udp=off): not supported");
        return NULL;
    }
    if (!sport || !dport) {
        err_setf(errp, "l2tpv3: need both src and dst port for udp");
        return NULL;
    }
    if (!kv_has(kv, "txsession")) {
        err_setf(errp, "l2tpv3: txsession= is required");
        return NULL;
    }
    uint64_t txs, rxs, txc = 0, rxc = 0, off = 0;
    if (get_u64(kv, "txsession", UINT32_MAX, &txs, errp) < 0) {
        return NULL;
    }
    rxs = txs;
    if (kv_has(kv, "rxsession") &&
        get_u64(kv, "rxsession", UINT32_MAX, &rxs, errp) < 0) {
        return NULL;
    }
    bool has_tx = kv_has(kv, "txcookie"), has_rx = kv_has(kv, "rxcookie");
    if (has_tx != has_rx) {
        err_setf(errp, "l2tpv3: cookies must be set for both rx and tx");
        return NULL;
    }
    uint64_t cmax = cookie64 ? UINT64_MAX : UINT32_MAX;
    if (has_tx && (get_u64(kv, "txcookie", cmax, &txc, errp) < 0 ||
                   get_u64(kv, "rxcookie", cmax, &rxc, errp) < 0)) {
        return NULL;
    }
    if (kv_has(kv, "offset") && get_u64(kv, "offset", 256, &off, errp) < 0) {
        return NULL;
    }

    struct sockaddr_storage la, ra;
    socklen_t llen, rlen;
    if (resolve(src, sport, ipv6, &la, &llen, errp) < 0 ||
        resolve(dst, dport, ipv6, &ra, &rlen, errp) < 0) {
        return NULL;
    }
    int fd = socket(la.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&la, llen) < 0) {
        err_setf(errp, "l2tpv3: can't bind %s:%s: %s", src, sport,
                 strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return NULL;
    }
    struct l2tp_nd *s = (struct l2tp_nd *)net_client_new(&l2tp_ops,
                                                         sizeof(*s),
                                                         "l2tpv3", name);
    s->fd = fd;
    s->dst = ra;
    s->dstlen = rlen;
    s->tx_session = (uint32_t)txs;
    s->rx_session = (uint32_t)rxs;
    s->cookie = has_tx;
    s->cookie64 = cookie64;
    s->tx_cookie = txc;
    s->rx_cookie = rxc;
    s->counter = counter;
    s->pin_counter = pin;
    s->offset = (unsigned)off;
    s->session_off = 4;
    s->cookie_off = s->session_off + 4;
    s->counter_off = s->cookie_off + (s->cookie ? (cookie64 ? 8 : 4) : 0);
    s->hdr_len = s->counter_off + (counter ? 4 : 0) + s->offset;
    s->reading = true;
    loop_set_fd(fd, l2tp_read, NULL, s);
    net_client_set_info(&s->nc, "l2tpv3: connected");
    return &s->nc;
}

const struct netdev_type netdev_l2tpv3 = { "l2tpv3", l2tp_init };
