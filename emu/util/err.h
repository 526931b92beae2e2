/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * err.h - error objects and user-facing error reporting.  A struct err
 * carries a QMP error class (GenericError, CommandNotFound, ...) and a
 * message; err_report() prints "hemu: LOCATION: message" as QEMU prints
 * "qemu-system-x86_64: -m foo: message".
 */
#ifndef HEMU_EMU_UTIL_ERR_H
#define HEMU_EMU_UTIL_ERR_H

#include "emu/osdep.h"

struct err {
    const char *cls;    /* QMP error class, a static string */
    char *msg;
};

#define ERR_GENERIC "GenericError"
#define ERR_COMMAND_NOT_FOUND "CommandNotFound"
#define ERR_DEVICE_NOT_ACTIVE "DeviceNotActive"
#define ERR_DEVICE_NOT_FOUND "DeviceNotFound"
#define ERR_KVM_MISSING_CAP "KVMMissingCap"

/* Set *errp (when errp is not NULL and *errp is still NULL). */
void err_setf(struct err **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
void err_set_class(struct err **errp, const char *cls, const char *fmt, ...)
    PRINTF_FMT(3, 4);
/* Prefix an existing error's message ("-drive x: " + msg). */
void err_prepend(struct err **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
void err_propagate(struct err **dst, struct err *src);
void err_free(struct err *e);

/* The program name used in messages, "hemu" unless changed (tests). */
extern const char *err_progname;
/* -msg timestamp=on: prefix messages with the time. */
extern bool err_timestamps;
/* -msg guest-name=on: prefix messages with the -name of the guest. */
extern bool err_with_guest_name;
extern const char *err_guest_name;

/*
 * Location of the option being processed; messages printed while it is
 * set read "hemu: -opt arg: message".  Pass NULL to clear.
 */
void err_loc_set_cmdline(const char *opt, const char *arg);
void err_loc_clear(void);

void err_report(const char *fmt, ...) PRINTF_FMT(1, 2);
void warn_report(const char *fmt, ...) PRINTF_FMT(1, 2);
void info_report(const char *fmt, ...) PRINTF_FMT(1, 2);
/* Print e with the current location and free it. */
void err_report_err(struct err *e);
/* Report and exit(1). */
void fatal(const char *fmt, ...) PRINTF_FMT(1, 2) NORETURN;
void fatal_err(struct err *e) NORETURN;

#endif
