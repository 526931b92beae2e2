/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp.c - QMP sessions and command dispatch, following the "QEMU Machine
 * Protocol Specification" and the error wording of qemu-6.2's
 * qapi/qmp-dispatch.c and qobject-input-visitor as seen on the wire.
 * A session knows nothing about chardevs: monitor.c feeds it bytes and
 * gives it an output callback.
 *
 * Commands run synchronously as they are parsed, so replies leave in
 * request order and events raised by a command (STOP for "stop") precede
 * its reply, as with QEMU.  No command here can run out-of-band and there
 * is no monitor I/O thread, so the greeting offers no "oob" capability
 * (QEMU does the same on chardevs that cannot do OOB).
 */
#include "emu/osdep.h"
#include <json-c/json.h>

#include "emu/monitor/json-stream.h"    /* framing of the input */
#include "emu/monitor/json-writer.h"    /* QEMU-style output */
#include "emu/monitor/qmp.h"
#include "emu/util/cutils.h"            /* xzalloc, sbuf */
#include "emu/util/err.h"               /* struct err, error classes */

struct qmp_session {
    struct json_stream js;
    bool pretty;
    bool negotiated;
    qmp_output_fn *out;
    void *opaque;
    struct qmp_session *next;
};

static struct qmp_session *sessions;

/* ---------------------------------------------------------------------------
 * Output
 */

static void send_obj(struct qmp_session *s, json_object *obj)
{
    struct sbuf b = { 0 }, line = { 0 };

    json_write(&b, obj, s->pretty);
    sbuf_addn(&b, "\n", 1);
    /* QEMU's monitor turns every newline into CR LF, pretty ones too. */
    for (size_t i = 0, start = 0; i < b.len; i++) {
        if (b.s[i] == '\n') {
            sbuf_addn(&line, b.s + start, i - start);
            sbuf_addn(&line, "\r\n", 2);
            start = i + 1;
        }
    }
    s->out(s->opaque, line.s, line.len);
    free(line.s);
    free(b.s);
}

void qmp_broadcast(json_object *obj)
{
    for (struct qmp_session *s = sessions; s; s = s->next) {
        if (s->negotiated) {
            send_obj(s, obj);
        }
    }
}

static json_object *error_obj(const char *cls, const char *desc)
{
    json_object *e = json_object_new_object();
    json_object_object_add(e, "class", json_object_new_string(cls));
    json_object_object_add(e, "desc", json_object_new_string(desc));
    return e;
}

/* Send {"error": ...} or {"return": ...}, then "id" when the request had
 * one (any JSON value, echoed as is).  Takes ownership of ret. */
static void reply(struct qmp_session *s, json_object *ret, struct err *e,
                  json_object *id, bool has_id)
{
    json_object *r = json_object_new_object();

    if (e) {
        json_object_object_add(r, "error", error_obj(e->cls, e->msg));
    } else {
        json_object_object_add(r, "return",
                               ret ? ret : json_object_new_object());
    }
    if (has_id) {
        json_object_object_add(r, "id", json_object_get(id));
    }
    send_obj(s, r);
    json_object_put(r);
}

/* ---------------------------------------------------------------------------
 * Argument checking: the qobject-input-visitor messages of QEMU
 */

static const char *type_name(enum qmp_arg_type t)
{
    switch (t) {
    case QMP_ARG_STR: return "string";
    case QMP_ARG_INT: return "integer";
    case QMP_ARG_BOOL: return "boolean";
    case QMP_ARG_STR_LIST: return "array";
    case QMP_ARG_OBJ: return "object";
    }
    return "value";
}

static bool is_int64(json_object *v)
{
    if (!json_object_is_type(v, json_type_int)) {
        return false;
    }
    /* json-c keeps 2^63.. as uint64; QEMU's "int" stops at INT64_MAX. */
    return json_object_get_int64(v) != INT64_MAX ||
           json_object_get_uint64(v) == INT64_MAX;
}

