/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block_test.c - the block layer (block-protocols/): raw and qcow2 nodes
 * written with random requests against an in-memory model, with small
 * clusters (refcount table growth), version 2, backing files (partial
 * cluster copy-on-write), zero writes, discard, compressed writes, growth;
 * the driver's own check must find no error and Debian's qemu-img check
 * and compare (the reference) must agree; OFD locking refuses a second
 * writer; hostile headers are refused; and a crash test: a child writing
 * and flushing is killed with SIGKILL, after which qemu-img check finds
 * no corruption and everything flushed is there.
 */
#include "emu/osdep.h"

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

#include "block-protocols/blk-backend.h"
#include "block-protocols/block.h"
#include "emu/cli/keyval.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

static char dir[64];

static char *path(const char *name)
{
    static char buf[8][128];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
    return buf[k];
}

static struct bdrv *open_rw(const char *fn, const char *fmt)
{
    struct err *e = NULL;
    struct bdrv *bs = bdrv_open(fn, fmt, NULL, BDRV_O_RDWR, &e);
    if (!bs) {
        printf("#   open %s: %s\n", fn, e ? e->msg : "?");
        err_free(e);
        test_failed_now = 1;
    }
    return bs;
}

static int create(const char *fmt, const char *fn, uint64_t size,
                  uint32_t cs, int compat, const char *backing)
{
    struct bdrv_create_opts o = {
        .size = size, .cluster_size = cs, .compat = compat,
        .backing_file = backing, .backing_fmt = backing ? "qcow2" : NULL,
    };
    struct err *e = NULL;
    int r = bdrv_create(fmt, fn, &o, &e);
    if (r < 0) {
        printf("#   create %s: %s\n", fn, e ? e->msg : "?");
        err_free(e);
        test_failed_now = 1;
    }
    return r;
}

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static bool have_qemu_img(void)
{
    return system("qemu-img --version >/dev/null 2>&1") == 0;
}

static int sh(const char *fmt, ...) PRINTF_FMT(1, 2);
static int sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    int r = system(cmd);
    return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static void expect_own_check_clean(struct bdrv *bs)
{
    struct bdrv_check_result res;
    EXPECT_EQ(bs->drv->check(bs, &res, 0, stdout), 0);
    EXPECT_EQ(res.corruptions, 0);
    EXPECT_EQ(res.leaks, 0);
    EXPECT_EQ(res.check_errors, 0);
}

/* Random writes, zero writes and discards on bs and on the model; then
 * every byte must read back as in the model. */
static void random_io(struct bdrv *bs, uint8_t *model, uint64_t size, int n,
                      bool zeroes)
{
    uint8_t *buf = malloc(1 << 20);
    for (int i = 0; i < n; i++) {
        uint64_t big = rnd() % 4 ? 70000 : (1 << 20);
        uint64_t len = 1 + rnd() % big;
        uint64_t off = rnd() % size;
        if (rnd() % 2) {
            off &= ~511ULL;
            len = (len + 511) & ~511ULL;
        }
        len = MIN(len, size - off);
        if (!len) {
            continue;
        }
        int kind = zeroes ? rnd() % 8 : 0;
        if (kind == 7) {
            EXPECT_EQ(bdrv_pwrite_zeroes(bs, off, len, rnd() % 2), 0);
            memset(model + off, 0, len);
        } else {
            uint8_t pat = rnd();
            for (uint64_t j = 0; j < len; j++) {
                buf[j] = pat + j / 512;
            }
            EXPECT_EQ(bdrv_pwrite(bs, off, buf, len), 0);
            memcpy(model + off, buf, len);
        }
    }
    free(buf);
    uint8_t *all = malloc(size);
    EXPECT_EQ(bdrv_pread(bs, 0, all, size), 0);
    EXPECT(!memcmp(all, model, size));
    /* Unaligned reads across cluster boundaries too. */
    for (int i = 0; i < 50; i++) {
        uint64_t off = rnd() % size, r = 1 + rnd() % 200000;
        uint64_t len = MIN(size - off, r);
        memset(all, 0xee, len);
        EXPECT_EQ(bdrv_pread(bs, off, all, len), 0);
        EXPECT(!memcmp(all, model + off, len));
    }
    free(all);
}

/* Write the model as a raw file for qemu-img compare. */
static void write_model(const char *fn, const uint8_t *model, uint64_t size)
{
    FILE *f = fopen(fn, "wb");
    EXPECT(f && fwrite(model, 1, size, f) == size);
    if (f) {
        fclose(f);
    }
}

