/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-blockjob.h - block-commit and the block job commands
 * (qmp-blockjob.c), listed in qmp-cmds.c's table.
 */
#ifndef HEMU_EMU_MONITOR_QMP_BLOCKJOB_H
#define HEMU_EMU_MONITOR_QMP_BLOCKJOB_H

#include "emu/monitor/qmp.h"

qmp_handler qmp_block_commit, qmp_query_block_jobs, qmp_block_job_cancel,
    qmp_block_job_complete, qmp_block_job_set_speed;
extern const struct qmp_arg qmp_block_commit_args[],
    qmp_block_job_cancel_args[], qmp_block_job_complete_args[],
    qmp_block_job_set_speed_args[];

/* Cancel every job (the VM goes away). */
void block_jobs_cancel_all(void);

#endif
