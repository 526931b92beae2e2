/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sse.c - MMX, SSE, SSE2, SSE3 and SSSE3 (legacy encodings): an operand
 * table per opcode and mandatory prefix says what the ModRM.reg and r/m
 * operands are (XMM, MM or general register), the memory operand size,
 * alignment and direction; the instruction then runs on the host's SSE
 * unit with the guest's MXCSR (hostexec.c), so results, rounding, DAZ/FTZ
 * and exception flags are the hardware's.  Unmasked SIMD floating-point
 * exceptions leave the destination untouched and raise #XM (CR4.OSXMMEXCPT)
 * or #UD.  MMX instructions switch the x87 unit to MMX mode.  MOVNTI and
 * MASKMOVQ/MASKMOVDQU are done here directly.  References: Intel SDM
 * vol. 1 ch. 9-12, vol. 2 under each mnemonic, appendix A.3 (opcode maps
 * with mandatory prefixes), 11.5 (SIMD floating-point exceptions).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* state, memory, host execution */

enum { K_NONE, K_X, K_P, K_G };

#define F_ST    0x01    /* the r/m operand is the destination */
#define F_AL    0x02    /* a 16-byte memory operand must be aligned */
#define F_I8    0x04    /* imm8 follows */
#define F_REG   0x08    /* register r/m only */
#define F_MEM   0x10    /* memory r/m only */
#define F_GRP   0x20    /* ModRM.reg is an opcode extension (shift imm) */
#define F_FL    0x40    /* sets the status flags (COMISS ...) */
#define F_STR   0x80    /* PCMPxSTRx: EAX/EDX in, ECX or XMM0 out */

struct ent {
    uint8_t reg, rm, msz, flags;
};

#define E(r, m, s, f) { K_##r, K_##m, s, f }
#define XX16 E(X, X, 16, F_AL)
#define PP8 E(P, P, 8, 0)
#define MMXSSE2 { PP8, XX16 }
#define FLT(f) { E(X, X, 16, F_AL | (f)), E(X, X, 16, F_AL | (f)), \
                 E(X, X, 4, (f)), E(X, X, 8, (f)) }

/* [opcode][prefix: none, 66, F3, F2]; msz 0 with a G r/m: 4 or 8 by
   REX.W */
