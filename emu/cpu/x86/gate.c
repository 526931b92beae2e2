/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gate.c - far control transfers of the soft x86 CPU outside real mode:
 * far JMP/CALL to code segments (conforming and non-conforming), through
 * call gates (16/32-bit gates in protected mode with the inner-stack switch
 * and parameter copy, 64-bit gates in long mode), to task gates and TSSs
 * (handed to task.c), and far RET to the same or an outer privilege level
 * (with SS:ESP popped and data segment registers that the outer level may
 * not use nulled).
 * Reference: Intel SDM vol. 3A 5.8 (calling procedures through call gates,
 * 5.8.5 stack switching, 5.8.6 returning), 7.3 (task switching); vol. 2
 * "CALL", "JMP", "RET" operation sections.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/prot.h"       /* descriptors, stacks, task switch */

static bool real_like(const struct x86_cpu *cpu)
{
    return cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_V86;
}

static NORETURN void gp_sel(struct x86_cpu *cpu, uint16_t sel)
{
    x86_raise(cpu, X86_EXC_GP, sel & 0xfffc);
}

/* The new RIP checked against the code segment limit (not for 64-bit). */
static uint64_t check_ip(struct x86_cpu *cpu, const struct x86_seg *cs,
                         uint64_t ip)
{
    bool target64 = (cpu->efer & X86_EFER_LMA) && (cs->attr & X86_SEG_L);
    if (!target64 && ip > cs->limit) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    return ip;
}

/*
 * A code segment as the direct target of a far JMP/CALL: conforming needs
 * DPL <= CPL, non-conforming RPL <= CPL and DPL == CPL; the CPL stays.
 */
static void far_to_code(struct x86_cpu *cpu, const struct x86_insn *in,
                        uint16_t sel, uint32_t lo, uint32_t hi, uint64_t a,
                        uint64_t ip, bool call)
{
    unsigned type = x86_desc_type(hi), dpl = x86_desc_dpl(hi);
    unsigned cpl = cpu->cpl;
    struct x86_seg cs;

    if (!(type & X86_T_CODE)) {
        gp_sel(cpu, sel);
    }
    if (type & X86_T_DC) {
        if (dpl > cpl) {
            gp_sel(cpu, sel);
        }
    } else if ((sel & 3u) > cpl || dpl != cpl) {
        gp_sel(cpu, sel);
    }
    if (!x86_desc_present(hi)) {
        x86_raise(cpu, X86_EXC_NP, sel & 0xfffc);
    }
    x86_desc_to_seg(&cs, (uint16_t)((sel & ~3u) | cpl), lo,
                    hi | (X86_T_ACCESSED << 8));
    ip = check_ip(cpu, &cs, ip & x86_mask(in->opsz));
    if (call) {
        x86_push(cpu, in->opsz, cpu->seg[X86_CS].sel);
        x86_push(cpu, in->opsz, cpu->rip);
    }
    x86_desc_set_accessed(cpu, a, hi);
    cpu->seg[X86_CS] = cs;
    cpu->rip = ip;
    x86_cpu_update_mode(cpu);
}

void x86_far_jump(struct x86_cpu *cpu, const struct x86_insn *in,
                  uint16_t sel, uint64_t ip, bool call, bool ret)
{
    uint32_t lo, hi;

    if (real_like(cpu)) {
        if (call) {
            x86_push(cpu, in->opsz, cpu->seg[X86_CS].sel);
            x86_push(cpu, in->opsz, cpu->rip);
        }
        x86_seg_load_real(cpu, X86_CS, sel);
        x86_jump(cpu, in, ip);
        return;
    }
    uint64_t a = x86_desc_fetch(cpu, sel, X86_EXC_GP, 0, &lo, &hi);
    if (x86_desc_s(hi)) {
        far_to_code(cpu, in, sel, lo, hi, a, ip, call);
        return;
    }

    bool lm = (cpu->efer & X86_EFER_LMA) != 0;
    unsigned type = x86_desc_type(hi), dpl = x86_desc_dpl(hi);
    unsigned rpl = sel & 3;
    switch (type) {
    case X86_SYS_CALL16:
    case X86_SYS_CALL32:
        if (lm && type == X86_SYS_CALL16) {
            gp_sel(cpu, sel);
        }
        x86_call_gate(cpu, in, sel, lo, hi, a, call);
        return;
    case X86_SYS_TASK:
    case X86_SYS_TSS16:
    case X86_SYS_TSS32:
        if (lm) {
            gp_sel(cpu, sel);
        }
        if (dpl < cpu->cpl || dpl < rpl) {
            gp_sel(cpu, sel);
        }
        if (!x86_desc_present(hi)) {
            x86_raise(cpu, X86_EXC_NP, sel & 0xfffc);
        }
        if (type == X86_SYS_TASK) {
            x86_task_gate(cpu, lo, call ? X86_TS_CALL : X86_TS_JMP,
                          cpu->rip, false, 0, 0);
        } else {
            x86_task_switch(cpu, sel, call ? X86_TS_CALL : X86_TS_JMP,
                            cpu->rip, false, 0, 0);
        }
        return;
    default:
        gp_sel(cpu, sel);
    }
}

