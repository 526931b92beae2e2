/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_fpu_test.c - host-differential tests of the soft x86 CPU's x87 FPU,
 * plus guest-style tests of FXSAVE layout, FNSTENV/FNSAVE formats, #NM
 * with CR0.TS/EM and #MF.  Each case runs "FXRSTOR64 [r15]; insn;
 * FXSAVE64 [r15]" natively (an executable buffer between a register-loading
 * trampoline and a jump back) and in hemu's CPU in 64-bit mode, from the
 * same random x87 state (special values: zeros, denormals, pseudo-denormals,
 * unnormals, infinities, QNaN/SNaN, indefinite; random TOP, empty tags,
 * rounding and precision control, masked and unmasked exceptions) and
 * memory operands.  The FXSAVE images (FCW, FSW, FTW, registers, MXCSR,
 * XMM), registers, flags and data are compared; FOP/FIP/FDP, the
 * selectors and MXCSR_MASK are not (hosts deprecate or defer the first,
 * and may support MXCSR bits hemu does not).  SIGILL must be #UD.
 */
#include "emu/osdep.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define NCASES 1000

#define X86_HOSTDIFF_SEED 0x2545f4914f6cdd1dull
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
    in.flags = rnd() & 0x8d5;
    rnd_fx(init_data, unmask);
    rnd_mem(init_data + 1024, 128);

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

/* Every register form of D8-DF (the #UD ones included). */
TEST(x87_register_forms)
{
    unsigned bad = 0;
    for (unsigned op = 0xd8; op <= 0xdf; op++) {
        for (unsigned m = 0xc0; m <= 0xff; m++) {
            uint8_t insn[2] = { (uint8_t)op, (uint8_t)m };
            if (op == 0xdf && m == 0xe0) {
                continue;           /* FNSTSW AX: below */
            }
            for (int i = 0; i < NCASES / 4; i++) {
                if (!run_one(insn, 2, true)) {
                    bad++;
                    break;
                }
            }
        }
    }
    EXPECT_EQ(bad, 0);
}

/* Every memory form with [rbx] except FNSTENV/FNSAVE (they store
   FIP/FDP); FLDENV and FRSTOR load random images. */
TEST(x87_memory_forms)
{
    unsigned bad = 0;
    for (unsigned op = 0xd8; op <= 0xdf; op++) {
        for (unsigned r = 0; r < 8; r++) {
            uint8_t insn[2] = { (uint8_t)op, (uint8_t)(r << 3 | 3) };
            if ((op == 0xd9 || op == 0xdd) && r == 6) {
                continue;
            }
            for (int i = 0; i < NCASES; i++) {
                if (!run_one(insn, 2, true)) {
                    bad++;
                    break;
                }
            }
        }
    }
    EXPECT_EQ(bad, 0);
}

TEST(x87_fnstsw_ax_and_fwait)
{
    unsigned bad = 0;
    for (int i = 0; i < NCASES; i++) {
        bad += !run_one((const uint8_t *)"\xdf\xe0", 2, false);
        bad += !run_one((const uint8_t *)"\x9b", 1, false);
        /* an operation, then FNSTSW AX and FCOMI flags */
        bad += !run_one((const uint8_t *)"\xdb\xf1", 2, true);
    }
    EXPECT_EQ(bad, 0);
}

/* Runs of x87 instructions with every exception masked: hemu keeps the
   x87 state and FSW in the host's unit between them (fpu.c) and reads
   FSW back only for FNSTSW, FNCLEX and the final FXSAVE.  Random
   sequences of arithmetic, stack, compare, FCMOV, FNSTSW/FNCLEX and
   memory load/store forms against the host. */
TEST(x87_sequences)
{
    static const uint8_t forms[][2] = {
        { 0xd8, 0xc1 }, { 0xd8, 0xca }, { 0xd8, 0xe1 }, { 0xd8, 0xf1 },
        { 0xd8, 0xfa }, { 0xdc, 0xc1 }, { 0xdc, 0xf9 }, { 0xde, 0xc1 },
        { 0xde, 0xc9 }, { 0xde, 0xf9 }, { 0xde, 0xe9 }, { 0xd9, 0xc1 },
        { 0xd9, 0xc3 }, { 0xd9, 0xca }, { 0xd9, 0xfa }, { 0xd9, 0xe0 },
        { 0xd9, 0xe1 }, { 0xd9, 0xe8 }, { 0xd9, 0xee }, { 0xd9, 0xfc },
        { 0xd9, 0xfd }, { 0xd9, 0xf8 }, { 0xdd, 0xd9 }, { 0xdd, 0xda },
        { 0xdb, 0xe9 }, { 0xdf, 0xe9 }, { 0xdb, 0xf1 }, { 0xd8, 0xd1 },
        { 0xda, 0xc1 }, { 0xdb, 0xca }, { 0xda, 0xd9 }, { 0xdf, 0xe0 },
        { 0xdb, 0xe2 }, { 0xd8, 0x03 }, { 0xdc, 0x0b }, { 0xdd, 0x03 },
        { 0xdd, 0x1b }, { 0xdb, 0x2b }, { 0xdb, 0x3b }, { 0xdf, 0x2b },
        { 0xdf, 0x3b }, { 0xd9, 0x1b }, { 0xda, 0x33 }, { 0xdd, 0xc1 },
    };
    unsigned bad = 0;
    for (int i = 0; i < NCASES * 4; i++) {
        uint8_t insn[16];
        unsigned n = 2 + (unsigned)(rnd() % 5), len = 0;
        for (unsigned k = 0; k < n; k++) {
            memcpy(insn + len, forms[rnd() % ARRAY_SIZE(forms)], 2);
            len += 2;
        }
        emu_budget = n + 2;
        if (!run_one(insn, len, false)) {
            bad++;
        }
    }
    emu_budget = 3;
    EXPECT_EQ(bad, 0);
}

