/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_smp_test.c - several soft x86 CPUs, each on its own host thread,
 * sharing one guest RAM: LOCK ADD counts exactly, spinlocks built on LOCK
 * CMPXCHG and on XCHG protect a plain read-increment-write (a failed
 * CMPXCHG must not write the old value back over the owner's release), a
 * 16-byte CMPXCHG16B is one atomic unit, and a paging A/D update fails
 * when another CPU changed the entry after the walk read it.  References:
 * Intel SDM vol. 3A 8.1.2 (bus locking), 4.8 (accessed and dirty flags).
 */
#include "emu/osdep.h"

#include <pthread.h>

#include "emu/cpu/x86/cpu.h"
#include "emu/cpu/x86/internal.h"   /* x86_cas16, x86_pte_update */
#include "emu/util/cutils.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)
#define NCPU 2
#define ITER 1000000

static uint8_t ram[RAM_SIZE];

#include "tests/unit/x86_flatbus.h"   /* ram_ptr, mmio_*, pio_* */

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL,
};

struct runner {
    struct x86_cpu *cpu;
    pthread_t th;
    enum x86_exit exit;
};

static pthread_barrier_t start;

static void *run_cpu(void *opaque)
{
    struct runner *r = opaque;
    pthread_barrier_wait(&start);
    /* Generous: each loop iteration is under 15 instructions. */
    for (int i = 0; i < 2000; i++) {
        r->exit = x86_cpu_run(r->cpu, 100000);
        if (r->exit != X86_EXIT_BUDGET) {
            break;
        }
    }
    return NULL;
}

/* Run the real-mode program at 0:1000 on NCPU CPUs at once, each with
 * ECX-independent state, until every one halts. */
static void run_all(const uint8_t *code, size_t n)
{
    struct runner r[NCPU];
    memcpy(ram + 0x1000, code, n);
    memset(ram + 0x2000, 0, 64);
    for (int i = 0; i < NCPU; i++) {
        r[i].cpu = xzalloc(sizeof(struct x86_cpu));
        x86_cpu_init(r[i].cpu, &bus);
        x86_seg_load_real(r[i].cpu, X86_CS, 0);
        r[i].cpu->rip = 0x1000;
    }
    pthread_barrier_init(&start, NULL, NCPU);
    for (int i = 0; i < NCPU; i++) {
        pthread_create(&r[i].th, NULL, run_cpu, &r[i]);
    }
    for (int i = 0; i < NCPU; i++) {
        pthread_join(r[i].th, NULL);
        EXPECT_EQ(r[i].exit, X86_EXIT_HLT);
        free(r[i].cpu);
    }
    pthread_barrier_destroy(&start);
}

static uint32_t ram32(uint32_t a)
{
    uint32_t v;
    memcpy(&v, ram + a, 4);
    return v;
}

#define IMM32(v) (v) & 0xff, ((v) >> 8) & 0xff, ((v) >> 16) & 0xff, (v) >> 24

TEST(lock_add_counts_exactly)
{
    static const uint8_t code[] = {
        0x66, 0xb9, IMM32(ITER),                    /* mov ecx, ITER */
        0xf0, 0x66, 0x83, 0x06, 0x00, 0x20, 0x01,   /* L: lock add dword [2000h], 1 */
        0x66, 0x49,                                 /* dec ecx */
        0x75, 0xf5,                                 /* jnz L */
        0xf4,                                       /* hlt */
    };
    run_all(code, sizeof(code));
    EXPECT_EQ(ram32(0x2000), NCPU * ITER);
}

/* The critical section both spinlocks protect: a plain (non-atomic)
 * increment, then the release as a plain store of 0. */
#define CRITICAL_AND_RELEASE                                                \
    0x66, 0xa1, 0x08, 0x20,                 /* mov eax, [2008h] */          \
    0x66, 0x40,                             /* inc eax */                   \
    0x66, 0xa3, 0x08, 0x20,                 /* mov [2008h], eax */          \
    0x66, 0xc7, 0x06, 0x04, 0x20, 0, 0, 0, 0 /* mov dword [2004h], 0 */

