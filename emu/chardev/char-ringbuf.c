/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * char-ringbuf.c - the ringbuf back end (alias "memory"): output goes into
 * a power-of-two ring that keeps the newest bytes, read back with QMP
 * ringbuf-read.  Reference: qemu-6.2 manual, "-chardev ringbuf".
 */
#include "emu/osdep.h"

#include "emu/chardev/chardev-int.h"
#include "emu/cli/keyval.h"     /* kv_size, kv_check_used */
#include "emu/util/cutils.h"    /* xzalloc */
#include "emu/util/err.h"       /* err_setf */

struct ringbuf {
    uint64_t size;      /* a power of two */
    uint64_t prod, cons;    /* free-running; prod - cons <= size */
    uint8_t *data;
};

static int ringbuf_open(struct chardev *chr, struct kvlist *opts,
                        struct err **errp)
{
    struct err *e = NULL;
    uint64_t size = kv_size(opts, "size", 65536, &e);
    if (e) {
        err_propagate(errp, e);
        return -1;
    }
    if (kv_check_used(opts, errp) < 0) {
        return -1;
    }
    if (!size || (size & (size - 1)) || size > (1ULL << 30)) {
        err_setf(errp, "size of ringbuf chardev must be power of two");
        return -1;
    }
    struct ringbuf *r = xzalloc(sizeof(*r));
    r->size = size;
    r->data = xmalloc(size);
    chr->opaque = r;
    chr_set_filename(chr, xstrdup("ringbuf"));
    chr_be_set_open(chr);
    return 0;
}

static int ringbuf_write(struct chardev *chr, const uint8_t *buf, int len)
{
    struct ringbuf *r = chr->opaque;
    for (int i = 0; i < len; i++) {
        r->data[r->prod++ & (r->size - 1)] = buf[i];
        if (r->prod - r->cons > r->size) {
            r->cons = r->prod - r->size;    /* drop the oldest byte */
        }
    }
    return len;
}

static void ringbuf_close(struct chardev *chr)
{
    struct ringbuf *r = chr->opaque;
    if (r) {
        free(r->data);
        free(r);
        chr->opaque = NULL;
    }
}

const struct chr_driver chr_ringbuf_driver = {
    .name = "ringbuf",
    .open = ringbuf_open,
    .write = ringbuf_write,
    .close = ringbuf_close,
};

int chr_ringbuf_write(struct chardev *chr, const uint8_t *buf, int len,
                      struct err **errp)
{
    if (chr->drv != &chr_ringbuf_driver) {
        err_setf(errp, "%s is not a ringbuf device", chr->id);
        return -1;
    }
    return ringbuf_write(chr, buf, len);
}

int chr_ringbuf_read(struct chardev *chr, uint8_t *buf, int size,
                     struct err **errp)
{
    if (chr->drv != &chr_ringbuf_driver) {
        err_setf(errp, "%s is not a ringbuf device", chr->id);
        return -1;
    }
    struct ringbuf *r = chr->opaque;
    int n = 0;
    while (n < size && r->cons < r->prod) {
        buf[n++] = r->data[r->cons++ & (r->size - 1)];
    }
    return n;
}
