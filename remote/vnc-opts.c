/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vnc-opts.c - -vnc and -k as the QEMU 6.2 manual describes them: the
 * display (":N", "host:N", "unix:PATH", "none") then options.  Options
 * hemu does not implement fail with "not supported".
 */
#include "emu/osdep.h"

#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "remote/keymap.h"
#include "remote/vnc-int.h"
#include "remote/vnc.h"

bool vnc_parse_number(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 65535) {
        return false;
    }
    *out = v;
    return true;
}

static int parse_display(const char *d, struct vnc_config *c, struct err **errp)
{
    if (!strcmp(d, "none")) {
        c->none = true;
        return 0;
    }
    if (!strncmp(d, "unix:", 5)) {
        if (!d[5]) {
            err_setf(errp, "VNC unix socket path is empty");
            return -1;
        }
        c->unix_path = xstrdup(d + 5);
        return 0;
    }
    const char *colon = strrchr(d, ':');
    if (!colon) {
        err_setf(errp, "Failed to start VNC server: address '%s' has no "
                 "display number (host:N)", d);
        return -1;
    }
    int n;
    if (!vnc_parse_number(colon + 1, &n)) {
        err_setf(errp, "can't convert to a number: %s", colon + 1);
        return -1;
    }
    size_t hl = colon - d;
    if (hl >= 2 && d[0] == '[' && d[hl - 1] == ']') {
        c->host = xstrndup(d + 1, hl - 2);
    } else {
        c->host = xstrndup(d, hl);
    }
    c->display = c->display_to = n;
    return 0;
}

int opt_vnc(const char *arg, struct err **errp)
{
    struct kvlist *kv = kvlist_new();
    struct vnc_config c = { .key_delay_ms = 10 };
    int ret = -1;
    if (kvlist_parse(kv, arg, "vnc", errp) < 0) {
        goto out;
    }
    const char *d = kv_str(kv, "vnc", NULL);
    if (!d) {
        err_setf(errp, "Parameter 'vnc' is missing");
        goto out;
    }
    if (parse_display(d, &c, errp) < 0) {
        goto out;
    }
    c.reverse = kv_bool(kv, "reverse", false, errp);
    c.password = kv_bool(kv, "password", false, errp);
    c.lossy = kv_bool(kv, "lossy", false, errp);
    c.non_adaptive = kv_bool(kv, "non-adaptive", false, errp);
    c.power_control = kv_bool(kv, "power-control", false, errp);
    if (errp && *errp) {
        goto out;
    }
    const char *v;
    if ((v = kv_str(kv, "to", NULL))) {
        int to;
        if (!vnc_parse_number(v, &to) || to < c.display) {
            err_setf(errp, "Parameter 'to' expects a display number >= %d",
                     c.display);
            goto out;
        }
        c.display_to = to;
    }
    if ((v = kv_str(kv, "password-secret", NULL))) {
        c.password = true;
        c.password_secret = xstrdup(v);
    }
    if ((v = kv_str(kv, "websocket", NULL))) {
        const char *p = strrchr(v, ':');
        int port;
        if (!strcmp(v, "on")) {
            c.websocket_port = 5700 + c.display;
        } else if (!strcmp(v, "off")) {
            c.websocket_port = 0;
        } else if (vnc_parse_number(p ? p + 1 : v, &port) && port > 0) {
            c.websocket_port = port;
            if (p) {
                c.websocket_host = xstrndup(v, p - v);
            }
        } else {
            err_setf(errp, "Parameter 'websocket' expects on, off or a port");
            goto out;
        }
        if (c.unix_path || c.reverse || c.none) {
            err_setf(errp, "websocket: needs a TCP display");
            goto out;
        }
        if (!c.websocket_host && c.host) {
            c.websocket_host = xstrdup(c.host);
        }
    }
    if ((v = kv_str(kv, "share", NULL))) {
        if (!strcmp(v, "allow-exclusive")) {
            c.share = VNC_SHARE_ALLOW_EXCLUSIVE;
        } else if (!strcmp(v, "force-shared")) {
            c.share = VNC_SHARE_FORCE_SHARED;
        } else if (!strcmp(v, "ignore")) {
            c.share = VNC_SHARE_IGNORE;
        } else {
            err_setf(errp, "unknown vnc share= option");
            goto out;
        }
    }
    if ((v = kv_str(kv, "connections", NULL))) {
        int n;
        if (!vnc_parse_number(v, &n)) {
            err_setf(errp, "Parameter 'connections' expects a number");
            goto out;
        }
        c.connections = n;
    }
    if ((v = kv_str(kv, "key-delay-ms", NULL))) {
        int ms;
        if (!vnc_parse_number(v, &ms)) {
            err_setf(errp, "Parameter 'key-delay-ms' expects a number");
            goto out;
        }
        c.key_delay_ms = ms;
    }
    if ((v = kv_str(kv, "id", NULL))) {
        c.id = xstrdup(v);
    }
    if ((v = kv_str(kv, "tls-creds", NULL))) {
        c.tls_creds = xstrdup(v);
    }
    if (c.reverse) {
        if (c.unix_path || c.none) {
            err_setf(errp, "reverse=on needs host:port");
            goto out;
        }
        c.port = c.display;
    }
    /* The pre-4.0 TLS options are gone from QEMU 6.2 too; say what
     * replaces them rather than "invalid parameter". */
    static const char *const old_tls[] = { "tls", "x509", "x509verify", NULL };
    for (int i = 0; old_tls[i]; i++) {
        if (kv_has(kv, old_tls[i])) {
            err_setf(errp, "%s: not supported (removed in QEMU; use -object "
                     "tls-creds-x509,id=ID,... with tls-creds=ID)", old_tls[i]);
            goto out;
        }
    }
    static const char *const unsupported[] = {
        "tls-authz", "sasl", "sasl-authz", "acl",
        "audiodev", "display", "head", NULL,
    };
    /* tls-authz would need QEMU's authz-* objects (x509 name lists),
     * which hemu does not have: refusing beats letting every certificate
     * from the CA in. */
    for (int i = 0; unsupported[i]; i++) {
        if (kv_has(kv, unsupported[i])) {
            err_setf(errp, "%s: not supported%s", unsupported[i],
                     !strcmp(unsupported[i], "tls-authz")
                         ? " (no authz objects in hemu; verify-peer=on on "
                           "the tls-creds-x509 object checks the client's "
                           "certificate against its CA)" : "");
            goto out;
        }
    }
    if (kv_check_used(kv, errp) < 0) {
        goto out;
    }
    /* The last -vnc wins, as in QEMU. */
    vnc_cfg = c;
    memset(&c, 0, sizeof(c));
    vnc_mark_configured();
    ret = 0;
out:
    free(c.host);
    free(c.unix_path);
    free(c.password_secret);
    free(c.websocket_host);
    free(c.id);
    free(c.tls_creds);
    kvlist_free(kv);
    return ret;
}

int opt_k(const char *arg, struct err **errp)
{
    if (!strcmp(arg, "help")) {
        for (int i = 0; keymap_names[i]; i++) {
            printf("%s\n", keymap_names[i]);
        }
        return 1;
    }
    return keymap_select(arg, errp);
}
