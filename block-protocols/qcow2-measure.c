/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-measure.c - how large a qcow2 file gets (hemu-img measure), with
 * the numbers qemu-img measure prints.  Reference: docs/interop/qcow2.txt
 * for the layout (header cluster, L1/L2 tables, refcount table and
 * blocks) and qemu-img(1) "measure": "required size" is what a convert
 * of the input writes, "fully allocated size" what a fully preallocated
 * image of that virtual size takes.  Both count metadata for a fully
 * allocated image (the rule qemu-img follows, so the answers match);
 * "required" then drops the data clusters the input does not hold.
 */
#include "emu/osdep.h"

#include "block-protocols/qcow2.h"
#include "emu/util/err.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
    return (a + b - 1) / b;
}

/* Refcount blocks and table clusters for `clusters` host clusters: the
 * refcount structures count themselves too, so grow until nothing more
 * is needed (a fixed point). */
static uint64_t refcount_meta(uint64_t clusters, uint64_t cs,
                              unsigned refcount_order)
{
    uint64_t per_block = cs * 8 >> refcount_order;
    uint64_t per_table = cs / 8;
    uint64_t blocks = 0, table = 0, total = 0, prev;
    do {
        prev = total;
        blocks = div_up(clusters + table + blocks, per_block);
        table = div_up(blocks, per_table);
        total = clusters + blocks + table;
    } while (total != prev);
    return (blocks + table) * cs;
}

/* Bytes of a fully allocated image of virtual size vsize (a multiple of
 * the cluster size). */
static uint64_t full_size(uint64_t vsize, uint64_t cs, unsigned refcount_order,
                          bool extended_l2)
{
    uint64_t l2e = extended_l2 ? 16 : 8;
    uint64_t meta = cs;                         /* header cluster */
    uint64_t nl2e = div_up(vsize / cs, cs / l2e) * (cs / l2e);
    meta += nl2e * l2e;                         /* L2 tables */
    uint64_t nl1e = nl2e * l2e / cs;
    nl1e = div_up(nl1e, cs / 8) * (cs / 8);
    meta += nl1e * 8;                           /* L1 table */
    meta += refcount_meta((meta + vsize) / cs, cs, refcount_order);
    return meta + vsize;
}

int qcow2_measure(const struct bdrv_create_opts *o, struct bdrv *in,
                  struct bdrv_measure *m, struct err **errp)
{
    uint32_t cs;
    int compat, rbits;
    if (qcow2_check_create_opts(o, &cs, &compat, &rbits, errp) < 0) {
        return -1;
    }
    const char *pre = o->preallocation ? o->preallocation : "off";
    bool full = !strcmp(pre, "full") || !strcmp(pre, "falloc");
    if (!full && strcmp(pre, "off") && strcmp(pre, "metadata")) {
        err_setf(errp, "invalid parameter value: %s", pre);
        return -1;
    }
    uint64_t vsize, required = 0;
    if (in) {
        int64_t len = bdrv_getlength(in);
        if (len < 0) {
            err_setf(errp, "Unable to get image virtual_size: %s",
                     strerror((int)-len));
            return -1;
        }
        vsize = div_up(len, cs) * cs;
        if (o->backing_file) {
            /* The new backing file may share nothing with the input. */
            required = vsize;
        } else {
            for (uint64_t off = 0; off < (uint64_t)len;) {
                uint64_t pnum = 0, map;
                int depth;
                struct bdrv *owner;
                int st = bdrv_block_status_above(in, off, len - off, &pnum,
                                                 &map, &depth, &owner);
                if (st < 0 || !pnum) {
                    err_setf(errp, "Unable to get block status: %s",
                             strerror(st < 0 ? -st : EIO));
                    return -1;
                }
                if (st & BDRV_BLOCK_ZERO) {
                    /* holes and zero clusters cost nothing */
                } else if ((st & (BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED)) ==
                           (BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED)) {
                    /* Whole clusters: the first partly, up to its end. */
                    pnum = div_up(off + pnum, cs) * cs - off;
                    required += off % cs + pnum;
                }
                off += pnum;
            }
        }
    } else {
        vsize = div_up(o->size, cs) * cs;
    }
    if (full) {
        required = vsize;
    }
    m->fully_allocated = full_size(vsize, cs, __builtin_ctz(rbits),
                                   o->extended_l2);
    m->required = m->fully_allocated - vsize + required;
    /* Persistent bitmaps: only a v3 output of a qcow2 input has them (this
     * block layer keeps none, so their size is 0). */
    m->has_bitmaps = compat >= 3 && in && !strcmp(in->drv->name, "qcow2");
    m->bitmaps = 0;
    return 0;
}
