/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file.c - the "file" protocol: a host file or block device (qemu-6.2
 * manual, -blockdev driver=file).  cache.direct=on opens with O_DIRECT and
 * bounces unaligned requests; cache.no-flush drops flushes (cache=unsafe).
 * locking= takes the open file description (OFD) byte locks QEMU takes, so
 * that hemu and QEMU refuse to open one image for writing twice: a read
 * lock on byte 100+n for each permission n held and on byte 200+n for each
 * permission not shared (QEMU's raw-posix permission locks).
 * Holes are reported with SEEK_DATA/SEEK_HOLE.  aio= picks the kernel
 * interface reads and writes go through (file-aio.c); scatter/gather
 * requests go straight between the file and the caller's iovecs (guest
 * RAM), and a read the page cache holds can be done at once without
 * blocking (preadv2 RWF_NOWAIT).
 */
#include "emu/osdep.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <limits.h>
#include <sys/uio.h>

#include "block-protocols/block.h"
#include "block-protocols/file-aio.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

#define DIRECT_ALIGN 4096
#define LOCK_PERM_BASE 100
#define LOCK_SHARED_BASE 200

/* QEMU's permission bits, in bit order. */
static const char *const perm_names[] = {
    "consistent read", "write", "write unchanged", "resize", "change children",
};
enum { PERM_READ = 1, PERM_WRITE = 2, PERM_WRITE_UNCHANGED = 4,
       PERM_RESIZE = 8, PERM_ALL = 0x1f };

struct file_state {
    int fd;
    bool direct, no_flush, is_blockdev;
    bool locked, lock_try;      /* the lock bytes taken, for reopen */
    unsigned perm, shared;
    enum file_aio aio;
};

static int ofd_lock(int fd, int cmd, short type, off_t byte, short *got)
{
    struct flock fl = {
        .l_type = type, .l_whence = SEEK_SET, .l_start = byte, .l_len = 1,
    };
    if (fcntl(fd, cmd, &fl) < 0) {
        return -errno;
    }
    if (got) {
        *got = fl.l_type;
    }
    return 0;
}

/* Take the permission locks: perm held, shared what others may do. */
static int take_locks(int fd, unsigned perm, unsigned shared, bool try_only,
                      struct err **errp)
{
    for (unsigned i = 0; i < ARRAY_SIZE(perm_names); i++) {
        int r = 0;
        if (perm & (1u << i)) {
            r = ofd_lock(fd, F_OFD_SETLK, F_RDLCK, LOCK_PERM_BASE + i, NULL);
        }
        if (r >= 0 && !(shared & (1u << i))) {
            r = ofd_lock(fd, F_OFD_SETLK, F_RDLCK, LOCK_SHARED_BASE + i, NULL);
        }
        if (r == -EINVAL || r == -ENOTSUP || r == -ENOLCK) {
            if (try_only) {
                return 0;   /* locking=auto on a filesystem without OFD locks */
            }
            err_setf(errp, "Failed to lock byte %u", LOCK_PERM_BASE + i);
            return -1;
        }
        if (r < 0) {
            err_setf(errp, "Failed to get \"%s\" lock\n"
                     "Is another process using the image?", perm_names[i]);
            return -1;
        }
    }
    for (unsigned i = 0; i < ARRAY_SIZE(perm_names); i++) {
        short t = F_UNLCK;
        if (perm & (1u << i)) {
            if (ofd_lock(fd, F_OFD_GETLK, F_WRLCK, LOCK_SHARED_BASE + i, &t) == 0
                && t != F_UNLCK) {
                err_setf(errp, "Failed to get \"%s\" lock\n"
                         "Is another process using the image?",
                         perm_names[i]);
                return -1;
            }
        }
        if (!(shared & (1u << i))) {
            if (ofd_lock(fd, F_OFD_GETLK, F_WRLCK, LOCK_PERM_BASE + i, &t) == 0
                && t != F_UNLCK) {
                err_setf(errp, "Failed to get shared \"%s\" lock\n"
                         "Is another process using the image?",
                         perm_names[i]);
                return -1;
            }
        }
    }
    return 0;
}

