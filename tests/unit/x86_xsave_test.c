/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_xsave_test.c - XSAVE64 and XRSTOR64 of the soft x86 CPU against the
 * host CPU's own: random x87/SSE states (loaded with FXRSTOR64 on both)
 * are saved with XSAVE64 and compared; random save areas with every
 * XSTATE_BV and RFBM for x87 and SSE are restored with XRSTOR64 over a
 * random prior state and read back with FXSAVE64.  The fields the SDM
 * lets processors differ in are masked: FOP/FIP/FDP (AMD saves them only
 * with an exception pending), MXCSR_MASK, the reserved bytes of the
 * register slots and of the image's end.  Reference: Intel SDM vol. 1
 * 13.7-13.8 (XSAVE, XRSTOR standard form), 10.5.1 (FXSAVE image).
 */
#include "emu/osdep.h"

#include <cpuid.h>          /* __get_cpuid: the host must have OSXSAVE */

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define NCASES 3000

static uint8_t ram[1 << 16] __attribute__((aligned(64)));
static struct x86_cpu cpu;
static uint64_t seed = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

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

/* hemu: -cpu max in 64-bit mode with XSAVE enabled for x87 and SSE */
static void emu_setup(void)
{
    EXPECT_EQ(x86_cpu_model_select("max", NULL), 0);
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;
    cpu.cr0 |= X86_CR0_PE;
    cpu.cr4 |= X86_CR4_OSFXSR | X86_CR4_PAE | X86_CR4_OSXSAVE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.xcr0 = 3;
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

/* Run a 4-byte instruction on [rsi] with EDX:EAX = rfbm. */
static void emu_op(const char *insn, uint64_t area, uint32_t rfbm)
{
    memcpy(ram + 0x1000, insn, 4);
    ram[0x1004] = 0xf4;
    cpu.rip = 0x1000;
    cpu.regs[X86_RSI] = area;
    cpu.regs[X86_RAX] = rfbm;
    cpu.regs[X86_RDX] = 0;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
}

#define FXRSTOR64 "\x48\x0f\xae\x0e"
#define FXSAVE64 "\x48\x0f\xae\x06"
#define XSAVE64 "\x48\x0f\xae\x26"
#define XRSTOR64 "\x48\x0f\xae\x2e"

static uint32_t host_mxcsr_mask;

/* A random but self-consistent legacy image: ES and B follow the
   unmasked exception flags, MXCSR only has bits the host supports. */
static void random_image(uint8_t *b)
{
    for (int i = 0; i < 512; i += 8) {
        uint64_t v = rnd();
        memcpy(b + i, &v, 8);
    }
    uint16_t fcw = (uint16_t)((rnd() & 0x0f3f) | 0x40);
    uint16_t fsw = (uint16_t)(rnd() & 0x7f7f & ~0x80u);
    if (fsw & 0x3f & ~fcw) {
        fsw |= 0x8080;
    }
    memcpy(b, &fcw, 2);
    memcpy(b + 2, &fsw, 2);
    b[5] = 0;
    uint32_t mx = (uint32_t)rnd() & host_mxcsr_mask & 0xffff;
    memcpy(b + 24, &mx, 4);
    memset(b + 512 - 48, 0, 48);
}

/* Compare two images where the architecture fixes them. */
static bool same(const uint8_t *n, const uint8_t *e, bool header)
{
    bool ok = !memcmp(n, e, 6) && !memcmp(n + 24, e + 24, 4) &&
              !memcmp(n + 160, e + 160, 256);
    for (int i = 0; i < 8; i++) {
        ok = ok && !memcmp(n + 32 + 16 * i, e + 32 + 16 * i, 10);
    }
    if (header) {
        ok = ok && !memcmp(n + 512, e + 512, 8);
    }
    return ok;
}

static void dump(const char *what, const uint8_t *b)
{
    printf("#   %s:", what);
    for (int i = 0; i < 160; i++) {
        printf(" %02x", b[i]);
    }
    printf(" ... bv %02x\n", b[512]);
}

static uint8_t host_area[1024] __attribute__((aligned(64)));
static uint8_t host_prior[1024] __attribute__((aligned(64)));
static uint8_t host_out[1024] __attribute__((aligned(64)));

TEST(host_has_xsave)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    EXPECT(__get_cpuid(1, &a, &b, &c, &d));
    EXPECT((c >> 27) & 1);          /* OSXSAVE: the host OS uses it */
    uint8_t img[512] __attribute__((aligned(16)));
    __asm__ volatile("fxsave64 %0" : "=m"(img));
    memcpy(&host_mxcsr_mask, img + 28, 4);
    if (!host_mxcsr_mask) {
        host_mxcsr_mask = 0xffbf;
    }
    emu_setup();
}

