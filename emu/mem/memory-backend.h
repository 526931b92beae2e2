/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memory-backend.h - host memory objects for guest RAM (QEMU 6.2 manual,
 * "-object memory-backend-ram|file|memfd"), selected with -machine
 * memory-backend=ID or -numa node,memdev=ID.  A file or memfd back end
 * gives guest RAM an fd, which vhost-user hands to its back end.
 */
#ifndef HEMU_EMU_MEM_MEMORY_BACKEND_H
#define HEMU_EMU_MEM_MEMORY_BACKEND_H

#include "emu/osdep.h"

struct err;
struct kvlist;
struct mem_region;

/* -object memory-backend-*: type is the qom-type; kv holds the keys. */
int mem_backend_add(const char *type, struct kvlist *kv, struct err **errp);
bool mem_backend_is_type(const char *type);

/* -machine memory-backend=ID (from machine_configure). */
int mem_backend_set_machine(const char *id, struct err **errp);
/* -numa node,... (the option handler). */
int mem_backend_numa_opt(const char *arg, struct err **errp);
/* After -m and -machine: check the sizes as QEMU does and take the RAM
 * size from the back end when -m was not given. */
int mem_backend_resolve(uint64_t *ram_size, bool ram_size_given,
                        struct err **errp);

/* Guest RAM: from the selected back end if there is one, else anonymous
 * memory.  size is what the machine maps. */
int mem_backend_init_ram(struct mem_region *mr, const char *name,
                         uint64_t size, struct err **errp);

#endif
