/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * curl.c - the read-only "http", "https", "ftp" and "ftps" protocols
 * through libcurl (qemu-6.2 manual "Device URL Syntax", the curl options
 * url=, readahead=, sslverify=, cookie=, timeout=, username=,
 * password-secret=, proxy-username=, proxy-password-secret=).  The image
 * is read with byte range requests (RFC 9110 section 14); its size comes
 * from a HEAD (FTP: SIZE) at open, where an HTTP server that does not
 * announce "Accept-Ranges: bytes" is refused as QEMU refuses it.
 *
 * Node I/O is synchronous in the block worker thread (blk-backend.c), so
 * each node drives one curl easy handle there (keep-alive reuses the
 * connection) rather than a multi handle in the main loop.  A small read
 * fetches its range plus readahead= bytes into a cache that serves the
 * next sequential reads; that transfer runs on its own handle through a
 * multi handle, and the read returns as soon as its own bytes are in
 * while the readahead keeps arriving (finished or dropped at the next
 * read), so a random read waits for its bytes, not for the readahead.
 * Several workers may read one node at once (netblk_concurrent()): the
 * node has a few lanes, each that state with its own connections; a read
 * inside the range a lane streams (or will stream) waits for that lane,
 * any other read takes an idle lane, or a new one, so that scattered
 * reads are on the wire together while a sequential stream stays on one
 * connection.  CURL_CA_BUNDLE, when set, names the CA file that
 * sslverify=on checks against (hemu's way to trust a private CA; QEMU
 * relies on the system store).
 */
#include "emu/osdep.h"

#include <curl/curl.h>
#include <pthread.h>

#include "block-protocols/block.h"
#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "emu/vm/secret.h"

#define READAHEAD_DEFAULT (256 * 1024)
#define TIMEOUT_DEFAULT 5
#define TIMEOUT_MAX 10000
#define MAX_TRIES 3

/* A big read is split over this many connections at once, like the
 * concurrent requests QEMU's driver has in flight. */
#define NPAR 4
#define PAR_MIN (128 * 1024)

/* One lane (see the top). */
struct curl_state {
    CURL *h;
    CURL *par[NPAR];            /* created on the first big read */
    CURLM *multi;
    struct curl_opts o;
    bool is_http;
    uint64_t size;
    uint8_t *cache;             /* readahead buffer */
    uint64_t cache_off;
    size_t cache_len, cache_cap;    /* cache_len: valid bytes so far */
    /* The transfer filling the cache, while ra_busy. */
    CURL *ra_h;
    CURLM *ra_multi;
    bool ra_busy;
    size_t ra_want;
    struct sink *ra_sink;
    uint64_t next_seq;          /* where the last read ended */
    char errbuf[CURL_ERROR_SIZE];
};

#define MAX_LANES 4

struct curl_node {
    struct curl_state *lane[MAX_LANES];
    bool busy[MAX_LANES];
    /* The range a lane's reads stream from, published under mu. */
    uint64_t lo[MAX_LANES], hi[MAX_LANES];
    int nlanes;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* An unfinished readahead with more than this to come is dropped
 * (closing its connection) rather than waited for. */
#define RA_DRAIN_MAX (512 * 1024)
/* A sequential stream of reads up to RA_SEQ_MAX_REQ bytes is fetched as
 * one long range, RA_SEQ_WINDOW past the read, on one connection. */
#define RA_SEQ_MAX_REQ (4u << 20)
#define RA_SEQ_WINDOW (8u << 20)

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
}

static char *secret_or_null(struct kvlist *kv, const char *key, int *bad,
                            struct err **errp)
{
    const char *id = kv_str(kv, key, NULL);
    if (!id || *bad) {
        return NULL;
    }
    char *v = secret_lookup_string(id, errp);
    if (!v) {
        *bad = 1;
    }
    return v;
}

