/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd.c - the "nbd" protocol driver (qemu-6.2 manual "Notes", NBD, and
 * -blockdev driver=nbd): one TCP or Unix socket to the server, requests
 * split to the server's block size constraints (NetworkBlockDevice/nbd
 * doc/proto.md "Block size constraints", unaligned edges read-modify-
 * written), and reconnect-delay=: when the connection drops, the request
 * waits while we reconnect and is sent again, failing with EIO only once
 * the delay has passed.  A connection carries one request at a time.  When
 * the server says NBD_FLAG_CAN_MULTI_CONN (proto.md: a flush on any
 * connection covers the writes completed on all), several workers may use
 * the node at once (netblk_concurrent()): each request takes a connection
 * of its own from a pool of up to NBD_CONNS, opened as they are needed,
 * each reconnecting on its own; otherwise the node stays on one
 * connection and blk-backend.c serialises its requests.
 * tls-creds=ID: NBD_OPT_STARTTLS, then the rest of the negotiation and
 * the transmission over OpenSSL on the same socket (proto.md "TLS
 * support"), with the context of -object tls-creds-x509/psk/anon
 * (emu/vm/tls-creds.h); the server's certificate must name tls-hostname=
 * or the host connected to.
 */
#include "emu/osdep.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "block-protocols/block.h"
#include "block-protocols/nbd.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/tls-creds.h"
#ifdef CONFIG_OPENSSL
#include <openssl/err.h>
#include <openssl/x509.h>
#endif

/* A handshake that takes longer than this is a dead server. */
#define HANDSHAKE_TIMEOUT_S 30
#define CONNECT_TIMEOUT_MS 10000

struct nbd_pool;

/* One connection; the first is the node's (bs->opaque) and owns addr,
 * uri and the TLS context, which the others share. */
struct nbd_state {
    struct nbd_pool *pool;  /* first connection, multi-conn server */
    struct nbd_addr addr;
    struct nbd_client c;
    char *uri;
    int fd;                 /* -1: not connected */
    bool writable, no_flush;
    uint64_t size;
    uint16_t flags;
    int64_t dropped_ns;     /* when the connection was lost */
    bool quit;              /* lost for good (no reconnect-delay) */
    struct tls_creds *creds;    /* tls-creds=, or NULL */
    struct nbd_aio *aio;    /* first connection: the main loop's (nbd-aio.c) */
#ifdef CONFIG_OPENSSL
    SSL_CTX *tls_ctx;
    SSL *ssl;               /* the live connection's TLS session */
#endif
};

#define NBD_CONNS 4

struct nbd_pool {
    struct nbd_state *conn[NBD_CONNS];
    bool busy[NBD_CONNS];
    int n;
    bool connecting, no_more;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Writes of partial blocks (read-modify-write) alone. */
    pthread_rwlock_t rmw;
    uint32_t min_block;     /* at open (a reconnect must not change it) */
};

static ssize_t sock_recv(void *opaque, void *buf, size_t len)
{
    int fd = *(int *)opaque;
    for (;;) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n < 0 ? -errno : n;
    }
}

static ssize_t sock_send(void *opaque, const void *buf, size_t len)
{
    int fd = *(int *)opaque;
    for (;;) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        return n < 0 ? -errno : n;
    }
}

#ifdef CONFIG_OPENSSL
/* OpenSSL's result as the transport's: bytes, 0 at the peer's close
 * notify, -errno otherwise. */
static ssize_t tls_result(SSL *ssl, int n)
{
    if (n > 0) {
        return n;
    }
    switch (SSL_get_error(ssl, n)) {
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        return errno ? -errno : 0;  /* 0: EOF without close notify */
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        return -EAGAIN;             /* SO_RCVTIMEO ran out */
    default:
        return -EPROTO;
    }
}

static ssize_t tls_recv(void *opaque, void *buf, size_t len)
{
    struct nbd_state *s = opaque;
    ERR_clear_error();
    errno = 0;
    return tls_result(s->ssl, SSL_read(s->ssl, buf, (int)MIN(len,
                                                           (size_t)INT_MAX)));
}