static const struct ent t0f[256][4] = {
    [0x10] = { E(X, X, 16, 0), E(X, X, 16, 0), E(X, X, 4, 0),
               E(X, X, 8, 0) },
    [0x11] = { E(X, X, 16, F_ST), E(X, X, 16, F_ST), E(X, X, 4, F_ST),
               E(X, X, 8, F_ST) },
    [0x12] = { E(X, X, 8, 0), E(X, X, 8, F_MEM), XX16, E(X, X, 8, 0) },
    [0x13] = { E(X, X, 8, F_ST | F_MEM), E(X, X, 8, F_ST | F_MEM) },
    [0x14] = { XX16, XX16 }, [0x15] = { XX16, XX16 },
    [0x16] = { E(X, X, 8, 0), E(X, X, 8, F_MEM), XX16 },
    [0x17] = { E(X, X, 8, F_ST | F_MEM), E(X, X, 8, F_ST | F_MEM) },
    [0x28] = { XX16, XX16 },
    [0x29] = { E(X, X, 16, F_AL | F_ST), E(X, X, 16, F_AL | F_ST) },
    [0x2a] = { E(X, P, 8, 0), E(X, P, 8, 0), E(X, G, 0, 0),
               E(X, G, 0, 0) },
    [0x2b] = { E(X, X, 16, F_AL | F_ST | F_MEM),
               E(X, X, 16, F_AL | F_ST | F_MEM) },
    [0x2c] = { E(P, X, 8, 0), E(P, X, 16, F_AL), E(G, X, 4, 0),
               E(G, X, 8, 0) },
    [0x2d] = { E(P, X, 8, 0), E(P, X, 16, F_AL), E(G, X, 4, 0),
               E(G, X, 8, 0) },
    [0x2e] = { E(X, X, 4, F_FL), E(X, X, 8, F_FL) },
    [0x2f] = { E(X, X, 4, F_FL), E(X, X, 8, F_FL) },
    [0x50] = { E(G, X, 0, F_REG), E(G, X, 0, F_REG) },
    [0x51] = FLT(0),
    [0x52] = { XX16, {0}, E(X, X, 4, 0) },
    [0x53] = { XX16, {0}, E(X, X, 4, 0) },
    [0x54 ... 0x57] = { XX16, XX16 },
    [0x58] = FLT(0), [0x59] = FLT(0),
    [0x5a] = { E(X, X, 8, 0), XX16, E(X, X, 4, 0), E(X, X, 8, 0) },
    [0x5b] = { XX16, XX16, XX16 },
    [0x5c ... 0x5f] = FLT(0),
    [0x60 ... 0x62] = { E(P, P, 4, 0), XX16 },
    [0x63 ... 0x6b] = MMXSSE2,
    [0x6c ... 0x6d] = { {0}, XX16 },
    [0x6e] = { E(P, G, 0, 0), E(X, G, 0, 0) },
    [0x6f] = { PP8, XX16, E(X, X, 16, 0) },
    [0x70] = { E(P, P, 8, F_I8), E(X, X, 16, F_AL | F_I8),
               E(X, X, 16, F_AL | F_I8), E(X, X, 16, F_AL | F_I8) },
    [0x71 ... 0x73] = { E(P, P, 0, F_GRP | F_REG | F_I8 | F_ST),
                        E(X, X, 0, F_GRP | F_REG | F_I8 | F_ST) },
    [0x74 ... 0x76] = MMXSSE2,
    [0x7c ... 0x7d] = { {0}, XX16, {0}, XX16 },
    [0x7e] = { E(P, G, 0, F_ST), E(X, G, 0, F_ST), E(X, X, 8, 0) },
    [0x7f] = { E(P, P, 8, F_ST), E(X, X, 16, F_AL | F_ST),
               E(X, X, 16, F_ST) },
    [0xc2] = FLT(F_I8),
    [0xc4] = { E(P, G, 2, F_I8), E(X, G, 2, F_I8) },
    [0xc5] = { E(G, P, 0, F_I8 | F_REG), E(G, X, 0, F_I8 | F_REG) },
    [0xc6] = { E(X, X, 16, F_AL | F_I8), E(X, X, 16, F_AL | F_I8) },
    [0xd0] = { {0}, XX16, {0}, XX16 },
    [0xd1 ... 0xd5] = MMXSSE2,
    [0xd6] = { {0}, E(X, X, 8, F_ST), E(X, P, 0, F_REG),
               E(P, X, 0, F_REG) },
    [0xd7] = { E(G, P, 0, F_REG), E(G, X, 0, F_REG) },
    [0xd8 ... 0xe5] = MMXSSE2,
    [0xe6] = { {0}, XX16, E(X, X, 8, 0), XX16 },
    [0xe7] = { E(P, P, 8, F_ST | F_MEM),
               E(X, X, 16, F_AL | F_ST | F_MEM) },
    [0xe8 ... 0xef] = MMXSSE2,
    [0xf0] = { {0}, {0}, {0}, E(X, X, 16, F_MEM) },
    [0xf1 ... 0xf6] = MMXSSE2,
    [0xf8 ... 0xfe] = MMXSSE2,
};

/* 0F 38 00-0B, 1C-1E (SSSE3) and 0F 3A 0F (PALIGNR) */
static const struct ent t38[2] = MMXSSE2;
static const struct ent t3a0f[2] = { E(P, P, 8, F_I8),
                                     E(X, X, 16, F_AL | F_I8) };

