/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xsave.c - the XSAVE feature set for the state components this CPU has,
 * x87 (0) and SSE (1): XGETBV/XSETBV on XCR0, XSAVE and XRSTOR in the
 * standard form (legacy region as FXSAVE's, then the 64-byte header).
 * Present when the model has CPUID.01H:ECX.XSAVE (-cpu max or +xsave);
 * the instructions #UD until the OS sets CR4.OSXSAVE.
 * Reference: Intel SDM vol. 1 ch. 13 (13.3 XCR0, 13.4 the XSAVE area,
 * 13.7 XSAVE, 13.8 XRSTOR), vol. 2 "XGETBV", "XSETBV", "XSAVE", "XRSTOR".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* state, memory, exceptions */
#include "emu/cpu/x86/xsave.h"

#define HDR 512                     /* the XSAVE header */

static void need_osxsave(struct x86_cpu *cpu)
{
    if (!(cpu->cr4 & X86_CR4_OSXSAVE)) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
}

/* The checks XSAVE and XRSTOR share; the linear address of the area. */
static uint64_t area_lin(struct x86_cpu *cpu, const struct x86_insn *in,
                         bool write)
{
    need_osxsave(cpu);
    if (cpu->cr0 & X86_CR0_TS) {
        x86_raise_noerr(cpu, X86_EXC_NM);
    }
    uint64_t off = x86_ea(cpu, in);
    if (off & 63) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    return x86_seg_lin(cpu, in->seg, off, x86_xsave_size(cpu->xcr0), write);
}

static uint64_t rfbm(struct x86_cpu *cpu)
{
    uint64_t edx_eax = ((cpu->regs[X86_RDX] & 0xffffffffull) << 32) |
                       (uint32_t)cpu->regs[X86_RAX];
    return cpu->xcr0 & edx_eax;
}

static unsigned parts_of(uint64_t mask)
{
    return ((mask & 1) ? X86_FX_X87 : 0) |
           ((mask & 2) ? X86_FX_MXCSR | X86_FX_XMM : 0);
}

static void read_area(struct x86_cpu *cpu, uint64_t lin, uint8_t *b,
                      unsigned from, unsigned to)
{
    for (unsigned i = from; i < to; i += 8) {
        uint64_t v = x86_read_lin(cpu, lin + i, 3);
        memcpy(b + i, &v, 8);
    }
}

/* 0F AE /4: XSAVE - the components in RFBM; XSTATE_BV records them as in
   use (allowed: a processor may report XINUSE = 1 for any component). */
void x86_xsave(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_fpu_sync(cpu);
    uint8_t b[HDR + 8];
    uint64_t lin = area_lin(cpu, in, true), m = rfbm(cpu), bv;

    read_area(cpu, lin, b, 0, sizeof(b));
    x86_fx_image_save(cpu, b, in->rex & 8, parts_of(m));
    memcpy(&bv, b + HDR, 8);
    bv = (bv & ~m) | m;
    memcpy(b + HDR, &bv, 8);
    /* bytes 416-511 of the legacy region are not written (as FXSAVE) */
    for (unsigned i = 0; i < sizeof(b); i += 8) {
        if (i >= 416 && i < HDR) {
            continue;
        }
        uint64_t v;
        memcpy(&v, b + i, 8);
        x86_write_lin(cpu, lin + i, 3, v);
    }
}

/* Component i of RFBM that XSTATE_BV marks as not in use: its init
   state (SDM 13.6). */
static void init_x87(struct x86_cpu *cpu)
{
    cpu->fcw = 0x37f;
    cpu->fsw = 0;
    cpu->ftw = 0xffff;
    cpu->fop = 0;
    cpu->fip = cpu->fdp = 0;
    cpu->fcs = cpu->fds = 0;
    memset(cpu->fpr, 0, sizeof(cpu->fpr));
}

/* 0F AE /5: XRSTOR (standard form) */
void x86_xrstor(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_fpu_sync(cpu);
    uint8_t b[HDR + 64];
    uint64_t lin = area_lin(cpu, in, false), m = rfbm(cpu), bv, comp;
    uint32_t mxcsr;

    read_area(cpu, lin, b, 0, sizeof(b));
    memcpy(&bv, b + HDR, 8);
    memcpy(&comp, b + HDR + 8, 8);
    /* XCOMP_BV[63] asks for the compacted form, which needs XSAVEC */
    if ((bv & ~cpu->xcr0) || (comp >> 63)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    for (unsigned i = HDR + 8; i < HDR + 64; i++) {
        if (b[i]) {
            x86_raise(cpu, X86_EXC_GP, 0);      /* reserved header bytes */
        }
    }
    memcpy(&mxcsr, b + 24, 4);
    if ((m & 2) && (mxcsr & 0xffff0000u)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    /* MXCSR comes from memory whenever RFBM[1] is set (SDM 13.8.1) */
    x86_fx_image_load(cpu, b, in->rex & 8,
                      parts_of(m & bv) | ((m & 2) ? X86_FX_MXCSR : 0));
    if ((m & 1) && !(bv & 1)) {
        init_x87(cpu);
    }
    if ((m & 2) && !(bv & 2)) {
        memset(cpu->xmm, 0, 16 * (cpu->mode == X86_MODE_LONG ? 16 : 8));
    }
}

/* 0F 01 D0: XGETBV - XCR0 (ECX 0); XCR1 needs XGETBV1, absent here */
void x86_xgetbv(struct x86_cpu *cpu, const struct x86_insn *in)
{
    need_osxsave(cpu);
    if ((uint32_t)cpu->regs[X86_RCX] != 0) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    cpu->regs[X86_RAX] = (uint32_t)cpu->xcr0;
    cpu->regs[X86_RDX] = cpu->xcr0 >> 32;
}

/* 0F 01 D1: XSETBV - CPL 0, XCR0 only, x87 always on, nothing beyond
   the supported components */
void x86_xsetbv(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t v = ((cpu->regs[X86_RDX] & 0xffffffffull) << 32) |
                 (uint32_t)cpu->regs[X86_RAX];

    need_osxsave(cpu);
    if ((cpu->mode != X86_MODE_REAL && cpu->cpl != 0) ||
        (uint32_t)cpu->regs[X86_RCX] != 0 || !(v & 1) ||
        (v & ~X86_XCR0_SUPPORTED)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    cpu->xcr0 = v;
}
