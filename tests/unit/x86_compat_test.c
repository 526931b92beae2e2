/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_compat_test.c - host-differential tests of the instructions that
 * exist only outside 64-bit mode (DAA, DAS, AAA, AAS, AAM, AAD, SALC,
 * PUSHA/POPA, INC/DEC 40-4F) and of 32-bit operand-size defaults.  The
 * native side runs in the host's 32-bit compatibility mode: a far return
 * to a 32-bit code selector enters generated 32-bit code that
 * loads the registers, executes the instruction, stores the registers and
 * far-returns to 64-bit code.  The 32-bit code segment is our own LDT
 * entry (modify_ldt), since kernels without IA-32 emulation have no usable
 * 0x23; where neither works the tests are skipped.  hemu runs the same bytes at the same
 * (below 4 GiB) addresses in flat 32-bit protected mode at CPL 3.
 */
#include "emu/osdep.h"

#include <setjmp.h>
#include <signal.h>
#include <asm/ldt.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define NCASES 4000
#define PAGE 4096

/* low (MAP_32BIT) pages: generated code, register block, data, the
   stack the instruction sees and the one the far transfers use */
static uint8_t *lcode, *lregs, *ldata, *lstack, *lcallstack;

/* register block layout in lregs */
#define R_GPR 0         /* 8 x uint32, eax..edi */
#define R_FLAGS 32
#define R_SAVED_ESP 36

void x86c_enter(uint64_t entry, uint64_t stack_top, uint64_t cs);
void x86c_back(void);

__asm__(
    ".text\n"
    ".globl x86c_enter\n"
    ".hidden x86c_enter\n"
    "x86c_enter:\n"
    "    push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n"
    "    push %r15\n"
    "    mov %rsp, x86c_saved_rsp(%rip)\n"
    "    mov %rsi, %rsp\n"
    "    pushq %rdx\n"
    "    pushq %rdi\n"
    "    lretq\n"
    ".globl x86c_back\n"
    ".hidden x86c_back\n"
    "x86c_back:\n"
    "    mov x86c_saved_rsp(%rip), %rsp\n"
    "    cld\n"
    "    pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
    "    ret\n"
    ".bss\n"
    ".p2align 3\n"
    "x86c_saved_rsp: .zero 8\n"
    ".text\n");

static uint16_t code_sel = 0x23;
static bool native_ok;
static sigjmp_buf sig_jb;
static volatile int sig_vector;

static void on_signal(int sig)
{
    sig_vector = sig == SIGFPE ? 0 : sig == SIGILL ? 6 : 13;
    siglongjmp(sig_jb, 1);
}

