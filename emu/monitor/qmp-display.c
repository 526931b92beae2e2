/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qmp-display.c - monitor commands of the display and the VNC server.
 * Shapes and messages: qemu-6.2 QMP reference (screendump, query-vnc,
 * query-vnc-servers, set_password, expire_password, change-vnc-password)
 * and the HMP commands of the QEMU 6.2 manual.
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "display/screendump.h"
#include "emu/monitor/qmp-display.h"
#include "emu/util/err.h"
#include "remote/spice.h"
#include "remote/vnc.h"

static const char *str_arg(json_object *args, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(args, key, &v) ? json_object_get_string(v)
                                                    : NULL;
}

const struct qmp_arg qmp_screendump_args[] = {
    { "filename", QMP_ARG_STR, false },
    { "device", QMP_ARG_STR, true },
    { "head", QMP_ARG_INT, true },
    { "format", QMP_ARG_STR, true },
    { NULL },
};

int qmp_screendump(struct qmp_session *s, json_object *args, json_object **ret,
                   struct err **errp)
{
    json_object *head;
    bool has_head = json_object_object_get_ex(args, "head", &head);
    struct err *err = NULL;
    struct console *con = screendump_console(
        str_arg(args, "device"), has_head,
        has_head ? json_object_get_int64(head) : 0, &err);
    if (err) {
        err_propagate(errp, err);
        return -1;
    }
    return screendump(con, str_arg(args, "filename"), str_arg(args, "format"),
                      errp);
}

int qmp_query_vnc(struct qmp_session *s, json_object *args, json_object **ret,
                  struct err **errp)
{
    *ret = vnc_query();
    return 0;
}

int qmp_query_vnc_servers(struct qmp_session *s, json_object *args,
                          json_object **ret, struct err **errp)
{
    *ret = vnc_query_servers();
    return 0;
}

/* SPICE (remote/spice.c does the work). */
int qmp_query_spice(struct qmp_session *s, json_object *args,
                    json_object **ret, struct err **errp)
{
    *ret = spice_query();
    return 0;
}

static int qmp_set_password_spice(json_object *args, struct err **errp)
{
    return spice_set_password(str_arg(args, "password"),
                              str_arg(args, "connected"), errp);
}

const struct qmp_arg qmp_set_password_args[] = {
    { "protocol", QMP_ARG_STR, false },
    { "password", QMP_ARG_STR, false },
    { "connected", QMP_ARG_STR, true },
    { "display", QMP_ARG_STR, true },
    { NULL },
};

int qmp_set_password(struct qmp_session *s, json_object *args,
                     json_object **ret, struct err **errp)
{
    const char *proto = str_arg(args, "protocol");
    const char *conn = str_arg(args, "connected");
    if (!strcmp(proto, "spice")) {
        return qmp_set_password_spice(args, errp);
    }
    if (strcmp(proto, "vnc")) {
        err_setf(errp, "Parameter 'protocol' does not accept value '%s'", proto);
        return -1;
    }
    if (conn && strcmp(conn, "keep")) {
        /* QEMU: VNC only supports connected=keep. */
        err_setf(errp, "VNC supports only 'keep' for 'connected'");
        return -1;
    }
    if (vnc_set_password(str_arg(args, "password")) < 0) {
        err_setf(errp, "Could not set password");
        return -1;
    }
    return 0;
}

const struct qmp_arg qmp_expire_password_args[] = {
    { "protocol", QMP_ARG_STR, false },
    { "time", QMP_ARG_STR, false },
    { "display", QMP_ARG_STR, true },
    { NULL },
};

int qmp_expire_password(struct qmp_session *s, json_object *args,
                        json_object **ret, struct err **errp)
{
    const char *proto = str_arg(args, "protocol");
    if (!strcmp(proto, "spice")) {
        return spice_expire_password(str_arg(args, "time"), errp);
    }
    if (strcmp(proto, "vnc")) {
        err_setf(errp, "Parameter 'protocol' does not accept value '%s'", proto);
        return -1;
    }
    if (vnc_expire_password(str_arg(args, "time")) < 0) {
        err_setf(errp, "Could not set password expire time.");
        return -1;
    }
    return 0;
}

