/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_sse_test.c - host-differential tests of the soft x86 CPU's MMX, SSE,
 * SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 instructions: every opcode of those
 * maps with every mandatory prefix (none, 66, F3, F2), register and memory
 * forms, REX.W/R/B variants and random immediates.  Each case runs "FXRSTOR64 [r15]; insn;
 * FXSAVE64 [r15]" natively (an executable buffer between a register-loading
 * trampoline and a jump back) and in hemu's CPU in 64-bit mode, from the
 * same random state: XMM and memory operands full of special values
 * (zeros, denormals, infinities, QNaN/SNaN, integer indefinite), MXCSR
 * with random rounding, DAZ/FTZ, sticky flags and sometimes unmasked
 * exceptions (the host's SIGFPE must be hemu's #XM), x87 registers and
 * tags that the MMX instructions take over.  The FXSAVE images (FCW, FSW, FTW, registers, MXCSR,
 * XMM), registers, flags and data are compared; FOP/FIP/FDP, the
 * selectors and MXCSR_MASK are not (hosts deprecate or defer the first,
 * and may support MXCSR bits hemu does not).  SIGILL must be #UD,
 * SIGSEGV (a misaligned 16-byte operand) #GP.  The forms with a
 * specialised handler (ssefast.c) run again with the power-on MXCSR
 * control bits, which is when those handlers take them, and each case is
 * also run on hemu's generic path (x86_ssefast_off) and compared with the
 * specialised one.
 */
#include "emu/osdep.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define NCASES 1000

/* ssefast.c: keeps every SSE form on the generic path while set */
extern bool x86_ssefast_off;

/* the power-on MXCSR control bits (random flags), and a second hemu run
   on the generic path compared with the first */
static bool dflt_mx, cmp_generic;

#define X86_HOSTDIFF_SEED 0x9e3779b97f4a7c15ull
#include "tests/unit/x86_hostdiff.h"

/* A random FXSAVE image: x87 state with no pending unmasked exception. */
static void rnd_fx(uint8_t *fx, bool unmask)
{
    uint16_t fcw = 0x3f | (uint16_t)(rnd() & 0xf00) | 0x40;
    if (unmask && rnd() % 3 == 0) {
        fcw &= (uint16_t)~(rnd() & 0x3f);
    }
    uint16_t fsw = (uint16_t)((rnd() & 0x4700) | (rnd() % 8) << 11);
    fsw |= (uint16_t)(rnd() & 0x3f & fcw);      /* masked sticky flags */
    uint32_t mxcsr = 0x1f80 | (uint32_t)(rnd() & 0x6040) |
                     (uint32_t)(rnd() & 0x3f);
    if (unmask && rnd() % 4 == 0) {
        mxcsr &= ~(uint32_t)((rnd() & 0x3f) << 7);
    }
    if (dflt_mx) {
        /* every exception masked: any rounding, DAZ, FTZ, sticky flags */
        mxcsr = 0x1f80 | (uint32_t)(rnd() & 0xe040) |
                (uint32_t)(rnd() & 0x3f);
    }

    memset(fx, 0, 512);
    memcpy(fx + 0, &fcw, 2);
    memcpy(fx + 2, &fsw, 2);
    fx[4] = (uint8_t)(rnd() % 4 == 0 ? rnd() : 0xff);
    if (rnd() % 8 == 0) {
        fx[4] = 0;
    }
    memcpy(fx + 24, &mxcsr, 4);
    for (int i = 0; i < 8; i++) {
        rnd_f80(fx + 32 + 16 * i);
    }
    rnd_mem(fx + 160, 256);
}

/* ---- the differential runner --------------------------------------------- */

static unsigned failures_shown;
static uint8_t init_data[4096];

/* FXRSTOR64 [r15]; insn; FXSAVE64 [r15] */
static unsigned wrap(uint8_t *code, const uint8_t *insn, unsigned n)
{
    memcpy(code, "\x49\x0f\xae\x0f", 4);
    memcpy(code + 4, insn, n);
    memcpy(code + 4 + n, "\x49\x0f\xae\x07", 4);
    return n + 8;
}

static void dump_bytes(const char *what, const uint8_t *b, unsigned n)
{
    printf("#   %s:", what);
    for (unsigned i = 0; i < n; i++) {
        printf(" %02x", b[i]);
    }
    printf("\n");
}

/* Compare one case; returns false on a difference. */
static bool run_one(const uint8_t *insn, unsigned n, bool unmask)
{
    struct nregs in, nat, emu;
    uint8_t code[40];
    unsigned len = wrap(code, insn, n);
    int vn, ve;

    for (int r = 0; r < 16; r++) {
        in.r[r] = rnd() % 3 ? rnd() : rnd() % 100;
    }
    in.r[4] = 0;            /* rSP is not used */
    in.r[3] = G_DATA + 1024 + ((rnd() % 8 == 0) ? 8 : 0);
    in.r[15] = G_DATA;
    in.r[7] = G_DATA + 2048 + rnd() % 64;      /* MASKMOVQ/MASKMOVDQU */
    in.flags = rnd() & 0x8d5;
    rnd_fx(init_data, unmask);
    rnd_mem(init_data + 1024, 128);
    if (insn[0] == 0x0f && insn[1] == 0xae) {
        /* LDMXCSR: MXCSR bit 17 (AMD's misaligned-SSE mask) may be valid
           on the host; hemu's MXCSR_MASK is 0xffff */
        init_data[1024 + 2] &= (uint8_t)~2;
        init_data[1032 + 2] &= (uint8_t)~2;
    }

    memcpy(host_data, init_data, 4096);
    memcpy(emu_data, init_data, 4096);
    nat = in;
    emu = in;
    vn = native_run(&nat, code, len);
    ve = emu_run(&emu, code, len);

    bool ok = vn == ve;
    if (ok && vn < 0) {
        ok = !memcmp(nat.r, emu.r, sizeof(nat.r)) &&
             ((nat.flags ^ emu.flags) & 0x8d5) == 0 &&
             !memcmp(host_data, emu_data, 6) &&
             !memcmp(host_data + 24, emu_data + 24, 4) &&
             !memcmp(host_data + 32, emu_data + 32, 464 - 32) &&
             !memcmp(host_data + 512, emu_data + 512, 4096 - 512);
    }
    if (ok && cmp_generic) {
        static uint8_t fast_data[4096];
        struct nregs gen = in;
        memcpy(fast_data, emu_data, 4096);
        memcpy(emu_data, init_data, 4096);
        x86_ssefast_off = true;
        int vg = emu_run(&gen, code, len);
        x86_ssefast_off = false;
        ok = vg == ve && !memcmp(gen.r, emu.r, sizeof(gen.r)) &&
             ((gen.flags ^ emu.flags) & 0x8d5) == 0 &&
             !memcmp(fast_data, emu_data, 4096);
        if (!ok && failures_shown < 10) {
            printf("#   specialised and generic paths differ (vector %d "
                   "%d)\n", ve, vg);
        }
        memcpy(emu_data, fast_data, 4096);
    }
    if (!ok && failures_shown++ < 10) {
        dump_bytes("insn", insn, n);
        printf("#   vector native %d emu %d\n", vn, ve);
        dump_bytes("in   fx", init_data, 160);
        dump_bytes("nat  fx", host_data, 160);
        dump_bytes("emu  fx", emu_data, 160);
        dump_bytes("nat mem", host_data + 1024, 32);
        dump_bytes("emu mem", emu_data + 1024, 32);
        printf("#   flags %llx %llx rax %llx %llx\n",
               (unsigned long long)nat.flags, (unsigned long long)emu.flags,
               (unsigned long long)nat.r[0], (unsigned long long)emu.r[0]);
    }
    return ok;
}


TEST(setup)
{
    native_setup();
    emu_setup();
    EXPECT(code_buf != NULL);
}

/* Opcodes with an imm8. */
static bool has_imm(unsigned map, unsigned op)
{
    if (map == 0x3a) {
        return true;
    }
    return map == 0 && ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
                        (op >= 0xc4 && op <= 0xc6));
}