static uint8_t *map_low(int prot)
{
    uint8_t *p = mmap(NULL, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS |
                      MAP_32BIT, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

static void setup_native(void)
{
    static uint8_t altstack[65536];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    struct sigaction sa;

    lcode = map_low(PROT_READ | PROT_WRITE | PROT_EXEC);
    lregs = map_low(PROT_READ | PROT_WRITE);
    ldata = map_low(PROT_READ | PROT_WRITE);
    lstack = map_low(PROT_READ | PROT_WRITE);
    lcallstack = map_low(PROT_READ | PROT_WRITE);
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK | SA_NODEFER;
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);

    /* a flat 32-bit code segment in LDT entry 0: selector 0x7 */
    struct user_desc d;
    memset(&d, 0, sizeof(d));
    d.limit = 0xfffff;
    d.seg_32bit = 1;
    d.contents = 2;
    d.limit_in_pages = 1;
    d.useable = 1;
    if (syscall(SYS_modify_ldt, 1, &d, sizeof(d)) == 0) {
        code_sel = 0x7;
    }
}

/* ---- code generation ---------------------------------------------------- */

static unsigned emit(uint8_t *p, unsigned n, const void *b, unsigned len)
{
    memcpy(p + n, b, len);
    return n + len;
}

static unsigned emit_abs(uint8_t *p, unsigned n, uint8_t op1, int op2,
                         uint32_t addr)
{
    p[n++] = op1;
    if (op2 >= 0) {
        p[n++] = (uint8_t)op2;
    }
    memcpy(p + n, &addr, 4);
    return n + 4;
}

/*
 * Generate: 32-bit entry at lcode (returns the offset of the instruction
 * under test in *insn_off) and the 64-bit return stub after it.
 */
static void generate(const uint8_t *insn, unsigned len, unsigned *insn_off)
{
    uint32_t regs = (uint32_t)(uintptr_t)lregs;
    uint8_t *p = lcode;
    unsigned n = 0, stub;

    n = emit(p, n, "\x66\xb8\x2b\x00\x8e\xd8\x8e\xc0", 8); /* ds=es=0x2b */
    n = emit_abs(p, n, 0x89, 0x25, regs + R_SAVED_ESP);    /* save esp */
    n = emit_abs(p, n, 0xff, 0x35, regs + R_FLAGS);        /* push flags */
    p[n++] = 0x9d;                                         /* popfd */
    n = emit_abs(p, n, 0xa1, -1, regs + R_GPR);            /* mov eax */
    for (int r = 1; r < 8; r++) {
        n = emit_abs(p, n, 0x8b, 0x05 | r << 3, regs + R_GPR + 4 * r);
    }
    *insn_off = n;
    n = emit(p, n, insn, len);
    n = emit_abs(p, n, 0x89, 0x25, regs + R_GPR + 16);     /* store esp */
    n = emit_abs(p, n, 0x8b, 0x25, regs + R_SAVED_ESP);    /* call stack */
    p[n++] = 0x9c;                                         /* pushfd */
    n = emit_abs(p, n, 0x8f, 0x05, regs + R_FLAGS);        /* pop flags */
    n = emit_abs(p, n, 0xa3, -1, regs + R_GPR);            /* store eax */
    for (int r = 1; r < 8; r++) {
        if (r != 4) {
            n = emit_abs(p, n, 0x89, 0x05 | r << 3, regs + R_GPR + 4 * r);
        }
    }
    p[n++] = 0xfc;                                         /* cld */
    stub = n + 8;
    p[n++] = 0x6a;                                         /* push 0x33 */
    p[n++] = 0x33;
    n = emit_abs(p, n, 0x68, -1, (uint32_t)(uintptr_t)(lcode + stub));
    p[n++] = 0xcb;                                         /* retf */
    /* 64-bit stub: jmp *0(%rip) to x86c_back */
    uint64_t back = (uint64_t)(uintptr_t)x86c_back;
    n = emit(p, n, "\xff\x25\x00\x00\x00\x00", 6);
    n = emit(p, n, &back, 8);
}

/* ---- emulated side -------------------------------------------------------- */

static uint8_t e_code[PAGE], e_data[PAGE], e_stack[PAGE];
static struct x86_cpu cpu;
/* Without a host that runs 32-bit code, the generated wrapper itself runs
   in hemu ("simulated native") on these pages: that still checks the
   harness and hemu's execution of a whole sequence against one step. */
static bool simulating;
static uint8_t s_regs[PAGE], s_stack[PAGE], s_callstack[PAGE];

static uint8_t *ram_ptr(void *opaque, uint64_t pa, bool write)
{
    uint64_t page = pa & ~0xfffull;
    if (simulating) {
        if (page == (uintptr_t)lregs) {
            return s_regs;
        } else if (page == (uintptr_t)lstack) {
            return s_stack;
        } else if (page == (uintptr_t)lcallstack) {
            return s_callstack;
        }
    }
    if (page == (uintptr_t)lcode) {
        return e_code;
    } else if (page == (uintptr_t)ldata) {
        return e_data;
    } else if (page == (uintptr_t)lstack) {
        return e_stack;
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

static void setup_emu(void)
{
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;      /* report faults, do not deliver */
    cpu.cr0 |= X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = (struct x86_seg){
            .sel = s == X86_CS ? 0x7 : 0x2b, .limit = 0xffffffff,
            .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                    X86_SEG_DPL | (s == X86_CS ? 0xb : 0x3),
        };
    }
    x86_cpu_update_mode(&cpu);
}

/* ---- the comparison -------------------------------------------------------- */

struct form {
    const char *name;
    uint8_t code[8];
    uint8_t len;
    uint8_t imm;        /* random immediate bytes */
    uint16_t undef;
    bool bcd;           /* AL/AH as BCD-ish values */
};

#define F(nm, und, bcd_, imm_, ...)                                     \
    { .name = nm, .code = { __VA_ARGS__ },                              \
      .len = sizeof((uint8_t[]){ __VA_ARGS__ }), .imm = imm_,          \
      .undef = und, .bcd = bcd_ }

#define ARITH 0x8d5

static uint64_t rng = 0x1234567887654321ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static unsigned shown;

/* The wrapper in hemu: from after the segment loads to the far return
   (11 instructions, the one under test, 14 more). */
static int simulated_call(void)
{
    memcpy(e_code, lcode, PAGE);
    memcpy(s_regs, lregs, PAGE);
    memcpy(s_stack, lstack, PAGE);
    simulating = true;
    x86_tlb_flush(&cpu);
    cpu.regs[X86_RSP] = (uintptr_t)lcallstack + PAGE - 64;
    cpu.rip = (uintptr_t)lcode + 8;
    enum x86_exit e = x86_cpu_run(&cpu, 11 + 1 + 14);
    simulating = false;
    x86_tlb_flush(&cpu);
    memcpy(lregs, s_regs, PAGE);
    memcpy(lstack, s_stack, PAGE);
    if (e == X86_EXIT_EXCEPTION) {
        return cpu.exc_vector;
    }
    if (e != X86_EXIT_BUDGET || lcode[cpu.rip - (uintptr_t)lcode] != 0xcb) {
        return 99;
    }
    return -1;
}

/* Run the generated code; -1 or the vector of the fault it took. */
static int native_call(void)
{
    if (!native_ok) {
        return simulated_call();
    }
    if (sigsetjmp(sig_jb, 0)) {
        __asm__ volatile("cld");
        return sig_vector;
    }
    x86c_enter((uintptr_t)lcode, (uintptr_t)lcallstack + PAGE - 64,
               code_sel);
    return -1;
}

static bool run_case(const struct form *f, int ncase)
{
    uint8_t insn[16];
    unsigned len = f->len + f->imm, off;
    uint32_t in[8], nat[8], emu[8], in_flags, nat_flags, emu_flags;
    int nexc, eexc = -1;

    memcpy(insn, f->code, f->len);
    for (unsigned i = 0; i < f->imm; i++) {
        insn[f->len + i] = (uint8_t)rnd();
    }
    if (f->imm && (rnd() & 3) == 0) {
        insn[f->len] = 10;      /* the decimal base most of the time */
    }
    for (int r = 0; r < 8; r++) {
        in[r] = rnd();
        if (rnd() & 1) {
            in[r] &= 0xff;
        }
    }
    if (f->bcd && (rnd() & 1)) {
        in[0] = (in[0] & ~0xffffu) | ((rnd() % 10) << 8) |
                ((rnd() % 10) << 4) | (rnd() % 16);
    }
    in[4] = (uint32_t)(uintptr_t)lstack + 2048;
    in_flags = (rnd() & ARITH) | 2;
    for (unsigned i = 0; i < PAGE; i++) {
        lstack[i] = (uint8_t)(i * 7 + ncase);
    }
    memcpy(e_stack, lstack, PAGE);

    /* native */
    generate(insn, len, &off);
    memcpy(lregs + R_GPR, in, 32);
    memcpy(lregs + R_FLAGS, &in_flags, 4);
    nexc = native_call();
    memcpy(nat, lregs + R_GPR, 32);
    memcpy(&nat_flags, lregs + R_FLAGS, 4);

    /* emulated: the same bytes at the same address */
    memcpy(e_code, lcode, PAGE);
    for (int r = 0; r < 8; r++) {
        cpu.regs[r] = in[r];
    }
    cpu.rip = (uintptr_t)lcode + off;
    x86_cpu_set_rflags(&cpu, in_flags | X86_IF);
    enum x86_exit e = x86_cpu_run(&cpu, 1);
    if (e == X86_EXIT_EXCEPTION) {
        eexc = cpu.exc_vector;
    } else if (e != X86_EXIT_BUDGET) {
        eexc = 100 + e;
    }
    for (int r = 0; r < 8; r++) {
        emu[r] = (uint32_t)cpu.regs[r];
    }
    emu_flags = (uint32_t)x86_cpu_get_rflags(&cpu);

    bool ok = nexc == eexc;
    if (ok && nexc < 0) {
        uint32_t fm = (ARITH & ~f->undef) | 0x400;
        ok = !memcmp(nat, emu, sizeof(nat)) &&
             (nat_flags & fm) == (emu_flags & fm) &&
             !memcmp(lstack, e_stack, PAGE) &&
             cpu.rip == (uintptr_t)lcode + off + len;
    }
    if (!ok && shown++ < 10) {
        printf("#   %s case %d: native exc %d, hemu exc %d; code", f->name,
               ncase, nexc, eexc);
        for (unsigned i = 0; i < len; i++) {
            printf(" %02x", insn[i]);
        }
        printf("\n");
        for (int r = 0; r < 8; r++) {
            printf("#   r%d in %08x native %08x hemu %08x\n", r, in[r], nat[r],
                   emu[r]);
        }
        printf("#   flags in %03x native %03x hemu %03x (undefined %03x)\n",
               in_flags, nat_flags & 0xfff, emu_flags & 0xfff, f->undef);
    }
    return ok;
}

static void run_forms(const struct form *forms, size_t n)
{
    if (!native_ok) {
        printf("# the host cannot run 32-bit code: checking against hemu "
               "running the whole wrapper instead\n");
    }
    for (size_t i = 0; i < n; i++) {
        for (int c = 0; c < NCASES; c++) {
            if (!run_case(&forms[i], c)) {
                printf("#   form %s differs\n", forms[i].name);
                test_failed_now = 1;
                break;
            }
        }
    }
}

TEST(setup)
{
    static const struct form nop = F("nop", 0, false, 0, 0x90);

    setup_native();
    setup_emu();
    EXPECT(lcode != NULL);
    /* probe: can the host run our 32-bit code at all? */
    native_ok = true;
    shown = 100;        /* quiet */
    native_ok = run_case(&nop, 0);
    shown = 0;
    if (!native_ok) {
        printf("# the host refuses 32-bit code\n");
    }
}

TEST(bcd)
{
    static const struct form forms[] = {
        F("daa", 0x800, true, 0, 0x27),
        F("das", 0x800, true, 0, 0x2f),
        F("aaa", 0x8c4, true, 0, 0x37),
        F("aas", 0x8c4, true, 0, 0x3f),
        F("aam", 0x811, true, 1, 0xd4),
        F("aad", 0x811, true, 1, 0xd5),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

TEST(legacy_only)
{
    static const struct form forms[] = {
        F("inc eax", 0, false, 0, 0x40),
        F("inc ecx", 0, false, 0, 0x41),
        F("dec edx", 0, false, 0, 0x4a),
        F("inc cx", 0, false, 0, 0x66, 0x41),
        F("dec di", 0, false, 0, 0x66, 0x4f),
        F("pushad", 0, false, 0, 0x60),
        F("popad", 0, false, 0, 0x61),
        F("pushaw", 0, false, 0, 0x66, 0x60),
        F("popaw", 0, false, 0, 0x66, 0x61),
        F("push eax", 0, false, 0, 0x50),
        F("pop ecx", 0, false, 0, 0x59),
        F("push imm8", 0, false, 1, 0x6a),
        F("pushfd", 0, false, 0, 0x9c),
        F("cwde", 0, false, 0, 0x98),
        F("cdq", 0, false, 0, 0x99),
        F("add ax,imm16", 0, false, 2, 0x66, 0x05),
        F("imul ecx,edx,imm32", 0xd4, false, 4, 0x69, 0xca),
        F("mov cx,imm16", 0, false, 2, 0x66, 0xb9),
        F("lea ecx,[eax+edx*2+8]", 0, false, 0, 0x8d, 0x4c, 0x50, 0x08),
        F("lea cx,[bx+si+disp16]", 0, false, 2, 0x66, 0x67, 0x8d, 0x88),
        F("lea ecx,[bp+di]", 0, false, 0, 0x67, 0x8d, 0x0b),
    };
    run_forms(forms, ARRAY_SIZE(forms));
}

TEST_MAIN()
