/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc.c - the VNC server: libvncserver speaks RFB (RFC 6143) and encodes
 * (Raw, CopyRect, RRE, Hextile, Zlib, Tight with JPEG, ZRLE, ...); hemu
 * owns the sockets (TCP, Unix, reverse, and websocket connections handed
 * over a socketpair), feeds libvncserver from the main loop when a socket
 * is readable or the console changed, and turns RFB input into PS/2
 * scan codes and mouse motion.  The QEMU Extended Key Event (client
 * message 255/0, pseudo-encoding -258) is handled as an RFB protocol
 * extension.  QMP shapes: qemu-6.2 QMP reference (VncInfo, VncInfo2,
 * VNC_CONNECTED/INITIALIZED/DISCONNECTED).
 */
#include "emu/osdep.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <rfb/rfb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "display/console.h"
#include "emu/cli/keyval.h"
#include "emu/loop/loop.h"
#include "emu/monitor/event.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/config.h"
#include "emu/vm/runstate.h"
#include "emu/vm/secret.h"
#include "emu/vm/tls-creds.h"
#include "remote/keydelay.h"
#include "remote/keymap.h"
#include "remote/vnc-int.h"
#include "remote/vnc-outq.h"
#include "remote/vnc.h"

#define ADD(o, k, v) json_object_object_add((o), (k), (v))

struct vnc_config vnc_cfg;
static bool configured;

void vnc_mark_configured(void)
{
    configured = true;
}

struct vnc_state {
    rfbScreenInfoPtr screen;
    struct console *con;
    struct console_listener listener;
    bool listening;
    int listen_fd;
    int ws_fd;
    struct vnc_addr server;     /* where listen_fd is bound */
    struct vnc_addr ws_server;
    char *password;
    time_t expires;             /* 0: never */
    struct vnc_client *clients;
    struct timer *hold_timer;   /* rechecks held clients' backlog */
    bool no_outq;               /* fuzzing: libvncserver on the socket */
    bool tls;                   /* tls-creds=: VeNCrypt, wss:// */
    struct vnc_tls vencrypt_tls, ws_tls;
    uint32_t blank[640 * 480];  /* the screen with no display device */
};

static struct vnc_state vs = { .listen_fd = -1, .ws_fd = -1 };

/* ---------------------------------------------------------------------------
 * Addresses as QMP reports them
 */

static void addr_from_sockaddr(struct vnc_addr *a, const struct sockaddr *sa)
{
    memset(a, 0, sizeof(*a));
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, a->host, sizeof(a->host));
        snprintf(a->service, sizeof(a->service), "%u", ntohs(in->sin_port));
        strcpy(a->family, "ipv4");
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, a->host, sizeof(a->host));
        snprintf(a->service, sizeof(a->service), "%u", ntohs(in6->sin6_port));
        strcpy(a->family, "ipv6");
    } else if (sa->sa_family == AF_UNIX) {
        const struct sockaddr_un *un = (const void *)sa;
        snprintf(a->host, sizeof(a->host), "%s", un->sun_path);
        strcpy(a->family, "unix");
    } else {
        strcpy(a->family, "unknown");
    }
}

void vnc_addr_of_fd(int fd, bool peer, struct vnc_addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                 : getsockname(fd, (struct sockaddr *)&ss, &len);
    if (r < 0) {
        memset(a, 0, sizeof(*a));
        strcpy(a->family, "unknown");
        return;
    }
    addr_from_sockaddr(a, (struct sockaddr *)&ss);
}

/* The VeNCrypt subtype in use (QEMU's VncVencryptSubAuth). */
static const char *subauth_name(void)
{
    if (vs.vencrypt_tls.x509) {
        return vnc_cfg.password ? "x509-vnc" : "x509-none";
    }
    return vnc_cfg.password ? "tls-vnc" : "tls-none";
}

/* QEMU's string form (query-vnc, events): "vencrypt+x509+vnc"... */
static const char *auth_name(void)
{
    if (vs.tls) {
        if (vs.vencrypt_tls.x509) {
            return vnc_cfg.password ? "vencrypt+x509+vnc" : "vencrypt+x509+none";
        }
        return vnc_cfg.password ? "vencrypt+tls+vnc" : "vencrypt+tls+none";
    }
    return vnc_cfg.password ? "vnc" : "none";
}

