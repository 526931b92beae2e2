/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_hostdiff.h - the shared half of the x87 and SSE host-differential
 * tests (x86_fpu_test.c, x86_sse_test.c): native execution of generated
 * code between a register-loading trampoline and a jump back, signal
 * capture, and the random-input generators.  Included once per test with
 * X86_HOSTDIFF_SEED defined; everything here is static.
 */
#ifndef HEMU_TESTS_UNIT_X86_HOSTDIFF_H
#define HEMU_TESTS_UNIT_X86_HOSTDIFF_H

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
    /* every instruction form hemu has: the model with all features */
    x86_cpu_model_select("max", NULL);
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

/* Runs FXRSTOR, the instruction(s), FXSAVE: emu_budget instructions. */
static uint64_t emu_budget = 3;

static int emu_run(struct nregs *st, const uint8_t *code, unsigned len)
{
    memcpy(emu_code, code, len);
    memcpy(cpu.regs, st->r, sizeof(cpu.regs));
    cpu.rip = G_CODE;
    x86_cpu_set_rflags(&cpu, st->flags | X86_IF);
    enum x86_exit e = x86_cpu_run(&cpu, emu_budget);
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

static uint64_t rng_state = X86_HOSTDIFF_SEED;

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

#endif
