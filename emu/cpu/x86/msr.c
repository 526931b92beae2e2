/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * msr.c - MSRs that come with the CPU model: the MTRRs (present with
 * CPUID.01H:EDX.MTRR; reserved bits and invalid memory types #GP),
 * machine-check architecture (with MCE and MCA: MCG_CAP announces 10 banks
 * and MCG_CTL as QEMU does), IA32_MISC_ENABLE (fast strings on, as QEMU
 * reports), the microcode revision (QEMU's values per vendor) and, on
 * AMD models with MTRRs, SYSCFG with its MTRR bits (Linux reads it
 * unguarded while it reads the MTRRs).  Memory
 * types change nothing for a software CPU; the registers only keep what
 * firmware and kernels write.  Unknown MSRs are left to the caller, which
 * raises #GP as real hardware does (QEMU's TCG reads 0 there instead).
 * Reference: Intel SDM vol. 3A 11.11.1-11.11.3 (MTRR MSRs), 15.3 (MCA
 * MSRs); vol. 4 table 2-2 (architectural MSRs); AMD BKDG for family 0Fh
 * processors, "SYSCFG".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* struct x86_cpu, x86_raise */

enum {
    MSR_UCODE_REV = 0x8b, MSR_MTRRCAP = 0xfe, MSR_MCG_CAP = 0x179,
    MSR_MCG_STATUS = 0x17a, MSR_MCG_CTL = 0x17b, MSR_MISC_ENABLE = 0x1a0,
    MSR_MTRR_PHYS_FIRST = 0x200, MSR_MTRR_FIX64K = 0x250,
    MSR_MTRR_FIX16K_80000 = 0x258, MSR_MTRR_FIX16K_A0000 = 0x259,
    MSR_MTRR_FIX4K_FIRST = 0x268, MSR_MTRR_DEFTYPE = 0x2ff,
    MSR_MC0_CTL = 0x400, MSR_AMD_SYSCFG = 0xc0010010,
};

/* SYSCFG bits 18-22: MtrrFixDramEn, MtrrFixDramModEn, MtrrVarDramEn,
   MtrrTom2En, Tom2ForceMemTypeWB (AMD BKDG for family 0Fh, SYSCFG) */
#define SYSCFG_MTRR_BITS 0x7c0000ull

#define MTRRCAP_FIX (1u << 8)
#define MTRRCAP_WC (1u << 10)
#define MCG_CTL_P (1u << 8)
#define MCG_SER_P (1u << 24)
#define MCG_CAP (MCG_CTL_P | MCG_SER_P | X86_MCE_BANKS)

void x86_msr_reset(struct x86_cpu *cpu)
{
    struct x86_msr_ext *m = &cpu->msr;

    memset(m, 0, sizeof(*m));
    m->misc_enable = 1;             /* fast-string operations enabled */
    m->mcg_ctl = ~0ull;
    for (int i = 0; i < X86_MCE_BANKS; i++) {
        m->mc_bank[4 * i] = ~0ull;  /* every error reporting enabled */
    }
}

/* Physical-address bits (CPUID 80000008H). */
static unsigned phys_bits(struct x86_cpu *cpu)
{
    uint32_t r[4];
    x86_cpuid_query(cpu, 0x80000008, 0, r);
    return r[0] >= 0x80000000 || !(r[0] & 0xff) ? 36 : r[0] & 0xff;
}

static bool mem_type_ok(unsigned t)
{
    return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

/* The fixed-range MTRR index of msr, or -1. */
static int fixed_index(uint32_t msr)
{
    if (msr == MSR_MTRR_FIX64K) {
        return 0;
    }
    if (msr == MSR_MTRR_FIX16K_80000 || msr == MSR_MTRR_FIX16K_A0000) {
        return 1 + (int)(msr - MSR_MTRR_FIX16K_80000);
    }
    if (msr >= MSR_MTRR_FIX4K_FIRST && msr < MSR_MTRR_FIX4K_FIRST + 8) {
        return 3 + (int)(msr - MSR_MTRR_FIX4K_FIRST);
    }
    return -1;
}

static bool is_mtrr(uint32_t msr)
{
    return msr == MSR_MTRRCAP || msr == MSR_MTRR_DEFTYPE ||
           fixed_index(msr) >= 0 ||
           (msr >= MSR_MTRR_PHYS_FIRST &&
            msr < MSR_MTRR_PHYS_FIRST + 2 * X86_MTRR_VCNT);
}

static bool is_mce(uint32_t msr)
{
    return msr == MSR_MCG_CAP || msr == MSR_MCG_STATUS ||
           msr == MSR_MCG_CTL ||
           (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * X86_MCE_BANKS);
}

static bool have_syscfg(struct x86_cpu *cpu)
{
    return x86_feat(&cpu->id, X86_FEAT_MTRR) &&
           !strcmp(cpu->id.vendor, "AuthenticAMD");
}

static bool have_mca(struct x86_cpu *cpu)
{
    return x86_feat(&cpu->id, X86_FEAT_MCE) && x86_feat(&cpu->id, X86_FEAT_MCA);
}

bool x86_msr_read_ext(struct x86_cpu *cpu, uint32_t msr, uint64_t *v)
{
    struct x86_msr_ext *m = &cpu->msr;
    int i;

    if (is_mtrr(msr)) {
        if (!x86_feat(&cpu->id, X86_FEAT_MTRR)) {
            return false;
        }
        if (msr == MSR_MTRRCAP) {
            *v = X86_MTRR_VCNT | MTRRCAP_FIX | MTRRCAP_WC;
        } else if (msr == MSR_MTRR_DEFTYPE) {
            *v = m->mtrr_deftype;
        } else if ((i = fixed_index(msr)) >= 0) {
            *v = m->mtrr_fixed[i];
        } else {
            *v = m->mtrr_var[msr - MSR_MTRR_PHYS_FIRST];
        }
        return true;
    }
    if (is_mce(msr)) {
        if (!have_mca(cpu)) {
            return false;
        }
        switch (msr) {
        case MSR_MCG_CAP: *v = MCG_CAP; break;
        case MSR_MCG_STATUS: *v = m->mcg_status; break;
        case MSR_MCG_CTL: *v = m->mcg_ctl; break;
        default: *v = m->mc_bank[msr - MSR_MC0_CTL]; break;
        }
        return true;
    }
    switch (msr) {
    case MSR_AMD_SYSCFG:
        *v = m->syscfg;
        return have_syscfg(cpu);
    case MSR_MISC_ENABLE:
        *v = m->misc_enable;
        return true;
    case MSR_UCODE_REV:
        *v = !strcmp(cpu->id.vendor, "AuthenticAMD") ? 0x01000065ull
                                                     : 0x100000000ull;
        return true;
    default:
        return false;
    }
}

/* A variable-range PhysBase (even) or PhysMask (odd) value. */
static bool var_ok(struct x86_cpu *cpu, unsigned idx, uint64_t v)
{
    uint64_t above = ~0ull << phys_bits(cpu);

    if (idx & 1) {
        return !(v & (above | 0x7ff));
    }
    return !(v & (above | 0xf00)) && mem_type_ok(v & 0xff);
}

bool x86_msr_write_ext(struct x86_cpu *cpu, uint32_t msr, uint64_t v)
{
    struct x86_msr_ext *m = &cpu->msr;
    int i;

    if (is_mtrr(msr)) {
        if (!x86_feat(&cpu->id, X86_FEAT_MTRR)) {
            return false;
        }
        if (msr == MSR_MTRRCAP) {
            x86_raise(cpu, X86_EXC_GP, 0);          /* read-only */
        } else if (msr == MSR_MTRR_DEFTYPE) {
            if ((v & ~0xcffull) || !mem_type_ok(v & 0xff)) {
                x86_raise(cpu, X86_EXC_GP, 0);
            }
            m->mtrr_deftype = v;
        } else if ((i = fixed_index(msr)) >= 0) {
            for (int b = 0; b < 8; b++) {
                if (!mem_type_ok((v >> (8 * b)) & 0xff)) {
                    x86_raise(cpu, X86_EXC_GP, 0);
                }
            }
            m->mtrr_fixed[i] = v;
        } else {
            unsigned idx = msr - MSR_MTRR_PHYS_FIRST;
            if (!var_ok(cpu, idx, v)) {
                x86_raise(cpu, X86_EXC_GP, 0);
            }
            m->mtrr_var[idx] = v;
        }
        return true;
    }
    if (is_mce(msr)) {
        if (!have_mca(cpu)) {
            return false;
        }
        switch (msr) {
        case MSR_MCG_CAP:
            x86_raise(cpu, X86_EXC_GP, 0);          /* read-only */
        case MSR_MCG_STATUS:
            if (v & ~7ull) {                        /* RIPV, EIPV, MCIP */
                x86_raise(cpu, X86_EXC_GP, 0);
            }
            m->mcg_status = v;
            break;
        case MSR_MCG_CTL:
            /* all or nothing (SDM 15.3.1.3) */
            if (v != 0 && v != ~0ull) {
                x86_raise(cpu, X86_EXC_GP, 0);
            }
            m->mcg_ctl = v;
            break;
        default: {
            unsigned idx = msr - MSR_MC0_CTL;
            /* software may only clear a status register (SDM 15.3.2.2) */
            if ((idx & 3) == 1 && v != 0) {
                x86_raise(cpu, X86_EXC_GP, 0);
            }
            m->mc_bank[idx] = v;
            break;
        }
        }
        return true;
    }
    switch (msr) {
    case MSR_AMD_SYSCFG:
        if (!have_syscfg(cpu)) {
            return false;
        }
        if (v & ~SYSCFG_MTRR_BITS) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        m->syscfg = v;
        return true;
    case MSR_MISC_ENABLE:
        m->misc_enable = v;
        return true;
    case MSR_UCODE_REV:
        return true;        /* writing 0 before CPUID is how it is read */
    default:
        return false;
    }
}
