/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commit.h - the commit loop shared by hemu-img commit, HMP commit and
 * QMP block-commit (commit.c).
 */
#ifndef HEMU_BLOCK_COMMIT_H
#define HEMU_BLOCK_COMMIT_H

#include "emu/osdep.h"

struct bdrv;

#define BDRV_COMMIT_CHUNK (1u << 20)

/* Commit the first *pnum bytes (at most BDRV_COMMIT_CHUNK) of [off,
 * off+len): copied into dst if a layer from top down to stop (exclusive;
 * NULL: the whole chain) holds them, skipped otherwise.  buf holds
 * BDRV_COMMIT_CHUNK bytes.  0 or -errno. */
int bdrv_commit_chunk(struct bdrv *top, struct bdrv *stop, struct bdrv *dst,
                      uint64_t off, uint64_t len, uint8_t *buf,
                      uint64_t *pnum);
/* The whole image, dst grown to top's size if smaller, then flushed. */
int bdrv_commit(struct bdrv *top, struct bdrv *stop, struct bdrv *dst);

#endif