/* The websocket port has TLS underneath (wss://) and plain RFB
 * security inside, as in QEMU. */
static const char *ws_auth_name(void)
{
    return vnc_cfg.password ? "vnc" : "none";
}

static json_object *addr_json(const struct vnc_addr *a, bool websocket)
{
    json_object *o = json_object_new_object();
    ADD(o, "host", json_object_new_string(a->host));
    ADD(o, "service", json_object_new_string(a->service));
    ADD(o, "family", json_object_new_string(a->family));
    ADD(o, "websocket", json_object_new_boolean(websocket));
    return o;
}

static json_object *server_json(void)
{
    json_object *o = addr_json(&vs.server, false);
    ADD(o, "auth", json_object_new_string(auth_name()));
    return o;
}

static void emit(const char *name, struct vnc_client *c)
{
    json_object *d = json_object_new_object();
    ADD(d, "server", server_json());
    ADD(d, "client", addr_json(&c->addr, c->websocket));
    event_emit(name, d);
}

/* ---------------------------------------------------------------------------
 * Feeding libvncserver
 */

static void pump(void);

static void client_fd_ready(void *opaque)
{
    pump();
}

/* Run libvncserver without blocking: read what clients sent, send the
 * updates they asked for, and notice who left or finished the
 * handshake. */
static void drop(struct vnc_client *c)
{
    rfbClientPtr cl = c->cl;
    rfbCloseClient(cl);
    rfbClientConnectionGone(cl);
}

/*
 * -vnc share= (QEMU 6.2 manual): the client's shared flag is peeked
 * before libvncserver reads its ClientInit (libvncserver is told every
 * client is shared and keeps no flag).  allow-exclusive: an exclusive
 * client disconnects the others, and nobody joins while it is there;
 * force-shared: a client asking for exclusive access is refused;
 * ignore: everybody connects.  False if c was dropped.
 */
static bool share_check(struct vnc_client *c)
{
    uint8_t flag;
    if (c->share_checked || c->cl->state != RFB_INITIALISATION ||
        recv(c->fd, &flag, 1, MSG_PEEK | MSG_DONTWAIT) != 1) {
        return true;
    }
    c->share_checked = true;
    switch (vnc_cfg.share) {
    case VNC_SHARE_IGNORE:
        return true;
    case VNC_SHARE_FORCE_SHARED:
        if (!flag) {
            drop(c);
            return false;
        }
        return true;
    case VNC_SHARE_ALLOW_EXCLUSIVE:
        break;
    }
    if (flag) {
        for (struct vnc_client *o = vs.clients; o; o = o->next) {
            if (o != c && o->exclusive) {
                drop(c);
                return false;
            }
        }
        return true;
    }
    c->exclusive = true;
    for (;;) {
        struct vnc_client *o = vs.clients;
        while (o && o == c) {
            o = o->next;
        }
        if (!o) {
            return true;
        }
        drop(o);
    }
}

/* Bytes queued for a client past which it gets no updates (and is not
 * read) until it takes them: a client that stops reading costs about
 * one update and never blocks the main loop. */
#define HOLD_BACKLOG (1u << 20)
#define HOLD_RECHECK_NS 20000000

static void hold_recheck(void *opaque)
{
    pump();
}

static void update_holds(void)
{
    bool any = false;
    for (struct vnc_client *c = vs.clients; c; c = c->next) {
        if (!c->outq || !c->cl || c->cl->sock < 0) {
            continue;
        }
        bool full = vnc_outq_backlog(c->outq) > HOLD_BACKLOG;
        if (full && !c->held) {
            c->held = true;
            c->cl->onHold = TRUE;
            loop_set_fd(c->fd, NULL, NULL, NULL);
        } else if (!full && c->held) {
            c->held = false;
            c->cl->onHold = FALSE;
            loop_set_fd(c->fd, client_fd_ready, NULL, NULL);
        }
        any |= c->held;
    }
    if (any) {
        if (!vs.hold_timer) {
            vs.hold_timer = timer_new(CLOCK_RT, hold_recheck, NULL);
        }
        if (!timer_pending(vs.hold_timer)) {
            timer_mod_in(vs.hold_timer, HOLD_RECHECK_NS);
        }
    }
}