static void qcow2_roundtrip(uint32_t cs, int compat, uint64_t size, int n)
{
    const char *fn = path("rt.qcow2");
    if (create("qcow2", fn, size, cs, compat, NULL) < 0) {
        return;
    }
    struct bdrv *bs = open_rw(fn, "qcow2");
    if (!bs) {
        return;
    }
    uint8_t *model = calloc(1, size);
    random_io(bs, model, size, n, true);
    expect_own_check_clean(bs);
    EXPECT_EQ(bdrv_flush(bs), 0);
    bdrv_close(bs);
    /* Reopened: the same bytes. */
    struct err *e = NULL;
    bs = bdrv_open(fn, NULL, NULL, 0, &e);
    EXPECT(bs != NULL);
    if (bs) {
        EXPECT_STR(bs->drv->name, "qcow2");
        uint8_t *all = malloc(size);
        EXPECT_EQ(bdrv_pread(bs, 0, all, size), 0);
        EXPECT(!memcmp(all, model, size));
        free(all);
        bdrv_close(bs);
    }
    if (have_qemu_img()) {
        write_model(path("model.raw"), model, size);
        EXPECT_EQ(sh("qemu-img check -q %s", fn), 0);
        EXPECT_EQ(sh("qemu-img compare -q -f raw -F qcow2 %s %s",
                     path("model.raw"), fn), 0);
    }
    free(model);
}

TEST(qcow2_v3_64k_random_io)
{
    qcow2_roundtrip(65536, 3, 48 << 20, 300);
}

TEST(qcow2_v3_512b_clusters_grow_refcount_table)
{
    qcow2_roundtrip(512, 3, 12 << 20, 200);
}

TEST(qcow2_v2_4k_random_io)
{
    qcow2_roundtrip(4096, 2, 16 << 20, 200);
}

TEST(raw_random_io_and_window)
{
    const char *fn = path("r.raw");
    uint64_t size = 8 << 20;
    if (create("raw", fn, size, 0, 0, NULL) < 0) {
        return;
    }
    struct bdrv *bs = open_rw(fn, "raw");
    if (!bs) {
        return;
    }
    uint8_t *model = calloc(1, size);
    random_io(bs, model, size, 100, true);
    bdrv_close(bs);
    /* offset=/size= window over the same file. */
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "offset", "1M");
    kv_set(kv, "size", "2M");
    struct err *e = NULL;
    bs = bdrv_open(fn, "raw", kv, 0, &e);
    kvlist_free(kv);
    EXPECT(bs != NULL);
    if (bs) {
        EXPECT_EQ(bs->total_size, 2 << 20);
        uint8_t *b = malloc(2 << 20);
        EXPECT_EQ(bdrv_pread(bs, 0, b, 2 << 20), 0);
        EXPECT(!memcmp(b, model + (1 << 20), 2 << 20));
        EXPECT(bdrv_pread(bs, 1 << 20, b, (1 << 20) + 1) < 0);
        free(b);
        bdrv_close(bs);
    }
    kv = kvlist_new();
    kv_set(kv, "offset", "7M");
    kv_set(kv, "size", "2M");
    bs = bdrv_open(fn, "raw", kv, 0, &e);
    kvlist_free(kv);
    EXPECT(bs == NULL);
    EXPECT(e && strstr(e->msg, "has to be smaller or equal"));
    err_free(e);
    free(model);
}

/* Does this process hold a file descriptor or mapping named like what? */
static bool proc_has(const char *what)
{
    char buf[512];
    bool found = false;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *de;
    while (d && !found && (de = readdir(d))) {
        char l[300];
        snprintf(l, sizeof(l), "/proc/self/fd/%s", de->d_name);
        ssize_t n = readlink(l, buf, sizeof(buf) - 1);
        if (n > 0) {
            buf[n] = 0;
            found = strstr(buf, what) != NULL;
        }
    }
    if (d) {
        closedir(d);
    }
    FILE *f = fopen("/proc/self/maps", "r");
    while (f && !found && fgets(buf, sizeof(buf), f)) {
        found = strstr(buf, what) != NULL;
    }
    if (f) {
        fclose(f);
    }
    return found;
}

/* aio=native and aio=io_uring really go through Linux AIO and io_uring
 * (their kernel objects exist), with the same data as threads. */
