/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostexec.c - bit-exact x87 and SSE arithmetic by running the guest's own
 * instruction on the host's FPU/SSE unit.  The instruction is re-encoded
 * against fixed host registers (XMM0 = guest XMM0, XMM1/MM1/RAX for the
 * ModRM.reg operand, XMM2/MM2/RCX for ModRM.rm, [RSI] for memory) and
 * wrapped in a small generated stub that loads the guest's MXCSR (or its
 * whole x87 state with FRSTOR), the status flags and the operands, runs the
 * instruction and stores everything back (FNSAVE, STMXCSR).  Two leaner
 * stubs serve the common cases: x87 instructions with the guest's x87
 * state already in the host's unit (fpu.c keeps it there between x87
 * instructions), and SSE instructions on XMM/general registers or memory
 * read and written in place (sse.c).  Stubs live in
 * a per-thread direct-mapped cache of executable slots.  The host's own
 * MXCSR and x87 state are restored before returning.  References: Intel
 * SDM vol. 1 8.1.10 (FSAVE image), 10.2.3 (MXCSR), 11.5 (SSE exceptions).
 */
#include "emu/osdep.h"

#include <sys/mman.h>       /* mmap for the executable stub slots */

#include "emu/cpu/x86/internal.h"   /* struct x86_hostctx */

#define SLOT_SIZE 128
#define NSLOTS 1024

/* What a slot holds: length, kind and the instruction bytes, packed into
   three words so that the lookup is three compares. */
struct slot_key {
    uint64_t w[3];
};

/* Per thread: the slots (mapped once, kept for the thread's life) and
   what each holds. */
static __thread uint8_t *stubs;
static __thread struct slot_key keys[NSLOTS];

static unsigned put(uint8_t *p, unsigned n, const char *b, unsigned len)
{
    memcpy(p + n, b, len);
    return n + len;
}

#define PUT(s) (n = put(p, n, s, sizeof(s) - 1))

static void gen(uint8_t *p, int kind, const uint8_t *bytes, unsigned len)
{
    unsigned n = 0;

    PUT("\x48\x83\xec\x08");            /* sub $8, %rsp */
    PUT("\x0f\xae\x1c\x24");            /* stmxcsr (%rsp) */
    PUT("\x48\x8b\x47\x40");            /* mov 64(%rdi), %rax */
    PUT("\x48\x8b\x4f\x48");            /* mov 72(%rdi), %rcx */
    PUT("\x48\x8b\x77\x60");            /* mov 96(%rdi), %rsi */
    PUT("\x48\x8b\x57\x68");            /* mov 104(%rdi), %rdx */
    if (kind == X86_HX_X87) {
        PUT("\xdd\x67\x70");            /* frstor 112(%rdi) */
    } else {
        PUT("\x0f\x10\x07");            /* movups (%rdi), %xmm0 */
        PUT("\x0f\x10\x4f\x10");        /* movups 16(%rdi), %xmm1 */
        PUT("\x0f\x10\x57\x20");        /* movups 32(%rdi), %xmm2 */
        PUT("\x0f\x6f\x4f\x30");        /* movq 48(%rdi), %mm1 */
        PUT("\x0f\x6f\x57\x38");        /* movq 56(%rdi), %mm2 */
        PUT("\x0f\xae\x57\x58");        /* ldmxcsr 88(%rdi) */
    }
    PUT("\xff\x77\x50");                /* push 80(%rdi) */
    PUT("\x9d");                        /* popf */
    memcpy(p + n, bytes, len);
    n += len;
    PUT("\x9c");                        /* pushf */
    PUT("\x8f\x47\x50");                /* pop 80(%rdi) */
    PUT("\x48\x89\x47\x40");            /* mov %rax, 64(%rdi) */
    PUT("\x48\x89\x4f\x48");            /* mov %rcx, 72(%rdi) */
    PUT("\x48\x89\x57\x68");            /* mov %rdx, 104(%rdi) */
    if (kind == X86_HX_X87) {
        PUT("\xdd\x77\x70");            /* fnsave 112(%rdi) */
    } else {
        PUT("\x0f\xae\x5f\x58");        /* stmxcsr 88(%rdi) */
        PUT("\x0f\x11\x07");            /* movups %xmm0, (%rdi) */
        PUT("\x0f\x11\x4f\x10");        /* movups %xmm1, 16(%rdi) */
        PUT("\x0f\x11\x57\x20");        /* movups %xmm2, 32(%rdi) */
        PUT("\x0f\x7f\x4f\x30");        /* movq %mm1, 48(%rdi) */
        PUT("\x0f\x7f\x57\x38");        /* movq %mm2, 56(%rdi) */
        PUT("\x0f\x77");                /* emms */
    }
    PUT("\x0f\xae\x14\x24");            /* ldmxcsr (%rsp) */
    PUT("\x48\x83\xc4\x08");            /* add $8, %rsp */
    PUT("\xc3");                        /* ret */
    if (n > SLOT_SIZE) {
        abort();
    }
}

