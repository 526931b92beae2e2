/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fxsave.c - FXSAVE/FXRSTOR (the 512-byte image, 32-bit and REX.W 64-bit
 * forms), the SSE/MMX availability checks (CR0.EM/TS, CR4.OSFXSR), the
 * MMX view of the x87 registers and EMMS; the legacy image is shared with
 * XSAVE (xsave.c).  References: Intel SDM vol. 2
 * "FXSAVE" tables 3-53 to 3-56, vol. 1 9.5 (MMX/x87 aliasing), 13.1-13.4
 * (SSE state and OS support), vol. 3A 2.5 (CR0), 2.6.1 (CR4).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* state, memory, exceptions */
#include "emu/cpu/x86/xsave.h"      /* the image helpers */

#define MXCSR_MASK 0xffffu          /* DAZ supported */

void x86_sse_check(struct x86_cpu *cpu, bool mmx)
{
    if (cpu->cr0 & X86_CR0_EM) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (!mmx && !(cpu->cr4 & X86_CR4_OSFXSR)) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (cpu->cr0 & X86_CR0_TS) {
        x86_raise_noerr(cpu, X86_EXC_NM);
    }
    if (mmx && (cpu->fsw & 0x80) && (cpu->cr0 & X86_CR0_NE)) {
        x86_raise_noerr(cpu, X86_EXC_MF);   /* pending x87 exception */
    }
}

/* An MMX instruction: TOP = 0 and every register valid (SDM 9.5.1). */
void x86_mmx_enter(struct x86_cpu *cpu)
{
    x86_fpu_sync(cpu);
    unsigned top = (cpu->fsw >> 11) & 7;
    if (top) {
        uint8_t tmp[8][10];
        for (unsigned i = 0; i < 8; i++) {
            memcpy(tmp[i], x86_fpu_phys(cpu, i), 10);
        }
        memcpy(cpu->fpr, tmp, sizeof(tmp));
        cpu->fsw &= ~0x3800;
    }
    cpu->ftw = 0;
}

/* 0F 77: EMMS - every tag empty */
void x86_op_emms(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (in->opsz_prefix || in->rep) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    x86_sse_check(cpu, true);
    x86_mmx_enter(cpu);         /* TOP = 0 as AMD CPUs do (CPUID vendor) */
    cpu->ftw = 0xffff;
}

static unsigned nxmm(struct x86_cpu *cpu)
{
    return cpu->mode == X86_MODE_LONG ? 16 : 8;
}

static uint64_t image_lin(struct x86_cpu *cpu, const struct x86_insn *in,
                          bool write)
{
    uint64_t off = x86_ea(cpu, in);

    if (cpu->cr0 & (X86_CR0_EM | X86_CR0_TS)) {
        x86_raise_noerr(cpu, X86_EXC_NM);
    }
    if (off & 15) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    return x86_seg_lin(cpu, in->seg, off, 512, write);
}

/*
 * The legacy (FXSAVE) image, shared with XSAVE/XRSTOR: parts says which
 * state it covers (X86_FX_X87: FCW..FDP and ST0-7; X86_FX_MXCSR: MXCSR and
 * its mask; X86_FX_XMM: the XMM registers).  w64 is the REX.W form with
 * 64-bit FIP/FDP.
 */
