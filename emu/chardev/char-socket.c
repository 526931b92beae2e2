/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char-socket.c - the socket back end: TCP or unix stream sockets, as a
 * server (one client at a time; later clients wait in the backlog) or a
 * client (reconnect=SECONDS retries in the background), optionally speaking
 * telnet (RFC 854 command parsing, RFC 857 ECHO, RFC 858 SUPPRESS-GO-AHEAD,
 * RFC 856 BINARY).  A server with wait=on blocks at creation until the
 * first client connects, as QEMU does.
 * Reference: qemu-6.2 manual, "-chardev socket" and "-serial tcp/telnet/unix".
 */
#include "emu/osdep.h"
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "emu/chardev/chardev-int.h"
#include "emu/cli/keyval.h"     /* kv_str, kv_bool, kv_uint, kv_check_used */
#include "emu/util/cutils.h"    /* xzalloc, xasprintf, set_nonblock */
#include "emu/util/err.h"       /* err_setf, info_report */

/* Telnet (RFC 854) command bytes. */
enum {
    TN_SE = 240, TN_BRK = 243, TN_SB = 250, TN_WILL = 251, TN_WONT = 252,
    TN_DO = 253, TN_DONT = 254, TN_IAC = 255,
};
enum { TN_OPT_BINARY = 0, TN_OPT_ECHO = 1, TN_OPT_SGA = 3 };

/* Where the telnet input parser is. */
enum tn_state { TS_DATA, TS_IAC, TS_OPT, TS_SB, TS_SB_IAC };

struct sock_chr {
    struct chardev *chr;
    /* configuration */
    bool is_unix, server, telnet, nodelay;
    bool abstract, tight;
    int family;             /* AF_UNSPEC, AF_INET or AF_INET6 */
    char *host, *port;      /* tcp; numeric once a server is bound */
    uint64_t port_to;       /* to=: last port to try, 0 if none */
    char *path;             /* unix */
    int given_fd;           /* fd=, -1 if none */
    int64_t reconnect;      /* seconds, 0: never */
    /* state */
    int listen_fd, fd, conn_fd;
    struct addrinfo *ai, *ai_next;  /* async connect candidates */
    struct timer *reconnect_timer;
    struct bh *hangup_bh;
    enum tn_state tn;
    bool connect_err_reported;
    bool hangup;            /* a write failed; disconnect is scheduled */
};

static void sock_read_cb(void *opaque);
static void sock_accept_cb(void *opaque);
static void sock_connect_next(struct sock_chr *s);

/* ---------------------------------------------------------------------------
 * Addresses and the query-chardev filename
 */

static void numeric_addr(const struct sockaddr *sa, socklen_t len,
                         char *host, size_t hlen, char *serv, size_t slen)
{
    if (getnameinfo(sa, len, host, hlen, serv, slen,
                    NI_NUMERICHOST | NI_NUMERICSERV)) {
        snprintf(host, hlen, "?");
        snprintf(serv, slen, "?");
    }
}

static const char *sock_proto(const struct sock_chr *s)
{
    return s->telnet ? "telnet" : "tcp";
}

/* The configured address, "disconnected:" form without the prefix. */
static char *sock_addr_desc(const struct sock_chr *s)
{
    const char *srv = s->server ? ",server=on" : "";
    if (s->given_fd >= 0) {
        return xasprintf("fd:%d%s", s->given_fd, srv);
    }
    if (s->is_unix) {
        return xasprintf("unix:%s%s%s%s", s->path,
                         s->abstract ? ",abstract=on" : "",
                         s->abstract && s->tight ? ",tight=on" : "", srv);
    }
    return xasprintf("%s:%s:%s%s", sock_proto(s), s->host, s->port, srv);
}

