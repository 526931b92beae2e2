/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netblk-aio.c - which network nodes read in the main loop (netblk.h
 * netblk_aio_readv()): an NBD node (nbd-aio.c) or an iSCSI LUN
 * (iscsi-aio.c), directly or under a raw
 * format node that maps it one to one; everything else says -EAGAIN and
 * keeps the worker path of blk-backend.c.
 */
#include "emu/osdep.h"

#include "block-protocols/block.h"
#ifdef CONFIG_ISCSI
#include "block-protocols/iscsi-aio.h"
#endif
#include "block-protocols/nbd.h"
#include "block-protocols/netblk.h"

int netblk_aio_readv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                     int niov, void (*done)(void *opaque, int ret),
                     void *opaque)
{
    if (!strcmp(bs->drv->name, "raw")) {
        /* raw with offset= or size= has another size than its file. */
        if (!bs->file || bs->backing || bs->total_size != bs->file->total_size) {
            return -EAGAIN;
        }
        bs = bs->file;
    }
    if (bs->drv == &bdrv_nbd_ops) {
        return nbd_aio_readv(bs, off, iov, niov, done, opaque);
    }
#ifdef CONFIG_ISCSI
    if (bs->drv == &bdrv_iscsi_ops) {
        return iscsi_aio_readv(bs, off, iov, niov, done, opaque);
    }
#endif
    return -EAGAIN;
}

void netblk_aio_drain(void)
{
    nbd_aio_drain_all();
#ifdef CONFIG_ISCSI
    iscsi_aio_drain_all();
#endif
}