/* SSE4.1 (and PCMPGTQ): 66 0F 38 xx and 66 0F 3A xx, imm8 in the latter */
#define XXI E(X, X, 16, F_AL | F_I8)
static const struct ent t38_66[256] = {
    [0x10] = XX16, [0x14 ... 0x15] = XX16,
    [0x17] = E(X, X, 16, F_AL | F_FL),
    [0x20] = E(X, X, 8, 0), [0x21] = E(X, X, 4, 0), [0x22] = E(X, X, 2, 0),
    [0x23] = E(X, X, 8, 0), [0x24] = E(X, X, 4, 0), [0x25] = E(X, X, 8, 0),
    [0x28 ... 0x29] = XX16, [0x2a] = E(X, X, 16, F_AL | F_MEM),
    [0x2b] = XX16,
    [0x30] = E(X, X, 8, 0), [0x31] = E(X, X, 4, 0), [0x32] = E(X, X, 2, 0),
    [0x33] = E(X, X, 8, 0), [0x34] = E(X, X, 4, 0), [0x35] = E(X, X, 8, 0),
    [0x37 ... 0x41] = XX16,
};
static const struct ent t3a_66[256] = {
    [0x08] = XXI, [0x09] = XXI, [0x0a] = E(X, X, 4, F_I8),
    [0x0b] = E(X, X, 8, F_I8), [0x0c ... 0x0e] = XXI,
    [0x14] = E(X, G, 1, F_I8 | F_ST), [0x15] = E(X, G, 2, F_I8 | F_ST),
    [0x16] = E(X, G, 0, F_I8 | F_ST), [0x17] = E(X, G, 4, F_I8 | F_ST),
    [0x20] = E(X, G, 1, F_I8), [0x21] = E(X, X, 4, F_I8),
    [0x22] = E(X, G, 0, F_I8),
    [0x40 ... 0x42] = XXI,
    [0x60 ... 0x63] = E(X, X, 16, F_I8 | F_FL | F_STR),
};
/* SSE4.2 CRC32: F2 0F 38 F0 (r/m8), F1 (r/m16/32/64) */
static const struct ent crc32_ent[2] = { E(G, G, 1, 0), E(G, G, 0, 0) };

static const struct ent *lookup(const struct x86_insn *in, unsigned pfx)
{
    unsigned op = in->op, o = op & 0xff;

    if (op >= 0x100 && op < 0x200) {
        return &t0f[o][pfx];
    }
    if (pfx == 3 && (op == 0x2f0 || op == 0x2f1)) {
        return &crc32_ent[op & 1];
    }
    if (pfx > 1) {
        return NULL;
    }
    if (op >= 0x200 && op < 0x300 && (o <= 0x0b || (o >= 0x1c && o <= 0x1e))) {
        return &t38[pfx];
    }
    if (op == 0x30f) {
        return &t3a0f[pfx];
    }
    if (pfx == 1) {
        return op < 0x300 ? &t38_66[o] : &t3a_66[o];
    }
    return NULL;
}

/* Shift-immediate groups 0F 71-73: the valid /reg values. */
static bool grp_ok(unsigned op, unsigned r, unsigned pfx)
{
    switch (op) {
    case 0x171:
    case 0x172:
        return r == 2 || r == 4 || r == 6;
    default:
        return r == 2 || r == 6 || (pfx == 1 && (r == 3 || r == 7));
    }
}

static void mm_get(struct x86_cpu *cpu, unsigned i, uint64_t *v)
{
    memcpy(v, x86_fpu_phys(cpu, i & 7), 8);
}

static void mm_set(struct x86_cpu *cpu, unsigned i, uint64_t v)
{
    uint8_t *r = x86_fpu_phys(cpu, i & 7);
    memcpy(r, &v, 8);
    r[8] = r[9] = 0xff;
}

static bool is_mmx_op(const struct x86_insn *in, unsigned pfx)
{
    unsigned o = in->op & 0xff;
    return pfx == 0 && in->op < 0x200 && ((o >= 0x60 && o <= 0x7f) ||
                                          o >= 0xd1);
}

/* Memory operand bytes of an entry (0 in the table: 4 or 8 by REX.W). */
static unsigned mem_size(const struct ent *e, bool w)
{
    return e->msz ? e->msz : (w ? 8 : 4);
}

/*
 * The common case run through x86_host_sse: XMM and general-register
 * operands (no MMX state), every SIMD exception masked (so neither the
 * FTZ re-run nor the no-result rule of an unmasked exception applies),
 * and no implicit operands.  A general-register source is read by the
 * stub as memory in place, which gives the same result.
 */