static void sock_update_filename(struct sock_chr *s)
{
    struct sockaddr_storage la, pa;
    socklen_t ll = sizeof(la), pl = sizeof(pa);

    if (s->fd < 0) {
        char *d = sock_addr_desc(s);
        chr_set_filename(s->chr, xasprintf("disconnected:%s", d));
        free(d);
        return;
    }
    memset(&la, 0, sizeof(la));
    memset(&pa, 0, sizeof(pa));
    getsockname(s->fd, (struct sockaddr *)&la, &ll);
    getpeername(s->fd, (struct sockaddr *)&pa, &pl);
    const char *srv = s->server ? ",server=on" : "";
    if (la.ss_family == AF_UNIX) {
        /* QEMU shows the local path: the socket file for a server, empty
         * for a client. */
        struct sockaddr_un *un = (struct sockaddr_un *)&la;
        const char *p = ll > offsetof(struct sockaddr_un, sun_path)
                            ? un->sun_path : "";
        chr_set_filename(s->chr, xasprintf("unix:%s%s", p, srv));
        return;
    }
    if (la.ss_family != AF_INET && la.ss_family != AF_INET6) {
        chr_set_filename(s->chr, xstrdup("unknown"));
        return;
    }
    char lh[NI_MAXHOST], ls[NI_MAXSERV], ph[NI_MAXHOST], ps[NI_MAXSERV];
    numeric_addr((struct sockaddr *)&la, ll, lh, sizeof(lh), ls, sizeof(ls));
    numeric_addr((struct sockaddr *)&pa, pl, ph, sizeof(ph), ps, sizeof(ps));
    const char *l = la.ss_family == AF_INET6 ? "[" : "";
    const char *r = la.ss_family == AF_INET6 ? "]" : "";
    chr_set_filename(s->chr, xasprintf("%s:%s%s%s:%s%s <-> %s%s%s:%s",
                                       sock_proto(s), l, lh, r, ls, srv,
                                       l, ph, r, ps));
}

static int unix_addr(const struct sock_chr *s, struct sockaddr_un *un,
                     socklen_t *len, struct err **errp)
{
    size_t n = strlen(s->path);
    memset(un, 0, sizeof(*un));
    un->sun_family = AF_UNIX;
    if (n + (s->abstract ? 1 : 0) >= sizeof(un->sun_path)) {
        err_setf(errp, "UNIX socket path '%s' is too long", s->path);
        return -1;
    }
    if (s->abstract) {
        /* Linux abstract namespace: a leading NUL, no file. "tight" uses
         * the exact length instead of the whole sun_path. */
        memcpy(un->sun_path + 1, s->path, n);
        *len = s->tight ? offsetof(struct sockaddr_un, sun_path) + 1 + n
                        : sizeof(*un);
    } else {
        memcpy(un->sun_path, s->path, n);
        *len = sizeof(*un);
    }
    return 0;
}

