/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stack.c - the stack group: PUSH/POP of registers, immediates, memory and
 * segment registers, PUSHF/POPF (with the privilege rules for IF and
 * IOPL), PUSHA/POPA, ENTER and LEAVE.  The stack pointer width is SS.B
 * (or 64 bits in 64-bit mode), independent of the operand size.
 * Reference: Intel SDM vol. 2 "PUSH", "POP", "PUSHF", "POPF", "PUSHA",
 * "POPA", "ENTER", "LEAVE"; vol. 1 6.2 (stacks).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* memory, registers */

static void set_sp(struct x86_cpu *cpu, uint64_t sp)
{
    switch (cpu->stack_size) {
    case 1:
        cpu->regs[X86_RSP] = (cpu->regs[X86_RSP] & ~0xffffull) | (sp & 0xffff);
        break;
    case 2:
        cpu->regs[X86_RSP] = (uint32_t)sp;
        break;
    default:
        cpu->regs[X86_RSP] = sp;
        break;
    }
}

void x86_push(struct x86_cpu *cpu, unsigned sz, uint64_t val)
{
    uint64_t sp = (cpu->regs[X86_RSP] - (1u << sz)) &
                  x86_mask(cpu->stack_size);
    x86_write_seg(cpu, X86_SS, sp, sz, val);
    set_sp(cpu, sp);
}

uint64_t x86_pop(struct x86_cpu *cpu, unsigned sz)
{
    uint64_t sp = cpu->regs[X86_RSP] & x86_mask(cpu->stack_size);
    uint64_t v = x86_read_seg(cpu, X86_SS, sp, sz);
    set_sp(cpu, sp + (1u << sz));
    return v;
}

/* 50-57: PUSH r (PUSH rSP pushes the value before the push) */
void x86_op_push_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_push(cpu, in->opsz, cpu->regs[in->opreg]);
}

/* 58-5F: POP r (POP rSP loads the popped value) */
void x86_op_pop_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t v = x86_pop(cpu, in->opsz);
    x86_reg_set(cpu, in, in->opreg, in->opsz, v);
}

/* 68/6A: PUSH Iz/Ib */
void x86_op_push_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_push(cpu, in->opsz, in->imm);
}

/* 8F /0: POP Ev; an rSP-based address uses rSP after the pop */
void x86_op_pop_rm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (in->reg & 7) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    uint64_t old = cpu->regs[X86_RSP];
    uint64_t v = x86_pop(cpu, in->opsz);
    if (in->mod == 3) {
        x86_reg_set(cpu, in, in->rm, in->opsz, v);
        return;
    }
    uint64_t lin = x86_mem_lin(cpu, in, in->opsz, true);
    uint64_t sp = cpu->regs[X86_RSP];
    cpu->regs[X86_RSP] = old;       /* a faulting store leaves rSP alone */
    x86_write_lin(cpu, lin, in->opsz, v);
    cpu->regs[X86_RSP] = sp;
}

/* 9C: PUSHF/D/Q; the image has VM and RF clear */
void x86_op_pushf(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (cpu->mode == X86_MODE_V86 && (cpu->rflags & X86_IOPL) != X86_IOPL) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    uint64_t f = x86_cpu_get_rflags(cpu) & ~(uint64_t)(X86_VM | X86_RF);
    x86_push(cpu, in->opsz, f);
}

/* Write RFLAGS from POPF/IRET images: which bits change depends on CPL,
   IOPL and the operand size (SDM "POPF" operation table). */
void x86_write_flags(struct x86_cpu *cpu, uint64_t v, unsigned sz)
{
    uint64_t cur = x86_cpu_get_rflags(cpu);
    uint64_t chg = X86_ARITH | X86_TF | X86_DF | X86_NT;

    if (sz >= 2) {
        chg |= X86_AC | X86_ID;
    }
    if (cpu->mode == X86_MODE_REAL || cpu->cpl == 0) {
        chg |= X86_IOPL | X86_IF;
    } else if (cpu->cpl <= ((cur & X86_IOPL) >> 12)) {
        chg |= X86_IF;
    }
    if (sz == 1) {
        chg &= 0xffff;
    }
    x86_cpu_set_rflags(cpu, ((cur & ~chg) | (v & chg)) & ~(uint64_t)X86_RF);
    if ((cur ^ cpu->rflags) & X86_AC) {
        x86_tlb_flush(cpu);     /* alignment checking on/off (x86_ac_on) */
    }
}