static void pump(void)
{
    if (!vs.screen) {
        return;
    }
again:
    for (struct vnc_client *c = vs.clients; c; c = c->next) {
        if (c->cl && c->cl->sock >= 0 && !share_check(c)) {
            goto again;
        }
    }
    update_holds();
    rfbProcessEvents(vs.screen, 0);
    for (struct vnc_client *c = vs.clients; c; c = c->next) {
        if (c->cl && !c->initialized && c->cl->state == RFB_NORMAL &&
            c->cl->sock >= 0) {
            c->initialized = true;
            emit("VNC_INITIALIZED", c);
        }
    }
}

static void fb_update(void *opaque, int x, int y, int w, int h)
{
    rfbMarkRectAsModified(vs.screen, x, y, x + w, y + h);
}

static void set_format(rfbScreenInfoPtr s)
{
    /* The surface is XRGB8888 in host (little-endian) order. */
    s->serverFormat.redShift = 16;
    s->serverFormat.greenShift = 8;
    s->serverFormat.blueShift = 0;
}

static void fb_resize(void *opaque, struct surface *sf)
{
    rfbNewFramebuffer(vs.screen, (char *)sf->data, sf->width, sf->height,
                      8, 3, 4);
    set_format(vs.screen);
}

static void fb_refreshed(void *opaque)
{
    pump();
}

/* ---------------------------------------------------------------------------
 * Input
 */

static void key_event(rfbBool down, rfbKeySym keysym, rfbClientPtr cl)
{
    unsigned code = keymap_lookup(keysym);
    if (code) {
        keydelay_key(code, down);
    }
}

static void ptr_event(int mask, int x, int y, rfbClientPtr cl)
{
    struct vnc_client *c = cl->clientData;
    int dx = 0, dy = 0, dz = 0;
    if (c->have_pos) {
        dx = x - c->last_x;
        dy = y - c->last_y;
    }
    c->have_pos = true;
    c->last_x = x;
    c->last_y = y;
    /* Buttons 4/5 are wheel clicks: count the presses. */
    if ((mask & 8) && !(c->last_mask & 8)) {
        dz = -1;
    }
    if ((mask & 16) && !(c->last_mask & 16)) {
        dz = 1;
    }
    c->last_mask = mask;
    /* RFB: bit 0 left, 1 middle, 2 right; PS/2: 0 left, 1 right, 2 middle. */
    uint8_t b = (mask & 1) | ((mask & 4) >> 1) | ((mask & 2) << 1);
    /* A tablet takes the position itself, scaled over the surface. */
    if (console_pointer_is_absolute() && vs.con) {
        struct surface *sf = console_surface(vs.con);
        console_pointer_abs_event(console_abs_scale(x, sf->width),
                                  console_abs_scale(y, sf->height), dz, b);
        return;
    }
    /* PS/2 counts up as positive. */
    console_pointer_event(dx, -dy, dz, b);
}

/* QEMU client message 255, submessage 0: down (u16), keysym (u32),
 * keycode (u32), all big-endian. */
static rfbBool qemu_msg(rfbClientPtr cl, void *data, const rfbClientToServerMsg *msg)
{
    if (msg->type != 255) {
        return FALSE;
    }
    uint8_t buf[11];
    if (rfbReadExact(cl, (char *)buf, 1) <= 0) {
        rfbCloseClient(cl);
        return TRUE;
    }
    if (buf[0] != 0) {
        /* Audio and anything else: not offered, so a protocol error. */
        rfbCloseClient(cl);
        return TRUE;
    }
    if (rfbReadExact(cl, (char *)buf + 1, 10) <= 0) {
        rfbCloseClient(cl);
        return TRUE;
    }
    unsigned down = buf[1] << 8 | buf[2];
    uint32_t keysym = (uint32_t)buf[3] << 24 | buf[4] << 16 | buf[5] << 8 | buf[6];
    uint32_t keycode = (uint32_t)buf[7] << 24 | buf[8] << 16 | buf[9] << 8 | buf[10];
    if (keycode && keycode <= 0xff) {
        keydelay_key(keycode, down != 0);
    } else if (!keycode) {
        key_event(down != 0, keysym, cl);
    }
    return TRUE;
}

