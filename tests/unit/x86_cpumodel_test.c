/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_cpumodel_test.c - the -cpu parser (models, +feat/-feat/feat=on|off
 * with QEMU's names and aliases, properties, errors), CPUID built from a
 * model (signature, vendor, leaf limits, AMD's mirrored bits), and the
 * decode-time gate: instructions of a feature the model lacks are #UD,
 * LZCNT without ABM is BSR.  References: qemu-6.2 manual "-cpu"; Intel
 * SDM vol. 2A "CPUID"; vol. 2 "LZCNT", "POPCNT", "MOVBE", "CMPXCHG16B".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpu.h"
#include "emu/util/err.h"
#include "tests/unit/test.h"

static struct x86_cpuid id;

static int parse(const char *s)
{
    struct err *e = NULL;
    int r = x86_cpu_model_parse(s, &id, &e);
    if (e) {
        err_free(e);
    }
    return r;
}

/* The error message for s. */
static char *parse_err(const char *s)
{
    static char msg[1024];
    struct err *e = NULL;

    msg[0] = 0;
    if (x86_cpu_model_parse(s, &id, &e) < 0 && e) {
        snprintf(msg, sizeof(msg), "%s", e->msg);
        err_free(e);
    }
    return msg;
}

TEST(models)
{
    EXPECT_EQ(parse("qemu64"), 0);
    EXPECT_STR(id.vendor, "AuthenticAMD");
    EXPECT_STR(id.model_id, "QEMU Virtual CPU version 2.5+");
    EXPECT_EQ(id.level, 0xd);
    EXPECT_EQ(id.xlevel, 0x8000000a);
    EXPECT_EQ(x86_cpuid_signature(&id), 0x00060fb1);
    /* QEMU's qemu64 words without SVM */
    EXPECT_EQ(id.feat[X86_FW_1_EDX], 0x078bfbfd);
    EXPECT_EQ(id.feat[X86_FW_1_ECX], 0x80002001);
    EXPECT_EQ(id.feat[X86_FW_8001_EDX], 0x20100800);
    EXPECT_EQ(id.feat[X86_FW_8001_ECX], 0x1);
    EXPECT_EQ(parse("qemu64-v1"), 0);
    EXPECT_EQ(id.feat[X86_FW_1_EDX], 0x078bfbfd);
    EXPECT_EQ(parse("kvm64"), 0);
    EXPECT_STR(id.vendor, "GenuineIntel");
    EXPECT_EQ(x86_cpuid_signature(&id), 0xf61);
    EXPECT_EQ(parse("max"), 0);
    EXPECT_EQ(memcmp(id.feat, x86_feat_implemented, sizeof(id.feat)), 0);
    EXPECT_STR(id.model_id, "QEMU TCG CPU version 2.5+");
    EXPECT_EQ(parse("base"), 0);
    EXPECT_EQ(id.level, 0);
    EXPECT_EQ(id.feat[X86_FW_1_EDX], 0);
    /* every model advertises only what hemu implements */
    const char *desc;
    for (unsigned i = 0; x86_cpu_model_nth(i, &desc); i++) {
        const char *name = x86_cpu_model_nth(i, &desc);
        if (!strcmp(name, "host")) {
            continue;
        }
        EXPECT_EQ(parse(name), 0);
        for (int w = 0; w < X86_FW_N; w++) {
            EXPECT_EQ(id.feat[w] & ~x86_feat_implemented[w], 0);
        }
    }
}

TEST(modifiers)
{
    EXPECT_EQ(parse("qemu64,+popcnt,-sse2,sse4.2=on,sse4_1,pni=off"), 0);
    EXPECT(x86_feat(&id, X86_FEAT_POPCNT));
    EXPECT(!x86_feat(&id, X86_FEAT_SSE2));
    EXPECT(x86_feat(&id, X86_FEAT_SSE42));
    EXPECT(x86_feat(&id, X86_FEAT_SSE41));
    EXPECT(!x86_feat(&id, X86_FEAT_SSE3));
    EXPECT_EQ(parse("qemu64,sse4-2,lahf_lm=off,xd=off,+pdpe1gb"), 0);
    EXPECT(x86_feat(&id, X86_FEAT_SSE42));
    EXPECT(!x86_feat(&id, X86_FEAT_LAHF_LM));
    EXPECT(!x86_feat(&id, X86_FEAT_NX));
    EXPECT(x86_feat(&id, X86_FEAT_PDPE1GB));
    /* as QEMU: +feat and -feat win over feat=on|off, - over + */
    EXPECT_EQ(parse("qemu64,+popcnt,popcnt=off"), 0);
    EXPECT(x86_feat(&id, X86_FEAT_POPCNT));
    EXPECT_EQ(parse("qemu64,popcnt=on,-popcnt"), 0);
    EXPECT(!x86_feat(&id, X86_FEAT_POPCNT));
    EXPECT_EQ(parse("qemu64,+popcnt,-popcnt"), 0);
    EXPECT(!x86_feat(&id, X86_FEAT_POPCNT));
    /* features hemu lacks cannot be turned on (a warning says so) */
    EXPECT_EQ(parse("qemu64,+avx,+svm,vmx=on"), 0);
    EXPECT_EQ(id.feat[X86_FW_1_ECX], 0x80002001);
    EXPECT_EQ(id.feat[X86_FW_1_EDX], 0x078bfbfd);
    EXPECT_EQ(id.feat[X86_FW_8001_ECX], 0x1);
    /* properties */
    EXPECT_EQ(parse("qemu64,family=21,model=2,stepping=0,vendor=GenuineIntel,"
                    "model-id=hello,level=7,xlevel=0x80000008,check,"
                    "enforce=off"), 0);
    EXPECT_EQ(x86_cpuid_signature(&id), 0x00600f20);  /* ext. family 6 */
    EXPECT_STR(id.vendor, "GenuineIntel");
    EXPECT_STR(id.model_id, "hello");
    EXPECT_EQ(id.level, 7);
    EXPECT_EQ(id.xlevel, 0x80000008);
}

TEST(errors)
{
    EXPECT(strstr(parse_err("foo"), "unable to find CPU model 'foo'"));
    EXPECT(strstr(parse_err("host"), "CPU model 'host' requires KVM or HVF"));
    EXPECT(strstr(parse_err("qemu64,+nope"),
                  "Property 'qemu64-x86_64-cpu.nope' not found"));
    EXPECT(strstr(parse_err("qemu64,nope=1"),
                  "Property 'qemu64-x86_64-cpu.nope' not found"));
    EXPECT(strstr(parse_err("qemu64,sse2=yes"),
                  "Parameter 'sse2' expects 'on' or 'off'"));
    EXPECT(strstr(parse_err("qemu64,family=x"),
                  "Parameter 'family' expects int64"));
    EXPECT(strstr(parse_err("qemu64,family=-1"),
                  "Parameter 'family' expects int64"));
    EXPECT(strstr(parse_err("qemu64,model=256"), "model"));
    EXPECT(strstr(parse_err("qemu64,vendor=Intel"), "vendor"));
    EXPECT(strstr(parse_err("qemu64,+avx512f,enforce"),
                  "TCG doesn't support requested features"));
    EXPECT_EQ(parse("qemu64,+popcnt,enforce"), 0);
    EXPECT(strstr(parse_err(""), "unable to find CPU model"));
    EXPECT(strstr(parse_err(","), "unable to find CPU model"));
    char big[300];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    memcpy(big, "qemu64,", 7);
    EXPECT(strstr(parse_err(big), "not found"));
}

TEST(help)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    x86_cpu_model_help(f);
    fclose(f);
    EXPECT(strstr(buf, "Available CPUs:\n"));
    EXPECT(strstr(buf, "\nx86 qemu64                (alias configured by "
                       "machine type)\n"));
    EXPECT(strstr(buf, "\nx86 qemu64-v1             QEMU Virtual CPU "
                       "version 2.5+\n"));
    EXPECT(strstr(buf, "\nx86 host                  "));
    EXPECT(strstr(buf, "\nRecognized CPUID flags:\n  3dnow "));
    EXPECT(strstr(buf, " sse4.2 "));
    for (char *l = strstr(buf, "Recognized"); l && *l; l = strchr(l, '\n')) {
        l++;
        EXPECT(strcspn(l, "\n") <= 76);
    }
    free(buf);
}

/* ---- a CPU of a model ------------------------------------------------ */

static uint8_t ram[1 << 16];
static struct x86_cpu cpu;

static uint8_t *ram_ptr(void *opaque, uint64_t pa, bool write)
{
    return pa < sizeof(ram) ? ram + (pa & ~0xfffull) : NULL;
}

static uint64_t rd(void *opaque, uint64_t pa, unsigned size)
{
    return ~0ull;
}

static void wr(void *opaque, uint64_t pa, uint64_t v, unsigned size)
{
}

static uint64_t prd(void *opaque, uint16_t port, unsigned size)
{
    return ~0ull;
}

static void pwr(void *opaque, uint16_t port, uint64_t v, unsigned size)
{
}

static const struct x86_bus bus = { ram_ptr, rd, wr, prd, pwr, NULL };

/* A 64-bit CPU of the model at CPL 0. */
static void cpu_of(const char *model)
{
    EXPECT_EQ(x86_cpu_model_select(model, NULL), 0);
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;
    cpu.cr0 |= X86_CR0_PE;
    cpu.cr4 |= X86_CR4_OSFXSR | X86_CR4_PAE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = (struct x86_seg){
            .sel = s == X86_CS ? 8 : 16, .limit = 0xffffffff,
            .attr = X86_SEG_P | X86_SEG_S | X86_SEG_G |
                    (s == X86_CS ? 0xb | X86_SEG_L : 0x3 | X86_SEG_DB),
        };
    }
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
}

