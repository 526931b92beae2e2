/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * control.c - control transfer: Jcc, JMP, CALL, RET (near, relative and
 * indirect), LOOP/LOOPE/LOOPNE, JCXZ/JECXZ/JRCXZ, group 5 (FF), the far
 * forms (checked in seg.c) and INT n/INT3/INTO/INT1 (delivered by intr.c).
 * Reference: Intel SDM vol. 2 "Jcc", "JMP", "CALL", "RET", "LOOP/LOOPcc",
 * "INT n".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/prot.h"       /* branches, stack, far transfers */

/* 70-7F, 0F 80-8F: Jcc rel8/rel16/rel32 */
void x86_op_jcc(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (x86_cond(cpu, in->op & 15)) {
        x86_jump(cpu, in, cpu->rip + in->imm);
    }
}

/* E9/EB: JMP rel */
void x86_op_jmp_rel(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_jump(cpu, in, cpu->rip + in->imm);
}

/* E8: CALL rel */
void x86_op_call_rel(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_push(cpu, in->opsz, cpu->rip);
    x86_jump(cpu, in, cpu->rip + in->imm);
}

/* C3: RET; C2: RET Iw */
void x86_op_ret(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t ip = x86_pop(cpu, in->opsz);

    if (in->op == 0xc2) {
        uint64_t m = x86_mask(cpu->stack_size);
        uint64_t sp = (cpu->regs[X86_RSP] + in->imm) & m;
        cpu->regs[X86_RSP] = (cpu->regs[X86_RSP] & ~m) | sp;
    }
    x86_jump(cpu, in, ip);
}

/* E0-E2: LOOPNE/LOOPE/LOOP; E3: JrCXZ.  rCX width is the address size. */
void x86_op_loop(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t m = x86_admask(in);
    uint64_t c = cpu->regs[X86_RCX] & m;
    bool take;

    if (in->op == 0xe3) {
        take = c == 0;
    } else {
        c = (c - 1) & m;
        x86_reg_set(cpu, in, X86_RCX, in->adsz, c);
        take = c != 0;
        if (in->op == 0xe1) {
            take = take && x86_cond(cpu, 4);
        } else if (in->op == 0xe0) {
            take = take && x86_cond(cpu, 5);
        }
    }
    if (take) {
        x86_jump(cpu, in, cpu->rip + in->imm);
    }
}

/* ---- far transfers ------------------------------------------------------ */

/* EA: JMP ptr16:16/32 */
void x86_op_jmpf(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_far_jump(cpu, in, in->imm2, in->imm, false, false);
}

/* 9A: CALL ptr16:16/32 */
void x86_op_callf(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_far_jump(cpu, in, in->imm2, in->imm, true, false);
}

/* CB: RETF; CA: RETF Iw (gate.c: same or outer privilege level) */
void x86_op_retf(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_far_return(cpu, in, in->op == 0xca ? (unsigned)in->imm : 0);
}

/* Software interrupt: the pushed IP is the next instruction. */
static void soft_int(struct x86_cpu *cpu, int vector)
{
    cpu->delivering = true;
    cpu->delivering_vector = 256 + vector;     /* not an exception */
    x86_deliver(cpu, vector, cpu->rip, X86_SRC_SOFT);
    cpu->delivering = false;
}

/* CC: INT3; CD: INT Ib; CE: INTO; F1: INT1 (ICEBP, #DB without the gate
   DPL check) */
void x86_op_int(struct x86_cpu *cpu, const struct x86_insn *in)
{
    switch (in->op) {
    case 0xf1:
        cpu->exc_vector = X86_EXC_DB;
        cpu->exc_error = 0;
        cpu->exc_has_error = false;
        cpu->delivering = true;
        cpu->delivering_vector = X86_EXC_DB;
        x86_deliver(cpu, X86_EXC_DB, cpu->rip, X86_SRC_EXC);
        cpu->delivering = false;
        break;
    case 0xcc:
        soft_int(cpu, X86_EXC_BP);
        break;
    case 0xcd:
        /* IOPL-sensitive in virtual-8086 mode (SDM 20.2.7, no VME) */
        if (cpu->mode == X86_MODE_V86 &&
            (cpu->rflags & X86_IOPL) != X86_IOPL) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        soft_int(cpu, (uint8_t)in->imm);
        break;
    default:
        if (x86_cond(cpu, 0)) {
            soft_int(cpu, X86_EXC_OF);
        }
        break;
    }
}

/* FF: group 5 - INC, DEC, CALL Ev, CALLF Mp, JMP Ev, JMPF Mp, PUSH Ev */
void x86_op_grp5(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned r = in->reg & 7, sz = in->opsz;
    uint64_t v;

    if (cpu->mode == X86_MODE_LONG) {
        if (r == 2 || r == 4) {
            sz = 3;             /* near branches: f64 */
        } else if (r == 6 && !(in->rex & 8)) {
            sz = in->opsz_prefix ? 1 : 3;   /* push: d64 */
        }
    }
    switch (r) {
    case 0:
    case 1:
        x86_incdec_rm(cpu, in, sz, r);
        break;
    case 2: {
        struct x86_insn j = *in;
        v = x86_rm_read(cpu, in, sz);
        j.opsz = sz;
        x86_push(cpu, sz, cpu->rip);
        x86_jump(cpu, &j, v);
        break;
    }
    case 4: {
        struct x86_insn j = *in;
        j.opsz = sz;
        x86_jump(cpu, &j, x86_rm_read(cpu, in, sz));
        break;
    }
    case 3:
    case 5: {
        if (in->mod == 3) {
            x86_raise_noerr(cpu, X86_EXC_UD);
        }
        uint64_t ea = x86_ea(cpu, in);
        unsigned n = 1u << in->opsz;
        uint64_t ip = x86_read_seg(cpu, in->seg, ea, in->opsz);
        uint16_t sel = (uint16_t)x86_read_seg(
            cpu, in->seg, (ea + n) & x86_admask(in), 1);
        x86_far_jump(cpu, in, sel, ip, r == 3, false);
        break;
    }
    case 6:
        x86_push(cpu, sz, x86_rm_read(cpu, in, sz));
        break;
    default:
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
}