TEST(cmpxchg_spinlock)
{
    static const uint8_t code[] = {
        0x66, 0xb9, IMM32(ITER),                    /* mov ecx, ITER */
        0x66, 0xba, IMM32(1),                       /* L: mov edx, 1 */
        0x66, 0x31, 0xc0,                           /* S: xor eax, eax */
        0xf0, 0x66, 0x0f, 0xb1, 0x16, 0x04, 0x20,   /* lock cmpxchg [2004h], edx */
        0x75, 0xf4,                                 /* jnz S */
        CRITICAL_AND_RELEASE,
        0x66, 0x49,                                 /* dec ecx */
        0x75, 0xd7,                                 /* jnz L */
        0xf4,
    };
    run_all(code, sizeof(code));
    EXPECT_EQ(ram32(0x2008), NCPU * ITER);
    EXPECT_EQ(ram32(0x2004), 0);
}

TEST(xchg_spinlock)
{
    static const uint8_t code[] = {
        0x66, 0xb9, IMM32(ITER),                    /* mov ecx, ITER */
        0x66, 0xb8, IMM32(1),                       /* L: mov eax, 1 */
        0x66, 0x87, 0x06, 0x04, 0x20,               /* xchg [2004h], eax */
        0x66, 0x85, 0xc0,                           /* test eax, eax */
        0x75, 0xf0,                                 /* jnz L */
        CRITICAL_AND_RELEASE,
        0x66, 0x49,                                 /* dec ecx */
        0x75, 0xd9,                                 /* jnz L */
        0xf4,
    };
    run_all(code, sizeof(code));
    EXPECT_EQ(ram32(0x2008), NCPU * ITER);
}

/* ---- CMPXCHG16B and the A/D update, called directly ---- */

static _Alignas(16) uint64_t pair[2];

static void *cas16_incr(void *opaque)
{
    for (int i = 0; i < ITER; i++) {
        uint64_t lo = pair[0], hi = pair[1];
        while (!x86_cas16((uint8_t *)pair, &lo, &hi, lo + 1, hi + 1)) {
        }
    }
    return NULL;
}

TEST(cmpxchg16b_is_one_unit)
{
    pthread_t th[NCPU];
    pair[0] = 0;
    pair[1] = 1000;
    for (int i = 0; i < NCPU; i++) {
        pthread_create(&th[i], NULL, cas16_incr, NULL);
    }
    for (int i = 0; i < NCPU; i++) {
        pthread_join(th[i], NULL);
    }
    EXPECT_EQ(pair[0], (uint64_t)NCPU * ITER);
    EXPECT_EQ(pair[1], (uint64_t)NCPU * ITER + 1000);
    /* A failed compare returns the current value and stores nothing. */
    uint64_t lo = 1, hi = 2;
    EXPECT(!x86_cas16((uint8_t *)pair, &lo, &hi, 7, 7));
    EXPECT_EQ(lo, (uint64_t)NCPU * ITER);
    EXPECT_EQ(hi, (uint64_t)NCPU * ITER + 1000);
    EXPECT_EQ(pair[0], (uint64_t)NCPU * ITER);
}

TEST(ad_update_does_not_resurrect_a_cleared_entry)
{
    struct x86_cpu *cpu = xzalloc(sizeof(*cpu));
    x86_cpu_init(cpu, &bus);
    uint64_t pte = 0x5003;                  /* present, writable */
    memcpy(ram + 0x3008, &pte, 8);
    EXPECT(x86_pte_update(cpu, 0x3008, 8, pte, pte | 0x60));
    EXPECT_EQ(ram32(0x3008), 0x5063);
    /* Another CPU cleared it (as Linux's ptep_get_and_clear does). */
    memset(ram + 0x3008, 0, 8);
    EXPECT(!x86_pte_update(cpu, 0x3008, 8, pte, pte | 0x20));
    EXPECT_EQ(ram32(0x3008), 0);
    uint32_t pte32 = 0x7001;
    memcpy(ram + 0x3010, &pte32, 4);
    EXPECT(x86_pte_update(cpu, 0x3010, 4, pte32, pte32 | 0x20));
    EXPECT_EQ(ram32(0x3010), 0x7021);
    free(cpu);
}

TEST_MAIN()
