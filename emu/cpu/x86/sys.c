/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sys.c - system instructions of the soft x86 CPU that this slice needs
 * for paging and mode control: MOV to/from CR0/CR2/CR3/CR4/CR8 with their
 * consistency checks (#GP), group 7 (SGDT, SIDT, LGDT, LIDT, SMSW, LMSW,
 * INVLPG, SWAPGS, XGETBV/XSETBV), CLTS, INVD/WBINVD, SYSCALL/SYSRET in
 * 64-bit mode, SYSENTER/SYSEXIT and RDMSR/WRMSR (the model's MSRs in msr.c).  CR4 and EFER
 * bits exist only with their CPUID feature.
 * Reference: Intel SDM vol. 2 "MOV-Move to/from Control Registers",
 * "LGDT/LIDT", "INVLPG", "RDMSR", "WRMSR"; vol. 3A 2.5 (control
 * registers), 9.8.5 (initializing IA-32e mode); vol. 4 (MSRs).
 */
#include "emu/osdep.h"

#include <time.h>           /* TSC MSR */

#include "emu/cpu/x86/internal.h"   /* registers, memory, exceptions */
#include "emu/cpu/x86/xsave.h"      /* XGETBV/XSETBV in group 7 */

static void need_cpl0(struct x86_cpu *cpu)
{
    if (cpu->mode != X86_MODE_REAL && cpu->cpl != 0) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
}

/* ---- control registers ----------------------------------------------- */

/* CR4 bits this CPU accepts: PCE always, the others when the model has
   their feature (SDM vol. 3A 2.5: setting an unsupported bit is #GP). */
static uint64_t cr4_ok(struct x86_cpu *cpu)
{
    static const struct { uint32_t bit; unsigned feat; } need[] = {
        { 1u << 2, X86_FEAT_TSC }, { 1u << 3, X86_FEAT_DE },
        { X86_CR4_PSE, X86_FEAT_PSE }, { X86_CR4_PAE, X86_FEAT_PAE },
        { 1u << 6, X86_FEAT_MCE }, { X86_CR4_PGE, X86_FEAT_PGE },
        { X86_CR4_OSFXSR, X86_FEAT_FXSR },
        { X86_CR4_OSXMMEXCPT, X86_FEAT_SSE },
        { X86_CR4_OSXSAVE, X86_FEAT_XSAVE },
    };
    uint64_t ok = X86_CR4_PCE;

    for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
        if (x86_feat(&cpu->id, need[i].feat)) {
            ok |= need[i].bit;
        }
    }
    return ok;
}

void x86_write_cr0(struct x86_cpu *cpu, uint64_t v)
{
    uint64_t old = cpu->cr0;

    if (v >> 32) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    if (((v & X86_CR0_PG) && !(v & X86_CR0_PE)) ||
        ((v & X86_CR0_NW) && !(v & X86_CR0_CD))) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    if ((v & X86_CR0_PG) && !(old & X86_CR0_PG) &&
        (cpu->efer & X86_EFER_LME) && !(cpu->cr4 & X86_CR4_PAE)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    if (!(v & X86_CR0_PG) && cpu->mode == X86_MODE_LONG) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    cpu->cr0 = v | X86_CR0_ET;
    /* IA-32e mode becomes active with paging while LME is set */
    if ((cpu->cr0 & X86_CR0_PG) && (cpu->efer & X86_EFER_LME)) {
        cpu->efer |= X86_EFER_LMA;
    } else {
        cpu->efer &= ~(uint64_t)X86_EFER_LMA;
    }
    if ((old ^ cpu->cr0) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE)) {
        x86_tlb_flush(cpu);
    }
    x86_cpu_update_mode(cpu);
}

static void write_cr4(struct x86_cpu *cpu, uint64_t v)
{
    if ((v & ~cr4_ok(cpu)) ||
        ((cpu->efer & X86_EFER_LMA) && !(v & X86_CR4_PAE))) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    if ((cpu->cr4 ^ v) & (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE)) {
        x86_tlb_flush(cpu);
    }
    cpu->cr4 = v;
}

