/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * osdep.h - the first include of every hemu .c file: feature macros, the
 * standard headers every file uses, the build configuration and a few
 * compiler helpers.
 */
#ifndef HEMU_EMU_OSDEP_H
#define HEMU_EMU_OSDEP_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"         /* build/config.h from configure */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

#define HEMU_VERSION "0.1.0"
/* The QEMU release whose command line and QMP interface hemu implements. */
#define HEMU_QEMU_VERSION_MAJOR 6
#define HEMU_QEMU_VERSION_MINOR 2
#define HEMU_QEMU_VERSION_MICRO 0
#define HEMU_QEMU_VERSION "6.2.0"

#endif