TEST(xsave_matches_host)
{
    unsigned bad = 0;

    for (int n = 0; n < NCASES && bad < 5; n++) {
        uint32_t rfbm = 1 + (uint32_t)(rnd() % 3);
        random_image(host_prior);
        memset(host_out, 0, sizeof(host_out));
        __asm__ volatile(
            "fxrstor64 (%0)\n"
            "xsave64 (%1)\n"
            "fninit\n"
            "pushq $0x1f80\n ldmxcsr (%%rsp)\n addq $8, %%rsp\n"
            : : "r"(host_prior), "r"(host_out), "a"(rfbm), "d"(0)
            : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
              "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
              "xmm13", "xmm14", "xmm15");

        memcpy(ram + 0x2000, host_prior, 512);
        memset(ram + 0x3000, 0, 1024);
        emu_op(FXRSTOR64, 0x2000, 0);
        emu_op(XSAVE64, 0x3000, rfbm);
        /* only the components in RFBM are written */
        uint8_t want[1024];
        memcpy(want, host_out, sizeof(want));
        if (!same(want, ram + 0x3000, true)) {
            printf("#   xsave rfbm %u\n", rfbm);
            dump("host", want);
            dump("hemu", ram + 0x3000);
            bad++;
        }
    }
    EXPECT_EQ(bad, 0);
}

TEST(xrstor_matches_host)
{
    unsigned bad = 0;

    for (int n = 0; n < NCASES && bad < 5; n++) {
        uint32_t rfbm = 1 + (uint32_t)(rnd() % 3);
        uint64_t bv = rnd() % 4;
        random_image(host_prior);
        memset(host_area, 0, sizeof(host_area));
        random_image(host_area);
        memcpy(host_area + 512, &bv, 8);
        memset(host_out, 0, sizeof(host_out));
        __asm__ volatile(
            "fxrstor64 (%0)\n"
            "xrstor64 (%1)\n"
            "fxsave64 (%2)\n"
            "fninit\n"
            "pushq $0x1f80\n ldmxcsr (%%rsp)\n addq $8, %%rsp\n"
            : : "r"(host_prior), "r"(host_area), "r"(host_out), "a"(rfbm),
                "d"(0)
            : "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5",
              "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
              "xmm13", "xmm14", "xmm15");

        memcpy(ram + 0x2000, host_prior, 512);
        memcpy(ram + 0x3000, host_area, 1024);
        memset(ram + 0x4000, 0, 512);
        emu_op(FXRSTOR64, 0x2000, 0);
        emu_op(XRSTOR64, 0x3000, rfbm);
        emu_op(FXSAVE64, 0x4000, 0);
        if (!same(host_out, ram + 0x4000, false)) {
            printf("#   xrstor rfbm %u xstate_bv %u\n", rfbm, (unsigned)bv);
            dump("prior", host_prior);
            dump("area ", host_area);
            dump("host ", host_out);
            dump("hemu ", ram + 0x4000);
            bad++;
        }
    }
    EXPECT_EQ(bad, 0);
}

TEST_MAIN()
