/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc-outq.h - a VNC client's socket behind a socketpair and a copier
 * thread, so that libvncserver's blocking writes never wait on the
 * network: what it writes is queued in memory and sent as the client
 * takes it.
 */
#ifndef HEMU_REMOTE_VNC_OUTQ_H
#define HEMU_REMOTE_VNC_OUTQ_H

#include "emu/osdep.h"

struct vnc_outq;

/* Takes sock (closed when the copier ends); *lib_fd gets the end for
 * libvncserver.  NULL (sock untouched) if no socketpair or thread. */
struct vnc_outq *vnc_outq_new(int sock, int *lib_fd);
/* Bytes written by libvncserver not yet taken by the client's socket.
 * Valid while libvncserver still holds its end open. */
size_t vnc_outq_backlog(struct vnc_outq *q);

#endif
