/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_msr_test.c - RDMSR/WRMSR of the soft x86 CPU, MSR by MSR: the values
 * firmware and Linux read, the writes real hardware refuses with #GP
 * (reserved bits, non-canonical addresses, invalid memory types, MSRs of
 * features the CPU model lacks, unknown MSRs, CPL 3), RDMSR #UD without
 * CPUID.MSR; and XSAVE/XRSTOR/XGETBV/XSETBV round trips and faults.
 * References: Intel SDM vol. 4 table 2-2; vol. 3A 11.11 (MTRRs), 11.12.2
 * (PAT encodings), 15.3 (MCA); vol. 1 ch. 13 (XSAVE).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)

static uint8_t ram[RAM_SIZE] __attribute__((aligned(64)));
static struct x86_cpu cpu;

#include "tests/unit/x86_flatbus.h"   /* ram_ptr, mmio_*, pio_* */

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL,
};

/* A CPU of the model in flat 32-bit protected mode at CPL 0. */
static void setup(const char *model)
{
    EXPECT_EQ(x86_cpu_model_select(model, NULL), 0);
    memset(ram, 0, sizeof(ram));
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;
    cpu.cr0 |= X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = (struct x86_seg){
            .sel = s == X86_CS ? 8 : 16, .limit = 0xffffffff,
            .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                    (s == X86_CS ? 0xb : 0x3),
        };
    }
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
}

/* Run code at 0x1000 up to its HLT: -1, or the exception vector. */
static int run(const uint8_t *code, size_t n)
{
    memcpy(ram + 0x1000, code, n);
    ram[0x1000 + n] = 0xf4;
    cpu.rip = 0x1000;
    enum x86_exit e = x86_cpu_run(&cpu, 100);
    if (e == X86_EXIT_EXCEPTION) {
        return cpu.exc_vector;
    }
    EXPECT_EQ(e, X86_EXIT_HLT);
    return -1;
}

static int rdmsr(uint32_t msr, uint64_t *v)
{
    cpu.regs[X86_RCX] = msr;
    cpu.regs[X86_RAX] = cpu.regs[X86_RDX] = 0xdead;
    int r = run((const uint8_t *)"\x0f\x32", 2);
    *v = (cpu.regs[X86_RDX] << 32) | (uint32_t)cpu.regs[X86_RAX];
    return r;
}

static int wrmsr(uint32_t msr, uint64_t v)
{
    cpu.regs[X86_RCX] = msr;
    cpu.regs[X86_RAX] = (uint32_t)v;
    cpu.regs[X86_RDX] = v >> 32;
    return run((const uint8_t *)"\x0f\x30", 2);
}

/* Write then read back: the value, or ~0 after a fault. */
static uint64_t wr_rd(uint32_t msr, uint64_t v)
{
    uint64_t r;
    if (wrmsr(msr, v) >= 0 || rdmsr(msr, &r) >= 0) {
        return ~0ull;
    }
    return r;
}

TEST(efer)
{
    uint64_t v;
    setup("qemu64");
    EXPECT_EQ(rdmsr(0xc0000080, &v), -1);
    EXPECT_EQ(v, 0);
    EXPECT_EQ(wr_rd(0xc0000080, 0x901), 0x901);     /* SCE LME NXE */
    EXPECT_EQ(wrmsr(0xc0000080, 1u << 12), X86_EXC_GP);  /* SVME: no SVM */
    EXPECT_EQ(wrmsr(0xc0000080, 1u << 14), X86_EXC_GP);  /* FFXSR */
    /* LME cannot change while paging is on */
    cpu.cr0 |= X86_CR0_PG;
    EXPECT_EQ(wrmsr(0xc0000080, 0x801), X86_EXC_GP);
    cpu.cr0 &= ~(uint64_t)X86_CR0_PG;
    /* a 32-bit model without NX or long mode: those bits are reserved */
    setup("kvm32");
    EXPECT_EQ(wrmsr(0xc0000080, 0x800), X86_EXC_GP);
    EXPECT_EQ(wrmsr(0xc0000080, 0x100), X86_EXC_GP);
    EXPECT_EQ(wrmsr(0xc0000080, 0x1), X86_EXC_GP);
    EXPECT_EQ(wr_rd(0xc0000080, 0), 0);
    setup("qemu64,-nx");
    EXPECT_EQ(wrmsr(0xc0000080, 0x800), X86_EXC_GP);
}