static int qemu_pseudo[] = { VNC_ENC_QEMU_EXT_KEY, 0 };

/* The client supports extended keys: say that we do too, with an empty
 * rectangle of that pseudo-encoding. */
static rfbBool qemu_enable(rfbClientPtr cl, void **data, int enc)
{
    if (enc != VNC_ENC_QEMU_EXT_KEY) {
        return FALSE;
    }
    uint8_t msg[16] = { 0 /* FramebufferUpdate */, 0, 0, 1 };
    int32_t e = VNC_ENC_QEMU_EXT_KEY;
    msg[12] = (uint32_t)e >> 24;
    msg[13] = (uint32_t)e >> 16;
    msg[14] = (uint32_t)e >> 8;
    msg[15] = (uint32_t)e;
    if (rfbWriteExact(cl, (char *)msg, sizeof(msg)) < 0) {
        rfbCloseClient(cl);
    }
    return TRUE;
}

/* Enabled per client only when it announces the pseudo-encoding (as QEMU
 * requires before accepting the message); enabling it for every new
 * client would leak libvncserver's record when a handshake fails. */
static rfbProtocolExtension qemu_ext = {
    .pseudoEncodings = qemu_pseudo,
    .enablePseudoEncoding = qemu_enable,
    .handleMessage = qemu_msg,
};

static rfbBool xvp_hook(rfbClientPtr cl, uint8_t version, uint8_t code)
{
    if (!vnc_cfg.power_control || version != 1) {
        return FALSE;
    }
    switch (code) {
    case 2:     /* shutdown */
        vm_request_powerdown();
        return TRUE;
    case 3:     /* reboot */
    case 4:     /* reset */
        vm_request_reset(SHUTDOWN_CAUSE_HOST_UI);
        return TRUE;
    }
    return FALSE;
}

/* ---------------------------------------------------------------------------
 * Authentication
 */

static rfbBool check_password(rfbClientPtr cl, const char *response, int len)
{
    if (!vs.password || len != CHALLENGESIZE) {
        return FALSE;
    }
    if (vs.expires && time(NULL) >= vs.expires) {
        return FALSE;
    }
    /* VNC authentication: the challenge DES-encrypted with the password
     * (first 8 bytes, bit-reversed key) must be the response. */
    unsigned char expect[CHALLENGESIZE];
    char key[9] = { 0 };
    strncpy(key, vs.password, 8);
    memcpy(expect, cl->authChallenge, CHALLENGESIZE);
    rfbEncryptBytes(expect, key);
    return memcmp(expect, response, CHALLENGESIZE) == 0;
}

int vnc_set_password(const char *password)
{
    if (!vs.screen || !vnc_cfg.password) {
        return -1;
    }
    free(vs.password);
    vs.password = xstrdup(password);
    return 0;
}