const struct qmp_arg qmp_change_vnc_password_args[] = {
    { "password", QMP_ARG_STR, false },
    { NULL },
};

int qmp_change_vnc_password(struct qmp_session *s, json_object *args,
                            json_object **ret, struct err **errp)
{
    if (vnc_set_password(str_arg(args, "password")) < 0) {
        err_setf(errp, "Could not set password");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * HMP
 */

static void hmp_call(struct hmp *h, const char *cmd, json_object *args)
{
    struct err *e = NULL;
    json_object *r = qmp_call(cmd, args, &e);
    if (!r && e) {
        hmp_printf(h, "Error: %s\n", e->msg);
        err_free(e);
    }
    json_object_put(r);
    json_object_put(args);
}

/* Split arg into at most n whitespace-separated words (in place). */
static int split(char *s, char **w, int n)
{
    int k = 0;
    while (s && *s && k < n) {
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (!*s) {
            break;
        }
        w[k++] = s;
        while (*s && *s != ' ' && *s != '\t') {
            s++;
        }
        if (*s) {
            *s++ = '\0';
        }
    }
    return k;
}

void hmp_screendump(struct hmp *h, const char *arg)
{
    char *buf = arg ? strdup(arg) : NULL, *w[6] = { 0 };
    int n = split(buf, w, 6);
    const char *file = NULL, *fmt = NULL, *dev = NULL, *head = NULL;
    for (int i = 0; i < n; i++) {
        if (!strcmp(w[i], "-f") && i + 1 < n) {
            fmt = w[++i];
        } else if (!file) {
            file = w[i];
        } else if (!dev) {
            dev = w[i];
        } else if (!head) {
            head = w[i];
        }
    }
    if (!file) {
        hmp_printf(h, "screendump: filename expected\n");
        free(buf);
        return;
    }
    json_object *a = json_object_new_object();
    json_object_object_add(a, "filename", json_object_new_string(file));
    if (fmt) {
        json_object_object_add(a, "format", json_object_new_string(fmt));
    }
    if (dev) {
        json_object_object_add(a, "device", json_object_new_string(dev));
    }
    if (head) {
        char *end;
        errno = 0;
        long long v = strtoll(head, &end, 0);
        if (errno || end == head || *end) {
            hmp_printf(h, "screendump: invalid head '%s'\n", head);
            json_object_put(a);
            free(buf);
            return;
        }
        json_object_object_add(a, "head", json_object_new_int64(v));
    }
    hmp_call(h, "screendump", a);
    free(buf);
}

void hmp_info_vnc(struct hmp *h, const char *arg)
{
    json_object *r = vnc_query(), *v;
    if (!json_object_object_get_ex(r, "enabled", &v) ||
        !json_object_get_boolean(v)) {
        hmp_printf(h, "Server: disabled\n");
        json_object_put(r);
        return;
    }
    const char *host = json_object_get_string(json_object_object_get(r, "host"));
    const char *svc = json_object_get_string(json_object_object_get(r, "service"));
    const char *auth = json_object_get_string(json_object_object_get(r, "auth"));
    hmp_printf(h, "Server:\n     address: %s:%s\n        auth: %s\n", host, svc,
               auth);
    json_object *cl = json_object_object_get(r, "clients");
    size_t n = cl ? json_object_array_length(cl) : 0;
    if (!n) {
        hmp_printf(h, "Client: none\n");
    }
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(cl, i);
        hmp_printf(h, "Client:\n     address: %s:%s\n",
                   json_object_get_string(json_object_object_get(c, "host")),
                   json_object_get_string(json_object_object_get(c, "service")));
    }
    json_object_put(r);
}

/* change vnc password PASSWORD (other "change" forms belong to block
 * devices). */
void hmp_change_vnc(struct hmp *h, const char *arg)
{
    char *buf = arg ? strdup(arg) : NULL, *w[3] = { 0 };
    int n = split(buf, w, 3);
    if (n >= 2 && !strcmp(w[0], "vnc") && !strcmp(w[1], "password")) {
        if (n < 3) {
            hmp_printf(h, "Error: change vnc password needs the password\n");
        } else {
            json_object *a = json_object_new_object();
            json_object_object_add(a, "password", json_object_new_string(w[2]));
            hmp_call(h, "change-vnc-password", a);
        }
    } else if (n >= 1 && !strcmp(w[0], "vnc")) {
        hmp_printf(h, "Error: change vnc DISPLAY: not supported\n");
    } else {
        hmp_printf(h, "Error: change %s: not supported\n", n ? w[0] : "");
    }
    free(buf);
}

void hmp_set_password(struct hmp *h, const char *arg)
{
    char *buf = arg ? strdup(arg) : NULL, *w[3] = { 0 };
    int n = split(buf, w, 3);
    if (n < 2) {
        hmp_printf(h, "Error: set_password protocol password [action]\n");
    } else {
        json_object *a = json_object_new_object();
        json_object_object_add(a, "protocol", json_object_new_string(w[0]));
        json_object_object_add(a, "password", json_object_new_string(w[1]));
        if (n > 2) {
            json_object_object_add(a, "connected", json_object_new_string(w[2]));
        }
        hmp_call(h, "set_password", a);
    }
    free(buf);
}

void hmp_expire_password(struct hmp *h, const char *arg)
{
    char *buf = arg ? strdup(arg) : NULL, *w[2] = { 0 };
    int n = split(buf, w, 2);
    if (n < 2) {
        hmp_printf(h, "Error: expire_password protocol time\n");
    } else {
        json_object *a = json_object_new_object();
        json_object_object_add(a, "protocol", json_object_new_string(w[0]));
        json_object_object_add(a, "time", json_object_new_string(w[1]));
        hmp_call(h, "expire_password", a);
    }
    free(buf);
}

void hmp_info_spice(struct hmp *h, const char *arg)
{
    json_object *r = spice_query(), *v;
    if (!json_object_object_get_ex(r, "enabled", &v) ||
        !json_object_get_boolean(v)) {
        hmp_printf(h, "Server: disabled\n");
        json_object_put(r);
        return;
    }
    hmp_printf(h, "Server:\n");
    const char *keys[] = { "port", "tls-port" };
    for (int i = 0; i < 2; i++) {
        if (json_object_object_get_ex(r, keys[i], &v)) {
            hmp_printf(h, "     address: %s:%d%s\n",
                       json_object_get_string(json_object_object_get(r, "host")),
                       json_object_get_int(v), i ? " [tls]" : "");
        }
    }
    hmp_printf(h, "    migrated: false\n        auth: %s\n    compiled: %s\n"
               "  mouse-mode: %s\n",
               json_object_get_string(json_object_object_get(r, "auth")),
               json_object_get_string(json_object_object_get(r, "compiled-version")),
               json_object_get_string(json_object_object_get(r, "mouse-mode")));
    json_object *ch = json_object_object_get(r, "channels");
    size_t n = ch ? json_object_array_length(ch) : 0;
    if (!n) {
        hmp_printf(h, "Channels: none\n");
    }
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(ch, i);
        hmp_printf(h, "Channel:\n     address: %s:%s%s\n     session: %d\n"
                   "     channel: %d:%d\n",
                   json_object_get_string(json_object_object_get(c, "host")),
                   json_object_get_string(json_object_object_get(c, "port")),
                   json_object_get_boolean(json_object_object_get(c, "tls"))
                       ? " [tls]" : "",
                   json_object_get_int(json_object_object_get(c, "connection-id")),
                   json_object_get_int(json_object_object_get(c, "channel-type")),
                   json_object_get_int(json_object_object_get(c, "channel-id")));
    }
    json_object_put(r);
}
