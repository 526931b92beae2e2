/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shift.c - shifts and rotates: group 2 (ROL, ROR, RCL, RCR, SHL/SAL, SHR,
 * SAR by 1, CL or imm8) and the double shifts SHLD/SHRD.  Flags are
 * computed eagerly here.  Where the SDM leaves a flag undefined (OF for
 * counts > 1, AF for any non-zero count) this CPU produces what common
 * hardware does where that is cheap and otherwise a fixed value; the tests
 * mask those.  Reference: Intel SDM vol. 2 "SAL/SAR/SHL/SHR",
 * "RCL/RCR/ROL/ROR", "SHLD", "SHRD".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* operands, flags */

/* SF, ZF, PF of a result. */
static uint64_t szp(uint64_t r, unsigned sz)
{
    uint64_t f = 0;
    r &= x86_mask(sz);
    f |= r ? 0 : X86_ZF;
    f |= (r & x86_sign(sz)) ? X86_SF : 0;
    f |= x86_parity[r & 0xff] ? X86_PF : 0;
    return f;
}

/* Replace CF and OF, keep the other status flags. */
static void set_cf_of(struct x86_cpu *cpu, bool cf, bool of)
{
    uint64_t f = x86_flags(cpu) & ~(uint64_t)(X86_CF | X86_OF);
    x86_set_status(cpu, f | (cf ? X86_CF : 0) | (of ? X86_OF : 0));
}

/* op: 0 ROL, 1 ROR, 2 RCL, 3 RCR, 4 SHL, 5 SHR, 6 SAL (= SHL), 7 SAR */
uint64_t x86_shift(struct x86_cpu *cpu, unsigned op, unsigned sz, uint64_t a,
                   unsigned count)
{
    unsigned bits = 8u << sz;
    uint64_t m = x86_mask(sz), sign = x86_sign(sz), r;
    bool cf, of;

    count &= sz == 3 ? 0x3f : 0x1f;
    a &= m;
    if (count == 0) {
        return a;
    }
    switch (op & 7) {
    case 0: {   /* ROL */
        unsigned c = count & (bits - 1);
        r = c ? ((a << c) | (a >> (bits - c))) & m : a;
        cf = r & 1;
        set_cf_of(cpu, cf, !!(r & sign) != cf);
        return r;
    }
    case 1: {   /* ROR */
        unsigned c = count & (bits - 1);
        r = c ? ((a >> c) | (a << (bits - c))) & m : a;
        cf = (r & sign) != 0;
        set_cf_of(cpu, cf, !!(r & sign) != !!(r & (sign >> 1)));
        return r;
    }
    case 2: {   /* RCL: rotate through CF, bits + 1 wide */
        unsigned c = sz < 2 ? count % (bits + 1) : count;
        cf = x86_get_cf(cpu);
        r = a;
        for (unsigned i = 0; i < c; i++) {
            bool out = (r & sign) != 0;
            r = ((r << 1) | cf) & m;
            cf = out;
        }
        set_cf_of(cpu, cf, !!(r & sign) != cf);
        return r;
    }
    case 3: {   /* RCR */
        unsigned c = sz < 2 ? count % (bits + 1) : count;
        cf = x86_get_cf(cpu);
        of = !!(a & sign) != cf;
        r = a;
        for (unsigned i = 0; i < c; i++) {
            bool out = r & 1;
            r = (r >> 1) | (cf ? sign : 0);
            cf = out;
        }
        set_cf_of(cpu, cf, of);
        return r;
    }
    case 4:
    case 6:     /* SHL/SAL */
        r = count < bits ? (a << count) & m : 0;
        cf = count <= bits ? (a >> (bits - count)) & 1 : 0;
        of = !!(r & sign) != cf;
        break;
    case 5:     /* SHR */
        r = count < bits ? a >> count : 0;
        cf = count <= bits ? (a >> (count - 1)) & 1 : 0;
        of = (a & sign) != 0;
        break;
    default: {  /* SAR */
        int64_t s = x86_sext(a, sz);
        unsigned c = count < bits ? count : bits - 1;
        r = (uint64_t)(s >> c) & m;
        cf = (s >> (count <= bits ? count - 1 : bits - 1)) & 1;
        of = false;
        break;
    }
    }
    x86_set_status(cpu, szp(r, sz) | (cf ? X86_CF : 0) | (of ? X86_OF : 0));
    return r;
}