int vnc_expire_password(const char *when)
{
    if (!vs.screen || !vnc_cfg.password) {
        return -1;
    }
    time_t now = time(NULL);
    char *end;
    if (!strcmp(when, "now")) {
        vs.expires = now;
    } else if (!strcmp(when, "never")) {
        vs.expires = 0;
    } else if (when[0] == '+') {
        long long n = strtoll(when + 1, &end, 10);
        if (*end || end == when + 1 || n < 0) {
            return -1;
        }
        vs.expires = now + n;
    } else {
        long long n = strtoll(when, &end, 10);
        if (*end || end == when || n < 0) {
            return -1;
        }
        vs.expires = n;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Clients
 */


static void client_gone(rfbClientPtr cl)
{
    struct vnc_client *c = cl->clientData;
    /* libvncserver leaves the per-client records of an enabled extension
     * behind (one per SetEncodings that named it), and its
     * rfbDisableExtension frees a record's data but not the record
     * (libvncserver 0.9.14): take them back here. */
    while (cl->extensions) {
        rfbExtensionData *e = cl->extensions;
        cl->extensions = e->next;
        free(e->data);
        free(e);
    }
    if (!c) {
        return;
    }
    loop_set_fd(c->fd, NULL, NULL, NULL);
    emit("VNC_DISCONNECTED", c);
    for (struct vnc_client **pp = &vs.clients; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    if (c->on_gone) {
        c->on_gone(c->gone_opaque);
    }
    free(c);
    cl->clientData = NULL;
    if (!vs.clients && vs.con) {
        console_listener_set_active(vs.con, &vs.listener, false);
    }
}

static void display_hook(rfbClientPtr cl)
{
    if (!vnc_cfg.lossy) {
        /* lossy=off: no JPEG, whatever quality the client asked for. */
        cl->tightQualityLevel = -1;
        cl->turboQualityLevel = -1;
    }
}

const struct vnc_tls *vnc_ws_tls(void)
{
    return vs.tls ? &vs.ws_tls : NULL;
}

/* Hand a connected socket to libvncserver, behind a copier (vnc-outq.c)
 * unless fuzzing.  addr_fd is the socket whose peer is the real client.
 * The VNC port's clients get VeNCrypt when tls-creds= is set; websocket
 * ones arrive here already decrypted (vnc_add_client_q). */
struct vnc_client *vnc_add_client(int fd, int addr_fd, bool websocket,
                                  bool reverse)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct vnc_addr addr;
    vnc_addr_of_fd(addr_fd, true, &addr);
    struct vnc_outq *q = NULL;
    int lib_fd = fd;
    if (!vs.no_outq) {
        bool tls = vs.tls && !websocket;
        q = vnc_outq_new(fd, tls ? &vs.vencrypt_tls : NULL, &lib_fd);
        if (!q) {
            if (tls) {
                /* Never plain text when TLS was asked for. */
                close(fd);
                return NULL;
            }
            lib_fd = fd;
        }
    }
    return vnc_add_client_q(lib_fd, q, &addr, websocket, reverse);
}

struct vnc_client *vnc_add_client_q(int lib_fd, struct vnc_outq *q,
                                    const struct vnc_addr *addr,
                                    bool websocket, bool reverse)
{
    if (vs.con) {
        /* The client's first look is at the screen as it is now. */
        console_refresh(vs.con);
    }
    struct vnc_client *c = xzalloc(sizeof(*c));
    c->fd = lib_fd;
    c->outq = q;
    c->websocket = websocket;
    c->addr = *addr;
    c->next = vs.clients;
    vs.clients = c;
    if (vs.con && !c->next) {
        console_listener_set_active(vs.con, &vs.listener, true);
    }
    rfbClientPtr cl = rfbNewClient(vs.screen, lib_fd);
    if (cl && reverse) {
        cl->reverseConnection = TRUE;
    }
    if (!cl) {
        /* With a copier, closing its end ends it and closes fd. */
        vs.clients = c->next;
        free(c);
        close(lib_fd);
        return NULL;
    }
    c->cl = cl;
    cl->clientData = c;
    cl->clientGoneHook = client_gone;
    emit("VNC_CONNECTED", c);
    loop_set_fd(lib_fd, client_fd_ready, NULL, NULL);
    rfbMarkRectAsModified(vs.screen, 0, 0, vs.screen->width, vs.screen->height);
    return c;
}

static enum rfbNewClientAction new_client_hook(rfbClientPtr cl)
{
    return RFB_CLIENT_ACCEPT;
}

static void listen_ready(void *opaque)
{
    int fd = accept4(vs.listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        return;
    }
    if (vnc_cfg.connections && vnc_client_count() >= vnc_cfg.connections) {
        close(fd);
        return;
    }
    vnc_add_client(fd, fd, false, false);
    pump();
}

unsigned vnc_client_count(void)
{
    unsigned n = 0;
    for (struct vnc_client *c = vs.clients; c; c = c->next) {
        n++;
    }
    return n;
}

/* ---------------------------------------------------------------------------
 * Sockets
 */

int vnc_listen_tcp(const char *host, int port, int port_to, struct err **errp)
{
    char serv[16];
    for (int p = port; p <= port_to; p++) {
        struct addrinfo hints = { .ai_flags = AI_PASSIVE,
                                  .ai_socktype = SOCK_STREAM }, *res, *ai;
        snprintf(serv, sizeof(serv), "%d", p);
        int r = getaddrinfo(host && *host ? host : "0.0.0.0", serv, &hints, &res);
        if (r) {
            err_setf(errp, "address resolution failed for %s:%s: %s",
                     host, serv, gai_strerror(r));
            return -1;
        }
        for (ai = res; ai; ai = ai->ai_next) {
            int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                continue;
            }
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (ai->ai_family == AF_INET6) {
                setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
            }
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
                listen(fd, 16) == 0) {
                freeaddrinfo(res);
                return fd;
            }
            close(fd);
        }
        freeaddrinfo(res);
    }
    if (port == port_to) {
        err_setf(errp, "Failed to bind socket: %s", strerror(errno));
    } else {
        err_setf(errp, "Failed to find an available port: %s", strerror(errno));
    }
    return -1;
}

