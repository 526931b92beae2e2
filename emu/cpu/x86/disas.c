/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * disas.c - the soft x86 CPU's debug log (-d) and its decode hook.
 * x86_decoded() runs once for each instruction the decoder produces: it
 * applies the CPU model's feature gate (cpuid.c) and, with -d in_asm,
 * logs the instruction disassembled by libcapstone in AT&T syntax (hex
 * bytes only when hemu is built without it) in the layout of QEMU's
 * in_asm log.  -d int logs each exception and interrupt as QEMU's line
 * ("v= e= i= cpl= IP= pc= SP=") followed by the registers, -d cpu_reset
 * the state before a reset, -d unimp what stopped the CPU.
 * Reference: QEMU 6.2 manual "-d"; the logs QEMU writes for the same
 * guests (compared by tests/guest/test_cpuid.py); capstone's C API
 * (disas-capstone.c).
 */
#include "emu/osdep.h"

#include "config.h"                 /* CONFIG_CAPSTONE */
#include "emu/cpu/x86/disas.h"      /* x86_disas_text */
#include "emu/cpu/x86/internal.h"   /* struct x86_cpu, struct x86_insn */
#include "emu/util/log.h"           /* log_enabled, log_printf */

/* Where the last logged instruction ended: a new "IN:" block starts
   whenever execution did not simply fall through (one log per thread). */
static __thread uint64_t last_end = ~0ull;

static void log_in_asm(struct x86_cpu *cpu, const struct x86_insn *in,
                       const uint8_t *bytes, uint64_t rip)
{
    uint64_t pc = cpu->mode == X86_MODE_LONG
                  ? rip : (uint32_t)(cpu->seg[X86_CS].base + rip);
    char hex[3 * 16 + 1] = "", text[160];
    unsigned len = in->len > 15 ? 15 : in->len;

    if (pc != last_end) {
        log_printf("%s----------------\nIN: \n", last_end == ~0ull ? "" : "\n");
    }
    last_end = pc + len;
    for (unsigned i = 0; i < len; i++) {
        snprintf(hex + 3 * i, 4, i + 1 < len ? "%02x " : "%02x", bytes[i]);
    }
    if (!x86_disas_text(cpu->code_size, bytes, len, rip, text,
                        sizeof(text))) {
        snprintf(text, sizeof(text), "(bad)");
#ifndef CONFIG_CAPSTONE
        text[0] = 0;    /* no disassembler: the bytes say it all */
#endif
    }
    log_printf("0x%08" PRIx64 ":  %-24s %s\n", pc, hex, text);
}

void x86_decoded(struct x86_cpu *cpu, struct x86_insn *in,
                 const uint8_t *bytes, uint64_t rip)
{
    x86_cpuid_gate(cpu, in);
    /* the generic handler says whether the block ends: the list in
       block.c does not know the specialised ones */
    in->ends = x86_block_ends(in);
    x86_specialise(in);
    if (log_enabled(LOG_IN_ASM)) {
        log_in_asm(cpu, in, bytes, rip);
    }
}

/* The register dump into the log (it writes to a FILE). */
static void log_regs(struct x86_cpu *cpu)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);

    if (!f) {
        return;
    }
    x86_cpu_dump(cpu, f);
    fclose(f);
    log_printf("%s", buf);
    free(buf);
}

/* The x87 and SSE registers into the log (-d cpu,fpu). */
static void log_fpu(struct x86_cpu *cpu)
{
    x86_fpu_sync(cpu);
    log_printf("FCW=%04x FSW=%04x [TOP=%u] FTW=%04x MXCSR=%08x\n", cpu->fcw,
               cpu->fsw, (cpu->fsw >> 11) & 7, cpu->ftw, cpu->mxcsr);
    for (unsigned i = 0; i < 8; i++) {
        uint64_t m;
        uint16_t se;
        memcpy(&m, cpu->fpr[i], 8);
        memcpy(&se, cpu->fpr[i] + 8, 2);
        log_printf("ST%u=%04x %016" PRIx64 "%c", i, se, m,
                   (i & 1) ? '\n' : ' ');
    }
    for (unsigned i = 0; i < 16; i++) {
        log_printf("XMM%02u=%016" PRIx64 "%016" PRIx64 "%c", i,
                   cpu->xmm[i][1], cpu->xmm[i][0], (i & 1) ? '\n' : ' ');
    }
}

