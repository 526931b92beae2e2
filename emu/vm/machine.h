/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * machine.h - machine types (-machine help, QMP query-machines) and the
 * resolution of -machine, -accel, -smp and -m against the chosen type.
 */
#ifndef HEMU_EMU_VM_MACHINE_H
#define HEMU_EMU_VM_MACHINE_H

#include "emu/osdep.h"

struct err;

struct machine_type {
    const char *name;
    const char *alias;          /* NULL: none */
    const char *desc;
    bool is_default;
    unsigned max_cpus;
    unsigned min_cpus;
    bool hotpluggable_cpus;
    bool numa_mem_supported;
    bool deprecated;
    const char *default_cpu_type;   /* NULL: none */
    const char *default_ram_id;     /* NULL: none */
    uint64_t default_ram_size;
    /* Buses the board offers to -device (bit per enum dev_bus). */
    unsigned buses;
    /* Build the board; called once after the command line is processed. */
    int (*init)(struct err **errp);
    /* Every -device exists now (the boot order is complete); NULL: none. */
    int (*done)(struct err **errp);
};

/* All machine types, NULL-terminated. */
extern const struct machine_type *const machine_types[];
const struct machine_type *machine_find(const char *name);
void machine_print_help(FILE *f);

/* The machine chosen on the command line (after machine_configure). */
extern const struct machine_type *current_machine;

/*
 * Resolve cfg.machine_opts, cfg.accel, cfg.smp_opts and RAM settings into
 * current_machine and cfg.smp; errors name the offending option.
 */
int machine_configure(struct err **errp);

#endif