/* 0F 20: MOV r,CRn; 0F 22: MOV CRn,r (the ModRM is always registers) */
/* 0F 21 / 0F 23: MOV from/to DR0-DR7 (SDM vol. 3B 18.2).  The registers
   are kept with their fixed bits; breakpoints are not raised yet. */
void x86_op_mov_dr(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = cpu->mode == X86_MODE_LONG ? 3 : 2, dr = in->reg;
    uint64_t v;

    if (dr >= 8 || ((dr == 4 || dr == 5) && (cpu->cr4 & (1u << 3)))) {
        x86_raise_noerr(cpu, X86_EXC_UD);       /* DR4/5 with CR4.DE */
    }
    if (cpu->mode == X86_MODE_V86) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    need_cpl0(cpu);
    if (dr == 4 || dr == 5) {
        dr += 2;
    }
    if (in->op == 0x121) {
        x86_reg_set(cpu, in, in->rm, sz, cpu->dr[dr]);
        return;
    }
    v = cpu->regs[in->rm] & x86_mask(sz);
    if (dr >= 6 && (v >> 32)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    if (dr == 6) {
        v = (v & 0xe00f) | 0xffff0ff0;
    } else if (dr == 7) {
        v = (v & ~0xd800ull) | 0x400;
    }
    cpu->dr[dr] = v;
}

void x86_op_mov_cr(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = cpu->mode == X86_MODE_LONG ? 3 : 2, cr = in->reg;
    uint64_t v;

    if (cr != 0 && cr != 2 && cr != 3 && cr != 4 && cr != 8) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (cpu->mode == X86_MODE_V86) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    need_cpl0(cpu);
    if (in->op == 0x120) {
        switch (cr) {
        case 0: v = cpu->cr0; break;
        case 2: v = cpu->cr2; break;
        case 3: v = cpu->cr3; break;
        case 4: v = cpu->cr4; break;
        default: v = cpu->cr8; break;
        }
        x86_reg_set(cpu, in, in->rm, sz, v);
        return;
    }
    v = cpu->regs[in->rm] & x86_mask(sz);
    switch (cr) {
    case 0:
        x86_write_cr0(cpu, v);
        break;
    case 2:
        cpu->cr2 = v;
        break;
    case 3:
        cpu->cr3 = v;
        x86_tlb_drop(cpu, true);    /* global pages stay (SDM 4.10.4.1) */
        break;
    case 4:
        write_cr4(cpu, v);
        break;
    default:
        if (v >> 4) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        cpu->cr8 = v;
        break;
    }
}

/* 0F 06: CLTS */
void x86_op_clts(struct x86_cpu *cpu, const struct x86_insn *in)
{
    need_cpl0(cpu);
    cpu->cr0 &= ~(uint64_t)X86_CR0_TS;
}

/* 0F 08: INVD, 0F 09: WBINVD - there are no caches to write back */
void x86_op_invd(struct x86_cpu *cpu, const struct x86_insn *in)
{
    need_cpl0(cpu);
}

/* ---- group 7 ------------------------------------------------------------ */

/* SGDT/SIDT/LGDT/LIDT operand: limit16 then a 24-, 32- or 64-bit base. */
static void table_reg(struct x86_cpu *cpu, const struct x86_insn *in,
                      bool load, uint64_t *base, uint16_t *limit)
{
    uint64_t ea = x86_ea(cpu, in), am = x86_admask(in);
    unsigned bsz = cpu->mode == X86_MODE_LONG ? 3 : 2;

    if (load) {
        uint16_t l = (uint16_t)x86_read_seg(cpu, in->seg, ea, 1);
        uint64_t b = x86_read_seg(cpu, in->seg, (ea + 2) & am, bsz);
        if (in->opsz == 1 && bsz == 2) {
            b &= 0xffffff;
        }
        *limit = l;
        *base = b;
    } else {
        x86_write_seg(cpu, in->seg, ea, 1, *limit);
        x86_write_seg(cpu, in->seg, (ea + 2) & am, bsz, *base);
    }
}

/* The linear address INVLPG names: the segment's base plus the effective
   address, wrapped to 32 bits outside 64-bit mode. */
static uint64_t invlpg_lin(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t ea = x86_ea(cpu, in) & x86_admask(in);
    if (cpu->mode == X86_MODE_LONG) {
        return ea + (in->seg >= X86_FS ? cpu->seg[in->seg].base : 0);
    }
    return (uint32_t)(cpu->seg[in->seg].base + ea);
}

/* 0F 01: group 7 (memory forms, SMSW/LMSW and SWAPGS; the other register
   forms come later) */
void x86_op_grp7(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned r = in->reg & 7;

    if (in->mod == 3 && r == 7 && (in->rm & 7) == 1) {
        x86_op_rdtscp(cpu, in);
        return;
    }
    if (in->mod == 3 && r == 7 && (in->rm & 7) == 0 &&
        cpu->mode == X86_MODE_LONG) {
        /* SWAPGS */
        need_cpl0(cpu);
        uint64_t t = cpu->seg[X86_GS].base;
        cpu->seg[X86_GS].base = cpu->kernel_gs_base;
        cpu->kernel_gs_base = t;
        return;
    }
    if (in->mod == 3 && r == 2 && (in->rm & 7) <= 1 && !in->rep &&
        !in->opsz_prefix && x86_feat(&cpu->id, X86_FEAT_XSAVE)) {
        ((in->rm & 7) ? x86_xsetbv : x86_xgetbv)(cpu, in);
        return;
    }
    if (in->mod == 3 && r != 4 && r != 6) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    switch (r) {
    case 0:
        table_reg(cpu, in, false, &cpu->gdtr_base, &cpu->gdtr_limit);
        break;
    case 1:
        table_reg(cpu, in, false, &cpu->idtr_base, &cpu->idtr_limit);
        break;
    case 2:
        need_cpl0(cpu);
        table_reg(cpu, in, true, &cpu->gdtr_base, &cpu->gdtr_limit);
        break;
    case 3:
        need_cpl0(cpu);
        table_reg(cpu, in, true, &cpu->idtr_base, &cpu->idtr_limit);
        break;
    case 4:     /* SMSW: a register gets the operand size, memory 16 bits */
        if (in->mod == 3) {
            x86_reg_set(cpu, in, in->rm, in->opsz, cpu->cr0);
        } else {
            x86_rm_write(cpu, in, 1, cpu->cr0);
        }
        break;
    case 6: {   /* LMSW: PE can be set but not cleared */
        need_cpl0(cpu);
        uint64_t v = x86_rm_read(cpu, in, 1) & 0xf;
        uint64_t keep = cpu->cr0 & ~(uint64_t)0xe;
        x86_write_cr0(cpu, keep | v);
        break;
    }
    case 7:     /* INVLPG: no limit checks, nothing to fault on */
        need_cpl0(cpu);
        x86_tlb_invlpg(cpu, invlpg_lin(cpu, in));
        break;
    default:
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
}

/* ---- SYSCALL/SYSRET (64-bit mode) ----------------------------------------- */

static struct x86_seg flat_seg(uint16_t sel, bool code, bool l, unsigned dpl)
{
    return (struct x86_seg){
        .sel = sel, .base = 0, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_G | (dpl << 5) |
                (code ? 0xb : 0x3) |
                (l ? X86_SEG_L : X86_SEG_DB),
    };
}

/* 0F 05: SYSCALL - CS/SS from STAR[47:32], RIP from LSTAR, RFLAGS masked
   by SFMASK; RCX and R11 keep RIP and RFLAGS */
void x86_op_syscall(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!(cpu->efer & X86_EFER_SCE) || cpu->mode != X86_MODE_LONG) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    uint16_t sel = (uint16_t)(cpu->star >> 32);
    uint64_t fl = x86_cpu_get_rflags(cpu) & ~(uint64_t)X86_RF;

    cpu->regs[X86_RCX] = cpu->rip;
    cpu->regs[X86_R11] = fl;
    x86_cpu_set_rflags(cpu, fl & ~cpu->sfmask);
    cpu->seg[X86_CS] = flat_seg(sel & 0xfffc, true, true, 0);
    cpu->seg[X86_SS] = flat_seg((sel + 8) & 0xfffc, false, false, 0);
    cpu->rip = cpu->lstar;
    x86_cpu_update_mode(cpu);
}

/* 0F 07: SYSRET - back to CPL 3, 64-bit with REX.W, else compatibility */
void x86_op_sysret(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (!(cpu->efer & X86_EFER_SCE) || cpu->mode != X86_MODE_LONG) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (cpu->cpl != 0) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    uint16_t sel = (uint16_t)(cpu->star >> 48);
    bool to64 = in->rex & 8;
    uint64_t rip = cpu->regs[X86_RCX];

    if (to64 && (uint64_t)((int64_t)(rip << 16) >> 16) != rip) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    x86_cpu_set_rflags(cpu, (cpu->regs[X86_R11] & 0x3c7fd7) | 2);
    cpu->seg[X86_CS] = flat_seg((uint16_t)((to64 ? sel + 16 : sel) | 3), true,
                                to64, 3);
    cpu->seg[X86_SS] = flat_seg((uint16_t)((sel + 8) | 3), false, false, 3);
    cpu->rip = to64 ? rip : (uint32_t)rip;
    x86_cpu_update_mode(cpu);
}

/* ---- SYSENTER/SYSEXIT -------------------------------------------------- */

static bool canonical(uint64_t v)
{
    return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* What both check: protected mode, a SYSENTER_CS, and on AMD not long
   mode (AMD APM vol. 3 "SYSENTER": #UD in long mode). */
static void sysenter_check(struct x86_cpu *cpu)
{
    if ((cpu->efer & X86_EFER_LMA) &&
        !strcmp(cpu->id.vendor, "AuthenticAMD")) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (cpu->mode == X86_MODE_REAL || !(cpu->sysenter_cs & 0xfffc)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
}

/* 0F 34: SYSENTER - to CPL 0 at SYSENTER_CS:SYSENTER_EIP with flat
   segments, 64-bit code in IA-32e mode (SDM vol. 2B "SYSENTER") */
void x86_op_sysenter(struct x86_cpu *cpu, const struct x86_insn *in)
{
    sysenter_check(cpu);
    bool lm = cpu->efer & X86_EFER_LMA;
    uint16_t sel = (uint16_t)(cpu->sysenter_cs & 0xfffc);

    x86_cpu_set_rflags(cpu, x86_cpu_get_rflags(cpu) &
                            ~(uint64_t)(X86_VM | X86_IF | X86_RF));
    cpu->seg[X86_CS] = flat_seg(sel, true, lm, 0);
    cpu->seg[X86_SS] = flat_seg((uint16_t)(sel + 8), false, false, 0);
    cpu->regs[X86_RSP] = lm ? cpu->sysenter_esp : (uint32_t)cpu->sysenter_esp;
    cpu->rip = lm ? cpu->sysenter_eip : (uint32_t)cpu->sysenter_eip;
    x86_cpu_update_mode(cpu);
}

/* 0F 35: SYSEXIT - back to CPL 3 at CS = SYSENTER_CS + 16 (+ 32 with
   REX.W, 64-bit code), EIP = EDX, ESP = ECX (SDM vol. 2B "SYSEXIT") */
void x86_op_sysexit(struct x86_cpu *cpu, const struct x86_insn *in)
{
    sysenter_check(cpu);
    if (cpu->cpl != 0) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    bool to64 = in->rex & 8;
    uint64_t rip = cpu->regs[X86_RDX], rsp = cpu->regs[X86_RCX];
    uint16_t sel = (uint16_t)(cpu->sysenter_cs + (to64 ? 32 : 16));

    if (to64 && (!canonical(rip) || !canonical(rsp))) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    cpu->seg[X86_CS] = flat_seg((uint16_t)(sel | 3), true, to64, 3);
    cpu->seg[X86_SS] = flat_seg((uint16_t)((sel + 8) | 3), false, false, 3);
    cpu->regs[X86_RSP] = to64 ? rsp : (uint32_t)rsp;
    cpu->rip = to64 ? rip : (uint32_t)rip;
    x86_cpu_update_mode(cpu);
}

/* ---- MSRs ---------------------------------------------------------------- */

enum {
    MSR_TSC = 0x10, MSR_APIC_BASE = 0x1b, MSR_SYSENTER_CS = 0x174,
    MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176, MSR_PAT = 0x277,
    MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081, MSR_LSTAR = 0xc0000082,
    MSR_CSTAR = 0xc0000083, MSR_SFMASK = 0xc0000084,
    MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101,
    MSR_KERNEL_GS_BASE = 0xc0000102, MSR_TSC_AUX = 0xc0000103,
    MSR_K7_PERF_FIRST = 0xc0010000,     /* PerfEvtSel0-3, PerfCtr0-3 */
    MSR_K8_INT_PENDING_MSG = 0xc0010055,
};

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* TSC_AUX exists with RDTSCP */
static void need_rdtscp(struct x86_cpu *cpu)
{
    if (!x86_feat(&cpu->id, X86_FEAT_RDTSCP)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
}


/* 0F 32: RDMSR */
void x86_op_rdmsr(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t v;

    need_cpl0(cpu);
    switch ((uint32_t)cpu->regs[X86_RCX]) {
    case MSR_TSC: v = host_ns() + cpu->tsc_offset; break;
    case MSR_APIC_BASE:
        v = cpu->bus.apic_base_get ? cpu->bus.apic_base_get(cpu->bus.opaque)
                                   : cpu->apic_base;
        break;
    case MSR_SYSENTER_CS: v = cpu->sysenter_cs; break;
    case MSR_SYSENTER_ESP: v = cpu->sysenter_esp; break;
    case MSR_SYSENTER_EIP: v = cpu->sysenter_eip; break;
    case MSR_PAT: v = cpu->pat; break;
    case MSR_EFER: v = cpu->efer; break;
    case MSR_STAR: v = cpu->star; break;
    case MSR_LSTAR: v = cpu->lstar; break;
    case MSR_CSTAR: v = cpu->cstar; break;
    case MSR_SFMASK: v = cpu->sfmask; break;
    case MSR_FS_BASE: v = cpu->seg[X86_FS].base; break;
    case MSR_GS_BASE: v = cpu->seg[X86_GS].base; break;
    case MSR_KERNEL_GS_BASE: v = cpu->kernel_gs_base; break;
    case MSR_TSC_AUX:
        need_rdtscp(cpu);
        v = cpu->tsc_aux;
        break;
    case MSR_K8_INT_PENDING_MSG: v = 0; break;  /* no C1E: nothing pending */
    default:
        if ((uint32_t)cpu->regs[X86_RCX] - MSR_K7_PERF_FIRST < 8) {
            v = cpu->perf_msr[(uint32_t)cpu->regs[X86_RCX] - MSR_K7_PERF_FIRST];
            break;
        }
        if (x86_msr_read_ext(cpu, (uint32_t)cpu->regs[X86_RCX], &v)) {
            break;
        }
        x86_log_bad_msr(cpu, false, (uint32_t)cpu->regs[X86_RCX], 0);
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    cpu->regs[X86_RAX] = (uint32_t)v;
    cpu->regs[X86_RDX] = v >> 32;
}

/* 0F 33: RDPMC - the four legacy AMD counters (PerfCtr0-3), readable
 * outside ring 0 only with CR4.PCE (AMD APM vol. 3, RDPMC). */
void x86_op_rdpmc(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint32_t idx = (uint32_t)cpu->regs[X86_RCX];
    if ((cpu->cpl != 0 && !(cpu->cr4 & X86_CR4_PCE)) || idx > 3) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    uint64_t v = cpu->perf_msr[4 + idx] & 0xffffffffffffULL;   /* 48 bits */
    cpu->regs[X86_RAX] = (uint32_t)v;
    cpu->regs[X86_RDX] = v >> 32;
}

/* 0F 30: WRMSR */
void x86_op_wrmsr(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t v = ((cpu->regs[X86_RDX] & 0xffffffff) << 32) |
                 (uint32_t)cpu->regs[X86_RAX];
    uint32_t msr = (uint32_t)cpu->regs[X86_RCX];

    need_cpl0(cpu);
    switch (msr) {
    case MSR_TSC:
        cpu->tsc_offset = v - host_ns();
        break;
    case MSR_APIC_BASE:
        /* the local APIC comes with the platform, which checks the bits */
        if (cpu->bus.apic_base_set) {
            if (!cpu->bus.apic_base_set(cpu->bus.opaque, v)) {
                x86_raise(cpu, X86_EXC_GP, 0);
            }
        } else {
            cpu->apic_base = v;
        }
        break;
    case MSR_K8_INT_PENDING_MSG:
        break;
    case MSR_K7_PERF_FIRST ... MSR_K7_PERF_FIRST + 7:
        cpu->perf_msr[msr - MSR_K7_PERF_FIRST] = v;
        break;
    case MSR_SYSENTER_CS: cpu->sysenter_cs = v; break;
    case MSR_SYSENTER_ESP: cpu->sysenter_esp = v; break;
    case MSR_SYSENTER_EIP: cpu->sysenter_eip = v; break;
    case MSR_PAT:
        for (int i = 0; i < 8; i++) {
            uint8_t t = (uint8_t)(v >> (8 * i));
            if (t == 2 || t == 3 || t > 7) {
                x86_raise(cpu, X86_EXC_GP, 0);
            }
        }
        cpu->pat = v;
        break;
    case MSR_EFER: {
        /* each bit exists with its feature (SDM vol. 4 table 2-2) */
        const struct x86_cpuid *id = &cpu->id;
        uint64_t ok = (x86_feat(id, X86_FEAT_SYSCALL) ? X86_EFER_SCE : 0) |
                      (x86_feat(id, X86_FEAT_LM) ? X86_EFER_LME : 0) |
                      (x86_feat(id, X86_FEAT_NX) ? X86_EFER_NXE : 0);
        if (v & ~(ok | X86_EFER_LMA)) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        /* LME cannot change while paging is on; LMA is read-only */
        if ((cpu->cr0 & X86_CR0_PG) &&
            ((v ^ cpu->efer) & X86_EFER_LME)) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        if ((v ^ cpu->efer) & X86_EFER_NXE) {
            x86_tlb_flush(cpu);
        }
        cpu->efer = (v & ok) | (cpu->efer & X86_EFER_LMA);
        x86_cpu_update_mode(cpu);
        break;
    }
    case MSR_STAR: cpu->star = v; break;
    case MSR_LSTAR:
    case MSR_CSTAR:
    case MSR_FS_BASE:
    case MSR_GS_BASE:
    case MSR_KERNEL_GS_BASE:
        if (!canonical(v)) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        if (msr == MSR_LSTAR) {
            cpu->lstar = v;
        } else if (msr == MSR_CSTAR) {
            cpu->cstar = v;
        } else if (msr == MSR_FS_BASE) {
            cpu->seg[X86_FS].base = v;
        } else if (msr == MSR_GS_BASE) {
            cpu->seg[X86_GS].base = v;
        } else {
            cpu->kernel_gs_base = v;
        }
        break;
    case MSR_SFMASK: cpu->sfmask = (uint32_t)v; break;
    case MSR_TSC_AUX:
        need_rdtscp(cpu);
        if (v >> 32) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        cpu->tsc_aux = (uint32_t)v;
        break;
    default:
        if (x86_msr_write_ext(cpu, msr, v)) {
            break;
        }
        x86_log_bad_msr(cpu, true, msr, v);
        x86_raise(cpu, X86_EXC_GP, 0);
    }
}
