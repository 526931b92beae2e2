/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block.c - the node graph: the driver table, opening a format over a
 * protocol from a filename, a json:{...} pseudo-filename or -blockdev's
 * dotted keys (qemu-6.2 manual "Block device options"), the format probe
 * QEMU does when format= is absent, and the generic request checks every
 * driver relies on (bounds, read-only).
 */
#include "emu/osdep.h"

#include <json-c/json.h>

#include "block-protocols/block.h"
#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

extern const struct bdrv_ops bdrv_nbd_ops;
static const struct bdrv_ops *const drivers[] = {
    &bdrv_file_ops, &bdrv_raw_ops, &bdrv_qcow2_ops,
#ifdef CONFIG_ISCSI
    &bdrv_iscsi_ops,
#endif
#ifdef CONFIG_CURL
    &bdrv_http_ops, &bdrv_https_ops, &bdrv_ftp_ops, &bdrv_ftps_ops,
#endif
#if defined(CONFIG_SSH) && defined(CONFIG_CURL)
    &bdrv_ssh_ops,
#endif
#ifdef CONFIG_NFS
    &bdrv_nfs_ops,
#endif
#if defined(CONFIG_GLUSTERFS) && defined(CONFIG_CURL)
    &bdrv_gluster_ops,
#endif
    &bdrv_nbd_ops,
};

const struct bdrv_ops *bdrv_find_driver(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
        if (!strcmp(drivers[i]->name, name)) {
            return drivers[i];
        }
    }
    return NULL;
}

const struct bdrv_ops *bdrv_find_protocol(const char *filename)
{
    const char *colon = strchr(filename, ':');
    if (!colon) {
        return NULL;
    }
    size_t n = (size_t)(colon - filename);
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
        for (const char *const *s = drivers[i]->schemes; s && *s; s++) {
            if (strlen(*s) == n && !strncmp(*s, filename, n)) {
                return drivers[i];
            }
        }
    }
    return NULL;
}

const char *bdrv_probe(const uint8_t *buf, size_t len)
{
    const char *best = "raw";
    int score = 0;
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
        if (drivers[i]->probe) {
            int s = drivers[i]->probe(buf, len);
            if (s > score) {
                score = s;
                best = drivers[i]->name;
            }
        }
    }
    return best;
}

bool buffer_is_zero(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    /* Word at a time once aligned; the tail byte by byte. */
    while (len && ((uintptr_t)p & 7)) {
        if (*p++) {
            return false;
        }
        len--;
    }
    const uint64_t *w = (const uint64_t *)p;
    for (; len >= 32; len -= 32, w += 4) {
        if (w[0] | w[1] | w[2] | w[3]) {
            return false;
        }
    }
    p = (const uint8_t *)w;
    while (len--) {
        if (*p++) {
            return false;
        }
    }
    return true;
}

/* json:{"driver":"qcow2","file":{"driver":"file","filename":"x"}} becomes
 * driver=qcow2, file.driver=file, file.filename=x. */
static int json_flatten(struct kvlist *kv, const char *prefix,
                        struct json_object *o, struct err **errp)
{
    json_object_object_foreach(o, key, val) {
        char *k = prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);
        int r = 0;
        switch (json_object_get_type(val)) {
        case json_type_object:
            r = json_flatten(kv, k, val, errp);
            break;
        case json_type_array:
            /* "server":[{...},{...}] is server.0.*, server.1.* (gluster) */
            for (size_t i = 0; r == 0 && i < json_object_array_length(val);
                 i++) {
                char *ki = xasprintf("%s.%zu", k, i);
                struct json_object *el = json_object_array_get_idx(val, i);
                if (json_object_is_type(el, json_type_object)) {
                    r = json_flatten(kv, ki, el, errp);
                } else if (json_object_is_type(el, json_type_array) || !el) {
                    err_setf(errp, "Invalid JSON value for '%s'", ki);
                    r = -1;
                } else {
                    kv_set(kv, ki, json_object_get_string(el));
                }
                free(ki);
            }
            break;
        case json_type_boolean:
            kv_set(kv, k, json_object_get_boolean(val) ? "on" : "off");
            break;
        case json_type_int:
        case json_type_double:
        case json_type_string:
            kv_set(kv, k, json_object_get_string(val));
            break;
        default:
            err_setf(errp, "Invalid JSON value for '%s'", k);
            r = -1;
        }
        free(k);
        if (r < 0) {
            return -1;
        }
    }
    return 0;
}