TEST(file_aio_native_and_io_uring)
{
    static const struct { const char *aio, *kernel_obj; int flags; } m[] = {
        { "native", "[aio]", BDRV_O_NOCACHE },
        { "io_uring", "io_uring", 0 },
        { "io_uring", "io_uring", BDRV_O_NOCACHE },
    };
    for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
        const char *fn = path("aio.raw");
        uint64_t size = 4 << 20;
        unlink(fn);
        if (create("raw", fn, size, 0, 0, NULL) < 0) {
            return;
        }
        struct kvlist *kv = kvlist_new();
        kv_set(kv, "file.aio", m[i].aio);
        struct err *e = NULL;
        struct bdrv *bs = bdrv_open(fn, "raw", kv, BDRV_O_RDWR | m[i].flags, &e);
        kvlist_free(kv);
        if (!bs) {
            printf("#   aio=%s: %s\n", m[i].aio, e ? e->msg : "?");
            err_free(e);
            test_failed_now = 1;
            return;
        }
        uint8_t *model = calloc(1, size);
        random_io(bs, model, size, 60, false);
        EXPECT(proc_has(m[i].kernel_obj));
        bdrv_close(bs);
        free(model);
    }
    /* native without O_DIRECT is refused, as in QEMU */
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "file.aio", "native");
    struct err *e = NULL;
    struct bdrv *bs = bdrv_open(path("aio.raw"), "raw", kv, BDRV_O_RDWR, &e);
    kvlist_free(kv);
    EXPECT(bs == NULL && e && strstr(e->msg, "requires cache.direct=on"));
    err_free(e);
}

TEST(qcow2_backing_chain_cow)
{
    uint64_t size = 8 << 20;
    const char *base = path("base.qcow2"), *top = path("top.qcow2");
    if (create("qcow2", base, size, 65536, 3, NULL) < 0) {
        return;
    }
    struct bdrv *bs = open_rw(base, "qcow2");
    if (!bs) {
        return;
    }
    uint8_t *model = calloc(1, size);
    random_io(bs, model, size, 40, false);
    bdrv_close(bs);
    if (create("qcow2", top, size, 65536, 3, "base.qcow2") < 0) {
        return;
    }
    bs = open_rw(top, NULL);
    if (!bs) {
        return;
    }
    EXPECT(bs->backing != NULL);
    EXPECT_STR(bs->backing_file, "base.qcow2");
    /* Partial-cluster writes copy the rest from the backing file; zero
     * writes must hide the backing data. */
    random_io(bs, model, size, 150, true);
    expect_own_check_clean(bs);
    bdrv_close(bs);
    if (have_qemu_img()) {
        write_model(path("model.raw"), model, size);
        EXPECT_EQ(sh("qemu-img check -q %s", top), 0);
        EXPECT_EQ(sh("qemu-img compare -q -f raw %s %s", path("model.raw"),
                     top), 0);
    }
    free(model);
}

TEST(qcow2_compressed_write_and_growth)
{
    uint64_t size = 4 << 20;
    const char *fn = path("c.qcow2");
    if (create("qcow2", fn, size, 65536, 3, NULL) < 0) {
        return;
    }
    struct bdrv *bs = open_rw(fn, "qcow2");
    if (!bs) {
        return;
    }
    uint8_t *model = calloc(1, size * 2);
    for (uint64_t off = 0; off < size; off += 65536) {
        for (int j = 0; j < 65536; j++) {
            model[off + j] = (off >> 16) * 3 + (j / 1000);
        }
        EXPECT_EQ(bs->drv->pwrite_compressed(bs, off, model + off, 65536), 0);
    }
    /* Overwrite a compressed cluster partially: copied, then freed. */
    memset(model + 100000, 0x5a, 3000);
    EXPECT_EQ(bdrv_pwrite(bs, 100000, model + 100000, 3000), 0);
    struct err *e = NULL;
    EXPECT_EQ(bdrv_truncate(bs, size * 2, &e), 0);
    memset(model + size + 12345, 0x77, 200000);
    EXPECT_EQ(bdrv_pwrite(bs, size + 12345, model + size + 12345, 200000), 0);
    uint8_t *all = malloc(size * 2);
    EXPECT_EQ(bdrv_pread(bs, 0, all, size * 2), 0);
    EXPECT(!memcmp(all, model, size * 2));
    free(all);
    expect_own_check_clean(bs);
    bdrv_close(bs);
    if (have_qemu_img()) {
        write_model(path("model.raw"), model, size * 2);
        EXPECT_EQ(sh("qemu-img check -q %s", fn), 0);
        EXPECT_EQ(sh("qemu-img compare -q -f raw %s %s", path("model.raw"),
                     fn), 0);
    }
    free(model);
}

