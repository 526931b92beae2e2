/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xsave.h - the XSAVE feature set (xsave.c): XCR0 and the save area of the
 * state components this CPU has, x87 (0) and SSE (1).
 * Reference: Intel SDM vol. 1 ch. 13 (managing state using XSAVE).
 */
#ifndef HEMU_EMU_CPU_X86_XSAVE_H
#define HEMU_EMU_CPU_X86_XSAVE_H

#include "emu/osdep.h"

/* XCR0 bits this CPU supports: x87 and SSE state */
#define X86_XCR0_SUPPORTED 0x3ull

/* Bytes of the XSAVE area for the components in mask (legacy region
   and header: no component beyond SSE). */
static inline uint32_t x86_xsave_size(uint64_t mask)
{
    (void)mask;
    return 512 + 64;
}

struct x86_cpu;
struct x86_insn;

/* The legacy 512-byte region (fxsave.c); parts of the state it covers. */
#define X86_FX_X87   1u
#define X86_FX_MXCSR 2u
#define X86_FX_XMM   4u
#define X86_FX_ALL   7u
void x86_fx_image_save(struct x86_cpu *cpu, uint8_t *b, bool w64,
                       unsigned parts);
void x86_fx_image_load(struct x86_cpu *cpu, const uint8_t *b, bool w64,
                       unsigned parts);

/* xsave.c: 0F AE /4 and /5 (memory), 0F 01 D0 and D1 */
void x86_xsave(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_xrstor(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_xgetbv(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_xsetbv(struct x86_cpu *cpu, const struct x86_insn *in);

#endif
