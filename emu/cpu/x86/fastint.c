/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fastint.c - more specialised handlers for hot integer forms of 64-bit
 * code, chosen at decode time by x86_int_specialise (fast.c asks): the
 * group 1 ALU operations with an immediate (and their rAX,imm short
 * forms), ALU operations with a memory operand, SHL/SHR/SAR by a constant,
 * MOVZX/MOVSX/MOVSXD, MOV with an immediate, LEA with a 32-bit result,
 * INC/DEC of a register, TEST with memory, byte CMP and TEST, IMUL with
 * two or three operands, CMOVcc and SETcc on registers, shifts by CL,
 * byte MOVs between registers and from an immediate, PUSH/POP of a
 * register, near CALL and RET.  Memory forms are taken only for a 64-bit address size,
 * which only exists in 64-bit code: segment bases are 0 there except FS
 * and GS, no limits apply, and the stack is 64 bits wide, so the operand
 * address is the sum of the registers plus a canonical check.  Each
 * handler does what the generic one does for its form (the host-
 * differential tests in tests/unit/x86_alu_test.c run both).
 * Reference: Intel SDM vol. 2 under each mnemonic; vol. 1 3.3.7.1
 * (canonical addresses), 6.2 (64-bit stack).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* operands, lazy flags */

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* ---- 64-bit addressing ----------------------------------------------------- */

static ALWAYS_INLINE uint64_t ea64(struct x86_cpu *cpu,
                                   const struct x86_insn *in)
{
    uint64_t a = (uint64_t)(int64_t)in->disp;
    if (in->base != X86_NOREG) {
        a += in->base == X86_RIPREL ? cpu->rip : cpu->regs[in->base];
    }
    if (in->index != X86_NOREG) {
        a += cpu->regs[in->index] << in->scale;
    }
    return a;
}

/* Linear address of the memory operand of 64-bit code; a non-canonical
   one goes to mem.c, which raises #GP or #SS as the segment says. */
static ALWAYS_INLINE uint64_t lin64(struct x86_cpu *cpu,
                                    const struct x86_insn *in, unsigned sz,
                                    bool write)
{
    uint64_t off = ea64(cpu, in);
    uint64_t lin = off + (in->seg >= X86_FS ? cpu->seg[in->seg].base : 0);
    if (__builtin_expect((uint64_t)((int64_t)(lin << 16) >> 16) == lin, 1)) {
        return lin;
    }
    return x86_seg_lin_slow(cpu, in->seg, off, 1u << sz, write);
}

/*
 * *p = the host address of the memory operand of 64-bit code for an
 * access of 1 << sz bytes, when the TLB holds its page for reading (rd),
 * writing (wr) or both, the address is canonical and the access stays in
 * the page; false otherwise.  The handlers then hand the instruction to
 * its generic handler, which takes the slow path (TLB fill, MMIO, a page
 * crossing, #GP/#SS/#PF) as it always does: nothing has changed yet, and
 * the fast path needs no stack frame for calls it does not make.
 *
 * The entry is the one of the first byte's page; comparing its tag with
 * the page of the last byte also rejects an access that crosses into the
 * next page (that page has another index, so this entry cannot hold it).
 * The addressing form am (mem_form) spares the tests of the general
 * form: 1 is [reg + disp], 2 [reg + reg * scale + disp], both in a
 * segment without a base (DS/ES/SS/CS).
 */
static ALWAYS_INLINE bool host64(struct x86_cpu *cpu,
                                 const struct x86_insn *in, unsigned sz,
                                 bool rd, bool wr, unsigned am, uint8_t **p)
{
    uint64_t lin;
    if (am == 1) {
        lin = cpu->regs[in->base] + (uint64_t)(int64_t)in->disp;
    } else if (am == 2) {
        lin = cpu->regs[in->base] + (cpu->regs[in->index] << in->scale) +
              (uint64_t)(int64_t)in->disp;
    } else {
        lin = ea64(cpu, in) +
              (in->seg >= X86_FS ? cpu->seg[in->seg].base : 0);
    }
    uint64_t last = (lin + (1u << sz) - 1) & ~0xfffull;
    const struct x86_tlb_entry *e =
        &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
    if (__builtin_expect((lin + (1ull << 47)) >> 48 == 0 &&
                         (!rd || e->tag_read == last) &&
                         (!wr || e->tag_write == last), 1)) {
        *p = (uint8_t *)(uintptr_t)(lin + e->addend);
        return true;
    }
    return false;
}

/* in the handlers below, which have p */
#define HOST64(am, sz, rd, wr) host64(cpu, in, sz, rd, wr, am, &p)

/* The addressing form of the memory operand for host64 */
static unsigned mem_form(const struct x86_insn *in)
{
    if (in->base >= 16 || in->seg >= X86_FS) {
        return 0;
    }
    return in->index == X86_NOREG ? 1 : 2;
}

/* ---- ALU --------------------------------------------------------------------- */

/* The ALU operation of group 1 encoding OP on a and b of size SZ, with the
   lazy flags; ADC and SBB are not specialised. */