static bool fast_ok(const struct x86_cpu *cpu, const struct x86_insn *in,
                    const struct ent *e)
{
    return e->reg != K_P && e->rm != K_P && !(e->flags & F_STR) &&
           !(e->rm == K_G && (e->reg == K_G || (e->flags & F_ST))) &&
           !(e->reg == K_G && (e->flags & F_ST)) &&
           (cpu->mxcsr & 0x1f80) == 0x1f80 &&
           in->op != 0x210 && in->op != 0x214 && in->op != 0x215;
}

static void sse_fast(struct x86_cpu *cpu, const struct x86_insn *in,
                     const struct ent *e, unsigned pfx, bool w)
{
    struct x86_xfast c;
    uint8_t mem[16] __attribute__((aligned(16)));
    uint8_t code[16];
    unsigned n = 0, msz = mem_size(e, w), r = in->reg & 7;
    unsigned kind = 0, mreg, modrm;
    uint64_t lin = 0;

    if (e->flags & F_GRP) {
        mreg = r;
        c.reg = cpu->xmm[in->reg];      /* unused: reg is an extension */
    } else if (e->reg == K_X) {
        mreg = 1;
        kind |= X86_HXF_REGX;
        c.reg = cpu->xmm[in->reg];
    } else {
        mreg = 0;                       /* RAX, a destination */
        c.reg = &cpu->regs[in->reg];
    }
    if (e->flags & F_ST) {
        kind |= X86_HXF_ST;
    }
    if (e->flags & F_FL) {
        kind |= X86_HXF_FL;
    }
    if (in->mod == 3 && e->rm == K_X) {
        kind |= X86_HXF_RMX;
        c.rm = cpu->xmm[in->rm];
        modrm = 0xc0 | mreg << 3 | 2;
    } else if (in->mod == 3) {
        c.rm = &cpu->regs[in->rm];      /* read in place as [rsi] */
        modrm = mreg << 3 | 6;
    } else {
        uint64_t off = x86_ea(cpu, in);
        if (msz == 16 && (e->flags & F_AL) && (off & 15)) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        lin = x86_seg_lin(cpu, in->seg, off, msz, e->flags & F_ST);
        if (!(e->flags & F_ST)) {
            for (unsigned i = 0; i < msz; i += msz < 8 ? msz : 8) {
                unsigned sz = msz == 1 ? 0 : msz == 2 ? 1 : msz == 4 ? 2 : 3;
                uint64_t v = x86_read_lin(cpu, lin + i, sz);
                memcpy(mem + i, &v, 1u << sz);
            }
        }
        c.rm = mem;
        modrm = mreg << 3 | 6;
    }
    c.mxcsr = cpu->mxcsr & ~0x3fu;

    if (pfx) {
        code[n++] = pfx == 1 ? 0x66 : pfx == 2 ? 0xf3 : 0xf2;
    }
    if (w) {
        code[n++] = 0x48;
    }
    code[n++] = 0x0f;
    if (in->op >= 0x200) {
        code[n++] = in->op < 0x300 ? 0x38 : 0x3a;
    }
    code[n++] = (uint8_t)in->op;
    code[n++] = (uint8_t)modrm;
    if (e->flags & F_I8) {
        code[n++] = (uint8_t)in->imm;
    }
    x86_host_sse(&c, (int)kind, code, n);

    if (in->mod != 3 && (e->flags & F_ST)) {
        for (unsigned i = 0; i < msz; i += msz < 8 ? msz : 8) {
            unsigned sz = msz == 1 ? 0 : msz == 2 ? 1 : msz == 4 ? 2 : 3;
            uint64_t v;
            memcpy(&v, mem + i, 8);
            x86_write_lin(cpu, lin + i, sz, v);
        }
    }
    cpu->mxcsr |= c.mxcsr & 0x3f;
    if (e->flags & F_FL) {
        x86_set_status(cpu, c.rflags & X86_ARITH);
    }
}

