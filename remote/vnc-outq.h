/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc-outq.h - a VNC client's socket behind a socketpair and a copier
 * thread, so that libvncserver's blocking writes never wait on the
 * network: what it writes is queued in memory and sent as the client
 * takes it.  With TLS the thread is also where the connection is
 * encrypted: libvncserver only ever sees clear text.
 */
#ifndef HEMU_REMOTE_VNC_OUTQ_H
#define HEMU_REMOTE_VNC_OUTQ_H

#include "emu/osdep.h"

struct vnc_outq;
struct ssl_ctx_st;

struct vnc_tls {
    struct ssl_ctx_st *ctx;     /* server context from the tls-creds object */
    bool x509;                  /* x509 subtypes, else anonymous TLS ones */
    /* true: VeNCrypt in clear, then TLS (the VNC port); false: TLS from
     * the first byte (the websocket port, wss:// and https://). */
    bool vencrypt;
};

/* Takes sock (closed when the copier ends); *lib_fd gets the end for
 * libvncserver.  tls NULL: plain.  NULL (sock untouched) if no
 * socketpair or thread. */
struct vnc_outq *vnc_outq_new(int sock, const struct vnc_tls *tls,
                              int *lib_fd);
/* Bytes written by libvncserver not yet taken by the client's socket.
 * Valid while libvncserver still holds its end open. */
size_t vnc_outq_backlog(struct vnc_outq *q);
/* The subject of the client's TLS certificate (RFC 4514), NULL if it
 * sent none or there is no TLS (yet).  Valid as the backlog is. */
const char *vnc_outq_peer_dname(struct vnc_outq *q);

#endif
