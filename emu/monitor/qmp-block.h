/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-block.h - the QMP block commands and their HMP faces (qmp-block.c),
 * listed in the command tables of qmp-cmds.c and hmp-cmds.c.
 */
#ifndef HEMU_EMU_MONITOR_QMP_BLOCK_H
#define HEMU_EMU_MONITOR_QMP_BLOCK_H

#include "emu/monitor/qmp.h"

struct hmp;

qmp_handler qmp_query_block, qmp_query_blockstats, qmp_eject,
    qmp_blockdev_change_medium, qmp_block_resize;
extern const struct qmp_arg qmp_eject_args[], qmp_change_medium_args[],
    qmp_block_resize_args[];

void hmp_info_block(struct hmp *h, const char *arg);
void hmp_eject(struct hmp *h, const char *arg);
void hmp_change(struct hmp *h, const char *arg);
void hmp_block_resize(struct hmp *h, const char *arg);
void hmp_commit(struct hmp *h, const char *arg);

#endif