static ssize_t tls_send(void *opaque, const void *buf, size_t len)
{
    struct nbd_state *s = opaque;
    ERR_clear_error();
    errno = 0;
    return tls_result(s->ssl, SSL_write(s->ssl, buf, (int)MIN(len,
                                                            (size_t)INT_MAX)));
}

/* Called by the handshake once the server acknowledged STARTTLS. */
static int tls_start(void *opaque, struct err **errp)
{
    struct nbd_state *s = opaque;
    /* Certificates name hosts; a UNIX socket has none unless given. */
    const char *name = s->addr.tls_hostname ? s->addr.tls_hostname
                       : s->addr.is_unix ? NULL : s->addr.host;
    s->ssl = SSL_new(s->tls_ctx);
    if (!s->ssl || !SSL_set_fd(s->ssl, s->fd) ||
        tls_creds_client_prepare(s->creds, s->ssl, name, errp) < 0) {
        if (errp && !*errp) {
            err_setf(errp, "TLS: cannot set up the session");
        }
        return -1;
    }
    ERR_clear_error();
    int r = SSL_connect(s->ssl);
    if (r != 1) {
        long v = SSL_get_verify_result(s->ssl);
        unsigned long e = ERR_peek_error();
        char buf[256] = "";
        if (e) {
            ERR_error_string_n(e, buf, sizeof(buf));
        }
        if (v != X509_V_OK) {
            err_setf(errp, "TLS handshake failed: the server's certificate "
                     "was refused: %s", X509_verify_cert_error_string(v));
        } else {
            err_setf(errp, "TLS handshake failed: %s", *buf ? buf :
                     "the connection was closed");
        }
        ERR_clear_error();
        return -1;
    }
    s->c.io = (struct nbd_io){ tls_recv, tls_send, s };
    return 0;
}
#endif

/* Connect with a bound on the time a silent host can take. */
static int connect_timeout(int fd, const struct sockaddr *sa, socklen_t len,
                           int timeout_ms)
{
    set_nonblock(fd, true);
    int r = connect(fd, sa, len);
    if (r < 0 && errno == EINPROGRESS) {
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        int n;
        do {
            n = poll(&p, 1, timeout_ms);
        } while (n < 0 && errno == EINTR);
        if (n == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        int e = 0;
        socklen_t el = sizeof(e);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el);
        if (e) {
            errno = e;
            return -1;
        }
        r = 0;
    }
    set_nonblock(fd, false);
    return r;
}

