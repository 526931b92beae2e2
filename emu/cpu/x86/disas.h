/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * disas.h - one x86 instruction as text for the -d in_asm log
 * (disas-capstone.c; kept apart from the CPU's headers because capstone's
 * x86.h has names of its own that clash with hemu's).
 */
#ifndef HEMU_EMU_CPU_X86_DISAS_H
#define HEMU_EMU_CPU_X86_DISAS_H

#include "emu/osdep.h"

/* "mnemonic operands" (AT&T syntax) of the instruction in b[0..len) at
   ip, decoded for code_size (1 = 16-bit, 2 = 32-bit, 3 = 64-bit); false
   without a disassembler or for bytes it does not know. */
bool x86_disas_text(unsigned code_size, const uint8_t *b, unsigned len,
                    uint64_t ip, char *out, size_t n);

#endif
