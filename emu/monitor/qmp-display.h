/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-display.h - the monitor commands of the display and VNC (QMP
 * screendump, query-vnc, query-vnc-servers, set_password, expire_password,
 * change-vnc-password; HMP screendump, info vnc, change vnc password,
 * set_password, expire_password).  Listed in the tables of qmp-cmds.c and
 * hmp-cmds.c; the code is in qmp-display.c.
 */
#ifndef HEMU_EMU_MONITOR_QMP_DISPLAY_H
#define HEMU_EMU_MONITOR_QMP_DISPLAY_H

#include "emu/monitor/hmp.h"
#include "emu/monitor/qmp.h"

extern const struct qmp_arg qmp_screendump_args[], qmp_set_password_args[],
    qmp_expire_password_args[], qmp_change_vnc_password_args[];
qmp_handler qmp_screendump, qmp_query_vnc, qmp_query_vnc_servers,
    qmp_set_password, qmp_expire_password, qmp_change_vnc_password;

void hmp_screendump(struct hmp *h, const char *arg);
void hmp_info_vnc(struct hmp *h, const char *arg);
/* SPICE: query-spice and info spice. */
qmp_handler qmp_query_spice;
void hmp_info_spice(struct hmp *h, const char *arg);
/* "change vnc ..." (hmp_change in qmp-block.c hands it over) */
void hmp_change_vnc(struct hmp *h, const char *arg);
void hmp_set_password(struct hmp *h, const char *arg);
void hmp_expire_password(struct hmp *h, const char *arg);

#endif
