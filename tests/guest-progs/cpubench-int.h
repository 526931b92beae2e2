/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpubench-int.h - cpubench's pseudo-random source and integer kernel,
 * shared by the guest program (cpubench.c, with libc) and the soft-CPU
 * micro-benchmark (tests/bench/cpu/kint.c, freestanding): the includer
 * declares memset and defines K_INT_LINKAGE (static, or empty for an
 * entry point).
 */
#ifndef HEMU_CPUBENCH_INT_H
#define HEMU_CPUBENCH_INT_H

#include <stdint.h>

static uint64_t xs_state = 0x9e3779b97f4a7c15ull;

static uint64_t xorshift(void)
{
    uint64_t x = xs_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return xs_state = x;
}

/* Integer: hashing, multiply/divide, a sieve, sorting. */
K_INT_LINKAGE uint64_t k_int(unsigned scale)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned r = 0; r < scale; r++) {
        for (unsigned i = 0; i < 200000; i++) {
            uint64_t v = xorshift();
            h = (h ^ v) * 1099511628211ull;
            h += (v % 1000003) / (i % 13 + 1);
            h ^= h >> 29;
        }
        enum { N = 200000 };
        static uint8_t comp[N];
        memset(comp, 0, sizeof(comp));
        unsigned primes = 0;
        for (unsigned i = 2; i < N; i++) {
            if (!comp[i]) {
                primes++;
                for (unsigned j = i * 2; j < N; j += i) {
                    comp[j] = 1;
                }
            }
        }
        h += primes;
        static uint32_t a[20000];
        for (unsigned i = 0; i < 20000; i++) {
            a[i] = (uint32_t)xorshift();
        }
        for (unsigned gap = 20000 / 2; gap; gap /= 2) {   /* shell sort */
            for (unsigned i = gap; i < 20000; i++) {
                uint32_t t = a[i];
                unsigned j = i;
                for (; j >= gap && a[j - gap] > t; j -= gap) {
                    a[j] = a[j - gap];
                }
                a[j] = t;
            }
        }
        for (unsigned i = 0; i < 20000; i += 97) {
            h = h * 31 + a[i];
        }
    }
    return h;
}

#endif