static int open_socket(const struct nbd_addr *a, int timeout_ms,
                       struct err **errp)
{
    if (a->is_unix) {
        struct sockaddr_un sun = { .sun_family = AF_UNIX };
        if (strlen(a->path) >= sizeof(sun.sun_path)) {
            err_setf(errp, "socket path '%s' is too long", a->path);
            return -1;
        }
        strcpy(sun.sun_path, a->path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect_timeout(fd, (struct sockaddr *)&sun,
                                      sizeof(sun), timeout_ms) < 0) {
            err_setf(errp, "Failed to connect to '%s': %s", a->path,
                     strerror(errno));
            if (fd >= 0) {
                close(fd);
            }
            return -1;
        }
        return fd;
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_family = AF_UNSPEC }, *res, *ai;
    int g = getaddrinfo(a->host, a->port, &hints, &res);
    if (g) {
        err_setf(errp, "address resolution failed for %s:%s: %s", a->host,
                 a->port, gai_strerror(g));
        return -1;
    }
    int fd = -1, e = ECONNREFUSED;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        if (connect_timeout(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) == 0) {
            break;
        }
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        err_setf(errp, "Failed to connect to '%s:%s': %s", a->host, a->port,
                 strerror(e));
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void set_timeout(int fd, int sec)
{
    struct timeval tv = { .tv_sec = sec };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static void drop(struct nbd_state *s);

/* Connect and negotiate; on success s->fd is the live connection. */
static int nbd_connect(struct nbd_state *s, int timeout_ms, struct err **errp)
{
    int fd = open_socket(&s->addr, timeout_ms, errp);
    if (fd < 0) {
        return -1;
    }
    s->fd = fd;
    s->c.io = (struct nbd_io){ sock_recv, sock_send, &s->fd };
#ifdef CONFIG_OPENSSL
    if (s->tls_ctx) {
        s->c.starttls = tls_start;
        s->c.tls_opaque = s;
    }
#endif
    set_timeout(fd, HANDSHAKE_TIMEOUT_S);
    if (nbd_handshake(&s->c, s->addr.export, errp) < 0) {
        drop(s);
        return -1;
    }
    set_timeout(fd, 0);
    return 0;
}

static void drop(struct nbd_state *s)
{
#ifdef CONFIG_OPENSSL
    if (s->ssl) {
        SSL_free(s->ssl);
        s->ssl = NULL;
    }
#endif
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static int nbd_open(struct bdrv *bs, struct kvlist *kv, int flags,
                    struct err **errp)
{
    struct nbd_state *s = xzalloc(sizeof(*s));
    s->fd = -1;
    kv_mark_used(kv, "force-share");   /* nothing to lock on a server */
    if (nbd_parse_opts(&s->addr, kv, errp) < 0) {
        free(s);
        return -1;
    }
    if (s->addr.tls_creds) {
        s->creds = tls_creds_find(s->addr.tls_creds, errp);
        if (!s->creds) {
            goto fail;
        }
        if (tls_creds_is_server(s->creds)) {
            err_setf(errp, "nbd: tls-creds '%s': expecting a client "
                     "endpoint (endpoint=client)", s->addr.tls_creds);
            goto fail;
        }
#ifdef CONFIG_OPENSSL
        s->tls_ctx = tls_creds_new_ctx(s->creds, errp);
        if (!s->tls_ctx) {
            goto fail;
        }
#else
        err_setf(errp, "nbd: tls-creds: hemu was built without OpenSSL");
        goto fail;
#endif
    }
    s->uri = nbd_addr_to_uri(&s->addr);
    struct err *e = NULL;
    if (nbd_connect(s, CONNECT_TIMEOUT_MS, &e) < 0) {
        err_propagate(errp, e);
        goto fail;
    }
    s->size = s->c.info.size;
    s->flags = s->c.info.flags;
    s->writable = flags & BDRV_O_RDWR;
    s->no_flush = flags & BDRV_O_NO_FLUSH;
    if (s->writable && (s->flags & NBD_FLAG_READ_ONLY)) {
        const char *aro = kv_get(kv, "auto-read-only");
        if (aro && strcmp(aro, "off")) {
            bs->read_only = true;
            s->writable = false;
        } else {
            err_setf(errp, "the NBD export '%s' is read-only (use "
                     "readonly=on)", s->uri);
            drop(s);
            goto fail;
        }
    }
    if (s->flags & NBD_FLAG_CAN_MULTI_CONN) {
        struct nbd_pool *p = xzalloc(sizeof(*p));
        pthread_mutex_init(&p->mu, NULL);
        pthread_cond_init(&p->cv, NULL);
        pthread_rwlock_init(&p->rmw, NULL);
        p->conn[p->n++] = s;
        p->min_block = s->c.info.min_block;
        s->pool = p;
    }
    bs->opaque = s;
    bs->filename = xstrdup(s->uri);
    return 0;
fail:
#ifdef CONFIG_OPENSSL
    SSL_CTX_free(s->tls_ctx);
#endif
    free(s->uri);
    nbd_addr_free(&s->addr);
    free(s);
    return -1;
}

static void conn_close(struct nbd_state *s)
{
    if (s->fd >= 0) {
        nbd_disconnect(&s->c);
#ifdef CONFIG_OPENSSL
        if (s->ssl) {
            SSL_shutdown(s->ssl);
        }
#endif
        drop(s);
    }
}

static void nbd_close(struct bdrv *bs)
{
    struct nbd_state *s = bs->opaque;
    struct nbd_pool *p = s->pool;
    nbd_aio_free(s->aio);
    if (p) {
        for (int i = 1; i < p->n; i++) {
            conn_close(p->conn[i]);
            free(p->conn[i]);
        }
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        pthread_rwlock_destroy(&p->rmw);
        free(p);
    }
    if (s->fd >= 0) {
        nbd_disconnect(&s->c);
#ifdef CONFIG_OPENSSL
        if (s->ssl) {
            SSL_shutdown(s->ssl);   /* close notify; no wait for the reply */
        }
#endif
        drop(s);
    }
#ifdef CONFIG_OPENSSL
    SSL_CTX_free(s->tls_ctx);
#endif
    free(s->uri);
    nbd_addr_free(&s->addr);
    free(s);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000 };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* Reconnect within the delay; 0 when connected again, -EIO when not. */
static int reconnect(struct nbd_state *s)
{
    if (s->quit) {
        return -EIO;
    }
    int64_t deadline = s->dropped_ns +
                       (int64_t)s->addr.reconnect_delay * 1000000000;
    int64_t backoff = 50;
    for (;;) {
        int64_t now = clock_monotonic_ns();
        int64_t left_ms = (deadline - now) / 1000000;
        struct err *e = NULL;
        /* Past the delay, each request still makes one quick attempt. */
        if (nbd_connect(s, MAX(left_ms, (int64_t)1000), &e) == 0) {
            if (s->c.info.size != s->size ||
                (s->writable && (s->c.info.flags & NBD_FLAG_READ_ONLY))) {
                warn_report("nbd: '%s' changed size or became read-only "
                            "across the reconnect", s->uri);
                drop(s);
                s->quit = true;
                return -EIO;
            }
            s->flags = s->c.info.flags;
            s->dropped_ns = 0;
            info_report("nbd: reconnected to '%s'", s->uri);
            return 0;
        }
        err_free(e);
        if (clock_monotonic_ns() >= deadline) {
            return -EIO;
        }
        sleep_ms(MIN(backoff, MAX(left_ms, (int64_t)1)));
        backoff = MIN(backoff * 2, (int64_t)1000);
    }
}

enum op { OP_READ, OP_WRITE, OP_TRIM, OP_ZERO, OP_FLUSH, OP_STATUS };

/* One request on the wire, resent across reconnects. */
static int request(struct nbd_state *s, enum op op, uint64_t off,
                   void *buf, uint32_t len, bool flag)
{
    for (;;) {
        if (s->fd < 0 && reconnect(s) < 0) {
            return -EIO;
        }
        int r;
        switch (op) {
        case OP_READ: r = nbd_read(&s->c, off, buf, len); break;
        case OP_WRITE: r = nbd_write(&s->c, off, buf, len, flag); break;
        case OP_TRIM: r = nbd_trim(&s->c, off, len); break;
        case OP_ZERO: r = nbd_write_zeroes(&s->c, off, len, flag); break;
        case OP_STATUS: {
            uint32_t *out = buf;    /* extent length, NBD_STATE_* */
            r = nbd_block_status(&s->c, off, len, &out[0], &out[1]);
            break;
        }
        default: r = nbd_flush(&s->c); break;
        }
        if (r == -ESHUTDOWN && s->addr.reconnect_delay) {
            r = NBD_EDEAD;  /* the server is going away: try the next one */
        }
        if (r != NBD_EDEAD) {
            return r;
        }
        warn_report("nbd: connection to '%s' lost: %s%s", s->uri,
                    s->c.errmsg, s->addr.reconnect_delay ?
                    "; reconnecting" : "");
        drop(s);
        s->dropped_ns = clock_monotonic_ns();
        if (!s->addr.reconnect_delay) {
            s->quit = true;
            return -EIO;
        }
    }
}

static uint32_t chunk_max(struct nbd_state *s)
{
    return s->c.info.max_block ? s->c.info.max_block : NBD_MAX_PAYLOAD;
}

/* Aligned reads and writes split to the maximum payload. */
static int rw_aligned(struct nbd_state *s, bool write, uint64_t off,
                      uint8_t *buf, uint64_t len)
{
    uint32_t max = chunk_max(s);
    while (len) {
        uint32_t n = MIN(len, (uint64_t)max);
        int r = request(s, write ? OP_WRITE : OP_READ, off, buf, n,
                        false);
        if (r < 0) {
            return r;
        }
        off += n;
        buf += n;
        len -= n;
    }
    return 0;
}

/* One partial block at the edge of an unaligned request. */
static int rw_partial(struct nbd_state *s, bool write, uint64_t off,
                      uint8_t *buf, uint64_t len)
{
    uint32_t a = s->c.info.min_block;
    uint64_t start = off - off % a;
    uint8_t *b = xmalloc(a);
    int r = rw_aligned(s, false, start, b, a);
    if (r >= 0) {
        if (write) {
            memcpy(b + (off - start), buf, len);
            r = rw_aligned(s, true, start, b, a);
        } else {
            memcpy(buf, b + (off - start), len);
        }
    }
    free(b);
    return r;
}

static int rw(struct nbd_state *s, bool write, uint64_t off, uint8_t *buf,
              uint64_t len)
{
    uint32_t a = s->c.info.min_block ? s->c.info.min_block : 1;
    if (a > 1 && off % a) {
        uint64_t n = MIN(len, a - off % a);
        int r = rw_partial(s, write, off, buf, n);
        if (r < 0) {
            return r;
        }
        off += n;
        buf += n;
        len -= n;
    }
    uint64_t body = len - len % a;
    if (body) {
        int r = rw_aligned(s, write, off, buf, body);
        if (r < 0) {
            return r;
        }
    }
    if (len > body) {
        return rw_partial(s, write, off + body, buf + body, len - body);
    }
    return 0;
}

static int pread_one(struct nbd_state *s, uint64_t off, void *buf,
                     size_t len)
{
    if (off >= s->size) {
        memset(buf, 0, len);    /* past the end reads zeroes, like file */
        return 0;
    }
    if (len > s->size - off) {
        memset((uint8_t *)buf + (s->size - off), 0, len - (s->size - off));
        len = s->size - off;
    }
    return rw(s, false, off, buf, len);
}

static int pwrite_one(struct bdrv *bs, struct nbd_state *s, uint64_t off,
                      const void *buf, size_t len)
{
    if (!s->writable) {
        return -EPERM;
    }
    if (off > s->size || len > s->size - off) {
        return -ENOSPC;     /* an export does not grow */
    }
    bool wt = (bs->flags & BDRV_O_WRITETHROUGH) && !s->no_flush;
    int r;
    if (wt && (s->flags & NBD_FLAG_SEND_FUA) && s->c.info.min_block <= 1) {
        /* Writethrough with FUA on each request instead of a flush. */
        uint32_t max = chunk_max(s);
        r = 0;
        for (uint64_t done = 0; done < len && r >= 0;) {
            uint32_t n = MIN(len - done, (uint64_t)max);
            r = request(s, OP_WRITE, off + done, (uint8_t *)buf + done, n,
                        true);
            done += n;
        }
        return r;
    }
    r = rw(s, true, off, (uint8_t *)buf, len);
    if (r >= 0 && wt) {
        r = request(s, OP_FLUSH, 0, NULL, 0, false);
    }
    return r;
}

/* TRIM and WRITE_ZEROES over [off, off+len) in aligned pieces. */
static int ranged(struct nbd_state *s, enum op op, uint64_t off, uint64_t len,
                  bool flag)
{
    uint32_t max = chunk_max(s);
    while (len) {
        uint32_t n = MIN(len, (uint64_t)max);
        int r = request(s, op, off, NULL, n, flag);
        if (r < 0) {
            return r;
        }
        off += n;
        len -= n;
    }
    return 0;
}

static int zeroes_one(struct nbd_state *s, uint64_t off, uint64_t len,
                      bool may_unmap)
{
    uint32_t a = s->c.info.min_block;
    if (!s->writable) {
        return -EPERM;
    }
    if (off > s->size || len > s->size - off) {
        return -ENOSPC;
    }
    if (!(s->flags & NBD_FLAG_SEND_WRITE_ZEROES) || off % a || len % a) {
        return -ENOTSUP;    /* the block layer writes zero buffers */
    }
    return ranged(s, OP_ZERO, off, len, may_unmap);
}

static int discard_one(struct nbd_state *s, uint64_t off, uint64_t len)
{
    uint32_t a = s->c.info.min_block;
    if (!s->writable) {
        return -EPERM;
    }
    if (!(s->flags & NBD_FLAG_SEND_TRIM) || off >= s->size) {
        return 0;   /* discard is advisory */
    }
    len = MIN(len, s->size - off);
    /* Only whole blocks may be trimmed. */
    uint64_t start = (off + a - 1) / a * a, end = (off + len) / a * a;
    if (end <= start) {
        return 0;
    }
    int r = ranged(s, OP_TRIM, start, end - start, false);
    return r == -ENOTSUP || r == -EINVAL ? 0 : r;
}

static int flush_one(struct nbd_state *s)
{
    if (s->no_flush || !s->writable) {
        return 0;
    }
    return request(s, OP_FLUSH, 0, NULL, 0, false);
}

/* base:allocation through NBD_CMD_BLOCK_STATUS when the server has it;
 * otherwise, or for an unaligned start, all data. */
static int status_one(struct nbd_state *s, uint64_t off, uint64_t len,
                      uint64_t *pnum, uint64_t *map)
{
    uint32_t a = s->c.info.min_block ? s->c.info.min_block : 1;
    *map = off;
    *pnum = len;
    if (off >= s->size) {
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
    }
    len = MIN(len, s->size - off);
    *pnum = len;
    if (!s->c.info.has_alloc || off % a || len < a) {
        if (off % a) {
            *pnum = MIN(len, a - off % a);
        }
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
    }
    uint32_t n = MIN(len, (uint64_t)1 << 30);
    n -= n % a;
    uint32_t out[2];
    int r = request(s, OP_STATUS, off, out, n, false);
    if (r == -EIO) {
        return r;
    }
    if (r < 0) {
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
    }
    *pnum = out[0];
    return (out[1] & NBD_STATE_ZERO ? BDRV_BLOCK_ZERO : BDRV_BLOCK_DATA) |
           BDRV_BLOCK_OFFSET_VALID;
}

/* A connection for one request: the node's own without a pool; else an
 * idle one, a new one while the pool has room, or the next to be free. */
static struct nbd_state *conn_get(struct bdrv *bs)
{
    struct nbd_state *s0 = bs->opaque;
    struct nbd_pool *p = s0->pool;
    if (!p) {
        return s0;
    }
    pthread_mutex_lock(&p->mu);
    for (;;) {
        for (int i = 0; i < p->n; i++) {
            if (!p->busy[i]) {
                p->busy[i] = true;
                pthread_mutex_unlock(&p->mu);
                return p->conn[i];
            }
        }
        if (p->n < NBD_CONNS && !p->no_more && !p->connecting) {
            p->connecting = true;
            pthread_mutex_unlock(&p->mu);
            struct nbd_state *s = xzalloc(sizeof(*s));
            s->addr = s0->addr;     /* shared: the first one's to free */
            s->uri = s0->uri;
            s->creds = s0->creds;
#ifdef CONFIG_OPENSSL
            s->tls_ctx = s0->tls_ctx;
#endif
            s->fd = -1;
            s->writable = s0->writable;
            s->no_flush = s0->no_flush;
            s->size = s0->size;
            struct err *e = NULL;
            bool ok = nbd_connect(s, 2000, &e) == 0 &&
                      s->c.info.size == s0->size;
            err_free(e);    /* the connections there are carry on */
            if (ok) {
                s->flags = s->c.info.flags;
            } else {
                drop(s);
                free(s);
            }
            pthread_mutex_lock(&p->mu);
            p->connecting = false;
            if (ok) {
                p->conn[p->n++] = s;
            } else {
                p->no_more = true;
            }
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        pthread_cond_wait(&p->cv, &p->mu);
    }
}

static void conn_put(struct bdrv *bs, struct nbd_state *s)
{
    struct nbd_pool *p = ((struct nbd_state *)bs->opaque)->pool;
    if (!p) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    for (int i = 0; i < p->n; i++) {
        if (p->conn[i] == s) {
            p->busy[i] = false;
        }
    }
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

struct nbd_aio **nbd_aio_slot(struct bdrv *bs)
{
    return &((struct nbd_state *)bs->opaque)->aio;
}

int nbd_aio_connect(struct bdrv *bs, int *fd, struct nbd_client *c)
{
    struct nbd_state *s0 = bs->opaque;
    /* Another connection is only coherent with the pool's when the server
     * says so (multi-conn); TLS would need a non-blocking OpenSSL here. */
    if (!s0->pool || s0->creds) {
        return -1;
    }
    struct err *e = NULL;
    *fd = open_socket(&s0->addr, 2000, &e);
    if (*fd < 0) {
        err_free(e);
        return -1;
    }
    *c = (struct nbd_client){ .io = { sock_recv, sock_send, fd } };
    set_timeout(*fd, HANDSHAKE_TIMEOUT_S);
    if (nbd_handshake(c, s0->addr.export, &e) < 0 ||
        c->info.size != s0->size) {
        err_free(e);
        close(*fd);
        *fd = -1;
        return -1;
    }
    set_timeout(*fd, 0);
    return 0;
}

bool nbd_concurrent(const struct bdrv *bs)
{
    return ((struct nbd_state *)bs->opaque)->pool != NULL;
}

static int nbd_pread(struct bdrv *bs, uint64_t off, void *buf, size_t len)
{
    struct nbd_state *s = conn_get(bs);
    int r = pread_one(s, off, buf, len);
    conn_put(bs, s);
    return r;
}

static int nbd_pwrite(struct bdrv *bs, uint64_t off, const void *buf,
                      size_t len)
{
    struct nbd_pool *p = ((struct nbd_state *)bs->opaque)->pool;
    if (p) {
        uint32_t a = p->min_block;
        if (a > 1 && (off % a || len % a)) {
            pthread_rwlock_wrlock(&p->rmw);
        } else {
            pthread_rwlock_rdlock(&p->rmw);
        }
    }
    struct nbd_state *s = conn_get(bs);
    int r = pwrite_one(bs, s, off, buf, len);
    conn_put(bs, s);
    if (p) {
        pthread_rwlock_unlock(&p->rmw);
    }
    return r;
}

static int nbd_pwrite_zeroes(struct bdrv *bs, uint64_t off, uint64_t len,
                             bool may_unmap)
{
    struct nbd_state *s = conn_get(bs);
    int r = zeroes_one(s, off, len, may_unmap);
    conn_put(bs, s);
    return r;
}

static int nbd_discard(struct bdrv *bs, uint64_t off, uint64_t len)
{
    struct nbd_state *s = conn_get(bs);
    int r = discard_one(s, off, len);
    conn_put(bs, s);
    return r;
}

static int nbd_flush_op(struct bdrv *bs)
{
    /* With multi-conn, a flush on one connection covers them all. */
    struct nbd_state *s = conn_get(bs);
    int r = flush_one(s);
    conn_put(bs, s);
    return r;
}

static int nbd_block_status_op(struct bdrv *bs, uint64_t off, uint64_t len,
                               uint64_t *pnum, uint64_t *map)
{
    struct nbd_state *s = conn_get(bs);
    int r = status_one(s, off, len, pnum, map);
    conn_put(bs, s);
    return r;
}

static int64_t nbd_getlength(struct bdrv *bs)
{
    struct nbd_state *s = bs->opaque;
    return s->size;
}

static const char *const nbd_schemes[] = { "nbd", "nbd+tcp", "nbd+unix",
                                           NULL };

const struct bdrv_ops bdrv_nbd_ops = {
    .name = "nbd",
    .is_protocol = true,
    .schemes = nbd_schemes,
    .open = nbd_open,
    .close = nbd_close,
    .pread = nbd_pread,
    .pwrite = nbd_pwrite,
    .pwrite_zeroes = nbd_pwrite_zeroes,
    .discard = nbd_discard,
    .flush = nbd_flush_op,
    .getlength = nbd_getlength,
    .block_status = nbd_block_status_op,
};