/* Run one instruction (then HLT): -1 or the exception vector. */
static int run1(const char *code, size_t n)
{
    memcpy(ram + 0x1000, code, n);
    ram[0x1000 + n] = 0xf4;
    cpu.rip = 0x1000;
    enum x86_exit e = x86_cpu_run(&cpu, 10);
    return e == X86_EXIT_EXCEPTION ? cpu.exc_vector : -1;
}

TEST(reset_edx_and_cpuid)
{
    uint32_t r[4];
    cpu_of("kvm64");
    EXPECT_EQ(cpu.regs[X86_RDX], 0xf61);
    x86_cpuid_query(&cpu, 0x80000001, 0, r);
    EXPECT_EQ(r[3], 0x20100800);        /* Intel: no mirrored 01H bits */
    cpu_of("qemu64");
    EXPECT_EQ(cpu.regs[X86_RDX], 0x00060fb1);
    x86_cpuid_query(&cpu, 0x80000001, 0, r);
    EXPECT_EQ(r[3], 0x2193fbfd & ~0u);  /* AMD mirrors 01H:EDX */
    x86_cpuid_query(&cpu, 0x80000002, 0, r);
    EXPECT_EQ(memcmp(r, "QEMU Virtual CPU", 16), 0);
    /* above the highest leaf: the highest basic leaf's answer */
    uint32_t top[4];
    x86_cpuid_query(&cpu, 0xd, 0, top);
    x86_cpuid_query(&cpu, 0x40000000, 0, r);
    EXPECT_EQ(memcmp(r, top, sizeof(r)), 0);
    x86_cpuid_query(&cpu, 0x8000000b, 0, r);
    EXPECT_EQ(memcmp(r, top, sizeof(r)), 0);
    x86_cpuid_query(&cpu, 0x80000008, 0, r);
    EXPECT_EQ(r[0], 0x3028);
    /* the CPUID instruction */
    cpu.regs[X86_RAX] = 0;
    EXPECT_EQ(run1("\x0f\xa2", 2), -1);
    EXPECT_EQ(cpu.regs[X86_RAX], 0xd);
    EXPECT_EQ(memcmp(&cpu.regs[X86_RBX], "Auth", 4), 0);
}

