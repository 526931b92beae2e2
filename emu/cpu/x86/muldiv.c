/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * muldiv.c - group 3 (F6/F7: TEST, NOT, NEG, MUL, IMUL, DIV, IDIV) and the
 * two- and three-operand IMUL forms.  MUL/IMUL define only CF and OF (the
 * others get SF/ZF/PF of the low half and AF = 0 here, which the SDM
 * leaves undefined); DIV/IDIV leave all status flags as they were and
 * raise #DE on a zero divisor or an overflowing quotient.  Reference:
 * Intel SDM vol. 2 "MUL", "IMUL", "DIV", "IDIV", table A-6 group 3.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* operands, flags, exceptions */

/* Set flags after a multiply: CF = OF = overflow. */
static void mul_flags(struct x86_cpu *cpu, unsigned sz, uint64_t lo, bool ov)
{
    uint64_t f = 0;
    lo &= x86_mask(sz);
    f |= lo ? 0 : X86_ZF;
    f |= (lo & x86_sign(sz)) ? X86_SF : 0;
    f |= x86_parity[lo & 0xff] ? X86_PF : 0;
    f |= ov ? (X86_CF | X86_OF) : 0;
    x86_set_status(cpu, f);
}

/* Store a double-width result: AX for bytes, rDX:rAX otherwise. */
static void store_pair(struct x86_cpu *cpu, const struct x86_insn *in,
                       unsigned sz, uint64_t lo, uint64_t hi)
{
    if (sz == 0) {
        x86_reg_set(cpu, in, X86_RAX, 1, (lo & 0xff) | ((hi & 0xff) << 8));
    } else {
        x86_reg_set(cpu, in, X86_RAX, sz, lo);
        x86_reg_set(cpu, in, X86_RDX, sz, hi);
    }
}

static void mul(struct x86_cpu *cpu, const struct x86_insn *in, unsigned sz,
                uint64_t b, bool sign)
{
    unsigned bits = 8u << sz;
    uint64_t a = cpu->regs[X86_RAX] & x86_mask(sz), lo, hi;
    bool ov;

    if (sz == 3) {
        if (sign) {
            __int128 p = (__int128)(int64_t)a * (int64_t)b;
            lo = (uint64_t)p;
            hi = (uint64_t)(p >> 64);
            ov = p != (__int128)(int64_t)lo;
        } else {
            unsigned __int128 p = (unsigned __int128)a * b;
            lo = (uint64_t)p;
            hi = (uint64_t)(p >> 64);
            ov = hi != 0;
        }
    } else if (sign) {
        int64_t p = x86_sext(a, sz) * x86_sext(b, sz);
        lo = (uint64_t)p & x86_mask(sz);
        hi = ((uint64_t)p >> bits) & x86_mask(sz);
        ov = p != x86_sext((uint64_t)p, sz);
    } else {
        uint64_t p = a * (b & x86_mask(sz));
        lo = p & x86_mask(sz);
        hi = (p >> bits) & x86_mask(sz);
        ov = hi != 0;
    }
    store_pair(cpu, in, sz, lo, hi);
    mul_flags(cpu, sz, lo, ov);
}

