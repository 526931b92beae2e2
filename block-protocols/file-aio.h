/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file-aio.h - the host I/O interface of the file protocol, chosen by
 * aio= (qemu-6.2 manual, -drive aio=threads|native|io_uring).
 */
#ifndef HEMU_BLOCK_FILE_AIO_H
#define HEMU_BLOCK_FILE_AIO_H

#include "emu/osdep.h"

struct err;

enum file_aio { FILE_AIO_THREADS, FILE_AIO_NATIVE, FILE_AIO_IO_URING };

/* Can this host use the interface?  An error says why not. */
int file_aio_check(enum file_aio mode, struct err **errp);
/* One read or write at off: the bytes moved or -errno. */
ssize_t file_aio_rw(enum file_aio mode, int fd, void *buf, size_t len,
                    uint64_t off, bool write);

/* Scatter/gather form (niov <= IOV_MAX): the bytes moved or -errno. */
struct iovec;
ssize_t file_aio_rwv(enum file_aio mode, int fd, const struct iovec *iov,
                     int niov, uint64_t off, bool write);

#endif
