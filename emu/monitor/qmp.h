/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp.h - a QMP session independent of its transport: bytes in through
 * qmp_session_input(), replies, the greeting and events out through a
 * callback.  monitor.c glues sessions to chardevs; the fuzzer and the unit
 * test drive them directly.  Protocol: QEMU's "QEMU Machine Protocol
 * Specification"; command shapes: the qemu-6.2 QMP reference.
 */
#ifndef HEMU_EMU_MONITOR_QMP_H
#define HEMU_EMU_MONITOR_QMP_H

#include "emu/osdep.h"

struct err;
struct json_object;
struct qmp_session;

typedef void qmp_output_fn(void *opaque, const char *buf, size_t len);

/* ---- sessions ---- */

struct qmp_session *qmp_session_new(bool pretty, qmp_output_fn *out,
                                    void *opaque);
void qmp_session_free(struct qmp_session *s);
/* A peer connected: back to capabilities negotiation, send the greeting. */
void qmp_session_open(struct qmp_session *s);
/* The peer left: drop partial input, negotiation starts over. */
void qmp_session_close(struct qmp_session *s);
void qmp_session_input(struct qmp_session *s, const uint8_t *buf, size_t len);
bool qmp_session_negotiated(const struct qmp_session *s);
/* Send obj (borrowed) to every session past negotiation (events). */
void qmp_broadcast(struct json_object *obj);

/* ---- the command table (qmp-cmds.c) ---- */

enum qmp_arg_type {
    QMP_ARG_STR,
    QMP_ARG_INT,
    QMP_ARG_BOOL,
    QMP_ARG_STR_LIST,
    QMP_ARG_OBJ,        /* a JSON object, checked by the handler */
};

struct qmp_arg {
    const char *name;
    enum qmp_arg_type type;
    bool optional;
};

/*
 * A handler gets validated arguments (an object, never NULL) and sets *ret
 * to its result (NULL: {}); s is NULL when called from HMP.
 */
typedef int qmp_handler(struct qmp_session *s, struct json_object *args,
                        struct json_object **ret, struct err **errp);

struct qmp_cmd {
    const char *name;
    qmp_handler *fn;
    const struct qmp_arg *args;     /* ends with a NULL name; NULL: none */
};

extern const struct qmp_cmd qmp_cmds[];
extern const size_t qmp_cmds_count;
const struct qmp_cmd *qmp_cmd_find(const char *name);

/* Called by the qmp_capabilities handler. */
int qmp_session_negotiate(struct qmp_session *s, struct json_object *enable,
                          struct err **errp);

/*
 * Run a command outside any session (HMP is built on the QMP commands as
 * in QEMU).  args may be NULL; returns the result or NULL with *errp set.
 */
struct json_object *qmp_call(const char *name, struct json_object *args,
                             struct err **errp);

#endif