static int file_open(struct bdrv *bs, struct kvlist *kv, int flags,
                     struct err **errp)
{
    const char *fn = kv_str(kv, "filename", NULL);
    struct err *e = NULL;
    if (!fn) {
        err_setf(errp, "Parameter 'filename' is required");
        return -1;
    }
    const char *locking = kv_str(kv, "locking", "auto");
    const char *aio = kv_str(kv, "aio", "threads");
    bool force_share = kv_bool(kv, "force-share", false, &e);
    kv_mark_used(kv, "pr-manager");
    kv_mark_used(kv, "aio-max-batch");
    kv_mark_used(kv, "x-check-cache-dropped");
    kv_mark_used(kv, "drop-cache");
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (strcmp(locking, "auto") && strcmp(locking, "on") &&
        strcmp(locking, "off")) {
        err_setf(errp, "Parameter 'locking' does not accept value '%s'",
                 locking);
        return -1;
    }
    if (strcmp(aio, "threads") && strcmp(aio, "native") &&
        strcmp(aio, "io_uring")) {
        err_setf(errp, "Parameter 'aio' does not accept value '%s'", aio);
        return -1;
    }
    if (!strcmp(aio, "native") && !(flags & BDRV_O_NOCACHE)) {
        err_setf(errp, "aio=native was specified, but it requires "
                 "cache.direct=on, which was not specified.");
        return -1;
    }
    enum file_aio mode = !strcmp(aio, "native") ? FILE_AIO_NATIVE :
                         !strcmp(aio, "io_uring") ? FILE_AIO_IO_URING :
                         FILE_AIO_THREADS;
    if (file_aio_check(mode, errp) < 0) {
        return -1;
    }
    int oflags = ((flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    if (flags & BDRV_O_NOCACHE) {
        oflags |= O_DIRECT;
    }
    int fd = open(fn, oflags);
    if (fd < 0) {
        err_setf(errp, "Could not open '%s': %s", fn, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0 || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)
                                && !S_ISCHR(st.st_mode))) {
        err_setf(errp, "'%s' is not a file", fn);
        close(fd);
        return -1;
    }
    if (strcmp(locking, "off") && !(flags & BDRV_O_NO_LOCK)) {
        unsigned perm = PERM_READ, shared = PERM_ALL & ~(PERM_WRITE | PERM_RESIZE);
        if (flags & BDRV_O_RDWR) {
            perm |= PERM_WRITE | PERM_WRITE_UNCHANGED | PERM_RESIZE;
        }
        if (force_share) {
            shared = PERM_ALL;
        }
        if (take_locks(fd, perm, shared, !strcmp(locking, "auto"), errp) < 0) {
            close(fd);
            return -1;
        }
    }
    struct file_state *s = xzalloc(sizeof(*s));
    if (strcmp(locking, "off") && !(flags & BDRV_O_NO_LOCK)) {
        s->locked = true;
        s->lock_try = !strcmp(locking, "auto");
        s->perm = PERM_READ | ((flags & BDRV_O_RDWR) ?
                               PERM_WRITE | PERM_WRITE_UNCHANGED | PERM_RESIZE
                               : 0);
        s->shared = force_share ? PERM_ALL
                                : PERM_ALL & ~(PERM_WRITE | PERM_RESIZE);
    }
    s->fd = fd;
    s->direct = flags & BDRV_O_NOCACHE;
    s->no_flush = flags & BDRV_O_NO_FLUSH;
    s->is_blockdev = S_ISBLK(st.st_mode);
    s->aio = mode;
    bs->opaque = s;
    bs->filename = xstrdup(fn);
    return 0;
}

static void file_close(struct bdrv *bs)
{
    struct file_state *s = bs->opaque;
    close(s->fd);     /* drops the OFD locks too */
    free(s);
}

static void drop_locks(int fd)
{
    for (unsigned i = 0; i < ARRAY_SIZE(perm_names); i++) {
        ofd_lock(fd, F_OFD_SETLK, F_UNLCK, LOCK_PERM_BASE + i, NULL);
        ofd_lock(fd, F_OFD_SETLK, F_UNLCK, LOCK_SHARED_BASE + i, NULL);
    }
}

/* Read-only <-> read-write on a new descriptor (block-commit writes into
 * a backing file).  Our own old descriptor's lock bytes would conflict
 * with the new ones (OFD locks belong to the open file description), so
 * they are dropped first and taken back if the new ones fail. */
static int file_reopen(struct bdrv *bs, int flags, struct err **errp)
{
    struct file_state *s = bs->opaque;
    bool rw = flags & BDRV_O_RDWR;
    int fd = open(bs->filename, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC |
                                (s->direct ? O_DIRECT : 0));
    if (fd < 0) {
        err_setf(errp, "Could not reopen '%s': %s", bs->filename,
                 strerror(errno));
        return -1;
    }
    unsigned perm = PERM_READ |
                    (rw ? PERM_WRITE | PERM_WRITE_UNCHANGED | PERM_RESIZE : 0);
    if (s->locked) {
        drop_locks(s->fd);
        if (take_locks(fd, perm, s->shared, s->lock_try, errp) < 0) {
            close(fd);
            struct err *e = NULL;
            take_locks(s->fd, s->perm, s->shared, s->lock_try, &e);
            err_free(e);
            return -1;
        }
        s->perm = perm;
    }
    close(s->fd);
    s->fd = fd;
    return 0;
}

static bool aligned(uint64_t off, const void *buf, size_t len)
{
    return !(off % DIRECT_ALIGN) && !((uintptr_t)buf % DIRECT_ALIGN) &&
           !(len % DIRECT_ALIGN);
}

static int read_full(int fd, enum file_aio aio, uint64_t off, void *buf,
                     size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = file_aio_rw(aio, fd, p, len, off, false);
        if (n < 0) {
            if (n == -EINTR) {
                continue;
            }
            return n;
        }
        if (n == 0) {
            memset(p, 0, len);  /* past the end of the file reads zeroes */
            return 0;
        }
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

static int pwrite_full(int fd, enum file_aio aio, uint64_t off,
                       const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = file_aio_rw(aio, fd, (void *)p, len, off, true);
        if (n < 0) {
            if (n == -EINTR) {
                continue;
            }
            return n;
        }
        if (n == 0) {
            return -ENOSPC;
        }
        p += n;
        off += n;
        len -= n;
    }
    return 0;
}

/* O_DIRECT with an unaligned request: through an aligned bounce buffer
 * (read-modify-write for writes). */
static int bounce(struct file_state *s, uint64_t off, void *buf, size_t len,
                  bool write)
{
    uint64_t start = off & ~(uint64_t)(DIRECT_ALIGN - 1);
    uint64_t end = (off + len + DIRECT_ALIGN - 1) & ~(uint64_t)(DIRECT_ALIGN - 1);
    void *b;
    if (posix_memalign(&b, DIRECT_ALIGN, end - start)) {
        return -ENOMEM;
    }
    struct stat st;
    uint64_t old_size = fstat(s->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    int r = read_full(s->fd, s->aio, start, b, end - start);
    if (r >= 0 && write) {
        memcpy((uint8_t *)b + (off - start), buf, len);
        r = pwrite_full(s->fd, s->aio, start, b, end - start);
        /* The tail padding must not grow the file past the request. */
        if (r >= 0 && !s->is_blockdev && end > old_size &&
            end > off + len && ftruncate(s->fd, MAX(old_size, off + len)) < 0) {
            r = -errno;
        }
    } else if (r >= 0) {
        memcpy(buf, (uint8_t *)b + (off - start), len);
    }
    free(b);
    return r;
}

static int file_pread(struct bdrv *bs, uint64_t off, void *buf, size_t len)
{
    struct file_state *s = bs->opaque;
    if (s->direct && !aligned(off, buf, len)) {
        return bounce(s, off, buf, len, false);
    }
    return read_full(s->fd, s->aio, off, buf, len);
}

static int file_pwrite(struct bdrv *bs, uint64_t off, const void *buf,
                       size_t len)
{
    struct file_state *s = bs->opaque;
    int r;
    if (s->direct && !aligned(off, buf, len)) {
        r = bounce(s, off, (void *)buf, len, true);
    } else {
        r = pwrite_full(s->fd, s->aio, off, buf, len);
    }
    if (r >= 0 && (bs->flags & BDRV_O_WRITETHROUGH) && !s->no_flush) {
        if (fdatasync(s->fd) < 0) {
            r = -errno;
        }
    }
    return r;
}

static bool iov_aligned(uint64_t off, const struct iovec *iov, int niov)
{
    if (off % DIRECT_ALIGN) {
        return false;
    }
    for (int i = 0; i < niov; i++) {
        if ((uintptr_t)iov[i].iov_base % DIRECT_ALIGN ||
            iov[i].iov_len % DIRECT_ALIGN) {
            return false;
        }
    }
    return true;
}

/* Move every byte of the iovecs (at most IOV_MAX per system call; short
 * counts resume where they stopped).  A read past the end of the file
 * gets zeroes. */
static int rwv_full(struct file_state *s, uint64_t off,
                    const struct iovec *iov_in, int niov, bool write)
{
    struct iovec local[64];
    struct iovec *iov = niov <= 64 ? local : malloc(niov * sizeof(*iov));
    if (!iov) {
        return -ENOMEM;
    }
    memcpy(iov, iov_in, niov * sizeof(*iov));
    int i = 0, r = 0;
    while (i < niov) {
        if (!iov[i].iov_len) {
            i++;
            continue;
        }
        ssize_t n = file_aio_rwv(s->aio, s->fd, iov + i, MIN(niov - i, IOV_MAX),
                                 off, write);
        if (n == -EINTR) {
            continue;
        }
        if (n < 0) {
            r = n;
            break;
        }
        if (n == 0) {
            if (write) {
                r = -ENOSPC;
                break;
            }
            for (; i < niov; i++) {
                memset(iov[i].iov_base, 0, iov[i].iov_len);
            }
            break;
        }
        off += n;
        while (n > 0 && i < niov) {
            size_t k = MIN((size_t)n, iov[i].iov_len);
            iov[i].iov_base = (uint8_t *)iov[i].iov_base + k;
            iov[i].iov_len -= k;
            n -= k;
            if (!iov[i].iov_len) {
                i++;
            }
        }
    }
    if (iov != local) {
        free(iov);
    }
    return r;
}

/* O_DIRECT with an unaligned vector: one aligned bounce for it all. */
static int bounce_v(struct file_state *s, uint64_t off,
                    const struct iovec *iov, int niov, bool write)
{
    uint64_t len = iov_size(iov, niov);
    void *b = malloc(len);
    if (!b) {
        return -ENOMEM;
    }
    if (write) {
        iov_to_buf(iov, niov, b, len);
    }
    int r = bounce(s, off, b, len, write);
    if (r >= 0 && !write) {
        iov_from_buf(iov, niov, b, len);
    }
    free(b);
    return r;
}

static int file_preadv(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                       int niov)
{
    struct file_state *s = bs->opaque;
    if (s->direct && !iov_aligned(off, iov, niov)) {
        return bounce_v(s, off, iov, niov, false);
    }
    return rwv_full(s, off, iov, niov, false);
}

static int file_pwritev(struct bdrv *bs, uint64_t off, const struct iovec *iov,
                        int niov)
{
    struct file_state *s = bs->opaque;
    int r;
    if (s->direct && !iov_aligned(off, iov, niov)) {
        r = bounce_v(s, off, iov, niov, true);
    } else {
        r = rwv_full(s, off, iov, niov, true);
    }
    if (r >= 0 && (bs->flags & BDRV_O_WRITETHROUGH) && !s->no_flush) {
        if (fdatasync(s->fd) < 0) {
            r = -errno;
        }
    }
    return r;
}

/* A page-cache hit read at once (RWF_NOWAIT): no worker thread, no
 * wakeups.  O_DIRECT always waits for the device, so it never qualifies;
 * a short or refused read is left to the blocking path. */
static int file_preadv_nowait(struct bdrv *bs, uint64_t off,
                              const struct iovec *iov, int niov)
{
    struct file_state *s = bs->opaque;
    if (s->direct || niov > IOV_MAX) {
        return -EAGAIN;
    }
    uint64_t len = iov_size(iov, niov);
    ssize_t n = preadv2(s->fd, iov, niov, off, RWF_NOWAIT);
    return n >= 0 && (uint64_t)n == len ? 0 : -EAGAIN;
}

static int file_pwrite_zeroes(struct bdrv *bs, uint64_t off, uint64_t len,
                              bool may_unmap)
{
    struct file_state *s = bs->opaque;
    if (s->is_blockdev) {
        return -ENOTSUP;
    }
    int mode = may_unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
                         : FALLOC_FL_ZERO_RANGE;
    struct stat st;
    if (fstat(s->fd, &st) == 0 && off + len > (uint64_t)st.st_size) {
        /* Punching does not grow the file; zeroes past the end must. */
        mode = FALLOC_FL_ZERO_RANGE;
    }
    if (fallocate(s->fd, mode, off, len) == 0) {
        return 0;
    }
    return -ENOTSUP;
}

static int file_discard(struct bdrv *bs, uint64_t off, uint64_t len)
{
    struct file_state *s = bs->opaque;
    if (s->is_blockdev) {
        uint64_t range[2] = { off, len };
        return ioctl(s->fd, BLKDISCARD, range) < 0 ? 0 : 0;
    }
    /* Discard is advisory: a filesystem without hole punching ignores it. */
    fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
    return 0;
}

static int file_flush(struct bdrv *bs)
{
    struct file_state *s = bs->opaque;
    if (s->no_flush) {
        return 0;
    }
    return fdatasync(s->fd) < 0 ? -errno : 0;
}

static int64_t file_getlength(struct bdrv *bs)
{
    struct file_state *s = bs->opaque;
    if (s->is_blockdev) {
        uint64_t sz = 0;
        if (ioctl(s->fd, BLKGETSIZE64, &sz) < 0) {
            return -errno;
        }
        return sz;
    }
    struct stat st;
    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return st.st_size;
}

static int64_t file_allocated_size(struct bdrv *bs)
{
    struct file_state *s = bs->opaque;
    struct stat st;
    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return (int64_t)st.st_blocks * 512;
}

static int file_truncate(struct bdrv *bs, uint64_t len, struct err **errp)
{
    struct file_state *s = bs->opaque;
    if (s->is_blockdev) {
        err_setf(errp, "Cannot resize a block device");
        return -ENOTSUP;
    }
    if (ftruncate(s->fd, len) < 0) {
        int e = errno;
        err_setf(errp, "Failed to resize the file: %s", strerror(e));
        return -e;
    }
    return 0;
}

static int file_block_status(struct bdrv *bs, uint64_t off, uint64_t len,
                             uint64_t *pnum, uint64_t *map)
{
    struct file_state *s = bs->opaque;
    *map = off;
    off_t data = lseek(s->fd, off, SEEK_DATA);
    if (data < 0) {
        /* ENXIO: only a hole up to the end; other errors: assume data. */
        if (errno == ENXIO) {
            *pnum = len;
            return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
        }
        *pnum = len;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
    }
    if ((uint64_t)data > off) {
        *pnum = MIN(len, (uint64_t)data - off);
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
    }
    off_t hole = lseek(s->fd, off, SEEK_HOLE);
    if (hole < 0 || (uint64_t)hole <= off) {
        *pnum = len;
    } else {
        *pnum = MIN(len, (uint64_t)hole - off);
    }
    return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
}

static int file_create(const char *filename, const struct bdrv_create_opts *o,
                       struct err **errp)
{
    int fd = open(filename, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        err_setf(errp, "Could not create '%s': %s", filename, strerror(errno));
        return -1;
    }
    const char *pre = o->preallocation ? o->preallocation : "off";
    int r = 0;
    if (ftruncate(fd, o->size) < 0) {
        r = -errno;
    } else if (!strcmp(pre, "falloc")) {
        r = -posix_fallocate(fd, 0, o->size);
    } else if (!strcmp(pre, "full")) {
        size_t chunk = 1 << 20;
        void *z = xzalloc(chunk);
        for (uint64_t off = 0; off < o->size && r >= 0; off += chunk) {
            r = pwrite_full(fd, FILE_AIO_THREADS, off, z, MIN((uint64_t)chunk, o->size - off));
        }
        free(z);
    } else if (strcmp(pre, "off")) {
        err_setf(errp, "Unsupported preallocation mode '%s'", pre);
        close(fd);
        return -1;
    }
    if (r < 0) {
        err_setf(errp, "Could not resize file: %s", strerror(-r));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

const struct bdrv_ops bdrv_file_ops = {
    .name = "file",
    .is_protocol = true,
    .open = file_open,
    .close = file_close,
    .reopen = file_reopen,
    .pread = file_pread,
    .pwrite = file_pwrite,
    .preadv = file_preadv,
    .pwritev = file_pwritev,
    .preadv_nowait = file_preadv_nowait,
    .pwrite_zeroes = file_pwrite_zeroes,
    .discard = file_discard,
    .flush = file_flush,
    .getlength = file_getlength,
    .allocated_size = file_allocated_size,
    .truncate = file_truncate,
    .block_status = file_block_status,
    .create = file_create,
};
