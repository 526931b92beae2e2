/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc-outq.c - libvncserver writes a framebuffer update with blocking
 * writes (rfbWriteExact waits up to maxClientWait when the socket is
 * full), from hemu's main loop: a client that stops reading would stall
 * the whole VM.  So libvncserver gets one end of a socketpair, and a
 * thread per client copies both ways between it and the real socket,
 * keeping what the client has not taken yet in memory (up to OUTQ_MAX).
 * vnc.c stops sending updates to a client whose backlog is large
 * (vnc_outq_backlog), so a stuck client costs one update's memory.
 *
 * TLS (tls-creds=) lives here too, on OpenSSL, because libvncserver has
 * no server side of VeNCrypt: the thread runs the clear-text VeNCrypt
 * exchange (vnc-vencrypt.c) between the client and libvncserver, the TLS
 * handshake, hands libvncserver the plain security type it offered
 * (None, or VNC auth that it then checks itself, relayed over TLS), and
 * from then on copies through SSL_read/SSL_write.  The websocket port
 * gets TLS from the first byte (wss://, https://).
 *
 * The thread ends, closes the socket and frees itself when libvncserver
 * closes its end (after sending what is still queued) or the client
 * hangs up.
 */
#include "emu/osdep.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>

#ifdef CONFIG_OPENSSL
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#endif

#include "emu/util/cutils.h"
#include "remote/vnc-outq.h"
#include "remote/vnc-vencrypt.h"

/* Past this, the thread stops reading libvncserver's output: its write
 * then times out (maxClientWait) and it drops the client. */
#define OUTQ_MAX (64u << 20)
#define CHUNK 65536
/* Clear-text negotiation and TLS handshake, and sending what is left
 * once libvncserver has closed: a client gets this long. */
#define HANDSHAKE_MS 30000
#define DRAIN_MS 5000
/* One TLS record's worth per SSL_write: a retry after WANT_WRITE must
 * not be shorter than the try, and the queue only grows meanwhile. */
#define TLS_WRITE_MAX 16384

struct vnc_outq {
    int sock;                   /* the client */
    int pair;                   /* our end of the socketpair */
    uint8_t *out;               /* libvncserver -> client */
    size_t out_len, out_cap;
    uint8_t in[CHUNK];          /* client -> libvncserver */
    size_t in_len;
    atomic_size_t backlog;
    /* The client certificate's subject (RFC 4514), set once after the
     * handshake, for query-vnc's x509_dname. */
    _Atomic(char *) dname;
    int64_t deadline_ms;
#ifdef CONFIG_OPENSSL
    SSL_CTX *ctx;               /* NULL: plain */
    SSL *ssl;
    bool x509, vencrypt;
#endif
    /* TLS: the last read needs the socket writable, the last write
     * needs it readable (always false when plain). */
    bool read_wants_write, write_wants_read;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append what libvncserver wrote; false at EOF or error. */
static bool take_output(struct vnc_outq *q)
{
    if (q->out_cap - q->out_len < CHUNK) {
        q->out_cap = q->out_cap ? q->out_cap * 2 : 4 * CHUNK;
        q->out = xrealloc(q->out, q->out_cap);
    }
    ssize_t n = read(q->pair, q->out + q->out_len, q->out_cap - q->out_len);
    if (n > 0) {
        q->out_len += n;
        return true;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);
}

/* From the client: bytes, 0 (would block) or -1 (gone). */
static ssize_t sock_read(struct vnc_outq *q, void *buf, size_t len)
{
#ifdef CONFIG_OPENSSL
    if (q->ssl) {
        ERR_clear_error();
        int r = SSL_read(q->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
        q->read_wants_write = false;
        if (r > 0) {
            return r;
        }
        switch (SSL_get_error(q->ssl, r)) {
        case SSL_ERROR_WANT_READ:
            return 0;
        case SSL_ERROR_WANT_WRITE:
            q->read_wants_write = true;
            return 0;
        default:
            return -1;
        }
    }
#endif
    ssize_t n = read(q->sock, buf, len);
    if (n > 0) {
        return n;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

/* To the client: bytes taken, 0 (would block) or -1 (gone). */
static ssize_t sock_write(struct vnc_outq *q, const void *buf, size_t len)
{
#ifdef CONFIG_OPENSSL
    if (q->ssl) {
        ERR_clear_error();
        int r = SSL_write(q->ssl, buf, len > TLS_WRITE_MAX ? TLS_WRITE_MAX
                                                           : (int)len);
        q->write_wants_read = false;
        if (r > 0) {
            return r;
        }
        switch (SSL_get_error(q->ssl, r)) {
        case SSL_ERROR_WANT_WRITE:
            return 0;
        case SSL_ERROR_WANT_READ:
            q->write_wants_read = true;
            return 0;
        default:
            return -1;
        }
    }
#endif
    ssize_t n = send(q->sock, buf, len, MSG_NOSIGNAL);
    if (n > 0) {
        return n;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

#ifdef CONFIG_OPENSSL
/* ---------------------------------------------------------------------------
 * Before the copying: VeNCrypt in clear and the TLS handshake, with
 * blocking-style reads and writes bounded by the handshake deadline
 */

/* Until fd is ready for events; false on timeout, error, or
 * libvncserver closing its end while we wait on the client. */
static bool wait_fd(struct vnc_outq *q, int fd, short events)
{
    for (;;) {
        int64_t left = q->deadline_ms - now_ms();
        if (left <= 0) {
            return false;
        }
        struct pollfd p[2] = {
            { .fd = fd, .events = events },
            { .fd = q->pair, .events = POLLIN },
        };
        int np = fd == q->pair ? 1 : 2;
        int r = poll(p, np, left);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        if (np == 2 && p[1].revents) {
            return false;
        }
        if (p[0].revents) {
            return true;
        }
    }
}

static bool hs_read(struct vnc_outq *q, int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r > 0) {
            p += r;
            n -= r;
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR) ||
                   !wait_fd(q, fd, POLLIN)) {
            return false;
        }
    }
    return true;
}

static bool hs_write(struct vnc_outq *q, int fd, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
        if (r > 0) {
            p += r;
            n -= r;
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR) ||
                   !wait_fd(q, fd, POLLOUT)) {
            return false;
        }
    }
    return true;
}

static bool io_client_read(void *o, void *buf, size_t n)
{
    struct vnc_outq *q = o;
    return hs_read(q, q->sock, buf, n);
}

static bool io_client_write(void *o, const void *buf, size_t n)
{
    struct vnc_outq *q = o;
    return hs_write(q, q->sock, buf, n);
}

static bool io_lib_read(void *o, void *buf, size_t n)
{
    struct vnc_outq *q = o;
    return hs_read(q, q->pair, buf, n);
}

static bool io_lib_write(void *o, const void *buf, size_t n)
{
    struct vnc_outq *q = o;
    return hs_write(q, q->pair, buf, n);
}

static void publish_dname(struct vnc_outq *q)
{
    X509 *peer = SSL_get1_peer_certificate(q->ssl);
    if (!peer) {
        return;
    }
    BIO *b = BIO_new(BIO_s_mem());
    if (b && X509_NAME_print_ex(b, X509_get_subject_name(peer), 0,
                                XN_FLAG_RFC2253) >= 0) {
        char *data;
        long n = BIO_get_mem_data(b, &data);
        if (n >= 0) {
            atomic_store(&q->dname, xstrndup(data, n));
        }
    }
    BIO_free(b);
    X509_free(peer);
}

static bool tls_start(struct vnc_outq *q)
{
    q->deadline_ms = now_ms() + HANDSHAKE_MS;
    int lib_type = 0, subtype;
    if (q->vencrypt) {
        const struct vencrypt_io io = {
            .opaque = q,
            .client_read = io_client_read, .client_write = io_client_write,
            .lib_read = io_lib_read, .lib_write = io_lib_write,
        };
        lib_type = vencrypt_negotiate(&io, q->x509, &subtype);
        if (lib_type < 0) {
            return false;
        }
    }
    q->ssl = SSL_new(q->ctx);
    if (!q->ssl || !SSL_set_fd(q->ssl, q->sock)) {
        return false;
    }
    SSL_set_mode(q->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
                         SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    /* No TLS 1.3 session tickets: nothing here resumes sessions, and
     * tickets arriving with the first RFB bytes leave them in the
     * client's TLS buffer, where TigerVNC 1.12 does not look until its
     * socket becomes readable again. */
    SSL_set_num_tickets(q->ssl, 0);
    for (;;) {
        ERR_clear_error();
        int r = SSL_accept(q->ssl);
        if (r == 1) {
            break;
        }
        int e = SSL_get_error(q->ssl, r);
        if (e == SSL_ERROR_WANT_READ) {
            if (!wait_fd(q, q->sock, POLLIN)) {
                return false;
            }
        } else if (e == SSL_ERROR_WANT_WRITE) {
            if (!wait_fd(q, q->sock, POLLOUT)) {
                return false;
            }
        } else {
            /* Bad certificate, no client certificate with verify-peer,
             * not TLS at all: the client is simply dropped, as by QEMU. */
            if (getenv("HEMU_VNC_DEBUG")) {
                ERR_print_errors_fp(stderr);
            }
            return false;
        }
    }
    publish_dname(q);
    if (q->vencrypt) {
        uint8_t t = lib_type;
        return hs_write(q, q->pair, &t, 1);
    }
    return true;
}
#endif

static void copy_loop(struct vnc_outq *q)
{
    bool client_open = true;
    bool lib_open = true;       /* false: sending what is left, then end */
    for (;;) {
        bool reading = client_open && lib_open && !q->in_len;
        /* A negative fd is left out: a hung-up socket would report
         * POLLHUP for ever. */
        struct pollfd p[2] = {
            { .fd = lib_open ? q->pair : -1, .events = 0 },
            { .fd = client_open ? q->sock : -1, .events = 0 },
        };
        if (q->out_len < OUTQ_MAX) {
            p[0].events |= POLLIN;
        }
        if (q->in_len) {
            p[0].events |= POLLOUT;
        }
        if ((reading && !q->read_wants_write) ||
            (q->out_len && q->write_wants_read)) {
            p[1].events |= POLLIN;
        }
        if ((q->out_len && !q->write_wants_read) ||
            (reading && q->read_wants_write)) {
            p[1].events |= POLLOUT;
        }
        int timeout = -1;
        if (!lib_open) {
            int64_t left = q->deadline_ms - now_ms();
            if (left <= 0 || !client_open || !q->out_len) {
                break;
            }
            timeout = left;
        }
        if (poll(p, 2, timeout) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        /* libvncserver's end: its output, or its close. */
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!take_output(q)) {
                lib_open = false;
                q->in_len = 0;
                q->deadline_ms = now_ms() + DRAIN_MS;
            }
        }
        if (lib_open && (p[0].revents & POLLOUT) && q->in_len) {
            ssize_t n = write(q->pair, q->in, q->in_len);
            if (n > 0) {
                memmove(q->in, q->in + n, q->in_len - n);
                q->in_len -= n;
            }
        }
        if (!client_open) {
            atomic_store(&q->backlog, q->out_len);
            continue;
        }
        /* Tried whether or not poll said so: TLS may hold decrypted
         * bytes, or need the other direction first. */
        bool gone = false;
        if (lib_open && !q->in_len) {
            ssize_t n = sock_read(q, q->in, sizeof(q->in));
            if (n > 0) {
                q->in_len = n;
            } else if (n < 0) {
                gone = true;
            }
        }
        if (!gone && q->out_len) {
            ssize_t n = sock_write(q, q->out, q->out_len);
            if (n > 0) {
                memmove(q->out, q->out + n, q->out_len - n);
                q->out_len -= n;
            } else if (n < 0) {
                gone = true;
            }
        }
        if ((p[1].revents & (POLLHUP | POLLERR)) &&
            !(p[1].revents & POLLIN)) {
            gone = true;
        }
        if (gone) {
            /* The client hung up: libvncserver sees EOF too. */
            client_open = false;
            q->out_len = 0;
            shutdown(q->pair, SHUT_WR);
        }
        atomic_store(&q->backlog, q->out_len);
    }
#ifdef CONFIG_OPENSSL
    if (q->ssl && client_open) {
        SSL_shutdown(q->ssl);
    }
#endif
}

#ifdef CONFIG_OPENSSL
/* The client failed the handshake: drop it at once, but stay (q is
 * vnc.c's to ask about) until libvncserver, seeing EOF, lets go. */
static void wait_lib_close(struct vnc_outq *q)
{
    close(q->sock);
    q->sock = -1;
    shutdown(q->pair, SHUT_WR);
    for (;;) {
        struct pollfd p = { .fd = q->pair, .events = POLLIN };
        if (poll(&p, 1, -1) < 0 && errno != EINTR) {
            return;
        }
        uint8_t sink[4096];
        ssize_t n = read(q->pair, sink, sizeof(sink));
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            return;
        }
    }
}
#endif

static void *copier(void *opaque)
{
    struct vnc_outq *q = opaque;
#ifdef CONFIG_OPENSSL
    if (!q->ctx || tls_start(q)) {
        copy_loop(q);
    } else {
        wait_lib_close(q);
    }
    SSL_free(q->ssl);
    SSL_CTX_free(q->ctx);
#else
    copy_loop(q);
#endif
    close(q->pair);
    if (q->sock >= 0) {
        close(q->sock);
    }
    free(atomic_load(&q->dname));
    free(q->out);
    free(q);
    return NULL;
}

struct vnc_outq *vnc_outq_new(int sock, const struct vnc_tls *tls,
                              int *lib_fd)
{
#ifndef CONFIG_OPENSSL
    if (tls) {
        return NULL;
    }
#endif
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        return NULL;
    }
    struct vnc_outq *q = xzalloc(sizeof(*q));
    q->sock = sock;
    q->pair = sv[1];
#ifdef CONFIG_OPENSSL
    if (tls) {
        q->ctx = tls->ctx;
        SSL_CTX_up_ref(q->ctx);
        q->x509 = tls->x509;
        q->vencrypt = tls->vencrypt;
    }
#endif
    set_nonblock(sock, true);
    set_nonblock(sv[1], true);
    pthread_attr_t a;
    pthread_t t;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &a, copier, q)) {
        pthread_attr_destroy(&a);
        close(sv[0]);
        close(sv[1]);
#ifdef CONFIG_OPENSSL
        SSL_CTX_free(q->ctx);
#endif
        free(q);
        return NULL;
    }
    pthread_attr_destroy(&a);
    *lib_fd = sv[0];
    return q;
}

size_t vnc_outq_backlog(struct vnc_outq *q)
{
    return atomic_load(&q->backlog);
}

const char *vnc_outq_peer_dname(struct vnc_outq *q)
{
    return atomic_load(&q->dname);
}
