/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc-int.h - what the VNC server's files share: the parsed -vnc options,
 * client records, and the websocket/HTTP front end (websocket.c).
 */
#ifndef HEMU_REMOTE_VNC_INT_H
#define HEMU_REMOTE_VNC_INT_H

#include "emu/osdep.h"

struct err;
struct _rfbClientRec;
struct vnc_outq;
struct vnc_tls;

/* The QEMU Extended Key Event pseudo-encoding. */
#define VNC_ENC_QEMU_EXT_KEY (-258)

enum vnc_share {
    VNC_SHARE_ALLOW_EXCLUSIVE,
    VNC_SHARE_FORCE_SHARED,
    VNC_SHARE_IGNORE,
};

struct vnc_config {
    bool none;                  /* -vnc none: server exists, no listener */
    char *host;                 /* "" for every address */
    int display, display_to;    /* port 5900+display .. 5900+display_to */
    int port;                   /* reverse=on: the client's port */
    char *unix_path;
    bool reverse;
    bool password;
    char *password_secret;
    char *websocket_host;
    int websocket_port;         /* 0: none */
    enum vnc_share share;
    bool lossy;
    bool non_adaptive;
    bool power_control;
    unsigned connections;       /* 0: no limit */
    unsigned key_delay_ms;      /* QEMU's default: 10 */
    char *id;
    char *tls_creds;            /* tls-creds=: the -object's id */
};

extern struct vnc_config vnc_cfg;

struct vnc_addr {
    char host[108];
    char service[16];
    char family[8];
};

struct vnc_client {
    struct _rfbClientRec *cl;
    int fd;                     /* the socket libvncserver reads */
    bool websocket;
    bool initialized;
    struct vnc_addr addr;
    struct vnc_outq *outq;      /* NULL: libvncserver has the socket */
    bool held;                  /* backlog too big: no reads, no updates */
    bool share_checked;         /* ClientInit's shared flag seen */
    bool exclusive;
    int last_x, last_y, last_mask;
    bool have_pos;
    /* Told when libvncserver drops the client (websocket proxy). */
    void (*on_gone)(void *opaque);
    void *gone_opaque;
    struct vnc_client *next;
};

void vnc_mark_configured(void);
bool vnc_parse_number(const char *s, int *out);
void vnc_addr_of_fd(int fd, bool peer, struct vnc_addr *a);
struct vnc_client *vnc_add_client(int fd, int addr_fd, bool websocket,
                                  bool reverse);
/* The same with the copier already made (the websocket port's TLS). */
struct vnc_client *vnc_add_client_q(int lib_fd, struct vnc_outq *q,
                                    const struct vnc_addr *addr,
                                    bool websocket, bool reverse);
/* The websocket port's TLS (wss://, https://); NULL without tls-creds=. */
const struct vnc_tls *vnc_ws_tls(void);
unsigned vnc_client_count(void);
int vnc_listen_tcp(const char *host, int port, int port_to, struct err **errp);

/* websocket.c: the websocket port (RFC 6455 framing, HTTP for the web
 * console). */
int vnc_ws_start(const char *host, int port, struct vnc_addr *bound,
                 struct err **errp);
void vnc_ws_stop(void);

#endif
