/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * misc.c - the small instructions: flag control (CLC, STC, CMC, CLD, STD,
 * CLI, STI), LAHF/SAHF, IN/OUT with the TSS I/O bitmap, MOV to and from
 * segment registers, RDTSC/RDTSCP, fences and CLFLUSH, NOP and hint
 * NOPs, WAIT.  CPUID is cpuid.c's (the answers come with the CPU model).
 * Reference: Intel SDM vol. 2 under each mnemonic.
 */
#include "emu/osdep.h"

#include <time.h>           /* clock_gettime for the TSC */

#include "emu/cpu/x86/internal.h"   /* registers, flags, bus */
#include "emu/cpu/x86/xsave.h"      /* XSAVE/XRSTOR in group 15 */

/* F5 CMC, F8 CLC, F9 STC, FC CLD, FD STD */
void x86_op_flagop(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t f = x86_flags(cpu);

    switch (in->op) {
    case 0xf5: f ^= X86_CF; break;
    case 0xf8: f &= ~(uint64_t)X86_CF; break;
    case 0xf9: f |= X86_CF; break;
    case 0xfc: f &= ~(uint64_t)X86_DF; break;
    default: f |= X86_DF; break;
    }
    cpu->rflags = f;
}

/* IF may change only when CPL <= IOPL (VME/PVI come later). */
static void check_iopl(struct x86_cpu *cpu)
{
    if (cpu->mode != X86_MODE_REAL &&
        cpu->cpl > ((cpu->rflags & X86_IOPL) >> 12)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
}

/* FA CLI, FB STI (STI holds interrupts off for one more instruction) */
void x86_op_cli_sti(struct x86_cpu *cpu, const struct x86_insn *in)
{
    check_iopl(cpu);
    if (in->op == 0xfa) {
        cpu->rflags &= ~(uint64_t)X86_IF;
    } else {
        if (!(cpu->rflags & X86_IF)) {
            cpu->shadow_icount = cpu->icount + 1;   /* STI shadow */
        }
        cpu->rflags |= X86_IF;
    }
}

/* 9F: LAHF - AH = SF:ZF:0:AF:0:PF:1:CF */
void x86_op_lahf(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t f = (x86_flags(cpu) & 0xd5) | 2;
    cpu->regs[X86_RAX] = (cpu->regs[X86_RAX] & ~0xff00ull) | (f << 8);
}

/* 9E: SAHF - SF, ZF, AF, PF, CF from AH */
void x86_op_sahf(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t f = x86_flags(cpu) & ~(uint64_t)0xd5;
    f |= (cpu->regs[X86_RAX] >> 8) & 0xd5;
    x86_set_status(cpu, f);
}

/* ---- port I/O ---------------------------------------------------------- */

/*
 * I/O permission (SDM vol. 1 19.5): real mode always; otherwise CPL <= IOPL
 * (never in V86 mode) or else every bit of the port range in the TSS I/O
 * bitmap must be clear, #GP(0) when one is set or out of the TSS.
 */
void x86_io_check(struct x86_cpu *cpu, uint16_t port, unsigned bytes)
{
    if (cpu->mode == X86_MODE_REAL) {
        return;
    }
    if (cpu->mode != X86_MODE_V86 &&
        cpu->cpl <= ((cpu->rflags & X86_IOPL) >> 12)) {
        return;
    }
    const struct x86_seg *tr = &cpu->tr;
    if ((tr->attr & 0x1d) != 0x09 || tr->limit < 0x67) {
        x86_raise(cpu, X86_EXC_GP, 0);      /* no 32/64-bit TSS */
    }
    uint32_t base = (uint32_t)x86_read_sys(cpu, tr->base + 0x66, 1);
    uint32_t off = base + port / 8;
    if (off + 1 > tr->limit) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    uint32_t bits = (uint32_t)x86_read_sys(cpu, tr->base + off, 1);
    if ((bits >> (port & 7)) & ((1u << bytes) - 1)) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
}

/* E4-E7 (port imm8), EC-EF (port DX): IN/OUT with AL/AX/EAX */
void x86_op_inout(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);
    uint16_t port = (in->op & 8) ? (uint16_t)cpu->regs[X86_RDX]
                                 : (uint8_t)in->imm;

    if (sz == 3) {
        sz = 2;
    }
    x86_io_check(cpu, port, 1u << sz);
    if (in->op & 2) {
        cpu->bus.pio_write(cpu->bus.opaque, port,
                           cpu->regs[X86_RAX] & x86_mask(sz), 1u << sz);
    } else {
        uint64_t v = cpu->bus.pio_read(cpu->bus.opaque, port, 1u << sz);
        x86_reg_set(cpu, in, X86_RAX, sz, v);
    }
}

