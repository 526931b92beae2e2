/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysenter.c - SYSENTER and SYSEXIT of the soft x86 CPU: the fast system
 * call pair that loads flat CS/SS from IA32_SYSENTER_CS (and the selectors
 * after it) and the stack and entry point from IA32_SYSENTER_ESP/EIP,
 * without descriptor table reads.
 * Reference: Intel SDM vol. 2 "SYSENTER", "SYSEXIT"; vol. 3A 5.8.7.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* registers, exceptions */

/* The fixed flat segment SYSENTER/SYSEXIT load (4 GiB, accessed). */
static struct x86_seg flat(uint16_t sel, bool code, bool l, unsigned dpl)
{
    return (struct x86_seg){
        .sel = sel, .base = 0, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_G | (dpl << 5) |
                (code ? 0xb : 0x3) | (l ? X86_SEG_L : X86_SEG_DB),
    };
}

/* 0F 34: SYSENTER - to CPL 0 at SYSENTER_CS:SYSENTER_EIP */
void x86_op_sysenter(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint16_t cs = (uint16_t)cpu->sysenter_cs;
    bool lma = (cpu->efer & X86_EFER_LMA) != 0;

    if (cpu->mode == X86_MODE_REAL || (cs & 0xfffc) == 0) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    cpu->rflags &= ~(uint64_t)(X86_VM | X86_IF | X86_RF);
    cpu->seg[X86_CS] = flat(cs & 0xfffc, true, lma, 0);
    cpu->seg[X86_SS] = flat((cs & 0xfffc) + 8, false, false, 0);
    x86_cpu_update_mode(cpu);
    if (lma) {
        cpu->regs[X86_RSP] = cpu->sysenter_esp;
        cpu->rip = cpu->sysenter_eip;
    } else {
        cpu->regs[X86_RSP] = (uint32_t)cpu->sysenter_esp;
        cpu->rip = (uint32_t)cpu->sysenter_eip;
    }
}

/* 0F 35: SYSEXIT - to CPL 3 at rDX with the stack at rCX; REX.W returns
   to 64-bit code */
void x86_op_sysexit(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint16_t cs = (uint16_t)cpu->sysenter_cs;
    bool to64 = in->rex & 8;

    if (cpu->mode == X86_MODE_REAL || (cs & 0xfffc) == 0 || cpu->cpl != 0) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    uint64_t rip = cpu->regs[X86_RDX], rsp = cpu->regs[X86_RCX];
    if (to64) {
        if ((uint64_t)((int64_t)(rip << 16) >> 16) != rip ||
            (uint64_t)((int64_t)(rsp << 16) >> 16) != rsp) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        cpu->seg[X86_CS] = flat((uint16_t)((cs + 32) | 3), true, true, 3);
        cpu->seg[X86_SS] = flat((uint16_t)((cs + 40) | 3), false, false, 3);
    } else {
        rip = (uint32_t)rip;
        rsp = (uint32_t)rsp;
        cpu->seg[X86_CS] = flat((uint16_t)((cs + 16) | 3), true, false, 3);
        cpu->seg[X86_SS] = flat((uint16_t)((cs + 24) | 3), false, false, 3);
    }
    x86_cpu_update_mode(cpu);
    cpu->regs[X86_RSP] = rsp;
    cpu->rip = rip;
}
