/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.c - the option table built from options.def and the argv walk.
 * Syntax as QEMU's: "-opt" or "--opt", the argument in the next word; a
 * word that is not an option is the disk image of the first IDE disk.
 */
#include "emu/osdep.h"

#include "emu/cli/handlers.h"  /* opt_* handlers */
#include "emu/cli/options.h"
#include "emu/util/err.h"      /* err_report, err_loc_* */

/* A SECTION entry has a NULL name and its title as synopsis. */
#define SECTION(title) { NULL, 0, NULL, title },
#define DEF(name, arg, handler, synopsis) { name, arg, handler, synopsis },
const struct option_def option_table[] = {
#include "emu/cli/options.def"
};
#undef SECTION
#undef DEF

const size_t option_count = ARRAY_SIZE(option_table);

const struct option_def *option_find(const char *name)
{
    for (size_t i = 0; i < option_count; i++) {
        if (option_table[i].name && !strcmp(option_table[i].name, name)) {
            return &option_table[i];
        }
    }
    return NULL;
}

void cli_print_version(FILE *f)
{
    fprintf(f, "QEMU emulator version %s (hemu %s)\n", HEMU_QEMU_VERSION,
            HEMU_VERSION);
    fprintf(f, "hemu %s: a headless x86 PC emulator with the command line "
               "and QMP of QEMU %s\n", HEMU_VERSION, HEMU_QEMU_VERSION);
}

void cli_print_help(FILE *f)
{
    cli_print_version(f);
    fprintf(f, "usage: hemu [options] [disk_image]\n\n"
               "'disk_image' is a raw hard disk image for IDE hard disk 0\n"
               "Options marked [not supported] are recognised and refused.\n");
    for (size_t i = 0; i < option_count; i++) {
        const struct option_def *o = &option_table[i];
        if (!o->name) {
            fprintf(f, "\n%s:\n", o->synopsis);
            continue;
        }
        if (!o->synopsis) {
            continue;
        }
        /* An alias documented with its main entry is implemented when the
         * main entry is. */
        fprintf(f, "%s%s\n", o->synopsis, o->handler ? "" : "  [not supported]");
    }
    fprintf(f, "\nDuring emulation, the following keys are useful:\n"
               "ctrl-a h       print help on a -nographic console\n"
               "ctrl-a x       exit emulation\n"
               "ctrl-a c       switch between console and monitor\n\n"
               "When using -nographic, press 'ctrl-a h' to get some help.\n");
}

void cli_parse(int argc, char **argv)
{
    struct err *e = NULL;
    for (int i = 1; i < argc; i++) {
        const char *word = argv[i];
        if (word[0] != '-' || !word[1]) {
            /* QEMU: a bare word is the image of IDE disk 0 (-hda). */
            err_loc_clear();
            fatal("%s: disk images are not supported yet (the storage issue "
                  "brings -hda)", word);
        }
        const char *name = word + 1;
        if (name[0] == '-') {
            name++;
        }
        const struct option_def *o = option_find(name);
        if (!o) {
            /* As QEMU: the word as the user typed it. */
            err_loc_clear();
            fatal("%s: invalid option", word);
        }
        const char *arg = NULL;
        if (o->has_arg) {
            if (i + 1 >= argc) {
                err_loc_set_cmdline(name, NULL);
                fatal("requires an argument");
            }
            arg = argv[++i];
        }
        if (!o->handler) {
            err_loc_set_cmdline(name, NULL);
            fatal("not supported");
        }
        err_loc_set_cmdline(name, arg);
        int r = o->handler(arg, &e);
        if (r < 0) {
            if (!e) {
                err_setf(&e, "failed");
            }
            fatal_err(e);
        }
        if (r > 0) {
            exit(0);
        }
        err_loc_clear();
    }
}