/* ---- segment registers -------------------------------------------------- */

/* 8C: MOV Ev,Sreg (a register destination gets the zero-extended
   selector, memory always 16 bits) */
void x86_op_mov_from_sreg(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned s = in->reg & 7;
    if (s >= X86_NSEG) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    if (in->mod == 3) {
        x86_reg_set(cpu, in, in->rm, in->opsz, cpu->seg[s].sel);
    } else {
        x86_rm_write(cpu, in, 1, cpu->seg[s].sel);
    }
}

/* 8E: MOV Sreg,Ew (not CS) */
void x86_op_mov_to_sreg(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned s = in->reg & 7;
    if (s >= X86_NSEG || s == X86_CS) {
        x86_raise_noerr(cpu, X86_EXC_UD);
    }
    x86_load_sreg(cpu, s, (uint16_t)x86_rm_read(cpu, in, 1));
    if (s == X86_SS) {
        cpu->shadow_icount = cpu->icount + 1;
    }
}

/* ---- identification and time ------------------------------------------ */

/* The TSC: a 1 GHz counter from the host's monotonic clock. */
static uint64_t tsc_now(struct x86_cpu *cpu)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec + cpu->tsc_offset;
}

/* 0F 31: RDTSC (#GP at CPL > 0 with CR4.TSD) */
void x86_op_rdtsc(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if ((cpu->cr4 & (1u << 2)) && cpu->cpl != 0 &&
        cpu->mode != X86_MODE_REAL) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    uint64_t t = tsc_now(cpu);
    cpu->regs[X86_RAX] = (uint32_t)t;
    cpu->regs[X86_RDX] = t >> 32;
}

/* 0F 01 F9: RDTSCP - RDTSC plus ECX = TSC_AUX */
void x86_op_rdtscp(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_op_rdtsc(cpu, in);
    cpu->regs[X86_RCX] = (uint32_t)cpu->tsc_aux;
}

/* 0F AE: group 15 - LFENCE/MFENCE/SFENCE (register forms) and CLFLUSH
   (/7 memory): one CPU without caches needs neither ordering nor flushes;
   CLFLUSH still checks its operand like a read.  /0-/3 with memory are
   FXSAVE, FXRSTOR, LDMXCSR and STMXCSR (fxsave.c). */
void x86_op_grp15(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned r = in->reg & 7;

    if (in->mod == 3 && r >= 5) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        return;
    }
    if (in->mod != 3 && r == 0 && !in->rep) {
        x86_fxsave(cpu, in);
        return;
    }
    if (in->mod != 3 && r == 1 && !in->rep) {
        x86_fxrstor(cpu, in);
        return;
    }
    if (in->mod != 3 && (r == 4 || r == 5) && !in->rep &&
        x86_feat(&cpu->id, X86_FEAT_XSAVE)) {
        (r == 4 ? x86_xsave : x86_xrstor)(cpu, in);
        return;
    }
    if (in->mod != 3 && (r == 2 || r == 3) && !in->rep) {
        x86_sse_check(cpu, false);
        x86_mx_sync(cpu);       /* MXCSR lent to the host (ssefast.c) */
        if (r == 3) {
            x86_rm_write(cpu, in, 2, cpu->mxcsr);
            return;
        }
        uint32_t v = (uint32_t)x86_rm_read(cpu, in, 2);
        if (v & ~0xffffu) {
            x86_raise(cpu, X86_EXC_GP, 0);
        }
        cpu->mxcsr = v;
        return;
    }
    if (in->mod != 3 && r == 7 && !in->opsz_prefix) {
        x86_read_lin(cpu, x86_mem_lin(cpu, in, 0, false), 0);
        return;
    }
    x86_raise_noerr(cpu, X86_EXC_UD);
}

/* 0F 0D, 0F 18-1F (hint NOPs with ModRM): nothing to do */
void x86_op_nop(struct x86_cpu *cpu, const struct x86_insn *in)
{
}
