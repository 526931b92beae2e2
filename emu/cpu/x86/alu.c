/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alu.c - the two-operand integer arithmetic and logic group: ADD, OR, ADC,
 * SBB, AND, SUB, XOR, CMP in all their encodings (00-3D, group 1 80-83),
 * TEST, INC/DEC (40-4F outside 64-bit mode, group 4 FE).  Flags are left
 * lazy (flags.c).  Reference: Intel SDM vol. 2 "ADD" ... "XOR", appendix A
 * table A-6 (group 1).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* operands, lazy flags */

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* op is the ModRM.reg encoding of group 1: ADD OR ADC SBB AND SUB XOR CMP.
   Inlined with a constant op into the per-operation handlers below. */
static ALWAYS_INLINE uint64_t alu_calc(struct x86_cpu *cpu, unsigned op,
                                       unsigned sz, uint64_t a, uint64_t b)
{
    uint64_t r, m = x86_mask(sz);
    unsigned c;

    switch (op & 7) {
    case 0:
        r = a + b;
        x86_lf(cpu, X86_LF_ADD, sz, a, b, r);
        break;
    case 1:
        r = a | b;
        x86_lf(cpu, X86_LF_LOGIC, sz, a, b, r);
        break;
    case 2:
        c = x86_get_cf(cpu);
        r = a + b + c;
        cpu->lf_cf = c;
        x86_lf(cpu, X86_LF_ADC, sz, a, b, r);
        break;
    case 3:
        c = x86_get_cf(cpu);
        r = a - b - c;
        cpu->lf_cf = c;
        x86_lf(cpu, X86_LF_SBB, sz, a, b, r);
        break;
    case 4:
        r = a & b;
        x86_lf(cpu, X86_LF_LOGIC, sz, a, b, r);
        break;
    case 5:
    case 7:
        r = a - b;
        x86_lf(cpu, X86_LF_SUB, sz, a, b, r);
        break;
    default:
        r = a ^ b;
        x86_lf(cpu, X86_LF_LOGIC, sz, a, b, r);
        break;
    }
    return r & m;
}

uint64_t x86_alu(struct x86_cpu *cpu, unsigned op, unsigned sz, uint64_t a,
                 uint64_t b)
{
    return alu_calc(cpu, op, sz, a, b);
}

/* Apply op to the r/m operand (destination) and b. */
static ALWAYS_INLINE void alu_rm(struct x86_cpu *cpu,
                                 const struct x86_insn *in, unsigned op,
                                 unsigned sz, uint64_t b)
{
    bool store = (op & 7) != 7;

    if (in->mod == 3) {
        uint64_t r = alu_calc(cpu, op, sz, x86_reg_get(cpu, in, in->rm, sz),
                              b);
        if (store) {
            x86_reg_set(cpu, in, in->rm, sz, r);
        }
        return;
    }
    uint64_t lin = x86_mem_lin(cpu, in, sz, store);
    uint8_t *p;
    if (in->lock && (p = x86_lock_ptr(cpu, lin, sz))) {
        uint64_t old, r;
        X86_LOCKED_RMW(cpu, p, sz, old, r, alu_calc(cpu, op, sz, old, b));
        return;
    }
    uint64_t r = alu_calc(cpu, op, sz, x86_read_lin(cpu, lin, sz), b);
    if (store) {
        x86_write_lin(cpu, lin, sz, r);
    }
}

/* 00-3D: op Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / rAX,Iz */
static ALWAYS_INLINE void alu_body(struct x86_cpu *cpu,
                                   const struct x86_insn *in, unsigned op)
{
    unsigned sz = x86_bw_size(in);
    uint64_t r;

    switch (in->op & 7) {
    case 0:
    case 1:
        alu_rm(cpu, in, op, sz, x86_reg_get(cpu, in, in->reg, sz));
        break;
    case 2:
    case 3:
        r = alu_calc(cpu, op, sz, x86_reg_get(cpu, in, in->reg, sz),
                     x86_rm_read(cpu, in, sz));
        if (op != 7) {
            x86_reg_set(cpu, in, in->reg, sz, r);
        }
        break;
    default:
        r = alu_calc(cpu, op, sz, x86_reg_get(cpu, in, X86_RAX, sz),
                     in->imm);
        if (op != 7) {
            x86_reg_set(cpu, in, X86_RAX, sz, r);
        }
        break;
    }
}

/* One handler per operation so that the operation is a constant. */
#define ALU_HANDLER(name, op)                                           \
    void x86_op_##name(struct x86_cpu *cpu, const struct x86_insn *in) \
    {                                                                   \
        alu_body(cpu, in, op);                                          \
    }