static int check_arg(const struct qmp_arg *a, json_object *v, struct err **errp)
{
    bool ok = false;

    switch (a->type) {
    case QMP_ARG_STR:
        ok = json_object_is_type(v, json_type_string);
        break;
    case QMP_ARG_INT:
        ok = is_int64(v);
        break;
    case QMP_ARG_BOOL:
        ok = json_object_is_type(v, json_type_boolean);
        break;
    case QMP_ARG_STR_LIST:
        ok = json_object_is_type(v, json_type_array);
        if (!ok) {
            break;
        }
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (!json_object_is_type(json_object_array_get_idx(v, i),
                                     json_type_string)) {
                err_setf(errp, "Invalid parameter type for '%s[%zu]', "
                         "expected: string", a->name, i);
                return -1;
            }
        }
        break;
    case QMP_ARG_OBJ:
        ok = json_object_is_type(v, json_type_object);
        break;
    }
    if (!ok) {
        err_setf(errp, "Invalid parameter type for '%s', expected: %s",
                 a->name, type_name(a->type));
        return -1;
    }
    return 0;
}

static int check_args(const struct qmp_cmd *cmd, json_object *args,
                      struct err **errp)
{
    const struct qmp_arg *a;

    /* Members in schema order first, then leftovers: QEMU's visitor order. */
    for (a = cmd->args; a && a->name; a++) {
        json_object *v;
        if (!strcmp(a->name, "*")) {
            continue;   /* the command takes any further members */
        }
        if (!json_object_object_get_ex(args, a->name, &v)) {
            if (!a->optional) {
                err_setf(errp, "Parameter '%s' is missing", a->name);
                return -1;
            }
            continue;
        }
        if (check_arg(a, v, errp) < 0) {
            return -1;
        }
    }
    json_object_object_foreach(args, key, val) {
        (void)val;
        for (a = cmd->args; a && a->name; a++) {
            if (!strcmp(a->name, key) || !strcmp(a->name, "*")) {
                break;
            }
        }
        if (!a || !a->name) {
            err_setf(errp, "Parameter '%s' is unexpected", key);
            return -1;
        }
    }
    return 0;
}

const struct qmp_cmd *qmp_cmd_find(const char *name)
{
    for (size_t i = 0; i < qmp_cmds_count; i++) {
        if (!strcmp(qmp_cmds[i].name, name)) {
            return &qmp_cmds[i];
        }
    }
    return NULL;
}

static json_object *run_cmd(const struct qmp_cmd *cmd, struct qmp_session *s,
                            json_object *args, struct err **errp)
{
    json_object *empty = NULL, *ret = NULL;

    if (!args) {
        args = empty = json_object_new_object();
    }
    if (check_args(cmd, args, errp) == 0 && cmd->fn(s, args, &ret, errp) == 0) {
        if (!ret) {
            ret = json_object_new_object();
        }
    } else {
        json_object_put(ret);
        ret = NULL;
    }
    json_object_put(empty);
    return ret;
}

json_object *qmp_call(const char *name, json_object *args, struct err **errp)
{
    const struct qmp_cmd *cmd = qmp_cmd_find(name);

    if (!cmd) {
        err_set_class(errp, ERR_COMMAND_NOT_FOUND,
                      "The command %s has not been found", name);
        return NULL;
    }
    return run_cmd(cmd, NULL, args, errp);
}

/* ---------------------------------------------------------------------------
 * Requests
 */

/* The shape checks of qmp_dispatch: returns the command name or NULL. */
static const char *check_request(json_object *req, json_object **args,
                                 struct err **errp)
{
    const char *exec = NULL;

    *args = NULL;
    json_object_object_foreach(req, key, val) {
        if (!strcmp(key, "execute")) {
            if (!json_object_is_type(val, json_type_string)) {
                err_setf(errp, "QMP input member 'execute' must be a string");
                return NULL;
            }
            exec = json_object_get_string(val);
        } else if (!strcmp(key, "arguments")) {
            if (!json_object_is_type(val, json_type_object)) {
                err_setf(errp,
                         "QMP input member 'arguments' must be an object");
                return NULL;
            }
            *args = val;
        } else if (strcmp(key, "id")) {
            /* "exec-oob" and "control" land here: OOB is not offered. */
            err_setf(errp, "QMP input member '%s' is unexpected", key);
            return NULL;
        }
    }
    if (!exec) {
        err_setf(errp, "QMP input lacks member 'execute'");
    }
    return exec;
}

