/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cutils.h - allocation that cannot fail, string formatting, and the
 * number/size/boolean parsers whose accepted syntax follows QEMU's
 * (qemu_strtosz, qapi_bool_parse).
 */
#ifndef HEMU_EMU_UTIL_CUTILS_H
#define HEMU_EMU_UTIL_CUTILS_H

#include "emu/osdep.h"

void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_FMT(1, 2);
char *xvasprintf(const char *fmt, va_list ap);

/* A growable string. */
struct sbuf {
    char *s;
    size_t len, cap;
};
void sbuf_addf(struct sbuf *b, const char *fmt, ...) PRINTF_FMT(2, 3);
void sbuf_addn(struct sbuf *b, const char *s, size_t n);
char *sbuf_steal(struct sbuf *b);   /* returns "" for an empty buffer */

/*
 * Parse a size: a number (decimal, may have a fraction, or 0x hex without
 * fraction) and an optional suffix B, K, M, G, T, P, E (any case).
 * default_suffix is used when there is none (0 = bytes).  Returns 0 or
 * -EINVAL (bad syntax) / -ERANGE (does not fit in 64 bits).
 */
int parse_size(const char *s, char default_suffix, uint64_t *out);
/* Whole string must be a number in the given base (0 = C rules). */
int parse_uint64(const char *s, int base, uint64_t *out);
int parse_int64(const char *s, int base, int64_t *out);
/* on/yes/true/y and off/no/false/n; returns 0 or -EINVAL. */
int parse_bool(const char *s, bool *out);

bool str_start(const char *s, const char *prefix, const char **rest);

/* Nanoseconds of CLOCK_MONOTONIC and CLOCK_REALTIME. */
int64_t clock_monotonic_ns(void);
int64_t clock_wall_ns(void);

/* write() the whole buffer, retrying on EINTR/short writes; -errno. */
int write_full(int fd, const void *buf, size_t len);
int set_nonblock(int fd, bool on);
int set_cloexec(int fd);

#endif