static const uint8_t regs_ok[5] = { 0, 1, 2, 3, 6 };

/* All prefixes, register and memory forms of one opcode. */
static unsigned sweep(unsigned map, unsigned op, int ncases)
{
    static const uint8_t pfx[4] = { 0, 0x66, 0xf3, 0xf2 };
    unsigned bad = 0;

    for (unsigned p = 0; p < 4; p++) {
        if (op == 0x2b && p >= 2) {
            continue;           /* AMD SSE4a MOVNTSS/MOVNTSD */
        }
        for (int i = 0; i < ncases; i++) {
            uint8_t insn[12];
            unsigned n = 0;
            bool mem = rnd() & 1;
            unsigned reg = regs_ok[rnd() % 5], rm = regs_ok[rnd() % 5];
            uint8_t rex = 0;

            if (rnd() & 1) {
                rex = (uint8_t)(0x40 | (rnd() & 0xc) | (mem ? 0 : rnd() & 1));
            }
            if (pfx[p]) {
                insn[n++] = pfx[p];
            }
            if (rex) {
                insn[n++] = rex;
            }
            insn[n++] = 0x0f;
            if (map) {
                insn[n++] = (uint8_t)map;
            }
            insn[n++] = (uint8_t)op;
            insn[n++] = mem ? (uint8_t)(reg << 3 | 3)
                            : (uint8_t)(0xc0 | reg << 3 | rm);
            if (has_imm(map, op)) {
                insn[n++] = (uint8_t)rnd();
            }
            if (!run_one(insn, n, true)) {
                bad++;
                break;
            }
        }
    }
    return bad;
}