static int listen_unix(const char *path, struct err **errp)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(un.sun_path)) {
        err_setf(errp, "UNIX socket path '%s' is too long", path);
        return -1;
    }
    strcpy(un.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0 ||
        listen(fd, 16) < 0) {
        err_setf(errp, "Failed to bind socket to %s: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

static int connect_reverse(const char *host, int port, struct err **errp)
{
    char serv[16];
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
    snprintf(serv, sizeof(serv), "%d", port);
    int r = getaddrinfo(host && *host ? host : "localhost", serv, &hints, &res);
    if (r) {
        err_setf(errp, "address resolution failed for %s:%s: %s", host, serv,
                 gai_strerror(r));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            freeaddrinfo(res);
            return fd;
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    freeaddrinfo(res);
    err_setf(errp, "Failed to connect to '%s:%d': %s", host, port,
             strerror(errno));
    return -1;
}

/* ---------------------------------------------------------------------------
 * Start, stop, queries
 */

bool vnc_configured(void)
{
    return configured && !vnc_cfg.none;
}

static void rfb_log_drop(const char *fmt, ...)
{
}

/* tls-creds=: QEMU's checks and messages (server endpoint; x509 or
 * anon, psk is not for VNC), then one OpenSSL context for every client. */
static int setup_tls(struct err **errp)
{
#ifdef CONFIG_OPENSSL
    struct tls_creds *tc = tls_creds_find(vnc_cfg.tls_creds, errp);
    if (!tc) {
        return -1;
    }
    if (!tls_creds_is_server(tc)) {
        err_setf(errp, "Expecting TLS credentials with a server endpoint");
        return -1;
    }
    if (tls_creds_kind(tc) == TLS_CREDS_PSK) {
        err_setf(errp, "Unsupported TLS cred type tls-creds-psk");
        return -1;
    }
    SSL_CTX *ctx = tls_creds_new_ctx(tc, errp);
    if (!ctx) {
        return -1;
    }
    bool x509 = tls_creds_kind(tc) == TLS_CREDS_X509;
    /* Each copier takes its own reference. */
    vs.vencrypt_tls = (struct vnc_tls){ .ctx = ctx, .x509 = x509,
                                        .vencrypt = true };
    vs.ws_tls = (struct vnc_tls){ .ctx = ctx, .x509 = x509 };
    vs.tls = true;
    return 0;
#else
    err_setf(errp, "tls-creds: not supported (hemu built without OpenSSL)");
    return -1;
#endif
}

int vnc_start(struct err **errp)
{
    if (!vnc_configured() || vs.screen) {
        return 0;
    }
    if (!getenv("HEMU_VNC_DEBUG")) {
        rfbLog = rfb_log_drop;
        rfbErr = rfb_log_drop;
    }
    vs.con = console_default();
    int w = 640, h = 480;
    char *fb = (char *)vs.blank;
    if (vs.con) {
        console_refresh(vs.con);
        struct surface *sf = console_surface(vs.con);
        w = sf->width;
        h = sf->height;
        fb = (char *)sf->data;
    }
    int argc = 0;
    vs.screen = rfbGetScreen(&argc, NULL, w, h, 8, 3, 4);
    if (!vs.screen) {
        err_setf(errp, "could not create the VNC server");
        return -1;
    }
    rfbScreenInfoPtr s = vs.screen;
    s->frameBuffer = fb;
    set_format(s);
    /* No cursor of libvncserver's own drawn into the picture: the guest
     * draws its pointer. */
    rfbSetCursor(s, NULL);
    static char desktop[300];
    if (cfg.name) {
        snprintf(desktop, sizeof(desktop), "QEMU (%s)", cfg.name);
    } else {
        strcpy(desktop, "QEMU");
    }
    s->desktopName = desktop;
    s->port = 0;
    s->ipv6port = 0;
    s->autoPort = FALSE;
    s->httpDir = NULL;
    s->deferUpdateTime = 0;
    s->kbdAddEvent = key_event;
    s->ptrAddEvent = ptr_event;
    s->newClientHook = new_client_hook;
    s->displayHook = display_hook;
    s->xvpHook = xvp_hook;
    /* One message per client per call: share_check() peeks at the
     * ClientInit before libvncserver reads it. */
    s->handleEventsEagerly = FALSE;
    keydelay_set(vnc_cfg.key_delay_ms);
    if (vnc_cfg.password_secret) {
        vs.password = secret_lookup_string(vnc_cfg.password_secret, errp);
        if (!vs.password) {
            return -1;
        }
    }
    if (vnc_cfg.password) {
        s->authPasswdData = (void *)&vs;
        s->passwordCheck = check_password;
    }
    if (vnc_cfg.tls_creds && setup_tls(errp) < 0) {
        return -1;
    }
    /* share= is share_check()'s job. */
    s->alwaysShared = TRUE;
    rfbRegisterProtocolExtension(&qemu_ext);
    rfbInitServer(s);
    atexit(vnc_stop);

    vs.listener = (struct console_listener){
        .update = fb_update, .resize = fb_resize, .refreshed = fb_refreshed,
    };
    if (vs.con) {
        console_add_listener(vs.con, &vs.listener);
    }

    if (vnc_cfg.reverse) {
        int fd = connect_reverse(vnc_cfg.host, vnc_cfg.port, errp);
        if (fd < 0) {
            return -1;
        }
        vnc_addr_of_fd(fd, false, &vs.server);
        vnc_add_client(fd, fd, false, true);
    } else {
        if (vnc_cfg.unix_path) {
            vs.listen_fd = listen_unix(vnc_cfg.unix_path, errp);
        } else {
            vs.listen_fd = vnc_listen_tcp(vnc_cfg.host, 5900 + vnc_cfg.display,
                                          5900 + vnc_cfg.display_to, errp);
        }
        if (vs.listen_fd < 0) {
            return -1;
        }
        vnc_addr_of_fd(vs.listen_fd, false, &vs.server);
        loop_set_fd(vs.listen_fd, listen_ready, NULL, NULL);
    }
    if (vnc_cfg.websocket_port) {
        if (vnc_ws_start(vnc_cfg.websocket_host, vnc_cfg.websocket_port,
                         &vs.ws_server, errp) < 0) {
            return -1;
        }
    }
    return 0;
}

void vnc_stop(void)
{
    if (!vs.screen) {
        return;
    }
    vnc_ws_stop();
    while (vs.clients) {
        rfbClientPtr cl = vs.clients->cl;
        rfbCloseClient(cl);
        rfbClientConnectionGone(cl);
    }
    if (vs.listen_fd >= 0) {
        loop_set_fd(vs.listen_fd, NULL, NULL, NULL);
        close(vs.listen_fd);
        vs.listen_fd = -1;
        if (vnc_cfg.unix_path) {
            unlink(vnc_cfg.unix_path);
        }
    }
    if (vs.con) {
        console_remove_listener(vs.con, &vs.listener);
    }
    rfbScreenCleanup(vs.screen);
    vs.screen = NULL;
#ifdef CONFIG_OPENSSL
    if (vs.tls) {
        SSL_CTX_free(vs.vencrypt_tls.ctx);
        vs.tls = false;
    }
#endif
}

static json_object *clients_json(bool v2)
{
    json_object *a = json_object_new_array();
    for (struct vnc_client *c = vs.clients; c; c = c->next) {
        json_object *o = addr_json(&c->addr, c->websocket);
        const char *dn = c->outq ? vnc_outq_peer_dname(c->outq) : NULL;
        if (dn) {
            ADD(o, "x509_dname", json_object_new_string(dn));
        }
        json_object_array_add(a, o);
    }
    return a;
}

json_object *vnc_query(void)
{
    json_object *o = json_object_new_object();
    if (!vs.screen) {
        ADD(o, "enabled", json_object_new_boolean(false));
        return o;
    }
    ADD(o, "enabled", json_object_new_boolean(true));
    ADD(o, "host", json_object_new_string(vs.server.host));
    ADD(o, "service", json_object_new_string(vs.server.service));
    ADD(o, "family", json_object_new_string(vs.server.family));
    ADD(o, "auth", json_object_new_string(auth_name()));
    ADD(o, "clients", clients_json(false));
    return o;
}

json_object *vnc_query_servers(void)
{
    json_object *a = json_object_new_array();
    if (!vs.screen) {
        return a;
    }
    json_object *o = json_object_new_object(), *srv = json_object_new_array();
    ADD(o, "id", json_object_new_string(vnc_cfg.id ? vnc_cfg.id : "default"));
    ADD(o, "auth", json_object_new_string(vs.tls ? "vencrypt" : auth_name()));
    if (vs.tls) {
        ADD(o, "vencrypt", json_object_new_string(subauth_name()));
    }
    json_object *v = addr_json(&vs.server, false);
    ADD(v, "auth", json_object_new_string(vs.tls ? "vencrypt" : auth_name()));
    if (vs.tls) {
        ADD(v, "vencrypt", json_object_new_string(subauth_name()));
    }
    json_object_array_add(srv, v);
    if (vnc_cfg.websocket_port) {
        json_object *w = addr_json(&vs.ws_server, true);
        ADD(w, "auth", json_object_new_string(ws_auth_name()));
        json_object_array_add(srv, w);
    }
    ADD(o, "server", srv);
    ADD(o, "clients", clients_json(true));
    if (vs.con) {
        ADD(o, "display", json_object_new_string(console_name(vs.con)));
    }
    json_object_array_add(a, o);
    return a;
}

/* ---------------------------------------------------------------------------
 * Fuzzing: one client speaking the given bytes over a socketpair
 */

int vnc_fuzz_client(const uint8_t *data, size_t len)
{
    static uint32_t fb[64 * 48];
    if (!vs.screen) {
        int argc = 0;
        rfbLog = rfb_log_drop;
        rfbErr = rfb_log_drop;
        vs.screen = rfbGetScreen(&argc, NULL, 64, 48, 8, 3, 4);
        vs.no_outq = true;
        rfbScreenInfoPtr s = vs.screen;
        s->frameBuffer = (char *)fb;
        set_format(s);
        rfbSetCursor(s, NULL);
        s->port = s->ipv6port = 0;
        s->deferUpdateTime = 0;
        s->maxClientWait = 50;
        s->kbdAddEvent = key_event;
        s->ptrAddEvent = ptr_event;
        s->newClientHook = new_client_hook;
        s->displayHook = display_hook;
        s->xvpHook = xvp_hook;
        s->authPasswdData = (len & 1) ? (void *)&vs : NULL;
        s->passwordCheck = check_password;
        vs.password = xstrdup("fuzz");
        rfbRegisterProtocolExtension(&qemu_ext);
        rfbInitServer(s);
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        return -1;
    }
    int big = 1 << 20;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
    setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    struct vnc_client *c = vnc_add_client(sv[0], sv[0], false, false);
    if (!c) {
        close(sv[1]);
        return -1;
    }
    size_t off = 0;
    char sink[65536];
    /* Feed, drain what the server says, until it drops the client. */
    for (int round = 0; round < 10000 && vs.clients; round++) {
        if (off < len) {
            ssize_t n = write(sv[1], data + off, len - off);
            if (n > 0) {
                off += n;
            }
        } else if (off == len) {
            shutdown(sv[1], SHUT_WR);
            off++;
        }
        while (read(sv[1], sink, sizeof(sink)) > 0) {
        }
        rfbProcessEvents(vs.screen, 0);
        rfbMarkRectAsModified(vs.screen, 0, 0, 8, 8);
    }
    while (vs.clients) {
        rfbClientPtr cl = vs.clients->cl;
        rfbCloseClient(cl);
        rfbClientConnectionGone(cl);
    }
    close(sv[1]);
    return 0;
}
