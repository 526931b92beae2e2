/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * string.c - string instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS
 * with REP/REPE/REPNE.  The source is seg:rSI (overridable, DS by
 * default), the destination ES:rDI; rSI/rDI/rCX are as wide as the address
 * size.  A REP loop updates the registers after every element, so a fault
 * or an interruption restarts it where it stopped.  Reference: Intel SDM
 * vol. 2 "MOVS", "CMPS", "STOS", "LODS", "SCAS", "INS", "OUTS",
 * "REP/REPE/REPZ/REPNE/REPNZ".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* memory, registers, flags */

/* Elements done in one go before looking at cpu->attention; each chunk
   also counts as an instruction against the run budget, so that one long
   REP cannot hold the vCPU thread for seconds. */
#define REP_CHUNK 4096

static void step(struct x86_cpu *cpu, const struct x86_insn *in, int reg,
                 unsigned sz)
{
    uint64_t d = (cpu->rflags & X86_DF) ? -(uint64_t)(1u << sz)
                                        : (uint64_t)(1u << sz);
    x86_reg_set(cpu, in, reg, in->adsz,
                (cpu->regs[reg] + d) & x86_admask(in));
}

static uint64_t src_lin(struct x86_cpu *cpu, const struct x86_insn *in,
                        unsigned sz)
{
    return x86_seg_lin(cpu, in->seg, cpu->regs[X86_RSI] & x86_admask(in),
                       1u << sz, false);
}

static uint64_t dst_lin(struct x86_cpu *cpu, const struct x86_insn *in,
                        unsigned sz, bool write)
{
    return x86_seg_lin(cpu, X86_ES, cpu->regs[X86_RDI] & x86_admask(in),
                       1u << sz, write);
}

/* One element of the string operation; false ends a REPE/REPNE loop. */
static bool element(struct x86_cpu *cpu, const struct x86_insn *in,
                    unsigned sz)
{
    uint64_t a, b;
    uint16_t port;

    switch (in->op & ~1u) {
    case 0xa4:  /* MOVS */
        a = x86_read_lin(cpu, src_lin(cpu, in, sz), sz);
        x86_write_lin(cpu, dst_lin(cpu, in, sz, true), sz, a);
        step(cpu, in, X86_RSI, sz);
        step(cpu, in, X86_RDI, sz);
        return true;
    case 0xa6:  /* CMPS: flags of [rSI] - [rDI] */
        a = x86_read_lin(cpu, src_lin(cpu, in, sz), sz);
        b = x86_read_lin(cpu, dst_lin(cpu, in, sz, false), sz);
        x86_alu(cpu, 7, sz, a, b);
        step(cpu, in, X86_RSI, sz);
        step(cpu, in, X86_RDI, sz);
        break;
    case 0xaa:  /* STOS */
        x86_write_lin(cpu, dst_lin(cpu, in, sz, true), sz,
                      cpu->regs[X86_RAX]);
        step(cpu, in, X86_RDI, sz);
        return true;
    case 0xac:  /* LODS */
        a = x86_read_lin(cpu, src_lin(cpu, in, sz), sz);
        x86_reg_set(cpu, in, X86_RAX, sz, a);
        step(cpu, in, X86_RSI, sz);
        return true;
    case 0xae:  /* SCAS: flags of rAX - [rDI] */
        b = x86_read_lin(cpu, dst_lin(cpu, in, sz, false), sz);
        x86_alu(cpu, 7, sz, cpu->regs[X86_RAX] & x86_mask(sz), b);
        step(cpu, in, X86_RDI, sz);
        break;
    case 0x6c:  /* INS */
        port = (uint16_t)cpu->regs[X86_RDX];
        x86_io_check(cpu, port, 1u << sz);
        a = dst_lin(cpu, in, sz, true);
        b = cpu->bus.pio_read(cpu->bus.opaque, port, 1u << sz);
        x86_write_lin(cpu, a, sz, b);
        step(cpu, in, X86_RDI, sz);
        return true;
    default:    /* 6E: OUTS */
        port = (uint16_t)cpu->regs[X86_RDX];
        x86_io_check(cpu, port, 1u << sz);
        a = x86_read_lin(cpu, src_lin(cpu, in, sz), sz);
        cpu->bus.pio_write(cpu->bus.opaque, port, a, 1u << sz);
        step(cpu, in, X86_RSI, sz);
        return true;
    }
    /* CMPS/SCAS under REPE (F3) go on while equal, REPNE (F2) while not */
    return x86_cond(cpu, 4) == (in->rep == 0xf3);
}

/* A4-A7, AA-AF, 6C-6F */
void x86_op_string(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);
    uint64_t m = x86_admask(in);

    if ((in->op & 0xf0) == 0x60 && sz == 3) {
        sz = 2;     /* INS/OUTS move at most a dword */
    }
    if (!in->rep) {
        element(cpu, in, sz);
        return;
    }
    for (unsigned n = 0; (cpu->regs[X86_RCX] & m) != 0; n++) {
        if (n == REP_CHUNK) {
            cpu->icount++;
            if (cpu->attention || cpu->icount >= cpu->run_end) {
                /* restart the instruction with the registers as they are */
                cpu->rip = cpu->insn_rip;
                return;
            }
            n = 0;
        }
        bool go_on = element(cpu, in, sz);
        x86_reg_set(cpu, in, X86_RCX, in->adsz,
                    (cpu->regs[X86_RCX] - 1) & m);
        if (!go_on) {
            break;
        }
    }
}
