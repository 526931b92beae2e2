/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char-compat.c - the legacy device syntax of -serial, -monitor, -qmp and
 * -parallel ("stdio", "tcp::4444,server=on", "unix:PATH,server",
 * "udp:host:port@:lport", "mon:SPEC", "chardev:ID", ...), turned into the
 * same option list -chardev gives.
 * Reference: qemu-6.2 manual, "-serial dev".
 */
#include "emu/osdep.h"

#include "emu/chardev/chardev-int.h"
#include "emu/cli/keyval.h"     /* kvlist, kv_set, kvlist_parse */
#include "emu/util/cutils.h"    /* str_start, xstrndup */
#include "emu/util/err.h"       /* err_setf */

/* Split "HOST:PORT" (HOST may be empty or "[v6]") ending at one of stops.
 * Returns a pointer past PORT, or NULL if there is no port. */
static const char *split_host_port(const char *p, const char *stops,
                                   char **host, char **port)
{
    const char *colon;
    if (*p == '[') {
        const char *close = strchr(p, ']');
        if (!close || close[1] != ':') {
            return NULL;
        }
        *host = xstrndup(p + 1, close - p - 1);
        colon = close + 1;
    } else {
        colon = strchr(p, ':');
        if (!colon) {
            return NULL;
        }
        *host = xstrndup(p, colon - p);
    }
    const char *end = colon + 1 + strcspn(colon + 1, stops);
    *port = xstrndup(colon + 1, end - colon - 1);
    if (!**port) {
        free(*host);
        free(*port);
        return NULL;
    }
    return end;
}

static int parse_inet(struct kvlist *l, const char *p, const char *spec,
                      struct err **errp)
{
    char *host, *port;
    const char *rest = split_host_port(p, ",", &host, &port);
    if (!rest) {
        err_setf(errp, "'%s' is not a valid char driver", spec);
        return -1;
    }
    kv_set(l, "host", host);
    kv_set(l, "port", port);
    free(host);
    free(port);
    return *rest ? kvlist_parse(l, rest + 1, NULL, errp) : 0;
}

static int parse_udp(struct kvlist *l, const char *p, const char *spec,
                     struct err **errp)
{
    char *host, *port;
    const char *rest = split_host_port(p, "@", &host, &port);
    if (!rest) {
        err_setf(errp, "'%s' is not a valid char driver", spec);
        return -1;
    }
    kv_set(l, "host", host);
    kv_set(l, "port", port);
    free(host);
    free(port);
    if (*rest == '@') {
        if (!split_host_port(rest + 1, "", &host, &port)) {
            err_setf(errp, "'%s' is not a valid char driver", spec);
            return -1;
        }
        kv_set(l, "localaddr", host);
        kv_set(l, "localport", port);
        free(host);
        free(port);
    }
    return 0;
}

static int parse_legacy(struct kvlist *l, const char *spec, struct err **errp)
{
    static const char *const plain[] = {
        "null", "pty", "stdio", "vc", "msmouse", "braille", "testdev",
        "wctablet",
    };
    const char *p;

    for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
        if (!strcmp(spec, plain[i])) {
            kv_set(l, "backend", spec);
            return 0;
        }
    }
    if (str_start(spec, "vc:", &p)) {
        kv_set(l, "backend", "vc");
        return 0;
    }
    if (str_start(spec, "file:", &p) || str_start(spec, "pipe:", &p)) {
        kv_set(l, "backend", spec[1] == 'i' ? "file" : "pipe");
        kv_set(l, "path", p);
        return 0;
    }
    if (str_start(spec, "tcp:", &p)) {
        kv_set(l, "backend", "socket");
        return parse_inet(l, p, spec, errp);
    }
    if (str_start(spec, "telnet:", &p)) {
        kv_set(l, "backend", "socket");
        kv_set(l, "telnet", "on");
        return parse_inet(l, p, spec, errp);
    }
    if (str_start(spec, "websocket:", &p) || str_start(spec, "tn3270:", &p)) {
        err_setf(errp, "%.*s: not supported", (int)(p - spec - 1), spec);
        return -1;
    }
    if (str_start(spec, "unix:", &p)) {
        kv_set(l, "backend", "socket");
        return kvlist_parse(l, p, "path", errp);
    }
    if (str_start(spec, "udp:", &p)) {
        kv_set(l, "backend", "udp");
        return parse_udp(l, p, spec, errp);
    }
    if (str_start(spec, "/dev/parport", &p) ||
        str_start(spec, "/dev/ppi", &p)) {
        kv_set(l, "backend", "parallel");
        return 0;
    }
    if (str_start(spec, "/dev/", &p)) {
        kv_set(l, "backend", "serial");
        return 0;
    }
    err_setf(errp, "'%s' is not a valid char driver", spec);
    return -1;
}

struct chardev *chr_new_compat(const char *id, const char *spec,
                               bool *is_mon, struct err **errp)
{
    const char *p;
    bool mon = false;

    if (is_mon) {
        *is_mon = false;
    }
    if (str_start(spec, "chardev:", &p)) {
        struct chardev *chr = chr_find(p);
        if (!chr) {
            err_setf(errp, "Chardev '%s' not found", p);
        }
        return chr;
    }
    struct kvlist *l = kvlist_new();
    if (str_start(spec, "mon:", &p)) {
        /* The monitor shares the device through a mux. */
        mon = true;
        spec = p;
        kv_set(l, "mux", "on");
    }
    struct chardev *chr = NULL;
    if (parse_legacy(l, spec, errp) == 0) {
        kv_set(l, "id", id);
        chr = chr_new(l, errp);
    }
    kvlist_free(l);
    if (chr && is_mon) {
        *is_mon = mon;
    }
    return chr;
}