ALU_HANDLER(add, 0)
ALU_HANDLER(or, 1)
ALU_HANDLER(adc, 2)
ALU_HANDLER(sbb, 3)
ALU_HANDLER(and, 4)
ALU_HANDLER(sub, 5)
ALU_HANDLER(xor, 6)
ALU_HANDLER(cmp, 7)

/* 80-83: group 1 Eb,Ib / Ev,Iz / Eb,Ib (82, not in 64-bit) / Ev,Ib */
void x86_op_grp1(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu_rm(cpu, in, in->reg, x86_bw_size(in), in->imm);
}

/* 84/85 TEST Eb,Gb / Ev,Gv; A8/A9 TEST AL,Ib / rAX,Iz */
void x86_op_test(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);
    uint64_t a, b;

    if (in->op >= 0xa8) {
        a = x86_reg_get(cpu, in, X86_RAX, sz);
        b = in->imm;
    } else {
        a = x86_rm_read(cpu, in, sz);
        b = x86_reg_get(cpu, in, in->reg, sz);
    }
    x86_alu(cpu, 4, sz, a, b);
}

/* INC/DEC keep CF: take it from the previous operation now. */
static ALWAYS_INLINE uint64_t incdec(struct x86_cpu *cpu, unsigned sz,
                                     uint64_t a, bool dec)
{
    uint8_t cf = x86_get_cf(cpu);
    uint64_t r = dec ? a - 1 : a + 1;
    cpu->lf_cf = cf;
    x86_lf(cpu, dec ? X86_LF_DEC : X86_LF_INC, sz, a, 1, r);
    return r & x86_mask(sz);
}

uint64_t x86_incdec(struct x86_cpu *cpu, unsigned sz, uint64_t a, bool dec)
{
    return incdec(cpu, sz, a, dec);
}

/* INC or DEC of the r/m operand. */
void x86_incdec_rm(struct x86_cpu *cpu, const struct x86_insn *in,
                   unsigned sz, bool dec)
{
    if (in->mod == 3) {
        uint64_t a = x86_reg_get(cpu, in, in->rm, sz);
        x86_reg_set(cpu, in, in->rm, sz, incdec(cpu, sz, a, dec));
        return;
    }
    uint64_t lin = x86_mem_lin(cpu, in, sz, true);
    uint8_t *p;
    if (in->lock && (p = x86_lock_ptr(cpu, lin, sz))) {
        uint64_t old, r;
        X86_LOCKED_RMW(cpu, p, sz, old, r, incdec(cpu, sz, old, dec));
        return;
    }
    uint64_t r = incdec(cpu, sz, x86_read_lin(cpu, lin, sz), dec);
    x86_write_lin(cpu, lin, sz, r);
}

/* 40-4F: INC/DEC r16/r32 (REX prefixes in 64-bit mode) */
void x86_op_incdec_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned r = in->op & 7, sz = in->opsz;
    uint64_t a = x86_reg_get(cpu, in, r, sz);
    x86_reg_set(cpu, in, r, sz, incdec(cpu, sz, a, in->op & 8));
}

/* FE: group 4, INC/DEC Eb */
void x86_op_grp4(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if ((in->reg & 7) > 1) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    x86_incdec_rm(cpu, in, 0, in->reg & 1);
}

/* NOT and NEG of the r/m operand (group 3 /2 and /3). */
void x86_notneg_rm(struct x86_cpu *cpu, const struct x86_insn *in,
                   unsigned sz, bool neg)
{
    uint64_t lin = 0, a, r;

    if (in->mod == 3) {
        a = x86_reg_get(cpu, in, in->rm, sz);
    } else {
        lin = x86_mem_lin(cpu, in, sz, true);
        uint8_t *p;
        if (in->lock && (p = x86_lock_ptr(cpu, lin, sz))) {
            uint64_t old, r2;
            X86_LOCKED_RMW(cpu, p, sz, old, r2,
                           neg ? alu_calc(cpu, 5, sz, 0, old)
                               : ~old & x86_mask(sz));
            return;
        }
        a = x86_read_lin(cpu, lin, sz);
    }
    if (neg) {
        r = x86_alu(cpu, 5, sz, 0, a);
    } else {
        r = ~a & x86_mask(sz);
    }
    if (in->mod == 3) {
        x86_reg_set(cpu, in, in->rm, sz, r);
    } else {
        x86_write_lin(cpu, lin, sz, r);
    }
}