int curl_opts_parse(const char *driver, struct kvlist *kv,
                    struct curl_opts *o, struct err **errp)
{
    struct err *e = NULL;
    memset(o, 0, sizeof(*o));
    const char *url = kv_str(kv, "url", NULL);
    const char *fn = kv_str(kv, "filename", NULL);
    if (!url) {
        url = fn;
    }
    if (!url) {
        err_setf(errp, "curl block driver requires an 'url' option");
        return -1;
    }
    o->readahead = kv_size(kv, "readahead", READAHEAD_DEFAULT, &e);
    o->sslverify = kv_bool(kv, "sslverify", true, &e);
    uint64_t to = kv_uint(kv, "timeout", TIMEOUT_DEFAULT, &e);
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (o->readahead % 512) {
        err_setf(errp, "HTTP_READAHEAD_SIZE %" PRIu64 " is not a multiple "
                 "of 512", o->readahead);
        return -1;
    }
    if (!o->readahead || o->readahead > (64u << 20)) {
        err_setf(errp, "readahead=%" PRIu64 " must be between 512 and 64M",
                 o->readahead);
        return -1;
    }
    if (to > TIMEOUT_MAX) {
        err_setf(errp, "timeout parameter is too large or negative");
        return -1;
    }
    o->timeout = (int)to;

    /* libcurl's URL API checks the URL and gives the scheme; the copy
     * without password is what messages show. */
    CURLU *u = curl_url();
    char *scheme = NULL, *safe = NULL;
    if (!u) {
        err_setf(errp, "CURL: out of memory");
        return -1;
    }
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        err_setf(errp, "CURL: invalid URL: %s", curl_url_strerror(uc));
        curl_url_cleanup(u);
        return -1;
    }
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    curl_url_get(u, CURLUPART_URL, &safe, 0);
    curl_url_cleanup(u);
    if (!scheme || !safe) {
        err_setf(errp, "CURL: invalid URL");
        curl_free(scheme);
        curl_free(safe);
        return -1;
    }
    bool known = false;
    static const char *const protos[] = { "http", "https", "ftp", "ftps" };
    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        known |= !strcasecmp(scheme, protos[i]);
    }
    if (!known || (driver && strcasecmp(scheme, driver))) {
        err_setf(errp, "CURL: the %s driver cannot open a '%s' URL: %s",
                 driver ? driver : "curl", scheme, safe);
        curl_free(scheme);
        curl_free(safe);
        return -1;
    }
    o->scheme = xstrdup(scheme);
    o->url_safe = xstrdup(safe);
    o->url = xstrdup(url);
    curl_free(scheme);
    curl_free(safe);

    const char *c = kv_str(kv, "cookie", NULL);
    o->cookie = c ? xstrdup(c) : NULL;
    int bad = 0;
    char *cs = secret_or_null(kv, "cookie-secret", &bad, errp);
    if (cs) {
        free(o->cookie);
        o->cookie = cs;
    }
    const char *un = kv_str(kv, "username", NULL);
    o->username = un ? xstrdup(un) : NULL;
    o->password = secret_or_null(kv, "password-secret", &bad, errp);
    const char *pun = kv_str(kv, "proxy-username", NULL);
    o->proxy_username = pun ? xstrdup(pun) : NULL;
    o->proxy_password = secret_or_null(kv, "proxy-password-secret", &bad,
                                       errp);
    if (bad) {
        curl_opts_free(o);
        return -1;
    }
    return 0;
}

static void free_secret(char *p)
{
    if (p) {
        explicit_bzero(p, strlen(p));
        free(p);
    }
}

void curl_opts_free(struct curl_opts *o)
{
    free_secret(o->url);        /* may carry user:password */
    free(o->url_safe);
    free(o->scheme);
    free_secret(o->cookie);
    free(o->username);
    free_secret(o->password);
    free(o->proxy_username);
    free_secret(o->proxy_password);
    memset(o, 0, sizeof(*o));
}

/* The body of a range request goes to dst, at most want bytes. */
struct sink {
    uint8_t *dst;
    size_t want, got;
    bool overflow;
};