static int resolve(const struct sock_chr *s, struct addrinfo **res,
                   struct err **errp)
{
    struct addrinfo hints = {
        .ai_family = s->family,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = s->server ? AI_PASSIVE : 0,
    };
    int r = getaddrinfo(s->host, s->port, &hints, res);
    if (r) {
        err_setf(errp, "address resolution failed for %s:%s: %s", s->host,
                 s->port, gai_strerror(r));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Connection state
 */

static void sock_send_telnet_init(struct sock_chr *s)
{
    /* The options QEMU offers: the server echoes, no go-aheads, and an
     * 8-bit clean channel in both directions.  Peers' answers are parsed
     * and ignored. */
    static const uint8_t init[] = {
        TN_IAC, TN_WILL, TN_OPT_ECHO,
        TN_IAC, TN_WILL, TN_OPT_SGA,
        TN_IAC, TN_WILL, TN_OPT_BINARY,
        TN_IAC, TN_DO, TN_OPT_BINARY,
    };
    chr_fd_write_all(s->fd, init, sizeof(init), true);
}

static void sock_connected(struct sock_chr *s, int fd)
{
    s->fd = fd;
    set_nonblock(fd, true);
    set_cloexec(fd);
    if (s->nodelay && !s->is_unix) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (s->listen_fd >= 0) {
        /* One client at a time: later ones wait in the backlog. */
        loop_set_fd(s->listen_fd, NULL, NULL, NULL);
    }
    s->connect_err_reported = false;
    s->tn = TS_DATA;
    if (s->telnet) {
        sock_send_telnet_init(s);
    }
    sock_update_filename(s);
    chr_input_watch(s->chr, fd, sock_read_cb);
    chr_be_event(s->chr, CHR_EVENT_OPENED);
}

static void sock_disconnect(struct sock_chr *s)
{
    if (s->fd < 0) {
        return;
    }
    chr_input_watch(s->chr, -1, NULL);
    close(s->fd);
    s->fd = -1;
    bh_cancel(s->hangup_bh);
    s->hangup = false;
    sock_update_filename(s);
    if (s->listen_fd >= 0) {
        loop_set_fd(s->listen_fd, sock_accept_cb, NULL, s);
    }
    if (s->chr->be_open) {
        chr_be_event(s->chr, CHR_EVENT_CLOSED);
    }
    if (!s->server && s->reconnect > 0) {
        timer_mod_in(s->reconnect_timer, s->reconnect * 1000000000LL);
    }
}

static void sock_hangup_bh(void *opaque)
{
    sock_disconnect(opaque);
}

static void sock_accept_cb(void *opaque)
{
    struct sock_chr *s = opaque;
    if (s->fd >= 0) {
        return;
    }
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
        sock_connected(s, fd);
    }
}

/* ---------------------------------------------------------------------------
 * Input, with telnet command stripping
 */

static void telnet_input(struct sock_chr *s, const uint8_t *in, int n)
{
    uint8_t out[4096];
    int o = 0;
    for (int i = 0; i < n; i++) {
        uint8_t c = in[i];
        switch (s->tn) {
        case TS_DATA:
            if (c == TN_IAC) {
                s->tn = TS_IAC;
            } else {
                out[o++] = c;
            }
            break;
        case TS_IAC:
            s->tn = TS_DATA;
            if (c == TN_IAC) {
                out[o++] = c;           /* IAC IAC is a literal 255 */
            } else if (c >= TN_WILL) {
                s->tn = TS_OPT;         /* option byte follows */
            } else if (c == TN_SB) {
                s->tn = TS_SB;
            } else if (c == TN_BRK) {
                /* Keep the break in order with the data around it. */
                chr_be_write(s->chr, out, o);
                o = 0;
                chr_be_event(s->chr, CHR_EVENT_BREAK);
            }
            break;
        case TS_OPT:
            s->tn = TS_DATA;
            break;
        case TS_SB:
            if (c == TN_IAC) {
                s->tn = TS_SB_IAC;
            }
            break;
        case TS_SB_IAC:
            s->tn = c == TN_SE ? TS_DATA : TS_SB;
            break;
        }
    }
    chr_be_write(s->chr, out, o);
}

static void sock_read_cb(void *opaque)
{
    struct chardev *chr = opaque;
    struct sock_chr *s = chr->opaque;
    uint8_t buf[4096];
    int room = chr_be_room(chr);
    if (!room) {
        return;
    }
    /* Telnet output never exceeds its input, so room bounds both. */
    ssize_t n = recv(s->fd, buf, MIN(room, (int)sizeof(buf)), 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        sock_disconnect(s);
        return;
    }
    if (s->telnet) {
        telnet_input(s, buf, n);
    } else {
        chr_be_write(chr, buf, n);
    }
}

/* ---------------------------------------------------------------------------
 * Client connections
 */

static int sock_connect_unix(struct sock_chr *s, bool async, struct err **errp)
{
    struct sockaddr_un un;
    socklen_t len;
    if (unix_addr(s, &un, &len, errp) < 0) {
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
                    (async ? SOCK_NONBLOCK : 0), 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&un, len) < 0) {
        err_setf(errp, "Failed to connect to '%s': %s", s->path,
                 strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

static int sock_connect_sync(struct sock_chr *s, struct err **errp)
{
    if (s->is_unix) {
        return sock_connect_unix(s, false, errp);
    }
    struct addrinfo *res;
    if (resolve(s, &res, errp) < 0) {
        return -1;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
                    a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
            saved = errno;
            close(fd);
            fd = -1;
        } else if (fd < 0) {
            saved = errno;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        err_setf(errp, "Failed to connect to '%s:%s': %s", s->host, s->port,
                 strerror(saved));
    }
    return fd;
}

static void sock_connect_failed(struct sock_chr *s, struct err *e)
{
    if (!s->connect_err_reported) {
        /* Once per outage, as QEMU does, not on every retry. */
        err_report("Unable to connect character device %s: %s", s->chr->id,
                   e ? e->msg : "failed");
        s->connect_err_reported = true;
    }
    err_free(e);
    timer_mod_in(s->reconnect_timer, s->reconnect * 1000000000LL);
}

static void sock_connect_ready_cb(void *opaque)
{
    struct sock_chr *s = opaque;
    int err = 0;
    socklen_t len = sizeof(err);
    int fd = s->conn_fd;

    loop_set_fd(fd, NULL, NULL, NULL);
    s->conn_fd = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
        err = errno;
    }
    if (!err) {
        if (s->ai) {
            freeaddrinfo(s->ai);
            s->ai = s->ai_next = NULL;
        }
        sock_connected(s, fd);
        return;
    }
    close(fd);
    if (s->ai_next) {
        sock_connect_next(s);
        return;
    }
    struct err *e = NULL;
    if (s->is_unix) {
        err_setf(&e, "Failed to connect to '%s': %s", s->path, strerror(err));
    } else {
        err_setf(&e, "Failed to connect to '%s:%s': %s", s->host, s->port,
                 strerror(err));
    }
    if (s->ai) {
        freeaddrinfo(s->ai);
        s->ai = s->ai_next = NULL;
    }
    sock_connect_failed(s, e);
}

/* Start a non-blocking connect to the next candidate address. */
static void sock_connect_next(struct sock_chr *s)
{
    struct addrinfo *a = s->ai_next;
    s->ai_next = a->ai_next;
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC |
                    SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
        s->conn_fd = -1;
        if (s->ai_next) {
            sock_connect_next(s);
            return;
        }
        struct err *e = NULL;
        err_setf(&e, "Failed to create socket: %s", strerror(errno));
        freeaddrinfo(s->ai);
        s->ai = NULL;
        sock_connect_failed(s, e);
        return;
    }
    if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno != EINPROGRESS) {
        /* Failed at once (SO_ERROR is already consumed): next or retry. */
        int saved = errno;
        close(fd);
        s->conn_fd = -1;
        if (s->ai_next) {
            sock_connect_next(s);
            return;
        }
        struct err *e = NULL;
        err_setf(&e, "Failed to connect to '%s:%s': %s", s->host, s->port,
                 strerror(saved));
        freeaddrinfo(s->ai);
        s->ai = NULL;
        sock_connect_failed(s, e);
        return;
    }
    s->conn_fd = fd;
    loop_set_fd(fd, NULL, sock_connect_ready_cb, s);
}

