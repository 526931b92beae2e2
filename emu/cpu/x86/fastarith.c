/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fastarith.c - specialised handlers for the group 2 and group 3 forms
 * and the byte stores that integer code runs often, chosen at decode time
 * through x86_arith_specialise (fastint.c asks): ROL/ROR by a constant,
 * SHL/SHR/SAR/ROL/ROR by 1 (D1), NOT/NEG/MUL/IMUL/DIV/IDIV of a 32/64-bit
 * register (F7) and MOV r8,imm8 (C6).  Each does what the generic
 * handler (shift.c, muldiv.c, mov.c) does for its form, flags included;
 * the rare cases with an exception or a host trap to avoid (a zero
 * divisor, an overflowing quotient) are handed to the generic handler,
 * which raises #DE exactly as it would have.  Reference: Intel SDM vol. 2
 * "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "NOT", "NEG", "MUL", "IMUL",
 * "DIV", "IDIV", "MOV".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* operands, lazy flags */

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* ---- rotates and shifts of a register -------------------------------------- */

/* Replace CF and OF, keep the other status flags (shift.c's set_cf_of).
   After an operation whose AF is 0 the flags stay lazy (X86_LF_CFOF):
   rotates often follow XOR/AND/shifts (hashes), and nothing reads the
   flags in between. */
static ALWAYS_INLINE void set_cf_of(struct x86_cpu *cpu, bool cf, bool of)
{
    switch (cpu->lf_op) {
    case X86_LF_LOGIC:
    case X86_LF_SHL:
    case X86_LF_SHR:
    case X86_LF_SAR:
    case X86_LF_CFOF:
        cpu->lf_op = X86_LF_CFOF;
        cpu->lf_cf = (uint8_t)(cf | of << 1);
        return;
    }
    uint64_t f = x86_flags(cpu) & ~(uint64_t)(X86_CF | X86_OF);
    cpu->rflags = f | (cf ? X86_CF : 0) | (of ? X86_OF : 0);
}

/*
 * ROL/ROR of a register by C, 0 < C < operand bits (C1 with the count
 * already masked, D1 with 1): only CF and OF change, OF by the rule the
 * SDM gives for a count of 1 (shift.c applies it to every count).
 */
#define ROT(name, SZ, RIGHT, C)                                             \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        unsigned c = (C), bits = 8u << (SZ);                                \
        uint64_t m = x86_mask(SZ), a = cpu->regs[in->rm] & m, r;           \
        uint64_t sign = x86_sign(SZ);                                       \
        bool cf, of;                                                        \
        if (RIGHT) {                                                        \
            r = ((a >> c) | (a << (bits - c))) & m;                         \
            cf = (r & sign) != 0;                                           \
            of = cf != !!(r & (sign >> 1));                                 \
        } else {                                                            \
            r = ((a << c) | (a >> (bits - c))) & m;                         \
            cf = r & 1;                                                     \
            of = !!(r & sign) != cf;                                        \
        }                                                                   \
        set_cf_of(cpu, cf, of);                                             \
        cpu->regs[in->rm] = r;                                              \
    }

ROT(rol_2, 2, 0, (unsigned)in->imm)
ROT(rol_3, 3, 0, (unsigned)in->imm)
ROT(ror_2, 2, 1, (unsigned)in->imm)
ROT(ror_3, 3, 1, (unsigned)in->imm)
ROT(rol1_2, 2, 0, 1)
ROT(rol1_3, 3, 0, 1)
ROT(ror1_2, 2, 1, 1)
ROT(ror1_3, 3, 1, 1)

/* D1 /4 /6 (SHL), /5 (SHR), /7 (SAR) of a register: a count of 1, the
   flags lazy (flags.c) */
