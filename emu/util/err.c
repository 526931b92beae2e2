/* SPDX-License-Identifier: GPL-2.0-or-later */
/* err.c - error objects and "hemu: LOCATION: message" reporting. */
#include "emu/osdep.h"
#include <sys/time.h>
#include <time.h>

#include "emu/util/err.h"     /* struct err */
#include "emu/util/cutils.h"  /* xvasprintf */

const char *err_progname = "hemu";
bool err_timestamps;
bool err_with_guest_name;
const char *err_guest_name;

static char *loc_text;

void err_setf(struct err **errp, const char *fmt, ...)
{
    va_list ap;
    if (!errp || *errp) {
        return;
    }
    struct err *e = xmalloc(sizeof(*e));
    e->cls = ERR_GENERIC;
    va_start(ap, fmt);
    e->msg = xvasprintf(fmt, ap);
    va_end(ap);
    *errp = e;
}

void err_set_class(struct err **errp, const char *cls, const char *fmt, ...)
{
    va_list ap;
    if (!errp || *errp) {
        return;
    }
    struct err *e = xmalloc(sizeof(*e));
    e->cls = cls;
    va_start(ap, fmt);
    e->msg = xvasprintf(fmt, ap);
    va_end(ap);
    *errp = e;
}

void err_prepend(struct err **errp, const char *fmt, ...)
{
    va_list ap;
    if (!errp || !*errp) {
        return;
    }
    va_start(ap, fmt);
    char *pre = xvasprintf(fmt, ap);
    va_end(ap);
    char *msg = xasprintf("%s%s", pre, (*errp)->msg);
    free(pre);
    free((*errp)->msg);
    (*errp)->msg = msg;
}

void err_propagate(struct err **dst, struct err *src)
{
    if (!src) {
        return;
    }
    if (dst && !*dst) {
        *dst = src;
    } else {
        err_free(src);
    }
}

void err_free(struct err *e)
{
    if (e) {
        free(e->msg);
        free(e);
    }
}

void err_loc_set_cmdline(const char *opt, const char *arg)
{
    free(loc_text);
    loc_text = NULL;
    if (opt) {
        loc_text = arg ? xasprintf("-%s %s", opt, arg) : xasprintf("-%s", opt);
    }
}

void err_loc_clear(void)
{
    err_loc_set_cmdline(NULL, NULL);
}

static void vreport(const char *kind, const char *fmt, va_list ap)
{
    if (err_timestamps) {
        struct timeval tv;
        struct tm tm;
        gettimeofday(&tv, NULL);
        gmtime_r(&tv.tv_sec, &tm);
        fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
    }
    if (err_with_guest_name && err_guest_name) {
        fprintf(stderr, "%s ", err_guest_name);
    }
    fprintf(stderr, "%s: ", err_progname);
    if (loc_text) {
        fprintf(stderr, "%s: ", loc_text);
    }
    if (kind) {
        fputs(kind, stderr);
    }
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void err_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(NULL, fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport("info: ", fmt, ap);
    va_end(ap);
}

void err_report_err(struct err *e)
{
    err_report("%s", e->msg);
    err_free(e);
}

void fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(NULL, fmt, ap);
    va_end(ap);
    exit(1);
}

void fatal_err(struct err *e)
{
    err_report_err(e);
    exit(1);
}
