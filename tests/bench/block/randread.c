/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * randread.c - the in-guest part of the block benchmark
 * (tests/bench/block/guest.py): COUNT reads of 4 KiB with O_DIRECT at
 * pseudo-random 4 KiB-aligned offsets within the first MIB MiB of DEV, one
 * at a time (queue depth 1, like fio --rw=randread --iodepth=1).  Built
 * with gcc -static on the host and put into the benchmark's initramfs;
 * the host times it between the serial markers the init script prints.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: randread DEV MIB COUNT\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY | O_DIRECT);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    uint64_t blocks = strtoull(argv[2], NULL, 0) * 256;
    long count = strtol(argv[3], NULL, 0);
    void *buf;
    if (!blocks || posix_memalign(&buf, 4096, 4096)) {
        return 1;
    }
    /* A fixed xorshift sequence: the same offsets on every emulator. */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (long i = 0; i < count; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (pread(fd, buf, 4096, (off_t)(x % blocks) * 4096) != 4096) {
            perror("pread");
            return 1;
        }
    }
    return 0;
}
