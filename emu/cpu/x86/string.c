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

/*
 * REP MOVS / REP STOS of 64-bit code going up (DF 0): whole runs inside
 * one source and one destination page whose TLB entries allow the access
 * are done with one host memcpy/memset, as the element loop would do
 * them.  A write entry exists only for pages without decoded code, and
 * none while #AC checking is on.  Overlapping runs, page-crossing
 * elements and TLB misses take one element of the generic loop, which
 * fills the TLB or faults exactly.  Returns with rCX 0, or having set
 * up a restart like the generic loop.
 */
static void rep_fast(struct x86_cpu *cpu, const struct x86_insn *in,
                     unsigned sz)
{
    bool movs = (in->op & ~1u) == 0xa4;
    uint64_t sbase = in->seg >= X86_FS ? cpu->seg[in->seg].base : 0;
    unsigned n_since = 0;

    while (cpu->regs[X86_RCX]) {
        uint64_t rcx = cpu->regs[X86_RCX], n = 0;
        uint64_t dlin = cpu->regs[X86_RDI];
        const struct x86_tlb_entry *de =
            &cpu->tlb[(dlin >> 12) & (X86_TLB_SIZE - 1)];
        unsigned droom = (0x1000 - (dlin & 0xfff)) >> sz;

        if (de->tag_write == (dlin & ~0xfffull) && droom) {
            n = rcx < droom ? rcx : droom;
            uint8_t *hd = (uint8_t *)(uintptr_t)(dlin + de->addend);
            if (movs) {
                uint64_t slin = cpu->regs[X86_RSI] + sbase;
                const struct x86_tlb_entry *se =
                    &cpu->tlb[(slin >> 12) & (X86_TLB_SIZE - 1)];
                unsigned sroom = (0x1000 - (slin & 0xfff)) >> sz;
                if (se->tag_read == (slin & ~0xfffull) && sroom) {
                    n = n < sroom ? n : sroom;
                    const uint8_t *hs =
                        (const uint8_t *)(uintptr_t)(slin + se->addend);
                    size_t bytes = n << sz;
                    if (hs + bytes <= hd || hd + bytes <= hs) {
                        memcpy(hd, hs, bytes);
                        cpu->regs[X86_RSI] += bytes;
                    } else {
                        n = 0;      /* overlap: element by element */
                    }
                } else {
                    n = 0;
                }
            } else if (sz == 0) {
                memset(hd, (uint8_t)cpu->regs[X86_RAX], n);
            } else {
                for (uint64_t i = 0; i < n; i++) {
                    x86_store_host(hd + (i << sz), sz, cpu->regs[X86_RAX]);
                }
            }
        }
        if (n) {
            cpu->regs[X86_RDI] += n << sz;
            cpu->regs[X86_RCX] = rcx - n;
        } else {
            /* the generic element: TLB fill, MMIO, fault, crossing */
            element(cpu, in, sz);
            cpu->regs[X86_RCX] = rcx - 1;
            n = 1;
        }
        n_since += n;
        if (n_since >= REP_CHUNK && cpu->regs[X86_RCX]) {
            cpu->icount++;
            if (cpu->attention || cpu->icount >= cpu->run_end) {
                cpu->rip = cpu->insn_rip;
                return;
            }
            n_since = 0;
        }
    }
}

/* A4-A7, AA-AF, 6C-6F */
void x86_op_string(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = x86_bw_size(in);
    uint64_t m = x86_admask(in);

    if (in->rep && in->adsz == 3 && !(cpu->rflags & X86_DF) &&
        ((in->op & ~1u) == 0xa4 || (in->op & ~1u) == 0xaa)) {
        rep_fast(cpu, in, sz);
        return;
    }

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