static void divide(struct x86_cpu *cpu, const struct x86_insn *in,
                   unsigned sz, uint64_t b, bool sign)
{
    unsigned bits = 8u << sz;
    uint64_t m = x86_mask(sz), lo, hi, q, r;

    b &= m;
    if (b == 0) {
        x86_raise_noerr(cpu, X86_EXC_DE);
    }
    if (sz == 0) {
        lo = cpu->regs[X86_RAX] & 0xff;
        hi = (cpu->regs[X86_RAX] >> 8) & 0xff;
    } else {
        lo = cpu->regs[X86_RAX] & m;
        hi = cpu->regs[X86_RDX] & m;
    }

    if (!sign) {
        if (sz == 3) {
            /* the quotient fits exactly when hi < b; then the host's own
               DIV gives it (no 128-bit library division) */
            if (hi >= b) {
                x86_raise_noerr(cpu, X86_EXC_DE);
            }
            if (hi == 0) {
                q = lo / b;
                r = lo % b;
            } else {
                __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi),
                        "rm"(b));
            }
        } else {
            uint64_t n = (hi << bits) | lo;
            q = n / b;
            r = n % b;
            if (q > m) {
                x86_raise_noerr(cpu, X86_EXC_DE);
            }
        }
    } else {
        if (sz == 3) {
            __int128 n = (__int128)(((unsigned __int128)hi << 64) | lo);
            int64_t d = (int64_t)b;
            if (d == -1) {
                /* the quotient -n fits for -(2^63 - 1) <= n <= 2^63
                   (2^63 / -1 is INT64_MIN); avoids the host's trap */
                __int128 lim = (__int128)1 << 63;
                if (n > lim || n < -(lim - 1)) {
                    x86_raise_noerr(cpu, X86_EXC_DE);
                }
                q = (uint64_t)-n;
                r = 0;
            } else if (n == (__int128)(int64_t)lo) {
                /* a 64-bit dividend (the common case): no overflow */
                q = (uint64_t)((int64_t)lo / d);
                r = (uint64_t)((int64_t)lo % d);
            } else {
                __int128 qq = n / d;
                if (qq != (__int128)(int64_t)qq) {
                    x86_raise_noerr(cpu, X86_EXC_DE);
                }
                q = (uint64_t)qq;
                r = (uint64_t)(int64_t)(n % d);
            }
        } else {
            int64_t n = x86_sext((hi << bits) | lo, sz + 1);
            int64_t d = x86_sext(b, sz);
            if (d == -1 && n == INT64_MIN) {
                x86_raise_noerr(cpu, X86_EXC_DE);
            }
            int64_t qq = n / d;
            if (qq != x86_sext((uint64_t)qq, sz)) {
                x86_raise_noerr(cpu, X86_EXC_DE);
            }
            q = (uint64_t)qq & m;
            r = (uint64_t)(n % d) & m;
        }
    }
    store_pair(cpu, in, sz, q, r);
}

/* F6/F7: group 3 */
void x86_op_grp3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);

    switch (in->reg & 7) {
    case 0:
    case 1:
        x86_alu(cpu, 4, sz, x86_rm_read(cpu, in, sz), in->imm);
        break;
    case 2:
    case 3:
        x86_notneg_rm(cpu, in, sz, in->reg & 1);
        break;
    case 4:
    case 5:
        mul(cpu, in, sz, x86_rm_read(cpu, in, sz), in->reg & 1);
        break;
    default:
        divide(cpu, in, sz, x86_rm_read(cpu, in, sz), in->reg & 1);
        break;
    }
}

/* Truncating signed multiply for the 2- and 3-operand IMUL forms. */
static uint64_t imul_trunc(struct x86_cpu *cpu, unsigned sz, uint64_t a,
                           uint64_t b)
{
    uint64_t lo;
    bool ov;

    if (sz == 3) {
        __int128 p = (__int128)(int64_t)a * (int64_t)b;
        lo = (uint64_t)p;
        ov = p != (__int128)(int64_t)lo;
    } else {
        int64_t p = x86_sext(a, sz) * x86_sext(b, sz);
        lo = (uint64_t)p & x86_mask(sz);
        ov = p != x86_sext((uint64_t)p, sz);
    }
    mul_flags(cpu, sz, lo, ov);
    return lo;
}

/* 0F AF: IMUL Gv,Ev */
void x86_op_imul_gv(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz;
    uint64_t b = x86_rm_read(cpu, in, sz);
    uint64_t a = x86_reg_get(cpu, in, in->reg, sz);
    x86_reg_set(cpu, in, in->reg, sz, imul_trunc(cpu, sz, a, b));
}

/* 69/6B: IMUL Gv,Ev,Iz/Ib */
void x86_op_imul_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz;
    uint64_t a = x86_rm_read(cpu, in, sz);
    x86_reg_set(cpu, in, in->reg, sz, imul_trunc(cpu, sz, a, in->imm));
}
