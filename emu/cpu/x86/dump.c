/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump.c - the register dump of the soft x86 CPU in the layout of QEMU's
 * "info registers" (HMP) and "-d cpu", so that logs of the two can be
 * compared line by line (the -d log lines are disas.c's).  Reference:
 * QEMU 6.2 x86_cpu_dump_state() output as documented by its HMP "info
 * registers"; Intel SDM vol. 3A 3.4.5 for the descriptor flag layout.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* struct x86_cpu */

/* Descriptor flags as in the second descriptor dword (bits 8-23). */
static uint32_t seg_flags(const struct x86_seg *s)
{
    return ((s->attr & 0xff) << 8) | (((s->attr >> 8) & 0xf) << 20);
}

static void dump_seg(FILE *f, const char *name, const struct x86_seg *s,
                     bool lm)
{
    if (lm) {
        fprintf(f, "%-3s=%04x %016" PRIx64 " %08x %08x\n", name, s->sel,
                s->base, s->limit, seg_flags(s));
    } else {
        fprintf(f, "%-3s=%04x %08x %08x %08x\n", name, s->sel,
                (uint32_t)s->base, s->limit, seg_flags(s));
    }
}

void x86_cpu_dump(struct x86_cpu *cpu, FILE *f)
{
    static const char *const gpr64[16] = {
        "RAX", "RCX", "RDX", "RBX", "RSP", "RBP", "RSI", "RDI",
        "R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
    };
    static const char *const segs[X86_NSEG] = {
        "ES", "CS", "SS", "DS", "FS", "GS",
    };
    /* QEMU's order: AX BX CX DX SI DI BP SP */
    static const int order[8] = {
        X86_RAX, X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_RBP, X86_RSP,
    };
    uint64_t fl = x86_cpu_get_rflags(cpu);
    bool lm = (cpu->efer & X86_EFER_LMA) != 0;
    char fs[8] = {
        (fl & X86_DF) ? 'D' : '-', (fl & X86_OF) ? 'O' : '-',
        (fl & X86_SF) ? 'S' : '-', (fl & X86_ZF) ? 'Z' : '-',
        (fl & X86_AF) ? 'A' : '-', (fl & X86_PF) ? 'P' : '-',
        (fl & X86_CF) ? 'C' : '-', 0,
    };

    if (lm) {
        for (int i = 0; i < 8; i++) {
            fprintf(f, "%s=%016" PRIx64 "%c", gpr64[order[i]],
                    cpu->regs[order[i]], (i & 3) == 3 ? '\n' : ' ');
        }
        for (int i = 8; i < 16; i++) {
            fprintf(f, "%s=%016" PRIx64 "%c", gpr64[i], cpu->regs[i],
                    (i & 3) == 3 ? '\n' : ' ');
        }
        fprintf(f, "RIP=%016" PRIx64 " RFL=%08x [%s] CPL=%d II=%d A20=%d "
                "SMM=0 HLT=%d\n", cpu->rip, (uint32_t)fl, fs, cpu->cpl,
                cpu->icount == cpu->shadow_icount,
                (int)((cpu->a20_mask >> 20) & 1), cpu->halted);
    } else {
        static const char *const gpr32[8] = {
            "EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP",
        };
        for (int i = 0; i < 8; i++) {
            fprintf(f, "%s=%08x%c", gpr32[i], (uint32_t)cpu->regs[order[i]],
                    (i & 3) == 3 ? '\n' : ' ');
        }
        fprintf(f, "EIP=%08x EFL=%08x [%s] CPL=%d II=%d A20=%d SMM=0 "
                "HLT=%d\n", (uint32_t)cpu->rip, (uint32_t)fl, fs, cpu->cpl,
                cpu->icount == cpu->shadow_icount,
                (int)((cpu->a20_mask >> 20) & 1), cpu->halted);
    }
    for (int i = 0; i < X86_NSEG; i++) {
        dump_seg(f, segs[i], &cpu->seg[i], lm);
    }
    dump_seg(f, "LDT", &cpu->ldtr, lm);
    dump_seg(f, "TR", &cpu->tr, lm);
    if (lm) {
        fprintf(f, "GDT=     %016" PRIx64 " %08x\n", cpu->gdtr_base,
                cpu->gdtr_limit);
        fprintf(f, "IDT=     %016" PRIx64 " %08x\n", cpu->idtr_base,
                cpu->idtr_limit);
        fprintf(f, "CR0=%08x CR2=%016" PRIx64 " CR3=%016" PRIx64
                " CR4=%08x\n", (uint32_t)cpu->cr0, cpu->cr2, cpu->cr3,
                (uint32_t)cpu->cr4);
    } else {
        fprintf(f, "GDT=     %08x %08x\n", (uint32_t)cpu->gdtr_base,
                cpu->gdtr_limit);
        fprintf(f, "IDT=     %08x %08x\n", (uint32_t)cpu->idtr_base,
                cpu->idtr_limit);
        fprintf(f, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n",
                (uint32_t)cpu->cr0, (uint32_t)cpu->cr2, (uint32_t)cpu->cr3,
                (uint32_t)cpu->cr4);
    }
    fprintf(f, "EFER=%016" PRIx64 "\n", cpu->efer);
}