TEST(syscall_msrs)
{
    setup("qemu64");
    EXPECT_EQ(wr_rd(0xc0000081, 0x0023001000000000ull), 0x0023001000000000ull);
    EXPECT_EQ(wr_rd(0xc0000082, 0xffffffff81000000ull), 0xffffffff81000000ull);
    EXPECT_EQ(wrmsr(0xc0000082, 0x0000800000000000ull), X86_EXC_GP);
    EXPECT_EQ(wr_rd(0xc0000083, 0x00007fffffff0000ull), 0x00007fffffff0000ull);
    EXPECT_EQ(wrmsr(0xc0000083, 0x8000000000000000ull), X86_EXC_GP);
    EXPECT_EQ(wr_rd(0xc0000084, 0x47700), 0x47700);
    for (uint32_t m = 0xc0000100; m <= 0xc0000102; m++) {
        EXPECT_EQ(wr_rd(m, 0xffff888000000000ull), 0xffff888000000000ull);
        EXPECT_EQ(wrmsr(m, 0x1000000000000000ull), X86_EXC_GP);
    }
    EXPECT_EQ(cpu.seg[X86_FS].base, 0xffff888000000000ull);
    EXPECT_EQ(cpu.kernel_gs_base, 0xffff888000000000ull);
    for (uint32_t m = 0x174; m <= 0x176; m++) {
        EXPECT_EQ(wr_rd(m, 0x10 + m), 0x10 + m);
    }
}

TEST(tsc)
{
    uint64_t a, b;
    setup("qemu64");
    EXPECT_EQ(rdmsr(0x10, &a), -1);
    EXPECT_EQ(rdmsr(0x10, &b), -1);
    EXPECT(b >= a);
    /* a write moves the counter: it continues from the value written */
    EXPECT_EQ(wrmsr(0x10, 1000000000000ull), -1);
    EXPECT_EQ(rdmsr(0x10, &a), -1);
    EXPECT(a >= 1000000000000ull && a < 1000000000000ull + 1000000000ull);
    /* TSC_AUX exists with RDTSCP only */
    EXPECT_EQ(wrmsr(0xc0000103, 5), X86_EXC_GP);
    EXPECT_EQ(rdmsr(0xc0000103, &a), X86_EXC_GP);
    setup("qemu64,+rdtscp");
    EXPECT_EQ(wr_rd(0xc0000103, 5), 5);
    EXPECT_EQ(wrmsr(0xc0000103, 1ull << 32), X86_EXC_GP);
    /* RDTSCP returns it in ECX */
    EXPECT_EQ(run((const uint8_t *)"\x0f\x01\xf9", 3), -1);
    EXPECT_EQ(cpu.regs[X86_RCX], 5);
    setup("qemu64");
    EXPECT_EQ(run((const uint8_t *)"\x0f\x01\xf9", 3), X86_EXC_UD);
}

TEST(pat)
{
    uint64_t v;
    setup("qemu64");
    EXPECT_EQ(rdmsr(0x277, &v), -1);
    EXPECT_EQ(v, 0x0007040600070406ull);        /* power-on value */
    EXPECT_EQ(wr_rd(0x277, 0x0007010600070106ull), 0x0007010600070106ull);
    EXPECT_EQ(wrmsr(0x277, 0x0007040600070402ull), X86_EXC_GP);  /* 2 */
    EXPECT_EQ(wrmsr(0x277, 0x0307040600070406ull), X86_EXC_GP);  /* 3 */
    EXPECT_EQ(wrmsr(0x277, 0x0807040600070406ull), X86_EXC_GP);  /* 8 */
}