#define SH1(name, SZ, KIND)                                                 \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint64_t m = x86_mask(SZ), a = cpu->regs[in->rm] & m, r;           \
        uint64_t sign = x86_sign(SZ);                                       \
        if ((KIND) == 0) {                                                  \
            r = (a << 1) & m;                                               \
            x86_lf(cpu, X86_LF_SHL, SZ, a, 1, r);                           \
        } else if ((KIND) == 1) {                                           \
            r = a >> 1;                                                     \
            x86_lf(cpu, X86_LF_SHR, SZ, a, 1, r);                           \
        } else {                                                            \
            r = (a >> 1) | (a & sign);                                      \
            x86_lf(cpu, X86_LF_SAR, SZ, a, 1, r);                           \
        }                                                                   \
        cpu->regs[in->rm] = r;                                              \
    }

SH1(shl1_2, 2, 0)
SH1(shl1_3, 3, 0)
SH1(shr1_2, 2, 1)
SH1(shr1_3, 3, 1)
SH1(sar1_2, 2, 2)
SH1(sar1_3, 3, 2)

/* ---- group 3 of a register ------------------------------------------------- */

/* F7 /2: NOT changes no flag */
static void not_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->rm] = (uint32_t)~cpu->regs[in->rm];
}

static void not_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->rm] = ~cpu->regs[in->rm];
}

/* F7 /3: NEG is SUB from 0 (alu.c records it so) */
#define NEG(name, SZ)                                                       \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint64_t m = x86_mask(SZ), a = cpu->regs[in->rm] & m;              \
        uint64_t r = (0 - a) & m;                                           \
        x86_lf(cpu, X86_LF_SUB, SZ, 0, a, r);                               \
        cpu->regs[in->rm] = r;                                              \
    }

NEG(neg_2, 2)
NEG(neg_3, 3)

/* MUL/IMUL flags as muldiv.c sets them: CF = OF = the high half is
   significant; SF ZF PF from the low half, AF 0 (undefined in the SDM). */
static ALWAYS_INLINE void mul_flags(struct x86_cpu *cpu, unsigned sz,
                                    uint64_t lo, bool ov)
{
    uint64_t f = (lo ? 0 : X86_ZF) | ((lo & x86_sign(sz)) ? X86_SF : 0) |
                 (x86_parity[lo & 0xff] ? X86_PF : 0) |
                 (ov ? X86_CF | X86_OF : 0);
    cpu->rflags = (cpu->rflags & ~(uint64_t)X86_ARITH) | f;
    cpu->lf_op = X86_LF_NONE;
}

/* F7 /4 /5: rDX:rAX = rAX * r/m */
static void mul_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned __int128 p =
        (unsigned __int128)cpu->regs[X86_RAX] * cpu->regs[in->rm];
    uint64_t lo = (uint64_t)p, hi = (uint64_t)(p >> 64);
    cpu->regs[X86_RAX] = lo;
    cpu->regs[X86_RDX] = hi;
    mul_flags(cpu, 3, lo, hi != 0);
}

static void mul_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t p = (uint64_t)(uint32_t)cpu->regs[X86_RAX] *
                 (uint32_t)cpu->regs[in->rm];
    cpu->regs[X86_RAX] = (uint32_t)p;
    cpu->regs[X86_RDX] = p >> 32;
    mul_flags(cpu, 2, (uint32_t)p, (p >> 32) != 0);
}

static void imul1_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    __int128 p = (__int128)(int64_t)cpu->regs[X86_RAX] *
                 (int64_t)cpu->regs[in->rm];
    uint64_t lo = (uint64_t)p;
    cpu->regs[X86_RAX] = lo;
    cpu->regs[X86_RDX] = (uint64_t)(p >> 64);
    mul_flags(cpu, 3, lo, p != (__int128)(int64_t)lo);
}

static void imul1_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    int64_t p = (int64_t)(int32_t)cpu->regs[X86_RAX] *
                (int32_t)cpu->regs[in->rm];
    cpu->regs[X86_RAX] = (uint32_t)p;
    cpu->regs[X86_RDX] = (uint32_t)((uint64_t)p >> 32);
    mul_flags(cpu, 2, (uint32_t)p, p != (int32_t)p);
}

/* F7 /6 /7: the quotient to rAX, the remainder to rDX; the flags stay.
   Divisor 0 and a quotient too wide raise #DE in the generic handler. */