static ALWAYS_INLINE uint64_t alu(struct x86_cpu *cpu, unsigned op,
                                  unsigned sz, uint64_t a, uint64_t b)
{
    uint64_t m = x86_mask(sz), r;
    a &= m;
    b &= m;
    switch (op) {
    case 0:
        r = (a + b) & m;
        x86_lf(cpu, X86_LF_ADD, sz, a, b, r);
        break;
    case 1:
        r = a | b;
        x86_lf(cpu, X86_LF_LOGIC, sz, a, b, r);
        break;
    case 4:
        r = a & b;
        x86_lf(cpu, X86_LF_LOGIC, sz, a, b, r);
        break;
    case 5:
    case 7:
        r = (a - b) & m;
        x86_lf(cpu, X86_LF_SUB, sz, a, b, r);
        break;
    default:
        r = a ^ b;
        x86_lf(cpu, X86_LF_LOGIC, sz, a, b, r);
        break;
    }
    return r;
}

/* 81/83 /op with a register, and 05 0D 25 2D 35 3D (rm is rAX there) */
#define G1_REG(name, OP, SZ)                                                \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint64_t r = alu(cpu, OP, SZ, cpu->regs[in->rm], in->imm);          \
        if ((OP) != 7) {                                                    \
            cpu->regs[in->rm] = r;                                          \
        }                                                                   \
    }

/* the generic handlers of 00-3F by group 1 operation */
static x86_handler_fn *const alu_generic[8] = {
    x86_op_add, x86_op_or, x86_op_adc, x86_op_sbb,
    x86_op_and, x86_op_sub, x86_op_xor, x86_op_cmp,
};

/* 81/83 /op with memory */
#define G1_MEM(name, OP, SZ, AM)                                                \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint8_t *p;                                                         \
        if (__builtin_expect(!HOST64(AM, SZ, true, (OP) != 7), 0)) {        \
            x86_op_grp1(cpu, in);                                           \
            return;                                                         \
        }                                                                   \
        uint64_t r = alu(cpu, OP, SZ, x86_load_host(p, SZ), in->imm);       \
        if ((OP) != 7) {                                                    \
            x86_store_host(p, SZ, r);                                       \
        }                                                                   \
    }

/* op Gv,M: the register is the destination */
#define ALU_LOAD(name, OP, SZ, AM)                                              \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint8_t *p;                      \
        if (__builtin_expect(!HOST64(AM, SZ, true, false), 0)) {            \
            alu_generic[OP](cpu, in);                                       \
            return;                                                         \
        }                                                                   \
        uint64_t r = alu(cpu, OP, SZ, cpu->regs[in->reg],                   \
                         x86_load_host(p, SZ));                             \
        if ((OP) != 7) {                                                    \
            cpu->regs[in->reg] = r;                                         \
        }                                                                   \
    }

/* op M,Gv: the memory operand is the destination */
#define ALU_STORE(name, OP, SZ, AM)                                             \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint8_t *p;                                                         \
        if (__builtin_expect(!HOST64(AM, SZ, true, (OP) != 7), 0)) {        \
            alu_generic[OP](cpu, in);                                       \
            return;                                                         \
        }                                                                   \
        uint64_t r = alu(cpu, OP, SZ, x86_load_host(p, SZ),                 \
                         cpu->regs[in->reg]);                               \
        if ((OP) != 7) {                                                    \
            x86_store_host(p, SZ, r);                                       \
        }                                                                   \
    }

