/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kint.c - cpubench's integer kernel (tests/guest-progs/cpubench-int.h,
 * k_int) built freestanding, for run.c to execute in the soft CPU without
 * a guest OS: hashing, multiply/divide, a sieve and a shell sort.
 */
#include <stdint.h>

uint64_t k_int(unsigned scale);
void *memset(void *d, int c, unsigned long n);

/* no libc: the loop the compiler would have called memset for */
void *memset(void *d, int c, unsigned long n)
{
    unsigned char *p = d;
    while (n--) {
        *p++ = (unsigned char)c;
    }
    return d;
}

#define K_INT_LINKAGE
#include "../../guest-progs/cpubench-int.h"
