/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bcd.c - decimal arithmetic adjustments DAA, DAS, AAA, AAS, AAM, AAD (not
 * in 64-bit mode), plus XLAT and the undocumented SALC.  Flags the SDM
 * leaves undefined are cleared.  Reference: Intel SDM vol. 2 "DAA", "DAS",
 * "AAA", "AAS", "AAM", "AAD", "XLAT/XLATB".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* registers, flags */

static uint64_t szp8(uint8_t v)
{
    return (v ? 0 : X86_ZF) | ((v & 0x80) ? X86_SF : 0) |
           (x86_parity[v] ? X86_PF : 0);
}

static uint8_t get_al(struct x86_cpu *cpu)
{
    return (uint8_t)cpu->regs[X86_RAX];
}

static void set_al(struct x86_cpu *cpu, uint8_t v)
{
    cpu->regs[X86_RAX] = (cpu->regs[X86_RAX] & ~0xffull) | v;
}

/* 27: DAA */
void x86_op_daa(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t f = x86_flags(cpu);
    uint8_t al = get_al(cpu), old = al;
    bool cf = false, af = false, old_cf = f & X86_CF;

    if ((al & 0xf) > 9 || (f & X86_AF)) {
        cf = old_cf || al > 0xf9;
        al += 6;
        af = true;
    }
    if (old > 0x99 || old_cf) {
        al += 0x60;
        cf = true;
    } else {
        cf = false;
    }
    set_al(cpu, al);
    x86_set_status(cpu, szp8(al) | (cf ? X86_CF : 0) | (af ? X86_AF : 0));
}

/* 2F: DAS */
void x86_op_das(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t f = x86_flags(cpu);
    uint8_t al = get_al(cpu), old = al;
    bool cf = false, af = false, old_cf = f & X86_CF;

    if ((al & 0xf) > 9 || (f & X86_AF)) {
        cf = old_cf || al < 6;
        al -= 6;
        af = true;
    }
    if (old > 0x99 || old_cf) {
        al -= 0x60;
        cf = true;
    }
    set_al(cpu, al);
    x86_set_status(cpu, szp8(al) | (cf ? X86_CF : 0) | (af ? X86_AF : 0));
}

/* 37: AAA; 3F: AAS */
void x86_op_aaa_aas(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t f = x86_flags(cpu);
    uint16_t ax = (uint16_t)cpu->regs[X86_RAX];
    bool adj = (ax & 0xf) > 9 || (f & X86_AF);

    if (adj) {
        if (in->op == 0x37) {
            ax += 0x106;
        } else {
            ax = (uint16_t)(ax - 0x106);    /* AX - 6, then AH - 1 */
        }
    }
    ax &= 0xff0f;
    cpu->regs[X86_RAX] = (cpu->regs[X86_RAX] & ~0xffffull) | ax;
    x86_set_status(cpu, szp8((uint8_t)ax) | (adj ? (X86_AF | X86_CF) : 0));
}

/* D4 Ib: AAM (#DE on a zero base) */
void x86_op_aam(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint8_t base = (uint8_t)in->imm, al = get_al(cpu);

    if (base == 0) {
        x86_raise_noerr(cpu, X86_EXC_DE);
    }
    uint8_t q = al / base, r = al % base;
    cpu->regs[X86_RAX] = (cpu->regs[X86_RAX] & ~0xffffull) | r |
                         ((uint64_t)q << 8);
    x86_set_status(cpu, szp8(r));
}

/* D5 Ib: AAD */
void x86_op_aad(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint8_t base = (uint8_t)in->imm;
    uint16_t ax = (uint16_t)cpu->regs[X86_RAX];
    uint8_t al = (uint8_t)((ax & 0xff) + (ax >> 8) * base);

    cpu->regs[X86_RAX] = (cpu->regs[X86_RAX] & ~0xffffull) | al;
    x86_set_status(cpu, szp8(al));
}

/* D6: SALC - AL = CF ? FF : 00 */
void x86_op_salc(struct x86_cpu *cpu, const struct x86_insn *in)
{
    set_al(cpu, x86_get_cf(cpu) ? 0xff : 0);
}

/* D7: XLAT - AL = seg:[rBX + AL] */
void x86_op_xlat(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t off = (cpu->regs[X86_RBX] + get_al(cpu)) & x86_admask(in);
    set_al(cpu, (uint8_t)x86_read_seg(cpu, in->seg, off, 0));
}