/*
 * The fast SSE stub (x86_host_sse): operands are read and written in
 * place through the pointers of struct x86_xfast, so no register is
 * loaded that the instruction does not use, and RFLAGS is only saved for
 * the instructions that set it.
 */
static void gen_fast(uint8_t *p, int kind, const uint8_t *bytes,
                     unsigned len)
{
    unsigned n = 0;

    PUT("\x48\x83\xec\x08");            /* sub $8, %rsp */
    PUT("\x0f\xae\x1c\x24");            /* stmxcsr (%rsp) */
    PUT("\x0f\xae\x57\x10");            /* ldmxcsr 16(%rdi) */
    PUT("\x48\x8b\x17");                /* mov (%rdi), %rdx */
    PUT("\x48\x8b\x77\x08");            /* mov 8(%rdi), %rsi */
    if (kind & X86_HXF_REGX) {
        PUT("\x0f\x10\x0a");            /* movups (%rdx), %xmm1 */
    }
    if (kind & X86_HXF_RMX) {
        PUT("\x0f\x10\x16");            /* movups (%rsi), %xmm2 */
    }
    memcpy(p + n, bytes, len);
    n += len;
    if (kind & X86_HXF_FL) {
        PUT("\x9c");                    /* pushf */
        PUT("\x8f\x47\x18");            /* pop 24(%rdi) */
    }
    if (kind & X86_HXF_ST) {
        if (kind & X86_HXF_RMX) {
            PUT("\x0f\x11\x16");        /* movups %xmm2, (%rsi) */
        }
    } else if (kind & X86_HXF_REGX) {
        PUT("\x0f\x11\x0a");            /* movups %xmm1, (%rdx) */
    } else {
        PUT("\x48\x89\x02");            /* mov %rax, (%rdx) */
    }
    PUT("\x0f\xae\x5f\x10");            /* stmxcsr 16(%rdi) */
    PUT("\x0f\xae\x14\x24");            /* ldmxcsr (%rsp) */
    PUT("\x48\x83\xc4\x08");            /* add $8, %rsp */
    PUT("\xc3");                        /* ret */
    if (n > SLOT_SIZE) {
        abort();
    }
}

/*
 * The x87 stub with the guest's x87 state already loaded in the host's
 * unit (x86_fpu_live): clear the exception flags (so a pending unmasked
 * exception cannot trap in the host), run the instruction with [RSI] as
 * its memory operand, and hand back FSW and the flags FCOMI sets.
 */
static void gen_x87_live(uint8_t *p, int kind, const uint8_t *bytes,
                         unsigned len)
{
    unsigned n = 0;

    PUT("\xdb\xe2");                    /* fnclex */
    if (kind == X86_HX_X87LIVEF) {      /* FCMOVcc reads the flags */
        PUT("\xff\x77\x50");            /* push 80(%rdi) */
        PUT("\x9d");                    /* popf */
    }
    PUT("\x48\x8b\x77\x60");            /* mov 96(%rdi), %rsi */
    memcpy(p + n, bytes, len);
    n += len;
    PUT("\xdd\x7f\x74");                /* fnstsw 116(%rdi) */
    PUT("\x9c");                        /* pushf */
    PUT("\x8f\x47\x50");                /* pop 80(%rdi) */
    PUT("\xc3");                        /* ret */
    if (n > 32) {
        abort();        /* x87_slot's size */
    }
}

/* The stub slot for (kind, bytes), generated if the slot holds another. */
static uint8_t *slot_for(int kind, const uint8_t *bytes, unsigned len)
{
    union {
        uint8_t b[24];
        struct slot_key k;
    } u;
    unsigned h;

    if (!stubs) {
        void *m = mmap(NULL, (size_t)NSLOTS * SLOT_SIZE,
                       PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            perror("hemu: x86 host stubs");
            abort();
        }
        stubs = m;
    }
    memset(&u, 0, sizeof(u));
    u.b[0] = (uint8_t)len;
    u.b[1] = (uint8_t)kind;
    memcpy(u.b + 2, bytes, len);
    h = (unsigned)(((u.k.w[0] * 0x9e3779b97f4a7c15ull) ^
                    (u.k.w[1] * 0xc2b2ae3d27d4eb4full) ^
                    (u.k.w[2] * 0x165667b19e3779f9ull)) >> 40) % NSLOTS;
    uint8_t *slot = stubs + (size_t)h * SLOT_SIZE;
    struct slot_key *k = &keys[h];
    if (k->w[0] != u.k.w[0] || k->w[1] != u.k.w[1] || k->w[2] != u.k.w[2]) {
        if (kind == X86_HX_X87LIVE || kind == X86_HX_X87LIVEF) {
            gen_x87_live(slot, kind, bytes, len);
        } else if (kind & X86_HXF_FAST) {
            gen_fast(slot, kind, bytes, len);
        } else {
            gen(slot, kind, bytes, len);
        }
        *k = u.k;
    }
    return slot;
}

