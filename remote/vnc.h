/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc.h - the VNC server (libvncserver) on the default console: -vnc as
 * the QEMU manual spells it, password auth with expiry, keysym and QEMU
 * Extended Key Event input, a relative PS/2 pointer, the websocket port
 * with the built-in web console, query-vnc(-servers) and VNC_* events.
 */
#ifndef HEMU_REMOTE_VNC_H
#define HEMU_REMOTE_VNC_H

#include "emu/osdep.h"

struct err;
struct json_object;

/* -vnc DISPLAY[,opts] and -k LANG (handlers named in options.def). */
int opt_vnc(const char *arg, struct err **errp);
int opt_k(const char *arg, struct err **errp);

/* Start what -vnc asked for, once the machine exists (no-op without). */
int vnc_start(struct err **errp);
bool vnc_configured(void);
/* Stop listening and drop every client (exit, tests). */
void vnc_stop(void);

struct json_object *vnc_query(void);
struct json_object *vnc_query_servers(void);
/* -1 when password auth is not enabled (QEMU: "Could not set password"). */
int vnc_set_password(const char *password);
/* "now", "never", "+SECONDS" or absolute seconds since the epoch. */
int vnc_expire_password(const char *when);
/* The fuzz target: a client that sends data, against a small screen. */
int vnc_fuzz_client(const uint8_t *data, size_t len);

#endif