TEST(mtrr)
{
    uint64_t v;
    setup("qemu64");
    EXPECT_EQ(rdmsr(0xfe, &v), -1);
    EXPECT_EQ(v, 0x508);        /* 8 variable, fixed ranges, WC */
    EXPECT_EQ(wrmsr(0xfe, 0x508), X86_EXC_GP);
    EXPECT_EQ(wr_rd(0x2ff, 0xc06), 0xc06);
    EXPECT_EQ(wrmsr(0x2ff, 0x1006), X86_EXC_GP);    /* reserved bit 12 */
    EXPECT_EQ(wrmsr(0x2ff, 0xc02), X86_EXC_GP);     /* type 2 */
    EXPECT_EQ(wr_rd(0x250, 0x0606060606060606ull), 0x0606060606060606ull);
    EXPECT_EQ(wr_rd(0x26f, 0x0504010006050401ull), 0x0504010006050401ull);
    EXPECT_EQ(wrmsr(0x258, 0x0606060606060607ull), X86_EXC_GP);
    EXPECT_EQ(wrmsr(0x268, 0x0306060606060606ull), X86_EXC_GP);
    /* variable ranges: 40 physical address bits (CPUID 80000008H) */
    EXPECT_EQ(wr_rd(0x200, 0x80000006ull), 0x80000006ull);
    EXPECT_EQ(wr_rd(0x201, 0xff80000800ull), 0xff80000800ull);
    EXPECT_EQ(wrmsr(0x200, 0x80000106ull), X86_EXC_GP);     /* bit 8 */
    EXPECT_EQ(wrmsr(0x200, 0x80000003ull), X86_EXC_GP);     /* type 3 */
    EXPECT_EQ(wrmsr(0x20e, 1ull << 40), X86_EXC_GP);        /* > 40 bits */
    EXPECT_EQ(wrmsr(0x20f, 0xff80000400ull), X86_EXC_GP);   /* bit 10 */
    EXPECT_EQ(rdmsr(0x210, &v), X86_EXC_GP);                /* 9th pair */
    /* AMD's SYSCFG comes with them on an AMD model */
    EXPECT_EQ(rdmsr(0xc0010010, &v), -1);
    EXPECT_EQ(v, 0);
    EXPECT_EQ(wr_rd(0xc0010010, 0x40000), 0x40000);
    EXPECT_EQ(wrmsr(0xc0010010, 1), X86_EXC_GP);
    setup("kvm64");
    EXPECT_EQ(rdmsr(0xc0010010, &v), X86_EXC_GP);
    /* a model without MTRRs has none of them */
    setup("pentium");
    EXPECT_EQ(rdmsr(0xfe, &v), X86_EXC_GP);
    EXPECT_EQ(wrmsr(0x2ff, 0), X86_EXC_GP);
}

TEST(machine_check)
{
    uint64_t v;
    setup("qemu64");
    EXPECT_EQ(rdmsr(0x179, &v), -1);
    EXPECT_EQ(v, 0x0100010a);   /* 10 banks, MCG_CTL_P, MCG_SER_P */
    EXPECT_EQ(wrmsr(0x179, 0), X86_EXC_GP);
    EXPECT_EQ(rdmsr(0x17b, &v), -1);
    EXPECT_EQ(v, ~0ull);
    EXPECT_EQ(wr_rd(0x17b, 0), 0);
    EXPECT_EQ(wrmsr(0x17b, 1), X86_EXC_GP);
    EXPECT_EQ(wr_rd(0x17a, 0), 0);
    EXPECT_EQ(wrmsr(0x17a, 8), X86_EXC_GP);
    EXPECT_EQ(rdmsr(0x400, &v), -1);
    EXPECT_EQ(v, ~0ull);
    EXPECT_EQ(wr_rd(0x401, 0), 0);                  /* MC0_STATUS: clear */
    EXPECT_EQ(wrmsr(0x401, 1), X86_EXC_GP);
    EXPECT_EQ(wr_rd(0x427, 0x1234), 0x1234);        /* MC9_MISC */
    EXPECT_EQ(rdmsr(0x428, &v), X86_EXC_GP);        /* no bank 10 */
    setup("pentium");
    EXPECT_EQ(rdmsr(0x179, &v), X86_EXC_GP);
}

