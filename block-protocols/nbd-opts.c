/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd-opts.c - where an NBD export is, from the forms the qemu-6.2 manual
 * ("Notes", NBD) and its -blockdev driver=nbd accept:
 *   nbd[+tcp]://host[:port]/[export]     nbd+unix:///[export]?socket=PATH
 *   nbd:host:port[:exportname=X]         nbd:unix:PATH[:exportname=X]
 *   server.type=inet|unix, server.host/port/path, export=, and the older
 *   host=/port=/path= keys; reconnect-delay=, tls-creds=, tls-hostname=.
 * URLs are split by libcurl's URL API.
 */
#include "emu/osdep.h"

#ifdef CONFIG_CURL
#include <curl/curl.h>
#endif

#include "block-protocols/nbd.h"
#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

void nbd_addr_free(struct nbd_addr *a)
{
    free(a->host);
    free(a->port);
    free(a->path);
    free(a->export);
    free(a->tls_creds);
    free(a->tls_hostname);
    memset(a, 0, sizeof(*a));
}

static bool valid_port(const char *p)
{
    uint64_t v;
    return *p && parse_uint64(p, 10, &v) == 0 && v >= 1 && v <= 65535;
}

#ifdef CONFIG_CURL
static int parse_url(struct nbd_addr *a, const char *fn, const char *scheme,
                     const char *rest, struct err **errp)
{
    bool is_unix;
    if (!strcmp(scheme, "nbd") || !strcmp(scheme, "nbd+tcp")) {
        is_unix = false;
    } else if (!strcmp(scheme, "nbd+unix")) {
        is_unix = true;
    } else {
        err_setf(errp, "NBD URL '%s': unsupported transport '%s'", fn,
                 scheme);
        return -1;
    }
    struct netblk_url nu;
    if (netblk_url_split("NBD", fn, rest, &nu, errp) < 0) {
        return -1;
    }
    int r = -1;
    a->is_unix = is_unix;
    const char *p = nu.path ? nu.path : "";
    if (*p == '/') {
        p++;
    }
    a->export = netblk_unescape(p);
    if (!a->export) {
        err_setf(errp, "NBD URL '%s': bad export name", fn);
        goto out;
    }
    if (is_unix) {
        a->path = netblk_url_socket("NBD", fn, "nbd+unix", &nu, errp);
        if (!a->path) {
            goto out;
        }
    } else {
        if (!nu.host) {
            err_setf(errp, "NBD URL '%s' needs a host", fn);
            goto out;
        }
        if (nu.query) {
            err_setf(errp, "NBD URL '%s': unexpected query parameters", fn);
            goto out;
        }
        a->host = xstrdup(nu.host);
        a->port = xstrdup(nu.port ? nu.port : "10809");
        if (!valid_port(a->port)) {
            err_setf(errp, "NBD URL '%s': bad host or port", fn);
            goto out;
        }
    }
    r = 0;
out:
    netblk_url_free(&nu);
    return r;
}
#else
static int parse_url(struct nbd_addr *a, const char *fn, const char *scheme,
                     const char *rest, struct err **errp)
{
    err_setf(errp, "NBD URL '%s': hemu was built without libcurl, which "
             "splits URLs; use nbd:HOST:PORT or server.* options", fn);
    return -1;
}
#endif

/* nbd:unix:PATH[:exportname=X], nbd:HOST:PORT[:exportname=X] */
static int parse_legacy(struct nbd_addr *a, const char *fn, const char *rest,
                        struct err **errp)
{
    const char *ex = strstr(rest, ":exportname=");
    char *where = ex ? xstrndup(rest, ex - rest) : xstrdup(rest);
    a->export = xstrdup(ex ? ex + strlen(":exportname=") : "");
    int r = 0;
    if (!strncmp(where, "unix:", 5)) {
        a->is_unix = true;
        a->path = xstrdup(where + 5);
        if (!*a->path) {
            err_setf(errp, "NBD filename '%s': no socket path", fn);
            r = -1;
        }
        free(where);
        return r;
    }
    /* HOST:PORT, HOST may be [IPv6]. */
    char *colon;
    if (where[0] == '[') {
        char *end = strchr(where, ']');
        if (!end || (end[1] && end[1] != ':')) {
            err_setf(errp, "NBD filename '%s': bad IPv6 address", fn);
            free(where);
            return -1;
        }
        a->host = xstrndup(where + 1, end - where - 1);
        colon = end[1] ? end + 1 : NULL;
    } else {
        colon = strrchr(where, ':');
        a->host = colon ? xstrndup(where, colon - where) : xstrdup(where);
    }
    a->port = xstrdup(colon ? colon + 1 : "10809");
    if (!*a->host || !valid_port(a->port)) {
        err_setf(errp, "NBD filename '%s': expected nbd:HOST:PORT or "
                 "nbd:unix:PATH", fn);
        r = -1;
    }
    free(where);
    return r;
}

