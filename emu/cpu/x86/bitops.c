/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bitops.c - bit test and scan: BT, BTS, BTR, BTC (register and immediate
 * bit offsets, with the memory bit-string addressing of a register
 * offset), BSF, BSR, LZCNT and POPCNT.  Reference: Intel SDM vol. 2 "BT", "BTC",
 * "BTR", "BTS", "BSF", "BSR", "POPCNT"; vol. 1 3.4.3 for the flags.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* operands, flags */

/* Apply bit operation op (0 BT, 1 BTS, 2 BTR, 3 BTC) to bit of v. */
static uint64_t bitop(struct x86_cpu *cpu, unsigned op, uint64_t v,
                      unsigned bit)
{
    uint64_t m = 1ull << bit;
    uint64_t f = x86_flags(cpu) & ~(uint64_t)X86_CF;

    x86_set_status(cpu, f | ((v & m) ? X86_CF : 0));
    switch (op) {
    case 1: return v | m;
    case 2: return v & ~m;
    case 3: return v ^ m;
    default: return v;
    }
}

static void bt_common(struct x86_cpu *cpu, const struct x86_insn *in,
                      unsigned op, int64_t offset, bool reg_offset)
{
    unsigned sz = in->opsz, bits = 8u << sz;

    if (in->mod == 3) {
        uint64_t v = x86_reg_get(cpu, in, in->rm, sz);
        uint64_t r = bitop(cpu, op, v, offset & (bits - 1));
        if (op) {
            x86_reg_set(cpu, in, in->rm, sz, r);
        }
        return;
    }
    uint64_t ea = x86_ea(cpu, in);
    if (reg_offset) {
        /* the register offset is signed and reaches the whole bit string */
        int64_t units = offset >> (3 + sz);    /* arithmetic: floor */
        ea = (ea + (uint64_t)units * (bits / 8)) & x86_mask(in->adsz);
    }
    uint64_t lin = x86_seg_lin(cpu, in->seg, ea, 1u << sz, op != 0);
    uint8_t *p;
    if (op && in->lock && (p = x86_lock_ptr(cpu, lin, sz))) {
        uint64_t old, r;
        X86_LOCKED_RMW(cpu, p, sz, old, r,
                       bitop(cpu, op, old, offset & (bits - 1)));
        return;
    }
    uint64_t v = x86_read_lin(cpu, lin, sz);
    uint64_t r = bitop(cpu, op, v, offset & (bits - 1));
    if (op) {
        x86_write_lin(cpu, lin, sz, r);
    }
}

/* 0F A3/AB/B3/BB: BT/BTS/BTR/BTC Ev,Gv */
void x86_op_bt(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned op = (in->op >> 3) & 3;    /* A3:0 AB:1 B3:2 BB:3 (low bits) */
    int64_t off = x86_sext(x86_reg_get(cpu, in, in->reg, in->opsz),
                           in->opsz);
    bt_common(cpu, in, op, off, true);
}

/* 0F BA: group 8, BT/BTS/BTR/BTC Ev,Ib (/4-/7) */
void x86_op_grp8(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned r = in->reg & 7;
    if (r < 4) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    bt_common(cpu, in, r - 4, (uint8_t)in->imm, false);
}

/*
 * 0F BC/BD: BSF/BSR Gv,Ev.  A zero source sets ZF and leaves the
 * destination unchanged (AMD documents it; Intel hardware does it).
 * F3 0F BD is LZCNT (ABM is advertised); without BMI1 advertised, F3 0F BC
 * stays BSF as on processors without TZCNT.
 */
void x86_op_bsf_bsr(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz;
    uint64_t v = x86_rm_read(cpu, in, sz);
    uint64_t f = x86_flags(cpu) & ~(uint64_t)X86_ARITH;

    if (in->op == 0x1bd && in->rep == 0xf3) {
        /* LZCNT (advertised as ABM): CF = source zero, ZF = result zero */
        unsigned bits = 8u << sz;
        unsigned n = v ? __builtin_clzll(v) - (64 - bits) : bits;
        x86_set_status(cpu, f | (v ? 0 : X86_CF) | (n ? 0 : X86_ZF));
        x86_reg_set(cpu, in, in->reg, sz, n);
        return;
    }
    if (v == 0) {
        x86_set_status(cpu, f | X86_ZF);
        return;
    }
    unsigned r = (in->op & 1) ? 63 - __builtin_clzll(v) : __builtin_ctzll(v);
    x86_set_status(cpu, f | (x86_parity[r & 0xff] ? X86_PF : 0));
    x86_reg_set(cpu, in, in->reg, sz, r);
}

/* F3 0F B8: POPCNT Gv,Ev */
void x86_op_popcnt(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (in->rep != 0xf3) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    unsigned sz = in->opsz;
    uint64_t v = x86_rm_read(cpu, in, sz);
    x86_set_status(cpu, v ? 0 : X86_ZF);
    x86_reg_set(cpu, in, in->reg, sz, __builtin_popcountll(v));
}
