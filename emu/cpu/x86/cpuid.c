/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpuid.c - the answers of CPUID for the CPU's model (struct x86_cpuid)
 * and the gate that makes an optional instruction #UD when the model does
 * not have its feature: it runs once per decoded instruction (disas.c's
 * decode hook) and swaps the handler, so execution pays nothing.
 * References: Intel SDM vol. 2A "CPUID" (leaves 0, 1, 7, 0DH, 8000000xH,
 * and the rule that leaves above the maximum answer as the highest basic
 * leaf); vol. 2 per-instruction "CPUID Feature Flag" columns for the
 * gate; AMD APM vol. 3 E.4 (80000001H:EDX mirrors 01H:EDX on AMD).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* struct x86_cpu, handlers */
#include "emu/cpu/x86/xsave.h"      /* XCR0 sizes for leaf 0DH */

/* 01H:EDX bits AMD repeats in 80000001H:EDX */
#define AMD_EDX_ALIASES 0x0183f3ffu

uint32_t x86_cpuid_signature(const struct x86_cpuid *id)
{
    uint32_t fam = id->family > 0xf ? 0xf : id->family;
    uint32_t ext = id->family > 0xf ? id->family - 0xf : 0;

    return (id->stepping & 0xf) | ((id->model & 0xf) << 4) | (fam << 8) |
           ((id->model >> 4) << 16) | ((ext & 0xff) << 20);
}

static void str_regs(const char *s, uint32_t *a, uint32_t *b, uint32_t *c,
                     uint32_t *d)
{
    if (a) {
        memcpy(a, s, 4);
    }
    memcpy(b, s + 4 * (a != NULL), 4);
    memcpy(c, s + 4 * (a != NULL) + 4, 4);
    memcpy(d, s + 4 * (a != NULL) + 8, 4);
}

void x86_cpuid_query(struct x86_cpu *cpu, uint32_t leaf, uint32_t sub,
                     uint32_t r[4])
{
    const struct x86_cpuid *id = &cpu->id;
    const uint32_t *f = id->feat;

    memset(r, 0, 4 * sizeof(uint32_t));
    if (leaf >= 0x80000000u ? leaf > id->xlevel || !id->xlevel
                            : leaf > id->level) {
        leaf = id->level;       /* Intel: the highest basic leaf answers */
    }
    switch (leaf) {
    case 0:
        r[0] = id->level;
        /* the vendor string is EBX, EDX, ECX */
        memcpy(&r[1], id->vendor, 4);
        memcpy(&r[3], id->vendor + 4, 4);
        memcpy(&r[2], id->vendor + 8, 4);
        break;
    case 1:
        r[0] = x86_cpuid_signature(id);
        r[1] = (8u << 8) | (id->apic_id << 24);     /* 64-byte CLFLUSH */
        r[2] = f[X86_FW_1_ECX];
        if (cpu->cr4 & X86_CR4_OSXSAVE) {
            r[2] |= 1u << (X86_FEAT_OSXSAVE % 32);
        }
        r[3] = f[X86_FW_1_EDX];
        break;
    case 7:
        if (sub == 0) {
            r[1] = f[X86_FW_7_0_EBX];
            r[2] = f[X86_FW_7_0_ECX];
            r[3] = f[X86_FW_7_0_EDX];
        }
        break;
    case 0xd:
        if (!x86_feat(id, X86_FEAT_XSAVE)) {
            break;
        }
        if (sub == 0) {
            r[0] = (uint32_t)X86_XCR0_SUPPORTED;
            r[1] = x86_xsave_size(cpu->xcr0);
            r[2] = x86_xsave_size(X86_XCR0_SUPPORTED);
        } else if (sub == 1) {
            r[0] = f[X86_FW_D_1_EAX];
        }
        break;
    case 0x80000000:
        r[0] = id->xlevel;
        memcpy(&r[1], id->vendor, 4);
        memcpy(&r[3], id->vendor + 4, 4);
        memcpy(&r[2], id->vendor + 8, 4);
        break;
    case 0x80000001:
        r[0] = x86_cpuid_signature(id);
        r[2] = f[X86_FW_8001_ECX];
        r[3] = f[X86_FW_8001_EDX];
        if (!strcmp(id->vendor, "AuthenticAMD")) {
            r[3] |= f[X86_FW_1_EDX] & AMD_EDX_ALIASES;
        }
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004:
        str_regs(id->model_id + 16 * (leaf - 0x80000002), &r[0], &r[1],
                 &r[2], &r[3]);
        break;
    case 0x80000005:
        /* L1 caches: 64 KiB, 2-way, 64-byte lines; TLBs of 255 entries
           (the geometry QEMU reports for its models) */
        r[0] = r[1] = 0x01ff01ff;
        r[2] = r[3] = 0x40020140;
        break;
    case 0x80000006:
        /* L2 512 KiB 16-way, L3 16 MiB 16-way, 64-byte lines */
        r[1] = 0x42004200;
        r[2] = 0x02008140;
        r[3] = 0x00808140;
        break;
    case 0x80000008:
        if (x86_feat(id, X86_FEAT_LM)) {
            r[0] = (48u << 8) | 40;     /* linear and physical bits */
        } else if (x86_feat(id, X86_FEAT_PSE36) ||
                   x86_feat(id, X86_FEAT_PAE)) {
            r[0] = 36;
        } else {
            r[0] = 32;
        }
        break;
    default:
        break;      /* leaves this CPU has nothing to say in */
    }
}

