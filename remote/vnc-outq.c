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
 * The thread ends, closes the socket and frees itself when libvncserver
 * closes its end or the client hangs up.
 */
#include "emu/osdep.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "emu/util/cutils.h"
#include "remote/vnc-outq.h"

/* Past this, the thread stops reading libvncserver's output: its write
 * then times out (maxClientWait) and it drops the client. */
#define OUTQ_MAX (64u << 20)
#define CHUNK 65536

struct vnc_outq {
    int sock;                   /* the client */
    int pair;                   /* our end of the socketpair */
    uint8_t *out;               /* libvncserver -> client */
    size_t out_len, out_cap;
    uint8_t in[CHUNK];          /* client -> libvncserver */
    size_t in_len;
    atomic_size_t backlog;
};

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

static bool send_output(struct vnc_outq *q)
{
    ssize_t n = send(q->sock, q->out, q->out_len, MSG_NOSIGNAL);
    if (n > 0) {
        memmove(q->out, q->out + n, q->out_len - n);
        q->out_len -= n;
        return true;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);
}

static void *copier(void *opaque)
{
    struct vnc_outq *q = opaque;
    bool client_open = true;
    for (;;) {
        /* A negative fd is left out: a hung-up socket would report
         * POLLHUP for ever. */
        struct pollfd p[2] = {
            { .fd = q->pair, .events = 0 },
            { .fd = client_open ? q->sock : -1, .events = 0 },
        };
        if (q->out_len < OUTQ_MAX) {
            p[0].events |= POLLIN;
        }
        if (q->in_len) {
            p[0].events |= POLLOUT;
        }
        if (client_open && !q->in_len) {
            p[1].events |= POLLIN;
        }
        if (q->out_len) {
            p[1].events |= POLLOUT;
        }
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        /* libvncserver's end: its output, or its close. */
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!take_output(q)) {
                break;
            }
        }
        if ((p[0].revents & POLLOUT) && q->in_len) {
            ssize_t n = write(q->pair, q->in, q->in_len);
            if (n > 0) {
                memmove(q->in, q->in + n, q->in_len - n);
                q->in_len -= n;
            }
        }
        if (p[1].revents & POLLIN) {
            ssize_t n = read(q->sock, q->in, sizeof(q->in));
            if (n > 0) {
                q->in_len = n;
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                /* The client hung up: libvncserver sees EOF too. */
                client_open = false;
                shutdown(q->pair, SHUT_WR);
            }
        }
        if ((p[1].revents & POLLOUT) && !send_output(q)) {
            client_open = false;
            q->out_len = 0;
            shutdown(q->pair, SHUT_WR);
        }
        if (client_open && (p[1].revents & (POLLHUP | POLLERR)) &&
            !(p[1].revents & POLLIN)) {
            client_open = false;
            q->out_len = 0;
            shutdown(q->pair, SHUT_WR);
        }
        atomic_store(&q->backlog, q->out_len);
    }
    close(q->pair);
    close(q->sock);
    free(q->out);
    free(q);
    return NULL;
}

struct vnc_outq *vnc_outq_new(int sock, int *lib_fd)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        return NULL;
    }
    struct vnc_outq *q = xzalloc(sizeof(*q));
    q->sock = sock;
    q->pair = sv[1];
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
