/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mov.c - data movement: MOV (88-8B, A0-A3, B0-BF, C6/C7), LEA, MOVZX,
 * MOVSX, MOVSXD, XCHG, XADD, CMPXCHG, CMPXCHG8B/16B, CBW/CWDE/CDQE,
 * CWD/CDQ/CQO, BSWAP, MOVBE, CMOVcc and SETcc.  Reference: Intel SDM vol. 2 under
 * each mnemonic.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* operands, flags */

/* 88-8B: MOV Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev */
void x86_op_mov(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);

    if (in->op & 2) {
        x86_reg_set(cpu, in, in->reg, sz, x86_rm_read(cpu, in, sz));
    } else {
        x86_rm_write(cpu, in, sz, x86_reg_get(cpu, in, in->reg, sz));
    }
}

/* B0-B7: MOV r8,Ib; B8-BF: MOV r,Iv */
void x86_op_mov_r_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = (in->op & 8) ? in->opsz : 0;
    x86_reg_set(cpu, in, in->opreg, sz, in->imm);
}

/* C6/C7: MOV Eb,Ib / Ev,Iz (/0 only) */
void x86_op_mov_rm_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (in->reg & 7) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    x86_rm_write(cpu, in, x86_bw_size(in), in->imm);
}

/* A0-A3: MOV AL/rAX <-> moffs */
void x86_op_mov_moffs(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);

    if (in->op & 2) {
        x86_write_seg(cpu, in->seg, in->imm, sz,
                      x86_reg_get(cpu, in, X86_RAX, sz));
    } else {
        x86_reg_set(cpu, in, X86_RAX, sz,
                    x86_read_seg(cpu, in->seg, in->imm, sz));
    }
}

/* 8D: LEA Gv,M */
void x86_op_lea(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (in->mod == 3) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    x86_reg_set(cpu, in, in->reg, in->opsz, x86_ea(cpu, in));
}

/* 0F B6/B7: MOVZX Gv,Eb/Ew; 0F BE/BF: MOVSX Gv,Eb/Ew */
void x86_op_movx(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned ssz = in->op & 1;
    uint64_t v = x86_rm_read(cpu, in, ssz);

    if (in->op & 8) {
        v = (uint64_t)x86_sext(v, ssz);
    }
    x86_reg_set(cpu, in, in->reg, in->opsz, v);
}

/* 63: MOVSXD Gv,Ed in 64-bit mode (ARPL elsewhere) */
void x86_op_movsxd(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (cpu->mode != X86_MODE_LONG) {
        x86_op_arpl(cpu, in);
        return;
    }
    unsigned ssz = in->opsz == 3 ? 2 : in->opsz;
    uint64_t v = x86_rm_read(cpu, in, ssz);
    x86_reg_set(cpu, in, in->reg, in->opsz, (uint64_t)x86_sext(v, ssz));
}

/* 86/87: XCHG Eb,Gb / Ev,Gv (implicitly locked with memory) */
void x86_op_xchg(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);
    uint64_t b = x86_reg_get(cpu, in, in->reg, sz);

    if (in->mod == 3) {
        uint64_t a = x86_reg_get(cpu, in, in->rm, sz);
        x86_reg_set(cpu, in, in->rm, sz, b);
        x86_reg_set(cpu, in, in->reg, sz, a);
        return;
    }
    uint64_t lin = x86_mem_lin(cpu, in, sz, true);
    uint8_t *p = x86_lock_ptr(cpu, lin, sz);
    uint64_t a;
    if (p) {
        /* XCHG with memory is always locked */
        switch (sz) {
        case 0: a = __atomic_exchange_n(p, (uint8_t)b, __ATOMIC_SEQ_CST);
            break;
        case 1: a = __atomic_exchange_n((uint16_t *)(void *)p, (uint16_t)b,
                                        __ATOMIC_SEQ_CST);
            break;
        case 2: a = __atomic_exchange_n((uint32_t *)(void *)p, (uint32_t)b,
                                        __ATOMIC_SEQ_CST);
            break;
        default: a = __atomic_exchange_n((uint64_t *)(void *)p, b,
                                         __ATOMIC_SEQ_CST);
            break;
        }
    } else {
        a = x86_read_lin(cpu, lin, sz);
        x86_write_lin(cpu, lin, sz, b);
    }
    x86_reg_set(cpu, in, in->reg, sz, a);
}