/* 0F A2: CPUID */
void x86_op_cpuid(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint32_t r[4];

    x86_cpuid_query(cpu, (uint32_t)cpu->regs[X86_RAX],
                    (uint32_t)cpu->regs[X86_RCX], r);
    cpu->regs[X86_RAX] = r[0];
    cpu->regs[X86_RBX] = r[1];
    cpu->regs[X86_RCX] = r[2];
    cpu->regs[X86_RDX] = r[3];
}

void x86_cpuid_reset(struct x86_cpu *cpu)
{
    if (!cpu->id.set) {
        uint32_t apic_id = cpu->id.apic_id;
        cpu->id = *x86_cpu_model_selected();
        cpu->id.apic_id = apic_id;
    }
    cpu->regs[X86_RDX] = x86_cpuid_signature(&cpu->id);
    x86_msr_reset(cpu);
    cpu->xcr0 = 1;          /* x87 state is always enabled */
}

/* ---- the instruction gate ------------------------------------------------ */

/* The SSE/SSE2/SSE3 level of a 0F-map opcode run by x86_op_sse, by its
   mandatory prefix (0 none, 1 66, 2 F3, 3 F2). */
static int sse_0f_feature(unsigned o, unsigned pfx)
{
    switch (pfx) {
    case 0:
        if ((o >= 0x60 && o <= 0x7f) || o >= 0xd0) {
            switch (o) {    /* the integer ops SSE added to MMX */
            case 0x70: case 0xc4: case 0xc5: case 0xd7: case 0xda:
            case 0xde: case 0xe0: case 0xe3: case 0xe4: case 0xe7:
            case 0xea: case 0xee: case 0xf6: case 0xf7:
                return X86_FEAT_SSE;
            case 0xd4: case 0xf4: case 0xfb:
                return X86_FEAT_SSE2;
            default:
                return X86_FEAT_MMX;
            }
        }
        if (o == 0xc4 || o == 0xc5) {
            return X86_FEAT_SSE;
        }
        return o == 0x5a || o == 0x5b ? X86_FEAT_SSE2 : X86_FEAT_SSE;
    case 1:
        return o == 0x7c || o == 0x7d || o == 0xd0 ? X86_FEAT_SSE3
                                                   : X86_FEAT_SSE2;
    case 2:
        switch (o) {
        case 0x10: case 0x11: case 0x2a: case 0x2c: case 0x2d: case 0x51:
        case 0x52: case 0x53: case 0x58: case 0x59: case 0x5c: case 0x5d:
        case 0x5e: case 0x5f: case 0xc2:
            return X86_FEAT_SSE;
        case 0x12: case 0x16:
            return X86_FEAT_SSE3;
        default:
            return X86_FEAT_SSE2;
        }
    default:
        return o == 0x12 || o == 0x7c || o == 0x7d || o == 0xd0 ||
               o == 0xf0 ? X86_FEAT_SSE3 : X86_FEAT_SSE2;
    }
}