#define ALL_OPS(M, pfx, SZ)                                                 \
    M(pfx##_add_##SZ, 0, SZ) M(pfx##_or_##SZ, 1, SZ)                        \
    M(pfx##_and_##SZ, 4, SZ) M(pfx##_sub_##SZ, 5, SZ)                       \
    M(pfx##_xor_##SZ, 6, SZ) M(pfx##_cmp_##SZ, 7, SZ)

ALL_OPS(G1_REG, g1r, 2) ALL_OPS(G1_REG, g1r, 3)
/* each memory form three times, for the addressing forms of mem_form:
   any operand, [reg + disp] (_b) and [reg + reg * scale + disp] (_x) */
#define G1_MEM0(n, OP, SZ)                                                  \
    G1_MEM(n, OP, SZ, 0) G1_MEM(n##_b, OP, SZ, 1) G1_MEM(n##_x, OP, SZ, 2)
#define ALU_LOAD0(n, OP, SZ)                                                \
    ALU_LOAD(n, OP, SZ, 0) ALU_LOAD(n##_b, OP, SZ, 1)                       \
    ALU_LOAD(n##_x, OP, SZ, 2)
#define ALU_STORE0(n, OP, SZ)                                               \
    ALU_STORE(n, OP, SZ, 0) ALU_STORE(n##_b, OP, SZ, 1)                     \
    ALU_STORE(n##_x, OP, SZ, 2)
ALL_OPS(G1_MEM0, g1m, 2) ALL_OPS(G1_MEM0, g1m, 3)
ALL_OPS(ALU_LOAD0, ald, 2) ALL_OPS(ALU_LOAD0, ald, 3)
ALL_OPS(ALU_STORE0, ast, 2) ALL_OPS(ALU_STORE0, ast, 3)

#define OP_TABLE(pfx, SZ)                                                   \
    { [0] = pfx##_add_##SZ, [1] = pfx##_or_##SZ, [4] = pfx##_and_##SZ,     \
      [5] = pfx##_sub_##SZ, [6] = pfx##_xor_##SZ, [7] = pfx##_cmp_##SZ }
#define OP_TABLE_F(pfx, SZ, F)                                              \
    { [0] = pfx##_add_##SZ##F, [1] = pfx##_or_##SZ##F,                      \
      [4] = pfx##_and_##SZ##F, [5] = pfx##_sub_##SZ##F,                     \
      [6] = pfx##_xor_##SZ##F, [7] = pfx##_cmp_##SZ##F }

static x86_handler_fn *const g1r_tab[2][8] = {
    OP_TABLE(g1r, 2), OP_TABLE(g1r, 3),
};
static x86_handler_fn *const g1m_tab[3][2][8] = {     /* [mem_form] */
    { OP_TABLE(g1m, 2), OP_TABLE(g1m, 3) },
    { OP_TABLE_F(g1m, 2, _b), OP_TABLE_F(g1m, 3, _b) },
    { OP_TABLE_F(g1m, 2, _x), OP_TABLE_F(g1m, 3, _x) },
};
static x86_handler_fn *const ald_tab[3][2][8] = {     /* [mem_form] */
    { OP_TABLE(ald, 2), OP_TABLE(ald, 3) },
    { OP_TABLE_F(ald, 2, _b), OP_TABLE_F(ald, 3, _b) },
    { OP_TABLE_F(ald, 2, _x), OP_TABLE_F(ald, 3, _x) },
};
static x86_handler_fn *const ast_tab[3][2][8] = {     /* [mem_form] */
    { OP_TABLE(ast, 2), OP_TABLE(ast, 3) },
    { OP_TABLE_F(ast, 2, _b), OP_TABLE_F(ast, 3, _b) },
    { OP_TABLE_F(ast, 2, _x), OP_TABLE_F(ast, 3, _x) },
};

/* 85 /r with memory, F7 /0 with a register: TEST */
#define TEST_MEM(name, SZ, AM)                                                  \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint8_t *p;                      \
        if (__builtin_expect(!HOST64(AM, SZ, true, false), 0)) {            \
            x86_op_test(cpu, in);                                           \
            return;                                                         \
        }                                                                   \
        alu(cpu, 4, SZ, x86_load_host(p, SZ), cpu->regs[in->reg]);          \
    }

TEST_MEM(test_mem_2, 2, 0)
TEST_MEM(test_mem_3, 3, 0)
TEST_MEM(test_mem_2_b, 2, 1)
TEST_MEM(test_mem_3_b, 3, 1)
TEST_MEM(test_mem_2_x, 2, 2)
TEST_MEM(test_mem_3_x, 3, 2)

static void test_imm_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 4, 2, cpu->regs[in->rm], in->imm);
}

static void test_imm_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 4, 3, cpu->regs[in->rm], in->imm);
}

/* FF /0 and /1 with a register: INC/DEC keep CF */
#define INCDEC(name, SZ, DEC)                                               \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint64_t m = x86_mask(SZ), a = cpu->regs[in->rm] & m;              \
        uint64_t r = ((DEC) ? a - 1 : a + 1) & m;                           \
        cpu->lf_cf = x86_get_cf(cpu);                                       \
        x86_lf(cpu, (DEC) ? X86_LF_DEC : X86_LF_INC, SZ, a, 1, r);          \
        cpu->regs[in->rm] = r;                                              \
    }

INCDEC(inc_2, 2, 0)
INCDEC(inc_3, 3, 0)
INCDEC(dec_2, 2, 1)
INCDEC(dec_3, 3, 1)

/* ---- byte forms ------------------------------------------------------------ */

/* 38-3B / 00-33 byte forms are left generic; the compares and tests of
   bytes are common enough: 3C and A8 (AL,imm8), 80 /7 and F6 /0 with a
   register or memory, 38/3A and 84 with registers or memory. */
static ALWAYS_INLINE uint64_t rm8(struct x86_cpu *cpu,
                                  const struct x86_insn *in)
{
    if (in->mod == 3) {
        return *x86_reg8(cpu, in, in->rm);
    }
    return x86_read_lin(cpu, lin64(cpu, in, 0, false), 0);
}

static void cmp8_rm_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 7, 0, rm8(cpu, in), in->imm);
}

static void test8_rm_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 4, 0, rm8(cpu, in), in->imm);
}

/* 80 /7 and F6 /0 with memory */
#define CMP8_M_IMM(name, AM)                                                \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        uint8_t *p;                                                         \
        if (__builtin_expect(!HOST64(AM, 0, true, false), 0)) {             \
            x86_op_grp1(cpu, in);                                           \
            return;                                                         \
        }                                                                   \
        alu(cpu, 7, 0, *p, in->imm);                                        \
    }

CMP8_M_IMM(cmp8_m_imm, 0)
CMP8_M_IMM(cmp8_m_imm_b, 1)
CMP8_M_IMM(cmp8_m_imm_x, 2)