TEST(misc_and_absent)
{
    uint64_t v;
    setup("qemu64");
    EXPECT_EQ(rdmsr(0x1a0, &v), -1);
    EXPECT_EQ(v, 1);                                /* fast strings */
    EXPECT_EQ(wr_rd(0x1a0, 0x801), 0x801);
    EXPECT_EQ(rdmsr(0x8b, &v), -1);
    EXPECT_EQ(v, 0x01000065);                       /* AMD patch level */
    EXPECT_EQ(wrmsr(0x8b, 0), -1);
    /* absent on qemu64, as on an AMD CPU of its kind: PLATFORM_INFO,
       SPEC_CTRL, PRED_CMD, ARCH_CAPABILITIES, TSC_ADJUST, FEATURE_CONTROL,
       and an MSR nobody has */
    static const uint32_t absent[] = {
        0xce, 0x48, 0x49, 0x10a, 0x3b, 0x3a, 0x12345678, 0xc0011234,
    };
    for (size_t i = 0; i < ARRAY_SIZE(absent); i++) {
        EXPECT_EQ(rdmsr(absent[i], &v), X86_EXC_GP);
        EXPECT_EQ(wrmsr(absent[i], 0), X86_EXC_GP);
    }
    /* not from CPL 3 */
    cpu.seg[X86_CS].sel |= 3;
    cpu.seg[X86_CS].attr |= 3 << 5;
    x86_cpu_update_mode(&cpu);
    EXPECT_EQ(rdmsr(0x1a0, &v), X86_EXC_GP);
    /* no RDMSR at all without CPUID.01H:EDX.MSR */
    setup("486");
    EXPECT_EQ(rdmsr(0x10, &v), X86_EXC_UD);
    setup("kvm64");
    EXPECT_EQ(rdmsr(0x8b, &v), -1);
    EXPECT_EQ(v, 0x100000000ull);                   /* Intel's layout */
}

