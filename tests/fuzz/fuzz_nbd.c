/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_nbd.c - libFuzzer target for the NBD client (block-protocols/
 * nbd-client.c, nbd-opts.c): the input is everything a hostile server
 * sends (greeting, option replies, then replies to a read, a write, a
 * flush, a trim, a block status and more reads, over a fake transport),
 * and, from its first line, an NBD filename for the URL/legacy parser.  Nothing may
 * crash, hang or write outside the read buffers (ASan guards them).
 */
#include "emu/osdep.h"

#include "block-protocols/block.h"
#include "block-protocols/nbd.h"
#include "emu/util/cutils.h"
#include "emu/util/err.h"

struct feed {
    const uint8_t *p;
    size_t len, pos;
};

static ssize_t f_recv(void *o, void *buf, size_t len)
{
    struct feed *f = o;
    size_t n = MIN(len, f->len - f->pos);
    memcpy(buf, f->p + f->pos, n);
    f->pos += n;
    return n;
}

static ssize_t f_send(void *o, const void *buf, size_t len)
{
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The URL parser on the first line. */
    const uint8_t *nl = memchr(data, '\n', MIN(size, (size_t)512));
    if (nl) {
        char *fn = xstrndup((const char *)data, nl - data);
        struct nbd_addr a = { 0 };
        struct err *e = NULL;
        if (nbd_parse_filename(&a, fn, &e) == 0) {
            free(nbd_addr_to_uri(&a));
            nbd_addr_free(&a);
        }
        err_free(e);
        free(fn);
    }

    struct feed f = { data, size, 0 };
    struct nbd_client c = { .io = { f_recv, f_send, &f } };
    struct err *e = NULL;
    if (nbd_handshake(&c, size & 1 ? "exp" : "", &e) < 0) {
        err_free(e);
        return 0;
    }
    /* Requests of several shapes; every buffer is exactly its length so
     * ASan sees any overflow. */
    static const uint32_t lens[] = { 1, 512, 4096, 65536 };
    for (int i = 0; i < 8 && f.pos < f.len; i++) {
        uint32_t len = lens[i % 4];
        uint8_t *buf = xmalloc(len);
        int r;
        switch (i) {
        case 1: r = nbd_write(&c, 4096, buf, len, true); break;
        case 2: r = nbd_flush(&c); break;
        case 3: r = nbd_trim(&c, 0, len); break;
        case 5: r = nbd_write_zeroes(&c, 512, len, false); break;
        case 6: {
            uint32_t el, fl;
            r = nbd_block_status(&c, 0, len, &el, &fl);
            if (r >= 0 && (el == 0 || el > len)) {
                abort();    /* the extent must lie inside the request */
            }
            break;
        }
        default: r = nbd_read(&c, (uint64_t)i * 1000, buf, len); break;
        }
        free(buf);
        if (r == NBD_EDEAD) {
            break;
        }
    }
    return 0;
}
