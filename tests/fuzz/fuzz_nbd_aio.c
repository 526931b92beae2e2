/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_nbd_aio.c - libFuzzer target for the NBD reply reader of the main
 * loop's reads (block-protocols/nbd-aio.c): three reads of different
 * sizes (handles 0, 1, 2; scattered iovecs in ASan-guarded buffers) are
 * queued on one end of a socket pair, and the input is everything a
 * hostile server sends back on the other (simple and structured replies
 * in any order, bad handles, offsets and lengths, truncated chunks).
 * Every read must complete exactly once, nothing may crash, hang or
 * write outside the buffers.
 */
#include "emu/osdep.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include "block-protocols/block.h"
#include "block-protocols/nbd.h"

static void done(void *opaque, int ret)
{
    int *calls = opaque;
    (*calls)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];
    /* What the socket buffer takes at once: the reader gets all of it. */
    if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        return 0;
    }
    struct nbd_export x = { .size = 1 << 20, .structured = true };
    struct nbd_aio *a = nbd_aio_new(sv[0], &x);
    static const uint32_t lens[3][2] = { { 512, 3584 }, { 100, 412 },
                                         { 16384, 4096 } };
    static const uint64_t offs[3] = { 0, 8192, (1 << 20) - 20480 };
    uint8_t *bufs[3][2];
    struct iovec iov[3][2];
    int calls[3] = { 0 };
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 2; j++) {
            bufs[i][j] = malloc(lens[i][j]);
            iov[i][j] = (struct iovec){ bufs[i][j], lens[i][j] };
        }
        if (nbd_aio_submit(a, offs[i], iov[i], 2, done, &calls[i]) < 0) {
            calls[i] = 1;   /* not taken: no completion to wait for */
        }
    }
    /* Drain the requests the reader wrote, then play the server. */
    uint8_t sink[256];
    while (recv(sv[1], sink, sizeof(sink), MSG_DONTWAIT) > 0) {
    }
    size_t off = 0;
    while (off < size) {
        ssize_t n = send(sv[1], data + off, size - off, MSG_NOSIGNAL);
        if (n <= 0) {
            break;
        }
        off += n;
    }
    shutdown(sv[1], SHUT_WR);
    nbd_aio_input(a);   /* up to the end of the stream: all complete */
    for (int i = 0; i < 3; i++) {
        if (calls[i] != 1) {
            abort();
        }
    }
    nbd_aio_free(a);    /* closes sv[0] */
    close(sv[1]);
    for (int i = 0; i < 3; i++) {
        free(bufs[i][0]);
        free(bufs[i][1]);
    }
    return 0;
}