TEST(sysenter_sysexit)
{
    static const uint8_t sysenter[] = { 0x0f, 0x34 };
    static const uint8_t sysexit[] = { 0x0f, 0x35 };
    static const uint8_t sysexit64[] = { 0x48, 0x0f, 0x35 };

    /* 32-bit protected mode: CS = SYSENTER_CS, SS = +8, flat, CPL 0 */
    setup("kvm32");
    EXPECT_EQ(run(sysenter, 2), X86_EXC_GP);        /* SYSENTER_CS = 0 */
    EXPECT_EQ(wrmsr(0x174, 0x10), -1);
    EXPECT_EQ(wrmsr(0x175, 0x1234567890ull), -1);
    EXPECT_EQ(wrmsr(0x176, 0x2000), -1);
    ram[0x2000] = 0xf4;
    cpu.regs[X86_RCX] = 0x174;
    cpu.rflags |= X86_IF;
    memcpy(ram + 0x1000, sysenter, 2);
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.rip, 0x2001);
    EXPECT_EQ(cpu.seg[X86_CS].sel, 0x10);
    EXPECT_EQ(cpu.seg[X86_SS].sel, 0x18);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x34567890);
    EXPECT_EQ(cpu.rflags & X86_IF, 0);
    EXPECT_EQ(cpu.code_size, 2);
    /* SYSEXIT: CS = +16 | 3, SS = +24 | 3, EIP = EDX, ESP = ECX */
    cpu.regs[X86_RDX] = 0x3000;
    cpu.regs[X86_RCX] = 0x8000;
    ram[0x3000] = 0x90;
    memcpy(ram + 0x1000, sysexit, 2);
    cpu.rip = 0x1000;
    x86_cpu_run(&cpu, 1);
    EXPECT_EQ(cpu.rip, 0x3000);
    EXPECT_EQ(cpu.seg[X86_CS].sel, 0x23);
    EXPECT_EQ(cpu.seg[X86_SS].sel, 0x2b);
    EXPECT_EQ(cpu.cpl, 3);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x8000);
    /* only CPL 0 may SYSEXIT */
    EXPECT_EQ(run(sysexit, 2), X86_EXC_GP);

    /* Intel in IA-32e mode: 64-bit SYSENTER, SYSEXIT with REX.W */
    setup("kvm64");
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.seg[X86_CS].attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | 0xb;
    x86_cpu_update_mode(&cpu);
    EXPECT_EQ(wrmsr(0x174, 0x10), -1);
    EXPECT_EQ(wrmsr(0x175, 0xffff888000001000ull), -1);
    EXPECT_EQ(wrmsr(0x176, 0x2000), -1);
    ram[0x2000] = 0xf4;
    memcpy(ram + 0x1000, sysenter, 2);
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.mode, X86_MODE_LONG);
    EXPECT_EQ(cpu.regs[X86_RSP], 0xffff888000001000ull);
    cpu.regs[X86_RDX] = 0x0000800000000000ull;      /* not canonical */
    cpu.regs[X86_RCX] = 0x8000;
    EXPECT_EQ(run(sysexit64, 3), X86_EXC_GP);
    cpu.regs[X86_RDX] = 0x3000;
    memcpy(ram + 0x1000, sysexit64, 3);
    cpu.rip = 0x1000;
    x86_cpu_run(&cpu, 1);
    EXPECT_EQ(cpu.seg[X86_CS].sel, 0x33);           /* +32 | 3 */
    EXPECT_EQ(cpu.mode, X86_MODE_LONG);
    EXPECT_EQ(cpu.rip, 0x3000);

    /* AMD: #UD in long mode; real mode: #GP; without SEP: #UD */
    setup("qemu64");
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.seg[X86_CS].attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | 0xb;
    x86_cpu_update_mode(&cpu);
    EXPECT_EQ(wrmsr(0x174, 0x10), -1);
    EXPECT_EQ(run(sysenter, 2), X86_EXC_UD);
    setup("qemu64");
    cpu.cr0 &= ~(uint64_t)X86_CR0_PE;
    x86_cpu_update_mode(&cpu);
    EXPECT_EQ(run(sysenter, 2), X86_EXC_GP);
    setup("pentium");
    EXPECT_EQ(wrmsr(0x174, 0x10), -1);
    EXPECT_EQ(run(sysenter, 2), X86_EXC_UD);
}

TEST(cr4_bits_follow_features)
{
    /* mov eax, ecx... : mov cr4, ecx */
    static const uint8_t mov_cr4[] = { 0x0f, 0x22, 0xe1 };
    setup("qemu64");
    cpu.regs[X86_RCX] = X86_CR4_OSXSAVE;
    EXPECT_EQ(run(mov_cr4, 3), X86_EXC_GP);
    cpu.regs[X86_RCX] = X86_CR4_PGE | X86_CR4_OSFXSR | X86_CR4_PAE;
    EXPECT_EQ(run(mov_cr4, 3), -1);
    setup("qemu64,-pge");
    cpu.regs[X86_RCX] = X86_CR4_PGE;
    EXPECT_EQ(run(mov_cr4, 3), X86_EXC_GP);
    setup("486");
    cpu.regs[X86_RCX] = X86_CR4_OSFXSR;
    EXPECT_EQ(run(mov_cr4, 3), X86_EXC_GP);
    cpu.regs[X86_RCX] = X86_CR4_PSE;
    EXPECT_EQ(run(mov_cr4, 3), -1);
}

/* ---- XSAVE ---------------------------------------------------------- */

static const uint8_t xsetbv[] = { 0x0f, 0x01, 0xd1 };
static const uint8_t xgetbv[] = { 0x0f, 0x01, 0xd0 };
static const uint8_t xsave_esi[] = { 0x0f, 0xae, 0x26 };   /* [esi] */
static const uint8_t xrstor_esi[] = { 0x0f, 0xae, 0x2e };