/* ---- guest-style tests -------------------------------------------------- */

static void guest(const uint8_t *code, unsigned len)
{
    memcpy(emu_code, code, len);
    cpu.rip = G_CODE;
}

TEST(nm_with_ts_and_em)
{
    /* FLD1 with CR0.TS: #NM (no exception pending) */
    cpu.fsw = 0;
    guest((const uint8_t *)"\xd9\xe8", 2);
    cpu.cr0 |= X86_CR0_TS;
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_NM);
    /* WAIT with TS and MP: #NM; with TS alone: runs */
    guest((const uint8_t *)"\x9b", 1);
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_NM);
    cpu.cr0 &= ~(uint64_t)X86_CR0_MP;
    guest((const uint8_t *)"\x9b", 1);
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_BUDGET);
    /* SSE with TS: #NM; with EM: #UD; without OSFXSR: #UD */
    guest((const uint8_t *)"\x0f\x57\xc0", 3);      /* xorps xmm0, xmm0 */
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_NM);
    cpu.cr0 = (cpu.cr0 & ~(uint64_t)X86_CR0_TS) | X86_CR0_EM;
    guest((const uint8_t *)"\x0f\x57\xc0", 3);
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_UD);
    /* FLD1 with EM: #NM */
    guest((const uint8_t *)"\xd9\xe8", 2);
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_NM);
    cpu.cr0 &= ~(uint64_t)X86_CR0_EM;
    cpu.cr4 &= ~(uint64_t)X86_CR4_OSFXSR;
    guest((const uint8_t *)"\x0f\x57\xc0", 3);
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_UD);
    cpu.cr4 |= X86_CR4_OSFXSR;
    cpu.cr0 |= X86_CR0_MP;
}

TEST(mf_on_pending_unmasked_exception)
{
    /* FNINIT; FLDCW [rbx] (ZE unmasked); FLDZ; FLD1; FDIVRP? no: FDIV
       ST(0), ST(1) = 1 / 0 -> ZE pending; FNSTSW AX; FLD1 -> #MF */
    static const uint8_t prog[] = {
        0xdb, 0xe3,             /* fninit */
        0xd9, 0x2b,             /* fldcw [rbx] */
        0xd9, 0xee,             /* fldz */
        0xd9, 0xe8,             /* fld1 */
        0xd8, 0xf1,             /* fdiv st(0), st(1) */
        0xdf, 0xe0,             /* fnstsw ax */
        0xd9, 0xe8,             /* fld1: #MF */
    };
    uint16_t cw = 0x037b;
    memcpy(emu_data + 1024, &cw, 2);
    cpu.regs[3] = G_DATA + 1024;
    guest(prog, sizeof(prog));
    EXPECT_EQ(x86_cpu_run(&cpu, 7), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_MF);
    EXPECT_EQ(cpu.rip, G_CODE + 12);
    EXPECT_EQ(cpu.regs[0] & 0xffff, 0xb084);
    /* FNCLEX lets it go */
    guest((const uint8_t *)"\xdb\xe2\xd9\xe8", 4);
    EXPECT_EQ(x86_cpu_run(&cpu, 2), X86_EXIT_BUDGET);
}