/* 9D: POPF/D/Q */
void x86_op_popf(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (cpu->mode == X86_MODE_V86 && (cpu->rflags & X86_IOPL) != X86_IOPL) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    x86_write_flags(cpu, x86_pop(cpu, in->opsz), in->opsz);
}

/* 60: PUSHA/PUSHAD */
void x86_op_pusha(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t sp = cpu->regs[X86_RSP];
    /* check the whole area first so a fault leaves rSP unchanged */
    uint64_t low = (sp - (8u << in->opsz)) & x86_mask(cpu->stack_size);
    x86_seg_lin(cpu, X86_SS, low, 8u << in->opsz, true);
    for (unsigned r = X86_RAX; r <= X86_RDI; r++) {
        x86_push(cpu, in->opsz, r == X86_RSP ? sp : cpu->regs[r]);
    }
}

/* 61: POPA/POPAD (the saved rSP is skipped) */
void x86_op_popa(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t v[8];
    for (int r = X86_RDI; r >= X86_RAX; r--) {
        v[r] = x86_pop(cpu, in->opsz);
    }
    for (int r = X86_RDI; r >= X86_RAX; r--) {
        if (r != X86_RSP) {
            x86_reg_set(cpu, in, r, in->opsz, v[r]);
        }
    }
}

/* C8: ENTER Iw,Ib */
void x86_op_enter(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz, level = in->imm2 & 31, n = 1u << sz;
    uint64_t smask = x86_mask(cpu->stack_size);
    uint64_t bp = cpu->regs[X86_RBP];

    x86_push(cpu, sz, bp);
    uint64_t frame = cpu->regs[X86_RSP] & smask;
    if (level > 0) {
        for (unsigned i = 1; i < level; i++) {
            bp = (bp - n) & smask;
            x86_push(cpu, sz, x86_read_seg(cpu, X86_SS, bp & smask, sz));
        }
        x86_push(cpu, sz, frame);
    }
    uint64_t sp = (cpu->regs[X86_RSP] - in->imm) & smask;
    /* the new top of stack must be writable (SDM: #SS if it is not) */
    x86_seg_lin(cpu, X86_SS, sp, 1, true);
    x86_reg_set(cpu, in, X86_RBP, sz, frame);
    set_sp(cpu, sp);
}

/* C9: LEAVE */
void x86_op_leave(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t smask = x86_mask(cpu->stack_size);
    uint64_t sp = cpu->regs[X86_RBP] & smask;
    uint64_t v = x86_read_seg(cpu, X86_SS, sp, in->opsz);
    set_sp(cpu, sp + (1u << in->opsz));
    x86_reg_set(cpu, in, X86_RBP, in->opsz, v);
}

/* Segment register of a PUSH/POP sreg opcode. */
static int sreg_of(unsigned op)
{
    switch (op) {
    case 0x06: case 0x07: return X86_ES;
    case 0x0e: return X86_CS;
    case 0x16: case 0x17: return X86_SS;
    case 0x1e: case 0x1f: return X86_DS;
    case 0x1a0: case 0x1a1: return X86_FS;
    default: return X86_GS;
    }
}

/* 06/0E/16/1E/0F A0/0F A8: PUSH sreg (zero-extended to the operand size) */
void x86_op_push_sreg(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_push(cpu, in->opsz, cpu->seg[sreg_of(in->op)].sel);
}

/* 07/17/1F/0F A1/0F A9: POP sreg */
void x86_op_pop_sreg(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t old = cpu->regs[X86_RSP];
    uint16_t sel = (uint16_t)x86_pop(cpu, in->opsz);
    uint64_t sp = cpu->regs[X86_RSP];
    cpu->regs[X86_RSP] = old;
    x86_load_sreg(cpu, sreg_of(in->op), sel);
    cpu->regs[X86_RSP] = sp;
    if (sreg_of(in->op) == X86_SS) {
        cpu->shadow_icount = cpu->icount + 1;
    }
}