void x86_op_sse(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned pfx = in->rep == 0xf3 ? 2 : in->rep == 0xf2 ? 3
                 : in->opsz_prefix ? 1 : 0;
    const struct ent *e = lookup(in, pfx);
    struct x86_hostctx c;
    uint8_t mem[16] __attribute__((aligned(16)));
    uint8_t code[16];
    unsigned n = 0, msz, r = in->reg & 7;
    uint64_t lin = 0;
    bool w = in->rex & 8, mmx;

    x86_mx_sync(cpu);       /* cpu->mxcsr is read and written here */
    if (!e || e->reg == K_NONE || (in->mod == 3 && (e->flags & F_MEM)) ||
        (in->mod != 3 && (e->flags & F_REG)) ||
        ((e->flags & F_GRP) && !grp_ok(in->op, r, pfx))) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    x86_sse_check(cpu, is_mmx_op(in, pfx));
    if (fast_ok(cpu, in, e)) {
        sse_fast(cpu, in, e, pfx, w);
        return;
    }
    x86_fpu_sync(cpu);      /* the stub loads MM1/MM2: the x87 registers */
    mmx = e->reg == K_P || (e->rm == K_P && in->mod == 3);
    if (mmx) {
        if (cpu->fsw & 0x80 && (cpu->cr0 & X86_CR0_NE)) {
            x86_raise_noerr(cpu, X86_EXC_MF);
        }
        x86_mmx_enter(cpu);
    }

    memset(&c, 0, sizeof(c));
    memset(mem, 0, sizeof(mem));
    memcpy(c.xmm[0], cpu->xmm[0], 16);
    msz = mem_size(e, w);
    if (e == &crc32_ent[1] && in->opsz_prefix && !w) {
        msz = 2;
    }
    if (e->flags & F_STR) {
        c.rax = cpu->regs[X86_RAX];
        c.rdx = cpu->regs[X86_RDX];
    }
    switch (e->reg) {
    case K_X: memcpy(c.xmm[1], cpu->xmm[in->reg], 16); break;
    case K_P: mm_get(cpu, in->reg, &c.mm[0]); break;
    default: c.rax = cpu->regs[in->reg]; break;
    }
    if (in->mod == 3) {
        switch (e->rm) {
        case K_X: memcpy(c.xmm[2], cpu->xmm[in->rm], 16); break;
        case K_P: mm_get(cpu, in->rm, &c.mm[1]); break;
        default: c.rcx = cpu->regs[in->rm]; break;
        }
        if (e == &crc32_ent[0]) {
            c.rcx = *x86_reg8(cpu, in, in->rm);     /* AH..BH, SPL..DIL */
        }
    } else {
        uint64_t off = x86_ea(cpu, in);
        if (msz == 16 && (e->flags & F_AL) && (off & 15)) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        lin = x86_seg_lin(cpu, in->seg, off, msz, e->flags & F_ST);
        if (!(e->flags & F_ST)) {
            for (unsigned i = 0; i < msz; i += msz < 8 ? msz : 8) {
                unsigned sz = msz == 1 ? 0 : msz == 2 ? 1 : msz == 4 ? 2 : 3;
                uint64_t v = x86_read_lin(cpu, lin + i, sz);
                memcpy(mem + i, &v, 1u << sz);
            }
        }
        c.mem = (uint64_t)(uintptr_t)mem;
    }
    c.mxcsr = (cpu->mxcsr & ~0x3fu) | 0x1f80;   /* every exception masked */
    c.rflags = x86_flags(cpu);

    /* re-encode: prefix, REX.W, map, opcode, ModRM, imm8 */
    if (pfx == 3 && in->opsz_prefix) {
        code[n++] = 0x66;                       /* CRC32 r32, r/m16 */
    }
    if (pfx) {
        code[n++] = pfx == 1 ? 0x66 : pfx == 2 ? 0xf3 : 0xf2;
    }
    if (w) {
        code[n++] = 0x48;
    }
    code[n++] = 0x0f;
    if (in->op >= 0x200) {
        code[n++] = in->op < 0x300 ? 0x38 : 0x3a;
    }
    code[n++] = (uint8_t)in->op;
    unsigned mreg = (e->flags & F_GRP) ? r : e->reg == K_G ? 0 : 1;
    unsigned mrm = e->rm == K_G ? 1 : 2;
    code[n++] = in->mod == 3 ? (uint8_t)(0xc0 | mreg << 3 | mrm)
                             : (uint8_t)(mreg << 3 | 6);
    if (e->flags & F_I8) {
        code[n++] = (uint8_t)in->imm;
    }

    struct x86_hostctx c0 = c;
    x86_host_exec(&c, X86_HX_SSE, code, n);

    unsigned raised = c.mxcsr & 0x3f;
    if (!(cpu->mxcsr & 0x800) && !(raised & 0x10)) {
        /* unmasked, underflow means tiny even when exact: FTZ flushes
           (and flags) exactly the tiny results (SDM 10.2.3.3, 11.5.2.4) */
        c0.mxcsr |= 0x8000;
        x86_host_exec(&c0, X86_HX_SSE, code, n);
        raised |= c0.mxcsr & 0x10;
    }
    if (raised & ~(cpu->mxcsr >> 7) & 0x3f) {
        /* unmasked: pre-computation flags (IE DE ZE) win; no result */
        unsigned pre = raised & ~(cpu->mxcsr >> 7) & 0x7;
        cpu->mxcsr |= pre ? (raised & 0x7) : raised;
        x86_raise_noerr(cpu, (cpu->cr4 & X86_CR4_OSXMMEXCPT) ? X86_EXC_XM
                                                            : X86_EXC_UD);
    }
    if (in->mod != 3 && (e->flags & F_ST)) {
        for (unsigned i = 0; i < msz; i += msz < 8 ? msz : 8) {
            unsigned sz = msz == 1 ? 0 : msz == 2 ? 1 : msz == 4 ? 2 : 3;
            uint64_t v;
            memcpy(&v, mem + i, 8);
            x86_write_lin(cpu, lin + i, sz, v);
        }
    } else if (e->flags & F_ST) {
        switch (e->rm) {
        case K_X: memcpy(cpu->xmm[in->rm], c.xmm[2], 16); break;
        case K_P: mm_set(cpu, in->rm, c.mm[1]); break;
        default: cpu->regs[in->rm] = c.rcx; break;
        }
    } else {
        switch (e->reg) {
        case K_X: memcpy(cpu->xmm[in->reg], c.xmm[1], 16); break;
        case K_P: mm_set(cpu, in->reg, c.mm[0]); break;
        default: cpu->regs[in->reg] = c.rax; break;
        }
    }
    if (e->flags & F_STR) {
        if (in->op & 1) {
            cpu->regs[X86_RCX] = c.rcx;         /* PCMPxSTRI */
        } else {
            memcpy(cpu->xmm[0], c.xmm[0], 16);  /* PCMPxSTRM */
        }
    }
    cpu->mxcsr |= raised;
    if (e->flags & F_FL) {
        x86_set_status(cpu, c.rflags & X86_ARITH);
    }
}