/* 90-97: XCHG rAX,r; 90 alone is NOP and F3 90 is PAUSE */
void x86_op_xchg_ax(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned r = in->opreg, sz = in->opsz;

    if (r == 0) {
        return;
    }
    uint64_t a = x86_reg_get(cpu, in, X86_RAX, sz);
    x86_reg_set(cpu, in, X86_RAX, sz, x86_reg_get(cpu, in, r, sz));
    x86_reg_set(cpu, in, r, sz, a);
}

/* 0F C0/C1: XADD Eb,Gb / Ev,Gv */
void x86_op_xadd(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);
    uint64_t s = x86_reg_get(cpu, in, in->reg, sz), d, lin = 0;

    if (in->mod == 3) {
        d = x86_reg_get(cpu, in, in->rm, sz);
    } else {
        lin = x86_mem_lin(cpu, in, sz, true);
        uint8_t *p;
        if (in->lock && (p = x86_lock_ptr(cpu, lin, sz))) {
            uint64_t t;
            X86_LOCKED_RMW(cpu, p, sz, d, t, x86_alu(cpu, 0, sz, d, s));
            x86_reg_set(cpu, in, in->reg, sz, d);
            return;
        }
        d = x86_read_lin(cpu, lin, sz);
    }
    uint64_t t = x86_alu(cpu, 0, sz, d, s);
    if (in->mod == 3) {
        x86_reg_set(cpu, in, in->reg, sz, d);
        x86_reg_set(cpu, in, in->rm, sz, t);
    } else {
        x86_write_lin(cpu, lin, sz, t);
        x86_reg_set(cpu, in, in->reg, sz, d);
    }
}

/* 0F B0/B1: CMPXCHG Eb,Gb / Ev,Gv */
void x86_op_cmpxchg(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);
    uint64_t acc = x86_reg_get(cpu, in, X86_RAX, sz), d, lin = 0;

    if (in->mod == 3) {
        d = x86_reg_get(cpu, in, in->rm, sz);
    } else {
        lin = x86_mem_lin(cpu, in, sz, true);
        uint8_t *p;
        if (in->lock && (p = x86_lock_ptr(cpu, lin, sz))) {
            /* one host CAS: on failure d is the value seen */
            d = acc;
            x86_cas(p, sz, &d, x86_reg_get(cpu, in, in->reg, sz));
            x86_alu(cpu, 7, sz, acc, d);
            if (acc != d) {
                x86_reg_set(cpu, in, X86_RAX, sz, d);
            }
            return;
        }
        d = x86_read_lin(cpu, lin, sz);
    }
    x86_alu(cpu, 7, sz, acc, d);
    if (acc == d) {
        uint64_t s = x86_reg_get(cpu, in, in->reg, sz);
        if (in->mod == 3) {
            x86_reg_set(cpu, in, in->rm, sz, s);
        } else {
            x86_write_lin(cpu, lin, sz, s);
        }
    } else {
        /* the processor writes the old value back to memory */
        if (in->mod != 3) {
            x86_write_lin(cpu, lin, sz, d);
        }
        x86_reg_set(cpu, in, X86_RAX, sz, d);
    }
}