/* The feature instruction in needs, or -1 for none. */
static int insn_feature(struct x86_cpu *cpu, struct x86_insn *in)
{
    x86_handler_fn *fn = in->fn;
    unsigned o = in->op & 0xff, r = in->reg & 7;
    unsigned pfx = in->rep == 0xf3 ? 2 : in->rep == 0xf2 ? 3
                 : in->opsz_prefix ? 1 : 0;

    if (fn == x86_op_sse) {
        if (in->op < 0x200) {
            return sse_0f_feature(o, pfx);
        }
        if (in->op < 0x300) {
            if (o <= 0x0b || (o >= 0x1c && o <= 0x1e)) {
                return X86_FEAT_SSSE3;
            }
            return o == 0x37 ? X86_FEAT_SSE42 : X86_FEAT_SSE41;
        }
        if (o == 0x0f) {
            return X86_FEAT_SSSE3;
        }
        return o >= 0x60 && o <= 0x63 ? X86_FEAT_SSE42 : X86_FEAT_SSE41;
    }
    if (fn == x86_op_movbe) {
        return in->rep == 0xf2 ? X86_FEAT_SSE42 : X86_FEAT_MOVBE;
    }
    if (fn == x86_op_emms) {
        return X86_FEAT_MMX;
    }
    if (fn == x86_op_movnti) {
        return X86_FEAT_SSE2;
    }
    if (fn == x86_op_maskmov) {
        return in->opsz_prefix ? X86_FEAT_SSE2 : X86_FEAT_SSE;
    }
    if (fn == x86_op_cmov) {
        return X86_FEAT_CMOV;
    }
    if (fn == x86_op_popcnt) {
        return X86_FEAT_POPCNT;
    }
    if (fn == x86_op_sysenter || fn == x86_op_sysexit) {
        return X86_FEAT_SEP;
    }
    if (fn == x86_op_rdtsc) {
        return X86_FEAT_TSC;
    }
    if (fn == x86_op_rdmsr || fn == x86_op_wrmsr) {
        return X86_FEAT_MSR;
    }
    if (fn == x86_op_x87 || fn == x86_op_fwait) {
        return X86_FEAT_FPU;
    }
    if (fn == x86_op_grp9 && r == 1) {
        return (in->rex & 8) ? X86_FEAT_CX16 : X86_FEAT_CX8;
    }
    if (fn == x86_op_grp7 && in->mod == 3 && r == 7 && (in->rm & 7) == 1) {
        return X86_FEAT_RDTSCP;
    }
    if ((fn == x86_op_lahf || fn == x86_op_sahf) && cpu->code_size == 3) {
        return X86_FEAT_LAHF_LM;
    }
    if (fn == x86_op_grp15 && !in->rep) {
        if (in->mod == 3) {
            return r == 7 ? X86_FEAT_SSE : r >= 5 ? X86_FEAT_SSE2 : -1;
        }
        switch (r) {
        case 0: case 1: return X86_FEAT_FXSR;
        case 2: case 3: return X86_FEAT_SSE;
        case 4: case 5: return X86_FEAT_XSAVE;
        case 7: return in->opsz_prefix ? -1 : X86_FEAT_CLFLUSH;
        default: return -1;
        }
    }
    return -1;
}

void x86_cpuid_gate(struct x86_cpu *cpu, struct x86_insn *in)
{
    if (in->fn == x86_op_bsf_bsr && in->op == 0x1bd && in->rep == 0xf3 &&
        !x86_feat(&cpu->id, X86_FEAT_ABM)) {
        in->rep = 0;        /* without LZCNT, F3 0F BD is BSR */
        return;
    }
    int f = insn_feature(cpu, in);
    if (f >= 0 && !x86_feat(&cpu->id, (unsigned)f)) {
        in->fn = x86_op_ud;
    }
}
