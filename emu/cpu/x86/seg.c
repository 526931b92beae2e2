/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seg.c - protected-mode segmentation of the soft x86 CPU: descriptor
 * fetch from the GDT/LDT, segment register loads with their privilege and
 * type checks (#GP/#SS/#NP with the selector as error code), far JMP,
 * CALL and RET to code segments at the same privilege level, LES/LDS/LSS/
 * LFS/LGS, ARPL, BOUND, LAR, LSL, VERR, VERW and LLDT, LTR, SLDT, STR.  Call gates, task
 * switches and far transfers that change privilege stop with
 * X86_EXIT_UNIMPL for now.
 * Reference: Intel SDM vol. 3A 3.4 (segment selectors and descriptors),
 * 5.5-5.8 (privilege checks), vol. 2 "MOV", "JMP", "CALL", "RET", "LLDT",
 * "LTR".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* segments, memory, exceptions */

/* Descriptor type bits (attr[3:0] with S = 1). */
#define T_ACCESSED 0x1
#define T_RW 0x2        /* data: writable; code: readable */
#define T_DC 0x4        /* data: expand-down; code: conforming */
#define T_CODE 0x8

static bool real_like(const struct x86_cpu *cpu)
{
    return cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_V86;
}

static NORETURN void gp_sel(struct x86_cpu *cpu, uint16_t sel)
{
    x86_raise(cpu, X86_EXC_GP, sel & 0xfffc);
}

/*
 * Read the 8-byte descriptor of sel into lo and hi; returns its linear
 * address.  A selector beyond the table limit is #GP(sel).  The tables
 * are read with supervisor rights whatever the CPL (x86_read_sys).
 */
static uint64_t desc_read(struct x86_cpu *cpu, uint16_t sel, uint32_t *lo,
                          uint32_t *hi)
{
    uint64_t base;
    uint32_t limit;

    if (sel & 4) {
        if (!(cpu->ldtr.attr & X86_SEG_P)) {
            gp_sel(cpu, sel);
        }
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr_base;
        limit = cpu->gdtr_limit;
    }
    if ((uint32_t)(sel & ~7u) + 7 > limit) {
        gp_sel(cpu, sel);
    }
    uint64_t a = base + (sel & ~7u);
    if (cpu->mode != X86_MODE_LONG) {
        a = (uint32_t)a;
    }
    *lo = (uint32_t)x86_read_sys(cpu, a, 2);
    *hi = (uint32_t)x86_read_sys(cpu, a + 4, 2);
    return a;
}

/* Fill a segment cache from descriptor words. */
static void desc_to_seg(struct x86_seg *s, uint16_t sel, uint32_t lo,
                        uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);

    s->sel = sel;
    s->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
    s->attr = ((hi >> 8) & 0xff) | (((hi >> 20) & 0xf) << 8);
    s->limit = (s->attr & X86_SEG_G) ? (limit << 12) | 0xfff : limit;
}

/* Set the accessed bit of a descriptor in memory if it is clear. */
static void set_accessed(struct x86_cpu *cpu, uint64_t a, uint32_t hi)
{
    if (!(hi & (T_ACCESSED << 8))) {
        x86_write_sys(cpu, a + 5, 0, (uint8_t)((hi >> 8) | T_ACCESSED));
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

/* ---- far transfers -------------------------------------------------------- */

/*
 * Check a code segment selector as the target of a far JMP/CALL/RET at
 * the current privilege and return its cache.
 */
static void check_code(struct x86_cpu *cpu, uint16_t sel, bool ret,
                       struct x86_seg *out)
{
    unsigned rpl = sel & 3, cpl = cpu->cpl;
    uint32_t lo, hi;

    if ((sel & ~3u) == 0) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    uint64_t a = desc_read(cpu, sel, &lo, &hi);
    unsigned type = (hi >> 8) & 0xf, dpl = (hi >> 13) & 3;

    if (!(hi & (1u << 12))) {
        x86_unimpl(cpu, "call gate or task switch");
    }
    if (!(type & T_CODE)) {
        gp_sel(cpu, sel);
    }
    if (ret) {
        if (rpl < cpl || ((type & T_DC) ? dpl > rpl : dpl != rpl)) {
            gp_sel(cpu, sel);
        }
        if (rpl > cpl) {
            x86_unimpl(cpu, "far return to an outer privilege level");
        }
    } else if (type & T_DC) {
        if (dpl > cpl) {
            gp_sel(cpu, sel);
        }
    } else if (rpl > cpl || dpl != cpl) {
        gp_sel(cpu, sel);
    }
    if (!(hi & (1u << 15))) {
        x86_raise(cpu, X86_EXC_NP, sel & 0xfffc);
    }
    set_accessed(cpu, a, hi);
    desc_to_seg(out, (uint16_t)((sel & ~3u) | cpl), lo,
                hi | (T_ACCESSED << 8));
}

/* Load CS for a far transfer and jump; outside real mode with checks. */
void x86_far_jump(struct x86_cpu *cpu, const struct x86_insn *in,
                  uint16_t sel, uint64_t ip, bool call, bool ret)
{
    if (real_like(cpu)) {
        if (call) {
            x86_push(cpu, in->opsz, cpu->seg[X86_CS].sel);
            x86_push(cpu, in->opsz, cpu->rip);
        }
        x86_seg_load_real(cpu, X86_CS, sel);
        x86_jump(cpu, in, ip);
        return;
    }

    struct x86_seg cs;
    check_code(cpu, sel, ret, &cs);
    bool target64 = (cpu->efer & X86_EFER_LMA) && (cs.attr & X86_SEG_L);
    uint64_t lim_ip = ip & x86_mask(in->opsz);
    if (!target64 && lim_ip > cs.limit) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    if (call) {
        x86_push(cpu, in->opsz, cpu->seg[X86_CS].sel);
        x86_push(cpu, in->opsz, cpu->rip);
    }
    cpu->seg[X86_CS] = cs;
    cpu->rip = lim_ip;
    x86_cpu_update_mode(cpu);
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