/* 0F C7 /1: CMPXCHG8B m64 / CMPXCHG16B m128 (REX.W) */
static void cmpxchg8b(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t f = x86_flags(cpu) & ~(uint64_t)X86_ZF;

    if (in->opsz == 3) {
        uint64_t ea = x86_ea(cpu, in);
        if (ea & 15) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        uint64_t lin = x86_seg_lin(cpu, in->seg, ea, 16, true);
        uint8_t *p = x86_lock_ptr(cpu, lin, 3);
        if (p) {
            uint64_t lo = cpu->regs[X86_RAX], hi = cpu->regs[X86_RDX];
            if (x86_cas16(p, &lo, &hi, cpu->regs[X86_RBX],
                          cpu->regs[X86_RCX])) {
                f |= X86_ZF;
            } else {
                cpu->regs[X86_RAX] = lo;
                cpu->regs[X86_RDX] = hi;
            }
            x86_set_status(cpu, f);
            return;
        }
        uint64_t lo = x86_read_lin(cpu, lin, 3);
        uint64_t hi = x86_read_lin(cpu, lin + 8, 3);
        if (lo == cpu->regs[X86_RAX] && hi == cpu->regs[X86_RDX]) {
            x86_write_lin(cpu, lin, 3, cpu->regs[X86_RBX]);
            x86_write_lin(cpu, lin + 8, 3, cpu->regs[X86_RCX]);
            f |= X86_ZF;
        } else {
            x86_write_lin(cpu, lin, 3, lo);
            x86_write_lin(cpu, lin + 8, 3, hi);
            cpu->regs[X86_RAX] = lo;
            cpu->regs[X86_RDX] = hi;
        }
    } else {
        uint64_t lin = x86_mem_lin(cpu, in, 3, true);
        uint64_t cmp = (cpu->regs[X86_RDX] << 32) | (uint32_t)cpu->regs[X86_RAX];
        uint8_t *p = x86_lock_ptr(cpu, lin, 3);
        if (p) {
            uint64_t m = cmp;
            if (x86_cas(p, 3, &m, (cpu->regs[X86_RCX] << 32) |
                                      (uint32_t)cpu->regs[X86_RBX])) {
                f |= X86_ZF;
            } else {
                cpu->regs[X86_RAX] = (uint32_t)m;
                cpu->regs[X86_RDX] = m >> 32;
            }
            x86_set_status(cpu, f);
            return;
        }
        uint64_t m = x86_read_lin(cpu, lin, 3);
        if (m == cmp) {
            x86_write_lin(cpu, lin, 3, (cpu->regs[X86_RCX] << 32) |
                                           (uint32_t)cpu->regs[X86_RBX]);
            f |= X86_ZF;
        } else {
            x86_write_lin(cpu, lin, 3, m);
            cpu->regs[X86_RAX] = (uint32_t)m;
            cpu->regs[X86_RDX] = m >> 32;
        }
    }
    x86_set_status(cpu, f);
}

/* 0F C7: group 9 */
void x86_op_grp9(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if ((in->reg & 7) == 1 && in->mod != 3) {
        cmpxchg8b(cpu, in);
        return;
    }
    x86_raise_noerr(cpu, X86_EXC_UD);
}

/* 98: CBW / CWDE / CDQE */
void x86_op_cbw(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz;
    uint64_t v = x86_sext(cpu->regs[X86_RAX], sz - 1);
    x86_reg_set(cpu, in, X86_RAX, sz, v);
}

/* 99: CWD / CDQ / CQO */
void x86_op_cwd(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz;
    uint64_t v = (cpu->regs[X86_RAX] & x86_sign(sz)) ? ~0ull : 0;
    x86_reg_set(cpu, in, X86_RDX, sz, v);
}

/* 0F C8-CF: BSWAP r32/r64 (16-bit operand: undefined, clears as hardware) */
void x86_op_bswap(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned r = in->opreg;

    if (in->opsz == 3) {
        cpu->regs[r] = __builtin_bswap64(cpu->regs[r]);
    } else if (in->opsz == 2) {
        cpu->regs[r] = __builtin_bswap32((uint32_t)cpu->regs[r]);
    } else {
        x86_reg_set(cpu, in, r, 1, 0);
    }
}

/* 0F 38 F0/F1: MOVBE Gv,Mv / Mv,Gv (F2 would be CRC32, an SSE4.2 one) */
void x86_op_movbe(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz;

    if (in->rep == 0xf2) {
        x86_op_sse(cpu, in);        /* F2: CRC32 (sse.c) */
        return;
    }
    if (in->mod == 3 || in->rep) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (in->op & 1) {
        uint64_t v = x86_reg_get(cpu, in, in->reg, sz);
        v = sz == 1 ? __builtin_bswap16((uint16_t)v)
            : sz == 2 ? __builtin_bswap32((uint32_t)v) : __builtin_bswap64(v);
        x86_rm_write(cpu, in, sz, v);
    } else {
        uint64_t v = x86_rm_read(cpu, in, sz);
        v = sz == 1 ? __builtin_bswap16((uint16_t)v)
            : sz == 2 ? __builtin_bswap32((uint32_t)v) : __builtin_bswap64(v);
        x86_reg_set(cpu, in, in->reg, sz, v);
    }
}

/* 0F 40-4F: CMOVcc Gv,Ev; the source is read (and may fault) either way */
void x86_op_cmov(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t v = x86_rm_read(cpu, in, in->opsz);

    if (x86_cond(cpu, in->op & 15)) {
        x86_reg_set(cpu, in, in->reg, in->opsz, v);
    } else if (in->opsz == 2) {
        /* a 32-bit destination is zero-extended even when not moved */
        cpu->regs[in->reg] = (uint32_t)cpu->regs[in->reg];
    }
}

/* 0F 90-9F: SETcc Eb */
void x86_op_setcc(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_rm_write(cpu, in, 0, x86_cond(cpu, in->op & 15));
}
