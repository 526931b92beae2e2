/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_intr_test.c - exception and interrupt delivery of the soft x86 CPU:
 * 32-bit IDT gates at the same privilege and from CPL 3 through the TSS
 * stack, IRET back to user mode, 64-bit gates with an IST stack and error
 * codes, the double-fault and triple-fault rules, external interrupts with
 * the STI shadow and waking from HLT.  Reference: Intel SDM vol. 3A ch. 6.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)

static uint8_t ram[RAM_SIZE];
static struct x86_cpu cpu;
static int pending_vector = -1;

#include "tests/unit/x86_flatbus.h"   /* ram_ptr, mmio_*, pio_* */

/* INTA: hand out the pending vector once and drop the line */
static int irq_ack(void *opaque)
{
    int v = pending_vector;
    pending_vector = -1;
    x86_cpu_set_irq(&cpu, false);
    return v;
}

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL, irq_ack,
};

static void put32(uint32_t pa, uint32_t v)
{
    memcpy(ram + pa, &v, 4);
}

static uint32_t get32(uint32_t pa)
{
    uint32_t v;
    memcpy(&v, ram + pa, 4);
    return v;
}

static void load(uint32_t pa, const uint8_t *p, size_t n)
{
    memcpy(ram + pa, p, n);
}

#define GDT 0x600
#define IDT 0x800

/* access: P DPL S type; flags: G DB L AVL */
static void desc(unsigned idx, uint32_t base, uint32_t limit, uint8_t access,
                 uint8_t flags)
{
    put32(GDT + idx * 8, (limit & 0xffff) | (base << 16));
    put32(GDT + idx * 8 + 4, ((base >> 16) & 0xff) | (access << 8) |
                                 (limit & 0xf0000) | (flags << 20) |
                                 (base & 0xff000000u));
}

static void gate32(unsigned vec, uint32_t off, uint16_t sel, uint8_t attr)
{
    put32(IDT + vec * 8, (off & 0xffff) | ((uint32_t)sel << 16));
    put32(IDT + vec * 8 + 4, (off & 0xffff0000u) | ((uint32_t)attr << 8));
}

static void gate64(unsigned vec, uint32_t off, uint16_t sel, uint8_t attr,
                   unsigned ist)
{
    put32(IDT + vec * 16, (off & 0xffff) | ((uint32_t)sel << 16));
    put32(IDT + vec * 16 + 4, (off & 0xffff0000u) | ((uint32_t)attr << 8) |
                                  ist);
    put32(IDT + vec * 16 + 8, 0);
    put32(IDT + vec * 16 + 12, 0);
}

/* A flat protected-mode CPU at CPL 0 with our GDT and IDT. */
static void prot32(void)
{
    memset(ram, 0, sizeof(ram));
    x86_cpu_init(&cpu, &bus);
    desc(1, 0, 0xfffff, 0x9a, 0xc);     /* 0x08 code32 */
    desc(2, 0, 0xfffff, 0x92, 0xc);     /* 0x10 data32 */
    desc(3, 0, 0xfffff, 0xfa, 0xc);     /* 0x1b user code32 */
    desc(4, 0, 0xfffff, 0xf2, 0xc);     /* 0x23 user data32 */
    desc(5, 0x5000, 0x67, 0x89, 0);     /* 0x28 TSS32 */
    desc(6, 0, 0xfffff, 0x9a, 0xa);     /* 0x30 code64 */
    cpu.gdtr_base = GDT;
    cpu.gdtr_limit = 8 * 8 - 1;
    cpu.idtr_base = IDT;
    cpu.idtr_limit = 0x7ff;
    cpu.cr0 |= X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = (struct x86_seg){
            .sel = s == X86_CS ? 8 : 0x10, .limit = 0xffffffff,
            .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                    (s == X86_CS ? 0xb : 0x3),
        };
    }
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    cpu.regs[X86_RSP] = 0x9000;
}

