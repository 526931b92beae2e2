/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - the debug log of -d ITEMS and -D FILE (qemu-6.2 manual
 * "Debug/Expert options").  Items are a bit mask; the CPU and devices log
 * with log_printf() when their item is on.
 */
#ifndef HEMU_EMU_UTIL_LOG_H
#define HEMU_EMU_UTIL_LOG_H

#include "emu/osdep.h"

struct err;

enum {
    LOG_IN_ASM = 1 << 0,
    LOG_INT = 1 << 1,
    LOG_EXEC = 1 << 2,
    LOG_CPU = 1 << 3,
    LOG_FPU = 1 << 4,
    LOG_MMU = 1 << 5,
    LOG_PCALL = 1 << 6,
    LOG_CPU_RESET = 1 << 7,
    LOG_UNIMP = 1 << 8,
    LOG_GUEST_ERROR = 1 << 9,
    LOG_PAGE = 1 << 10,
};

extern unsigned log_mask;

static inline bool log_enabled(unsigned item)
{
    return (log_mask & item) != 0;
}

/* Parse "-d" items; "help" prints the list and sets *help. */
int log_set_items(const char *items, bool *help, struct err **errp);
/* Redirect the log to a file (-D); default stderr. */
int log_set_file(const char *path, struct err **errp);
void log_print_help(FILE *f);
void log_printf(const char *fmt, ...) PRINTF_FMT(1, 2);

#endif
