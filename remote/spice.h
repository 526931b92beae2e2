/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice.h - the SPICE server (spice-server) on the default console:
 * -spice as the QEMU 6.2 manual spells it, ticket (password) auth with
 * expiry, keyboard and relative mouse input, the console sent as SPICE
 * drawing commands, query-spice and the SPICE_* events.
 */
#ifndef HEMU_REMOTE_SPICE_H
#define HEMU_REMOTE_SPICE_H

#include "emu/osdep.h"

struct err;
struct json_object;

/* -spice OPTIONS (handler named in options.def). */
int opt_spice(const char *arg, struct err **errp);

/* Start what -spice asked for, once the machine exists (no-op without). */
int spice_start(struct err **errp);
bool spice_configured(void);

/* A QXL card's instance and the console it draws: spice_start gives it
 * the next display channel id and adds it (creating a server without a
 * listener if there is no -spice, as QEMU does), then calls
 * added(opaque).  The default console is sent as drawing commands only
 * if it is no QXL card's. */
struct QXLInstance;
struct console;
void spice_register_qxl(struct QXLInstance *qxl, struct console *con,
                        void (*added)(void *opaque), void *opaque);

/* query-spice's answer (SpiceInfo). */
struct json_object *spice_query(void);
/* set_password protocol=spice: connected is "keep", "fail", "disconnect"
 * or NULL.  -1 with *errp set (QEMU's messages and classes). */
int spice_set_password(const char *password, const char *connected,
                       struct err **errp);
/* "now", "never", "+SECONDS" or absolute seconds since the epoch. */
int spice_expire_password(const char *when, struct err **errp);

#endif
