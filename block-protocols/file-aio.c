/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file-aio.c - the host I/O interfaces of the file protocol (aio=):
 * threads is plain pread/pwrite on the block layer's worker threads;
 * native submits each request through Linux AIO (io_setup/io_submit/
 * io_getevents, <linux/aio_abi.h>, raw system calls: no libaio), io_uring
 * through an io_uring (liburing, IORING_OP_READ/WRITE).  Every worker
 * thread has its own context or ring, made on first use; the worker
 * waits for its request's completion, so the block layer's concurrency
 * (its worker pool) is the same for all three — what changes is the
 * kernel interface the I/O goes through, as the option says.
 */
#include "emu/osdep.h"

#include <linux/aio_abi.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "block-protocols/file-aio.h"
#include "config.h"
#include "emu/util/err.h"

#ifdef CONFIG_URING
#include <liburing.h>
#endif

/* ---- Linux AIO ---- */

static __thread aio_context_t aio_ctx;
static __thread bool aio_ready;

static int native_setup(void)
{
    if (!aio_ready) {
        aio_context_t ctx = 0;
        if (syscall(SYS_io_setup, 1, &ctx) < 0) {
            return -errno;
        }
        aio_ctx = ctx;
        aio_ready = true;
    }
    return 0;
}

/* opcode PREAD/PWRITE: buf and len bytes; PREADV/PWRITEV: an iovec
 * array and its count. */
static ssize_t native_rw(int fd, int opcode, const void *buf, size_t len,
                         uint64_t off)
{
    int r = native_setup();
    if (r < 0) {
        return r;
    }
    struct iocb cb = {
        .aio_fildes = fd,
        .aio_lio_opcode = opcode,
        .aio_buf = (uintptr_t)buf,
        .aio_nbytes = len,
        .aio_offset = off,
    };
    struct iocb *cbs[1] = { &cb };
    while (syscall(SYS_io_submit, aio_ctx, 1, cbs) != 1) {
        if (errno != EINTR && errno != EAGAIN) {
            return -errno;
        }
    }
    struct io_event ev;
    while (syscall(SYS_io_getevents, aio_ctx, 1, 1, &ev, NULL) != 1) {
        if (errno != EINTR) {
            return -errno;
        }
    }
    return (ssize_t)ev.res;
}

/* ---- io_uring ---- */

#ifdef CONFIG_URING
static __thread struct io_uring ring;
static __thread bool ring_ready;

static int uring_setup(void)
{
    if (!ring_ready) {
        int r = io_uring_queue_init(4, &ring, 0);
        if (r < 0) {
            return r;
        }
        ring_ready = true;
    }
    return 0;
}

/* iov NULL: one buffer (buf, len); else niov iovecs. */
static ssize_t uring_rw(int fd, void *buf, size_t len,
                        const struct iovec *iov, int niov, uint64_t off,
                        bool write)
{
    int r = uring_setup();
    if (r < 0) {
        return r;
    }
    struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    if (!sqe) {
        return -EBUSY;
    }
    if (iov && write) {
        io_uring_prep_writev(sqe, fd, iov, niov, off);
    } else if (iov) {
        io_uring_prep_readv(sqe, fd, iov, niov, off);
    } else if (write) {
        io_uring_prep_write(sqe, fd, buf, len, off);
    } else {
        io_uring_prep_read(sqe, fd, buf, len, off);
    }
    r = io_uring_submit(&ring);
    if (r < 0) {
        return r;
    }
    struct io_uring_cqe *cqe;
    do {
        r = io_uring_wait_cqe(&ring, &cqe);
    } while (r == -EINTR);
    if (r < 0) {
        return r;
    }
    ssize_t res = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    return res;
}
#endif

int file_aio_check(enum file_aio mode, struct err **errp)
{
    int r = 0;
    switch (mode) {
    case FILE_AIO_THREADS:
        return 0;
    case FILE_AIO_NATIVE:
        r = native_setup();
        if (r < 0) {
            err_setf(errp, "aio=native: Linux AIO is not available: %s",
                     strerror(-r));
        }
        return r;
    case FILE_AIO_IO_URING:
#ifdef CONFIG_URING
        r = uring_setup();
        if (r < 0) {
            err_setf(errp, "Unable to use io_uring: %s", strerror(-r));
        }
        return r;
#else
        err_setf(errp, "aio=io_uring: not supported (hemu was built "
                 "without liburing)");
        return -ENOTSUP;
#endif
    }
    return -EINVAL;
}

ssize_t file_aio_rw(enum file_aio mode, int fd, void *buf, size_t len,
                    uint64_t off, bool write)
{
    ssize_t n;
    switch (mode) {
    case FILE_AIO_NATIVE:
        return native_rw(fd, write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD, buf,
                         len, off);
#ifdef CONFIG_URING
    case FILE_AIO_IO_URING:
        return uring_rw(fd, buf, len, NULL, 0, off, write);
#endif
    default:
        n = write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
        return n < 0 ? -errno : n;
    }
}

ssize_t file_aio_rwv(enum file_aio mode, int fd, const struct iovec *iov,
                     int niov, uint64_t off, bool write)
{
    ssize_t n;
    switch (mode) {
    case FILE_AIO_NATIVE:
        return native_rw(fd, write ? IOCB_CMD_PWRITEV : IOCB_CMD_PREADV, iov,
                         niov, off);
#ifdef CONFIG_URING
    case FILE_AIO_IO_URING:
        return uring_rw(fd, NULL, 0, iov, niov, off, write);
#endif
    default:
        n = write ? pwritev(fd, iov, niov, off) : preadv(fd, iov, niov, off);
        return n < 0 ? -errno : n;
    }
}