int bdrv_parse_json_opts(struct kvlist *kv, const char *json,
                         struct err **errp)
{
    struct json_object *o = json_tokener_parse(json);
    if (!o || !json_object_is_type(o, json_type_object)) {
        err_setf(errp, "Could not parse the JSON options");
        json_object_put(o);
        return -1;
    }
    int r = json_flatten(kv, NULL, o, errp);
    json_object_put(o);
    return r;
}

/* Move every "prefix.X" key of kv into a new list as "X". */
static struct kvlist *extract_sub(struct kvlist *kv, const char *prefix)
{
    struct kvlist *sub = kvlist_new();
    size_t n = strlen(prefix);
    for (int i = 0; i < kv->n; i++) {
        const char *k = kv->v[i].key;
        if (!strncmp(k, prefix, n) && k[n] == '.') {
            kv_set(sub, k + n + 1, kv->v[i].val ? kv->v[i].val : "on");
            kv->v[i].used = true;
        }
    }
    return sub;
}

static struct bdrv *bdrv_new(const struct bdrv_ops *drv, int flags)
{
    struct bdrv *bs = xzalloc(sizeof(*bs));
    bs->drv = drv;
    bs->flags = flags;
    bs->read_only = !(flags & BDRV_O_RDWR);
    pthread_mutex_init(&bs->lock, NULL);
    return bs;
}

static void bdrv_free(struct bdrv *bs)
{
    free(bs->filename);
    free(bs->node_name);
    free(bs->backing_file);
    free(bs->backing_fmt);
    pthread_mutex_destroy(&bs->lock);
    free(bs);
}

/* Open a protocol node (file) from its own keys. */
static struct bdrv *open_protocol(struct kvlist *kv, int flags,
                                  struct err **errp)
{
    const char *dname = kv_str(kv, "driver", NULL);
    if (!dname) {
        /* "nbd://...", "http://...": the scheme names the protocol. */
        const char *fn = kv_get(kv, "filename");
        const struct bdrv_ops *p = fn ? bdrv_find_protocol(fn) : NULL;
        dname = p ? p->name : "file";
    }
    const struct bdrv_ops *drv = bdrv_find_driver(dname);
    if (!drv) {
        err_setf(errp, "Unknown driver '%s'", dname);
        return NULL;
    }
    if (!drv->is_protocol) {
        err_setf(errp, "'%s' is a format, not a protocol", dname);
        return NULL;
    }
    struct bdrv *bs = bdrv_new(drv, flags);
    const char *nn = kv_str(kv, "node-name", NULL);
    bs->node_name = nn ? xstrdup(nn) : NULL;
    if (drv->open(bs, kv, flags, errp) < 0) {
        bdrv_free(bs);
        return NULL;
    }
    bs->total_size = drv->getlength(bs);
    return bs;
}

/* cache.direct / cache.no-flush / read-only at a node's level. */
static int node_flags(struct kvlist *kv, int flags, struct err **errp)
{
    struct err *e = NULL;
    if (kv_bool(kv, "cache.direct", flags & BDRV_O_NOCACHE, &e)) {
        flags |= BDRV_O_NOCACHE;
    } else {
        flags &= ~BDRV_O_NOCACHE;
    }
    if (kv_bool(kv, "cache.no-flush", flags & BDRV_O_NO_FLUSH, &e)) {
        flags |= BDRV_O_NO_FLUSH;
    } else {
        flags &= ~BDRV_O_NO_FLUSH;
    }
    if (kv_bool(kv, "read-only", !(flags & BDRV_O_RDWR), &e)) {
        flags &= ~BDRV_O_RDWR;
    }
    kv_mark_used(kv, "auto-read-only");
    kv_mark_used(kv, "force-share");
    kv_mark_used(kv, "discard");
    kv_mark_used(kv, "detect-zeroes");
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    return flags;
}