#define TEST8_M_IMM(name, AM)                                               \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        uint8_t *p;                                                         \
        if (__builtin_expect(!HOST64(AM, 0, true, false), 0)) {             \
            x86_op_grp3(cpu, in);                                           \
            return;                                                         \
        }                                                                   \
        alu(cpu, 4, 0, *p, in->imm);                                        \
    }

TEST8_M_IMM(test8_m_imm, 0)
TEST8_M_IMM(test8_m_imm_b, 1)
TEST8_M_IMM(test8_m_imm_x, 2)

static void cmp8_al_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 7, 0, cpu->regs[X86_RAX], in->imm);
}

static void test8_al_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 4, 0, cpu->regs[X86_RAX], in->imm);
}

/* 38: CMP Eb,Gb; 3A: CMP Gb,Eb */
static void cmp8_rm_reg(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 7, 0, rm8(cpu, in), *x86_reg8(cpu, in, in->reg));
}

static void cmp8_reg_rm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 7, 0, *x86_reg8(cpu, in, in->reg), rm8(cpu, in));
}

static void test8_rm_reg(struct x86_cpu *cpu, const struct x86_insn *in)
{
    alu(cpu, 4, 0, rm8(cpu, in), *x86_reg8(cpu, in, in->reg));
}

/* ---- IMUL and CMOVcc --------------------------------------------------------- */

/* CF = OF = the product did not fit; SF ZF PF from the truncated result
   as muldiv.c sets them (the SDM leaves them undefined), AF 0. */
static ALWAYS_INLINE uint64_t imul(struct x86_cpu *cpu, unsigned sz,
                                   uint64_t a, uint64_t b)
{
    uint64_t lo;
    bool ov;
    if (sz == 3) {
        int64_t p;
        ov = __builtin_mul_overflow((int64_t)a, (int64_t)b, &p);
        lo = (uint64_t)p;
    } else {
        int64_t p = (int64_t)(int32_t)a * (int32_t)b;
        lo = (uint32_t)p;
        ov = p != (int32_t)p;
    }
    uint64_t f = (lo ? 0 : X86_ZF) | ((lo & x86_sign(sz)) ? X86_SF : 0) |
                 (x86_parity[lo & 0xff] ? X86_PF : 0) |
                 (ov ? X86_CF | X86_OF : 0);
    cpu->rflags = (cpu->rflags & ~(uint64_t)X86_ARITH) | f;
    cpu->lf_op = X86_LF_NONE;
    return lo;
}

/* 0F AF: IMUL Gv,Ev; 69/6B: IMUL Gv,Ev,imm */
#define IMUL(name, SZ, MEM, IMM)                                                static void name(struct x86_cpu *cpu, const struct x86_insn *in)           {                                                                               uint64_t b = (MEM) ? x86_read_lin(cpu, lin64(cpu, in, SZ, false), SZ)                            : cpu->regs[in->rm];                                     uint64_t a = (IMM) ? in->imm : cpu->regs[in->reg];                          cpu->regs[in->reg] = imul(cpu, SZ, a, b);                               }

IMUL(imul_rr_2, 2, 0, 0)
IMUL(imul_rr_3, 3, 0, 0)
IMUL(imul_rm_2, 2, 1, 0)
IMUL(imul_rm_3, 3, 1, 0)
IMUL(imul_ri_2, 2, 0, 1)
IMUL(imul_ri_3, 3, 0, 1)
IMUL(imul_mi_2, 2, 1, 1)
IMUL(imul_mi_3, 3, 1, 1)

static x86_handler_fn *const imul_tab[2][2][2] = {    /* [imm][mem][s] */
    { { imul_rr_2, imul_rr_3 }, { imul_rm_2, imul_rm_3 } },
    { { imul_ri_2, imul_ri_3 }, { imul_mi_2, imul_mi_3 } },
};

/* 0F 40-4F with registers: a 32-bit destination is zero-extended even
   when the condition is false. */
static void cmov_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t v = x86_cond(cpu, in->op & 15) ? cpu->regs[in->rm]
                                            : cpu->regs[in->reg];
    cpu->regs[in->reg] = (uint32_t)v;
}

static void cmov_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (x86_cond(cpu, in->op & 15)) {
        cpu->regs[in->reg] = cpu->regs[in->rm];
    }
}

/* ---- shifts by a constant ---------------------------------------------------- */

/* C1 /4 /5 /7 with a register and a count that is not 0 after masking:
   the flags are set here as shift.c sets them (AF 0, OF from the
   count-1 rule, which the SDM defines only for 1). */
static ALWAYS_INLINE void shift_flags(struct x86_cpu *cpu, unsigned sz,
                                      uint64_t r, bool cf, bool of)
{
    uint64_t f = (r ? 0 : X86_ZF) | ((r & x86_sign(sz)) ? X86_SF : 0) |
                 (x86_parity[r & 0xff] ? X86_PF : 0) |
                 (cf ? X86_CF : 0) | (of ? X86_OF : 0);
    cpu->rflags = (cpu->rflags & ~(uint64_t)X86_ARITH) | f;
    cpu->lf_op = X86_LF_NONE;
}