static size_t write_cb(char *ptr, size_t size, size_t n, void *opaque)
{
    struct sink *k = opaque;
    size_t len = size * n;
    if (len > k->want - k->got) {
        /* A server that ignores Range sends the whole file: stop. */
        k->overflow = true;
        return 0;
    }
    memcpy(k->dst + k->got, ptr, len);
    k->got += len;
    return len;
}

static size_t header_cb(char *ptr, size_t size, size_t n, void *opaque)
{
    bool *ranges = opaque;
    size_t len = size * n;
    static const char key[] = "accept-ranges:";
    if (len > sizeof(key) - 1 && !strncasecmp(ptr, key, sizeof(key) - 1)) {
        const char *v = ptr + sizeof(key) - 1;
        const char *end = ptr + len;
        while (v < end && (*v == ' ' || *v == '\t')) {
            v++;
        }
        if (end - v >= 5 && !strncasecmp(v, "bytes", 5)) {
            *ranges = true;
        }
    }
    return len;
}

static int setup_handle(struct curl_state *s, struct err **errp)
{
    CURL *h = curl_easy_init();
    if (!h) {
        err_setf(errp, "CURL: curl_easy_init failed");
        return -1;
    }
    s->h = h;
    curl_easy_setopt(h, CURLOPT_URL, s->o.url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp,ftps");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  /* worker thread */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)s->o.timeout);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, s->o.sslverify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, s->o.sslverify ? 2L : 0L);
    const char *ca = getenv("CURL_CA_BUNDLE");
    if (ca && *ca) {
        curl_easy_setopt(h, CURLOPT_CAINFO, ca);
    }
    if (s->o.cookie) {
        curl_easy_setopt(h, CURLOPT_COOKIE, s->o.cookie);
    }
    if (s->o.username) {
        curl_easy_setopt(h, CURLOPT_USERNAME, s->o.username);
    }
    if (s->o.password) {
        curl_easy_setopt(h, CURLOPT_PASSWORD, s->o.password);
    }
    if (s->o.proxy_username) {
        curl_easy_setopt(h, CURLOPT_PROXYUSERNAME, s->o.proxy_username);
    }
    if (s->o.proxy_password) {
        curl_easy_setopt(h, CURLOPT_PROXYPASSWORD, s->o.proxy_password);
    }
    /* ftps:// is implicit TLS; explicit AUTH TLS is not asked for. */
    return 0;
}

static bool transient(CURLcode c)
{
    return c == CURLE_OPERATION_TIMEDOUT || c == CURLE_COULDNT_CONNECT ||
           c == CURLE_SEND_ERROR || c == CURLE_RECV_ERROR ||
           c == CURLE_GOT_NOTHING || c == CURLE_PARTIAL_FILE;
}

/* Fetch [off, off + len) into dst. */
static int fetch(struct curl_state *s, uint64_t off, uint8_t *dst, size_t len)
{
    char range[64];
    snprintf(range, sizeof(range), "%" PRIu64 "-%" PRIu64, off,
             off + len - 1);
    for (int tries = 0;; tries++) {
        struct sink k = { .dst = dst, .want = len };
        s->errbuf[0] = 0;
        curl_easy_setopt(s->h, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(s->h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(s->h, CURLOPT_HEADERFUNCTION, NULL);
        curl_easy_setopt(s->h, CURLOPT_HEADERDATA, NULL);
        curl_easy_setopt(s->h, CURLOPT_RANGE, range);
        curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(s->h, CURLOPT_WRITEDATA, &k);
        CURLcode c = curl_easy_perform(s->h);
        long code = 0;
        curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &code);
        if (c == CURLE_OK && k.got == len &&
            (!s->is_http || code == 206 ||
             (code == 200 && off == 0 && len == s->size))) {
            return 0;
        }
        if (k.overflow || (c == CURLE_OK && s->is_http && code == 200)) {
            warn_report("CURL: %s: the server ignored the byte range "
                        "request", s->o.url_safe);
            return -EIO;
        }
        if (!transient(c) || tries + 1 >= MAX_TRIES) {
            warn_report("CURL: %s: read of %zu bytes at %" PRIu64 " failed: "
                        "%s", s->o.url_safe, len, off,
                        s->errbuf[0] ? s->errbuf : curl_easy_strerror(c));
            return -EIO;
        }
    }
}

/* The body checks of fetch() for one finished transfer. */
static bool range_ok(struct curl_state *s, CURL *h, CURLcode c,
                     const struct sink *k, uint64_t off, size_t len)
{
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    return c == CURLE_OK && !k->overflow && k->got == len &&
           (!s->is_http || code == 206 ||
            (code == 200 && off == 0 && len == s->size));
}

/* [off, off + len) as NPAR concurrent range requests on their own
 * connections (curl's multi interface, polled here in the worker); a
 * piece that fails is fetched again alone by fetch(), with its retries
 * and messages. */
static int fetch_parallel(struct curl_state *s, uint64_t off, uint8_t *dst,
                          size_t len)
{
    if (!s->multi) {
        s->multi = curl_multi_init();
        for (int i = 0; s->multi && i < NPAR; i++) {
            s->par[i] = curl_easy_duphandle(s->h);
            if (!s->par[i]) {
                return fetch(s, off, dst, len);
            }
        }
        if (!s->multi) {
            return fetch(s, off, dst, len);
        }
    }
    struct sink k[NPAR];
    char range[NPAR][64];
    uint64_t poff[NPAR];
    size_t plen[NPAR];
    size_t piece = (len + NPAR - 1) / NPAR;
    int n = 0;
    for (size_t done = 0; done < len; n++) {
        poff[n] = off + done;
        plen[n] = MIN(piece, len - done);
        k[n] = (struct sink){ .dst = dst + done, .want = plen[n] };
        snprintf(range[n], sizeof(range[n]), "%" PRIu64 "-%" PRIu64,
                 poff[n], poff[n] + plen[n] - 1);
        CURL *h = s->par[n];
        curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, NULL);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, NULL);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(h, CURLOPT_RANGE, range[n]);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &k[n]);
        curl_multi_add_handle(s->multi, h);
        done += plen[n];
    }
    int running = 1;
    CURLcode res[NPAR];
    for (int i = 0; i < n; i++) {
        res[i] = CURLE_RECV_ERROR;
    }
    while (running) {
        if (curl_multi_perform(s->multi, &running) != CURLM_OK) {
            break;
        }
        if (running) {
            curl_multi_poll(s->multi, NULL, 0, 1000, NULL);
        }
    }
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(s->multi, &left))) {
        for (int i = 0; i < n; i++) {
            if (m->msg == CURLMSG_DONE && m->easy_handle == s->par[i]) {
                res[i] = m->data.result;
            }
        }
    }
    int r = 0;
    for (int i = 0; i < n; i++) {
        curl_multi_remove_handle(s->multi, s->par[i]);
        if (!range_ok(s, s->par[i], res[i], &k[i], poff[i], plen[i])) {
            if (r == 0 && fetch(s, poff[i], dst + (poff[i] - off),
                                plen[i]) < 0) {
                r = -EIO;
            }
        }
    }
    return r;
}