struct bdrv *bdrv_open_opts(struct kvlist *kv, int flags, struct err **errp)
{
    flags = node_flags(kv, flags, errp);
    if (flags < 0) {
        return NULL;
    }
    const char *dname = kv_str(kv, "driver", NULL);
    const struct bdrv_ops *drv = dname ? bdrv_find_driver(dname) : NULL;
    if (dname && !drv) {
        err_setf(errp, "Unknown driver '%s'", dname);
        return NULL;
    }
    if (drv && drv->is_protocol) {
        struct bdrv *bs = open_protocol(kv, flags, errp);
        if (bs && kv_check_used(kv, errp) < 0) {
            bdrv_close(bs);
            return NULL;
        }
        return bs;
    }

    /* A format: its file is a filename string or file.* keys. */
    struct kvlist *sub = extract_sub(kv, "file");
    const char *fname = kv_get(kv, "file");
    if (fname) {
        if (!strncmp(fname, "json:", 5)) {
            struct kvlist *j = kvlist_new();
            if (bdrv_parse_json_opts(j, fname + 5, errp) < 0) {
                kvlist_free(j);
                kvlist_free(sub);
                return NULL;
            }
            const struct bdrv_ops *jd = kv_has(j, "driver") ?
                bdrv_find_driver(kv_get(j, "driver")) : NULL;
            for (int i = 0; i < j->n; i++) {
                /* A json: file holds a whole stack; its top keys belong
                 * to the format unless they name the protocol. */
                const char *k = j->v[i].key;
                if (!strncmp(k, "file.", 5)) {
                    kv_set(sub, k + 5, j->v[i].val);
                } else if (!strcmp(k, "filename")) {
                    kv_set(sub, "filename", j->v[i].val);
                } else if (!strcmp(k, "driver")) {
                    const struct bdrv_ops *d = bdrv_find_driver(j->v[i].val);
                    if (d && d->is_protocol) {
                        kv_set(sub, "driver", j->v[i].val);
                    } else if (!dname) {
                        dname = j->v[i].val;
                        kv_set(kv, "driver", dname);
                        kv_mark_used(kv, "driver");
                        drv = d;
                    }
                } else if (jd && jd->is_protocol) {
                    kv_set(sub, k, j->v[i].val);    /* json:{"driver":"nbd"..} */
                } else {
                    kv_set(kv, k, j->v[i].val);
                }
            }
            kvlist_free(j);
            if (dname) {
                dname = kv_get(kv, "driver");
                drv = bdrv_find_driver(dname);
                if (!drv) {
                    err_setf(errp, "Unknown driver '%s'", dname);
                    kvlist_free(sub);
                    return NULL;
                }
            }
        } else {
            kv_set(sub, "filename", fname);
        }
    }
    if (!kv_has(sub, "filename") && !kv_has(sub, "driver")) {
        /* file.driver= alone: a protocol with its own keys (url=...). */
        err_setf(errp, "A block device needs a file (file= or file.filename=)");
        kvlist_free(sub);
        return NULL;
    }
    struct bdrv *file = open_protocol(sub, flags, errp);
    if (!file) {
        kvlist_free(sub);
        return NULL;
    }
    if (kv_check_used(sub, errp) < 0) {
        kvlist_free(sub);
        bdrv_close(file);
        return NULL;
    }
    kvlist_free(sub);