/* The flags are lazy (X86_LF_SHL/SHR/SAR, flags.c): the count is 1 to
   the operand bits - 1 here. */
#define SHL(name, SZ)                                                       \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        unsigned c = (unsigned)in->imm;                                     \
        uint64_t m = x86_mask(SZ), a = cpu->regs[in->rm] & m;              \
        uint64_t r = (a << c) & m;                                          \
        x86_lf(cpu, X86_LF_SHL, SZ, a, c, r);                               \
        cpu->regs[in->rm] = r;                                              \
    }

#define SHR(name, SZ)                                                       \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        unsigned c = (unsigned)in->imm;                                     \
        uint64_t m = x86_mask(SZ), a = cpu->regs[in->rm] & m;              \
        uint64_t r = a >> c;                                                \
        x86_lf(cpu, X86_LF_SHR, SZ, a, c, r);                               \
        cpu->regs[in->rm] = r;                                              \
    }

#define SAR(name, SZ)                                                       \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        unsigned c = (unsigned)in->imm;                                     \
        uint64_t m = x86_mask(SZ), a = cpu->regs[in->rm] & m;              \
        uint64_t r = (uint64_t)(x86_sext(a, SZ) >> c) & m;                  \
        x86_lf(cpu, X86_LF_SAR, SZ, a, c, r);                               \
        cpu->regs[in->rm] = r;                                              \
    }

/* D3 /4 /5 /7 with a register: the count is CL; a count of 0 changes no
   flag but still writes the (zero-extended) register, as shift.c does */
#define SHCL(name, SZ, KIND)                                                \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        unsigned c = cpu->regs[X86_RCX] & ((SZ) == 3 ? 63 : 31);            \
        uint64_t m = x86_mask(SZ), a = cpu->regs[in->rm] & m, r;           \
        if (c == 0) {                                                       \
            cpu->regs[in->rm] = a;                                          \
            return;                                                         \
        }                                                                   \
        if ((KIND) == 0) {                                                  \
            r = (a << c) & m;                                               \
            x86_lf(cpu, X86_LF_SHL, SZ, a, c, r);                           \
        } else if ((KIND) == 1) {                                           \
            r = a >> c;                                                     \
            x86_lf(cpu, X86_LF_SHR, SZ, a, c, r);                           \
        } else {                                                            \
            r = (uint64_t)(x86_sext(a, SZ) >> c) & m;                       \
            x86_lf(cpu, X86_LF_SAR, SZ, a, c, r);                           \
        }                                                                   \
        cpu->regs[in->rm] = r;                                              \
    }

SHCL(shlcl_2, 2, 0)
SHCL(shlcl_3, 3, 0)
SHCL(shrcl_2, 2, 1)
SHCL(shrcl_3, 3, 1)
SHCL(sarcl_2, 2, 2)
SHCL(sarcl_3, 3, 2)

SHL(shl_2, 2)
SHL(shl_3, 3)
SHR(shr_2, 2)
SHR(shr_3, 3)
SAR(sar_2, 2)
SAR(sar_3, 3)

/* ---- moves ----------------------------------------------------------------- */

/* 0F B6/B7/BE/BF and 63 with a 32- or 64-bit destination: a 32-bit
   destination zero-extends to 64 bits, which the masks give. */
#define MOVX_REG(name, SSZ, SIGNED, DSZ)                                    \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint64_t v = x86_reg_get(cpu, in, in->rm, SSZ);                     \
        if (SIGNED) {                                                       \
            v = (uint64_t)x86_sext(v, SSZ);                                 \
        }                                                                   \
        cpu->regs[in->reg] = v & x86_mask(DSZ);                             \
    }

#define MOVX_MEM(name, SSZ, SIGNED, DSZ, AM)                                    \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint8_t *p;                     \
        if (__builtin_expect(!HOST64(AM, SSZ, true, false), 0)) {           \
            if ((SSZ) == 2) {                                               \
                x86_op_movsxd(cpu, in);                                     \
            } else {                                                        \
                x86_op_movx(cpu, in);                                       \
            }                                                               \
            return;                                                         \
        }                                                                   \
        uint64_t v = x86_load_host(p, SSZ);                                 \
        if (SIGNED) {                                                       \
            v = (uint64_t)x86_sext(v, SSZ);                                 \
        }                                                                   \
        cpu->regs[in->reg] = v & x86_mask(DSZ);                             \
    }

