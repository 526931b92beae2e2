/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuse.c - superinstructions of the soft x86 CPU's block cache: a CMP or
 * TEST between registers (or a register and an immediate) and the Jcc
 * right after it become one record, run by one dispatch.  The record
 * leaves the lazy flags exactly as the CMP/TEST would (the flags may be
 * read later) and decides the branch from the operands.  It retires two
 * instructions: the handler counts the second into cpu->icount, and the
 * run loop (cpu.c) counts it for the budget (x86_block.nguest) and when a
 * fault further on recounts (ends is X86_FUSED_REC).  Never the first record of a block, so that
 * a block run one instruction at a time (TF, the budget, an interrupt
 * shadow) starts with a plain one.  Register forms only: the pair cannot
 * fault.  Reference: Intel SDM vol. 1 3.4.3.1 and appendix B (condition
 * codes), vol. 2 "CMP", "TEST", "Jcc".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* records, lazy flags, registers */

/*
 * The fused record's fields: reg the first operand (a register), rm the
 * second or X86_NOREG for imm, adsz the operand size (no memory operand,
 * so the address size is free), rex the CMP/TEST's (byte registers),
 * opsz and disp the Jcc's operand size and displacement, scale the
 * condition, len both lengths.
 */

/* Register r at size sz: constant 2 and 3 in the handlers for those
   sizes, in->adsz in the others (byte registers need in->rex). */
#define RD(sz, r)                                                           \
    ((sz) == 3 ? cpu->regs[r]                                               \
               : (sz) == 2 ? (uint32_t)cpu->regs[r]                         \
                           : x86_reg_get(cpu, in, r, sz))

static inline void branch(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->rip = (cpu->rip + (uint64_t)(int64_t)in->disp) &
               x86_mask(in->opsz);
}

#define AM (a & x86_mask(SZ))
#define BM (b & x86_mask(SZ))
#define SA x86_sext(a, SZ)
#define SB x86_sext(b, SZ)
#define RZ ((r & x86_mask(SZ)) == 0)
#define XCOND x86_cond(cpu, in->scale)

/* CMP (LF SUB, r = a - b) or TEST (LF LOGIC, r = a & b) of a and b (a
   register or the immediate), then Jcc on COND. */
#define FUSED(name, LF, OPER, BEXPR, COND)                                  \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint64_t a = RD(SZ, in->reg), b = (BEXPR), r = a OPER b;            \
        x86_lf(cpu, LF, SZ, a, b, r);                                       \
        cpu->icount++;      /* the Jcc */                                   \
        if (COND) {                                                         \
            branch(cpu, in);                                                \
        }                                                                   \
    }

#define BREG RD(SZ, in->rm)
#define BIMM in->imm

