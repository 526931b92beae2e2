/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.h - the VM configuration gathered from the command line (the
 * parts that are not owned by a subsystem of their own), read by the
 * start-up code, QMP queries and later by the machine.
 */
#ifndef HEMU_EMU_VM_CONFIG_H
#define HEMU_EMU_VM_CONFIG_H

#include "emu/osdep.h"

struct kvlist;

/* An option kept for processing after the whole command line is read;
 * opt/arg give the location for error messages. */
struct deferred_opt {
    const char *opt;        /* option name without '-' */
    char *arg;
    struct kvlist *kv;      /* parsed form, when the option is key=value */
    struct deferred_opt *next;
};

struct smp_config {
    unsigned cpus, maxcpus, sockets, dies, cores, threads;
};

struct vm_config {
    /* -name */
    char *name;
    char *process_name;
    bool debug_threads;
    /* -uuid */
    uint8_t uuid[16];
    bool uuid_set;
    /* -m */
    uint64_t ram_size;
    bool ram_size_given;        /* -m size= (memory backends check it) */
    uint64_t maxmem;
    unsigned ram_slots;
    /* -smp, resolved against the machine type */
    struct smp_config smp;
    struct kvlist *smp_opts;
    /* -machine (all occurrences merged) and -accel */
    struct kvlist *machine_opts;
    char *machine_loc;          /* last -machine argument, for messages */
    char *accel;                /* "tcg" */
    /* run control */
    bool start_paused;          /* -S */
    bool daemonize;
    char *pidfile;
    bool nodefaults;
    bool nographic;
    bool display_none;
    /* firmware */
    char *bios;
    char **data_dirs;           /* -L, in search order */
    int n_data_dirs;
    bool hpet;                  /* -machine hpet=on|off (pc) */
    /* direct kernel boot: -kernel, -initrd, -append (last one wins) */
    char *kernel;
    char *initrd;
    char *append;
    /* -rtc: base=utc|localtime|DATE (rtc_date: seconds since the epoch
     * as the RTC shows them), clock=host|rt|vm (enum rtc_clock) */
    bool rtc_localtime;
    bool rtc_date_set;
    int64_t rtc_date;
    int rtc_clock;
    /* -boot: CMOS order letters (NULL: "cad") and the first boot's,
     * SeaBIOS's menu, its wait (ms, -1: default), the wait before a
     * reboot when nothing boots (ms, -1: never), strict bootorder */
    char *boot_order;
    char *boot_once;
    bool boot_menu;
    int boot_splash_time;
    int boot_reboot_timeout;
    bool boot_strict;
    /* chardev front ends, in command-line order */
    struct deferred_opt *chardevs;  /* -chardev */
    struct deferred_opt *serials;   /* -serial */
    struct deferred_opt *parallels; /* -parallel */
    struct deferred_opt *debugcons; /* -debugcon */
    struct deferred_opt *monitors;  /* -monitor, -qmp, -qmp-pretty, -mon */
    struct deferred_opt *objects;   /* -object */
    struct deferred_opt *devices;   /* -device, created after the machine */
    bool default_serial, default_parallel, default_monitor;
    /* The chardevs behind -serial, for the platform's UARTs. */
    struct chardev *serial_chr[4];
    int n_serial;
};

extern struct vm_config cfg;

void config_init(void);
/* Append to a deferred list, keeping order. */
struct deferred_opt *config_defer(struct deferred_opt **list, const char *opt,
                                  const char *arg, struct kvlist *kv);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (37 bytes with the NUL). */
void config_uuid_format(const uint8_t uuid[16], char out[37]);
int config_uuid_parse(const char *s, uint8_t uuid[16]);
/* Firmware search: the -L directories, then the Debian package paths.
 * Returns a malloc'd path of an existing file or NULL. */
char *config_find_datafile(const char *name);
void config_print_data_dirs(FILE *f);

#endif
