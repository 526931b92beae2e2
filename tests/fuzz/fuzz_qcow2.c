/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_qcow2.c - libFuzzer target for the qcow2 driver's handling of
 * hostile image files (block-protocols/qcow2*.c): a valid small image
 * (512-byte clusters, data, a compressed and a zero cluster) is made once;
 * each input patches its bytes ([u16 offset][u8 length][bytes]...), then
 * the image is opened, read whole, mapped, checked, written and read
 * again, and internal snapshots are created, applied and deleted.  Any outcome is fine except a crash, a sanitizer report or a
 * read outside the buffers.  Backing files are not opened (a hostile
 * image could name any host file).
 */
#include "emu/osdep.h"

#include <fcntl.h>

#include "block-protocols/block.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

static uint8_t *base;
static size_t base_len;
static char path[64];

static void make_base(void)
{
    snprintf(path, sizeof(path), "/tmp/fuzz-qcow2.%d", (int)getpid());
    struct bdrv_create_opts o = { .size = 1 << 20, .cluster_size = 512 };
    struct err *e = NULL;
    if (bdrv_create("qcow2", path, &o, &e) < 0) {
        abort();
    }
    struct bdrv *bs = bdrv_open(path, "qcow2", NULL, BDRV_O_RDWR, &e);
    if (!bs) {
        abort();
    }
    uint8_t buf[4096];
    for (int i = 0; i < 4096; i++) {
        buf[i] = i * 7;
    }
    bdrv_pwrite(bs, 1000, buf, 4096);
    bdrv_pwrite(bs, 300000, buf, 700);
    memset(buf, 'a', 512);
    bs->drv->pwrite_compressed(bs, 8192, buf, 512);
    bdrv_pwrite_zeroes(bs, 16384, 1024, false);
    bdrv_close(bs);
    FILE *f = fopen(path, "rb");
    base = xmalloc(1 << 20);
    base_len = fread(base, 1, 1 << 20, f);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!base) {
        make_base();
    }
    uint8_t *img = xmalloc(base_len);
    memcpy(img, base, base_len);
    size_t i = 0;
    while (i + 3 <= size) {
        size_t off = (data[i] | data[i + 1] << 8) % base_len;
        size_t n = data[i + 2];
        i += 3;
        n = MIN(n, size - i);
        n = MIN(n, base_len - off);
        memcpy(img + off, data + i, n);
        i += n;
    }
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, img, base_len) != (ssize_t)base_len) {
        abort();
    }
    close(fd);
    free(img);
    struct err *e = NULL;
    struct bdrv *bs = bdrv_open(path, "qcow2", NULL,
                                BDRV_O_RDWR | BDRV_O_NO_BACKING, &e);
    err_free(e);
    if (!bs) {
        return 0;
    }
    uint64_t len = MIN(bs->total_size, (uint64_t)4 << 20);
    uint8_t *buf = xmalloc(len + 1);
    bdrv_pread(bs, 0, buf, len);
    for (uint64_t off = 0; off < len;) {
        uint64_t pnum = 0, map;
        if (bdrv_block_status(bs, off, len - off, &pnum, &map) < 0 || !pnum) {
            break;
        }
        off += pnum;
    }
    struct bdrv_check_result res;
    bs->drv->check(bs, &res, 0, NULL);
    memset(buf, 0x5a, 3000);
    if (len > 70000) {
        bdrv_pwrite(bs, 65000, buf, 3000);
        bdrv_pwrite_zeroes(bs, 512, 2048, true);
        bdrv_discard(bs, 4096, 4096);
        bdrv_pread(bs, 0, buf, len);
    }
    /* Internal snapshots over hostile metadata: create, write, apply the
     * new one and whatever the table holds, delete. */
    static const char *const ops[] = { "c:fuzz", "w", "a:fuzz", "a:1",
                                       "d:fuzz" };
    bool created = false;
    for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
        struct err *se = NULL;
        const char *arg = ops[k] + 2;
        int r = 0;
        if (ops[k][0] == 'c') {
            r = bs->drv->snapshot_create(bs, arg, &se);
            created = r == 0;
        } else if (!created) {
            break;
        } else if (ops[k][0] == 'w') {
            bdrv_pwrite(bs, 1000, buf, 600);
        } else if (ops[k][0] == 'a') {
            r = bs->drv->snapshot_apply(bs, arg, &se);
        } else {
            r = bs->drv->snapshot_delete(bs, arg, &se);
        }
        (void)r;
        err_free(se);
    }
    free(buf);
    bdrv_close(bs);
    return 0;
}
