/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpubench.c - a static guest program for the CPU: integer, x87, SSE
 * floating-point and SSE integer kernels, each printing a result line
 * ("result NAME HEX", the same on any correct x86-64) and a time line
 * ("time NAME MS").  make check runs it in the demo guest under hemu and
 * compares the result lines with a run on the host; make bench times it
 * under hemu and QEMU.  Also "cpubench gen MB" writes MB MiB of
 * compressible pseudo-random text to stdout (the guest's gzip/sha256sum
 * input) and "cpubench now" prints CLOCK_MONOTONIC in milliseconds.
 * Built on the host with gcc -static (scripts/build-demo-guest.sh).
 */
#include <emmintrin.h>      /* SSE2 integer intrinsics */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#define K_INT_LINKAGE static
#include "cpubench-int.h"

/* x87: long double arithmetic and square roots (exactly rounded). */
static uint64_t k_x87(unsigned scale)
{
    long double s = 0, p = 1;
    for (unsigned r = 0; r < scale; r++) {
        for (unsigned i = 1; i < 300000; i++) {
            long double x = (long double)i;
            s += 1.0L / (x * x) + sqrtl(x) / (x + 3.0L);
            p = p * 1.0000001L - s / 1e9L;
        }
    }
    long double v = s * 1e6L + p;
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));    /* the 64-bit significand */
    return bits;
}

/* SSE floating point: a double matrix product and a float dot loop. */
static uint64_t k_ssefp(unsigned scale)
{
    enum { N = 96 };
    static double a[N][N], b[N][N], c[N][N];
    static float f[4096], g[4096];
    uint64_t h = 0;
    for (unsigned i = 0; i < N; i++) {
        for (unsigned j = 0; j < N; j++) {
            a[i][j] = (double)((i * 7 + j * 3) % 17) / 7.0 - 1.0;
            b[i][j] = (double)((i * 5 + j * 11) % 23) / 9.0 + 0.5;
        }
    }
    for (unsigned i = 0; i < 4096; i++) {
        f[i] = (float)i / 1024.0f;
        g[i] = 1.0f / (float)(i + 1);
    }
    for (unsigned r = 0; r < scale * 4; r++) {
        for (unsigned i = 0; i < N; i++) {
            for (unsigned j = 0; j < N; j++) {
                double s = 0;
                for (unsigned k = 0; k < N; k++) {
                    s += a[i][k] * b[k][j];
                }
                c[i][j] = s / (1.0 + r);
            }
        }
        float d = 0;
        for (unsigned rep = 0; rep < 20; rep++) {
            for (unsigned i = 0; i < 4096; i++) {
                d += f[i] * g[i] + sqrtf(f[i]);
            }
        }
        uint64_t bits;
        double t = c[r % N][(r * 7) % N] + d;
        memcpy(&bits, &t, sizeof(bits));
        h = h * 1000003 ^ bits;
    }
    return h;
}

/* SSE integer: packed adds, multiplies, shuffles and sums of absolute
   differences over byte/word/dword arrays. */
static uint64_t k_sseint(unsigned scale)
{
    enum { N = 16384 };
    static uint8_t x[N], y[N];
    for (unsigned i = 0; i < N; i++) {
        x[i] = (uint8_t)xorshift();
        y[i] = (uint8_t)xorshift();
    }
    __m128i acc = _mm_setzero_si128(), sad = _mm_setzero_si128();
    for (unsigned r = 0; r < scale * 1000; r++) {
        for (unsigned i = 0; i < N; i += 16) {
            __m128i a = _mm_loadu_si128((const __m128i *)(x + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(y + i));
            sad = _mm_add_epi64(sad, _mm_sad_epu8(a, b));
            __m128i m = _mm_mullo_epi16(a, b);
            m = _mm_xor_si128(m, _mm_shuffle_epi32(m, 0x1b));
            acc = _mm_add_epi32(acc, _mm_madd_epi16(m, b));
            acc = _mm_xor_si128(acc, _mm_slli_epi32(acc, 3));
            _mm_storeu_si128((__m128i *)(x + i), _mm_avg_epu8(a, m));
        }
    }
    uint64_t out[4];
    _mm_storeu_si128((__m128i *)out, acc);
    _mm_storeu_si128((__m128i *)(out + 2), sad);
    return out[0] ^ (out[1] * 3) ^ (out[2] * 5) ^ (out[3] * 7);
}

static void gen(unsigned mb)
{
    static const char *const words[] = {
        "hemu ", "qemu ", "block ", "cache ", "guest ", "page ", "the ",
        "of ", "code\n", "x86 ", "emulator ", "kernel ", "0123 ", "sse ",
        "fpu ", "tlb ",
    };
    static char buf[65536];
    for (unsigned chunk = 0; chunk < mb * 16; chunk++) {
        size_t n = 0;
        while (n < sizeof(buf) - 16) {
            const char *w = words[xorshift() & 15];
            size_t l = strlen(w);
            memcpy(buf + n, w, l);
            n += l;
        }
        while (n < sizeof(buf)) {
            buf[n++] = '.';
        }
        fwrite(buf, 1, sizeof(buf), stdout);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "now")) {
        printf("%.0f\n", now_ms());
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "gen")) {
        gen((unsigned)atoi(argv[2]));
        return 0;
    }
    unsigned scale = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
    /* make bench reads the emulator's CPU time as each line arrives: the
       lines carry their marker themselves rather than pass through a
       pipe that may hold them back */
    const char *pfx = getenv("CPUBENCH_PREFIX");
    pfx = pfx ? pfx : "";
    static const struct {
        const char *name;
        uint64_t (*fn)(unsigned);
    } k[] = {
        { "int", k_int }, { "x87", k_x87 }, { "ssefp", k_ssefp },
        { "sseint", k_sseint },
    };
    for (unsigned i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        double t0 = now_ms();
        uint64_t r = k[i].fn(scale);
        double t1 = now_ms();
        printf("%sresult %s %016" PRIx64 "\n", pfx, k[i].name, r);
        printf("%stime %s %.0f\n", pfx, k[i].name, t1 - t0);
        fflush(stdout);
    }
    return 0;
}
