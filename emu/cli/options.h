/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.h - the command-line option table (options.def) and the walk over
 * argv that dispatches each option to its handler.
 */
#ifndef HEMU_EMU_CLI_OPTIONS_H
#define HEMU_EMU_CLI_OPTIONS_H

#include "emu/osdep.h"

struct err;

/* A handler returns 0 to go on, 1 to exit(0) at once (after printing help
 * or the version), -1 with *errp set to fail. */
typedef int option_handler(const char *arg, struct err **errp);

struct option_def {
    const char *name;
    bool has_arg;
    option_handler *handler;    /* NULL: recognised, not supported */
    const char *synopsis;       /* NULL: documented with the option above */
};

/* In the manual's order; entries with a NULL name are section titles. */
extern const struct option_def option_table[];
extern const size_t option_count;

const struct option_def *option_find(const char *name);
/*
 * Walk argv: unknown options, missing arguments, unsupported options and
 * handler errors print "hemu: -opt arg: message" and exit(1).
 */
void cli_parse(int argc, char **argv);
void cli_print_help(FILE *f);
void cli_print_version(FILE *f);

#endif
