/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seg.c - protected-mode segmentation of the soft x86 CPU: descriptor
 * fetch from the GDT/LDT, segment register loads with their privilege and
 * type checks (#GP/#SS/#NP with the selector as error code), stack-segment
 * checks and inner-stack pushes shared with gate.c, task.c and intr.c,
 * LES/LDS/LSS/LFS/LGS, ARPL, BOUND, LAR, LSL, VERR, VERW and LLDT, LTR,
 * SLDT, STR.  Far transfers are in gate.c, task switches in task.c.
 * Reference: Intel SDM vol. 3A 3.4 (segment selectors and descriptors),
 * 5.5-5.8 (privilege checks), 7.2.4 (TR), vol. 2 "MOV", "LLDT", "LTR".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/prot.h"       /* descriptors, segments, exceptions */

#define T_ACCESSED X86_T_ACCESSED
#define T_RW X86_T_RW
#define T_DC X86_T_DC
#define T_CODE X86_T_CODE

static bool real_like(const struct x86_cpu *cpu)
{
    return cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_V86;
}

static NORETURN void gp_sel(struct x86_cpu *cpu, uint16_t sel)
{
    x86_raise(cpu, X86_EXC_GP, sel & 0xfffc);
}

uint64_t x86_desc_fetch(struct x86_cpu *cpu, uint16_t sel, int vec,
                        unsigned ext, uint32_t *lo, uint32_t *hi)
{
    uint64_t base;
    uint32_t limit;

    if ((sel & ~3u) == 0) {
        x86_raise(cpu, vec, ext);
    }
    if (sel & 4) {
        if (!(cpu->ldtr.attr & X86_SEG_P)) {
            x86_raise(cpu, vec, (sel & 0xfffc) | ext);
        }
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr_base;
        limit = cpu->gdtr_limit;
    }
    if ((uint32_t)(sel & ~7u) + 7 > limit) {
        x86_raise(cpu, vec, (sel & 0xfffc) | ext);
    }
    uint64_t a = base + (sel & ~7u);
    if (cpu->mode != X86_MODE_LONG) {
        a = (uint32_t)a;
    }
    *lo = (uint32_t)x86_read_sys(cpu, a, 2);
    *hi = (uint32_t)x86_read_sys(cpu, a + 4, 2);
    return a;
}

static uint64_t desc_read(struct x86_cpu *cpu, uint16_t sel, uint32_t *lo,
                          uint32_t *hi)
{
    return x86_desc_fetch(cpu, sel, X86_EXC_GP, 0, lo, hi);
}

void x86_desc_to_seg(struct x86_seg *s, uint16_t sel, uint32_t lo,
                     uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);

    s->sel = sel;
    s->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
    s->attr = ((hi >> 8) & 0xff) | (((hi >> 20) & 0xf) << 8);
    s->limit = (s->attr & X86_SEG_G) ? (limit << 12) | 0xfff : limit;
}

#define desc_to_seg x86_desc_to_seg

void x86_desc_set_accessed(struct x86_cpu *cpu, uint64_t a, uint32_t hi)
{
    if (!(hi & (T_ACCESSED << 8))) {
        x86_write_sys(cpu, a + 5, 0, (uint8_t)((hi >> 8) | T_ACCESSED));
    }
}

#define set_accessed x86_desc_set_accessed

struct x86_seg x86_check_ss(struct x86_cpu *cpu, uint16_t sel, unsigned pl,
                            int vec, unsigned ext)
{
    struct x86_seg s;
    uint32_t lo, hi;

    if ((sel & ~3u) == 0) {
        /* a null SS is only for 64-bit code below CPL 3 */
        if ((cpu->efer & X86_EFER_LMA) && pl < 3) {
            return (struct x86_seg){
                .sel = (uint16_t)((sel & ~3u) | pl),
                .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | 3 | (pl << 5),
            };
        }
        x86_raise(cpu, vec, ext);
    }
    uint64_t a = x86_desc_fetch(cpu, sel, vec, ext, &lo, &hi);
    unsigned type = (hi >> 8) & 0x1f;
    if ((sel & 3) != pl || x86_desc_dpl(hi) != pl || (type & 0x1a) != 0x12) {
        x86_raise(cpu, vec, (sel & 0xfffc) | ext);
    }
    if (!x86_desc_present(hi)) {
        x86_raise(cpu, X86_EXC_SS, (sel & 0xfffc) | ext);
    }
    set_accessed(cpu, a, hi);
    desc_to_seg(&s, sel, lo, hi | (T_ACCESSED << 8));
    return s;
}

