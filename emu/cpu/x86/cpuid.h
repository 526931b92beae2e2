/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpuid.h - what a CPU model says about itself: the identification (vendor,
 * family/model/stepping, brand string, highest leaves) and the feature
 * words that CPUID reports and that the CPU checks before it executes an
 * optional instruction or accepts a control bit.  The models and the
 * -cpu parser are in cpumodel.c, the CPUID leaves and the instruction
 * gate in cpuid.c.  Reference: Intel SDM vol. 2A "CPUID" (tables 3-8,
 * 3-10, 3-11); AMD APM vol. 3 appendix E (the extended leaves).
 */
#ifndef HEMU_EMU_CPU_X86_CPUID_H
#define HEMU_EMU_CPU_X86_CPUID_H

#include "emu/osdep.h"

struct err;
struct x86_cpu;

/* Feature words, in the order QEMU's CPU model code numbers them. */
enum x86_feat_word {
    X86_FW_1_EDX,       /* CPUID.01H:EDX */
    X86_FW_1_ECX,       /* CPUID.01H:ECX */
    X86_FW_7_0_EBX,     /* CPUID.(07H,0):EBX */
    X86_FW_7_0_ECX,
    X86_FW_7_0_EDX,
    X86_FW_8001_EDX,    /* CPUID.80000001H:EDX */
    X86_FW_8001_ECX,
    X86_FW_D_1_EAX,     /* CPUID.(0DH,1):EAX */
    X86_FW_N,
};

/* A feature: word * 32 + bit. */
#define X86_F(w, b) ((w) * 32 + (b))
enum {
    X86_FEAT_FPU = X86_F(X86_FW_1_EDX, 0),
    X86_FEAT_DE = X86_F(X86_FW_1_EDX, 2),
    X86_FEAT_PSE = X86_F(X86_FW_1_EDX, 3),
    X86_FEAT_TSC = X86_F(X86_FW_1_EDX, 4),
    X86_FEAT_MSR = X86_F(X86_FW_1_EDX, 5),
    X86_FEAT_PAE = X86_F(X86_FW_1_EDX, 6),
    X86_FEAT_MCE = X86_F(X86_FW_1_EDX, 7),
    X86_FEAT_CX8 = X86_F(X86_FW_1_EDX, 8),
    X86_FEAT_APIC = X86_F(X86_FW_1_EDX, 9),
    X86_FEAT_SEP = X86_F(X86_FW_1_EDX, 11),
    X86_FEAT_MTRR = X86_F(X86_FW_1_EDX, 12),
    X86_FEAT_PGE = X86_F(X86_FW_1_EDX, 13),
    X86_FEAT_MCA = X86_F(X86_FW_1_EDX, 14),
    X86_FEAT_CMOV = X86_F(X86_FW_1_EDX, 15),
    X86_FEAT_PAT = X86_F(X86_FW_1_EDX, 16),
    X86_FEAT_PSE36 = X86_F(X86_FW_1_EDX, 17),
    X86_FEAT_CLFLUSH = X86_F(X86_FW_1_EDX, 19),
    X86_FEAT_MMX = X86_F(X86_FW_1_EDX, 23),
    X86_FEAT_FXSR = X86_F(X86_FW_1_EDX, 24),
    X86_FEAT_SSE = X86_F(X86_FW_1_EDX, 25),
    X86_FEAT_SSE2 = X86_F(X86_FW_1_EDX, 26),
    X86_FEAT_SSE3 = X86_F(X86_FW_1_ECX, 0),
    X86_FEAT_PCLMULQDQ = X86_F(X86_FW_1_ECX, 1),
    X86_FEAT_SSSE3 = X86_F(X86_FW_1_ECX, 9),
    X86_FEAT_CX16 = X86_F(X86_FW_1_ECX, 13),
    X86_FEAT_SSE41 = X86_F(X86_FW_1_ECX, 19),
    X86_FEAT_SSE42 = X86_F(X86_FW_1_ECX, 20),
    X86_FEAT_MOVBE = X86_F(X86_FW_1_ECX, 22),
    X86_FEAT_POPCNT = X86_F(X86_FW_1_ECX, 23),
    X86_FEAT_XSAVE = X86_F(X86_FW_1_ECX, 26),
    X86_FEAT_OSXSAVE = X86_F(X86_FW_1_ECX, 27),
    X86_FEAT_HYPERVISOR = X86_F(X86_FW_1_ECX, 31),
    X86_FEAT_SYSCALL = X86_F(X86_FW_8001_EDX, 11),
    X86_FEAT_NX = X86_F(X86_FW_8001_EDX, 20),
    X86_FEAT_PDPE1GB = X86_F(X86_FW_8001_EDX, 26),
    X86_FEAT_RDTSCP = X86_F(X86_FW_8001_EDX, 27),
    X86_FEAT_LM = X86_F(X86_FW_8001_EDX, 29),
    X86_FEAT_LAHF_LM = X86_F(X86_FW_8001_ECX, 0),
    X86_FEAT_ABM = X86_F(X86_FW_8001_ECX, 5),
    X86_FEAT_3DNOWPREFETCH = X86_F(X86_FW_8001_ECX, 8),
};

