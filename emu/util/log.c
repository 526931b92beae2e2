/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - the -d/-D debug log. */
#include "emu/osdep.h"

#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/util/log.h"

unsigned log_mask;
static FILE *log_file;

struct log_item {
    unsigned mask;
    const char *name;
    const char *help;
};

/* The items of QEMU's -d that mean something for hemu's interpreter; QEMU's
 * TCG-internal items (out_asm, op, op_opt, op_ind, nochain, plugin) have no
 * counterpart, and mmu, pcall and page are not implemented: all are refused
 * rather than silently ignored. */
static const struct log_item items[] = {
    { LOG_IN_ASM, "in_asm", "show target assembly code for each compiled TB" },
    { LOG_INT, "int", "show interrupts/exceptions in short format" },
    { LOG_EXEC, "exec", "show trace before each executed TB (lots of logs)" },
    { LOG_CPU, "cpu", "show CPU registers before entering a TB (lots of logs)" },
    { LOG_FPU, "fpu", "include FPU registers in the 'cpu' logging" },
    { LOG_CPU_RESET, "cpu_reset", "show CPU state before CPU resets" },
    { LOG_UNIMP, "unimp", "log unimplemented functionality" },
    { LOG_GUEST_ERROR, "guest_errors", "log when the guest OS does something invalid (eg accessing a\nnon-existent register)" },
};

static const char *const unsupported[] = {
    "out_asm", "op", "op_opt", "op_ind", "nochain", "plugin", "strace",
    "mmu", "pcall", "page",
};

void log_print_help(FILE *f)
{
    fprintf(f, "Log items (comma separated):\n");
    for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
        fprintf(f, "%-15s %s\n", items[i].name, items[i].help);
    }
}

int log_set_items(const char *s, bool *help, struct err **errp)
{
    unsigned mask = 0;
    char *copy = xstrdup(s), *save = NULL;
    int ret = 0;
    *help = false;
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (!strcmp(tok, "help") || !strcmp(tok, "?")) {
            *help = true;
            continue;
        }
        if (!strcmp(tok, "all")) {
            for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
                mask |= items[i].mask;
            }
            continue;
        }
        if (str_start(tok, "trace:", NULL)) {
            err_setf(errp, "trace events: not supported");
            ret = -1;
            break;
        }
        bool found = false;
        for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
            if (!strcmp(tok, items[i].name)) {
                mask |= items[i].mask;
                found = true;
            }
        }
        for (size_t i = 0; i < ARRAY_SIZE(unsupported) && !found; i++) {
            if (!strcmp(tok, unsupported[i])) {
                err_setf(errp, "log item '%s': not supported", tok);
                ret = -1;
                goto out;
            }
        }
        if (!found) {
            err_setf(errp, "unknown log item '%s' (-d help lists them)", tok);
            ret = -1;
            break;
        }
    }
out:
    free(copy);
    if (!ret) {
        log_mask = mask;
    }
    return ret;
}

int log_set_file(const char *path, struct err **errp)
{
    FILE *f = fopen(path, "a");
    if (!f) {
        err_setf(errp, "could not open log file '%s': %s", path, strerror(errno));
        return -1;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    if (log_file) {
        fclose(log_file);
    }
    log_file = f;
    return 0;
}

void log_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(log_file ? log_file : stderr, fmt, ap);
    va_end(ap);
}