void x86_drop_inner_segments(struct x86_cpu *cpu)
{
    static const int segs[] = { X86_ES, X86_DS, X86_FS, X86_GS };
    for (size_t i = 0; i < ARRAY_SIZE(segs); i++) {
        struct x86_seg *s = &cpu->seg[segs[i]];
        unsigned dpl = (s->attr >> 5) & 3;
        bool conforming_code = (s->attr & 0x1c) == 0x1c;
        if ((s->sel & ~3u) && !conforming_code && dpl < cpu->cpl) {
            *s = (struct x86_seg){ .sel = 0, .attr = 0 };
        }
    }
}

void x86_set_rsp(struct x86_cpu *cpu, unsigned size, uint64_t sp)
{
    switch (size) {
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

void x86_newstack_push(struct x86_cpu *cpu, struct x86_newstack *k,
                       unsigned sz, uint64_t v)
{
    unsigned n = 1u << sz;
    uint64_t sp = (k->sp - n) & x86_mask(k->size);
    uint64_t lin;

    if (k->size == 3) {
        lin = sp;
        if ((uint64_t)((int64_t)(lin << 16) >> 16) != lin) {
            x86_raise(cpu, X86_EXC_SS, k->err);
        }
    } else {
        const struct x86_seg *s = &k->ss;
        uint64_t last = sp + n - 1;
        if ((s->attr & (X86_SEG_S | 0xc)) == (X86_SEG_S | 0x4)) {
            uint64_t top = (s->attr & X86_SEG_DB) ? 0xffffffffull : 0xffff;
            if (sp <= s->limit || last > top) {
                x86_raise(cpu, X86_EXC_SS, k->err);
            }
        } else if (last > s->limit) {
            x86_raise(cpu, X86_EXC_SS, k->err);
        }
        lin = (uint32_t)(s->base + sp);
    }
    x86_write_sys(cpu, lin, sz, v);
    k->sp = sp;
}

void x86_tss_stack(struct x86_cpu *cpu, unsigned pl, uint64_t *sp,
                   uint16_t *ss, unsigned ext)
{
    const struct x86_seg *tr = &cpu->tr;
    unsigned type = tr->attr & 0xf;
    uint16_t err = (tr->sel & 0xfffc) | ext;

    if (cpu->efer & X86_EFER_LMA) {
        uint32_t off = 4 + 8 * pl;
        if (off + 7 > tr->limit) {
            x86_raise(cpu, X86_EXC_TS, err);
        }
        *sp = x86_read_sys(cpu, tr->base + off, 3);
        *ss = (uint16_t)pl;
    } else if (type == X86_SYS_TSS16 || type == X86_SYS_TSS16_BUSY) {
        uint32_t off = 2 + 4 * pl;
        if (off + 3 > tr->limit) {
            x86_raise(cpu, X86_EXC_TS, err);
        }
        *sp = x86_read_sys(cpu, tr->base + off, 1);
        *ss = (uint16_t)x86_read_sys(cpu, tr->base + off + 2, 1);
    } else {
        uint32_t off = 4 + 8 * pl;
        if (off + 5 > tr->limit) {
            x86_raise(cpu, X86_EXC_TS, err);
        }
        *sp = x86_read_sys(cpu, tr->base + off, 2);
        *ss = (uint16_t)x86_read_sys(cpu, tr->base + off + 4, 1);
    }
}

void x86_load_sreg(struct x86_cpu *cpu, int seg, uint16_t sel)
{
    struct x86_seg *s = &cpu->seg[seg];
    unsigned rpl = sel & 3, cpl = cpu->cpl;
    uint32_t lo, hi;

    if (real_like(cpu)) {
        x86_seg_load_real(cpu, seg, sel);
        return;
    }
    if ((sel & ~3u) == 0) {
        /* null: fine for data registers (unusable until reloaded); SS
           only in 64-bit mode below CPL 3 */
        if (seg == X86_SS &&
            (cpu->mode != X86_MODE_LONG || cpl == 3 || rpl != cpl)) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        *s = (struct x86_seg){ .sel = sel, .attr = 0 };
        if (seg == X86_SS) {
            s->attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | 3 | (cpl << 5);
            x86_cpu_update_mode(cpu);
        }
        return;
    }

    uint64_t a = desc_read(cpu, sel, &lo, &hi);
    unsigned type = (hi >> 8) & 0xf, dpl = (hi >> 13) & 3;
    bool s_bit = hi & (1u << 12), present = hi & (1u << 15);

    if (!s_bit) {
        gp_sel(cpu, sel);
    }
    if (seg == X86_SS) {
        if (rpl != cpl || dpl != cpl || (type & T_CODE) || !(type & T_RW)) {
            gp_sel(cpu, sel);
        }
        if (!present) {
            x86_raise(cpu, X86_EXC_SS, sel & 0xfffc);
        }
    } else {
        if ((type & T_CODE) && !(type & T_RW)) {
            gp_sel(cpu, sel);       /* execute-only code */
        }
        /* data and non-conforming code: DPL >= max(CPL, RPL) */
        if ((!(type & T_CODE) || !(type & T_DC)) &&
            dpl < (rpl > cpl ? rpl : cpl)) {
            gp_sel(cpu, sel);
        }
        if (!present) {
            x86_raise(cpu, X86_EXC_NP, sel & 0xfffc);
        }
    }
    set_accessed(cpu, a, hi);
    desc_to_seg(s, sel, lo, hi | (T_ACCESSED << 8));
    if (seg == X86_SS) {
        x86_cpu_update_mode(cpu);
    }
}

/* ---- far pointer loads, ARPL, BOUND ------------------------------------- */

/* C4 LES, C5 LDS (not in 64-bit mode), 0F B2 LSS, 0F B4 LFS, 0F B5 LGS:
   Gv = offset, sreg = selector of the m16:16/32/64 operand */
void x86_op_lfp(struct x86_cpu *cpu, const struct x86_insn *in)
{
    int seg;

    if (in->mod == 3) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    switch (in->op) {
    case 0xc4: seg = X86_ES; break;
    case 0xc5: seg = X86_DS; break;
    case 0x1b2: seg = X86_SS; break;
    case 0x1b4: seg = X86_FS; break;
    default: seg = X86_GS; break;
    }
    uint64_t ea = x86_ea(cpu, in);
    uint64_t off = x86_read_seg(cpu, in->seg, ea, in->opsz);
    uint16_t sel = (uint16_t)x86_read_seg(
        cpu, in->seg, (ea + (1u << in->opsz)) & x86_admask(in), 1);
    x86_load_sreg(cpu, seg, sel);
    x86_reg_set(cpu, in, in->reg, in->opsz, off);
    if (seg == X86_SS) {
        cpu->shadow_icount = cpu->icount + 1;
    }
}

/* 63 outside 64-bit mode: ARPL Ew,Gw (#UD in real and V86 mode) */
void x86_op_arpl(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (real_like(cpu)) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    uint64_t f = x86_flags(cpu) & ~(uint64_t)X86_ZF;
    uint16_t d = (uint16_t)x86_rm_read(cpu, in, 1);
    uint16_t s = (uint16_t)x86_reg_get(cpu, in, in->reg, 1);
    if ((d & 3) < (s & 3)) {
        x86_rm_write(cpu, in, 1, (d & ~3u) | (s & 3));
        f |= X86_ZF;
    }
    x86_set_status(cpu, f);
}

/* 62: BOUND Gv,Ma - #BR unless lower <= index <= upper (signed) */
void x86_op_bound(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (in->mod == 3) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    unsigned sz = in->opsz;
    uint64_t ea = x86_ea(cpu, in);
    int64_t lo = x86_sext(x86_read_seg(cpu, in->seg, ea, sz), sz);
    int64_t hi = x86_sext(x86_read_seg(cpu, in->seg,
                                       (ea + (1u << sz)) & x86_admask(in),
                                       sz), sz);
    int64_t idx = x86_sext(x86_reg_get(cpu, in, in->reg, sz), sz);
    if (idx < lo || idx > hi) {
        x86_raise_noerr(cpu, X86_EXC_BR);
    }
}

/* ---- LDTR and TR ----------------------------------------------------------- */

/* Load LDTR (type 2) or TR (available TSS, type 9 or 1) from sel. */
static void load_system(struct x86_cpu *cpu, struct x86_seg *s, uint16_t sel,
                        bool tss)
{
    uint32_t lo, hi;

    if ((sel & ~3u) == 0) {
        if (tss) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        *s = (struct x86_seg){ .sel = sel };
        return;
    }
    if (sel & 4) {
        gp_sel(cpu, sel);           /* must be in the GDT */
    }
    uint64_t a = desc_read(cpu, sel, &lo, &hi);
    unsigned type = (hi >> 8) & 0x1f;   /* with S */
    bool ok = tss ? (type == 9 || (type == 1 && !(cpu->efer & X86_EFER_LMA)))
                  : type == 2;
    if (!ok) {
        gp_sel(cpu, sel);
    }
    if (!(hi & (1u << 15))) {
        x86_raise(cpu, X86_EXC_NP, sel & 0xfffc);
    }
    desc_to_seg(s, sel, lo, hi);
    if (cpu->efer & X86_EFER_LMA) {
        /* 16-byte system descriptor: base bits 63:32 follow */
        s->base |= x86_read_sys(cpu, a + 8, 2) << 32;
    }
    if (tss) {
        /* mark busy */
        x86_write_sys(cpu, a + 5, 0, (uint8_t)((hi >> 8) | 2));
        s->attr |= 2;
    }
}

/* ---- LAR, LSL, VERR, VERW -------------------------------------------------- */

/* Fetch the descriptor of sel without faulting; false if there is none. */
static bool desc_peek(struct x86_cpu *cpu, uint16_t sel, uint32_t *lo,
                      uint32_t *hi)
{
    uint64_t base = (sel & 4) ? cpu->ldtr.base : cpu->gdtr_base;
    uint32_t limit = (sel & 4) ? cpu->ldtr.limit : cpu->gdtr_limit;

    if ((sel & ~3u) == 0 || (uint32_t)(sel & ~7u) + 7 > limit ||
        ((sel & 4) && !(cpu->ldtr.attr & X86_SEG_P))) {
        return false;
    }
    uint64_t a = base + (sel & ~7u);
    if (cpu->mode != X86_MODE_LONG) {
        a = (uint32_t)a;
    }
    *lo = (uint32_t)x86_read_sys(cpu, a, 2);
    *hi = (uint32_t)x86_read_sys(cpu, a + 4, 2);
    return true;
}

/*
 * The visibility test shared by LAR/LSL/VERR/VERW: kind 0 LAR, 1 LSL,
 * 2 VERR, 3 VERW.  Sets ZF and returns whether the selector passed.
 */
static bool sel_visible(struct x86_cpu *cpu, uint16_t sel, int kind,
                        uint32_t *lo, uint32_t *hi)
{
    bool ok = desc_peek(cpu, sel, lo, hi);
    bool lm = (cpu->efer & X86_EFER_LMA) != 0;

    if (ok) {
        unsigned type = (*hi >> 8) & 0x1f, dpl = (*hi >> 13) & 3;
        unsigned rpl = sel & 3;
        bool conforming = (type & 0x1c) == 0x1c;
        if (type & 0x10) {
            if (kind == 2) {
                ok = !(type & 8) || (type & 2);     /* readable */
            } else if (kind == 3) {
                ok = !(type & 8) && (type & 2);     /* writable data */
            }
        } else {
            /* system descriptors: LDT and TSSs for both; gates for LAR */
            static const uint16_t lar32 = 0x1a3e, lsl32 = 0x0a0e;
            static const uint16_t lar64 = 0x1a04, lsl64 = 0x0a04;
            uint16_t mask = kind == 0 ? (lm ? lar64 : lar32)
                          : kind == 1 ? (lm ? lsl64 : lsl32) : 0;
            ok = (mask >> type) & 1;
        }
        if (ok && !conforming && (dpl < cpu->cpl || dpl < rpl)) {
            ok = false;
        }
    }
    uint64_t f = x86_flags(cpu) & ~(uint64_t)X86_ZF;
    x86_set_status(cpu, f | (ok ? X86_ZF : 0));
    return ok;
}

/* 0F 02: LAR Gv,Ew; 0F 03: LSL Gv,Ew */
void x86_op_lar_lsl(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint32_t lo, hi;

    if (real_like(cpu)) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    uint16_t sel = (uint16_t)x86_rm_read(cpu, in, 1);
    bool lsl = in->op == 0x103;
    if (!sel_visible(cpu, sel, lsl, &lo, &hi)) {
        return;
    }
    uint64_t v;
    if (lsl) {
        v = (lo & 0xffff) | (hi & 0xf0000);
        if (hi & (1u << 23)) {
            v = (v << 12) | 0xfff;
        }
    } else {
        v = hi & 0x00ffff00;
    }
    x86_reg_set(cpu, in, in->reg, in->opsz, v);
}

/* 0F 00: group 6 - SLDT, STR, LLDT, LTR, VERR, VERW */
void x86_op_grp6(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned r = in->reg & 7;

    if (real_like(cpu)) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    switch (r) {
    case 0:
    case 1: {
        uint16_t v = r == 0 ? cpu->ldtr.sel : cpu->tr.sel;
        if (in->mod == 3) {
            x86_reg_set(cpu, in, in->rm, in->opsz, v);
        } else {
            x86_rm_write(cpu, in, 1, v);
        }
        break;
    }
    case 2:
    case 3: {
        uint16_t sel = (uint16_t)x86_rm_read(cpu, in, 1);
        if (cpu->cpl != 0) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        load_system(cpu, r == 2 ? &cpu->ldtr : &cpu->tr, sel, r == 3);
        break;
    }
    case 4:
    case 5: {
        uint32_t lo, hi;
        sel_visible(cpu, (uint16_t)x86_rm_read(cpu, in, 1), r - 2, &lo, &hi);
        break;
    }
    default:
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
}