static void xsave_cpu(void)
{
    setup("max");
    cpu.cr4 |= X86_CR4_OSXSAVE | X86_CR4_OSFXSR;
}

/* ... with x87 and SSE state enabled in XCR0 */
static void xsave_cpu3(void)
{
    xsave_cpu();
    cpu.xcr0 = 3;
}

TEST(xgetbv_xsetbv)
{
    setup("qemu64");
    EXPECT_EQ(run(xgetbv, 3), X86_EXC_UD);          /* no XSAVE */
    setup("max");
    EXPECT_EQ(run(xgetbv, 3), X86_EXC_UD);          /* CR4.OSXSAVE clear */
    xsave_cpu();
    cpu.regs[X86_RCX] = 0;
    EXPECT_EQ(run(xgetbv, 3), -1);
    EXPECT_EQ(cpu.regs[X86_RAX], 1);                /* x87 after reset */
    cpu.regs[X86_RAX] = 3;
    cpu.regs[X86_RDX] = 0;
    EXPECT_EQ(run(xsetbv, 3), -1);
    EXPECT_EQ(cpu.xcr0, 3);
    cpu.regs[X86_RAX] = 2;                          /* x87 must stay */
    EXPECT_EQ(run(xsetbv, 3), X86_EXC_GP);
    cpu.regs[X86_RAX] = 7;                          /* no AVX */
    EXPECT_EQ(run(xsetbv, 3), X86_EXC_GP);
    cpu.regs[X86_RAX] = 3;
    cpu.regs[X86_RCX] = 1;                          /* only XCR0 */
    EXPECT_EQ(run(xsetbv, 3), X86_EXC_GP);
    EXPECT_EQ(run(xgetbv, 3), X86_EXC_GP);
    /* CPUID reflects OSXSAVE and the XSAVE leaf */
    uint32_t r[4];
    x86_cpuid_query(&cpu, 1, 0, r);
    EXPECT_EQ((r[2] >> 26) & 3, 3);
    x86_cpuid_query(&cpu, 0xd, 0, r);
    EXPECT_EQ(r[0], 3);
    EXPECT_EQ(r[2], 576);
}