static void div_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t b = cpu->regs[in->rm], lo = cpu->regs[X86_RAX];
    if (__builtin_expect(b == 0 || cpu->regs[X86_RDX] != 0, 0)) {
        x86_op_grp3(cpu, in);   /* #DE, or a 128-bit dividend */
        return;
    }
    cpu->regs[X86_RAX] = lo / b;
    cpu->regs[X86_RDX] = lo % b;
}

static void div_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t b = (uint32_t)cpu->regs[in->rm];
    uint64_t hi = (uint32_t)cpu->regs[X86_RDX];
    if (__builtin_expect(hi >= b, 0)) {
        x86_op_grp3(cpu, in);   /* b == 0 or the quotient overflows */
        return;
    }
    uint64_t n = hi << 32 | (uint32_t)cpu->regs[X86_RAX];
    cpu->regs[X86_RAX] = n / b;     /* < 2^32 since hi < b */
    cpu->regs[X86_RDX] = n % b;
}

static void idiv_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    int64_t d = (int64_t)cpu->regs[in->rm], lo = (int64_t)cpu->regs[X86_RAX];
    /* a 64-bit dividend (rDX the sign of rAX) and a divisor other than 0
       and -1 give a quotient that fits */
    if (__builtin_expect(d == 0 || d == -1 ||
                         (int64_t)cpu->regs[X86_RDX] != (lo >> 63), 0)) {
        x86_op_grp3(cpu, in);
        return;
    }
    cpu->regs[X86_RAX] = (uint64_t)(lo / d);
    cpu->regs[X86_RDX] = (uint64_t)(lo % d);
}

static void idiv_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    int64_t d = (int32_t)cpu->regs[in->rm];
    int64_t n = (int64_t)((uint64_t)(uint32_t)cpu->regs[X86_RDX] << 32 |
                          (uint32_t)cpu->regs[X86_RAX]);
    if (__builtin_expect(d == 0 || d == -1, 0)) {
        x86_op_grp3(cpu, in);
        return;
    }
    int64_t q = n / d;
    if (__builtin_expect(q != (int32_t)q, 0)) {
        x86_op_grp3(cpu, in);   /* #DE */
        return;
    }
    cpu->regs[X86_RAX] = (uint32_t)q;
    cpu->regs[X86_RDX] = (uint32_t)(n % d);
}

/* ---- byte stores -------------------------------------------------------------- */

/* C6 /0 with a register (fastint.c has the memory forms) */
static void mov_rm8_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    *x86_reg8(cpu, in, in->rm) = (uint8_t)in->imm;
}

/* ---- choosing ------------------------------------------------------------------ */

x86_handler_fn *x86_arith_specialise(const struct x86_insn *in)
{
    unsigned op = in->op, g = in->reg & 7;
    bool full = in->opsz == 2 || in->opsz == 3, s = in->opsz == 3;

    if (op == 0xc6 && g == 0 && in->mod == 3) {
        return mov_rm8_imm;
    }
    if (!full || in->mod != 3) {
        return NULL;
    }
    if (op == 0xc1 && g <= 1) {
        unsigned c = (unsigned)in->imm & (s ? 63 : 31);
        if (c != (uint8_t)in->imm || c == 0) {
            return NULL;    /* the handlers take the count as it is */
        }
        return g ? (s ? ror_3 : ror_2) : (s ? rol_3 : rol_2);
    }
    if (op == 0xd1) {
        static x86_handler_fn *const d1[2][8] = {
            { rol1_2, ror1_2, NULL, NULL, shl1_2, shr1_2, shl1_2, sar1_2 },
            { rol1_3, ror1_3, NULL, NULL, shl1_3, shr1_3, shl1_3, sar1_3 },
        };
        return d1[s][g];
    }
    if (op == 0xf7) {
        static x86_handler_fn *const f7[2][8] = {
            { NULL, NULL, not_2, neg_2, mul_2, imul1_2, div_2, idiv_2 },
            { NULL, NULL, not_3, neg_3, mul_3, imul1_3, div_3, idiv_3 },
        };
        return f7[s][g];
    }
    return NULL;
}
