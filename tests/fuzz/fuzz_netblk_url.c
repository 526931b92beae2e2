/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_netblk_url.c - libFuzzer target for the option and URL parsing of
 * the network protocols (block-protocols/iscsi.c, iscsi-opts.c, curl.c):
 * iscsi:// URLs through libiscsi's parser, -iscsi option strings and their
 * resolution, and the curl driver's keys (url=, readahead=, timeout=...)
 * through libcurl's URL API, and gluster:// URLs (gluster.c).  Nothing connects anywhere.  Invariants: the
 * parsers fail cleanly or give consistent results, and the curl driver's
 * message form of a URL never carries a password.
 */
#include "emu/osdep.h"

#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#ifdef CONFIG_CURL
#include <curl/curl.h>
#endif

static void fuzz_iscsi(const char *s)
{
#ifdef CONFIG_ISCSI
    struct iscsi_addr a;
    struct err *e = NULL;
    if (iscsi_addr_parse(s, &a, &e) == 0) {
        if (!a.portal || !a.target || a.lun < 0) {
            abort();
        }
        iscsi_addr_free(&a);
    }
    err_free(e);
#endif
}

static void fuzz_iscsi_opts(const char *s)
{
    struct err *e = NULL;
    if (opt_iscsi(s, &e) == 0) {
        struct iscsi_params p;
        struct err *e2 = NULL;
        if (iscsi_params_get("iqn.x:y", NULL, &p, &e2) == 0) {
            if (!p.initiator_name || p.header_digest < 0 ||
                p.header_digest > NB_DIGEST_CRC32C ||
                (p.user && !p.password)) {
                abort();
            }
            iscsi_params_free(&p);
        }
        err_free(e2);
    }
    err_free(e);
    iscsi_opts_reset();
}

static void fuzz_curl(const char *driver, const char *s)
{
#ifdef CONFIG_CURL
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    if (kvlist_parse(kv, s, "url", &e) == 0) {
        struct curl_opts o;
        struct err *e2 = NULL;
        if (curl_opts_parse(driver, kv, &o, &e2) == 0) {
            if (o.readahead % 512 || !o.readahead || o.timeout < 0) {
                abort();
            }
            CURLU *u = curl_url();
            char *pw = NULL;
            if (u && curl_url_set(u, CURLUPART_URL, o.url_safe, 0) ==
                CURLUE_OK && curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) ==
                CURLUE_OK && pw) {
                abort();    /* a password in the printable URL */
            }
            curl_free(pw);
            curl_url_cleanup(u);
            curl_opts_free(&o);
        }
        err_free(e2);
    }
    err_free(e);
    kvlist_free(kv);
#endif
}

static void fuzz_gluster(const char *s)
{
#if defined(CONFIG_GLUSTERFS) && defined(CONFIG_CURL)
    struct kvlist *kv = kvlist_new();
    struct err *e = NULL;
    if (gluster_parse_url(kv, s, &e) == 0) {
        const char *v = kv_get(kv, "volume"), *p = kv_get(kv, "path"),
                   *t = kv_get(kv, "server.0.type");
        if (!v || !*v || strchr(v, '/') || !p || p[0] != '/' || !t ||
            (!strcmp(t, "unix") && !kv_get(kv, "server.0.socket"))) {
            abort();
        }
    }
    err_free(e);
    kvlist_free(kv);
#else
    (void)s;
#endif
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) {
        return 0;
    }
    char *s = xstrndup((const char *)data + 1, size - 1);
    static const char *const drivers[] = { "http", "https", "ftp", "ftps" };
    switch (data[0] % 7) {
    case 6:
        fuzz_gluster(s);
        break;
    case 0:
        fuzz_iscsi(s);
        break;
    case 1:
        fuzz_iscsi_opts(s);
        break;
    default:
        fuzz_curl(drivers[data[0] % 4], s);
        break;
    }
    free(s);
    return 0;
}
