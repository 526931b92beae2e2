/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spice-display.h - the console as QXL drawing commands (spice-display.c)
 * for a QXL instance that another owner runs: the QXL device uses it
 * while the guest drives it as a plain VGA, and detaches it when the
 * guest's driver creates its own primary surface.  Commands use memory
 * slot group SPICE_DISPLAY_GROUP, slot 0 (all host memory).
 */
#ifndef HEMU_REMOTE_SPICE_DISPLAY_H
#define HEMU_REMOTE_SPICE_DISPLAY_H

#include "emu/osdep.h"

#include <spice.h>

struct console;

#define SPICE_DISPLAY_GROUP 0

/* Slot 0 of group SPICE_DISPLAY_GROUP spanning host memory. */
void spice_display_add_host_memslot(QXLInstance *qxl);
/* Create the primary surface from the console and follow its updates. */
void spice_display_attach(QXLInstance *qxl, struct console *con);
/* Stop following, drop what is queued, destroy the primary surface. */
void spice_display_detach(void);
/* The QXL interface's get_command / req_cmd_notification /
 * release_resource for the commands made here (worker thread). */
int spice_display_get_command(struct QXLCommandExt *ext);
int spice_display_req_notification(void);
void spice_display_release(struct QXLReleaseInfoExt r);

#endif