void x86_call_gate(struct x86_cpu *cpu, const struct x86_insn *in,
                   uint16_t gsel, uint32_t lo, uint32_t hi, uint64_t a,
                   bool call)
{
    bool lm = (cpu->efer & X86_EFER_LMA) != 0;
    unsigned gtype = x86_desc_type(hi), gdpl = x86_desc_dpl(hi);
    unsigned cpl = cpu->cpl;

    if (gdpl < cpl || gdpl < (gsel & 3u)) {
        gp_sel(cpu, gsel);
    }
    if (!x86_desc_present(hi)) {
        x86_raise(cpu, X86_EXC_NP, gsel & 0xfffc);
    }
    uint16_t csel = (uint16_t)(lo >> 16);
    uint64_t ip = lo & 0xffff;
    unsigned gsz = 1;
    if (gtype == X86_SYS_CALL32) {
        ip |= hi & 0xffff0000u;
        gsz = 2;
    }
    if (lm) {
        /* the upper half of a 16-byte gate: offset 63:32, type 0 */
        uint32_t hi2 = (uint32_t)x86_read_sys(cpu, a + 8, 2);
        uint32_t hi3 = (uint32_t)x86_read_sys(cpu, a + 12, 2);
        if ((hi3 >> 8) & 0x1f) {
            gp_sel(cpu, gsel);
        }
        ip |= (uint64_t)hi2 << 32;
        gsz = 3;
    }

    /* the code segment the gate points to */
    uint32_t clo, chi;
    uint64_t ca = x86_desc_fetch(cpu, csel, X86_EXC_GP, 0, &clo, &chi);
    unsigned ctype = x86_desc_type(chi), cdpl = x86_desc_dpl(chi);
    if (!x86_desc_s(chi) || !(ctype & X86_T_CODE) || cdpl > cpl) {
        gp_sel(cpu, csel);
    }
    if (!call && !(ctype & X86_T_DC) && cdpl != cpl) {
        gp_sel(cpu, csel);
    }
    if (lm && (!(chi & (1u << 21)) || (chi & (1u << 22)))) {
        gp_sel(cpu, csel);          /* a 64-bit gate needs 64-bit code */
    }
    if (!x86_desc_present(chi)) {
        x86_raise(cpu, X86_EXC_NP, csel & 0xfffc);
    }
    unsigned newpl = (call && !(ctype & X86_T_DC)) ? cdpl : cpl;
    struct x86_seg cs;
    x86_desc_to_seg(&cs, (uint16_t)((csel & ~3u) | newpl), clo,
                    chi | (X86_T_ACCESSED << 8));
    ip = check_ip(cpu, &cs, ip);

    if (call && newpl < cpl) {
        /* SDM 5.8.5: the inner stack comes from the TSS; the caller's
           SS:ESP, then the parameters, then CS:EIP go on it */
        uint64_t nsp;
        uint16_t nss;
        x86_tss_stack(cpu, newpl, &nsp, &nss, 0);
        struct x86_newstack k;
        k.ss = x86_check_ss(cpu, nss, newpl, X86_EXC_TS, 0);
        k.size = lm ? 3 : (k.ss.attr & X86_SEG_DB) ? 2 : 1;
        k.sp = nsp & x86_mask(k.size);
        k.err = nss & 0xfffc;

        uint64_t omask = x86_mask(cpu->stack_size);
        uint64_t osp = cpu->regs[X86_RSP] & omask;
        x86_newstack_push(cpu, &k, gsz, cpu->seg[X86_SS].sel);
        x86_newstack_push(cpu, &k, gsz, cpu->regs[X86_RSP] & x86_mask(gsz));
        unsigned count = lm ? 0 : hi & 0x1f;
        for (unsigned i = count; i-- > 0;) {
            uint64_t v = x86_read_seg(cpu, X86_SS,
                                      (osp + ((uint64_t)i << gsz)) & omask,
                                      gsz);
            x86_newstack_push(cpu, &k, gsz, v);
        }
        x86_newstack_push(cpu, &k, gsz, cpu->seg[X86_CS].sel);
        x86_newstack_push(cpu, &k, gsz, cpu->rip);
        x86_desc_set_accessed(cpu, ca, chi);
        cpu->seg[X86_CS] = cs;
        cpu->seg[X86_SS] = k.ss;
        x86_cpu_update_mode(cpu);
        x86_set_rsp(cpu, k.size, k.sp);
    } else {
        if (call) {
            x86_push(cpu, gsz, cpu->seg[X86_CS].sel);
            x86_push(cpu, gsz, cpu->rip);
        }
        x86_desc_set_accessed(cpu, ca, chi);
        cpu->seg[X86_CS] = cs;
        x86_cpu_update_mode(cpu);
    }
    cpu->rip = ip;
}

