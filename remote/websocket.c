/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * websocket.c - the websocket port of -vnc websocket=: each connection's
 * first request is peeked, not read.  A websocket upgrade (on any path:
 * "/" or noVNC's "/websockify", with or without the "binary"
 * subprotocol) goes whole to libvncserver, which does the RFC 6455
 * handshake and framing; a plain GET is answered here with the files of
 * the built-in web console (noVNC and hemu's page), from the web
 * directory next to the hemu binary or $HEMU_WEB_DIR.  With tls-creds=
 * the port speaks TLS from the first byte: a copier thread (vnc-outq.c)
 * decrypts into a socketpair at once, and everything here, libvncserver
 * included, works on its clear end (https:// and wss://).
 */
#include "emu/osdep.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "emu/loop/loop.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "remote/http.h"
#include "remote/vnc-int.h"
#include "remote/vnc-outq.h"

/* How long a browser may take to send its request headers. */
#define HTTP_TIMEOUT_MS 5000
#define HTTP_RETRY_MS 10

struct http_conn {
    int fd;                     /* the clear end with TLS */
    struct vnc_outq *q;         /* TLS: the copier, else NULL */
    struct vnc_addr addr;       /* the client */
    int64_t deadline;
    struct timer *retry;
    struct http_conn *next;
};

static int ws_fd = -1;
static struct http_conn *conns;
static char *web_dir;

static void conn_free(struct http_conn *c, bool close_fd)
{
    for (struct http_conn **pp = &conns; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    loop_set_fd(c->fd, NULL, NULL, NULL);
    timer_free(c->retry);
    if (close_fd) {
        close(c->fd);
    }
    free(c);
}

static const char *find_web_dir(void)
{
    if (web_dir) {
        return web_dir;
    }
    const char *env = getenv("HEMU_WEB_DIR");
    if (env && *env) {
        web_dir = xstrdup(env);
        return web_dir;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            size_t len = strlen(exe) + 8;
            web_dir = xmalloc(len);
            snprintf(web_dir, len, "%s/web", exe);
        }
    }
    return web_dir;
}

static void send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        p += n;
        len -= n;
    }
}

static void reply_status(int fd, int code, const char *text)
{
    char buf[256];
    int n = snprintf(buf, sizeof(buf),
                     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
                     code, text, strlen(text) + 1, text);
    send_all(fd, buf, n);
}

/* The file is sent with a blocking socket: web console files are small
 * and a browser reads them at once. */
static void serve_file(int fd, const struct http_request *req)
{
    const char *dir = find_web_dir();
    const char *path = req->path;
    if (!strcmp(path, "/")) {
        path = "/index.html";
    }
    char full[PATH_MAX];
    if (!dir || snprintf(full, sizeof(full), "%s%s", dir, path) >= (int)sizeof(full)) {
        reply_status(fd, 404, "Not Found");
        return;
    }
    int f = open(full, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (f < 0 || fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (f >= 0) {
            close(f);
        }
        reply_status(fd, 404, "Not Found");
        return;
    }
    char hdr[512];
    int n = snprintf(hdr, sizeof(hdr),
                     "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
                     "Content-Length: %lld\r\nCache-Control: no-cache\r\n"
                     "Connection: close\r\n\r\n",
                     http_content_type(path), (long long)st.st_size);
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    send_all(fd, hdr, n);
    if (!req->head) {
        char buf[65536];
        ssize_t r;
        while ((r = read(f, buf, sizeof(buf))) > 0) {
            send_all(fd, buf, r);
        }
    }
    close(f);
}

static void conn_check(void *opaque);

static void conn_ready(void *opaque)
{
    conn_check(opaque);
}

static void conn_check(void *opaque)
{
    struct http_conn *c = opaque;
    char buf[HTTP_MAX_REQUEST];
    ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        conn_free(c, true);
        return;
    }
    struct http_request req;
    http_parse(buf, n > 0 ? n : 0, &req);
    switch (req.kind) {
    case HTTP_INCOMPLETE:
        if (clock_ns(CLOCK_RT) > c->deadline) {
            conn_free(c, true);
            return;
        }
        /* The bytes stay unread, so poll would fire again at once: look
         * again a little later instead. */
        loop_set_fd(c->fd, NULL, NULL, NULL);
        timer_mod_in(c->retry, (int64_t)HTTP_RETRY_MS * 1000000);
        return;
    case HTTP_UPGRADE: {
        int fd = c->fd;
        struct vnc_outq *q = c->q;
        struct vnc_addr addr = c->addr;
        conn_free(c, false);
        if (vnc_cfg.connections && vnc_client_count() >= vnc_cfg.connections) {
            close(fd);
            return;
        }
        if (q) {
            vnc_add_client_q(fd, q, &addr, true, false);
        } else {
            vnc_add_client(fd, fd, true, false);
        }
        return;
    }
    default:
        break;
    }
    /* Everything else is answered here: consume what was peeked first, so
     * that closing does not reset the connection under the answer. */
    if (recv(c->fd, buf, n, MSG_DONTWAIT) < 0) {
        /* the answer goes out anyway */
    }
    switch (req.kind) {
    case HTTP_GET:
        serve_file(c->fd, &req);
        break;
    case HTTP_METHOD:
        reply_status(c->fd, 405, "Method Not Allowed");
        break;
    default:
        reply_status(c->fd, 400, "Bad Request");
        break;
    }
    shutdown(c->fd, SHUT_WR);
    conn_free(c, true);
}

static void conn_retry(void *opaque)
{
    struct http_conn *c = opaque;
    loop_set_fd(c->fd, conn_ready, NULL, c);
    conn_check(c);
}

static void ws_accept(void *opaque)
{
    int fd = accept4(ws_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        return;
    }
    struct http_conn *c = xzalloc(sizeof(*c));
    vnc_addr_of_fd(fd, true, &c->addr);
    const struct vnc_tls *tls = vnc_ws_tls();
    if (tls) {
        int clear;
        c->q = vnc_outq_new(fd, tls, &clear);
        if (!c->q) {
            close(fd);
            free(c);
            return;
        }
        fd = clear;
    }
    c->fd = fd;
    c->deadline = clock_ns(CLOCK_RT) + (int64_t)HTTP_TIMEOUT_MS * 1000000;
    c->retry = timer_new(CLOCK_RT, conn_retry, c);
    c->next = conns;
    conns = c;
    loop_set_fd(fd, conn_ready, NULL, c);
}

int vnc_ws_start(const char *host, int port, struct vnc_addr *bound,
                 struct err **errp)
{
    ws_fd = vnc_listen_tcp(host, port, port, errp);
    if (ws_fd < 0) {
        return -1;
    }
    vnc_addr_of_fd(ws_fd, false, bound);
    loop_set_fd(ws_fd, ws_accept, NULL, NULL);
    return 0;
}

void vnc_ws_stop(void)
{
    while (conns) {
        conn_free(conns, true);
    }
    if (ws_fd >= 0) {
        loop_set_fd(ws_fd, NULL, NULL, NULL);
        close(ws_fd);
        ws_fd = -1;
    }
}
