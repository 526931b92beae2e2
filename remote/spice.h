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

/* The QXL device's instance: spice_start adds it in place of the console
 * display (creating a server without a listener if there is no -spice,
 * as QEMU does), then calls added(opaque). */
struct QXLInstance;
void spice_register_qxl(struct QXLInstance *qxl, void (*added)(void *opaque),
                        void *opaque);

/* query-spice's answer (SpiceInfo). */
struct json_object *spice_query(void);
/* set_password protocol=spice: connected is "keep", "fail", "disconnect"
 * or NULL.  -1 with *errp set (QEMU's messages and classes). */
int spice_set_password(const char *password, const char *connected,
                       struct err **errp);
/* "now", "never", "+SECONDS" or absolute seconds since the epoch. */
int spice_expire_password(const char *when, struct err **errp);

#endif