TEST(gate)
{
    static const struct {
        const char *name, *code;
        size_t len;
        const char *without;        /* the feature removed */
    } insns[] = {
        { "popcnt", "\xf3\x0f\xb8\xc3", 4, "popcnt" },
        { "movbe", "\x0f\x38\xf0\x03", 4, "movbe" },
        { "crc32", "\xf2\x0f\x38\xf0\xc3", 5, "sse4.2" },
        { "pcmpgtq", "\x66\x0f\x38\x37\xc1", 5, "sse4.2" },
        { "pshufb", "\x66\x0f\x38\x00\xc1", 5, "ssse3" },
        { "palignr", "\x66\x0f\x3a\x0f\xc1\x01", 6, "ssse3" },
        { "pminsd", "\x66\x0f\x38\x39\xc1", 5, "sse4.1" },
        { "haddpd", "\x66\x0f\x7c\xc1", 4, "pni" },
        { "movddup", "\xf2\x0f\x12\xc1", 4, "sse3" },
        { "paddq", "\x66\x0f\xd4\xc1", 4, "sse2" },
        { "addps", "\x0f\x58\xc1", 3, "sse" },
        { "pmaxub mm", "\x0f\xde\xc1", 3, "sse" },
        { "paddb mm", "\x0f\xfc\xc1", 3, "mmx" },
        { "cmpxchg16b", "\x48\x0f\xc7\x0b", 4, "cx16" },
        { "cmpxchg8b", "\x0f\xc7\x0b", 3, "cx8" },
        { "cmovz", "\x0f\x44\xc1", 3, "cmov" },
        { "rdtsc", "\x0f\x31", 2, "tsc" },
        { "lahf", "\x9f", 1, "lahf-lm" },
        { "fxsave", "\x0f\xae\x03", 3, "fxsr" },
        { "clflush", "\x0f\xae\x3b", 3, "clflush" },
        { "mfence", "\x0f\xae\xf0", 3, "sse2" },
    };
    char model[64];

    for (size_t i = 0; i < ARRAY_SIZE(insns); i++) {
        cpu_of("max");
        cpu.regs[X86_RBX] = 0x2000;
        EXPECT_EQ(run1(insns[i].code, insns[i].len), -1);
        snprintf(model, sizeof(model), "max,-%s", insns[i].without);
        cpu_of(model);
        cpu.regs[X86_RBX] = 0x2000;
        int v = run1(insns[i].code, insns[i].len);
        if (v != X86_EXC_UD) {
            printf("#   %s without %s: vector %d\n", insns[i].name,
                   insns[i].without, v);
        }
        EXPECT_EQ(v, X86_EXC_UD);
    }
    /* the default model (qemu64) lacks SSSE3 and later */
    cpu_of("qemu64");
    EXPECT_EQ(run1("\x66\x0f\x38\x00\xc1", 5), X86_EXC_UD);
    EXPECT_EQ(run1("\x66\x0f\xd4\xc1", 4), -1);
}