    bool probed = false;
    if (!drv) {
        uint8_t buf[512] = { 0 };
        size_t n = MIN((uint64_t)sizeof(buf), file->total_size);
        if (n && bdrv_pread(file, 0, buf, n) < 0) {
            err_setf(errp, "Could not read image for determining its "
                     "format: %s", strerror(EIO));
            bdrv_close(file);
            return NULL;
        }
        drv = bdrv_find_driver(bdrv_probe(buf, n));
        probed = !strcmp(drv->name, "raw");
        if (probed && (flags & BDRV_O_RDWR) &&
            !(flags & BDRV_O_NO_PROBE_WARN)) {
            warn_report("Image format was not specified for '%s' and "
                        "probing guessed raw.\n"
                        "         Automatically detecting the format is "
                        "dangerous for raw images, write operations on "
                        "block 0 will be restricted.\n"
                        "         Specify the 'raw' format explicitly to "
                        "remove the restrictions.", file->filename);
        }
    }
    struct bdrv *bs = bdrv_new(drv, flags);
    bs->file = file;
    bs->probed_raw = probed;
    bs->filename = xstrdup(file->filename);
    const char *nn = kv_str(kv, "node-name", NULL);
    bs->node_name = nn ? xstrdup(nn) : NULL;
    if (drv->open(bs, kv, flags, errp) < 0) {
        bdrv_close(file);
        bdrv_free(bs);
        return NULL;
    }
    if (kv_check_used(kv, errp) < 0) {
        bdrv_close(bs);
        return NULL;
    }
    return bs;
}

struct bdrv *bdrv_open(const char *filename, const char *fmt,
                       struct kvlist *opts, int flags, struct err **errp)
{
    struct kvlist *kv = opts ? kvlist_dup(opts) : kvlist_new();
    if (fmt) {
        kv_set(kv, "driver", fmt);
    }
    if (filename) {
        kv_set(kv, "file", filename);
    }
    struct bdrv *bs = bdrv_open_opts(kv, flags, errp);
    kvlist_free(kv);
    return bs;
}

void bdrv_close(struct bdrv *bs)
{
    if (!bs) {
        return;
    }
    if (bs->drv->close) {
        bs->drv->close(bs);
    }
    bdrv_close(bs->backing);
    bdrv_close(bs->file);
    bdrv_free(bs);
}

int bdrv_reopen(struct bdrv *bs, bool rw, struct err **errp)
{
    if (bs->read_only == !rw) {
        return 0;
    }
    if (!rw && bdrv_flush(bs) < 0) {
        err_setf(errp, "Could not flush '%s'", bs->filename);
        return -1;
    }
    int flags = rw ? BDRV_O_RDWR : 0;
    if (bs->drv->is_protocol && !bs->drv->reopen) {
        err_setf(errp, "Cannot reopen '%s' %s: not supported by protocol "
                 "'%s'", bs->filename, rw ? "read-write" : "read-only",
                 bs->drv->name);
        return -1;
    }
    if (bs->file && bdrv_reopen(bs->file, rw, errp) < 0) {
        return -1;
    }
    if (bs->drv->reopen && bs->drv->reopen(bs, flags, errp) < 0) {
        if (bs->file && !bs->drv->is_protocol) {
            struct err *e = NULL;
            bdrv_reopen(bs->file, !rw, &e);
            err_free(e);
        }
        return -1;
    }
    bs->flags = rw ? bs->flags | BDRV_O_RDWR : bs->flags & ~BDRV_O_RDWR;
    bs->read_only = !rw;
    return 0;
}

static int check_req(struct bdrv *bs, uint64_t off, uint64_t len)
{
    if (off > bs->total_size || len > bs->total_size - off) {
        return -EIO;
    }
    return 0;
}

int bdrv_pread(struct bdrv *bs, uint64_t off, void *buf, size_t len)
{
    if (!len) {
        return 0;
    }
    if (!bs->drv->is_protocol && check_req(bs, off, len) < 0) {
        return -EIO;
    }
    return bs->drv->pread(bs, off, buf, len);
}

int bdrv_pwrite(struct bdrv *bs, uint64_t off, const void *buf, size_t len)
{
    if (bs->read_only) {
        return -EPERM;
    }
    if (!len) {
        return 0;
    }
    if (!bs->drv->is_protocol && check_req(bs, off, len) < 0) {
        return -EIO;
    }
    int r = bs->drv->pwrite(bs, off, buf, len);
    if (r >= 0 && bs->drv->is_protocol && off + len > bs->total_size) {
        bs->total_size = off + len;
    }
    return r;
}

