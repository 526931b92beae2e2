/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fast.c - specialised handlers for the hottest instruction forms, chosen
 * once when an instruction is decoded (x86_specialise): MOV between 32/64-
 * bit registers and to/from memory, the ALU operations ADD OR AND SUB XOR
 * CMP and TEST on 32/64-bit registers, LEA, and Jcc with the condition a
 * constant.  Each does what the generic handler of its opcode does for
 * that form, without the run-time tests of operand size, direction and
 * register-or-memory.  Reference: Intel SDM vol. 2 under each mnemonic.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* operands, lazy flags */

/* ---- MOV --------------------------------------------------------------- */

/* 89 /r, mod 3: MOV Ev,Gv */
static void mov_rm_reg32(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->rm] = (uint32_t)cpu->regs[in->reg];
}

static void mov_rm_reg64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->rm] = cpu->regs[in->reg];
}

/* 8B /r, mod 3: MOV Gv,Ev */
static void mov_reg_rm32(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->reg] = (uint32_t)cpu->regs[in->rm];
}

static void mov_reg_rm64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->reg] = cpu->regs[in->rm];
}

/* 8B /r with memory: load */
static void mov_load32(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->reg] = x86_read_lin(cpu, x86_mem_lin(cpu, in, 2, false), 2);
}

static void mov_load64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->reg] = x86_read_lin(cpu, x86_mem_lin(cpu, in, 3, false), 3);
}

/* 89 /r with memory: store */
static void mov_store32(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_write_lin(cpu, x86_mem_lin(cpu, in, 2, true), 2,
                  (uint32_t)cpu->regs[in->reg]);
}

static void mov_store64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_write_lin(cpu, x86_mem_lin(cpu, in, 3, true), 3, cpu->regs[in->reg]);
}

/* 8D: LEA Gv,M with a 64-bit address and operand */
static void lea64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->reg] = x86_ea(cpu, in);
}

/* ---- ALU on registers ---------------------------------------------------- */

/*
 * name_SZ_d: the ALU operation OP (a C operator) with lazy-flag kind LF on
 * 32-bit (SZ 2) or 64-bit (SZ 3) registers; D 0 is "op Ev,Gv" (r/m is
 * the destination), D 1 is "op Gv,Ev".  STORE is 0 for CMP and TEST.
 */
#define ALU_RR(name, OP, LF, STORE, SZ, D)                                  \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        unsigned dst = (D) ? in->reg : in->rm, src = (D) ? in->rm : in->reg; \
        uint64_t m = x86_mask(SZ);                                          \
        uint64_t a = cpu->regs[dst] & m, b = cpu->regs[src] & m;           \
        uint64_t r = (a OP b) & m;                                          \
        x86_lf(cpu, LF, SZ, a, b, r);                                       \
        if (STORE) {                                                        \
            cpu->regs[dst] = r;                                             \
        }                                                                   \
    }

#define ALU_RR4(nm, OP, LF, STORE)                                          \
    ALU_RR(nm##_2_0, OP, LF, STORE, 2, 0)                                   \
    ALU_RR(nm##_2_1, OP, LF, STORE, 2, 1)                                   \
    ALU_RR(nm##_3_0, OP, LF, STORE, 3, 0)                                   \
    ALU_RR(nm##_3_1, OP, LF, STORE, 3, 1)

ALU_RR4(add, +, X86_LF_ADD, 1)
ALU_RR4(or, |, X86_LF_LOGIC, 1)
ALU_RR4(and, &, X86_LF_LOGIC, 1)
ALU_RR4(sub, -, X86_LF_SUB, 1)
ALU_RR4(xor, ^, X86_LF_LOGIC, 1)
ALU_RR4(cmp, -, X86_LF_SUB, 0)
ALU_RR(test_2, &, X86_LF_LOGIC, 0, 2, 0)
ALU_RR(test_3, &, X86_LF_LOGIC, 0, 3, 0)

/* ---- Jcc ----------------------------------------------------------------- */

/* ZF, and for the unsigned/signed compares after SUB/CMP the answer from
   the operands; everything else goes to x86_cond. */
static inline bool cond_z(struct x86_cpu *cpu)
{
    if (cpu->lf_op != X86_LF_NONE) {
        return (cpu->lf_res & x86_mask(cpu->lf_size)) == 0;
    }
    return cpu->rflags & X86_ZF;
}

#define JCC(name, EXPR)                                                     \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        if (EXPR) {                                                         \
            x86_jump(cpu, in, cpu->rip + in->imm);                          \
        }                                                                   \
    }

/* Any other flag state: out of line, so that the common case needs no
   stack frame. */
static __attribute__((noinline)) void jcc_cond(struct x86_cpu *cpu,
                                               const struct x86_insn *in)
{
    if (x86_cond(cpu, in->op & 15)) {
        x86_jump(cpu, in, cpu->rip + in->imm);
    }
}

/* After SUB/CMP the condition comes straight from the operands */
#define JCC_SUB(name, EXPR)                                                 \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        if (cpu->lf_op != X86_LF_SUB) {                                     \
            jcc_cond(cpu, in);                                              \
            return;                                                         \
        }                                                                   \
        if (EXPR) {                                                         \
            x86_jump(cpu, in, cpu->rip + in->imm);                          \
        }                                                                   \
    }