TEST(same_privilege_fault_and_iret)
{
    static const uint8_t prog[] = {
        0x31, 0xc9,                 /* 1000 xor ecx, ecx */
        0xf7, 0xf1,                 /* 1002 div ecx -> #DE */
        0xbe, 0x01, 0x00, 0x00, 0x00, /* 1004 mov esi, 1 */
        0xf4,                       /* 1009 hlt */
    };
    static const uint8_t handler[] = {
        0x9c,                       /* pushfd */
        0x5f,                       /* pop edi: flags inside */
        0x83, 0x04, 0x24, 0x02,     /* add dword [esp], 2 */
        0xcf,                       /* iretd */
    };
    prot32();
    gate32(0, 0x3000, 0x08, 0x8e);      /* interrupt gate */
    load(0x1000, prog, sizeof(prog));
    load(0x3000, handler, sizeof(handler));
    x86_cpu_set_rflags(&cpu, 0x202);
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RSI], 1);
    EXPECT_EQ(cpu.regs[X86_RDI] & X86_IF, 0);      /* cleared by the gate */
    EXPECT(x86_cpu_get_rflags(&cpu) & X86_IF);      /* restored by IRET */
    EXPECT_EQ(cpu.regs[X86_RSP], 0x9000);
    EXPECT_EQ(get32(0x9000 - 12), 0x1004);          /* the fixed-up EIP */
    EXPECT_EQ(get32(0x9000 - 8), 0x08);
}

TEST(user_to_kernel_and_back)
{
    /* user code: int 0x80; then spin (cannot HLT at CPL 3) */
    static const uint8_t user[] = {
        0xb8, 0x2a, 0x00, 0x00, 0x00,   /* 2000 mov eax, 42 */
        0xcd, 0x80,                     /* 2005 int 0x80 */
        0xeb, 0xfe,                     /* 2007 jmp $ */
    };
    static const uint8_t kernel[] = {
        0x8b, 0x5c, 0x24, 0x0c,         /* mov ebx, [esp+12] (user esp) */
        0x8b, 0x4c, 0x24, 0x04,         /* mov ecx, [esp+4] (user cs) */
        0x8c, 0xd2,                     /* mov edx, ss */
        0x40,                           /* inc eax */
        0xcf,                           /* iretd */
    };
    static const uint8_t no_gate[] = { 0xcd, 0x81 };    /* int 0x81 */

    prot32();
    gate32(0x80, 0x3000, 0x08, 0xef);   /* trap gate, DPL 3 */
    gate32(0x81, 0x3000, 0x08, 0x8f);   /* DPL 0: #GP from user */
    gate32(13, 0x3100, 0x08, 0x8e);
    load(0x2000, user, sizeof(user));
    load(0x2100, no_gate, sizeof(no_gate));
    load(0x3000, kernel, sizeof(kernel));
    static const uint8_t gp_handler[] = { 0xf4 };
    load(0x3100, gp_handler, sizeof(gp_handler));
    put32(0x5004, 0x8000);              /* TSS ESP0 */
    put32(0x5008, 0x10);                /* TSS SS0 */
    cpu.tr = (struct x86_seg){ .sel = 0x28, .base = 0x5000, .limit = 0x67,
                               .attr = X86_SEG_P | 0xb };
    /* drop to user mode */
    cpu.seg[X86_CS] = (struct x86_seg){
        .sel = 0x1b, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                X86_SEG_DPL | 0xb,
    };
    for (int s = 0; s < X86_NSEG; s++) {
        if (s != X86_CS) {
            cpu.seg[s] = (struct x86_seg){
                .sel = 0x23, .limit = 0xffffffff,
                .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                        X86_SEG_DPL | 0x3,
            };
        }
    }
    x86_cpu_update_mode(&cpu);
    EXPECT_EQ(cpu.cpl, 3);
    x86_cpu_set_rflags(&cpu, 0x202);
    cpu.regs[X86_RSP] = 0x7000;
    cpu.rip = 0x2000;
    EXPECT_EQ(x86_cpu_run(&cpu, 2 + 4), X86_EXIT_BUDGET);  /* in kernel */
    EXPECT_EQ(cpu.cpl, 0);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x8000 - 20);
    EXPECT_EQ(cpu.regs[X86_RBX], 0x7000);
    EXPECT_EQ(cpu.regs[X86_RCX], 0x1b);
    EXPECT_EQ(cpu.regs[X86_RDX] & 0xffff, 0x10);
    EXPECT_EQ(x86_cpu_run(&cpu, 2), X86_EXIT_BUDGET);      /* iret, jmp */
    EXPECT_EQ(cpu.cpl, 3);
    EXPECT_EQ(cpu.rip, 0x2007);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x7000);
    EXPECT_EQ(cpu.regs[X86_RAX], 43);
    EXPECT_EQ(cpu.seg[X86_SS].sel, 0x23);

    /* INT through a DPL 0 gate from CPL 3: #GP(vector * 8 + 2) */
    cpu.rip = 0x2100;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.rip, 0x3101);
    EXPECT_EQ(get32(0x8000 - 24), 0x81 * 8 + 2);   /* the error code */
    EXPECT_EQ(get32(0x8000 - 20), 0x2100);         /* faulting EIP */
}