TEST(qcow2_reads_qemu_snapshot_image_and_writes_around_it)
{
    if (!have_qemu_img()) {
        printf("#   qemu-img missing (scripts/install-deps.sh installs it)\n");
        test_failed_now = 1;
        return;
    }
    const char *fn = path("snap.qcow2");
    EXPECT_EQ(sh("qemu-img create -q -f qcow2 %s 4M && "
                 "qemu-io -c 'write -P 0x61 0 1M' %s >/dev/null && "
                 "qemu-img snapshot -c first %s", fn, fn, fn), 0);
    struct bdrv *bs = open_rw(fn, "qcow2");
    if (!bs) {
        return;
    }
    struct bdrv_snapshot *sn = NULL;
    int n = bs->drv->snapshot_list(bs, &sn);
    EXPECT_EQ(n, 1);
    if (n == 1) {
        EXPECT_STR(sn[0].name, "first");
        free(sn[0].id);
        free(sn[0].name);
    }
    free(sn);
    /* Clusters shared with the snapshot are copied before the write. */
    uint8_t b[4096];
    memset(b, 0x62, sizeof(b));
    EXPECT_EQ(bdrv_pwrite(bs, 8192, b, sizeof(b)), 0);
    expect_own_check_clean(bs);
    bdrv_close(bs);
    EXPECT_EQ(sh("qemu-img check -q %s", fn), 0);
    /* The snapshot still holds the old data. */
    EXPECT_EQ(sh("qemu-img snapshot -a first %s && "
                 "qemu-io -c 'read -P 0x61 0 1M' %s | grep -q 'read 1048576'",
                 fn, fn), 0);
}

TEST(locking_refuses_second_writer)
{
    const char *fn = path("lock.raw");
    if (create("raw", fn, 1 << 20, 0, 0, NULL) < 0) {
        return;
    }
    struct bdrv *a = open_rw(fn, "raw");
    struct err *e = NULL;
    /* A second open file description conflicts like a second process. */
    struct bdrv *b = bdrv_open(fn, "raw", NULL, BDRV_O_RDWR, &e);
    EXPECT(b == NULL);
    EXPECT(e && strstr(e->msg, "lock"));
    err_free(e);
    e = NULL;
    struct kvlist *kv = kvlist_new();
    kv_set(kv, "file.locking", "off");
    b = bdrv_open(fn, "raw", kv, 0, &e);
    kvlist_free(kv);
    EXPECT(b != NULL);
    bdrv_close(b);
    if (have_qemu_img()) {
        /* QEMU's own tools see hemu's locks. */
        EXPECT(sh("qemu-io -c 'write 0 512' -f raw %s >/dev/null 2>&1", fn) != 0);
    }
    bdrv_close(a);
}

TEST(hostile_headers_refused)
{
    const char *fn = path("bad.qcow2");
    static const struct { unsigned off, len; uint64_t val; } cases[] = {
        { 4, 4, 9 },            /* version */
        { 20, 4, 40 },          /* cluster_bits */
        { 36, 4, 0x7fffffff },  /* l1_size */
        { 40, 8, 12345 },       /* misaligned L1 */
        { 56, 4, 0 },           /* no refcount table */
        { 96, 4, 9 },           /* refcount_order */
        { 72, 8, 1ULL << 40 },  /* unknown incompatible feature */
        { 32, 4, 1 },           /* encryption */
        { 16, 4, 5000 },        /* backing name length */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        if (create("qcow2", fn, 1 << 20, 65536, 3, NULL) < 0) {
            return;
        }
        FILE *f = fopen(fn, "r+b");
        uint8_t v[8];
        if (cases[i].len == 4) {
            be32_put(v, cases[i].val);
        } else {
            be64_put(v, cases[i].val);
        }
        if (cases[i].off == 16) {
            uint8_t o[8];
            be64_put(o, 512);
            fseek(f, 8, SEEK_SET);
            fwrite(o, 1, 8, f);
        }
        fseek(f, cases[i].off, SEEK_SET);
        fwrite(v, 1, cases[i].len, f);
        fclose(f);
        struct err *e = NULL;
        struct bdrv *bs = bdrv_open(fn, "qcow2", NULL, 0, &e);
        if (bs) {
            printf("#   case %zu opened\n", i);
        }
        EXPECT(bs == NULL);
        EXPECT(e != NULL);
        err_free(e);
        bdrv_close(bs);
    }
}