/* Whether the readahead transfer got the range it asked for. */
static bool ra_range_ok(struct curl_state *s)
{
    if (s->ra_sink->overflow) {
        return false;
    }
    if (!s->is_http) {
        return true;
    }
    long code = 0;
    curl_easy_getinfo(s->ra_h, CURLINFO_RESPONSE_CODE, &code);
    return code == 206 ||
           (code == 200 && s->cache_off == 0 && s->ra_want == s->size);
}

/* End the readahead transfer; what arrived stays valid if it was the
 * range asked for. */
static void ra_end(struct curl_state *s)
{
    if (!s->ra_busy) {
        return;
    }
    curl_multi_remove_handle(s->ra_multi, s->ra_h);
    s->ra_busy = false;
    s->cache_len = ra_range_ok(s) ? s->ra_sink->got : 0;
}

/* Run the readahead until need bytes are in or it ends. */
static void ra_drive(struct curl_state *s, size_t need)
{
    while (s->ra_busy && s->ra_sink->got < need) {
        int running = 0;
        if (curl_multi_perform(s->ra_multi, &running) != CURLM_OK) {
            ra_end(s);
            break;
        }
        if (!running) {
            ra_end(s);      /* done, or failed: fetch() retries */
            break;
        }
        if (s->ra_sink->got < need) {
            curl_multi_poll(s->ra_multi, NULL, 0, 1000, NULL);
        }
    }
    if (s->ra_busy) {
        s->cache_len = ra_range_ok(s) ? s->ra_sink->got : 0;
    }
}