TEST(fxsave_layout_and_env_formats)
{
    /* FNINIT; FLD1; FLDPI; FXSAVE [rbx]; FNSTENV [rbx+512] (32-bit);
       66 FNSTENV [rbx+544] (16-bit); FNSAVE [rbx+576] */
    static const uint8_t prog[] = {
        0xdb, 0xe3, 0xd9, 0xe8, 0xd9, 0xeb,
        0x0f, 0xae, 0x03,
        0xd9, 0xb3, 0x00, 0x02, 0x00, 0x00,
        0x66, 0xd9, 0xb3, 0x20, 0x02, 0x00, 0x00,
        0xdd, 0xb3, 0x40, 0x02, 0x00, 0x00,
    };
    uint8_t *b = emu_data + 1024;
    uint16_t w;
    uint32_t d;
    long double pi;

    memset(emu_data, 0xcc, sizeof(emu_data));
    cpu.mxcsr = 0x1f80;
    cpu.regs[3] = G_DATA + 1024;
    guest(prog, sizeof(prog));
    EXPECT_EQ(x86_cpu_run(&cpu, 7), X86_EXIT_BUDGET);
    memcpy(&w, b, 2);
    EXPECT_EQ(w, 0x037f);
    memcpy(&w, b + 2, 2);
    EXPECT_EQ(w, 0x3000);               /* TOP = 6 */
    EXPECT_EQ(b[4], 0xc0);              /* registers 6, 7 valid */
    memcpy(&d, b + 24, 4);
    EXPECT_EQ(d, 0x1f80);
    memcpy(&d, b + 28, 4);
    EXPECT_EQ(d, 0xffff);
    memcpy(&pi, b + 32, 10);
    EXPECT(pi > 3.14159L && pi < 3.1416L);
    EXPECT_EQ(b[48 + 9], 0x3f);         /* ST(1) = 1.0 */
    /* 32-bit environment: FTW full tags 0000 (valid) for 6, 7 */
    memcpy(&w, b + 512 + 8, 2);
    EXPECT_EQ(w, 0x0fff);
    memcpy(&w, b + 544 + 4, 2);         /* 16-bit: FTW at 4 */
    EXPECT_EQ(w, 0x0fff);
    memcpy(&w, b + 544 + 2, 2);         /* FSW */
    EXPECT_EQ(w, 0x3000);
    memcpy(&pi, b + 576 + 28, 10);      /* FNSAVE: ST(0) after the env */
    EXPECT(pi > 3.14159L && pi < 3.1416L);
    EXPECT_EQ(cpu.fcw, 0x037f);         /* FNSAVE reinitialised */
    EXPECT_EQ(cpu.ftw, 0xffff);
    /* FNSTENV masked every exception before FNSAVE: env FCW shows it */
    memcpy(&w, b + 576, 2);
    EXPECT_EQ(w, 0x037f);
    /* FXSAVE misaligned: #GP */
    cpu.regs[3] = G_DATA + 1032;
    guest((const uint8_t *)"\x0f\xae\x03", 3);
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_GP);
}

TEST(xm_on_unmasked_simd_exception)
{
    /* DIVSS xmm1, xmm2 with 1/0 and ZM clear: #XM, xmm1 unchanged, ZE set;
       without CR4.OSXMMEXCPT: #UD; masked: +inf and ZE */
    static const uint8_t divss[] = { 0xf3, 0x0f, 0x5e, 0xca };
    float one = 1.0f, zero = 0.0f, r;

    memset(cpu.xmm, 0, sizeof(cpu.xmm));
    memcpy(&cpu.xmm[1][0], &one, 4);
    memcpy(&cpu.xmm[2][0], &zero, 4);
    cpu.mxcsr = 0x1f80 & ~0x200u;
    guest(divss, sizeof(divss));
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_XM);
    EXPECT_EQ(cpu.mxcsr & 0x3f, 0x4);
    memcpy(&r, &cpu.xmm[1][0], 4);
    EXPECT(r == 1.0f);
    cpu.cr4 &= ~(uint64_t)X86_CR4_OSXMMEXCPT;
    guest(divss, sizeof(divss));
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_UD);
    cpu.cr4 |= X86_CR4_OSXMMEXCPT;
    cpu.mxcsr = 0x1f80;
    guest(divss, sizeof(divss));
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_BUDGET);
    memcpy(&r, &cpu.xmm[1][0], 4);
    EXPECT(r > 1e38f);
    EXPECT_EQ(cpu.mxcsr, 0x1f84);
}

TEST(mmx_aliases_x87)
{
    /* FNINIT; MOVQ mm3, [rbx]; the x87 register 3 holds it with
       exponent 0xffff, TOP 0, all tags valid; EMMS empties the tags */
    static const uint8_t prog[] = {
        0xdb, 0xe3, 0x0f, 0x6f, 0x1b, 0x0f, 0x77,
    };
    uint64_t v = 0x1122334455667788ull, m;

    memcpy(emu_data + 1024, &v, 8);
    cpu.regs[3] = G_DATA + 1024;
    guest(prog, sizeof(prog));
    EXPECT_EQ(x86_cpu_run(&cpu, 2), X86_EXIT_BUDGET);
    memcpy(&m, cpu.fpr[3], 8);
    EXPECT(m == v);
    EXPECT_EQ(cpu.fpr[3][8], 0xff);
    EXPECT_EQ(cpu.fpr[3][9], 0xff);
    EXPECT_EQ(cpu.ftw, 0);
    EXPECT_EQ((cpu.fsw >> 11) & 7, 0);
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.ftw, 0xffff);
}

TEST(cpuid_features)
{
    guest((const uint8_t *)"\x0f\xa2", 2);
    cpu.regs[0] = 1;
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.regs[X86_RDX] & 0x07800001, 0x07800001);
    EXPECT_EQ(cpu.regs[X86_RCX] & 0x201, 0x201);
}

TEST_MAIN()