/*
 * The x87 instructions with the state live are two bytes (D8-DF, ModRM):
 * their stubs are few enough (2 kinds x 8 x 256) to keep every one,
 * indexed directly, so the run of x87 instructions in a loop skips the
 * hashed cache.  Per thread, mapped on first use.
 */
#define X87_SLOT 32
static __thread uint8_t *x87_stubs;
static __thread uint8_t x87_made[2][8][256];

static uint8_t *x87_slot(int kind, const uint8_t *bytes)
{
    unsigned k = kind == X86_HX_X87LIVEF, op = bytes[0] & 7;
    uint8_t *slot;

    if (!x87_stubs) {
        void *m = mmap(NULL, 2 * 8 * 256 * X87_SLOT,
                       PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            perror("hemu: x86 host stubs");
            abort();
        }
        x87_stubs = m;
    }
    slot = x87_stubs + ((k * 8 + op) * 256 + bytes[1]) * X87_SLOT;
    if (!x87_made[k][op][bytes[1]]) {
        gen_x87_live(slot, kind, bytes, 2);
        x87_made[k][op][bytes[1]] = 1;
    }
    return slot;
}

/*
 * The x87 stubs with the state live and every exception masked in the
 * guest's FCW (fpu.c): no exception can be pending or trap, so the
 * exception flags are left to accumulate in the host's FSW and nothing
 * is cleared or read back.  Called as fn(flags, mem): RDI carries the
 * arithmetic flags FCMOVcc reads, RSI the memory operand, RAX returns
 * the flags FCOMI sets.  Per thread, indexed directly like x87_slot.
 */
static __thread uint8_t *x87l_stubs;
static __thread uint8_t x87l_made[3][8][256];

static void gen_x87_lazy(uint8_t *p, int kind, const uint8_t *bytes)
{
    unsigned n = 0;

    if (kind == X86_X87L_FCMOV) {
        PUT("\x57");                    /* push %rdi */
        PUT("\x9d");                    /* popf */
    }
    memcpy(p + n, bytes, 2);
    n += 2;
    if (kind == X86_X87L_FCOMI) {
        PUT("\x9c");                    /* pushf */
        PUT("\x58");                    /* pop %rax */
    }
    PUT("\xc3");                        /* ret */
}

uint64_t x86_host_x87_lazy(int kind, const uint8_t *bytes, void *mem,
                           uint64_t flags)
{
    unsigned op = bytes[0] & 7;
    uint8_t *slot;

    if (!x87l_stubs) {
        void *m = mmap(NULL, 3 * 8 * 256 * 16,
                       PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            perror("hemu: x86 host stubs");
            abort();
        }
        x87l_stubs = m;
    }
    slot = x87l_stubs + (((unsigned)kind * 8 + op) * 256 + bytes[1]) * 16;
    if (!x87l_made[kind][op][bytes[1]]) {
        gen_x87_lazy(slot, kind, bytes);
        x87l_made[kind][op][bytes[1]] = 1;
    }
    uint64_t (*fn)(uint64_t, void *) =
        (uint64_t (*)(uint64_t, void *))(uintptr_t)slot;
    return fn((flags & X86_ARITH) | 2, mem);
}

void x86_host_exec(struct x86_hostctx *c, int kind, const uint8_t *bytes,
                   unsigned len)
{
    void (*fn)(struct x86_hostctx *);
    uint8_t *slot = (kind == X86_HX_X87LIVE || kind == X86_HX_X87LIVEF) &&
                    len == 2 && (bytes[0] & 0xf8) == 0xd8
                    ? x87_slot(kind, bytes) : slot_for(kind, bytes, len);

    c->rflags = (c->rflags & X86_ARITH) | 2;
    fn = (void (*)(struct x86_hostctx *))(uintptr_t)slot;
    fn(c);
}

void x86_host_sse(struct x86_xfast *c, int kind, const uint8_t *bytes,
                  unsigned len)
{
    void (*fn)(struct x86_xfast *);
    uint8_t *slot = slot_for(kind | X86_HXF_FAST, bytes, len);

    fn = (void (*)(struct x86_xfast *))(uintptr_t)slot;
    fn(c);
}

void x86_host_x87_load(const uint8_t *image)
{
    __asm__ volatile("frstor %0" : : "m"(*(const uint8_t (*)[108])image));
}

void x86_host_x87_save(uint8_t *image)
{
    __asm__ volatile("fnsave %0" : "=m"(*(uint8_t (*)[108])image));
}