/* The crash test: a child writes 64 KiB records (each tagged with its
 * sequence number) at pseudo-random places, flushing every few writes and
 * reporting each completed flush through a pipe; it is killed with
 * SIGKILL at a random moment.  Every record acknowledged by a flush must
 * be there afterwards (unless a later record overwrote its place), and
 * qemu-img check must find no corruption (leaks are allowed). */
static void crash_child(const char *fn, int wfd, uint64_t seed)
{
    struct err *e = NULL;
    struct bdrv *bs = bdrv_open(fn, "qcow2", NULL, BDRV_O_RDWR, &e);
    if (!bs) {
        _exit(1);
    }
    uint8_t buf[65536];
    rng = seed;
    for (uint32_t seq = 1;; seq++) {
        uint64_t slot = rnd() % 256;
        memset(buf, seq & 0xff, sizeof(buf));
        be32_put(buf, seq);
        /* Inside one cluster but not all of it: copy-on-write paths. */
        if (bdrv_pwrite(bs, slot * 65536 + 4096, buf, sizeof(buf) - 8192) < 0) {
            _exit(2);
        }
        if (seq % 4 == 0) {
            if (bdrv_flush(bs) < 0) {
                _exit(3);
            }
            if (write(wfd, &seq, 4) != 4) {
                _exit(4);
            }
        }
    }
}

static void dz_done(void *opaque, int ret)
{
    *(int *)opaque = ret;
}

/* One write through the block backend, waited for. */
static int blk_write_sync(struct blk *b, uint64_t off, void *buf, uint64_t len)
{
    int ret = 1;
    blk_submit(b, BLK_WRITE, off, buf, len, dz_done, &ret);
    blk_drain_all();
    return ret;
}

TEST(detect_zeroes_makes_zero_writes_write_zeroes)
{
    const char *fn = path("dz.qcow2");
    if (create("qcow2", fn, 8 << 20, 65536, 3, NULL) < 0) {
        return;
    }
    struct bdrv *bs = open_rw(fn, "qcow2");
    if (!bs) {
        return;
    }
    struct blk *b = blk_new("dz-test", bs);
    b->write_cache = true;
    uint8_t *zero = xzalloc(65536), *data = xmalloc(65536);
    memset(data, 0xa5, 65536);
    /* off: zero buffers are written as data */
    EXPECT_EQ(blk_write_sync(b, 0, zero, 65536), 0);
    /* on: a zero buffer becomes a zero cluster, data stays data */
    b->detect_zeroes = true;
    EXPECT_EQ(blk_write_sync(b, 1 << 20, zero, 65536), 0);
    EXPECT_EQ(blk_write_sync(b, 2 << 20, data, 65536), 0);
    /* unmap with discard=unmap: an allocated cluster is freed */
    EXPECT_EQ(blk_write_sync(b, 3 << 20, data, 65536), 0);
    b->detect_zeroes_unmap = true;
    b->discard_unmap = true;
    EXPECT_EQ(blk_write_sync(b, 3 << 20, zero, 65536), 0);
    uint64_t pnum, map;
    int st = bdrv_block_status(bs, 0, 65536, &pnum, &map);
    EXPECT(st >= 0 && (st & BDRV_BLOCK_DATA));
    st = bdrv_block_status(bs, 1 << 20, 65536, &pnum, &map);
    EXPECT(st >= 0 && (st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA));
    st = bdrv_block_status(bs, 2 << 20, 65536, &pnum, &map);
    EXPECT(st >= 0 && (st & BDRV_BLOCK_DATA));
    st = bdrv_block_status(bs, 3 << 20, 65536, &pnum, &map);
    EXPECT(st >= 0 && (st & BDRV_BLOCK_ZERO) && !(st & BDRV_BLOCK_DATA));
    uint8_t back[16];
    EXPECT_EQ(bdrv_pread(bs, 3 << 20, back, 16), 0);
    EXPECT(buffer_is_zero(back, 16));
    bdrv_flush(bs);
    if (have_qemu_img()) {
        EXPECT_EQ(sh("qemu-img check -q -U %s", fn), 0);
    }
    free(zero);
    free(data);
}