/* Finish or drop a readahead still arriving. */
static void ra_stop(struct curl_state *s)
{
    if (s->ra_busy && s->ra_want - s->ra_sink->got <= RA_DRAIN_MAX) {
        ra_drive(s, s->ra_want);
    }
    ra_end(s);
}

/* Start fetching [off, off + n) into the cache and wait for its first
 * len bytes; -1 when that failed (the caller fetches them itself). */
static int ra_start(struct curl_state *s, uint64_t off, size_t n,
                    size_t len)
{
    if (!s->ra_h) {
        s->ra_h = curl_easy_duphandle(s->h);
        s->ra_multi = curl_multi_init();
        s->ra_sink = xzalloc(sizeof(*s->ra_sink));
        if (!s->ra_h || !s->ra_multi) {
            return -1;
        }
        curl_easy_setopt(s->ra_h, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(s->ra_h, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(s->ra_h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(s->ra_h, CURLOPT_HEADERFUNCTION, NULL);
        curl_easy_setopt(s->ra_h, CURLOPT_HEADERDATA, NULL);
        curl_easy_setopt(s->ra_h, CURLOPT_WRITEFUNCTION, write_cb);
        curl_easy_setopt(s->ra_h, CURLOPT_WRITEDATA, s->ra_sink);
    }
    char range[64];         /* curl copies option strings */
    snprintf(range, sizeof(range), "%" PRIu64 "-%" PRIu64, off,
             off + n - 1);
    curl_easy_setopt(s->ra_h, CURLOPT_RANGE, range);
    *s->ra_sink = (struct sink){ .dst = s->cache, .want = n };
    s->cache_off = off;
    s->cache_len = 0;
    s->ra_want = n;
    if (curl_multi_add_handle(s->ra_multi, s->ra_h) != CURLM_OK) {
        return -1;
    }
    s->ra_busy = true;
    ra_drive(s, len);
    if (s->cache_len < len) {
        ra_end(s);
        s->cache_len = 0;
        return -1;
    }
    return 0;
}

static int lane_pread(struct curl_state *s, uint64_t off, void *buf,
                      size_t len)
{
    uint8_t *dst = buf;
    if (off >= s->size || len > s->size - off) {
        /* Reads past the end (a format's probe of a short file) see
         * zeroes, like a file does. */
        size_t inside = off >= s->size ? 0 : (size_t)(s->size - off);
        memset(dst + inside, 0, len - inside);
        len = inside;
        if (!len) {
            return 0;
        }
    }
    /* Served from the readahead cache when wholly inside it (waiting
     * for the transfer still filling it if need be). */
    size_t span = s->ra_busy ? s->ra_want : s->cache_len;
    if (span && off >= s->cache_off && len <= span &&
        off - s->cache_off <= span - len) {
        ra_drive(s, (size_t)(off - s->cache_off) + len);
        if (off - s->cache_off + len <= s->cache_len) {
            memcpy(dst, s->cache + (off - s->cache_off), len);
            return 0;
        }
    }
    bool seq = off == s->next_seq;
    s->next_seq = off + len;
    uint64_t window = s->o.readahead;
    if (seq && len <= RA_SEQ_MAX_REQ) {
        window = MAX(window, (uint64_t)RA_SEQ_WINDOW);
    } else if (len >= s->o.readahead) {
        /* big: straight into buf */
        return len >= NPAR * PAR_MIN ? fetch_parallel(s, off, dst, len)
                                     : fetch(s, off, dst, len);
    }
    ra_stop(s);
    size_t n = (size_t)MIN((uint64_t)len + window, s->size - off);
    if (n > s->cache_cap) {
        free(s->cache);
        s->cache = xmalloc(n);
        s->cache_cap = n;
    }
    s->cache_len = 0;
    if (ra_start(s, off, n, len) == 0) {
        memcpy(dst, s->cache, len);
        return 0;
    }
    /* The streamed fetch failed early: once more with fetch()'s retries
     * and messages. */
    return fetch(s, off, dst, len);
}

static void lane_free(struct curl_state *s, bool owns_opts);

/* A new lane like lane 0 (its own handles and cache), or NULL. */
static struct curl_state *lane_new(const struct curl_state *s0)
{
    struct curl_state *s = xzalloc(sizeof(*s));
    s->o = s0->o;               /* shared, lane 0's to free */
    s->is_http = s0->is_http;
    s->size = s0->size;
    s->next_seq = UINT64_MAX;
    struct err *e = NULL;
    if (setup_handle(s, &e) < 0) {
        err_free(e);
        free(s);
        return NULL;
    }
    return s;
}

static int lane_get(struct curl_node *n, uint64_t off, size_t len)
{
    pthread_mutex_lock(&n->mu);
    for (;;) {
        int pick = -1;
        for (int i = 0; i < n->nlanes && pick < 0; i++) {
            if (off >= n->lo[i] && off < n->hi[i]) {
                pick = i;
            }
        }
        if (pick >= 0 && n->busy[pick]) {
            pthread_cond_wait(&n->cv, &n->mu);
            continue;
        }
        for (int i = 0; i < n->nlanes && pick < 0; i++) {
            if (!n->busy[i]) {
                pick = i;
            }
        }
        if (pick < 0 && n->nlanes < MAX_LANES) {
            struct curl_state *s = lane_new(n->lane[0]);
            if (s) {
                pick = n->nlanes++;
                n->lane[pick] = s;
            }
        }
        if (pick < 0) {
            pthread_cond_wait(&n->cv, &n->mu);
            continue;
        }
        n->busy[pick] = true;
        /* Until it is done, what this read may fetch: a long stream when
         * it continues the lane's run, else its readahead= at most. */
        struct curl_state *s = n->lane[pick];
        n->lo[pick] = off;
        n->hi[pick] = off + len + (off == s->next_seq ? RA_SEQ_WINDOW
                                   : s->o.readahead);
        pthread_mutex_unlock(&n->mu);
        return pick;
    }
}

static void lane_put(struct curl_node *n, int i)
{
    struct curl_state *s = n->lane[i];
    pthread_mutex_lock(&n->mu);
    size_t span = s->ra_busy ? s->ra_want : s->cache_len;
    n->lo[i] = span ? s->cache_off : 0;
    n->hi[i] = span ? s->cache_off + span : 0;
    if (s->next_seq != UINT64_MAX && (s->next_seq < n->lo[i] ||
                                      s->next_seq >= n->hi[i])) {
        n->lo[i] = n->hi[i] = 0;
        if (!span) {
            n->lo[i] = s->next_seq;
            n->hi[i] = s->next_seq + 1;
        }
    }
    n->busy[i] = false;
    pthread_cond_broadcast(&n->cv);
    pthread_mutex_unlock(&n->mu);
}

static int curl_pread(struct bdrv *bs, uint64_t off, void *buf, size_t len)
{
    struct curl_node *n = bs->opaque;
    int i = lane_get(n, off, len);
    int r = lane_pread(n->lane[i], off, buf, len);
    lane_put(n, i);
    return r;
}

static int curl_pwrite(struct bdrv *bs, uint64_t off, const void *buf,
                       size_t len)
{
    return -EACCES;
}

static int64_t curl_getlength(struct bdrv *bs)
{
    struct curl_state *s = ((struct curl_node *)bs->opaque)->lane[0];
    /* QEMU counts whole sectors: the tail reads as zeroes. */
    return (int64_t)((s->size + 511) & ~(uint64_t)511);
}

static int curl_open(struct bdrv *bs, struct kvlist *kv, int flags,
                     struct err **errp)
{
    pthread_once(&global_once, global_init);
    struct curl_state *s = xzalloc(sizeof(*s));
    if (curl_opts_parse(bs->drv->name, kv, &s->o, errp) < 0) {
        free(s);
        return -1;
    }
    s->is_http = !strncasecmp(s->o.scheme, "http", 4);
    s->next_seq = UINT64_MAX;
    if (setup_handle(s, errp) < 0) {
        goto fail;
    }
    bool ranges = false;
    curl_easy_setopt(s->h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(s->h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(s->h, CURLOPT_HEADERDATA, &ranges);
    CURLcode c = curl_easy_perform(s->h);
    if (c != CURLE_OK) {
        err_setf(errp, "CURL: Error opening file: %s (%s)",
                 s->errbuf[0] ? s->errbuf : curl_easy_strerror(c),
                 s->o.url_safe);
        goto fail;
    }
    curl_off_t len = -1;
    curl_easy_getinfo(s->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
    if (len < 0) {
        err_setf(errp, "Server didn't report file size. (%s)",
                 s->o.url_safe);
        goto fail;
    }
    if (s->is_http && !ranges) {
        err_setf(errp, "Server does not support 'range' (byte ranges). (%s)",
                 s->o.url_safe);
        goto fail;
    }
    s->size = (uint64_t)len;
    /* The driver is read-only; a read-write open degrades to read-only
     * as QEMU's auto-read-only does for -drive. */
    bs->read_only = true;
    struct curl_node *n = xzalloc(sizeof(*n));
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    n->lane[0] = s;
    n->nlanes = 1;
    bs->opaque = n;
    bs->filename = xstrdup(s->o.url_safe);
    return 0;

fail:
    if (s->h) {
        curl_easy_cleanup(s->h);
    }
    curl_opts_free(&s->o);
    free(s);
    return -1;
}

static void curl_close(struct bdrv *bs)
{
    struct curl_node *n = bs->opaque;
    for (int i = n->nlanes - 1; i >= 0; i--) {
        lane_free(n->lane[i], i == 0);
    }
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n);
}

static void lane_free(struct curl_state *s, bool owns_opts)
{
    if (s->ra_busy) {
        curl_multi_remove_handle(s->ra_multi, s->ra_h);
    }
    if (s->ra_h) {
        curl_easy_cleanup(s->ra_h);
    }
    if (s->ra_multi) {
        curl_multi_cleanup(s->ra_multi);
    }
    free(s->ra_sink);
    for (int i = 0; i < NPAR; i++) {
        if (s->par[i]) {
            curl_easy_cleanup(s->par[i]);
        }
    }
    if (s->multi) {
        curl_multi_cleanup(s->multi);
    }
    curl_easy_cleanup(s->h);
    if (owns_opts) {
        curl_opts_free(&s->o);
    }
    free(s->cache);
    free(s);
}

#define CURL_DRIVER(proto)                                      \
    static const char *const proto##_schemes[] = { #proto, NULL }; \
    const struct bdrv_ops bdrv_##proto##_ops = {                \
        .name = #proto,                                         \
        .is_protocol = true,                                    \
        .schemes = proto##_schemes,                             \
        .open = curl_open,                                      \
        .close = curl_close,                                    \
        .pread = curl_pread,                                    \
        .pwrite = curl_pwrite,                                  \
        .getlength = curl_getlength,                            \
    };

CURL_DRIVER(http)
CURL_DRIVER(https)
CURL_DRIVER(ftp)
CURL_DRIVER(ftps)