#define MOVX4(M, pfx)                                                       \
    M(pfx##_zb_2, 0, 0, 2) M(pfx##_zb_3, 0, 0, 3)                           \
    M(pfx##_zw_2, 1, 0, 2) M(pfx##_zw_3, 1, 0, 3)                           \
    M(pfx##_sb_2, 0, 1, 2) M(pfx##_sb_3, 0, 1, 3)                           \
    M(pfx##_sw_2, 1, 1, 2) M(pfx##_sw_3, 1, 1, 3)                           \
    M(pfx##_sd_3, 2, 1, 3)

MOVX4(MOVX_REG, mxr)
#define MOVX_MEM0(n, SSZ, SIGNED, DSZ)                                      \
    MOVX_MEM(n, SSZ, SIGNED, DSZ, 0) MOVX_MEM(n##_b, SSZ, SIGNED, DSZ, 1)   \
    MOVX_MEM(n##_x, SSZ, SIGNED, DSZ, 2)
MOVX4(MOVX_MEM0, mxm)

/* [signed][source size][destination size 2/3] */
static x86_handler_fn *const mxr_tab[2][3][2] = {
    { { mxr_zb_2, mxr_zb_3 }, { mxr_zw_2, mxr_zw_3 }, { NULL, NULL } },
    { { mxr_sb_2, mxr_sb_3 }, { mxr_sw_2, mxr_sw_3 }, { NULL, mxr_sd_3 } },
};
static x86_handler_fn *const mxm_tab[3][2][3][2] = {     /* [mem_form] */
  { { { mxm_zb_2, mxm_zb_3 }, { mxm_zw_2, mxm_zw_3 }, { NULL, NULL } },
    { { mxm_sb_2, mxm_sb_3 }, { mxm_sw_2, mxm_sw_3 }, { NULL, mxm_sd_3 } } },
  { { { mxm_zb_2_b, mxm_zb_3_b }, { mxm_zw_2_b, mxm_zw_3_b },
      { NULL, NULL } },
    { { mxm_sb_2_b, mxm_sb_3_b }, { mxm_sw_2_b, mxm_sw_3_b },
      { NULL, mxm_sd_3_b } } },
  { { { mxm_zb_2_x, mxm_zb_3_x }, { mxm_zw_2_x, mxm_zw_3_x },
      { NULL, NULL } },
    { { mxm_sb_2_x, mxm_sb_3_x }, { mxm_sw_2_x, mxm_sw_3_x },
      { NULL, mxm_sd_3_x } } },
};

/* B8+r, C7 /0 with a register: the immediate is already extended as the
   size needs (zero for B8 32-bit, sign for C7 64-bit) */
static void mov_imm_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->rm] = (uint32_t)in->imm;
}

static void mov_imm_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->rm] = in->imm;
}

/* B8+r */
static void mov_oimm_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->opreg] = (uint32_t)in->imm;
}

static void mov_oimm_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->opreg] = in->imm;
}

/* C7 /0 with memory */
#define MOV_MIMM(name, SZ, AM)                                                  \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint8_t *p;                      \
        if (__builtin_expect(!HOST64(AM, SZ, false, true), 0)) {            \
            x86_op_mov_rm_imm(cpu, in);                                     \
            return;                                                         \
        }                                                                   \
        x86_store_host(p, SZ, in->imm);                                     \
    }

MOV_MIMM(mov_mimm_2, 2, 0)
MOV_MIMM(mov_mimm_3, 3, 0)
MOV_MIMM(mov_mimm_2_b, 2, 1)
MOV_MIMM(mov_mimm_3_b, 3, 1)
MOV_MIMM(mov_mimm_2_x, 2, 2)
MOV_MIMM(mov_mimm_3_x, 3, 2)
/* C6 /0 with memory */
MOV_MIMM(mov_mimm_0, 0, 0)
MOV_MIMM(mov_mimm_0_b, 0, 1)
MOV_MIMM(mov_mimm_0_x, 0, 2)