/* "-d exec": a line for each block (or single instruction) about to run,
   with the guest address and its size; "-d cpu" the registers before it
   (and "-d fpu" the x87/SSE registers too). */
void x86_log_exec(struct x86_cpu *cpu, unsigned ninsn)
{
    if (log_enabled(LOG_EXEC)) {
        log_printf("Trace: [%04x:%016" PRIx64 "] %u insn%s\n",
                   cpu->seg[X86_CS].sel, cpu->rip, ninsn,
                   ninsn == 1 ? "" : "s");
    }
    if (log_enabled(LOG_CPU)) {
        log_regs(cpu);
        if (log_enabled(LOG_FPU)) {
            log_fpu(cpu);
        }
    }
}

/* "-d int": QEMU's line for each delivered exception or interrupt, then
   the registers.  QEMU logs only in protected mode; hemu logs real-mode
   events too (the BIOS's INTs are worth seeing). */
void x86_log_event(struct x86_cpu *cpu, int vector, bool has_error,
                   uint32_t error, int src)
{
    static int count;       /* shared by the vCPU threads */

    if (src == X86_SRC_EXT && log_enabled(LOG_IN_ASM)) {
        log_printf("Servicing hardware INT=0x%02x\n", vector);   /* as QEMU */
    }
    if (!log_enabled(LOG_INT)) {
        return;
    }
    uint64_t pc = cpu->seg[X86_CS].base + cpu->rip;
    log_printf("%6d: v=%02x e=%04x i=%d cpl=%d IP=%04x:%016" PRIx64
               " pc=%016" PRIx64 " SP=%04x:%016" PRIx64,
               __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED), vector,
               has_error ? error : 0, src == X86_SRC_SOFT, cpu->cpl,
               cpu->seg[X86_CS].sel, cpu->rip,
               cpu->mode == X86_MODE_LONG ? cpu->rip : (uint32_t)pc,
               cpu->seg[X86_SS].sel, cpu->regs[X86_RSP]);
    if (vector == X86_EXC_PF && src == X86_SRC_EXC) {
        log_printf(" CR2=%016" PRIx64 "\n", cpu->cr2);
    } else {
        log_printf(" env->regs[R_EAX]=%016" PRIx64 "\n", cpu->regs[X86_RAX]);
    }
    log_regs(cpu);
}

/* "-d unimp": what stopped the CPU. */
void x86_log_unimpl(struct x86_cpu *cpu)
{
    if (log_enabled(LOG_UNIMP)) {
        log_printf("x86: not implemented: %s at %04x:%016" PRIx64 "\n",
                   cpu->unimpl ? cpu->unimpl : "?", cpu->seg[X86_CS].sel,
                   cpu->rip);
    }
}

/* "-d cpu_reset": the state the reset is about to replace. */
void x86_log_reset(struct x86_cpu *cpu)
{
    if (log_enabled(LOG_CPU_RESET)) {
        log_printf("CPU Reset (CPU %u)\n", cpu->id.apic_id);
        log_regs(cpu);
    }
}

/* "-d guest_errors": an MSR the CPU does not have (#GP follows). */
void x86_log_bad_msr(struct x86_cpu *cpu, bool write, uint32_t msr,
                     uint64_t v)
{
    if (log_enabled(LOG_GUEST_ERROR)) {
        if (write) {
            log_printf("x86: wrmsr 0x%08x <- 0x%016" PRIx64 ": #GP\n", msr, v);
        } else {
            log_printf("x86: rdmsr 0x%08x: #GP\n", msr);
        }
    }
}