TEST(sse_0f_map)
{
    unsigned bad = 0;
    for (unsigned op = 0x10; op <= 0xff; op++) {
        if ((op >= 0x18 && op <= 0x27) || (op >= 0x30 && op <= 0x4f) ||
            (op >= 0x78 && op <= 0x7b) || (op >= 0x80 && op <= 0xc1) ||
            (op >= 0xc7 && op <= 0xcf)) {
            continue;
        }
        if (op == 0xf7 || op == 0x77) {
            continue;           /* MASKMOV (writes [rDI]), EMMS: below */
        }
        bad += sweep(0, op, NCASES / 4);
    }
    EXPECT_EQ(bad, 0);
}

TEST(ssse3_maps)
{
    unsigned bad = 0;
    for (unsigned op = 0x00; op <= 0x0b; op++) {
        bad += sweep(0x38, op, NCASES / 4);
    }
    for (unsigned op = 0x1c; op <= 0x1e; op++) {
        bad += sweep(0x38, op, NCASES / 4);
    }
    bad += sweep(0x3a, 0x0f, NCASES / 4);
    EXPECT_EQ(bad, 0);
}

TEST(sse41_sse42_maps)
{
    static const uint8_t ops38[] = {
        0x10, 0x14, 0x15, 0x17, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28,
        0x29, 0x2a, 0x2b, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x38,
        0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0xf0, 0xf1,
    };
    static const uint8_t ops3a[] = {
        0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x14, 0x15, 0x16, 0x17,
        0x20, 0x21, 0x22, 0x40, 0x41, 0x42, 0x60, 0x61, 0x62, 0x63,
    };
    unsigned bad = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(ops38); i++) {
        bad += sweep(0x38, ops38[i], NCASES / 4);
    }
    for (unsigned i = 0; i < ARRAY_SIZE(ops3a); i++) {
        bad += sweep(0x3a, ops3a[i], NCASES / 4);
    }
    EXPECT_EQ(bad, 0);
}

/* The specialised forms (ssefast.c) with the MXCSR they take, against
   the host and against hemu's generic path. */
TEST(sse_fast_forms)
{
    static const uint8_t ops[] = {
        0x10, 0x11, 0x14, 0x15, 0x28, 0x29, 0x2a, 0x2c, 0x2d, 0x2e, 0x2f,
        0x50, 0x51, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c,
        0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67,
        0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x72, 0x73,
        0x74, 0x75, 0x76, 0x7e, 0x7f, 0xc6, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5,
        0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0,
        0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe8, 0xe9, 0xea, 0xeb, 0xec,
        0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8, 0xf9,
        0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
    };
    unsigned bad = 0;
    dflt_mx = cmp_generic = true;
    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++) {
        bad += sweep(0, ops[i], NCASES / 4);
    }
    /* PSRAD xmm, imm8 (/4, which sweep's register choice leaves out) */
    for (int i = 0; i < NCASES / 4; i++) {
        uint8_t insn[5] = { 0x66, 0x0f, 0x72, (uint8_t)(0xe0 | rnd() % 4),
                            (uint8_t)rnd() };
        bad += !run_one(insn, 5, true);
    }
    dflt_mx = cmp_generic = false;
    EXPECT_EQ(bad, 0);
}

/* Runs of specialised SSE floating-point and MMX forms (the first MMX
   instruction takes the generic path when TOP is not 0, the rest the
   specialised one, mmxfast.c): the guest's MXCSR stays
   in the host's between them and its flags are read back only by
   STMXCSR, a generic instruction or the final FXSAVE (ssefast.c).
   Random sequences against the host and against the generic path, with
   every exception masked and, in every other case, some unmasked. */