/*
 * CB/CA: RETF [imm16].  The return CS may be at the same level or an
 * outer one (RPL > CPL), which also pops SS:ESP.  The stack is only
 * released once every check passed.
 */
void x86_far_return(struct x86_cpu *cpu, const struct x86_insn *in,
                    unsigned imm)
{
    unsigned sz = in->opsz, n = 1u << sz;
    uint64_t m = x86_mask(cpu->stack_size);
    uint64_t sp = cpu->regs[X86_RSP] & m;
    uint64_t ip = x86_read_seg(cpu, X86_SS, sp, sz);
    uint16_t sel = (uint16_t)x86_read_seg(cpu, X86_SS, (sp + n) & m, sz);
    uint32_t lo, hi;

    if (real_like(cpu)) {
        x86_seg_load_real(cpu, X86_CS, sel);
        x86_jump(cpu, in, ip);
        x86_set_rsp(cpu, cpu->stack_size, (sp + 2 * n + imm) & m);
        return;
    }
    unsigned rpl = sel & 3, cpl = cpu->cpl;
    uint64_t a = x86_desc_fetch(cpu, sel, X86_EXC_GP, 0, &lo, &hi);
    unsigned type = x86_desc_type(hi), dpl = x86_desc_dpl(hi);
    if (!x86_desc_s(hi) || !(type & X86_T_CODE) || rpl < cpl ||
        ((type & X86_T_DC) ? dpl > rpl : dpl != rpl)) {
        gp_sel(cpu, sel);
    }
    if (!x86_desc_present(hi)) {
        x86_raise(cpu, X86_EXC_NP, sel & 0xfffc);
    }
    struct x86_seg cs;
    x86_desc_to_seg(&cs, sel, lo, hi | (X86_T_ACCESSED << 8));
    if (!((cpu->efer & X86_EFER_LMA) && (cs.attr & X86_SEG_L))) {
        ip &= x86_mask(sz);
    }
    check_ip(cpu, &cs, ip);

    if (rpl == cpl) {
        x86_desc_set_accessed(cpu, a, hi);
        cpu->seg[X86_CS] = cs;
        cpu->rip = ip;
        x86_set_rsp(cpu, cpu->stack_size, (sp + 2 * n + imm) & m);
        x86_cpu_update_mode(cpu);
        return;
    }
    /* SDM 5.8.6: to an outer level - the caller's SS:ESP follow the
       parameters that imm releases */
    uint64_t nsp = x86_read_seg(cpu, X86_SS, (sp + 2 * n + imm) & m, sz);
    uint16_t nss = (uint16_t)x86_read_seg(cpu, X86_SS,
                                          (sp + 3 * n + imm) & m, sz);
    struct x86_seg ss = x86_check_ss(cpu, nss, rpl, X86_EXC_GP, 0);
    x86_desc_set_accessed(cpu, a, hi);
    cpu->seg[X86_CS] = cs;
    cpu->seg[X86_SS] = ss;
    cpu->rip = ip;
    x86_cpu_update_mode(cpu);
    x86_set_rsp(cpu, cpu->stack_size,
                (nsp + imm) & x86_mask(cpu->stack_size));
    x86_drop_inner_segments(cpu);
}
