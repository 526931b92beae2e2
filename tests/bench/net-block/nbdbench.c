/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbdbench.c - a guest program for the NBD benchmark (bench_nbd.py),
 * built with gcc -static and added to the demo guest's initrd: reads a
 * block device with O_DIRECT, sequentially (1 MiB requests over SEQ_MIB
 * MiB) and at random 4 KiB-aligned offsets (RAND_OPS reads), and prints
 * the guest's own timings as "NBD-BENCH: key=value" lines.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/fs.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: nbdbench DEV SEQ_MIB RAND_OPS\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY | O_DIRECT);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    long seq = atol(argv[2]), ops = atol(argv[3]);
    unsigned long long size = 0;
    ioctl(fd, BLKGETSIZE64, &size);
    void *buf;
    if (posix_memalign(&buf, 4096, 1 << 20)) {
        return 1;
    }
    double t0 = now();
    for (long i = 0; i < seq; i++) {
        if (pread(fd, buf, 1 << 20, (off_t)i << 20) != 1 << 20) {
            perror("sequential read");
            return 1;
        }
    }
    double t1 = now();
    printf("NBD-BENCH: seq_s=%.3f\n", t1 - t0);
    unsigned long long blocks = size / 4096, x = 88172645463325252ULL;
    t0 = now();
    for (long i = 0; i < ops; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (pread(fd, buf, 4096, (off_t)(x % blocks) * 4096) != 4096) {
            perror("random read");
            return 1;
        }
    }
    t1 = now();
    printf("NBD-BENCH: rand_s=%.3f\n", t1 - t0);
    printf("NBD-BENCH: done\n");
    fflush(stdout);
    return 0;
}