TEST(long_mode_ist_and_error_code)
{
    static const uint8_t prog[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x40, 0x00, /* mov rax,[4M] */
        0xf4,
    };
    static const uint8_t handler[] = {
        0x48, 0x8b, 0x1c, 0x24,         /* mov rbx, [rsp] (error code) */
        0x0f, 0x20, 0xd1,               /* mov rcx, cr2 */
        0x48, 0x89, 0xe2,               /* mov rdx, rsp */
        0xf4,
    };
    prot32();
    /* identity map the first 2 MiB; 4 MiB is not present */
    put32(0x30000, 0x31000 | 7);
    put32(0x31000, 0x32000 | 7);
    put32(0x32000, 0x83);
    cpu.cr3 = 0x30000;
    cpu.cr4 = X86_CR4_PAE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.cr0 |= X86_CR0_PG;
    cpu.seg[X86_CS] = (struct x86_seg){
        .sel = 0x30, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | X86_SEG_G | 0xb,
    };
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    EXPECT_EQ(cpu.mode, X86_MODE_LONG);
    gate64(14, 0x3000, 0x30, 0x8e, 2);          /* #PF on IST2 */
    put32(0x5000 + 0x24 + 8, 0x6008);           /* IST2, misaligned */
    cpu.tr = (struct x86_seg){ .sel = 0x28, .base = 0x5000, .limit = 0x67,
                               .attr = X86_SEG_P | 0xb };
    load(0x1000, prog, sizeof(prog));
    load(0x3000, handler, sizeof(handler));
    cpu.rip = 0x1000;
    cpu.regs[X86_RSP] = 0x9000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RBX], 0);            /* not present, read */
    EXPECT_EQ(cpu.regs[X86_RCX], 0x400000);
    EXPECT_EQ(cpu.regs[X86_RDX], 0x6000 - 48);  /* aligned, 6 pushes */
    EXPECT_EQ(get32(0x6000 - 8), 0x10);         /* SS */
    EXPECT_EQ(get32(0x6000 - 16), 0x9000);      /* RSP */
    EXPECT_EQ(get32(0x6000 - 32), 0x30);        /* CS */
    EXPECT_EQ(get32(0x6000 - 40), 0x1000);      /* RIP */
}

/*
 * 64-bit paging with the GDT, IDT, TSS and handler in a supervisor-only
 * page: INT from CPL 3 reads them with supervisor rights (through the
 * supervisor TLB), IRETQ returns, and the user's own read of the IDT then
 * faults (P | U): the implicit accesses left nothing in the user's TLB.
 */
TEST(user_interrupt_with_tables_in_supervisor_pages)
{
    static const uint8_t user[] = {
        0xcd, 0x80,                                     /* int 0x80 */
        0xcd, 0x80,                                     /* int 0x80 */
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x08, 0x00, 0x00, /* mov rax,[IDT] */
    };
    static const uint8_t kernel[] = {
        0x48, 0xff, 0xc3,                               /* inc rbx */
        0x48, 0xcf,                                     /* iretq */
    };
    prot32();
    desc(7, 0, 0xfffff, 0xfa, 0xa);                     /* 0x3b user64 */
    cpu.exc_exit_mask = 1u << X86_EXC_PF;
    /* PDE0: the first 2 MiB, supervisor; 0x200000 user code (frame
       0x40000), 0x201000 user stack (frame 0x41000) */
    put32(0x30000, 0x31000 | 7);
    put32(0x31000, 0x32000 | 7);
    put32(0x32000, 0x83);
    put32(0x32008, 0x33000 | 7);
    put32(0x33000, 0x40000 | 7);
    put32(0x33008, 0x41000 | 7);
    cpu.cr3 = 0x30000;
    cpu.cr4 = X86_CR4_PAE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.cr0 |= X86_CR0_PG;
    gate64(0x80, 0x3000, 0x30, 0xee, 0);                /* DPL 3 */
    cpu.idtr_limit = 0x80f;
    put32(0x5004, 0x9000);                              /* RSP0 */
    cpu.tr = (struct x86_seg){ .sel = 0x28, .base = 0x5000, .limit = 0x67,
                               .attr = X86_SEG_P | 0xb };
    load(0x40000, user, sizeof(user));
    load(0x3000, kernel, sizeof(kernel));
    cpu.seg[X86_CS] = (struct x86_seg){
        .sel = 0x3b, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | X86_SEG_G |
                X86_SEG_DPL | 0xb,
    };
    cpu.seg[X86_SS] = (struct x86_seg){
        .sel = 0x23, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                X86_SEG_DPL | 0x3,
    };
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    EXPECT_EQ(cpu.mode, X86_MODE_LONG);
    EXPECT_EQ(cpu.cpl, 3);
    cpu.rip = 0x200000;
    cpu.regs[X86_RSP] = 0x202000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.regs[X86_RBX], 2);
    EXPECT_EQ(cpu.cpl, 3);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_PF);
    EXPECT_EQ(cpu.exc_error, 5);                        /* P | U */
    EXPECT_EQ(cpu.cr2, 0x800);
    EXPECT_EQ(cpu.rip, 0x200004);
    EXPECT_EQ(get32(0x32000) & 0x20, 0x20);             /* accessed */
}

