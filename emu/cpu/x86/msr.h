/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * msr.h - the model-specific registers that come with the CPU model
 * (msr.c): MTRRs (and AMD's SYSCFG), machine-check architecture,
 * MISC_ENABLE, the microcode revision.  The MSRs of mode and segment state live in sys.c.
 * Reference: Intel SDM vol. 3A 11.11 (MTRRs), ch. 15 (MCA); vol. 4.
 */
#ifndef HEMU_EMU_CPU_X86_MSR_H
#define HEMU_EMU_CPU_X86_MSR_H

#include "emu/osdep.h"

struct x86_cpu;

#define X86_MTRR_VCNT 8     /* variable-range MTRR pairs */
#define X86_MCE_BANKS 10    /* machine-check banks, as QEMU */

struct x86_msr_ext {
    uint64_t mtrr_deftype;
    uint64_t mtrr_fixed[11];
    uint64_t mtrr_var[2 * X86_MTRR_VCNT];   /* PhysBase, PhysMask pairs */
    uint64_t mcg_status, mcg_ctl;
    uint64_t mc_bank[4 * X86_MCE_BANKS];    /* CTL, STATUS, ADDR, MISC */
    uint64_t misc_enable;
    uint64_t syscfg;        /* AMD SYSCFG: its MTRR extension bits */
};

/* Power-on values. */
void x86_msr_reset(struct x86_cpu *cpu);
/* RDMSR/WRMSR of the MSRs above: false if msr is not one of them (the
   caller raises #GP); a write with reserved bits raises #GP itself. */
bool x86_msr_read_ext(struct x86_cpu *cpu, uint32_t msr, uint64_t *v);
bool x86_msr_write_ext(struct x86_cpu *cpu, uint32_t msr, uint64_t v);

#endif
