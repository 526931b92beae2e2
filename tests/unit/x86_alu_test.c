/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_alu_test.c - host-differential tests of the soft x86 CPU's integer
 * instructions.  Each instruction form is executed natively on the host
 * (the bytes are placed in an executable buffer between a register-loading
 * trampoline and a jump back) and in hemu's CPU in 64-bit mode on a flat
 * RAM bus, from the same random registers, flags and memory (fixed seed,
 * thousands of cases per form).  Registers, the data and stack buffers and
 * the status flags the SDM defines are compared; flags the SDM leaves
 * undefined are masked per form.  Pointer registers (rBX for memory
 * operands, rSI/rDI for strings, rSP) are compared as offsets into their
 * buffers.  A #DE on the host (SIGFPE) must be a #DE in hemu.
 */
#include "emu/osdep.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define NCASES 3000

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
    "    cld\n"
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
static uint8_t *host_data, *host_stack;
static sigjmp_buf fpe_jb;

static void on_fpe(int sig)
{
    siglongjmp(fpe_jb, 1);
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
    host_stack = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (code_buf == MAP_FAILED || host_data == MAP_FAILED ||
        host_stack == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fpe;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
}

/* Run code natively; returns -1 or the exception vector (0 for #DE). */
static int native_run(struct nregs *st, const uint8_t *code, unsigned len)
{
    uint64_t back = (uint64_t)(uintptr_t)x86t_native_return;

    memcpy(code_buf, code, len);
    /* jmp *0(%rip) followed by the absolute address */
    memcpy(code_buf + len, "\xff\x25\x00\x00\x00\x00", 6);
    memcpy(code_buf + len + 6, &back, 8);
    if (sigsetjmp(fpe_jb, 0)) {
        __asm__ volatile("cld");
        return 0;
    }
    x86t_native_exec(st, code_buf);
    return -1;
}

/* ---- emulated execution ------------------------------------------------ */

/*
 * The guest sees the host's buffers at the host's own addresses (all
 * below 2 GiB, MAP_32BIT), backed by its own copies: pointers, pushed
 * return addresses and rSP values then compare directly.
 */
#define BUF_SIZE 4096
#define G_CODE ((uintptr_t)code_buf)
#define G_DATA ((uintptr_t)host_data)
#define G_STACK ((uintptr_t)host_stack)

static uint8_t emu_code[BUF_SIZE], emu_data[BUF_SIZE], emu_stack[BUF_SIZE];
static struct x86_cpu cpu;

static uint8_t *ram_ptr(void *opaque, uint64_t pa, bool write)
{
    uint64_t page = pa & ~0xfffull;
    if (page == G_CODE) {
        return emu_code;
    } else if (page == G_DATA) {
        return emu_data;
    } else if (page == G_STACK) {
        return emu_stack;
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

/* A 64-bit user-mode CPU (CPL 3, IOPL 0) as the host tests run in.  Paging
   is not needed: flat RAM is the identity. */
static void emu_setup(void)
{
    /* every instruction form hemu has: the model with all features */
    x86_cpu_model_select("max", NULL);
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;      /* report faults, do not deliver */
    cpu.cr0 = X86_CR0_PE | X86_CR0_ET;
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

static int emu_run(struct nregs *st, const uint8_t *code, unsigned len,
                   unsigned ninsn)
{
    memcpy(emu_code, code, len);
    memcpy(cpu.regs, st->r, sizeof(cpu.regs));
    cpu.rip = G_CODE;
    x86_cpu_set_rflags(&cpu, st->flags | X86_IF);  /* as in user mode */
    /* the lazy flags of one instruction reach the next */
    enum x86_exit e = x86_cpu_run(&cpu, ninsn ? ninsn : 1);
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

/* Values near the edges of every operand size. */
static uint64_t interesting(void)
{
    static const uint64_t edge[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, ~0ull, ~0ull - 1,
    };
    uint64_t r = rnd();
    switch (r % 8) {
    case 0:
    case 1:
        return edge[(r >> 8) % ARRAY_SIZE(edge)];
    case 2:
        return edge[(r >> 8) % ARRAY_SIZE(edge)] ^ (rnd() & 0xff00000000ull);
    case 3:
        return (r >> 8) % 34;
    case 4:
        return (uint64_t)-(int64_t)((r >> 8) % 34);
    default:
        return rnd();
    }
}

/* ---- instruction forms --------------------------------------------------- */

enum {
    K_MEM = 1 << 0,     /* rBX points into the data buffer */
    K_STR = 1 << 1,     /* rSI/rDI into the data buffer, small rCX, DF */
    K_DIV = 1 << 2,     /* bias rDX/AH so that some divisions fit */
    K_ALIGN16 = 1 << 3, /* rBX 16-byte aligned */
    K_CMPX = 1 << 4,    /* make the compare of CMPXCHG* hit half the time */
    K_BITOFF = 1 << 5,  /* rDX is a small bit offset (BT mem,reg) */
    K_SHIFT = 1 << 6,   /* undefined flags depend on the count */
    K_DSHIFT = 1 << 7,  /* SHLD/SHRD */
    K_RBP = 1 << 8,     /* rBP points into the stack buffer */
    K_POPF = 1 << 9,    /* the stack top is a harmless flags image */
    K_SMALLSTR = 1 << 10, /* data bytes from a small alphabet */
    K_RET = 1 << 11,    /* the stack top is the address after the code */
    K_BIGREP = 1 << 12, /* K_STR with rCX up to 199, rDI sometimes just
                           above rSI (overlapping MOVS) */
    K_IDX = 1 << 13,    /* K_MEM with rBP a small index ([rbx+rbp*s]) */
};

struct form {
    const char *name;
    uint8_t code[16];
    uint8_t len;
    uint8_t imm;        /* random immediate bytes appended */
    uint16_t undef;     /* status flags the SDM leaves undefined */
    uint16_t kind;
    uint8_t sh_op;      /* K_SHIFT: group 2 op; K_DSHIFT: 0 */
    uint8_t sh_sz;      /* operand size, log2 bytes */
    uint8_t sh_src;     /* count: 0 = CL, 1 = 1, 2 = last imm byte */
    uint8_t ninsn;      /* instructions in code (0 means 1) */
};

#define ARITH 0x8d5
#define UF_MUL (0x80 | 0x40 | 0x10 | 0x04)     /* SF ZF AF PF */

static uint8_t init_data[BUF_SIZE], init_stack[BUF_SIZE];

static unsigned failures_shown;
static unsigned exc_cases;     /* cases of the current form that faulted */

static uint16_t shift_undef(const struct form *f, uint64_t count)
{
    unsigned bits = 8u << f->sh_sz;
    uint16_t u = 0;

    count &= f->sh_sz == 3 ? 63 : 31;
    if (count == 0) {
        return 0;
    }
    if (f->kind & K_DSHIFT) {
        u = 0x10;                           /* AF */
        if (count != 1) {
            u |= 0x800;                     /* OF */
        }
        if (count > bits) {
            u = ARITH;                      /* all undefined */
        }
        return u;
    }
    if (f->sh_op >= 4) {
        u |= 0x10;                          /* AF */
        if ((f->sh_op == 4 || f->sh_op == 5 || f->sh_op == 6) &&
            count >= bits) {
            u |= 0x1;                       /* CF for SHL/SHR */
        }
    }
    if (count != 1) {
        u |= 0x800;
    }
    return u;
}

/* Register to buffer mapping: which registers hold buffer pointers. */
struct map {
    int reg;
    uint64_t host, guest;
};

static bool run_case(const struct form *f, const uint8_t *code, unsigned len,
                     int ncase)
{
    struct nregs in, nat, emu;
    struct map maps[4];
    unsigned nmaps = 0;
    uint16_t undef = f->undef;
    bool dest_undef = false;

    for (int r = 0; r < 16; r++) {
        in.r[r] = interesting();
    }
    in.flags = rnd() & ARITH;
    if (f->kind & K_STR) {
        in.flags |= rnd() & 0x400;
        in.r[1] = rnd() % 20;
    }
    /* fresh random bytes where the operands can reach */
    if (f->kind & K_STR) {
        for (unsigned i = 256; i < 2400; i++) {
            init_data[i] = (f->kind & K_SMALLSTR) ? rnd() % 3 : (uint8_t)rnd();
        }
    } else {
        unsigned lo = (f->kind & K_BITOFF) ? 512 : 1024;
        unsigned hi = (f->kind & K_BITOFF) ? 1600 : 1024 + 64;
        for (unsigned i = lo; i < hi; i += 8) {
            uint64_t v = rnd();
            memcpy(init_data + i, &v, 8);
        }
    }
    for (unsigned i = 2048 - 64; i < 2048 + 384; i += 8) {
        uint64_t v = rnd();
        memcpy(init_stack + i, &v, 8);
    }
    if (f->kind & K_SMALLSTR) {
        in.r[0] = rnd() % 3;
    }

    maps[nmaps++] = (struct map){ 4, (uintptr_t)host_stack, G_STACK };
    in.r[4] = 2048 + (rnd() % 8) * 8;
    if (f->kind & K_RBP) {
        maps[nmaps++] = (struct map){ 5, (uintptr_t)host_stack, G_STACK };
        in.r[5] = 2048 + 256 + (rnd() % 8) * 8;
    }
    if (f->kind & K_MEM) {
        maps[nmaps++] = (struct map){ 3, (uintptr_t)host_data, G_DATA };
        in.r[3] = 1024 + ((f->kind & K_ALIGN16) ? 0 : rnd() % 16);
    }
    if (f->kind & K_IDX) {
        in.r[5] = rnd() % 256;
    }
    if (f->kind & K_STR) {
        maps[nmaps++] = (struct map){ 6, (uintptr_t)host_data, G_DATA };
        maps[nmaps++] = (struct map){ 7, (uintptr_t)host_data, G_DATA };
        in.r[6] = 512 + rnd() % 64;
        in.r[7] = 2048 + rnd() % 64;
        if (f->kind & K_BIGREP) {
            /* going down, rSI must stay in the buffer */
            in.r[1] = rnd() % ((in.flags & 0x400) ? 60 : 200);
            if (rnd() & 1) {
                in.r[7] = in.r[6] + rnd() % 24;
            }
        } else if (rnd() & 1) {
            in.r[7] = in.r[6] + 1024;   /* equal strings sometimes */
            memcpy(init_data + in.r[7] - 256, init_data + in.r[6] - 256,
                   512);
        }
    }
    if (f->kind & K_DIV) {
        if (rnd() & 1) {
            in.r[2] = rnd() % 4;
            in.r[0] = (in.r[0] & ~0xff00ull) | ((rnd() % 4) << 8);
        }
        switch (rnd() % 8) {
        case 0:     /* rDX the sign of rAX (CQO/CDQ): the common IDIV */
            in.r[2] = (uint64_t)((int64_t)in.r[0] >> 63);
            break;
        case 1:
            in.r[2] = (uint64_t)((int64_t)(int32_t)in.r[0] >> 31);
            break;
        case 2:     /* the divisors IDIV must treat with care */
            in.r[1] = rnd() & 1 ? ~0ull : 0;
            break;
        case 3:
            in.r[1] = rnd() % 16;
            break;
        }
    }
    if (f->kind & K_BITOFF) {
        in.r[2] = (uint64_t)((int64_t)(rnd() % 8000) - 4000);
    }
    if (f->kind & K_POPF) {
        uint64_t v = rnd() & (ARITH | 0x400);
        memcpy(init_stack + in.r[4], &v, 8);
    }
    if (f->kind & K_RET) {
        uint64_t v = G_CODE + len;      /* RET lands on the jump back */
        memcpy(init_stack + in.r[4], &v, 8);
    }
    if (f->kind & K_CMPX) {
        if (rnd() & 1) {
            in.r[0] = in.r[1];          /* register destination is RCX */
        }
        if ((f->kind & K_MEM) && (rnd() & 1)) {
            memcpy(&in.r[0], init_data + in.r[3], 8);
            memcpy(&in.r[2], init_data + in.r[3] + 8, 8);
        }
    }

    if (f->kind & (K_SHIFT | K_DSHIFT)) {
        uint64_t count = f->sh_src == 0 ? (in.r[1] & 0xff)
                         : f->sh_src == 1 ? 1 : code[len - 1];
        undef |= shift_undef(f, count);
        if (undef == ARITH && (f->kind & K_DSHIFT)) {
            dest_undef = true;
        }
    }

    nat = in;
    emu = in;
    for (unsigned i = 0; i < nmaps; i++) {
        nat.r[maps[i].reg] += maps[i].host;
        emu.r[maps[i].reg] += maps[i].guest;
    }
    memcpy(host_data, init_data, BUF_SIZE);
    memcpy(host_stack, init_stack, BUF_SIZE);
    memcpy(emu_data, init_data, BUF_SIZE);
    memcpy(emu_stack, init_stack, BUF_SIZE);

    int nexc = native_run(&nat, code, len);
    int eexc = emu_run(&emu, code, len, f->ninsn);
    if (nexc >= 0) {
        exc_cases++;
    }

    for (unsigned i = 0; i < nmaps; i++) {
        nat.r[maps[i].reg] -= maps[i].host;
        emu.r[maps[i].reg] -= maps[i].guest;
    }

    bool ok = nexc == eexc;
    if (ok && nexc < 0) {
        for (int r = 0; r < 16; r++) {
            if (dest_undef && (r == 1 || r == 2)) {
                continue;   /* SHLD/SHRD 16-bit count > 16 */
            }
            ok = ok && nat.r[r] == emu.r[r];
        }
        uint64_t fm = (ARITH & ~undef) | 0x400;
        ok = ok && (nat.flags & fm) == (emu.flags & fm);
        ok = ok && !memcmp(host_data, emu_data, BUF_SIZE);
        ok = ok && !memcmp(host_stack, emu_stack, BUF_SIZE);
    }
    if (!ok && failures_shown++ < 12) {
        printf("#   %s case %d: native exc %d, hemu exc %d\n", f->name, ncase,
               nexc, eexc);
        printf("#   code:");
        for (unsigned i = 0; i < len; i++) {
            printf(" %02x", code[i]);
        }
        printf("\n");
        for (int r = 0; r < 16; r++) {
            if (nat.r[r] != emu.r[r] || r < 3) {
                printf("#   r%-2d in %016" PRIx64 " native %016" PRIx64
                       " hemu %016" PRIx64 "\n", r, in.r[r], nat.r[r],
                       emu.r[r]);
            }
        }
        printf("#   flags in %03" PRIx64 " native %03" PRIx64 " hemu %03"
               PRIx64 " (undefined %03x)\n", in.flags, nat.flags & 0xfff,
               emu.flags & 0xfff, undef);
        for (unsigned i = 0; i < BUF_SIZE; i++) {
            if (host_data[i] != emu_data[i]) {
                printf("#   data[%u] native %02x hemu %02x\n", i,
                       host_data[i], emu_data[i]);
                break;
            }
        }
        for (unsigned i = 0; i < BUF_SIZE; i++) {
            if (host_stack[i] != emu_stack[i]) {
                printf("#   stack[%u] native %02x hemu %02x\n", i,
                       host_stack[i], emu_stack[i]);
                break;
            }
        }
    }
    return ok;
}

/* Run every case of one form; false if any differs. */
static bool run_form(const struct form *f)
{
    uint8_t code[16];
    unsigned len = f->len + f->imm;
    bool ok = true;

    for (int n = 0; n < NCASES; n++) {
        memcpy(code, f->code, f->len);
        for (unsigned i = 0; i < f->imm; i++) {
            code[f->len + i] = (uint8_t)rnd();
        }
        if ((f->kind & (K_SHIFT | K_DSHIFT)) && f->sh_src == 2 &&
            (rnd() & 1)) {
            code[len - 1] &= 0x47;  /* mostly small counts */
        }
        if (!run_case(f, code, len, n)) {
            ok = false;
            break;
        }
    }
    return ok;
}

/* fast.c/fastint.c: while set, every integer form runs its generic
   handler */
extern bool x86_fast_off;

/* Run a table of forms, reporting each failing form: each form once with
   the specialised handlers (fast.c, fastint.c) and once on the generic
   path, both against the host. */
static void run_forms(const struct form *forms, size_t n)
{
    for (size_t k = 0; k < 2 * n; k++) {
        size_t i = k % n;
        x86_fast_off = k >= n;
        if (getenv("X86T_VERBOSE")) {
            printf("# form %s\n", forms[i].name);
            fflush(stdout);
        }
        exc_cases = 0;
        bool ok = run_form(&forms[i]);
        if (getenv("X86T_VERBOSE") && exc_cases) {
            printf("#   %u of %d cases faulted\n", exc_cases, NCASES);
        }
        if (!ok) {
            printf("#   form %s differs%s\n", forms[i].name,
                   x86_fast_off ? " (generic path)" : "");
            test_failed_now = 1;
        }
    }
    x86_fast_off = false;
}

#define F(nm, und, knd, imm_, ...)                                      \
    { .name = nm, .code = { __VA_ARGS__ },                              \
      .len = sizeof((uint8_t[]){ __VA_ARGS__ }), .imm = imm_,          \
      .undef = und, .kind = knd }

/* ---- the tests ---------------------------------------------------------- */

static const char *const alu_names[8] = {
    "add", "or", "adc", "sbb", "and", "sub", "xor", "cmp",
};

TEST(setup)
{
    native_setup();
    emu_setup();
    EXPECT(code_buf != NULL);
}

/* ADD OR ADC SBB AND SUB XOR CMP in every encoding and size */
TEST(alu_two_operand)
{
    static struct form forms[8 * 32];
    static char names[8 * 32][48];
    size_t n = 0;

    for (unsigned op = 0; op < 8; op++) {
        uint8_t b = op * 8;
        struct form t[] = {
            F("r8,r8", 0, 0, 0, b, 0xd1),
            F("ah,ch", 0, 0, 0, b + 2, 0xe5),
            F("r8b,r9b", 0, 0, 0, 0x45, b, 0xc8),
            F("r16", 0, 0, 0, 0x66, b + 1, 0xd1),
            F("r32", 0, 0, 0, b + 1, 0xd1),
            F("r64", 0, 0, 0, 0x48, b + 1, 0xd1),
            F("r64,rm", 0, 0, 0, 0x48, b + 3, 0xd1),
            F("m8,r8", 0, K_MEM, 0, b, 0x13),
            F("r32,m32", 0, K_MEM, 0, b + 3, 0x53, 0x10),
            F("m64,r64", 0, K_MEM, 0, 0x48, b + 1, 0x13),
            F("m16,r16", 0, K_MEM, 0, 0x66, b + 1, 0x13),
            F("al,imm8", 0, 0, 1, b + 4),
            F("ax,imm16", 0, 0, 2, 0x66, b + 5),
            F("eax,imm32", 0, 0, 4, b + 5),
            F("rax,imm32", 0, 0, 4, 0x48, b + 5),
            F("80 r8,imm8", 0, 0, 1, 0x80, 0xc1 | op << 3),
            F("81 r16,imm16", 0, 0, 2, 0x66, 0x81, 0xc1 | op << 3),
            F("81 r32,imm32", 0, 0, 4, 0x81, 0xc1 | op << 3),
            F("81 r64,imm32", 0, 0, 4, 0x48, 0x81, 0xc1 | op << 3),
            F("83 r16,imm8", 0, 0, 1, 0x66, 0x83, 0xc1 | op << 3),
            F("83 r64,imm8", 0, 0, 1, 0x48, 0x83, 0xc1 | op << 3),
            F("81 m64,imm32", 0, K_MEM, 4, 0x48, 0x81, 0x03 | op << 3),
            F("81 m32,imm32 sib", 0, K_MEM, 4, 0x81, 0x44 | op << 3, 0x23,
              0x08),
            F("83 m64,imm8", 0, K_MEM, 1, 0x48, 0x83, 0x03 | op << 3),
            F("83 r32,imm8", 0, 0, 1, 0x83, 0xc1 | op << 3),
            F("m32,r32", 0, K_MEM, 0, b + 1, 0x13),
            F("r64,m64 sib", 0, K_MEM, 0, 0x48, b + 3, 0x54, 0x23, 0x08),
            F("80 m8,imm8", 0, K_MEM, 1, 0x80, 0x03 | op << 3),
            F("lock m32,r32", 0, K_MEM, 0, 0xf0, b + 1, 0x13),
        };
        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
            if (op == 7 && t[i].code[0] == 0xf0) {
                continue;   /* LOCK CMP is #UD */
            }
            forms[n] = t[i];
            snprintf(names[n], sizeof(names[n]), "%s %s", alu_names[op],
                     t[i].name);
            forms[n].name = names[n];
            n++;
        }
    }
    run_forms(forms, n);
}

TEST(inc_dec_neg_not_test)
{
    static const struct form forms[] = {
        F("inc r8", 0, 0, 0, 0xfe, 0xc1),
        F("dec r8", 0, 0, 0, 0xfe, 0xc9),
        F("inc r16", 0, 0, 0, 0x66, 0xff, 0xc1),
        F("inc r32", 0, 0, 0, 0xff, 0xc1),
        F("dec r32", 0, 0, 0, 0xff, 0xc9),
        F("dec r64", 0, 0, 0, 0x48, 0xff, 0xc9),
        F("inc r64", 0, 0, 0, 0x48, 0xff, 0xc1),
        F("dec r64", 0, 0, 0, 0x48, 0xff, 0xc9),
        F("dec r16", 0, 0, 0, 0x66, 0xff, 0xc9),
        F("inc m32", 0, K_MEM, 0, 0xff, 0x03),
        F("dec m64", 0, K_MEM, 0, 0x48, 0xff, 0x0b),
        F("lock inc m8", 0, K_MEM, 0, 0xf0, 0xfe, 0x03),
        F("neg r8", 0, 0, 0, 0xf6, 0xd9),
        F("not r8", 0, 0, 0, 0xf6, 0xd1),
        F("neg r16", 0, 0, 0, 0x66, 0xf7, 0xd9),
        F("neg r32", 0, 0, 0, 0xf7, 0xd9),
        F("neg r64", 0, 0, 0, 0x48, 0xf7, 0xd9),
        F("not r64", 0, 0, 0, 0x48, 0xf7, 0xd1),
        F("not r32", 0, 0, 0, 0xf7, 0xd1),
        F("neg m64", 0, K_MEM, 0, 0x48, 0xf7, 0x1b),
        F("not m16", 0, K_MEM, 0, 0x66, 0xf7, 0x13),
        F("test r8", 0, 0, 0, 0x84, 0xd1),
        F("test r16", 0, 0, 0, 0x66, 0x85, 0xd1),
        F("test r32", 0, 0, 0, 0x85, 0xd1),
        F("test r64", 0, 0, 0, 0x48, 0x85, 0xd1),
        F("test m64", 0, K_MEM, 0, 0x48, 0x85, 0x13),
        F("test m32", 0, K_MEM, 0, 0x85, 0x13),
        F("test m8,r8", 0, K_MEM, 0, 0x84, 0x13),
        F("test ah,dh", 0, 0, 0, 0x84, 0xf4),
        F("test al,imm8", 0, 0, 1, 0xa8),
        F("test ax,imm16", 0, 0, 2, 0x66, 0xa9),
        F("test eax,imm32", 0, 0, 4, 0xa9),
        F("test rax,imm32", 0, 0, 4, 0x48, 0xa9),
        F("test r8,imm8", 0, 0, 1, 0xf6, 0xc1),
        F("test r32,imm32", 0, 0, 4, 0xf7, 0xc1),
        F("test r64,imm32", 0, 0, 4, 0x48, 0xf7, 0xc1),
        F("test m8,imm8", 0, K_MEM, 1, 0xf6, 0x03),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

TEST(mul_div)
{
    static const struct form forms[] = {
        F("mul r8", UF_MUL, 0, 0, 0xf6, 0xe1),
        F("imul r8", UF_MUL, 0, 0, 0xf6, 0xe9),
        F("mul r16", UF_MUL, 0, 0, 0x66, 0xf7, 0xe1),
        F("imul r16", UF_MUL, 0, 0, 0x66, 0xf7, 0xe9),
        F("mul r32", UF_MUL, 0, 0, 0xf7, 0xe1),
        F("imul r32", UF_MUL, 0, 0, 0xf7, 0xe9),
        F("mul r64", UF_MUL, 0, 0, 0x48, 0xf7, 0xe1),
        F("imul r64", UF_MUL, 0, 0, 0x48, 0xf7, 0xe9),
        F("mul m64", UF_MUL, K_MEM, 0, 0x48, 0xf7, 0x23),
        F("imul m16", UF_MUL, K_MEM, 0, 0x66, 0xf7, 0x2b),
        F("imul r16,r16", UF_MUL, 0, 0, 0x66, 0x0f, 0xaf, 0xd1),
        F("imul r32,r32", UF_MUL, 0, 0, 0x0f, 0xaf, 0xd1),
        F("imul r64,r64", UF_MUL, 0, 0, 0x48, 0x0f, 0xaf, 0xd1),
        F("imul r64,m64", UF_MUL, K_MEM, 0, 0x48, 0x0f, 0xaf, 0x13),
        F("imul r16,r16,imm8", UF_MUL, 0, 1, 0x66, 0x6b, 0xd1),
        F("imul r32,r32,imm8", UF_MUL, 0, 1, 0x6b, 0xd1),
        F("imul r64,r64,imm8", UF_MUL, 0, 1, 0x48, 0x6b, 0xd1),
        F("imul r16,r16,imm16", UF_MUL, 0, 2, 0x66, 0x69, 0xd1),
        F("imul r32,r32,imm32", UF_MUL, 0, 4, 0x69, 0xd1),
        F("imul r64,r64,imm32", UF_MUL, 0, 4, 0x48, 0x69, 0xd1),
        F("imul r32,m32", UF_MUL, K_MEM, 0, 0x0f, 0xaf, 0x13),
        F("imul r64,m64,imm8", UF_MUL, K_MEM, 1, 0x48, 0x6b, 0x13),
        F("imul r32,m32,imm32", UF_MUL, K_MEM, 4, 0x69, 0x13),
        F("div r8", ARITH, K_DIV, 0, 0xf6, 0xf1),
        F("idiv r8", ARITH, K_DIV, 0, 0xf6, 0xf9),
        F("div r16", ARITH, K_DIV, 0, 0x66, 0xf7, 0xf1),
        F("idiv r16", ARITH, K_DIV, 0, 0x66, 0xf7, 0xf9),
        F("div r32", ARITH, K_DIV, 0, 0xf7, 0xf1),
        F("idiv r32", ARITH, K_DIV, 0, 0xf7, 0xf9),
        F("div r64", ARITH, K_DIV, 0, 0x48, 0xf7, 0xf1),
        F("idiv r64", ARITH, K_DIV, 0, 0x48, 0xf7, 0xf9),
        F("div m64", ARITH, K_DIV | K_MEM, 0, 0x48, 0xf7, 0x33),
        F("idiv m32", ARITH, K_DIV | K_MEM, 0, 0xf7, 0x3b),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

/* group 2 by 1, CL and imm8 for every op and size */
TEST(shift_rotate)
{
    static const char *const sh_names[8] = {
        "rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar",
    };
    static struct form forms[8 * 16];
    static char names[8 * 16][48];
    size_t n = 0;

    for (unsigned op = 0; op < 8; op++) {
        uint8_t m = 0xc2 | op << 3;     /* rdx */
        struct form t[] = {
            F("r8,1", 0, K_SHIFT, 0, 0xd0, m),
            F("r8,cl", 0, K_SHIFT, 0, 0xd2, m),
            F("r8,imm", 0, K_SHIFT, 1, 0xc0, m),
            F("r16,1", 0, K_SHIFT, 0, 0x66, 0xd1, m),
            F("r16,cl", 0, K_SHIFT, 0, 0x66, 0xd3, m),
            F("r16,imm", 0, K_SHIFT, 1, 0x66, 0xc1, m),
            F("r32,1", 0, K_SHIFT, 0, 0xd1, m),
            F("r32,cl", 0, K_SHIFT, 0, 0xd3, m),
            F("r32,imm", 0, K_SHIFT, 1, 0xc1, m),
            F("r64,1", 0, K_SHIFT, 0, 0x48, 0xd1, m),
            F("r64,cl", 0, K_SHIFT, 0, 0x48, 0xd3, m),
            F("r64,imm", 0, K_SHIFT, 1, 0x48, 0xc1, m),
            F("m64,cl", 0, K_SHIFT | K_MEM, 0, 0x48, 0xd3, 0x03 | op << 3),
            F("m8,imm", 0, K_SHIFT | K_MEM, 1, 0xc0, 0x03 | op << 3),
            F("dh,cl", 0, K_SHIFT, 0, 0xd2, 0xc6 | op << 3),
        };
        static const uint8_t szs[] = { 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3,
                                       3, 0, 0 };
        static const uint8_t srcs[] = { 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2,
                                        0, 2, 0 };
        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
            forms[n] = t[i];
            forms[n].sh_op = op;
            forms[n].sh_sz = szs[i];
            forms[n].sh_src = srcs[i];
            snprintf(names[n], sizeof(names[n]), "%s %s", sh_names[op],
                     t[i].name);
            forms[n].name = names[n];
            n++;
        }
    }
    run_forms(forms, n);
}

TEST(double_shift)
{
    static struct form forms[] = {
        F("shld r16,imm", 0, K_DSHIFT, 1, 0x66, 0x0f, 0xa4, 0xd1),
        F("shld r16,cl", 0, K_DSHIFT, 0, 0x66, 0x0f, 0xa5, 0xd2),
        F("shld r32,imm", 0, K_DSHIFT, 1, 0x0f, 0xa4, 0xd1),
        F("shld r32,cl", 0, K_DSHIFT, 0, 0x0f, 0xa5, 0xd2),
        F("shld r64,imm", 0, K_DSHIFT, 1, 0x48, 0x0f, 0xa4, 0xd1),
        F("shld r64,cl", 0, K_DSHIFT, 0, 0x48, 0x0f, 0xa5, 0xd2),
        F("shrd r16,imm", 0, K_DSHIFT, 1, 0x66, 0x0f, 0xac, 0xd1),
        F("shrd r16,cl", 0, K_DSHIFT, 0, 0x66, 0x0f, 0xad, 0xd2),
        F("shrd r32,imm", 0, K_DSHIFT, 1, 0x0f, 0xac, 0xd1),
        F("shrd r32,cl", 0, K_DSHIFT, 0, 0x0f, 0xad, 0xd2),
        F("shrd r64,imm", 0, K_DSHIFT, 1, 0x48, 0x0f, 0xac, 0xd1),
        F("shrd r64,cl", 0, K_DSHIFT, 0, 0x48, 0x0f, 0xad, 0xd2),
        F("shld m64,cl", 0, K_DSHIFT | K_MEM, 0, 0x48, 0x0f, 0xa5, 0x13),
        F("shrd m32,imm", 0, K_DSHIFT | K_MEM, 1, 0x0f, 0xac, 0x13),
    };
    /* sizes and count sources, in table order */
    static const uint8_t szs[] = { 1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 3, 2 };
    static const uint8_t srcs[] = { 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 2, 0, 0,
                                    2 };
    for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
        forms[i].sh_sz = szs[i];
        forms[i].sh_src = srcs[i];
    }
    run_forms(forms, ARRAY_SIZE(forms));
}

TEST(bit_ops)
{
    static const struct form forms[] = {
        F("bt r16,r16", 0x894, 0, 0, 0x66, 0x0f, 0xa3, 0xd1),
        F("bt r32,r32", 0x894, 0, 0, 0x0f, 0xa3, 0xd1),
        F("bt r64,r64", 0x894, 0, 0, 0x48, 0x0f, 0xa3, 0xd1),
        F("bts r32,r32", 0x894, 0, 0, 0x0f, 0xab, 0xd1),
        F("btr r64,r64", 0x894, 0, 0, 0x48, 0x0f, 0xb3, 0xd1),
        F("btc r16,r16", 0x894, 0, 0, 0x66, 0x0f, 0xbb, 0xd1),
        F("bt r32,imm", 0x894, 0, 1, 0x0f, 0xba, 0xe1),
        F("bts r64,imm", 0x894, 0, 1, 0x48, 0x0f, 0xba, 0xe9),
        F("btr r16,imm", 0x894, 0, 1, 0x66, 0x0f, 0xba, 0xf1),
        F("btc r32,imm", 0x894, 0, 1, 0x0f, 0xba, 0xf9),
        F("bt m64,imm", 0x894, K_MEM, 1, 0x48, 0x0f, 0xba, 0x23),
        F("bts m32,imm", 0x894, K_MEM, 1, 0x0f, 0xba, 0x2b),
        F("bt m32,r32", 0x894, K_MEM | K_BITOFF, 0, 0x0f, 0xa3, 0x13),
        F("bts m64,r64", 0x894, K_MEM | K_BITOFF, 0, 0x48, 0x0f, 0xab,
          0x13),
        F("btr m16,r16", 0x894, K_MEM | K_BITOFF, 0, 0x66, 0x0f, 0xb3,
          0x13),
        F("lock btc m32,r32", 0x894, K_MEM | K_BITOFF, 0, 0xf0, 0x0f, 0xbb,
          0x13),
        F("bsf r16", 0x895, 0, 0, 0x66, 0x0f, 0xbc, 0xd1),
        F("bsf r32", 0x895, 0, 0, 0x0f, 0xbc, 0xd1),
        F("bsf r64", 0x895, 0, 0, 0x48, 0x0f, 0xbc, 0xd1),
        F("bsr r16", 0x895, 0, 0, 0x66, 0x0f, 0xbd, 0xd1),
        F("bsr r32", 0x895, 0, 0, 0x0f, 0xbd, 0xd1),
        F("bsr r64", 0x895, 0, 0, 0x48, 0x0f, 0xbd, 0xd1),
        F("bsf m64", 0x895, K_MEM, 0, 0x48, 0x0f, 0xbc, 0x13),
        F("popcnt r16", 0, 0, 0, 0x66, 0xf3, 0x0f, 0xb8, 0xd1),
        F("popcnt r32", 0, 0, 0, 0xf3, 0x0f, 0xb8, 0xd1),
        F("popcnt r64", 0, 0, 0, 0xf3, 0x48, 0x0f, 0xb8, 0xd1),
        F("popcnt m32", 0, K_MEM, 0, 0xf3, 0x0f, 0xb8, 0x13),
        F("lzcnt r16", 0x894, 0, 0, 0x66, 0xf3, 0x0f, 0xbd, 0xd1),
        F("lzcnt r32", 0x894, 0, 0, 0xf3, 0x0f, 0xbd, 0xd1),
        F("lzcnt r64", 0x894, 0, 0, 0xf3, 0x48, 0x0f, 0xbd, 0xd1),
        F("lzcnt m32", 0x894, K_MEM, 0, 0xf3, 0x0f, 0xbd, 0x13),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

/* Memory operands with an index register, and [rbx*1 + disp32] with no
   base register: the specialised memory handlers (fastint.c) have
   variants for [reg + disp], [reg + reg * scale + disp] and any other
   operand; the other tests use [rbx + disp]. */
#define NB 0x1d, 0, 0, 0, 0     /* SIB and disp32 of [rbx*1 + 0] */
TEST(indexed_memory)
{
    enum { M = K_MEM | K_IDX };
    static const struct form forms[] = {
        F("add r32,[rbx+rbp]", 0, M, 0, 0x03, 0x14, 0x2b),
        F("xor r64,[rbx+rbp+8]", 0, M, 0, 0x48, 0x33, 0x54, 0x2b, 0x08),
        F("sub [rbx+rbp],r64", 0, M, 0, 0x48, 0x29, 0x14, 0x2b),
        F("or [rbx+rbp],r32", 0, M, 0, 0x09, 0x14, 0x2b),
        F("cmp [rbx+rbp],r32", 0, M, 0, 0x39, 0x14, 0x2b),
        F("and r64,[rbx+rbp]", 0, M, 0, 0x48, 0x23, 0x14, 0x2b),
        F("add m32,imm32", 0, M, 4, 0x81, 0x04, 0x2b),
        F("cmp m64,imm8", 0, M, 1, 0x48, 0x83, 0x3c, 0x2b),
        F("and m64,imm8", 0, M, 1, 0x48, 0x83, 0x24, 0x2b),
        F("test [rbx+rbp],r32", 0, M, 0, 0x85, 0x14, 0x2b),
        F("test [rbx+rbp],r64", 0, M, 0, 0x48, 0x85, 0x14, 0x2b),
        F("cmp m8,imm8", 0, M, 1, 0x80, 0x3c, 0x2b),
        F("test m8,imm8", 0, M, 1, 0xf6, 0x04, 0x2b),
        F("movzx r32,m8", 0, M, 0, 0x0f, 0xb6, 0x14, 0x2b),
        F("movsx r64,m16", 0, M, 0, 0x48, 0x0f, 0xbf, 0x14, 0x2b),
        F("movsxd r64,m32", 0, M, 0, 0x48, 0x63, 0x14, 0x2b),
        F("mov m32,imm32", 0, M, 4, 0xc7, 0x04, 0x2b),
        F("mov m64,imm32", 0, M, 4, 0x48, 0xc7, 0x04, 0x2b),
        F("mov m8,imm8", 0, M, 1, 0xc6, 0x04, 0x2b),
        F("mov r64,[rbx+rbp*2]", 0, M, 0, 0x48, 0x8b, 0x14, 0x6b),
        F("mov r32,[rbx+rbp*4+disp32]", 0, M, 0, 0x8b, 0x94, 0xab,
          0x10, 0x00, 0x00, 0x00),
        F("mov [rbx+rbp],r32", 0, M, 0, 0x89, 0x14, 0x2b),
        F("mov [rbx+rbp],r64", 0, M, 0, 0x48, 0x89, 0x14, 0x2b),
        F("mov dl,[rbx+rbp]", 0, M, 0, 0x8a, 0x14, 0x2b),
        F("mov [rbx+rbp],dh", 0, M, 0, 0x88, 0x34, 0x2b),
        F("imul r32,[rbx+rbp]", UF_MUL, M, 0, 0x0f, 0xaf, 0x14, 0x2b),
        F("movzx r64,m8", 0, M, 0, 0x48, 0x0f, 0xb6, 0x14, 0x2b),
        F("movzx r32,m16", 0, M, 0, 0x0f, 0xb7, 0x14, 0x2b),
        F("movzx r64,m16", 0, M, 0, 0x48, 0x0f, 0xb7, 0x14, 0x2b),
        F("movsx r32,m8", 0, M, 0, 0x0f, 0xbe, 0x14, 0x2b),
        F("movsx r64,m8", 0, M, 0, 0x48, 0x0f, 0xbe, 0x14, 0x2b),
        F("movsx r32,m16", 0, M, 0, 0x0f, 0xbf, 0x14, 0x2b),
        F("test [rbx*1],r32", 0, K_MEM, 0, 0x85, 0x14, NB),
        F("test [rbx*1],r64", 0, K_MEM, 0, 0x48, 0x85, 0x14, NB),
        F("cmp [rbx*1],imm8", 0, K_MEM, 1, 0x80, 0x3c, NB),
        F("test [rbx*1],imm8", 0, K_MEM, 1, 0xf6, 0x04, NB),
        F("movzx r32,[rbx*1] m8", 0, K_MEM, 0, 0x0f, 0xb6, 0x14, NB),
        F("movsx r64,[rbx*1] m16", 0, K_MEM, 0, 0x48, 0x0f, 0xbf, 0x14, NB),
        F("movsxd r64,[rbx*1]", 0, K_MEM, 0, 0x48, 0x63, 0x14, NB),
        F("movzx r64,[rbx*1] m8", 0, K_MEM, 0, 0x48, 0x0f, 0xb6, 0x14, NB),
        F("movzx r32,[rbx*1] m16", 0, K_MEM, 0, 0x0f, 0xb7, 0x14, NB),
        F("movzx r64,[rbx*1] m16", 0, K_MEM, 0, 0x48, 0x0f, 0xb7, 0x14, NB),
        F("movsx r32,[rbx*1] m8", 0, K_MEM, 0, 0x0f, 0xbe, 0x14, NB),
        F("movsx r64,[rbx*1] m8", 0, K_MEM, 0, 0x48, 0x0f, 0xbe, 0x14, NB),
        F("movsx r32,[rbx*1] m16", 0, K_MEM, 0, 0x0f, 0xbf, 0x14, NB),
        F("mov [rbx*1],imm32", 0, K_MEM, 4, 0xc7, 0x04, NB),
        F("mov [rbx*1],imm32 64", 0, K_MEM, 4, 0x48, 0xc7, 0x04, NB),
        F("mov [rbx*1],imm8", 0, K_MEM, 1, 0xc6, 0x04, NB),
        F("mov r32,[rbx*1]", 0, K_MEM, 0, 0x8b, 0x14, NB),
        F("mov r64,[rbx*1]", 0, K_MEM, 0, 0x48, 0x8b, 0x14, NB),
        F("mov [rbx*1],r32", 0, K_MEM, 0, 0x89, 0x14, NB),
        F("mov [rbx*1],r64", 0, K_MEM, 0, 0x48, 0x89, 0x14, NB),
        F("mov dl,[rbx*1]", 0, K_MEM, 0, 0x8a, 0x14, NB),
        F("mov [rbx*1],dl", 0, K_MEM, 0, 0x88, 0x14, NB),
    };
    run_forms(forms, ARRAY_SIZE(forms));

    /* every ALU operation: op r,m / op m,r / 81 and 83 m,imm, 32 and 64
       bits */
    static struct form alu[8 * 14];
    static char names[8 * 14][48];
    size_t n = 0;
    for (unsigned op = 0; op < 8; op++) {
        uint8_t b = op * 8;
        struct form t[] = {
            F("r32,m", 0, M, 0, b + 3, 0x14, 0x2b),
            F("r64,m", 0, M, 0, 0x48, b + 3, 0x14, 0x2b),
            F("m,r32", 0, M, 0, b + 1, 0x14, 0x2b),
            F("m,r64", 0, M, 0, 0x48, b + 1, 0x14, 0x2b),
            F("m32,imm32", 0, M, 4, 0x81, 0x04 | op << 3, 0x2b),
            F("m64,imm32", 0, M, 4, 0x48, 0x81, 0x04 | op << 3, 0x2b),
            F("m32,imm8", 0, M, 1, 0x83, 0x04 | op << 3, 0x2b),
            F("m64,imm8", 0, M, 1, 0x48, 0x83, 0x04 | op << 3, 0x2b),
            F("r32,[rbx*1]", 0, K_MEM, 0, b + 3, 0x14, NB),
            F("r64,[rbx*1]", 0, K_MEM, 0, 0x48, b + 3, 0x14, NB),
            F("[rbx*1],r32", 0, K_MEM, 0, b + 1, 0x14, NB),
            F("[rbx*1],r64", 0, K_MEM, 0, 0x48, b + 1, 0x14, NB),
            F("[rbx*1],imm8 32", 0, K_MEM, 1, 0x83, 0x04 | op << 3, NB),
            F("[rbx*1],imm32 64", 0, K_MEM, 4, 0x48, 0x81, 0x04 | op << 3,
              NB),
        };
        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
            alu[n] = t[i];
            snprintf(names[n], sizeof(names[n]), "%s %s", alu_names[op],
                     t[i].name);
            alu[n].name = names[n];
            n++;
        }
    }
    run_forms(alu, n);
}

/* Two instructions one after the other, the flags of the second
   depending on the lazy record the first left: shifts (X86_LF_SHL/SHR/SAR), rotates
   after an operation whose AF is 0 (X86_LF_CFOF), and readers of CF
   (ADC, SBB, INC), conditions (SETcc, CMOVcc) and the flags image. */
#define F2(nm, und, ...)                                                \
    { .name = nm, .code = { __VA_ARGS__ },                              \
      .len = sizeof((uint8_t[]){ __VA_ARGS__ }), .undef = und,         \
      .ninsn = 2 }

TEST(flag_chains)
{
    static const struct form forms[] = {
        F2("shr edx,5; adc ecx,eax", 0, 0xc1, 0xea, 0x05, 0x11, 0xc1),
        F2("shl rdx,3; inc rcx", 0, 0x48, 0xc1, 0xe2, 0x03, 0x48, 0xff,
           0xc1),
        F2("sar edx,1; sbb ecx,eax", 0, 0xd1, 0xfa, 0x19, 0xc1),
        F2("shl edx,cl; adc eax,eax", 0, 0xd3, 0xe2, 0x11, 0xc0),
        F2("sar rdx,7; setc cl", 0x10 | 0x800, 0x48, 0xc1, 0xfa, 0x07,
           0x0f, 0x92, 0xc1),
        F2("shr edx,1; cmovo ecx,eax", 0x10, 0xd1, 0xea, 0x0f, 0x40, 0xc8),
        F2("shl rdx,1; cmovs rcx,rax", 0x10, 0x48, 0xd1, 0xe2, 0x48, 0x0f,
           0x48, 0xc8),
        F2("shr rdx,9; cmovp ecx,eax", 0x10 | 0x800, 0x48, 0xc1, 0xea, 0x09,
           0x0f, 0x4a, 0xc8),
        F2("xor edx,ecx; rol edx,1", 0x10, 0x31, 0xca, 0xc1, 0xc2, 0x01),
        F2("and rdx,rcx; ror rdx,1", 0x10, 0x48, 0x21, 0xca, 0x48, 0xd1,
           0xca),
        F2("shr edx,3; ror edx,1", 0x10, 0xc1, 0xea, 0x03, 0xd1, 0xca),
        F2("rol edx,1; rol edx,1", 0x10, 0xd1, 0xc2, 0xd1, 0xc2),
        F2("add edx,ecx; ror edx,1", 0, 0x01, 0xca, 0xd1, 0xca),
        F2("sub rdx,rcx; rol rdx,1", 0, 0x48, 0x29, 0xca, 0x48, 0xc1, 0xc2,
           0x01),
        F2("ror edx,1; adc ecx,eax", 0, 0xd1, 0xca, 0x11, 0xc1),
        F2("ror edx,1; cmovo ecx,eax", 0x10, 0xd1, 0xca, 0x0f, 0x40, 0xc8),
        F2("rol rdx,1; setz cl", 0x10, 0x48, 0xd1, 0xc2, 0x0f, 0x94, 0xc1),
        F2("rol rdx,1; inc ecx", 0x10, 0x48, 0xd1, 0xc2, 0xff, 0xc1),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

/* Jcc (fast.c: from the operands after SUB/CMP, from the lazy record
   otherwise) after flags from CMP, ADD and SHR, both ways taking four
   instructions: cmp; jcc L; mov al,1; jmp E; L: mov al,2; nop; E: */
TEST(jcc)
{
    static struct form forms[4 * 16];
    static char names[4 * 16][48];
    static const struct {
        const char *name;
        uint8_t code[3], len;
        uint16_t undef;
    } setters[] = {
        { "cmp edx,ecx", { 0x39, 0xca }, 2, 0 },
        { "cmp rdx,rcx", { 0x48, 0x39, 0xca }, 3, 0 },
        { "add edx,ecx", { 0x01, 0xca }, 2, 0 },
        { "shr edx,1", { 0xd1, 0xea }, 2, 0x10 },
    };
    size_t n = 0;

    for (size_t k = 0; k < ARRAY_SIZE(setters); k++) {
        for (unsigned cc = 0; cc < 16; cc++) {
            static const uint8_t tail[] = {
                0x04, 0xb0, 0x01, 0xeb, 0x03, 0xb0, 0x02, 0x90,
            };
            struct form *f = &forms[n];
            memcpy(f->code, setters[k].code, setters[k].len);
            f->code[setters[k].len] = 0x70 + cc;
            memcpy(f->code + setters[k].len + 1, tail, sizeof(tail));
            f->len = setters[k].len + 1 + sizeof(tail);
            f->undef = setters[k].undef;
            f->ninsn = 4;
            snprintf(names[n], sizeof(names[n]), "%s; j%x", setters[k].name,
                     cc);
            f->name = names[n];
            n++;
        }
    }
    run_forms(forms, n);
}

TEST(moves)
{
    static const struct form forms[] = {
        F("mov r8,r8", 0, 0, 0, 0x88, 0xd1),
        F("mov ah,ch", 0, 0, 0, 0x8a, 0xe5),
        F("mov sil,dl", 0, 0, 0, 0x40, 0x88, 0xd6),
        F("mov r16", 0, 0, 0, 0x66, 0x89, 0xd1),
        F("mov r32", 0, 0, 0, 0x89, 0xd1),
        F("mov r64", 0, 0, 0, 0x48, 0x89, 0xd1),
        F("mov r15,r9", 0, 0, 0, 0x4d, 0x89, 0xcf),
        F("mov r32,m32", 0, K_MEM, 0, 0x8b, 0x13),
        F("mov r64,m64 disp8", 0, K_MEM, 0, 0x48, 0x8b, 0x53, 0x08),
        F("mov m8,r8", 0, K_MEM, 0, 0x88, 0x13),
        F("mov m64,r64", 0, K_MEM, 0, 0x48, 0x89, 0x13),
        F("mov m16,r16 sib", 0, K_MEM, 0, 0x66, 0x89, 0x14, 0x23),
        F("mov r64,[rbx+riz+8]", 0, K_MEM, 0, 0x48, 0x8b, 0x54, 0x23,
          0x08),
        F("mov cl,imm8", 0, 0, 1, 0xb1),
        F("mov ch,imm8", 0, 0, 1, 0xb5),
        F("mov r12b,imm8", 0, 0, 1, 0x41, 0xb4),
        F("mov cx,imm16", 0, 0, 2, 0x66, 0xb9),
        F("mov ecx,imm32", 0, 0, 4, 0xb9),
        F("mov rcx,imm64", 0, 0, 8, 0x48, 0xb9),
        F("mov m8,imm8", 0, K_MEM, 1, 0xc6, 0x03),
        F("mov m8,imm8 sib disp8", 0, K_MEM, 1, 0xc6, 0x44, 0x23, 0x05),
        F("mov r8,imm8 c6", 0, 0, 1, 0xc6, 0xc1),
        F("mov ch,imm8 c6", 0, 0, 1, 0xc6, 0xc5),
        F("mov sil,imm8 c6", 0, 0, 1, 0x40, 0xc6, 0xc6),
        F("mov m16,imm16", 0, K_MEM, 2, 0x66, 0xc7, 0x03),
        F("mov m64,imm32", 0, K_MEM, 4, 0x48, 0xc7, 0x03),
        F("mov m32,imm32", 0, K_MEM, 4, 0xc7, 0x43, 0x04),
        F("mov r32,imm32 c7", 0, 0, 4, 0xc7, 0xc1),
        F("mov r10,imm64", 0, 0, 8, 0x49, 0xba),
        F("mov r8,m8", 0, K_MEM, 0, 0x8a, 0x13),
        F("mov ah,m8", 0, K_MEM, 0, 0x8a, 0x23),
        F("mov sil,m8", 0, K_MEM, 0, 0x40, 0x8a, 0x33),
        F("mov m8,ch", 0, K_MEM, 0, 0x88, 0x2b),
        F("mov r32,m32 sib", 0, K_MEM, 0, 0x8b, 0x54, 0x23, 0x08),
        F("mov m32,r32", 0, K_MEM, 0, 0x89, 0x13),
        F("movzx r64,m16", 0, K_MEM, 0, 0x48, 0x0f, 0xb7, 0x13),
        F("movzx r32,m16", 0, K_MEM, 0, 0x0f, 0xb7, 0x13),
        F("movzx r64,m8", 0, K_MEM, 0, 0x48, 0x0f, 0xb6, 0x53, 0x01),
        F("movsx r32,m8", 0, K_MEM, 0, 0x0f, 0xbe, 0x13),
        F("movsx r64,m8", 0, K_MEM, 0, 0x48, 0x0f, 0xbe, 0x13),
        F("movsx r32,m16", 0, K_MEM, 0, 0x0f, 0xbf, 0x13),
        F("movsxd r64,m32", 0, K_MEM, 0, 0x48, 0x63, 0x13),
        F("movsx r32,ah", 0, 0, 0, 0x0f, 0xbe, 0xd4),
        F("mov r64,imm32", 0, 0, 4, 0x48, 0xc7, 0xc1),
        F("movzx r32,r8", 0, 0, 0, 0x0f, 0xb6, 0xd1),
        F("movzx r32,ah", 0, 0, 0, 0x0f, 0xb6, 0xd4),
        F("movzx r64,bpl", 0, 0, 0, 0x48, 0x0f, 0xb6, 0xd5),
        F("movzx r16,r8", 0, 0, 0, 0x66, 0x0f, 0xb6, 0xd1),
        F("movzx r32,r16", 0, 0, 0, 0x0f, 0xb7, 0xd1),
        F("movzx r64,r16", 0, 0, 0, 0x48, 0x0f, 0xb7, 0xd1),
        F("movzx r32,m8", 0, K_MEM, 0, 0x0f, 0xb6, 0x13),
        F("movsx r32,r8", 0, 0, 0, 0x0f, 0xbe, 0xd1),
        F("movsx r64,r8", 0, 0, 0, 0x48, 0x0f, 0xbe, 0xd1),
        F("movsx r16,r8", 0, 0, 0, 0x66, 0x0f, 0xbe, 0xd1),
        F("movsx r32,r16", 0, 0, 0, 0x0f, 0xbf, 0xd1),
        F("movsx r64,r16", 0, 0, 0, 0x48, 0x0f, 0xbf, 0xd1),
        F("movsx r64,m16", 0, K_MEM, 0, 0x48, 0x0f, 0xbf, 0x13),
        F("movsxd r64,r32", 0, 0, 0, 0x48, 0x63, 0xd1),
        F("movsxd r64,m32", 0, K_MEM, 0, 0x48, 0x63, 0x13),
        F("lea r32,[rbx+rcx*4+16]", 0, 0, 0, 0x8d, 0x54, 0x8b, 0x10),
        F("lea r64,[rbx+rcx*8-128]", 0, 0, 0, 0x48, 0x8d, 0x54, 0xcb,
          0x80),
        F("lea r16,[rbx+rsi]", 0, 0, 0, 0x66, 0x8d, 0x14, 0x33),
        F("lea r64,[ebx+ecx]", 0, 0, 0, 0x67, 0x48, 0x8d, 0x14, 0x0b),
        F("lea r64,[r13+r12*2+disp32]", 0, 0, 4, 0x4b, 0x8d, 0x94, 0x65),
        F("lea r64,[disp32]", 0, 0, 4, 0x48, 0x8d, 0x14, 0x25),
        F("lea r64,[rbp+disp8]", 0, 0, 1, 0x48, 0x8d, 0x55),
        F("lea r64,[rsi*2]", 0, 0, 4, 0x48, 0x8d, 0x14, 0x75),
        F("cbw", 0, 0, 0, 0x66, 0x98),
        F("cwde", 0, 0, 0, 0x98),
        F("cdqe", 0, 0, 0, 0x48, 0x98),
        F("cwd", 0, 0, 0, 0x66, 0x99),
        F("cdq", 0, 0, 0, 0x99),
        F("cqo", 0, 0, 0, 0x48, 0x99),
        F("bswap r32", 0, 0, 0, 0x0f, 0xc9),
        F("bswap r64", 0, 0, 0, 0x48, 0x0f, 0xc9),
        F("bswap r8d", 0, 0, 0, 0x41, 0x0f, 0xc8),
        F("movbe r16,m16", 0, K_MEM, 0, 0x66, 0x0f, 0x38, 0xf0, 0x13),
        F("movbe r32,m32", 0, K_MEM, 0, 0x0f, 0x38, 0xf0, 0x13),
        F("movbe r64,m64", 0, K_MEM, 0, 0x48, 0x0f, 0x38, 0xf0, 0x13),
        F("movbe m32,r32", 0, K_MEM, 0, 0x0f, 0x38, 0xf1, 0x13),
        F("movbe m64,r64", 0, K_MEM, 0, 0x48, 0x0f, 0x38, 0xf1, 0x13),
        F("lahf", 0, 0, 0, 0x9f),
        F("sahf", 0, 0, 0, 0x9e),
        F("clc", 0, 0, 0, 0xf8),
        F("stc", 0, 0, 0, 0xf9),
        F("cmc", 0, 0, 0, 0xf5),
        F("cld", 0, 0, 0, 0xfc),
        F("std", 0, 0, 0, 0xfd),
        F("nop", 0, 0, 0, 0x90),
        F("pause", 0, 0, 0, 0xf3, 0x90),
        F("nopw", 0, K_MEM, 0, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00),
        F("xlat", 0, K_MEM, 0, 0xd7),
        F("xlat rex.w", 0, K_MEM, 0, 0x48, 0xd7),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

TEST(exchange)
{
    static const struct form forms[] = {
        F("xchg r8", 0, 0, 0, 0x86, 0xd1),
        F("xchg r16", 0, 0, 0, 0x66, 0x87, 0xd1),
        F("xchg r32", 0, 0, 0, 0x87, 0xd1),
        F("xchg r64", 0, 0, 0, 0x48, 0x87, 0xd1),
        F("xchg m32", 0, K_MEM, 0, 0x87, 0x13),
        F("xchg m8", 0, K_MEM, 0, 0x86, 0x13),
        F("xchg ecx,eax", 0, 0, 0, 0x91),
        F("xchg rcx,rax", 0, 0, 0, 0x48, 0x91),
        F("xchg cx,ax", 0, 0, 0, 0x66, 0x91),
        F("xchg r8d,eax", 0, 0, 0, 0x41, 0x90),
        F("xadd r8", 0, 0, 0, 0x0f, 0xc0, 0xd1),
        F("xadd r16", 0, 0, 0, 0x66, 0x0f, 0xc1, 0xd1),
        F("xadd r32", 0, 0, 0, 0x0f, 0xc1, 0xd1),
        F("xadd r64", 0, 0, 0, 0x48, 0x0f, 0xc1, 0xd1),
        F("xadd same", 0, 0, 0, 0x48, 0x0f, 0xc1, 0xd2),
        F("lock xadd m64", 0, K_MEM, 0, 0xf0, 0x48, 0x0f, 0xc1, 0x13),
        F("cmpxchg r8", 0, K_CMPX, 0, 0x0f, 0xb0, 0xd1),
        F("cmpxchg r16", 0, K_CMPX, 0, 0x66, 0x0f, 0xb1, 0xd1),
        F("cmpxchg r32", 0, K_CMPX, 0, 0x0f, 0xb1, 0xd1),
        F("cmpxchg r64", 0, K_CMPX, 0, 0x48, 0x0f, 0xb1, 0xd1),
        F("cmpxchg m64", 0, K_CMPX | K_MEM, 0, 0x48, 0x0f, 0xb1, 0x13),
        F("lock cmpxchg m32", 0, K_CMPX | K_MEM, 0, 0xf0, 0x0f, 0xb1, 0x13),
        F("cmpxchg8b", 0, K_CMPX | K_MEM, 0, 0x0f, 0xc7, 0x0b),
        F("cmpxchg16b", 0, K_CMPX | K_MEM | K_ALIGN16, 0, 0x48, 0x0f, 0xc7,
          0x0b),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

TEST(cmov_setcc)
{
    static struct form forms[16 * 7];
    static char names[16 * 7][32];
    size_t n = 0;

    for (unsigned cc = 0; cc < 16; cc++) {
        struct form t[] = {
            F("cmov r32", 0, 0, 0, 0x0f, 0x40 + cc, 0xd1),
            F("cmov r64", 0, 0, 0, 0x48, 0x0f, 0x40 + cc, 0xd1),
            F("cmov r16", 0, 0, 0, 0x66, 0x0f, 0x40 + cc, 0xd1),
            F("cmov m32", 0, K_MEM, 0, 0x0f, 0x40 + cc, 0x13),
            F("set", 0, 0, 0, 0x0f, 0x90 + cc, 0xc1),
            F("set ah", 0, 0, 0, 0x0f, 0x90 + cc, 0xc4),
            F("set sil", 0, 0, 0, 0x40, 0x0f, 0x90 + cc, 0xc6),
        };
        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
            forms[n] = t[i];
            snprintf(names[n], sizeof(names[n]), "%s cc%u", t[i].name, cc);
            forms[n].name = names[n];
            n++;
        }
    }
    run_forms(forms, n);
}

TEST(stack)
{
    static const struct form forms[] = {
        F("push rcx", 0, 0, 0, 0x51),
        F("push r9", 0, 0, 0, 0x41, 0x51),
        F("push cx", 0, 0, 0, 0x66, 0x51),
        F("push rsp", 0, 0, 0, 0x54),
        F("pop rcx", 0, 0, 0, 0x59),
        F("pop r10", 0, 0, 0, 0x41, 0x5a),
        F("pop cx", 0, 0, 0, 0x66, 0x59),
        F("pop rsp", 0, 0, 0, 0x5c),
        F("push imm8", 0, 0, 1, 0x6a),
        F("push imm32", 0, 0, 4, 0x68),
        F("push imm16", 0, 0, 2, 0x66, 0x68),
        F("push m64", 0, K_MEM, 0, 0xff, 0x33),
        F("push m16", 0, K_MEM, 0, 0x66, 0xff, 0x33),
        F("pop m64", 0, K_MEM, 0, 0x8f, 0x03),
        F("pop [rsp]", 0, 0, 0, 0x8f, 0x04, 0x24),
        F("pushf", 0, 0, 0, 0x9c),
        F("popf", 0, K_POPF, 0, 0x9d),
        F("enter 0", 0, K_RBP, 2, 0xc8),
        F("enter 1", 0, K_RBP, 2, 0xc8),
        F("leave", 0, K_RBP, 0, 0xc9),
        F("leave16", 0, K_RBP, 0, 0x66, 0xc9),
        F("call rel32 0", 0, 0, 0, 0xe8, 0, 0, 0, 0),
        F("ret", 0, K_RET, 0, 0xc3),
    };
    static struct form f2[ARRAY_SIZE(forms) + 2];
    memcpy(f2, forms, sizeof(forms));
    /* ENTER Iw,Ib: the level byte follows the random size */
    f2[17].imm = 0;
    f2[17].code[1] = 0x20;
    f2[17].code[2] = 0x00;
    f2[17].code[3] = 0x00;
    f2[17].len = 4;
    f2[18].imm = 0;
    f2[18].code[1] = 0x10;
    f2[18].code[2] = 0x00;
    f2[18].code[3] = 0x03;
    f2[18].len = 4;
    run_forms(f2, ARRAY_SIZE(forms));
}

TEST(strings)
{
    static const struct form forms[] = {
        F("movsb", 0, K_STR, 0, 0xa4),
        F("movsw", 0, K_STR, 0, 0x66, 0xa5),
        F("movsd", 0, K_STR, 0, 0xa5),
        F("movsq", 0, K_STR, 0, 0x48, 0xa5),
        F("cmpsb", 0, K_STR, 0, 0xa6),
        F("cmpsq", 0, K_STR, 0, 0x48, 0xa7),
        F("stosb", 0, K_STR, 0, 0xaa),
        F("stosq", 0, K_STR, 0, 0x48, 0xab),
        F("lodsb", 0, K_STR, 0, 0xac),
        F("lodsd", 0, K_STR, 0, 0xad),
        F("scasb", 0, K_STR, 0, 0xae),
        F("scasw", 0, K_STR, 0, 0x66, 0xaf),
        F("rep movsb", 0, K_STR, 0, 0xf3, 0xa4),
        F("rep movsq", 0, K_STR, 0, 0xf3, 0x48, 0xa5),
        F("rep movsw", 0, K_STR, 0, 0x66, 0xf3, 0xa5),
        F("rep stosb", 0, K_STR, 0, 0xf3, 0xaa),
        F("rep stosd", 0, K_STR, 0, 0xf3, 0xab),
        F("rep lodsb", 0, K_STR, 0, 0xf3, 0xac),
        F("repe cmpsb", 0, K_STR | K_SMALLSTR, 0, 0xf3, 0xa6),
        F("repne cmpsb", 0, K_STR | K_SMALLSTR, 0, 0xf2, 0xa6),
        F("repe cmpsd", 0, K_STR, 0, 0xf3, 0xa7),
        F("repe scasb", 0, K_STR | K_SMALLSTR, 0, 0xf3, 0xae),
        F("repne scasb", 0, K_STR | K_SMALLSTR, 0, 0xf2, 0xae),
        F("repne scasq", 0, K_STR | K_SMALLSTR, 0, 0xf2, 0x48, 0xaf),
        F("rep movsb a32", 0, K_STR, 0, 0x67, 0xf3, 0xa4),
        F("rep movsb long", 0, K_STR | K_BIGREP, 0, 0xf3, 0xa4),
        F("rep movsq long", 0, K_STR | K_BIGREP, 0, 0xf3, 0x48, 0xa5),
        F("rep movsd long", 0, K_STR | K_BIGREP, 0, 0xf3, 0xa5),
        F("rep stosb long", 0, K_STR | K_BIGREP, 0, 0xf3, 0xaa),
        F("rep stosq long", 0, K_STR | K_BIGREP, 0, 0xf3, 0x48, 0xab),
        F("rep stosw long", 0, K_STR | K_BIGREP, 0, 0x66, 0xf3, 0xab),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

TEST_MAIN()