static void ignore_done(void *opaque, int ret)
{
}

/* exit() while the worker pool still holds writes: they complete (and
 * the image is flushed) before the process ends. */
TEST(exit_drains_requests_in_flight)
{
    const char *fn = path("drain.raw");
    enum { N = 48, SZ = 1 << 20 };
    if (create("raw", fn, (uint64_t)N * SZ, 0, 0, NULL) < 0) {
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        struct err *e = NULL;
        struct bdrv *bs = bdrv_open(fn, "raw", NULL, BDRV_O_RDWR, &e);
        if (!bs) {
            _exit(2);
        }
        struct blk *b = blk_new("drain-test", bs);
        b->write_cache = true;
        static uint8_t bufs[N][SZ];
        for (int i = 0; i < N; i++) {
            memset(bufs[i], 0x40 + i, SZ);
            blk_submit(b, BLK_WRITE, (uint64_t)i * SZ, bufs[i], SZ,
                       ignore_done, NULL);
        }
        exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    FILE *f = fopen(fn, "rb");
    uint8_t *buf = malloc(SZ);
    int bad = 0;
    for (int i = 0; f && i < N; i++) {
        if (fread(buf, 1, SZ, f) != SZ) {
            bad++;
            continue;
        }
        for (int j = 0; j < SZ; j += 4096) {
            if (buf[j] != 0x40 + i) {
                bad++;
                break;
            }
        }
    }
    EXPECT(f != NULL);
    EXPECT_EQ(bad, 0);
    if (f) {
        fclose(f);
    }
    free(buf);
}

TEST(crash_sigkill_during_writes)
{
    if (!have_qemu_img()) {
        printf("#   qemu-img missing\n");
        test_failed_now = 1;
        return;
    }
    for (int round = 0; round < 3; round++) {
        const char *fn = path("crash.qcow2");
        if (create("qcow2", fn, 17 << 20, 65536, 3, NULL) < 0) {
            return;
        }
        int p[2];
        EXPECT_EQ(pipe(p), 0);
        uint64_t seed = 1234567 + round * 77;
        pid_t pid = fork();
        if (pid == 0) {
            close(p[0]);
            crash_child(fn, p[1], seed);
        }
        close(p[1]);
        usleep(50000 + (rnd() % 200) * 1000);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        uint32_t acked = 0, v;
        while (read(p[0], &v, 4) == 4) {
            acked = v;
        }
        close(p[0]);
        int rc = sh("qemu-img check -q %s", fn);
        EXPECT(rc == 0 || rc == 3);     /* clean, or leaks only */
        /* Replay the child's choices: the newest record in each slot up
         * to the acknowledged one must be there (or a newer one). */
        rng = seed;
        uint32_t want[256] = { 0 };
        uint64_t where[256] = { 0 };
        for (uint32_t seq = 1; seq <= acked; seq++) {
            uint64_t slot = rnd() % 256;
            uint64_t off = slot * 65536 + 4096;
            want[slot] = seq;
            where[slot] = off;
        }
        struct err *e = NULL;
        struct bdrv *bs = bdrv_open(fn, "qcow2", NULL, 0, &e);
        EXPECT(bs != NULL);
        int bad = 0;
        for (int s = 0; bs && s < 256; s++) {
            if (!want[s]) {
                continue;
            }
            uint8_t b[8];
            bdrv_pread(bs, where[s], b, 8);
            /* A newer unflushed record may be there; an older one means a
             * lost write. */
            if (be32_get(b) < want[s]) {
                bad++;
            }
        }
        EXPECT_EQ(bad, 0);
        printf("#   round %d: %u records acknowledged, check rc %d\n", round,
               acked, rc);
        bdrv_close(bs);
    }
}

static pid_t main_pid;

static void setup(void) __attribute__((constructor(200)));
static void setup(void)
{
    main_pid = getpid();
    snprintf(dir, sizeof(dir), "/tmp/hemu-block-test.XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static void cleanup(void) __attribute__((destructor));
static void cleanup(void)
{
    char cmd[128];
    if (getpid() != main_pid) {
        return;     /* a child that exit()s (exit_drains_requests_in_flight) */
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd)) {
        /* nothing to do */
    }
}

TEST_MAIN()