TEST(lzcnt_without_abm_is_bsr)
{
    cpu_of("max");
    cpu.regs[X86_RBX] = 0x10000;
    EXPECT_EQ(run1("\xf3\x0f\xbd\xc3", 4), -1);
    EXPECT_EQ(cpu.regs[X86_RAX], 15);       /* LZCNT */
    cpu_of("max,-abm");
    cpu.regs[X86_RBX] = 0x10000;
    EXPECT_EQ(run1("\xf3\x0f\xbd\xc3", 4), -1);
    EXPECT_EQ(cpu.regs[X86_RAX], 16);       /* BSR */
}

TEST(gigabyte_pages_need_pdpe1gb)
{
    /* PML4[0] -> PDPT at 0x4000 whose entry 0 maps 1 GiB at 0 */
    static const uint64_t pml4 = 0x4003, pdpte = 0x83;  /* P RW PS */
    for (int on = 0; on < 2; on++) {
        cpu_of(on ? "qemu64,+pdpe1gb" : "qemu64");
        memcpy(ram + 0x3000, &pml4, 8);
        memcpy(ram + 0x4000, &pdpte, 8);
        cpu.cr3 = 0x3000;
        cpu.cr0 |= X86_CR0_PG;
        x86_tlb_flush(&cpu);
        int v = run1("\x8b\x04\x25\x00\x20\x00\x00", 7);  /* mov eax,[0x2000] */
        EXPECT_EQ(v, on ? -1 : X86_EXC_PF);
        if (!on) {
            EXPECT_EQ(cpu.exc_error & 8, 8);                /* RSVD */
        }
    }
}

TEST_MAIN()
