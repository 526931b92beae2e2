/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cutils.c - allocation, strings and QEMU-compatible value parsers. */
#include "emu/osdep.h"
#include <ctype.h>
#include <fcntl.h>
#include <math.h>
#include <time.h>

#include "emu/util/cutils.h"

static void NORETURN oom(void)
{
    fputs("hemu: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        oom();
    }
    return p;
}

void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        oom();
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        oom();
    }
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        oom();
    }
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
    if (!p) {
        oom();
    }
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *p;
    if (vasprintf(&p, fmt, ap) < 0) {
        oom();
    }
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = MAX(b->cap * 2, b->len + n + 64);
        b->s = xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    sbuf_addn(b, p, strlen(p));
    free(p);
}

char *sbuf_steal(struct sbuf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

static int suffix_shift(char c)
{
    switch (toupper((unsigned char)c)) {
    case 'B': return 0;
    case 'K': return 10;
    case 'M': return 20;
    case 'G': return 30;
    case 'T': return 40;
    case 'P': return 50;
    case 'E': return 60;
    default: return -1;
    }
}

int parse_size(const char *s, char default_suffix, uint64_t *out)
{
    const char *p = s;
    uint64_t whole = 0;
    double frac = 0;
    bool any = false;

    if (!s || !*s || *s == '-' || isspace((unsigned char)*s)) {
        return -EINVAL;
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        while (isxdigit((unsigned char)*p)) {
            int d = isdigit((unsigned char)*p) ? *p - '0'
                                               : (tolower((unsigned char)*p) - 'a' + 10);
            if (whole > (UINT64_MAX - d) / 16) {
                return -ERANGE;
            }
            whole = whole * 16 + d;
            p++;
            any = true;
        }
    } else {
        while (isdigit((unsigned char)*p)) {
            int d = *p - '0';
            if (whole > (UINT64_MAX - d) / 10) {
                return -ERANGE;
            }
            whole = whole * 10 + d;
            p++;
            any = true;
        }
        if (*p == '.') {
            double scale = 0.1;
            p++;
            /* "1." and "1.k" are valid, as in QEMU 6.2. */
            while (isdigit((unsigned char)*p)) {
                frac += (*p - '0') * scale;
                scale /= 10;
                p++;
            }
        }
    }
    if (!any) {
        return -EINVAL;
    }
    int shift;
    if (*p) {
        shift = suffix_shift(*p);
        if (shift < 0 || p[1]) {
            return -EINVAL;
        }
        /* QEMU 6.2 still accepts a suffix after hex (deprecated). */
    } else {
        shift = default_suffix ? suffix_shift(default_suffix) : 0;
    }
    if (shift && whole > (UINT64_MAX >> shift)) {
        return -ERANGE;
    }
    uint64_t v = whole << shift;
    if (frac > 0) {
        double f = frac * (double)(1ULL << shift);
        if (shift == 0 && f != floor(f)) {
            return -EINVAL;     /* a fraction of a byte */
        }
        if ((double)v + f >= 18446744073709551616.0) {
            return -ERANGE;
        }
        v += (uint64_t)f;
    }
    *out = v;
    return 0;
}

int parse_uint64(const char *s, int base, uint64_t *out)
{
    char *end;
    if (!s || !*s || *s == '-' || isspace((unsigned char)*s)) {
        return -EINVAL;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, base);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (*end || end == s) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

int parse_int64(const char *s, int base, int64_t *out)
{
    char *end;
    if (!s || !*s || isspace((unsigned char)*s)) {
        return -EINVAL;
    }
    errno = 0;
    long long v = strtoll(s, &end, base);
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (*end || end == s) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return 0;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

bool str_start(const char *s, const char *prefix, const char **rest)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n)) {
        return false;
    }
    if (rest) {
        *rest = s + n;
    }
    return true;
}

int64_t clock_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t clock_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        p += n;
        len -= n;
    }
    return 0;
}

int set_nonblock(int fd, bool on)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) {
        return -errno;
    }
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

int set_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0) {
        return -errno;
    }
    return fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0 ? -errno : 0;
}
