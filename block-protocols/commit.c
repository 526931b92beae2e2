/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commit.c - copy what the upper layers of a backing chain hold into a
 * lower image: the one loop behind hemu-img commit, HMP commit and QMP
 * block-commit (qemu-img(1) "commit", QMP reference "block-commit").
 * Only ranges some layer from top down to (not including) stop has
 * allocated are copied; zero clusters become write-zeroes in the
 * destination; unallocated ranges read through to what the destination
 * already holds.  The caller holds the tree's lock.
 */
#include "emu/osdep.h"

#include "block-protocols/block.h"
#include "block-protocols/commit.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

int bdrv_commit_chunk(struct bdrv *top, struct bdrv *stop, struct bdrv *dst,
                      uint64_t off, uint64_t len, uint8_t *buf,
                      uint64_t *pnum)
{
    len = MIN(len, (uint64_t)BDRV_COMMIT_CHUNK);
    int st = 0;
    bool owned = false;
    uint64_t n = len;
    for (struct bdrv *b = top; b && b != stop; b = b->backing) {
        uint64_t got = 0, map;
        st = bdrv_block_status(b, off, n, &got, &map);
        if (st < 0) {
            return st;
        }
        if (!got) {
            /* Past the end of a shorter layer: it reads as zeroes. */
            st = BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
            owned = true;
            break;
        }
        n = MIN(n, got);
        if (st & BDRV_BLOCK_ALLOCATED) {
            owned = true;
            break;
        }
    }
    *pnum = n;
    if (!owned) {
        return 0;
    }
    if ((st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA)) {
        return bdrv_pwrite_zeroes(dst, off, n, false);
    }
    int r = bdrv_pread(top, off, buf, n);
    return r < 0 ? r : bdrv_pwrite(dst, off, buf, n);
}

int bdrv_commit(struct bdrv *top, struct bdrv *stop, struct bdrv *dst)
{
    int64_t size = bdrv_getlength(top);
    if (size < 0) {
        return (int)size;
    }
    int64_t dsize = bdrv_getlength(dst);
    if (dsize < 0) {
        return (int)dsize;
    }
    if (dsize < size) {
        struct err *e = NULL;
        /* As qemu-img commit: the destination grows to the image. */
        if (bdrv_truncate(dst, size, &e) < 0) {
            err_free(e);
            return -ENOSPC;
        }
    }
    uint8_t *buf = xmalloc(BDRV_COMMIT_CHUNK);
    int r = 0;
    for (uint64_t off = 0; off < (uint64_t)size && r >= 0;) {
        uint64_t n = 0;
        r = bdrv_commit_chunk(top, stop, dst, off, size - off, buf, &n);
        if (r >= 0 && !n) {
            r = -EIO;
        }
        off += n;
    }
    free(buf);
    return r < 0 ? r : bdrv_flush(dst);
}