/* One CPU's identity and features (copied from the selected model). */
struct x86_cpuid {
    bool set;               /* filled in (else reset takes the -cpu one) */
    char vendor[13];
    char model_id[49];
    uint32_t level, xlevel; /* highest basic and extended leaf */
    uint32_t family, model, stepping;
    uint32_t feat[X86_FW_N];
    uint32_t apic_id;       /* initial APIC ID in CPUID.01H:EBX[31:24] */
};

static inline bool x86_feat(const struct x86_cpuid *id, unsigned f)
{
    return (id->feat[f / 32] >> (f % 32)) & 1;
}

/* cpumodel.c: the -cpu option and the models. */
/* Parse "-cpu MODEL[,+feat|-feat|feat=on|off|prop=value...]" into the
   model every vCPU starts with.  "help" prints the list: returns 1. */
int x86_cpu_model_select(const char *arg, struct err **errp);
void x86_cpu_model_help(FILE *f);
/* Fill id from a -cpu string without touching the selection (tests, QMP). */
int x86_cpu_model_parse(const char *arg, struct x86_cpuid *id,
                        struct err **errp);
/* The selected model (qemu64 until -cpu says otherwise). */
const struct x86_cpuid *x86_cpu_model_selected(void);
/* Name of the selected model, for QMP query-cpus-fast and the like. */
const char *x86_cpu_model_name(void);
/* Model enumeration for QMP query-cpu-definitions: name of model i or
   NULL past the end; *desc its description. */
const char *x86_cpu_model_nth(unsigned i, const char **desc);
/* The feature words QEMU's TCG gives the table model name (hemu's are
   these and x86_feat_implemented); false for max, base and unknown. */
bool x86_cpu_model_qemu_words(const char *name, uint32_t *feat);
/* Feature name of feature f (X86_F), or NULL. */
const char *x86_feat_name(unsigned f);
/* The features hemu implements, per word. */
extern const uint32_t x86_feat_implemented[X86_FW_N];

/* cpuid.c */
/* CPUID(leaf, subleaf) as this CPU answers it: r = EAX, EBX, ECX, EDX. */
void x86_cpuid_query(struct x86_cpu *cpu, uint32_t leaf, uint32_t sub,
                     uint32_t r[4]);
/* EAX of leaf 1 (also EDX after reset). */
uint32_t x86_cpuid_signature(const struct x86_cpuid *id);
/* Reset-time hook: take the selected model unless the CPU has one, set
   EDX to the signature and the MSRs that live with the model. */
void x86_cpuid_reset(struct x86_cpu *cpu);

/* Make an optional instruction #UD when the model lacks its feature
   (run once per decode: it swaps in->fn). */
struct x86_insn;
void x86_cpuid_gate(struct x86_cpu *cpu, struct x86_insn *in);

/* disas.c: the hook the decoder calls for every instruction it decodes
   (bytes: its code; rip: its offset in CS), and the -d log lines. */
void x86_decoded(struct x86_cpu *cpu, struct x86_insn *in,
                 const uint8_t *bytes, uint64_t rip);
void x86_log_reset(struct x86_cpu *cpu);
void x86_log_bad_msr(struct x86_cpu *cpu, bool write, uint32_t msr,
                     uint64_t v);

#endif