/* C0/C1 (imm8), D0/D1 (1), D2/D3 (CL): group 2 */
void x86_op_grp2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in), count, op = in->reg & 7;
    uint64_t lin = 0, a, r;

    if (in->op < 0xd0) {
        count = (uint8_t)in->imm;
    } else if (in->op < 0xd2) {
        count = 1;
    } else {
        count = (uint8_t)cpu->regs[X86_RCX];
    }
    if (in->mod == 3) {
        a = x86_reg_get(cpu, in, in->rm, sz);
        r = x86_shift(cpu, op, sz, a, count);
        x86_reg_set(cpu, in, in->rm, sz, r);
        return;
    }
    lin = x86_mem_lin(cpu, in, sz, true);
    a = x86_read_lin(cpu, lin, sz);
    r = x86_shift(cpu, op, sz, a, count);
    x86_write_lin(cpu, lin, sz, r);
}

/*
 * SHLD/SHRD on d with fill bits from s.  A 16-bit count above 16 is
 * undefined; like hardware the bits then come around from d again
 * (d:s:d concatenation).
 */
static uint64_t dshift(struct x86_cpu *cpu, bool right, unsigned sz,
                       uint64_t d, uint64_t s, unsigned count)
{
    unsigned bits = 8u << sz;
    uint64_t m = x86_mask(sz), sign = x86_sign(sz), r;
    bool cf, of;

    count &= sz == 3 ? 0x3f : 0x1f;
    d &= m;
    s &= m;
    if (count == 0) {
        return d;
    }
    if (sz == 1) {
        /* 48-bit pattern so counts 17-31 are well-formed */
        if (!right) {
            unsigned __int128 wide =
                ((unsigned __int128)d << 32) | (s << 16) | d;
            wide <<= count;
            r = (uint64_t)(wide >> 32) & m;
            cf = (uint64_t)(wide >> 48) & 1;
        } else {
            uint64_t wide = d | (s << 16) | (d << 32);
            r = (wide >> count) & m;
            cf = (wide >> (count - 1)) & 1;
        }
    } else if (!right) {
        r = ((d << count) | (count < bits ? s >> (bits - count) : 0)) & m;
        cf = (d >> (bits - count)) & 1;
    } else {
        r = ((d >> count) | (count < bits ? s << (bits - count) : 0)) & m;
        cf = (d >> (count - 1)) & 1;
    }
    of = !!((r ^ d) & sign);
    x86_set_status(cpu, szp(r, sz) | (cf ? X86_CF : 0) | (of ? X86_OF : 0));
    return r;
}

/* 0F A4/A5: SHLD Ev,Gv,Ib/CL; 0F AC/AD: SHRD Ev,Gv,Ib/CL */
void x86_op_dshift(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz;
    unsigned count = (in->op & 1) ? (uint8_t)cpu->regs[X86_RCX]
                                  : (uint8_t)in->imm;
    bool right = in->op >= 0x1ac;
    uint64_t s = x86_reg_get(cpu, in, in->reg, sz), lin, d, r;

    if (in->mod == 3) {
        d = x86_reg_get(cpu, in, in->rm, sz);
        r = dshift(cpu, right, sz, d, s, count);
        x86_reg_set(cpu, in, in->rm, sz, r);
        return;
    }
    lin = x86_mem_lin(cpu, in, sz, true);
    d = x86_read_lin(cpu, lin, sz);
    r = dshift(cpu, right, sz, d, s, count);
    x86_write_lin(cpu, lin, sz, r);
}