/* 0F C3: MOVNTI m32/m64, r */
void x86_op_movnti(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = (in->rex & 8) ? 3 : 2;
    if (in->mod == 3 || in->opsz_prefix || in->rep) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    x86_rm_write(cpu, in, sz, cpu->regs[in->reg] & x86_mask(sz));
}

/* 0F F7: MASKMOVQ mm, mm / 66 MASKMOVDQU xmm, xmm - byte-masked store to
   DS:rDI */
void x86_op_maskmov(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint8_t src[16], mask[16];
    unsigned n;
    uint64_t off = cpu->regs[X86_RDI] & x86_mask(in->adsz);
    int seg = X86_DS;       /* ModRM has no memory operand: DS (no override) */

    if (in->mod != 3 || in->rep) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (in->opsz_prefix) {
        x86_sse_check(cpu, false);
        n = 16;
        memcpy(src, cpu->xmm[in->reg], 16);
        memcpy(mask, cpu->xmm[in->rm], 16);
    } else {
        uint64_t a, b;
        x86_sse_check(cpu, true);
        x86_mmx_enter(cpu);
        n = 8;
        mm_get(cpu, in->reg, &a);
        mm_get(cpu, in->rm, &b);
        memcpy(src, &a, 8);
        memcpy(mask, &b, 8);
    }
    for (unsigned i = 0; i < n; i++) {
        if (mask[i] & 0x80) {
            x86_write_seg(cpu, seg, (off + i) & x86_mask(in->adsz), 0,
                          src[i]);
        }
    }
}
