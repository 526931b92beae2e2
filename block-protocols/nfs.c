/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfs.c - the "nfs" protocol: a file on an NFS server through libnfs
 * (qemu-6.2 manual "Device URL Syntax"):
 *   nfs://host/export/path[?uid=&gid=&readahead=&version=&nfsport=&mountport=...]
 * The URL, with every query option libnfs takes, is parsed by libnfs
 * itself (nfs_parse_url_full), so nfsport=/mountport= reach a server
 * without a portmapper.  I/O is libnfs's synchronous API in the block
 * worker thread, like the other network protocols (doc/netblk.md).
 */
#include "emu/osdep.h"

#include <fcntl.h>
#include <nfsc/libnfs.h>

#include "block-protocols/block.h"
#include "block-protocols/netblk.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

/* libnfs sizes READ/WRITE by the server's limits; this bounds one call. */
#define NFS_CHUNK (64 * 1024)

struct nfs_state {
    struct nfs_context *ctx;
    struct nfsfh *fh;
    uint64_t size;
    char *where;
};

static int nfs_open_node(struct bdrv *bs, struct kvlist *kv, int flags,
                         struct err **errp)
{
    const char *fn = kv_str(kv, "filename", NULL);
    if (!fn) {
        err_setf(errp, "nfs: only the nfs:// URL form is supported");
        return -1;
    }
    struct nfs_state *s = xzalloc(sizeof(*s));
    s->ctx = nfs_init_context();
    if (!s->ctx) {
        err_setf(errp, "Failed to init NFS context");
        free(s);
        return -1;
    }
    struct nfs_url *u = nfs_parse_url_full(s->ctx, fn);
    if (!u) {
        err_setf(errp, "Failed to parse NFS URL '%s': %s", fn,
                 nfs_get_error(s->ctx));
        goto fail;
    }
    s->where = xasprintf("nfs://%s%s%s", u->server, u->path, u->file);
    if (nfs_mount(s->ctx, u->server, u->path) != 0) {
        err_setf(errp, "Failed to mount nfs share %s: %s", s->where,
                 nfs_get_error(s->ctx));
        nfs_destroy_url(u);
        goto fail;
    }
    int r = nfs_open(s->ctx, u->file, (flags & BDRV_O_RDWR) ? O_RDWR
                                                             : O_RDONLY,
                     &s->fh);
    nfs_destroy_url(u);
    if (r != 0) {
        err_setf(errp, "Failed to open %s: %s", s->where,
                 nfs_get_error(s->ctx));
        goto fail;
    }
    struct nfs_stat_64 st;
    if (nfs_fstat64(s->ctx, s->fh, &st) != 0) {
        err_setf(errp, "Failed to fstat %s: %s", s->where,
                 nfs_get_error(s->ctx));
        goto fail;
    }
    s->size = st.nfs_size;
    bs->opaque = s;
    bs->filename = xstrdup(fn);
    return 0;

fail:
    if (s->fh) {
        nfs_close(s->ctx, s->fh);
    }
    nfs_destroy_context(s->ctx);
    free(s->where);
    free(s);
    return -1;
}

static int nfs_pread_node(struct bdrv *bs, uint64_t off, void *buf,
                          size_t len)
{
    struct nfs_state *s = bs->opaque;
    uint8_t *p = buf;
    while (len) {
        int n = nfs_pread(s->ctx, s->fh, off, MIN(len, (size_t)NFS_CHUNK), p);
        if (n < 0) {
            warn_report("nfs: %s: read at %" PRIu64 " failed: %s", s->where,
                        off, nfs_get_error(s->ctx));
            return -EIO;
        }
        if (n == 0) {
            memset(p, 0, len);      /* past the end: zeroes, like a file */
            return 0;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

static int nfs_pwrite_node(struct bdrv *bs, uint64_t off, const void *buf,
                           size_t len)
{
    struct nfs_state *s = bs->opaque;
    const uint8_t *p = buf;
    while (len) {
        int n = nfs_pwrite(s->ctx, s->fh, off, MIN(len, (size_t)NFS_CHUNK),
                           (void *)(uintptr_t)p);
        if (n <= 0) {
            warn_report("nfs: %s: write at %" PRIu64 " failed: %s", s->where,
                        off, nfs_get_error(s->ctx));
            return -EIO;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    if (off > s->size) {
        s->size = off;
    }
    return 0;
}

static int nfs_flush_node(struct bdrv *bs)
{
    struct nfs_state *s = bs->opaque;
    if (bs->read_only) {
        return 0;
    }
    return nfs_fsync(s->ctx, s->fh) != 0 ? -EIO : 0;
}

static int64_t nfs_getlength_node(struct bdrv *bs)
{
    struct nfs_state *s = bs->opaque;
    return (int64_t)s->size;
}

static void nfs_close_node(struct bdrv *bs)
{
    struct nfs_state *s = bs->opaque;
    nfs_close(s->ctx, s->fh);
    nfs_umount(s->ctx);
    nfs_destroy_context(s->ctx);
    free(s->where);
    free(s);
}

static const char *const nfs_schemes[] = { "nfs", NULL };

const struct bdrv_ops bdrv_nfs_ops = {
    .name = "nfs",
    .is_protocol = true,
    .schemes = nfs_schemes,
    .open = nfs_open_node,
    .close = nfs_close_node,
    .pread = nfs_pread_node,
    .pwrite = nfs_pwrite_node,
    .flush = nfs_flush_node,
    .getlength = nfs_getlength_node,
};