/* 8B/89 with memory, 64-bit code (a 32-bit load zero-extends) */
#define MOV_LD(name, SZ, AM)                                                    \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint8_t *p;                      \
        if (__builtin_expect(!HOST64(AM, SZ, true, false), 0)) {            \
            x86_op_mov(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        cpu->regs[in->reg] = x86_load_host(p, SZ);                          \
    }

#define MOV_ST(name, SZ, AM)                                                    \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)       \
    {                                                                       \
        uint8_t *p;                      \
        if (__builtin_expect(!HOST64(AM, SZ, false, true), 0)) {            \
            x86_op_mov(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        x86_store_host(p, SZ, cpu->regs[in->reg]);                          \
    }

MOV_LD(mov_ld_2, 2, 0)
MOV_LD(mov_ld_3, 3, 0)
MOV_ST(mov_st_2, 2, 0)
MOV_ST(mov_st_3, 3, 0)
MOV_LD(mov_ld_2_b, 2, 1)
MOV_LD(mov_ld_3_b, 3, 1)
MOV_ST(mov_st_2_b, 2, 1)
MOV_ST(mov_st_3_b, 3, 1)
MOV_LD(mov_ld_2_x, 2, 2)
MOV_LD(mov_ld_3_x, 3, 2)
MOV_ST(mov_st_2_x, 2, 2)
MOV_ST(mov_st_3_x, 3, 2)

/* 8A/88 with memory, 64-bit code */
#define MOV_LD0(name, AM)                                                   \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        uint8_t *p;                                                         \
        if (__builtin_expect(!HOST64(AM, 0, true, false), 0)) {             \
            x86_op_mov(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        *x86_reg8(cpu, in, in->reg) = *p;                                   \
    }

MOV_LD0(mov_ld_0, 0)
MOV_LD0(mov_ld_0_b, 1)
MOV_LD0(mov_ld_0_x, 2)

#define MOV_ST0(name, AM)                                                   \
    static void name(struct x86_cpu *cpu, const struct x86_insn *in)        \
    {                                                                       \
        uint8_t *p;                                                         \
        if (__builtin_expect(!HOST64(AM, 0, false, true), 0)) {             \
            x86_op_mov(cpu, in);                                            \
            return;                                                         \
        }                                                                   \
        *p = *x86_reg8(cpu, in, in->reg);                                   \
    }

MOV_ST0(mov_st_0, 0)
MOV_ST0(mov_st_0_b, 1)
MOV_ST0(mov_st_0_x, 2)

/* 8D with a 64-bit address and a 32-bit result */
static void lea_2(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->reg] = (uint32_t)ea64(cpu, in);
}

static void lea_3(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->regs[in->reg] = ea64(cpu, in);
}

/* 0F 90-9F with a register */
static void setcc_r(struct x86_cpu *cpu, const struct x86_insn *in)
{
    *x86_reg8(cpu, in, in->rm) = x86_cond(cpu, in->op & 15);
}

/* B0+r: MOV r8,imm8; 88/8A between byte registers */
static void mov_r8_imm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    *x86_reg8(cpu, in, in->opreg) = (uint8_t)in->imm;
}

static void mov_r8_rm(struct x86_cpu *cpu, const struct x86_insn *in)
{
    *x86_reg8(cpu, in, in->reg) = *x86_reg8(cpu, in, in->rm);
}

static void mov_rm_r8(struct x86_cpu *cpu, const struct x86_insn *in)
{
    *x86_reg8(cpu, in, in->rm) = *x86_reg8(cpu, in, in->reg);
}

/* ---- stack (64-bit code: SS base 0, 64-bit rSP) ------------------------------- */

static ALWAYS_INLINE void push64(struct x86_cpu *cpu, uint64_t v)
{
    uint64_t sp = cpu->regs[X86_RSP] - 8;
    /* the store faults before rSP changes */
    x86_write_lin(cpu, x86_seg_lin(cpu, X86_SS, sp, 8, true), 3, v);
    cpu->regs[X86_RSP] = sp;
}

static ALWAYS_INLINE uint64_t pop64(struct x86_cpu *cpu)
{
    uint64_t sp = cpu->regs[X86_RSP];
    uint64_t v = x86_read_lin(cpu, x86_seg_lin(cpu, X86_SS, sp, 8, false), 3);
    cpu->regs[X86_RSP] = sp + 8;
    return v;
}

/* 50+r with a 64-bit operand (PUSH rSP pushes the old value) */
static void push_r64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    push64(cpu, cpu->regs[in->opreg]);
}

/* 58+r (POP rSP loads the popped value) */
static void pop_r64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t v = pop64(cpu);
    cpu->regs[in->opreg] = v;
}

/* E8 in 64-bit code */
static void call_rel64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    push64(cpu, cpu->rip);
    cpu->rip += in->imm;
}

/* C3 in 64-bit code */
static void ret64(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->rip = pop64(cpu);
}

/* ---- choosing ------------------------------------------------------------------ */