TEST(xsave_round_trip)
{
    xsave_cpu3();
    for (int i = 0; i < 8; i++) {
        cpu.xmm[i][0] = 0x1111111111111111ull * (i + 1);
        cpu.xmm[i][1] = ~cpu.xmm[i][0];
    }
    cpu.mxcsr = 0x1f80 | 0x6000;
    cpu.fcw = 0x27f;
    cpu.fsw = 0x3800;
    cpu.ftw = 0x3fff;           /* physical 7 valid */
    /* ST0 (physical 7) = 1.0: significand 8000..., exponent 3fff */
    memcpy(cpu.fpr[0], "\0\0\0\0\0\0\0\x80\xff\x3f", 10);
    cpu.regs[X86_RSI] = 0x2000;
    cpu.regs[X86_RAX] = 3;
    cpu.regs[X86_RDX] = 0;
    memset(ram + 0x2000 + 512, 0, 64);
    EXPECT_EQ(run(xsave_esi, 3), -1);
    uint64_t bv;
    memcpy(&bv, ram + 0x2000 + 512, 8);
    EXPECT_EQ(bv, 3);
    uint32_t mx;
    memcpy(&mx, ram + 0x2000 + 24, 4);
    EXPECT_EQ(mx, 0x7f80);
    /* the legacy region is FXSAVE's image: compare with FXSAVE [0x3000] */
    cpu.regs[X86_RSI] = 0x3000;
    EXPECT_EQ(run((const uint8_t *)"\x0f\xae\x06", 3), -1);
    EXPECT_EQ(memcmp(ram + 0x2000, ram + 0x3000, 416), 0);

    /* only the registers: struct x86_cpu holds the block arena */
    struct { uint64_t xmm[16][2]; uint8_t fpr[8][10]; } saved;
    memcpy(saved.xmm, cpu.xmm, sizeof(saved.xmm));
    memcpy(saved.fpr, cpu.fpr, sizeof(saved.fpr));
    memset(cpu.xmm, 0, sizeof(cpu.xmm));
    cpu.mxcsr = 0x1f80;
    cpu.fcw = 0x37f;
    cpu.fsw = 0;
    cpu.ftw = 0xffff;
    memset(cpu.fpr, 0, sizeof(cpu.fpr));
    cpu.regs[X86_RSI] = 0x2000;
    EXPECT_EQ(run(xrstor_esi, 3), -1);
    EXPECT_EQ(memcmp(cpu.xmm, saved.xmm, sizeof(cpu.xmm)), 0);
    EXPECT_EQ(cpu.mxcsr, 0x7f80);
    EXPECT_EQ(cpu.fcw, 0x27f);
    EXPECT_EQ(cpu.fsw, 0x3800);
    EXPECT_EQ(cpu.ftw, 0x3fff);
    EXPECT_EQ(memcmp(cpu.fpr[0], saved.fpr[0], 10), 0);

    /* XSTATE_BV[1] = 0: SSE registers take their initial (zero) value,
       MXCSR still comes from memory */
    bv = 1;
    memcpy(ram + 0x2000 + 512, &bv, 8);
    EXPECT_EQ(run(xrstor_esi, 3), -1);
    EXPECT_EQ(cpu.xmm[3][0], 0);
    EXPECT_EQ(cpu.mxcsr, 0x7f80);
    /* RFBM without x87: the x87 state stays */
    cpu.fcw = 0x37f;
    cpu.regs[X86_RAX] = 2;
    EXPECT_EQ(run(xrstor_esi, 3), -1);
    EXPECT_EQ(cpu.fcw, 0x37f);
}

TEST(xsave_faults)
{
    xsave_cpu3();
    cpu.regs[X86_RAX] = 3;
    cpu.regs[X86_RDX] = 0;
    cpu.regs[X86_RSI] = 0x2010;                     /* not 64-aligned */
    EXPECT_EQ(run(xsave_esi, 3), X86_EXC_GP);
    cpu.regs[X86_RSI] = 0x2000;
    memset(ram + 0x2000, 0, 576);
    ram[0x2000 + 512] = 4;                          /* AVX not in XCR0 */
    EXPECT_EQ(run(xrstor_esi, 3), X86_EXC_GP);
    ram[0x2000 + 512] = 0;
    ram[0x2000 + 520 + 7] = 0x80;                   /* compacted form */
    EXPECT_EQ(run(xrstor_esi, 3), X86_EXC_GP);
    ram[0x2000 + 520 + 7] = 0;
    ram[0x2000 + 540] = 1;                          /* reserved header */
    EXPECT_EQ(run(xrstor_esi, 3), X86_EXC_GP);
    ram[0x2000 + 540] = 0;
    ram[0x2000 + 512] = 2;
    ram[0x2000 + 26] = 1;                           /* MXCSR bit 16 */
    EXPECT_EQ(run(xrstor_esi, 3), X86_EXC_GP);
    ram[0x2000 + 26] = 0;
    EXPECT_EQ(run(xrstor_esi, 3), -1);
    cpu.cr0 |= X86_CR0_TS;
    EXPECT_EQ(run(xsave_esi, 3), X86_EXC_NM);
    cpu.cr0 &= ~(uint64_t)X86_CR0_TS;
    cpu.cr4 &= ~(uint64_t)X86_CR4_OSXSAVE;
    EXPECT_EQ(run(xsave_esi, 3), X86_EXC_UD);
    setup("qemu64");
    cpu.regs[X86_RSI] = 0x2000;
    EXPECT_EQ(run(xsave_esi, 3), X86_EXC_UD);       /* no XSAVE */
}

TEST_MAIN()
