/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hmp.h - the human monitor's commands (qemu-6.2 manual "QEMU Monitor"),
 * independent of where the text goes: a chardev with line editing
 * (monitor.c + readline.c) or a string (QMP human-monitor-command).
 */
#ifndef HEMU_EMU_MONITOR_HMP_H
#define HEMU_EMU_MONITOR_HMP_H

#include "emu/osdep.h"

struct hmp;

/* Where a command's output goes. */
typedef void hmp_output_fn(void *opaque, const char *buf, size_t len);

struct hmp {
    hmp_output_fn *out;
    void *opaque;
    /* Set by "quit": the caller stops reading input, as QEMU suspends
     * the monitor. */
    bool quit;
};

/* Printf to the monitor; "\n" goes out as "\r\n" as in QEMU. */
void hmp_printf(struct hmp *h, const char *fmt, ...) PRINTF_FMT(2, 3);
/* Parse and run one command line. */
void hmp_execute(struct hmp *h, const char *line);
/* Run one command line and return its output (caller frees). */
char *hmp_execute_capture(const char *line);

/* Command names starting with prefix (for tab completion): calls fn for
 * each; returns how many. */
int hmp_complete(const char *line, void (*fn)(void *opaque, const char *name),
                 void *opaque);

/* ---- the command tables (hmp-cmds.c) ---- */

struct hmp_cmd {
    const char *name;       /* "cont|c": name and aliases */
    const char *params;     /* for help: "[cmd]" */
    const char *help;
    bool has_arg;           /* takes an (optional) argument string */
    void (*fn)(struct hmp *h, const char *arg);  /* arg: NULL when absent */
    const struct hmp_cmd *sub;  /* "info": its subcommands */
};

/* NULL-name terminated. */
extern const struct hmp_cmd hmp_cmds[];
extern const struct hmp_cmd hmp_info_cmds[];

/* help [cmd], shared by "help" and "info" without arguments. */
void hmp_help(struct hmp *h, const char *arg);

#endif