x86_handler_fn *x86_int_specialise(const struct x86_insn *in)
{
    x86_handler_fn *fn = in->fn;
    unsigned op = in->op;
    bool m64 = in->adsz == 3;   /* only 64-bit code has it */
    bool mem = in->mod != 3;
    unsigned s = in->opsz - 2;  /* index of the 32/64-bit tables */
    bool full = in->opsz == 2 || in->opsz == 3;
    unsigned b = mem ? mem_form(in) : 0;  /* for the tables by form */

    if (in->lock || in->rep || fn == x86_op_ud) {
        return NULL;
    }
    x86_handler_fn *f = x86_arith_specialise(in);
    if (f) {
        return f;
    }
    /* the stack and near branches: operand size 64 means 64-bit code */
    if (in->opsz == 3 && m64) {
        if (fn == x86_op_push_r) {
            return push_r64;
        }
        if (fn == x86_op_pop_r) {
            return pop_r64;
        }
        if (fn == x86_op_call_rel) {
            return call_rel64;
        }
        if (fn == x86_op_ret && op == 0xc3) {
            return ret64;
        }
    }
    if (mem && !m64) {
        return NULL;    /* 16/32-bit addressing: segments, wrap */
    }
    if (op == 0x88 || op == 0x8a) {
        if (!mem) {
            return op == 0x8a ? mov_r8_rm : mov_rm_r8;
        }
        static x86_handler_fn *const ld0[3] = {
            mov_ld_0, mov_ld_0_b, mov_ld_0_x,
        };
        static x86_handler_fn *const st0[3] = {
            mov_st_0, mov_st_0_b, mov_st_0_x,
        };
        return op == 0x8a ? ld0[b] : st0[b];
    }
    if (op >= 0xb0 && op <= 0xb7) {
        return mov_r8_imm;
    }
    if (op == 0xc6 && (in->reg & 7) == 0 && mem) {
        static x86_handler_fn *const f[3] = {
            mov_mimm_0, mov_mimm_0_b, mov_mimm_0_x,
        };
        return f[b];
    }
    if (op >= 0x190 && op <= 0x19f && !mem) {
        return setcc_r;
    }
    if (op == 0x3c) {
        return cmp8_al_imm;
    }
    if (op == 0xa8) {
        return test8_al_imm;
    }
    if (op == 0x80 && (in->reg & 7) == 7) {
        static x86_handler_fn *const f[3] = {
            cmp8_m_imm, cmp8_m_imm_b, cmp8_m_imm_x,
        };
        return mem ? f[b] : cmp8_rm_imm;
    }
    if (op == 0xf6 && (in->reg & 7) == 0) {
        static x86_handler_fn *const f[3] = {
            test8_m_imm, test8_m_imm_b, test8_m_imm_x,
        };
        return mem ? f[b] : test8_rm_imm;
    }
    if (op == 0x38 || op == 0x3a || op == 0x84) {
        return op == 0x38 ? cmp8_rm_reg : op == 0x3a ? cmp8_reg_rm
                                                     : test8_rm_reg;
    }
    if (!full) {
        return NULL;
    }
    if (op == 0x1af || op == 0x69 || op == 0x6b) {
        return imul_tab[op != 0x1af][mem][s];
    }
    if (op >= 0x140 && op <= 0x14f && !mem) {
        return s ? cmov_3 : cmov_2;
    }
    if (fn == x86_op_grp1 && (op == 0x81 || op == 0x83)) {
        unsigned g = in->reg & 7;
        return mem ? g1m_tab[b][s][g] : g1r_tab[s][g];
    }
    if (op < 0x40 && (op & 7) == 5) {
        return g1r_tab[s][(op >> 3) & 7];   /* rAX,Iz: rm is 0 */
    }
    if (op < 0x40 && (op & 7) <= 3 && (op & 1) && mem) {
        unsigned g = (op >> 3) & 7;
        return (op & 2) ? ald_tab[b][s][g] : ast_tab[b][s][g];
    }
    if (op == 0x85 && mem) {
        static x86_handler_fn *const f[3][2] = {
            { test_mem_2, test_mem_3 }, { test_mem_2_b, test_mem_3_b },
            { test_mem_2_x, test_mem_3_x },
        };
        return f[b][s];
    }
    if (op == 0xa9) {
        return s ? test_imm_3 : test_imm_2;     /* rm is 0 */
    }
    if (op == 0xf7 && (in->reg & 7) == 0 && !mem) {
        return s ? test_imm_3 : test_imm_2;
    }
    if (op == 0xff && (in->reg & 7) <= 1 && !mem) {
        return (in->reg & 1) ? (s ? dec_3 : dec_2) : (s ? inc_3 : inc_2);
    }
    if (op == 0xc1 && !mem) {
        unsigned c = (unsigned)in->imm & (s ? 63 : 31);
        unsigned g = in->reg & 7;
        if (c != (uint8_t)in->imm || c == 0) {
            return NULL;    /* the handlers read the count from imm */
        }
        if (g == 4 || g == 6) {
            return s ? shl_3 : shl_2;
        }
        if (g == 5) {
            return s ? shr_3 : shr_2;
        }
        if (g == 7) {
            return s ? sar_3 : sar_2;
        }
        return NULL;
    }
    if (op == 0xd3 && !mem) {
        unsigned g = in->reg & 7;
        if (g == 4 || g == 6) {
            return s ? shlcl_3 : shlcl_2;
        }
        if (g == 5) {
            return s ? shrcl_3 : shrcl_2;
        }
        if (g == 7) {
            return s ? sarcl_3 : sarcl_2;
        }
        return NULL;
    }
    if (fn == x86_op_movx) {
        unsigned sgn = (op >> 3) & 1, ssz = op & 1;
        return mem ? mxm_tab[b][sgn][ssz][s] : mxr_tab[sgn][ssz][s];
    }
    if (op == 0x63 && in->opsz == 3 && m64) {
        return mem ? mxm_tab[b][1][2][1] : mxr_tab[1][2][1];
    }
    if (op >= 0xb8 && op <= 0xbf) {
        return s ? mov_oimm_3 : mov_oimm_2;
    }
    if (op == 0xc7 && (in->reg & 7) == 0) {
        if (mem) {
            static x86_handler_fn *const f[3][2] = {
                { mov_mimm_2, mov_mimm_3 }, { mov_mimm_2_b, mov_mimm_3_b },
                { mov_mimm_2_x, mov_mimm_3_x },
            };
            return f[b][s];
        }
        return s ? mov_imm_3 : mov_imm_2;
    }
    if (mem && (op == 0x8b || op == 0x89)) {
        static x86_handler_fn *const ld[3][2] = {
            { mov_ld_2, mov_ld_3 }, { mov_ld_2_b, mov_ld_3_b },
            { mov_ld_2_x, mov_ld_3_x },
        };
        static x86_handler_fn *const st[3][2] = {
            { mov_st_2, mov_st_3 }, { mov_st_2_b, mov_st_3_b },
            { mov_st_2_x, mov_st_3_x },
        };
        return op == 0x8b ? ld[b][s] : st[b][s];
    }
    if (op == 0x8d && mem) {
        return s ? lea_3 : lea_2;
    }
    return NULL;
}
