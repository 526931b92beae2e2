/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iscsi-aio.h - between iscsi.c (the driver, sessions in worker threads)
 * and iscsi-aio.c (guest reads on a session in the main loop).
 */
#ifndef HEMU_BLOCK_ISCSI_AIO_H
#define HEMU_BLOCK_ISCSI_AIO_H

#include "emu/osdep.h"

struct bdrv;
struct iovec;
struct iscsi_context;
struct iscsi_aio;

/* The LUN as the node's first session found it. */
struct iscsi_lun {
    int lun;
    uint32_t block_size;
    uint64_t num_blocks;
    uint32_t max_xfer;          /* bytes per READ(16) */
};

/* iscsi.c: one more login to the iscsi node bs's LUN (blocking), or
 * NULL; the context is the caller's. */
struct iscsi_context *iscsi_aio_login(struct bdrv *bs, struct iscsi_lun *l);
struct iscsi_aio **iscsi_aio_slot(struct bdrv *bs);

/* iscsi-aio.c; see netblk_aio_readv() (netblk.h). */
int iscsi_aio_readv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                    int niov, void (*done)(void *opaque, int ret),
                    void *opaque);
void iscsi_aio_drain_all(void);
void iscsi_aio_free(struct iscsi_aio *a);

#endif