#define LA (cpu->lf_a & x86_mask(cpu->lf_size))
#define LB (cpu->lf_b & x86_mask(cpu->lf_size))
#define SLA x86_sext(cpu->lf_a, cpu->lf_size)
#define SLB x86_sext(cpu->lf_b, cpu->lf_size)

JCC(jcc_e, cond_z(cpu))
JCC(jcc_ne, !cond_z(cpu))
JCC_SUB(jcc_b, LA < LB)
JCC_SUB(jcc_ae, LA >= LB)
JCC_SUB(jcc_be, LA <= LB)
JCC_SUB(jcc_a, LA > LB)
JCC_SUB(jcc_l, SLA < SLB)
JCC_SUB(jcc_ge, SLA >= SLB)
JCC_SUB(jcc_le, SLA <= SLB)
JCC_SUB(jcc_g, SLA > SLB)

static x86_handler_fn *const jcc_fast[16] = {
    [2] = jcc_b, [3] = jcc_ae, [4] = jcc_e, [5] = jcc_ne,
    [6] = jcc_be, [7] = jcc_a, [12] = jcc_l, [13] = jcc_ge,
    [14] = jcc_le, [15] = jcc_g,
};

/* ---- choosing -------------------------------------------------------------- */

bool x86_fast_off;

#define PICK4(nm)                                                           \
    (in->opsz == 3 ? ((in->op & 2) ? nm##_3_1 : nm##_3_0)                   \
                   : ((in->op & 2) ? nm##_2_1 : nm##_2_0))

void x86_specialise(struct x86_insn *in)
{
    x86_handler_fn *fn = in->fn;
    bool full = in->opsz == 2 || in->opsz == 3;

    if (fn == x86_op_sse) {
        /* F2/F3 are mandatory prefixes there (ssefast.c) */
        x86_handler_fn *f = x86_sse_specialise(in);
        if (f) {
            in->fn = f;
        }
        return;
    }
    if (x86_fast_off || in->lock || in->rep) {
        return;
    }
    x86_handler_fn *f = x86_int_specialise(in);
    if (f) {
        in->fn = f;
        return;
    }
    if (fn == x86_op_jcc) {
        if (jcc_fast[in->op & 15]) {
            in->fn = jcc_fast[in->op & 15];
        }
        return;
    }
    if (!full || !(in->op & 1) || in->op > 0xff) {
        return;     /* byte forms and the 0F maps keep the generic path */
    }
    if (fn == x86_op_mov && (in->op == 0x89 || in->op == 0x8b)) {
        bool load = in->op == 0x8b;
        if (in->mod == 3) {
            in->fn = in->opsz == 3 ? (load ? mov_reg_rm64 : mov_rm_reg64)
                                   : (load ? mov_reg_rm32 : mov_rm_reg32);
        } else {
            in->fn = in->opsz == 3 ? (load ? mov_load64 : mov_store64)
                                   : (load ? mov_load32 : mov_store32);
        }
        return;
    }
    if (fn == x86_op_lea && in->mod != 3 && in->opsz == 3 && in->adsz == 3) {
        in->fn = lea64;
        return;
    }
    if (in->mod != 3) {
        return;     /* memory operands */
    }
    if (fn == x86_op_test && in->op == 0x85) {
        in->fn = in->opsz == 3 ? test_3 : test_2;
        return;
    }
    if ((in->op & 7) > 3) {
        return;     /* AL/rAX, imm forms */
    }
    if (fn == x86_op_add) {
        in->fn = PICK4(add);
    } else if (fn == x86_op_or) {
        in->fn = PICK4(or);
    } else if (fn == x86_op_and) {
        in->fn = PICK4(and);
    } else if (fn == x86_op_sub) {
        in->fn = PICK4(sub);
    } else if (fn == x86_op_xor) {
        in->fn = PICK4(xor);
    } else if (fn == x86_op_cmp) {
        in->fn = PICK4(cmp);
    }
}