/* The handlers of one kind and size, and their table by condition. */
#define CMP_SET(sfx, B)                                                     \
    FUSED(cmp_##sfx##_any, X86_LF_SUB, -, B, XCOND)                         \
    FUSED(cmp_##sfx##_b, X86_LF_SUB, -, B, AM < BM)                         \
    FUSED(cmp_##sfx##_ae, X86_LF_SUB, -, B, AM >= BM)                       \
    FUSED(cmp_##sfx##_e, X86_LF_SUB, -, B, AM == BM)                        \
    FUSED(cmp_##sfx##_ne, X86_LF_SUB, -, B, AM != BM)                       \
    FUSED(cmp_##sfx##_be, X86_LF_SUB, -, B, AM <= BM)                       \
    FUSED(cmp_##sfx##_a, X86_LF_SUB, -, B, AM > BM)                         \
    FUSED(cmp_##sfx##_l, X86_LF_SUB, -, B, SA < SB)                         \
    FUSED(cmp_##sfx##_ge, X86_LF_SUB, -, B, SA >= SB)                       \
    FUSED(cmp_##sfx##_le, X86_LF_SUB, -, B, SA <= SB)                       \
    FUSED(cmp_##sfx##_g, X86_LF_SUB, -, B, SA > SB)                         \
    static x86_handler_fn *const cmp_##sfx[16] = {                         \
        cmp_##sfx##_any, cmp_##sfx##_any, cmp_##sfx##_b, cmp_##sfx##_ae,    \
        cmp_##sfx##_e, cmp_##sfx##_ne, cmp_##sfx##_be, cmp_##sfx##_a,       \
        cmp_##sfx##_any, cmp_##sfx##_any, cmp_##sfx##_any,                  \
        cmp_##sfx##_any, cmp_##sfx##_l, cmp_##sfx##_ge, cmp_##sfx##_le,     \
        cmp_##sfx##_g,                                                      \
    };

#define TEST_SET(sfx, B)                                                    \
    FUSED(test_##sfx##_any, X86_LF_LOGIC, &, B, XCOND)                      \
    FUSED(test_##sfx##_e, X86_LF_LOGIC, &, B, RZ)                           \
    FUSED(test_##sfx##_ne, X86_LF_LOGIC, &, B, !RZ)                         \
    static x86_handler_fn *const test_##sfx[16] = {                        \
        test_##sfx##_any, test_##sfx##_any, test_##sfx##_any,               \
        test_##sfx##_any, test_##sfx##_e, test_##sfx##_ne,                  \
        test_##sfx##_any, test_##sfx##_any, test_##sfx##_any,              \
        test_##sfx##_any, test_##sfx##_any, test_##sfx##_any,              \
        test_##sfx##_any, test_##sfx##_any, test_##sfx##_any,              \
        test_##sfx##_any,                                                   \
    };

#define SZ in->adsz
CMP_SET(rr, BREG)
CMP_SET(ri, BIMM)
TEST_SET(rr, BREG)
TEST_SET(ri, BIMM)
#undef SZ
#define SZ 2
CMP_SET(rr32, BREG)
CMP_SET(ri32, BIMM)
TEST_SET(rr32, BREG)
TEST_SET(ri32, BIMM)
#undef SZ
#define SZ 3
CMP_SET(rr64, BREG)
CMP_SET(ri64, BIMM)
TEST_SET(rr64, BREG)
TEST_SET(ri64, BIMM)
#undef SZ

/* [test][imm][size] */
static x86_handler_fn *const *const sets[2][2][4] = {
    { { cmp_rr, cmp_rr, cmp_rr32, cmp_rr64 },
      { cmp_ri, cmp_ri, cmp_ri32, cmp_ri64 } },
    { { test_rr, test_rr, test_rr32, test_rr64 },
      { test_ri, test_ri, test_ri32, test_ri64 } },
};

static bool is_jcc(const struct x86_insn *in)
{
    return ((in->op >= 0x70 && in->op <= 0x7f) ||
            (in->op >= 0x180 && in->op <= 0x18f)) &&
           in->fn != x86_op_ud && !in->lock;
}

/*
 * The CMP/TEST forms fused: a and b as registers (or b the immediate) of
 * in, the operand size; false for the others.
 */
static bool cmp_form(const struct x86_insn *in, bool *test, unsigned *a,
                     unsigned *b, unsigned *sz)
{
    unsigned op = in->op;

    if (in->fn == x86_op_ud || in->lock) {
        return false;
    }
    *sz = (op & 1) ? in->opsz : 0;
    *b = X86_NOREG;
    switch (op) {
    case 0x38: case 0x39:       /* CMP Eb,Gb / Ev,Gv */
    case 0x84: case 0x85:       /* TEST Eb,Gb / Ev,Gv */
        if (in->mod != 3) {
            return false;
        }
        *test = op >= 0x84;
        *a = in->rm;
        *b = in->reg;
        return true;
    case 0x3a: case 0x3b:       /* CMP Gb,Eb / Gv,Ev */
        if (in->mod != 3) {
            return false;
        }
        *test = false;
        *a = in->reg;
        *b = in->rm;
        return true;
    case 0x3c: case 0x3d:       /* CMP AL/rAX, imm */
    case 0xa8: case 0xa9:       /* TEST AL/rAX, imm */
        *test = op >= 0xa8;
        *a = X86_RAX;
        return true;
    case 0x80: case 0x81: case 0x83:    /* CMP Eb/Ev, imm (group 1 /7) */
        if (in->mod != 3 || (in->reg & 7) != 7) {
            return false;
        }
        *sz = op == 0x80 ? 0 : in->opsz;
        *test = false;
        *a = in->rm;
        return true;
    case 0xf6: case 0xf7:       /* TEST Eb/Ev, imm (group 3 /0) */
        if (in->mod != 3 || (in->reg & 7) != 0) {
            return false;
        }
        *test = true;
        *a = in->rm;
        return true;
    default:
        return false;
    }
}

bool x86_fuse(struct x86_insn *out, const struct x86_insn *cmp,
              const struct x86_insn *jcc)
{
    bool test;
    unsigned a, b, sz;

    if (x86_fast_off || !is_jcc(jcc) || !cmp_form(cmp, &test, &a, &b, &sz)) {
        return false;
    }
    struct x86_insn f = *cmp;
    unsigned cc = jcc->op & 15;
    f.reg = (uint8_t)a;
    f.rm = (uint8_t)b;
    f.adsz = (uint8_t)sz;
    f.opsz = jcc->opsz;
    f.disp = (int32_t)jcc->imm;
    f.scale = (uint8_t)cc;
    f.len = (uint8_t)(cmp->len + jcc->len);
    f.ends = X86_FUSED_REC;     /* the jcc does not end a block */
    f.fn = sets[test][b == X86_NOREG][sz][cc];
    *out = f;
    return true;
}
