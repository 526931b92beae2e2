/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * url-split.c - the URLs of the NBD and GlusterFS protocols (qemu-6.2
 * manual "Device URL Syntax": nbd[+tcp|+unix]://, gluster[+tcp|+unix]://)
 * split by libcurl's URL API (RFC 3986).  Both forms allow an empty
 * authority and a "+unix" transport whose only query is socket=PATH, and
 * neither takes user names or fragments; what the parts mean is the
 * caller's.
 */
#include "emu/osdep.h"

#include <curl/curl.h>

#include "block-protocols/netblk.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

char *netblk_unescape(const char *s)
{
    int n = 0;
    char *u = curl_easy_unescape(NULL, s, 0, &n);
    if (!u) {
        return NULL;
    }
    char *r = (size_t)n == strlen(u) ? xstrdup(u) : NULL; /* no %00 */
    curl_free(u);
    return r;
}

/* curl_url_get's string, or NULL, as our own allocation. */
static char *part(CURLU *u, CURLUPart what)
{
    char *s = NULL;
    if (curl_url_get(u, what, &s, 0) != CURLUE_OK || !s) {
        return NULL;
    }
    char *r = xstrdup(s);
    curl_free(s);
    return r;
}

int netblk_url_split(const char *what, const char *fn, const char *rest,
                     struct netblk_url *nu, struct err **errp)
{
    memset(nu, 0, sizeof(*nu));
    /* libcurl wants an authority for a scheme it does not know; give it
     * one and remember it was empty. */
    nu->no_host = !*rest || *rest == '/' || *rest == '?';
    char *url = xasprintf("http://%s%s", nu->no_host ? "localhost" : "",
                          rest);
    CURLU *u = curl_url();
    int r = -1;
    if (!u || curl_url_set(u, CURLUPART_URL, url, CURLU_PATH_AS_IS)
        != CURLUE_OK) {
        err_setf(errp, "%s URL '%s' is not valid", what, fn);
        goto out;
    }
    char *user = part(u, CURLUPART_USER), *frag = part(u, CURLUPART_FRAGMENT);
    bool refused = user || frag;
    free(user);
    free(frag);
    if (refused) {
        err_setf(errp, "%s URL '%s': user names and fragments are not "
                 "allowed", what, fn);
        goto out;
    }
    nu->port = part(u, CURLUPART_PORT);
    nu->path = part(u, CURLUPART_PATH);
    nu->query = part(u, CURLUPART_QUERY);
    char *host = nu->no_host ? NULL : part(u, CURLUPART_HOST);
    if (host) {
        size_t hl = strlen(host);
        nu->host = host[0] == '[' && hl > 2 && host[hl - 1] == ']'
                   ? xstrndup(host + 1, hl - 2)     /* IPv6 literal */
                   : netblk_unescape(host);
        free(host);
        if (!nu->host || !*nu->host) {
            err_setf(errp, "%s URL '%s': bad host", what, fn);
            goto out;
        }
    }
    r = 0;
out:
    if (r < 0) {
        netblk_url_free(nu);
    }
    curl_url_cleanup(u);
    free(url);
    return r;
}

char *netblk_url_socket(const char *what, const char *fn, const char *scheme,
                        const struct netblk_url *nu, struct err **errp)
{
    if (!nu->no_host || nu->port) {
        err_setf(errp, "%s URL '%s': %s takes no host or port", what, fn,
                 scheme);
        return NULL;
    }
    const char *q = nu->query;
    if (!q || strncmp(q, "socket=", 7) || strchr(q, '&')) {
        err_setf(errp, "%s URL '%s': %s needs exactly one query parameter, "
                 "socket=PATH", what, fn, scheme);
        return NULL;
    }
    char *s = netblk_unescape(q + 7);
    if (!s || !*s) {
        free(s);
        err_setf(errp, "%s URL '%s': bad socket path", what, fn);
        return NULL;
    }
    return s;
}

void netblk_url_free(struct netblk_url *nu)
{
    free(nu->host);
    free(nu->port);
    free(nu->path);
    free(nu->query);
    memset(nu, 0, sizeof(*nu));
}