static void handle_request(struct qmp_session *s, json_object *req)
{
    json_object *id = NULL, *args, *ret = NULL;
    bool has_id = json_object_object_get_ex(req, "id", &id);
    const struct qmp_cmd *cmd;
    struct err *e = NULL;
    const char *name = check_request(req, &args, &e);

    if (!name) {
        goto out;
    }
    cmd = qmp_cmd_find(name);
    if (!s->negotiated && (!cmd || strcmp(name, "qmp_capabilities"))) {
        /* Before negotiation only qmp_capabilities exists; QEMU rewords
         * the "not found" error to say so. */
        err_set_class(&e, ERR_COMMAND_NOT_FOUND,
                      "Expecting capabilities negotiation with "
                      "'qmp_capabilities'");
        goto out;
    }
    if (!cmd) {
        err_set_class(&e, ERR_COMMAND_NOT_FOUND,
                      "The command %s has not been found", name);
        goto out;
    }
    ret = run_cmd(cmd, s, args, &e);
out:
    reply(s, ret, e, id, has_id);
    err_free(e);
}

static void on_value(void *opaque, json_object *obj, const char *errmsg)
{
    struct qmp_session *s = opaque;

    if (errmsg) {
        struct err e = { .cls = ERR_GENERIC, .msg = (char *)errmsg };
        reply(s, NULL, &e, NULL, false);
    } else if (!json_object_is_type(obj, json_type_object)) {
        struct err e = { .cls = ERR_GENERIC,
                         .msg = (char *)"QMP input must be a JSON object" };
        reply(s, NULL, &e, NULL, false);
    } else {
        handle_request(s, obj);
    }
    json_object_put(obj);
}

/* ---------------------------------------------------------------------------
 * Sessions
 */

struct qmp_session *qmp_session_new(bool pretty, qmp_output_fn *out,
                                    void *opaque)
{
    struct qmp_session *s = xzalloc(sizeof(*s));

    s->pretty = pretty;
    s->out = out;
    s->opaque = opaque;
    json_stream_init(&s->js, on_value, s);
    s->next = sessions;
    sessions = s;
    return s;
}

void qmp_session_free(struct qmp_session *s)
{
    for (struct qmp_session **p = &sessions; *p; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    json_stream_destroy(&s->js);
    free(s);
}

static json_object *greeting(void)
{
    json_object *ver = json_object_new_object();
    json_object *qemu = json_object_new_object();
    json_object *qmp = json_object_new_object(), *g = json_object_new_object();

    json_object_object_add(qemu, "micro",
                           json_object_new_int(HEMU_QEMU_VERSION_MICRO));
    json_object_object_add(qemu, "minor",
                           json_object_new_int(HEMU_QEMU_VERSION_MINOR));
    json_object_object_add(qemu, "major",
                           json_object_new_int(HEMU_QEMU_VERSION_MAJOR));
    json_object_object_add(ver, "qemu", qemu);
    json_object_object_add(ver, "package",
                           json_object_new_string("hemu " HEMU_VERSION));
    json_object_object_add(qmp, "version", ver);
    json_object_object_add(qmp, "capabilities", json_object_new_array());
    json_object_object_add(g, "QMP", qmp);
    return g;
}

void qmp_session_open(struct qmp_session *s)
{
    json_object *g = greeting();

    json_stream_reset(&s->js);
    s->negotiated = false;
    send_obj(s, g);
    json_object_put(g);
}

void qmp_session_close(struct qmp_session *s)
{
    json_stream_reset(&s->js);
    s->negotiated = false;
}

void qmp_session_input(struct qmp_session *s, const uint8_t *buf, size_t len)
{
    json_stream_feed(&s->js, buf, len);
}

bool qmp_session_negotiated(const struct qmp_session *s)
{
    return s->negotiated;
}

int qmp_session_negotiate(struct qmp_session *s, json_object *enable,
                          struct err **errp)
{
    if (!s || s->negotiated) {
        err_set_class(errp, ERR_COMMAND_NOT_FOUND,
                      "Capabilities negotiation is already complete, "
                      "command ignored");
        return -1;
    }
    for (size_t i = 0; enable && i < json_object_array_length(enable); i++) {
        const char *cap = json_object_get_string(
            json_object_array_get_idx(enable, i));
        if (!strcmp(cap, "oob")) {
            err_setf(errp, "Capability '%s' not available", cap);
        } else {
            err_setf(errp, "Parameter 'enable[%zu]' does not accept value '%s'",
                     i, cap);
        }
        return -1;
    }
    s->negotiated = true;
    return 0;
}
