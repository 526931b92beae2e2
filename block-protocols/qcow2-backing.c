/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-backing.c - change the backing file a qcow2 image names (for
 * hemu-img rebase; QEMU's docs/interop/qcow2.txt: header bytes 8-19 give
 * the backing file name's offset and length, the name lies in the first
 * cluster after the header extensions, and extension 0xe2792aca holds the
 * backing format).  The first cluster is rebuilt in memory (header,
 * every other extension kept, the new format extension, the end marker,
 * the name) and written with one write.
 */
#include "emu/osdep.h"

#include "block-protocols/qcow2.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

int qcow2_set_backing(struct bdrv *bs, const char *file, const char *fmt,
                      struct err **errp)
{
    struct qcow2 *s = bs->opaque;
    uint32_t cs = s->cluster_size;
    uint8_t *c0 = xzalloc(cs), *n = xzalloc(cs);
    int r = bdrv_pread(bs->file, 0, c0, cs);
    if (r < 0) {
        goto io_err;
    }
    uint32_t hlen = s->version >= 3 ? s->header_length : 72;
    if (hlen > cs) {
        err_setf(errp, "Image header is invalid");
        goto fail;
    }
    memcpy(n, c0, hlen);
    uint64_t in = hlen, out = hlen;
    /* Keep every extension but the backing format. */
    while (in + 8 <= cs) {
        uint32_t type = be32_get(c0 + in), len = be32_get(c0 + in + 4);
        if (type == 0) {
            break;
        }
        uint64_t padded = ((uint64_t)len + 7) & ~7ULL;
        if (padded > cs - in - 8 || out + 8 + padded > cs) {
            err_setf(errp, "Image header extensions are invalid");
            goto fail;
        }
        if (type != QCOW2_EXT_BACKING_FORMAT) {
            memcpy(n + out, c0 + in, 8 + padded);
            out += 8 + padded;
        }
        in += 8 + padded;
    }
    size_t fl = fmt ? strlen(fmt) : 0, bl = file ? strlen(file) : 0;
    if (bl > 1023 || out + 8 + ((fl + 7) & ~7ULL) + 8 + bl > cs) {
        err_setf(errp, "The backing file name does not fit in the header");
        goto fail;
    }
    if (fl && bl) {
        be32_put(n + out, QCOW2_EXT_BACKING_FORMAT);
        be32_put(n + out + 4, fl);
        memcpy(n + out + 8, fmt, fl);
        out += 8 + ((fl + 7) & ~7ULL);
    }
    out += 8;       /* the end of the extensions (zeroes) */
    be64_put(n + 8, bl ? out : 0);
    be32_put(n + 16, bl);
    memcpy(n + out, file, bl);
    r = bdrv_pwrite(bs->file, 0, n, cs);
    if (r < 0) {
        goto io_err;
    }
    r = bdrv_flush(bs->file);
    if (r < 0) {
        goto io_err;
    }
    free(bs->backing_file);
    free(bs->backing_fmt);
    bs->backing_file = bl ? xstrdup(file) : NULL;
    bs->backing_fmt = fl && bl ? xstrdup(fmt) : NULL;
    free(c0);
    free(n);
    return 0;
io_err:
    err_setf(errp, "Could not write the image header: %s", strerror(-r));
fail:
    free(c0);
    free(n);
    return -1;
}