void x86_fx_image_save(struct x86_cpu *cpu, uint8_t *b, bool w64,
                       unsigned parts)
{
    x86_fpu_sync(cpu);
    if (parts & X86_FX_X87) {
        uint8_t ftw = 0;
        for (unsigned i = 0; i < 8; i++) {
            if (((cpu->ftw >> (2 * i)) & 3) != 3) {
                ftw |= (uint8_t)(1u << i);
            }
        }
        memcpy(b + 0, &cpu->fcw, 2);
        memcpy(b + 2, &cpu->fsw, 2);
        b[4] = ftw;
        b[5] = 0;
        memcpy(b + 6, &cpu->fop, 2);
        if (w64) {
            memcpy(b + 8, &cpu->fip, 8);
            memcpy(b + 16, &cpu->fdp, 8);
        } else {
            uint32_t ip = (uint32_t)cpu->fip, dp = (uint32_t)cpu->fdp;
            memcpy(b + 8, &ip, 4);
            memcpy(b + 12, &cpu->fcs, 2);
            memset(b + 14, 0, 2);
            memcpy(b + 16, &dp, 4);
            memcpy(b + 20, &cpu->fds, 2);
            memset(b + 22, 0, 2);
        }
        for (unsigned i = 0; i < 8; i++) {
            memcpy(b + 32 + 16 * i, cpu->fpr[i], 10);
            memset(b + 42 + 16 * i, 0, 6);
        }
    }
    if (parts & X86_FX_MXCSR) {
        uint32_t mask = MXCSR_MASK;
        memcpy(b + 24, &cpu->mxcsr, 4);
        memcpy(b + 28, &mask, 4);
    }
    if (parts & X86_FX_XMM) {
        memcpy(b + 160, cpu->xmm, 16 * nxmm(cpu));
    }
}

/* Load from the image (MXCSR checked by the caller: #GP comes first). */
void x86_fx_image_load(struct x86_cpu *cpu, const uint8_t *b, bool w64,
                       unsigned parts)
{
    x86_fpu_sync(cpu);
    if (parts & X86_FX_MXCSR) {
        memcpy(&cpu->mxcsr, b + 24, 4);
    }
    if (parts & X86_FX_X87) {
        memcpy(&cpu->fcw, b + 0, 2);
        cpu->fcw = X86_FCW_LOAD(cpu->fcw);
        memcpy(&cpu->fsw, b + 2, 2);
        memcpy(&cpu->fop, b + 6, 2);
        cpu->fop &= 0x7ff;
        if (w64) {
            memcpy(&cpu->fip, b + 8, 8);
            memcpy(&cpu->fdp, b + 16, 8);
        } else {
            uint32_t ip, dp;
            memcpy(&ip, b + 8, 4);
            memcpy(&cpu->fcs, b + 12, 2);
            memcpy(&dp, b + 16, 4);
            memcpy(&cpu->fds, b + 20, 2);
            cpu->fip = ip;
            cpu->fdp = dp;
        }
        for (unsigned i = 0; i < 8; i++) {
            memcpy(cpu->fpr[i], b + 32 + 16 * i, 10);
        }
        cpu->ftw = 0;
        for (unsigned i = 0; i < 8; i++) {
            unsigned t = 3;
            if (b[4] & (1u << i)) {
                t = x86_fpu_tag_of(x86_fpu_phys(cpu, i));
            }
            cpu->ftw |= (uint16_t)(t << (2 * i));
        }
        if (cpu->fsw & 0x3f & ~cpu->fcw) {
            cpu->fsw |= 0x8080;
        } else {
            cpu->fsw &= ~0x8080;
        }
    }
    if (parts & X86_FX_XMM) {
        memcpy(cpu->xmm, b + 160, 16 * nxmm(cpu));
    }
}

/* 0F AE /0: FXSAVE */
void x86_fxsave(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint8_t b[512];
    uint64_t lin = image_lin(cpu, in, true);

    memset(b, 0, sizeof(b));
    x86_fx_image_save(cpu, b, in->rex & 8, X86_FX_ALL);
    /* bytes 464-511 are left to software: not written */
    for (unsigned i = 0; i < 464; i += 8) {
        uint64_t v;
        memcpy(&v, b + i, 8);
        x86_write_lin(cpu, lin + i, 3, v);
    }
}

/* 0F AE /1: FXRSTOR */
void x86_fxrstor(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint8_t b[464];
    uint64_t lin = image_lin(cpu, in, false);
    uint32_t mxcsr;

    for (unsigned i = 0; i < 464; i += 8) {
        uint64_t v = x86_read_lin(cpu, lin + i, 3);
        memcpy(b + i, &v, 8);
    }
    memcpy(&mxcsr, b + 24, 4);
    if (mxcsr & ~MXCSR_MASK) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    x86_fx_image_load(cpu, b, in->rex & 8, X86_FX_ALL);
}
