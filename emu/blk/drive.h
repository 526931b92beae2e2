/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drive.h - -drive, -hda..-hdd, -cdrom, -snapshot and -blockdev (qemu-6.2
 * manual "Block device options"): the options are recorded while the
 * command line is read, the images opened by drive_init_all() before the
 * machine's front ends look their drives up by interface and index.
 */
#ifndef HEMU_EMU_BLK_DRIVE_H
#define HEMU_EMU_BLK_DRIVE_H

#include "emu/osdep.h"

struct err;
struct blk;

enum drive_if { IF_NONE, IF_IDE, IF_VIRTIO, IF_FLOPPY };

struct drive {
    enum drive_if iface;
    int bus, unit, index;       /* index = bus * units_per_bus + unit */
    bool cdrom;
    struct blk *blk;
    const char *opt;            /* the option ("drive", "hda"...) and */
    char *arg;                  /* its argument, for messages */
    struct kvlist *kv;
    bool claimed;               /* a front end took it */
    struct drive *next;
};

/* Command-line handlers (emu/cli/handlers.c calls them). */
int drive_add_option(const char *arg, struct err **errp);
int drive_add_legacy(const char *opt, int index, const char *file,
                     bool cdrom, struct err **errp);
int blockdev_add_option(const char *arg, struct err **errp);
/* -fda/-fdb: if=floppy,index=N. */
int drive_add_floppy(const char *opt, int index, const char *file,
                     struct err **errp);
extern bool drive_snapshot_all;     /* -snapshot */

/* Open every -blockdev node and -drive image. */
int drive_init_all(struct err **errp);
struct drive *drive_get(enum drive_if iface, int bus, int unit);
struct drive *drive_first(void);
/* -device ...,drive=ID: a -drive id= or a -blockdev node-name. */
struct blk *drive_claim_by_id(const char *id, struct err **errp);
/* Error for a -drive that no front end took (if=none aside). */
int drive_check_claimed(struct err **errp);
/* For machines without disk controllers (-M none): open and refuse. */
int drive_init_machine_without_storage(struct err **errp);

#endif