TEST(sse_fast_sequences)
{
    static const struct { uint8_t n, b[6]; } forms[] = {
        { 4, { 0xf2, 0x0f, 0x58, 0xca } },          /* addsd xmm1, xmm2 */
        { 4, { 0x66, 0x0f, 0x59, 0xc3 } },          /* mulpd xmm0, xmm3 */
        { 3, { 0x0f, 0x5e, 0xd1 } },                /* divps xmm2, xmm1 */
        { 4, { 0xf3, 0x0f, 0x51, 0xc8 } },          /* sqrtss xmm1, xmm0 */
        { 4, { 0x66, 0x0f, 0x2e, 0xc1 } },          /* ucomisd xmm0, xmm1 */
        { 3, { 0x0f, 0x2f, 0xca } },                /* comiss xmm1, xmm2 */
        { 4, { 0xf2, 0x0f, 0x2d, 0xc1 } },          /* cvtsd2si eax, xmm1 */
        { 5, { 0xf2, 0x48, 0x0f, 0x2a, 0xc6 } },    /* cvtsi2sd xmm0, rsi */
        { 4, { 0x66, 0x0f, 0x5a, 0xc1 } },          /* cvtpd2ps xmm0, xmm1 */
        { 4, { 0xf3, 0x0f, 0x5b, 0xd2 } },          /* cvttps2dq xmm2, xmm2 */
        { 4, { 0xf2, 0x0f, 0x59, 0x0b } },          /* mulsd xmm1, [rbx] */
        { 4, { 0xf3, 0x0f, 0x5c, 0x13 } },          /* subss xmm2, [rbx] */
        { 4, { 0x66, 0x0f, 0x58, 0x03 } },          /* addpd xmm0, [rbx] */
        { 3, { 0x0f, 0xae, 0x1b } },                /* stmxcsr [rbx] */
        { 3, { 0x0f, 0x5d, 0xc1 } },                /* minps xmm0, xmm1 */
        { 4, { 0x66, 0x0f, 0x5f, 0xca } },          /* maxpd xmm1, xmm2 */
        { 3, { 0x0f, 0x57, 0xc0 } },                /* xorps xmm0, xmm0 */
        { 4, { 0x66, 0x0f, 0xe6, 0xd9 } },          /* cvttpd2dq xmm3, xmm1 */
        { 3, { 0x0f, 0xfe, 0xc1 } },                /* paddd mm0, mm1 */
        { 3, { 0x0f, 0xef, 0x0b } },                /* pxor mm1, [rbx] */
        { 3, { 0x0f, 0x63, 0xca } },                /* packsswb mm1, mm2 */
        { 3, { 0x0f, 0x68, 0xd1 } },                /* punpckhbw mm2, mm1 */
        { 3, { 0x0f, 0xf5, 0xc3 } },                /* pmaddwd mm0, mm3 */
        { 3, { 0x0f, 0xd1, 0xc1 } },                /* psrlw mm0, mm1 */
        { 3, { 0x0f, 0x6f, 0xc2 } },                /* movq mm0, mm2 */
        { 3, { 0x0f, 0x7f, 0x0b } },                /* movq [rbx], mm1 */
        { 3, { 0x0f, 0x6f, 0x1b } },                /* movq mm3, [rbx] */
        { 4, { 0x66, 0x0f, 0x3a, 0x0b } },          /* generic: roundsd... */
    };
    unsigned bad = 0;
    dflt_mx = cmp_generic = true;
    for (int i = 0; i < NCASES * 2; i++) {
        uint8_t insn[32];
        unsigned n = 2 + (unsigned)(rnd() % 4), len = 0;
        for (unsigned k = 0; k < n; k++) {
            unsigned f = (unsigned)(rnd() % ARRAY_SIZE(forms));
            if (f == ARRAY_SIZE(forms) - 1) {
                /* ROUNDSD xmm0, xmm1, imm8 (generic path) */
                memcpy(insn + len, "\x66\x0f\x3a\x0b\xc1", 5);
                insn[len + 5] = (uint8_t)(rnd() & 0xf);
                len += 6;
                continue;
            }
            memcpy(insn + len, forms[f].b, forms[f].n);
            len += forms[f].n;
        }
        emu_budget = n + 2;
        dflt_mx = i & 1;
        bad += !run_one(insn, len, true);
    }
    emu_budget = 3;
    dflt_mx = cmp_generic = false;
    EXPECT_EQ(bad, 0);
}

TEST(emms_maskmov_movnti)
{
    unsigned bad = 0;
    for (int i = 0; i < NCASES / 4; i++) {
        bad += !run_one((const uint8_t *)"\x0f\x77", 2, false);
        bad += !run_one((const uint8_t *)"\x0f\xf7\xca", 3, false);
        bad += !run_one((const uint8_t *)"\x66\x0f\xf7\xca", 4, false);
        bad += !run_one((const uint8_t *)"\x66\x45\x0f\xf7\xca", 5, false);
        bad += !run_one((const uint8_t *)"\x0f\xc3\x0b", 3, false);
        bad += !run_one((const uint8_t *)"\x48\x0f\xc3\x0b", 4, false);
    }
    EXPECT_EQ(bad, 0);
}

TEST(ldmxcsr_stmxcsr)
{
    unsigned bad = 0;
    for (int i = 0; i < NCASES / 4; i++) {
        bad += !run_one((const uint8_t *)"\x0f\xae\x1b", 3, false);
        bad += !run_one((const uint8_t *)"\x0f\xae\x13", 3, false);
    }
    EXPECT_EQ(bad, 0);
}

TEST_MAIN()