uint64_t iov_size(const struct iovec *iov, int niov)
{
    uint64_t n = 0;
    for (int i = 0; i < niov; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

void iov_to_buf(const struct iovec *iov, int niov, void *buf, uint64_t len)
{
    uint8_t *p = buf;
    for (int i = 0; i < niov && len; i++) {
        size_t n = MIN((uint64_t)iov[i].iov_len, len);
        memcpy(p, iov[i].iov_base, n);
        p += n;
        len -= n;
    }
}

void iov_from_buf(const struct iovec *iov, int niov, const void *buf,
                  uint64_t len)
{
    const uint8_t *p = buf;
    for (int i = 0; i < niov && len; i++) {
        size_t n = MIN((uint64_t)iov[i].iov_len, len);
        memcpy(iov[i].iov_base, p, n);
        p += n;
        len -= n;
    }
}

bool iov_is_zero(const struct iovec *iov, int niov)
{
    for (int i = 0; i < niov; i++) {
        if (!buffer_is_zero(iov[i].iov_base, iov[i].iov_len)) {
            return false;
        }
    }
    return true;
}

int bdrv_preadv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                int niov)
{
    uint64_t len = iov_size(iov, niov);
    if (!len) {
        return 0;
    }
    if (!bs->drv->is_protocol && check_req(bs, off, len) < 0) {
        return -EIO;
    }
    if (bs->drv->preadv) {
        return bs->drv->preadv(bs, off, iov, niov);
    }
    if (niov == 1) {
        return bs->drv->pread(bs, off, iov[0].iov_base, len);
    }
    /* A driver without scatter/gather: one bounce buffer. */
    void *b = malloc(len);
    if (!b) {
        return -ENOMEM;
    }
    int r = bs->drv->pread(bs, off, b, len);
    if (r >= 0) {
        iov_from_buf(iov, niov, b, len);
    }
    free(b);
    return r;
}

int bdrv_pwritev(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                 int niov)
{
    if (bs->read_only) {
        return -EPERM;
    }
    uint64_t len = iov_size(iov, niov);
    if (!len) {
        return 0;
    }
    if (!bs->drv->is_protocol && check_req(bs, off, len) < 0) {
        return -EIO;
    }
    int r;
    if (bs->drv->pwritev) {
        r = bs->drv->pwritev(bs, off, iov, niov);
    } else if (niov == 1) {
        r = bs->drv->pwrite(bs, off, iov[0].iov_base, len);
    } else {
        void *b = malloc(len);
        if (!b) {
            return -ENOMEM;
        }
        iov_to_buf(iov, niov, b, len);
        r = bs->drv->pwrite(bs, off, b, len);
        free(b);
    }
    if (r >= 0 && bs->drv->is_protocol && off + len > bs->total_size) {
        bs->total_size = off + len;
    }
    return r;
}

int bdrv_preadv_nowait(struct bdrv *bs, uint64_t off,
                       const struct iovec *iov, int niov)
{
    uint64_t len = iov_size(iov, niov);
    if (!len) {
        return 0;
    }
    if (!bs->drv->preadv_nowait ||
        (!bs->drv->is_protocol && check_req(bs, off, len) < 0)) {
        return -EAGAIN;
    }
    return bs->drv->preadv_nowait(bs, off, iov, niov);
}

int bdrv_pwrite_zeroes(struct bdrv *bs, uint64_t off, uint64_t len,
                       bool may_unmap)
{
    if (bs->read_only) {
        return -EPERM;
    }
    if (!len) {
        return 0;
    }
    if (!bs->drv->is_protocol && check_req(bs, off, len) < 0) {
        return -EIO;
    }
    if (bs->drv->pwrite_zeroes) {
        int r = bs->drv->pwrite_zeroes(bs, off, len, may_unmap);
        if (r != -ENOTSUP) {
            return r;
        }
    }
    /* Fallback: write zero buffers. */
    size_t chunk = MIN(len, (uint64_t)1 << 20);
    void *z = xzalloc(chunk);
    int r = 0;
    while (len && r >= 0) {
        size_t n = MIN(len, (uint64_t)chunk);
        r = bs->drv->pwrite(bs, off, z, n);
        off += n;
        len -= n;
    }
    free(z);
    return r;
}

int bdrv_discard(struct bdrv *bs, uint64_t off, uint64_t len)
{
    if (bs->read_only) {
        return -EPERM;
    }
    if (!bs->drv->is_protocol && check_req(bs, off, len) < 0) {
        return -EIO;
    }
    return bs->drv->discard ? bs->drv->discard(bs, off, len) : 0;
}

int bdrv_flush(struct bdrv *bs)
{
    int r = 0;
    if (bs->drv->flush) {
        r = bs->drv->flush(bs);
    }
    if (r >= 0 && bs->file) {
        r = bdrv_flush(bs->file);
    }
    return r;
}

int64_t bdrv_getlength(struct bdrv *bs)
{
    return bs->drv->getlength ? bs->drv->getlength(bs) : (int64_t)bs->total_size;
}

int bdrv_truncate(struct bdrv *bs, uint64_t len, struct err **errp)
{
    if (bs->read_only) {
        err_setf(errp, "Image is read-only");
        return -EPERM;
    }
    if (!bs->drv->truncate) {
        err_setf(errp, "Image format '%s' does not support resizing",
                 bs->drv->name);
        return -ENOTSUP;
    }
    int r = bs->drv->truncate(bs, len, errp);
    if (r >= 0) {
        bs->total_size = len;
    }
    return r;
}

int bdrv_block_status(struct bdrv *bs, uint64_t off, uint64_t len,
                      uint64_t *pnum, uint64_t *map)
{
    if (off >= bs->total_size) {
        *pnum = 0;
        return 0;
    }
    len = MIN(len, bs->total_size - off);
    *map = 0;
    if (!bs->drv->block_status) {
        *pnum = len;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED;
    }
    return bs->drv->block_status(bs, off, len, pnum, map);
}

int bdrv_block_status_above(struct bdrv *bs, uint64_t off, uint64_t len,
                            uint64_t *pnum, uint64_t *map, int *depth,
                            struct bdrv **owner)
{
    int d = 0;
    for (struct bdrv *b = bs; b; b = b->backing, d++) {
        uint64_t n = 0;
        int st = bdrv_block_status(b, off, len, &n, map);
        if (st < 0) {
            return st;
        }
        if (!n) {
            /* Past the end of a shorter backing file: zeroes. */
            *pnum = len;
            *depth = d;
            *owner = NULL;
            return BDRV_BLOCK_ZERO;
        }
        if ((st & BDRV_BLOCK_ALLOCATED) || !b->backing) {
            *pnum = n;
            *depth = d;
            *owner = b;
            return st;
        }
        len = n;    /* the answer below may only cover this much */
    }
    *pnum = len;
    *depth = 0;
    *owner = NULL;
    return BDRV_BLOCK_ZERO;
}

const struct bdrv_ops *bdrv_create_protocol(const char *filename)
{
    const struct bdrv_ops *p = bdrv_find_protocol(filename);
    return p && p->create ? p : &bdrv_file_ops;
}

int bdrv_create(const char *fmt, const char *filename,
                const struct bdrv_create_opts *o, struct err **errp)
{
    const struct bdrv_ops *drv = bdrv_find_driver(fmt);
    if (!drv) {
        err_setf(errp, "Unknown file format '%s'", fmt);
        return -1;
    }
    if (!drv->create) {
        err_setf(errp, "Format driver '%s' does not support image creation",
                 fmt);
        return -1;
    }
    if (o->extended_l2) {
        err_setf(errp, "extended_l2=on: not supported");
        return -1;
    }
    return drv->create(filename, o, errp);
}