TEST(double_and_triple_fault)
{
    static const uint8_t ud[] = { 0x0f, 0x0b };
    static const uint8_t df_handler[] = { 0xf4 };

    /* #GP with a not-present #GP gate: #NP while delivering -> #DF */
    static const uint8_t bad_int[] = { 0xcd, 0x90 };    /* int 0x90 */
    prot32();
    gate32(0x90, 0x3000, 0x08, 0x0e);           /* not present: #NP */
    gate32(11, 0x3000, 0x08, 0x0e);             /* #NP not present */
    gate32(8, 0x3100, 0x08, 0x8e);
    load(0x1000, bad_int, sizeof(bad_int));
    load(0x3100, df_handler, sizeof(df_handler));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.rip, 0x3101);
    EXPECT_EQ(get32(0x9000 - 16), 0);           /* #DF error code 0 */

    /* #UD with no usable IDT at all: triple fault */
    prot32();
    cpu.idtr_limit = 0;
    load(0x1000, ud, sizeof(ud));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_SHUTDOWN);
}

TEST(external_interrupt_shadow_and_hlt)
{
    static const uint8_t prog[] = {
        0xfb,                       /* 1000 sti */
        0x90,                       /* 1001 nop */
        0x90,                       /* 1002 nop */
        0xf4,                       /* 1003 hlt */
        0xbe, 0x07, 0x00, 0x00, 0x00, /* 1004 mov esi, 7 */
        0xeb, 0xfe,                 /* 1009 jmp $ */
    };
    static const uint8_t handler[] = {
        0x8b, 0x1c, 0x24,           /* mov ebx, [esp] (return EIP) */
        0x47,                       /* inc edi */
        0xcf,                       /* iretd */
    };
    prot32();
    gate32(0x20, 0x3000, 0x08, 0x8e);
    load(0x1000, prog, sizeof(prog));
    load(0x3000, handler, sizeof(handler));
    cpu.rip = 0x1000;
    pending_vector = 0x20;
    x86_cpu_set_irq(&cpu, true);
    /* IF = 0: nothing happens until STI, then one more instruction */
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.regs[X86_RDI], 0);
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_BUDGET);   /* the shadowed nop */
    /* delivery is not an instruction: the 3 of the handler follow */
    EXPECT_EQ(x86_cpu_run(&cpu, 3), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.regs[X86_RBX], 0x1002);
    EXPECT_EQ(cpu.regs[X86_RDI], 1);
    EXPECT_EQ(cpu.rip, 0x1002);

    /* HLT stops; an interrupt wakes it and returns after the HLT */
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT(cpu.halted);
    pending_vector = 0x20;
    x86_cpu_set_irq(&cpu, true);
    EXPECT_EQ(x86_cpu_run(&cpu, 5), X86_EXIT_BUDGET);
    EXPECT(!cpu.halted);
    EXPECT_EQ(cpu.regs[X86_RBX], 0x1004);
    EXPECT_EQ(cpu.regs[X86_RDI], 2);
    EXPECT_EQ(cpu.regs[X86_RSI], 7);

    /* a stop request leaves the loop even with IF = 1 */
    cpu.attention |= X86_ATTN_STOP;
    EXPECT_EQ(x86_cpu_run(&cpu, 5), X86_EXIT_ATTENTION);
}