static void sock_reconnect_cb(void *opaque)
{
    struct sock_chr *s = opaque;
    if (s->fd >= 0 || s->conn_fd >= 0) {
        return;
    }
    if (s->is_unix) {
        /* connect() on a unix socket completes or fails at once. */
        struct err *e = NULL;
        int fd = sock_connect_unix(s, true, &e);
        if (fd < 0) {
            sock_connect_failed(s, e);
        } else {
            sock_connected(s, fd);
        }
        return;
    }
    struct err *e = NULL;
    if (resolve(s, &s->ai, &e) < 0) {
        s->ai = NULL;
        sock_connect_failed(s, e);
        return;
    }
    s->ai_next = s->ai;
    sock_connect_next(s);
}

/* ---------------------------------------------------------------------------
 * Servers
 */

static int sock_listen_unix(struct sock_chr *s, struct err **errp)
{
    struct sockaddr_un un;
    socklen_t len;
    if (unix_addr(s, &un, &len, errp) < 0) {
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err_setf(errp, "Failed to create Unix socket: %s", strerror(errno));
        return -1;
    }
    if (!s->abstract && unlink(s->path) < 0 && errno != ENOENT) {
        err_setf(errp, "Failed to unlink socket %s: %s", s->path,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&un, len) < 0) {
        err_setf(errp, "Failed to bind socket to %s: %s", s->path,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (listen(fd, 1) < 0) {
        err_setf(errp, "Failed to listen on socket: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int sock_listen_inet(struct sock_chr *s, struct err **errp)
{
    struct addrinfo *res;
    if (resolve(s, &res, errp) < 0) {
        return -1;
    }
    uint64_t first;
    if (parse_uint64(s->port, 10, &first) < 0) {
        /* A service name: resolve gave the number; no to= range then. */
        first = ntohs(((struct sockaddr_in *)res->ai_addr)->sin_port);
    }
    uint64_t last = s->port_to > first ? s->port_to : first;
    int fd = -1, saved = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        for (uint64_t p = first; p <= last && fd < 0; p++) {
            fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
                        a->ai_protocol);
            if (fd < 0) {
                saved = errno;
                break;
            }
            int one = 1, zero = 0;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (a->ai_family == AF_INET6) {
                /* "::" serves IPv4 too unless ipv4=off asked otherwise. */
                setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
                           s->family == AF_INET6 ? &one : &zero, sizeof(int));
            }
            if (a->ai_family == AF_INET) {
                ((struct sockaddr_in *)a->ai_addr)->sin_port = htons(p);
            } else if (a->ai_family == AF_INET6) {
                ((struct sockaddr_in6 *)a->ai_addr)->sin6_port = htons(p);
            }
            if (bind(fd, a->ai_addr, a->ai_addrlen) < 0 || listen(fd, 1) < 0) {
                saved = errno;
                close(fd);
                fd = -1;
            }
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        err_setf(errp, "Failed to find an available port: %s",
                 strerror(saved));
        return -1;
    }
    /* The filename shows what was bound (port=0 and to= pick one). */
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char h[NI_MAXHOST], p[NI_MAXSERV];
    getsockname(fd, (struct sockaddr *)&ss, &len);
    numeric_addr((struct sockaddr *)&ss, len, h, sizeof(h), p, sizeof(p));
    free(s->host);
    free(s->port);
    s->host = xstrdup(h);
    s->port = xstrdup(p);
    return fd;
}

/* wait=on: block until the first client, as QEMU does at start-up. */
static void sock_wait_first_client(struct sock_chr *s)
{
    info_report("QEMU waiting for connection on: %s", chr_filename(s->chr));
    for (;;) {
        struct pollfd p = { .fd = s->listen_fd, .events = POLLIN };
        if (poll(&p, 1, -1) < 0 && errno != EINTR) {
            return;
        }
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            sock_connected(s, fd);
            return;
        }
    }
}

/* ---------------------------------------------------------------------------
 * Options, open, write, close
 */

static int sock_parse(struct sock_chr *s, struct kvlist *opts,
                      struct err **errp)
{
    struct err *e = NULL;
    const char *path = kv_str(opts, "path", NULL);
    const char *fd = kv_str(opts, "fd", NULL);
    bool has_wait = kv_has(opts, "wait") || kv_has(opts, "nowait");
    bool wait;

    s->server = kv_bool(opts, "server", false, &e);
    wait = kv_bool(opts, "wait", true, &e);
    s->telnet = kv_bool(opts, "telnet", false, &e);
    s->nodelay = kv_bool(opts, "nodelay", false, &e);
    if (!kv_bool(opts, "delay", true, &e)) {
        s->nodelay = true;
    }
    s->reconnect = kv_uint(opts, "reconnect", 0, &e);
    bool websocket = kv_bool(opts, "websocket", false, &e);
    bool tn3270 = kv_bool(opts, "tn3270", false, &e);
    const char *tls = kv_str(opts, "tls-creds", NULL);
    const char *authz = kv_str(opts, "tls-authz", NULL);
    if (path) {
        s->is_unix = true;
        s->path = xstrdup(path);
        s->abstract = kv_bool(opts, "abstract", false, &e);
        s->tight = kv_bool(opts, "tight", true, &e);
    } else if (!fd) {
        const char *host = kv_str(opts, "host", "");
        const char *port = kv_str(opts, "port", NULL);
        bool v4 = kv_bool(opts, "ipv4", false, &e);
        bool v6 = kv_bool(opts, "ipv6", false, &e);
        s->port_to = kv_uint(opts, "to", 0, &e);
        if (!e && !port) {
            err_setf(&e, "chardev: socket: no port given");
        }
        s->family = v4 && !v6 ? AF_INET : v6 && !v4 ? AF_INET6 : AF_UNSPEC;
        if (!*host) {
            host = !s->server ? "localhost"
                   : s->family == AF_INET6 ? "::" : "0.0.0.0";
        }
        s->host = xstrdup(host);
        s->port = xstrdup(port ? port : "");
    } else {
        uint64_t n;
        if (parse_uint64(fd, 10, &n) < 0 || n > INT32_MAX) {
            err_setf(&e, "Parameter 'fd' expects a file descriptor number");
        } else {
            s->given_fd = n;
        }
    }
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (kv_check_used(opts, errp) < 0) {
        return -1;
    }
    if (websocket || tn3270 || tls || authz) {
        err_setf(errp, "%s: not supported", websocket ? "websocket"
                 : tn3270 ? "tn3270" : tls ? "tls-creds" : "tls-authz");
        return -1;
    }
    if (s->server && s->reconnect) {
        err_setf(errp, "'reconnect' option is incompatible with socket in "
                 "server listen mode");
        return -1;
    }
    if (!s->server && has_wait && wait) {
        err_setf(errp, "'wait' option is incompatible with socket in client "
                 "connect mode");
        return -1;
    }
    return s->server && wait ? 1 : 0;
}

static int sock_open(struct chardev *chr, struct kvlist *opts,
                     struct err **errp)
{
    struct sock_chr *s = xzalloc(sizeof(*s));
    s->chr = chr;
    s->listen_fd = s->fd = s->conn_fd = s->given_fd = -1;
    chr->opaque = s;
    int wait = sock_parse(s, opts, errp);
    if (wait < 0) {
        goto fail;
    }
    s->reconnect_timer = timer_new(CLOCK_RT, sock_reconnect_cb, s);
    s->hangup_bh = bh_new(sock_hangup_bh, s);

    if (s->given_fd >= 0) {
        if (s->server) {
            listen(s->given_fd, 1);     /* harmless if already listening */
            s->listen_fd = s->given_fd;
            set_nonblock(s->listen_fd, true);
        } else {
            sock_update_filename(s);
            sock_connected(s, s->given_fd);
            return 0;
        }
    } else if (s->server) {
        s->listen_fd = s->is_unix ? sock_listen_unix(s, errp)
                                  : sock_listen_inet(s, errp);
        if (s->listen_fd < 0) {
            goto fail;
        }
        set_nonblock(s->listen_fd, true);
    }
    sock_update_filename(s);

    if (s->server) {
        if (wait) {
            sock_wait_first_client(s);
        }
        if (s->fd < 0) {
            loop_set_fd(s->listen_fd, sock_accept_cb, NULL, s);
        }
        return 0;
    }
    if (s->reconnect > 0) {
        sock_reconnect_cb(s);   /* first attempt now, in the background */
        return 0;
    }
    int fd = sock_connect_sync(s, errp);
    if (fd < 0) {
        goto fail;
    }
    sock_connected(s, fd);
    return 0;

fail:
    chr->drv->close(chr);
    return -1;
}

static int sock_write(struct chardev *chr, const uint8_t *buf, int len)
{
    struct sock_chr *s = chr->opaque;
    if (s->fd < 0 || s->hangup) {
        return len;     /* nobody there: dropped, as QEMU does */
    }
    int r;
    if (s->telnet && memchr(buf, TN_IAC, len)) {
        /* RFC 854: a data byte 255 is sent as IAC IAC. */
        uint8_t *dup = xmalloc(2 * len);
        int n = 0;
        for (int i = 0; i < len; i++) {
            dup[n++] = buf[i];
            if (buf[i] == TN_IAC) {
                dup[n++] = TN_IAC;
            }
        }
        r = chr_fd_write_all(s->fd, dup, n, true);
        free(dup);
    } else {
        r = chr_fd_write_all(s->fd, buf, len, true);
    }
    if (r == -EAGAIN) {
        return r;
    }
    if (r < 0) {
        /* The peer is gone.  Disconnect from a bottom half: the front end
         * is inside its write and must not see CLOSED re-entrantly. */
        s->hangup = true;
        bh_schedule(s->hangup_bh);
        return len;
    }
    return len;
}

static void sock_close(struct chardev *chr)
{
    struct sock_chr *s = chr->opaque;
    if (!s) {
        return;
    }
    chr_input_watch(chr, -1, NULL);
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->conn_fd >= 0) {
        loop_set_fd(s->conn_fd, NULL, NULL, NULL);
        close(s->conn_fd);
    }
    if (s->listen_fd >= 0) {
        loop_set_fd(s->listen_fd, NULL, NULL, NULL);
        close(s->listen_fd);
        if (s->is_unix && !s->abstract && s->given_fd < 0) {
            unlink(s->path);
        }
    }
    if (s->ai) {
        freeaddrinfo(s->ai);
    }
    timer_free(s->reconnect_timer);
    if (s->hangup_bh) {
        bh_free(s->hangup_bh);
    }
    free(s->host);
    free(s->port);
    free(s->path);
    free(s);
    chr->opaque = NULL;
}

const struct chr_driver chr_socket_driver = {
    .name = "socket",
    .open = sock_open,
    .write = sock_write,
    .close = sock_close,
};

int chr_socket_unix_fd(const struct chardev *chr)
{
    if (chr->drv != &chr_socket_driver) {
        return -2;
    }
    const struct sock_chr *s = chr->opaque;
    if (!s->is_unix) {
        return -2;
    }
    return s->fd;
}
