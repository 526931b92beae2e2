/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_sse_test.c - host-differential tests of the soft x86 CPU's MMX, SSE,
 * SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 instructions: every opcode of those
 * maps with every mandatory prefix (none, 66, F3, F2), register and memory
 * forms, REX.W/R/B variants and random immediates.  Each case runs "FXRSTOR64 [r15]; insn;
 * FXSAVE64 [r15]" natively (an executable buffer between a register-loading
 * trampoline and a jump back) and in hemu's CPU in 64-bit mode, from the
 * same random state: XMM and memory operands full of special values
 * (zeros, denormals, infinities, QNaN/SNaN, integer indefinite), MXCSR
 * with random rounding, DAZ/FTZ, sticky flags and sometimes unmasked
 * exceptions (the host's SIGFPE must be hemu's #XM), x87 registers and
 * tags that the MMX instructions take over.  The FXSAVE images (FCW, FSW, FTW, registers, MXCSR,
 * XMM), registers, flags and data are compared; FOP/FIP/FDP, the
 * selectors and MXCSR_MASK are not (hosts deprecate or defer the first,
 * and may support MXCSR bits hemu does not).  SIGILL must be #UD,
 * SIGSEGV (a misaligned 16-byte operand) #GP.
 */
#include "emu/osdep.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define NCASES 1000

/* ---- native execution ------------------------------------------------- */

struct nregs {
    uint64_t r[16];
    uint64_t flags;
};

void x86t_native_exec(struct nregs *st, const void *code);
void x86t_native_return(void);

__asm__(
    ".text\n"
    ".p2align 4\n"
    ".globl x86t_native_exec\n"
    ".hidden x86t_native_exec\n"
    "x86t_native_exec:\n"
    "    push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n"
    "    push %r15\n"
    "    mov %rsp, x86t_saved_rsp(%rip)\n"
    "    mov %rdi, x86t_state(%rip)\n"
    "    mov %rsi, x86t_target(%rip)\n"
    "    pushq 128(%rdi)\n"
    "    popfq\n"
    "    mov 0(%rdi), %rax\n mov 8(%rdi), %rcx\n mov 16(%rdi), %rdx\n"
    "    mov 24(%rdi), %rbx\n mov 32(%rdi), %rsp\n mov 40(%rdi), %rbp\n"
    "    mov 48(%rdi), %rsi\n mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n"
    "    mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n mov 96(%rdi), %r12\n"
    "    mov 104(%rdi), %r13\n mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
    "    mov 56(%rdi), %rdi\n"
    "    jmp *x86t_target(%rip)\n"
    ".globl x86t_native_return\n"
    ".hidden x86t_native_return\n"
    "x86t_native_return:\n"
    "    mov %rsp, x86t_tmp_rsp(%rip)\n"
    "    lea x86t_stack_top(%rip), %rsp\n"
    "    pushfq\n"
    "    push %rax\n"
    "    mov x86t_state(%rip), %rax\n"
    "    mov %rcx, 8(%rax)\n mov %rdx, 16(%rax)\n mov %rbx, 24(%rax)\n"
    "    mov %rbp, 40(%rax)\n mov %rsi, 48(%rax)\n mov %rdi, 56(%rax)\n"
    "    mov %r8, 64(%rax)\n mov %r9, 72(%rax)\n mov %r10, 80(%rax)\n"
    "    mov %r11, 88(%rax)\n mov %r12, 96(%rax)\n mov %r13, 104(%rax)\n"
    "    mov %r14, 112(%rax)\n mov %r15, 120(%rax)\n"
    "    pop %rcx\n mov %rcx, 0(%rax)\n"
    "    pop %rcx\n mov %rcx, 128(%rax)\n"
    "    mov x86t_tmp_rsp(%rip), %rcx\n mov %rcx, 32(%rax)\n"
    "    mov x86t_saved_rsp(%rip), %rsp\n"
    "    cld\n fninit\n"
    "    pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "    ret\n"
    ".bss\n"
    ".p2align 4\n"
    "x86t_saved_rsp: .zero 8\n"
    "x86t_state: .zero 8\n"
    "x86t_target: .zero 8\n"
    "x86t_tmp_rsp: .zero 8\n"
    ".p2align 4\n"
    "x86t_stack: .zero 256\n"
    "x86t_stack_top:\n"
    ".text\n");

static uint8_t *code_buf;
static uint8_t *host_data;
static sigjmp_buf sig_jb;

static void on_signal(int sig)
{
    siglongjmp(sig_jb, sig == SIGILL ? 6 : sig == SIGFPE ? 19 : 13);
}

static void host_fpu_clean(void)
{
    uint32_t m = 0x1f80;
    __asm__ volatile("cld; fninit; emms; ldmxcsr %0" : : "m"(m));
}

static void native_setup(void)
{
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    struct sigaction sa;

    code_buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    host_data = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (code_buf == MAP_FAILED || host_data == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

/* Run code natively; returns -1 or the exception vector. */
static int native_run(struct nregs *st, const uint8_t *code, unsigned len)
{
    uint64_t back = (uint64_t)(uintptr_t)x86t_native_return;
    int v;

    memcpy(code_buf, code, len);
    memcpy(code_buf + len, "\xff\x25\x00\x00\x00\x00", 6);
    memcpy(code_buf + len + 6, &back, 8);
    v = sigsetjmp(sig_jb, 1);
    if (v) {
        host_fpu_clean();
        return v;
    }
    x86t_native_exec(st, code_buf);
    host_fpu_clean();
    return -1;
}

/* ---- emulated execution ------------------------------------------------ */

#define G_CODE ((uintptr_t)code_buf)
#define G_DATA ((uintptr_t)host_data)

static uint8_t emu_code[4096], emu_data[4096];
static struct x86_cpu cpu;

static uint8_t *ram_ptr(void *opaque, uint64_t pa, bool write)
{
    uint64_t page = pa & ~0xfffull;
    if (page == G_CODE) {
        return emu_code;
    } else if (page == G_DATA) {
        return emu_data;
    }
    return NULL;
}

static uint64_t mmio_read(void *opaque, uint64_t pa, unsigned size)
{
    return ~0ull;
}

static void mmio_write(void *opaque, uint64_t pa, uint64_t v, unsigned size)
{
}

static uint64_t pio_read(void *opaque, uint16_t port, unsigned size)
{
    return ~0ull;
}

static void pio_write(void *opaque, uint16_t port, uint64_t v, unsigned size)
{
}

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL,
};

static void emu_setup(void)
{
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;
    cpu.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_MP;
    cpu.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.seg[X86_CS] = (struct x86_seg){
        .sel = 0x33, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | 0xb | X86_SEG_L | X86_SEG_DPL,
    };
    for (int s = 0; s < X86_NSEG; s++) {
        if (s != X86_CS) {
            cpu.seg[s] = (struct x86_seg){
                .sel = 0x2b, .limit = 0xffffffff,
                .attr = X86_SEG_P | X86_SEG_S | 3 | X86_SEG_DB | X86_SEG_DPL,
            };
        }
    }
    x86_cpu_update_mode(&cpu);
}

/* Runs the 3 instructions FXRSTOR, insn, FXSAVE. */
static int emu_run(struct nregs *st, const uint8_t *code, unsigned len)
{
    memcpy(emu_code, code, len);
    memcpy(cpu.regs, st->r, sizeof(cpu.regs));
    cpu.rip = G_CODE;
    x86_cpu_set_rflags(&cpu, st->flags | X86_IF);
    enum x86_exit e = x86_cpu_run(&cpu, 3);
    memcpy(st->r, cpu.regs, sizeof(cpu.regs));
    st->flags = x86_cpu_get_rflags(&cpu);
    if (e == X86_EXIT_EXCEPTION) {
        return cpu.exc_vector;
    }
    if (e != X86_EXIT_BUDGET) {
        return 100 + e;
    }
    if (cpu.rip != G_CODE + len) {
        return 200;
    }
    return -1;
}

/* ---- random inputs ------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* A random 80-bit value, often special. */
static void rnd_f80(uint8_t *p)
{
    uint64_t m = rnd();
    uint16_t e = (uint16_t)(0x3fff + (int)(rnd() % 130) - 65);
    switch (rnd() % 14) {
    case 0: m = 0; e = 0; break;                            /* zero */
    case 1: m >>= 1 + rnd() % 62; e = 0; break;             /* denormal */
    case 2: m |= 1ull << 63; e = 0; break;                  /* pseudo-den. */
    case 3: m = 1ull << 63; e = 0x7fff; break;              /* infinity */
    case 4: m |= 3ull << 62; e = 0x7fff; break;             /* QNaN */
    case 5: m = (m & ~(3ull << 62)) | (1ull << 63) | 1;     /* SNaN */
        e = 0x7fff; break;
    case 6: m = 3ull << 62; e = 0x7fff; break;              /* indefinite */
    case 7: m &= ~(1ull << 63); break;                      /* unnormal */
    case 8: m = (rnd() % 1000) << 53 | 1ull << 63;          /* small int */
        e = (uint16_t)(0x3fff + rnd() % 10); break;
    case 9: e = (uint16_t)(rnd() & 0x7fff); m |= 1ull << 63; break;
    case 10: m = 1ull << 63; e = 0x3fff; break;             /* 1.0 */
    default: m |= 1ull << 63; break;
    }
    e |= (uint16_t)((rnd() & 1) << 15);
    memcpy(p, &m, 8);
    memcpy(p + 8, &e, 2);
}

static void rnd_mem(uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i += 16) {
        uint64_t v = rnd();
        switch (rnd() % 6) {
        case 0: rnd_f80(p + i); continue;
        case 1: v = (rnd() & 1) ? 0x7f800001 + (rnd() & 0x3fffff)
                                : 0x7fc00000 | (rnd() & 0x3fffff); break;
        case 2: v = (rnd() & 1) ? 0x7ff0000000000001ull
                                : 0x00000000000fffffull & rnd(); break;
        case 3: v = rnd() % 200; break;
        case 4: v = 0x8000000000000000ull >> (rnd() % 64 & 0x20); break;
        default: break;
        }
        v ^= (rnd() & 1) ? 0x8000000080000000ull : 0;
        memcpy(p + i, &v, 8);
        v = rnd();
        memcpy(p + i + 8, &v, 8);
    }
}

/* A random FXSAVE image: x87 state with no pending unmasked exception. */
static void rnd_fx(uint8_t *fx, bool unmask)
{
    uint16_t fcw = 0x3f | (uint16_t)(rnd() & 0xf00) | 0x40;
    if (unmask && rnd() % 3 == 0) {
        fcw &= (uint16_t)~(rnd() & 0x3f);
    }
    uint16_t fsw = (uint16_t)((rnd() & 0x4700) | (rnd() % 8) << 11);
    fsw |= (uint16_t)(rnd() & 0x3f & fcw);      /* masked sticky flags */
    uint32_t mxcsr = 0x1f80 | (uint32_t)(rnd() & 0x6040) |
                     (uint32_t)(rnd() & 0x3f);
    if (unmask && rnd() % 4 == 0) {
        mxcsr &= ~(uint32_t)((rnd() & 0x3f) << 7);
    }

    memset(fx, 0, 512);
    memcpy(fx + 0, &fcw, 2);
    memcpy(fx + 2, &fsw, 2);
    fx[4] = (uint8_t)(rnd() % 4 == 0 ? rnd() : 0xff);
    if (rnd() % 8 == 0) {
        fx[4] = 0;
    }
    memcpy(fx + 24, &mxcsr, 4);
    for (int i = 0; i < 8; i++) {
        rnd_f80(fx + 32 + 16 * i);
    }
    rnd_mem(fx + 160, 256);
}

/* ---- the differential runner --------------------------------------------- */

static unsigned failures_shown;
static uint8_t init_data[4096];

/* FXRSTOR64 [r15]; insn; FXSAVE64 [r15] */
static unsigned wrap(uint8_t *code, const uint8_t *insn, unsigned n)
{
    memcpy(code, "\x49\x0f\xae\x0f", 4);
    memcpy(code + 4, insn, n);
    memcpy(code + 4 + n, "\x49\x0f\xae\x07", 4);
    return n + 8;
}

static void dump_bytes(const char *what, const uint8_t *b, unsigned n)
{
    printf("#   %s:", what);
    for (unsigned i = 0; i < n; i++) {
        printf(" %02x", b[i]);
    }
    printf("\n");
}

/* Compare one case; returns false on a difference. */
static bool run_one(const uint8_t *insn, unsigned n, bool unmask)
{
    struct nregs in, nat, emu;
    uint8_t code[40];
    unsigned len = wrap(code, insn, n);
    int vn, ve;

    for (int r = 0; r < 16; r++) {
        in.r[r] = rnd() % 3 ? rnd() : rnd() % 100;
    }
    in.r[4] = 0;            /* rSP is not used */
    in.r[3] = G_DATA + 1024 + ((rnd() % 8 == 0) ? 8 : 0);
    in.r[15] = G_DATA;
    in.r[7] = G_DATA + 2048 + rnd() % 64;      /* MASKMOVQ/MASKMOVDQU */
    in.flags = rnd() & 0x8d5;
    rnd_fx(init_data, unmask);
    rnd_mem(init_data + 1024, 128);
    if (insn[0] == 0x0f && insn[1] == 0xae) {
        /* LDMXCSR: MXCSR bit 17 (AMD's misaligned-SSE mask) may be valid
           on the host; hemu's MXCSR_MASK is 0xffff */
        init_data[1024 + 2] &= (uint8_t)~2;
        init_data[1032 + 2] &= (uint8_t)~2;
    }

    memcpy(host_data, init_data, 4096);
    memcpy(emu_data, init_data, 4096);
    nat = in;
    emu = in;
    vn = native_run(&nat, code, len);
    ve = emu_run(&emu, code, len);

    bool ok = vn == ve;
    if (ok && vn < 0) {
        ok = !memcmp(nat.r, emu.r, sizeof(nat.r)) &&
             ((nat.flags ^ emu.flags) & 0x8d5) == 0 &&
             !memcmp(host_data, emu_data, 6) &&
             !memcmp(host_data + 24, emu_data + 24, 4) &&
             !memcmp(host_data + 32, emu_data + 32, 464 - 32) &&
             !memcmp(host_data + 512, emu_data + 512, 4096 - 512);
    }
    if (!ok && failures_shown++ < 10) {
        dump_bytes("insn", insn, n);
        printf("#   vector native %d emu %d\n", vn, ve);
        dump_bytes("in   fx", init_data, 160);
        dump_bytes("nat  fx", host_data, 160);
        dump_bytes("emu  fx", emu_data, 160);
        dump_bytes("nat mem", host_data + 1024, 32);
        dump_bytes("emu mem", emu_data + 1024, 32);
        printf("#   flags %llx %llx rax %llx %llx\n",
               (unsigned long long)nat.flags, (unsigned long long)emu.flags,
               (unsigned long long)nat.r[0], (unsigned long long)emu.r[0]);
    }
    return ok;
}


TEST(setup)
{
    native_setup();
    emu_setup();
    EXPECT(code_buf != NULL);
}

/* Opcodes with an imm8. */
static bool has_imm(unsigned map, unsigned op)
{
    if (map == 0x3a) {
        return true;
    }
    return map == 0 && ((op >= 0x70 && op <= 0x73) || op == 0xc2 ||
                        (op >= 0xc4 && op <= 0xc6));
}

static const uint8_t regs_ok[5] = { 0, 1, 2, 3, 6 };

/* All prefixes, register and memory forms of one opcode. */
static unsigned sweep(unsigned map, unsigned op, int ncases)
{
    static const uint8_t pfx[4] = { 0, 0x66, 0xf3, 0xf2 };
    unsigned bad = 0;

    for (unsigned p = 0; p < 4; p++) {
        if (op == 0x2b && p >= 2) {
            continue;           /* AMD SSE4a MOVNTSS/MOVNTSD */
        }
        for (int i = 0; i < ncases; i++) {
            uint8_t insn[12];
            unsigned n = 0;
            bool mem = rnd() & 1;
            unsigned reg = regs_ok[rnd() % 5], rm = regs_ok[rnd() % 5];
            uint8_t rex = 0;

            if (rnd() & 1) {
                rex = (uint8_t)(0x40 | (rnd() & 0xc) | (mem ? 0 : rnd() & 1));
            }
            if (pfx[p]) {
                insn[n++] = pfx[p];
            }
            if (rex) {
                insn[n++] = rex;
            }
            insn[n++] = 0x0f;
            if (map) {
                insn[n++] = (uint8_t)map;
            }
            insn[n++] = (uint8_t)op;
            insn[n++] = mem ? (uint8_t)(reg << 3 | 3)
                            : (uint8_t)(0xc0 | reg << 3 | rm);
            if (has_imm(map, op)) {
                insn[n++] = (uint8_t)rnd();
            }
            if (!run_one(insn, n, true)) {
                bad++;
                break;
            }
        }
    }
    return bad;
}

TEST(sse_0f_map)
{
    unsigned bad = 0;
    for (unsigned op = 0x10; op <= 0xff; op++) {
        if ((op >= 0x18 && op <= 0x27) || (op >= 0x30 && op <= 0x4f) ||
            (op >= 0x78 && op <= 0x7b) || (op >= 0x80 && op <= 0xc1) ||
            (op >= 0xc7 && op <= 0xcf)) {
            continue;
        }
        if (op == 0xf7 || op == 0x77) {
            continue;           /* MASKMOV (writes [rDI]), EMMS: below */
        }
        bad += sweep(0, op, NCASES / 4);
    }
    EXPECT_EQ(bad, 0);
}

TEST(ssse3_maps)
{
    unsigned bad = 0;
    for (unsigned op = 0x00; op <= 0x0b; op++) {
        bad += sweep(0x38, op, NCASES / 4);
    }
    for (unsigned op = 0x1c; op <= 0x1e; op++) {
        bad += sweep(0x38, op, NCASES / 4);
    }
    bad += sweep(0x3a, 0x0f, NCASES / 4);
    EXPECT_EQ(bad, 0);
}

TEST(sse41_sse42_maps)
{
    static const uint8_t ops38[] = {
        0x10, 0x14, 0x15, 0x17, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28,
        0x29, 0x2a, 0x2b, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x37, 0x38,
        0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41, 0xf0, 0xf1,
    };
    static const uint8_t ops3a[] = {
        0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x14, 0x15, 0x16, 0x17,
        0x20, 0x21, 0x22, 0x40, 0x41, 0x42, 0x60, 0x61, 0x62, 0x63,
    };
    unsigned bad = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(ops38); i++) {
        bad += sweep(0x38, ops38[i], NCASES / 4);
    }
    for (unsigned i = 0; i < ARRAY_SIZE(ops3a); i++) {
        bad += sweep(0x3a, ops3a[i], NCASES / 4);
    }
    EXPECT_EQ(bad, 0);
}

TEST(emms_maskmov_movnti)
{
    unsigned bad = 0;
    for (int i = 0; i < NCASES / 4; i++) {
        bad += !run_one((const uint8_t *)"\x0f\x77", 2, false);
        bad += !run_one((const uint8_t *)"\x0f\xf7\xca", 3, false);
        bad += !run_one((const uint8_t *)"\x66\x0f\xf7\xca", 4, false);
        bad += !run_one((const uint8_t *)"\x66\x45\x0f\xf7\xca", 5, false);
        bad += !run_one((const uint8_t *)"\x0f\xc3\x0b", 3, false);
        bad += !run_one((const uint8_t *)"\x48\x0f\xc3\x0b", 4, false);
    }
    EXPECT_EQ(bad, 0);
}

TEST(ldmxcsr_stmxcsr)
{
    unsigned bad = 0;
    for (int i = 0; i < NCASES / 4; i++) {
        bad += !run_one((const uint8_t *)"\x0f\xae\x1b", 3, false);
        bad += !run_one((const uint8_t *)"\x0f\xae\x13", 3, false);
    }
    EXPECT_EQ(bad, 0);
}

TEST_MAIN()
