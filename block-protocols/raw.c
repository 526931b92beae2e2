/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * raw.c - the "raw" format: the guest sees the protocol's bytes, or a
 * window of them with offset= and size= (qemu-6.2 manual, -blockdev
 * driver=raw).  An image whose format was only probed as raw may not get a
 * first sector that probes as another format, as in QEMU, so that a guest
 * cannot turn its disk into a qcow2 pointing at host files.
 */
#include "emu/osdep.h"

#include "block-protocols/block.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

struct raw_state {
    uint64_t offset, size;
    bool has_size;
};

static int raw_open(struct bdrv *bs, struct kvlist *kv, int flags,
                    struct err **errp)
{
    struct raw_state *s = xzalloc(sizeof(*s));
    struct err *e = NULL;
    s->offset = kv_size(kv, "offset", 0, &e);
    s->has_size = kv_has(kv, "size");
    s->size = kv_size(kv, "size", 0, &e);
    if (e) {
        err_propagate(errp, e);
        free(s);
        return -1;
    }
    int64_t flen = bdrv_getlength(bs->file);
    if (flen < 0) {
        err_setf(errp, "Could not get the size of '%s'", bs->filename);
        free(s);
        return -1;
    }
    if (s->offset > (uint64_t)flen) {
        err_setf(errp, "The sum of offset (%" PRIu64 ") and size (0) has to "
                 "be smaller or equal to the actual size of the containing "
                 "file (%" PRId64 ")", s->offset, flen);
        free(s);
        return -1;
    }
    if (s->has_size) {
        if (s->offset + s->size > (uint64_t)flen || s->offset + s->size < s->offset) {
            err_setf(errp, "The sum of offset (%" PRIu64 ") and size (%"
                     PRIu64 ") has to be smaller or equal to the actual size "
                     "of the containing file (%" PRId64 ")", s->offset,
                     s->size, flen);
            free(s);
            return -1;
        }
    }
    bs->opaque = s;
    bs->total_size = s->has_size ? s->size : (uint64_t)flen - s->offset;
    return 0;
}

static void raw_close(struct bdrv *bs)
{
    free(bs->opaque);
}

static int raw_probe_score(const uint8_t *buf, size_t len)
{
    return 1;
}

static int raw_pread(struct bdrv *bs, uint64_t off, void *buf, size_t len)
{
    struct raw_state *s = bs->opaque;
    return bdrv_pread(bs->file, s->offset + off, buf, len);
}

static int raw_pwrite(struct bdrv *bs, uint64_t off, const void *buf,
                      size_t len)
{
    struct raw_state *s = bs->opaque;
    if (bs->probed_raw && off < 512) {
        uint8_t first[512];
        int r = bdrv_pread(bs->file, s->offset, first, sizeof(first));
        if (r < 0) {
            return r;
        }
        size_t n = MIN(len, 512 - off);
        memcpy(first + off, buf, n);
        if (strcmp(bdrv_probe(first, sizeof(first)), "raw")) {
            return -EPERM;
        }
    }
    return bdrv_pwrite(bs->file, s->offset + off, buf, len);
}

static int raw_preadv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                      int niov)
{
    struct raw_state *s = bs->opaque;
    return bdrv_preadv(bs->file, s->offset + off, iov, niov);
}

static int raw_preadv_nowait(struct bdrv *bs, uint64_t off,
                             const struct iovec *iov, int niov)
{
    struct raw_state *s = bs->opaque;
    return bdrv_preadv_nowait(bs->file, s->offset + off, iov, niov);
}

static int raw_pwritev(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                       int niov)
{
    struct raw_state *s = bs->opaque;
    if (bs->probed_raw && off < 512) {
        /* The first sector's check wants the bytes in one piece. */
        uint64_t len = iov_size(iov, niov);
        void *b = malloc(len);
        if (!b) {
            return -ENOMEM;
        }
        iov_to_buf(iov, niov, b, len);
        int r = raw_pwrite(bs, off, b, len);
        free(b);
        return r;
    }
    return bdrv_pwritev(bs->file, s->offset + off, iov, niov);
}

static int raw_pwrite_zeroes(struct bdrv *bs, uint64_t off, uint64_t len,
                             bool may_unmap)
{
    struct raw_state *s = bs->opaque;
    return bdrv_pwrite_zeroes(bs->file, s->offset + off, len, may_unmap);
}

static int raw_discard(struct bdrv *bs, uint64_t off, uint64_t len)
{
    struct raw_state *s = bs->opaque;
    return bdrv_discard(bs->file, s->offset + off, len);
}

static int64_t raw_getlength(struct bdrv *bs)
{
    struct raw_state *s = bs->opaque;
    if (s->has_size) {
        return s->size;
    }
    int64_t l = bdrv_getlength(bs->file);
    return l < 0 ? l : l - (int64_t)s->offset;
}

static int64_t raw_allocated_size(struct bdrv *bs)
{
    return bs->file->drv->allocated_size ?
           bs->file->drv->allocated_size(bs->file) : -ENOTSUP;
}

static int raw_truncate(struct bdrv *bs, uint64_t len, struct err **errp)
{
    struct raw_state *s = bs->opaque;
    if (s->offset || s->has_size) {
        err_setf(errp, "Cannot resize a raw image with offset or size");
        return -ENOTSUP;
    }
    return bdrv_truncate(bs->file, len, errp);
}

static int raw_block_status(struct bdrv *bs, uint64_t off, uint64_t len,
                            uint64_t *pnum, uint64_t *map)
{
    struct raw_state *s = bs->opaque;
    int st = bdrv_block_status(bs->file, s->offset + off, len, pnum, map);
    if (!*pnum) {
        *pnum = len;
        st = BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
        *map = s->offset + off;
    }
    return st | BDRV_BLOCK_ALLOCATED;
}

static int raw_create(const char *filename, const struct bdrv_create_opts *o,
                      struct err **errp)
{
    if (o->backing_file) {
        err_setf(errp, "Backing file not supported for file format 'raw'");
        return -1;
    }
    return bdrv_create_protocol(filename)->create(filename, o, errp);
}

/* A raw file is as large as the disk, holes or not. */
static int raw_measure(const struct bdrv_create_opts *o, struct bdrv *in,
                       struct bdrv_measure *m, struct err **errp)
{
    const char *pre = o->preallocation ? o->preallocation : "off";
    if (strcmp(pre, "off") && strcmp(pre, "falloc") && strcmp(pre, "full")) {
        err_setf(errp, "invalid parameter value: %s", pre);
        return -1;
    }
    if (in) {
        int64_t len = bdrv_getlength(in);
        if (len < 0) {
            err_setf(errp, "Unable to get image virtual_size: %s",
                     strerror((int)-len));
            return -1;
        }
        m->required = len;
    } else {
        m->required = (o->size + 511) & ~511ULL;
    }
    m->fully_allocated = m->required;
    m->has_bitmaps = false;
    return 0;
}

const struct bdrv_ops bdrv_raw_ops = {
    .measure = raw_measure,
    .name = "raw",
    .probe = raw_probe_score,
    .open = raw_open,
    .close = raw_close,
    .pread = raw_pread,
    .pwrite = raw_pwrite,
    .preadv = raw_preadv,
    .pwritev = raw_pwritev,
    .preadv_nowait = raw_preadv_nowait,
    .pwrite_zeroes = raw_pwrite_zeroes,
    .discard = raw_discard,
    .getlength = raw_getlength,
    .allocated_size = raw_allocated_size,
    .truncate = raw_truncate,
    .block_status = raw_block_status,
    .create = raw_create,
};