TEST(single_step_trap)
{
    static const uint8_t prog[] = {
        0x9c,                                       /* 1000 pushfd */
        0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00,   /* 1001 or [esp], TF */
        0x9d,                                       /* 1008 popfd */
        0x90,                                       /* 1009 nop: trap 1 */
        0x90,                                       /* 100a nop: trap 2 */
        0x9c,                                       /* 100b pushfd: 3 */
        0x81, 0x24, 0x24, 0xff, 0xfe, 0xff, 0xff,   /* 100c and: 4 */
        0x9d,                                       /* 1013 popfd: 5 */
        0xf1,                                       /* 1014 int1: 6 */
        0xf4,                                       /* 1015 hlt */
    };
    static const uint8_t handler[] = {
        0x47,                       /* inc edi */
        0x8b, 0x1c, 0x24,           /* mov ebx, [esp]: return EIP */
        0xcf,                       /* iretd */
    };
    prot32();
    gate32(1, 0x3000, 0x08, 0x8e);
    load(0x1000, prog, sizeof(prog));
    load(0x3000, handler, sizeof(handler));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RDI], 6);
    EXPECT_EQ(cpu.regs[X86_RBX], 0x1015);
    EXPECT_EQ(x86_cpu_get_rflags(&cpu) & X86_TF, 0);

    /* with #DB in exc_exit_mask the step stops the loop after the insn */
    cpu.exc_exit_mask = 1u << X86_EXC_DB;
    x86_cpu_set_rflags(&cpu, 2 | X86_TF);
    cpu.rip = 0x1009;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_DB);
    EXPECT_EQ(cpu.rip, 0x100a);
}

TEST(syscall_sysret_swapgs)
{
    static const uint8_t user[] = {
        0xb8, 0x05, 0x00, 0x00, 0x00,   /* 2000 mov eax, 5 */
        0x0f, 0x05,                     /* 2005 syscall */
        0xbe, 0x09, 0x00, 0x00, 0x00,   /* 2007 mov esi, 9 */
        0xeb, 0xfe,                     /* 200c jmp $ */
    };
    static const uint8_t kernel[] = {
        0x0f, 0x01, 0xf8,               /* swapgs */
        0x48, 0x89, 0xcf,               /* mov rdi, rcx */
        0xff, 0xc0,                     /* inc eax */
        0x0f, 0x01, 0xf8,               /* swapgs */
        0x48, 0x0f, 0x07,               /* sysretq */
    };
    prot32();
    put32(0x30000, 0x31000 | 7);
    put32(0x31000, 0x32000 | 7);
    put32(0x32000, 0x87);               /* user-accessible 2 MiB */
    cpu.cr3 = 0x30000;
    cpu.cr4 = X86_CR4_PAE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_SCE;
    cpu.cr0 |= X86_CR0_PG;
    cpu.star = (0x23ull << 48) | (0x10ull << 32);
    cpu.lstar = 0x3000;
    cpu.sfmask = X86_IF | X86_DF;
    cpu.seg[X86_GS].base = 0x1111;
    cpu.kernel_gs_base = 0x2222;
    cpu.seg[X86_CS] = (struct x86_seg){
        .sel = 0x33, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | X86_SEG_G |
                X86_SEG_DPL | 0xb,
    };
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    EXPECT_EQ(cpu.cpl, 3);
    load(0x2000, user, sizeof(user));
    load(0x3000, kernel, sizeof(kernel));
    x86_cpu_set_rflags(&cpu, 0x202 | X86_DF);
    cpu.rip = 0x2000;
    EXPECT_EQ(x86_cpu_run(&cpu, 3), X86_EXIT_BUDGET);   /* in the kernel */
    EXPECT_EQ(cpu.cpl, 0);
    EXPECT_EQ(cpu.seg[X86_CS].sel, 0x10);
    EXPECT_EQ(cpu.seg[X86_SS].sel, 0x18);
    EXPECT_EQ(cpu.seg[X86_GS].base, 0x2222);
    EXPECT_EQ(x86_cpu_get_rflags(&cpu) & (X86_IF | X86_DF), 0);
    EXPECT_EQ(x86_cpu_run(&cpu, 4 + 1), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.cpl, 3);
    EXPECT_EQ(cpu.mode, X86_MODE_LONG);
    EXPECT_EQ(cpu.seg[X86_CS].sel, 0x33);
    EXPECT_EQ(cpu.seg[X86_SS].sel, 0x2b);
    EXPECT_EQ(cpu.seg[X86_GS].base, 0x1111);
    EXPECT_EQ(cpu.regs[X86_RDI], 0x2007);
    EXPECT_EQ(cpu.regs[X86_RAX], 6);
    EXPECT_EQ(cpu.regs[X86_RSI], 9);
    EXPECT_EQ(x86_cpu_get_rflags(&cpu) & (X86_IF | X86_DF),
              X86_IF | X86_DF);

    /* SYSCALL without EFER.SCE is #UD */
    cpu.efer &= ~(uint64_t)X86_EFER_SCE;
    cpu.exc_exit_mask = 1u << X86_EXC_UD;
    cpu.rip = 0x2005;
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_UD);
}

TEST_MAIN()