int nbd_parse_filename(struct nbd_addr *a, const char *fn, struct err **errp)
{
    const char *sep = strstr(fn, "://");
    const char *colon = strchr(fn, ':');
    int r;
    if (sep && colon == sep) {
        char *scheme = xstrndup(fn, sep - fn);
        r = parse_url(a, fn, scheme, sep + 3, errp);
        free(scheme);
    } else if (!strncmp(fn, "nbd:", 4)) {
        r = parse_legacy(a, fn, fn + 4, errp);
    } else {
        err_setf(errp, "'%s' is not an NBD URL (nbd://, nbd+unix://, nbd:)",
                 fn);
        r = -1;
    }
    if (r < 0) {
        nbd_addr_free(a);
    }
    return r;
}

int nbd_parse_opts(struct nbd_addr *a, struct kvlist *kv, struct err **errp)
{
    struct err *e = NULL;
    memset(a, 0, sizeof(*a));
    a->reconnect_delay = kv_uint(kv, "reconnect-delay", 0, &e);
    const char *tls = kv_str(kv, "tls-creds", NULL);
    const char *tls_host = kv_str(kv, "tls-hostname", NULL);
    const char *fn = kv_str(kv, "filename", NULL);
    const char *type = kv_str(kv, "server.type", NULL);
    const char *host = kv_str(kv, "server.host", NULL);
    const char *port = kv_str(kv, "server.port", NULL);
    const char *path = kv_str(kv, "server.path", NULL);
    const char *lhost = kv_str(kv, "host", NULL);
    const char *lport = kv_str(kv, "port", NULL);
    const char *lpath = kv_str(kv, "path", NULL);
    const char *export = kv_str(kv, "export", NULL);
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (a->reconnect_delay > 3600) {
        err_setf(errp, "reconnect-delay must be at most 3600 seconds");
        return -1;
    }
    uint64_t delay = a->reconnect_delay;
    if (kv_has(kv, "x-dirty-bitmap")) {
        err_setf(errp, "nbd: x-dirty-bitmap is not supported");
        return -1;
    }
    if (tls_host && !tls) {
        err_setf(errp, "nbd: tls-hostname needs tls-creds");
        return -1;
    }
    bool keys = type || host || port || path || lhost || lport || lpath;
    if (fn) {
        if (keys || export) {
            err_setf(errp, "nbd: a filename cannot be combined with server, "
                     "host, port, path or export options");
            return -1;
        }
        if (nbd_parse_filename(a, fn, errp) < 0) {
            return -1;
        }
    } else {
        if ((type || host || port || path) && (lhost || lport || lpath)) {
            err_setf(errp, "nbd: use either server.* or host/port/path");
            return -1;
        }
        if (!type) {
            type = lpath ? "unix" : lhost ? "inet" : NULL;
            host = lhost;
            port = lport;
            path = lpath;
        }
        if (!type) {
            err_setf(errp, "nbd: needs a filename or server.type "
                     "(inet or unix)");
            return -1;
        }
        if (!strcmp(type, "inet")) {
            if (!host || !*host || path) {
                err_setf(errp, "nbd: server.type=inet needs server.host "
                         "(and no server.path)");
                return -1;
            }
            a->host = xstrdup(host);
            a->port = xstrdup(port ? port : "10809");
            if (!valid_port(a->port)) {
                err_setf(errp, "nbd: bad server.port '%s'", a->port);
                nbd_addr_free(a);
                return -1;
            }
        } else if (!strcmp(type, "unix")) {
            if (!path || !*path || host || port) {
                err_setf(errp, "nbd: server.type=unix needs server.path "
                         "(and no host or port)");
                return -1;
            }
            a->is_unix = true;
            a->path = xstrdup(path);
        } else {
            err_setf(errp, "nbd: server.type=%s is not supported "
                     "(inet or unix)", type);
            return -1;
        }
        a->export = xstrdup(export ? export : "");
    }
    a->reconnect_delay = delay;
    if (tls) {
        a->tls_creds = xstrdup(tls);
        a->tls_hostname = tls_host ? xstrdup(tls_host) : NULL;
    }
    return 0;
}

char *nbd_addr_to_uri(const struct nbd_addr *a)
{
#ifdef CONFIG_CURL
    char *ex = curl_easy_escape(NULL, a->export, 0);
#else
    char *ex = xstrdup(a->export);
#define curl_free free
#endif
    char *r;
    if (a->is_unix) {
        r = xasprintf("nbd+unix:///%s?socket=%s", ex ? ex : "", a->path);
    } else if (strchr(a->host, ':')) {
        r = xasprintf("nbd://[%s]:%s/%s", a->host, a->port, ex ? ex : "");
    } else {
        r = xasprintf("nbd://%s:%s/%s", a->host, a->port, ex ? ex : "");
    }
    curl_free(ex);
    return r;
}
