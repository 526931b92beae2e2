/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_prot_test.c - protected-mode behaviour of the soft x86 CPU that the
 * guest programs cannot check against QEMU (QEMU 6.2 TCG does not do it
 * the hardware way): segment limit, type and null-selector checks on data
 * accesses, alignment checking (#AC), reserved-bit page faults (P and
 * RSVD both set), INT1; plus call gates that the guest programs do not
 * use (16-bit gates, 64-bit gates in long mode) and the fault cases of
 * far transfers that must leave the state unchanged.
 * Reference: Intel SDM vol. 3A 5.3-5.4 (limit and type checks), 6.15
 * (#AC), 4.7 (page-fault error code), 5.8.3.1 (IA-32e call gates).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)

static uint8_t ram[RAM_SIZE];
static struct x86_cpu cpu;

#include "tests/unit/x86_flatbus.h"   /* ram_ptr, mmio_*, pio_* */

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL, NULL,
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

static uint16_t get16(uint32_t pa)
{
    uint16_t v;
    memcpy(&v, ram + pa, 2);
    return v;
}

static void load(uint32_t pa, const uint8_t *p, size_t n)
{
    memcpy(ram + pa, p, n);
}

#define GDT 0x600
#define TSS 0x5000

/* access: P DPL S type; flags: G DB L AVL */
static void desc(unsigned idx, uint32_t base, uint32_t limit, uint8_t access,
                 uint8_t flags)
{
    put32(GDT + idx * 8, (limit & 0xffff) | (base << 16));
    put32(GDT + idx * 8 + 4, ((base >> 16) & 0xff) | (access << 8) |
                                 (limit & 0xf0000) | (flags << 20) |
                                 (base & 0xff000000u));
}

/* A call gate in GDT slot idx (type 0xc: 32-bit, 4: 16-bit). */
static void callgate(unsigned idx, uint16_t sel, uint32_t off, unsigned type,
                     unsigned dpl, unsigned params)
{
    put32(GDT + idx * 8, (off & 0xffff) | ((uint32_t)sel << 16));
    put32(GDT + idx * 8 + 4, (off & 0xffff0000u) | 0x8000 | (dpl << 13) |
                                 (type << 8) | params);
}

static struct x86_seg flat(uint16_t sel, bool code, unsigned dpl)
{
    return (struct x86_seg){
        .sel = sel, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G | (dpl << 5) |
                (code ? 0xb : 0x3),
    };
}

/* Flat 32-bit protected mode at CPL pl; every exception stops the run. */
static void prot32(unsigned pl)
{
    memset(ram, 0, sizeof(ram));
    x86_cpu_init(&cpu, &bus);
    desc(1, 0, 0xfffff, 0x9a, 0xc);     /* 0x08 code32 */
    desc(2, 0, 0xfffff, 0x92, 0xc);     /* 0x10 data32 */
    desc(3, 0, 0xfffff, 0xfa, 0xc);     /* 0x1b user code32 */
    desc(4, 0, 0xfffff, 0xf2, 0xc);     /* 0x23 user data32 */
    desc(5, TSS, 0x67, 0x89, 0);        /* 0x28 TSS32 */
    desc(6, 0, 0xfffff, 0x9a, 0xa);     /* 0x30 code64 */
    desc(7, 0, 0xfff, 0x92, 0x4);       /* 0x38 data, limit 0xfff */
    desc(8, 0, 0xfffff, 0x90, 0xc);     /* 0x40 read-only data */
    desc(9, 0, 0xfffff, 0xfa, 0xa);     /* 0x4b user code64 */
    cpu.gdtr_base = GDT;
    cpu.gdtr_limit = 16 * 8 - 1;
    cpu.idtr_base = 0x800;
    cpu.idtr_limit = 0x7ff;
    cpu.cr0 |= X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = s == X86_CS ? flat(pl ? 0x1b : 0x08, true, pl)
                                 : flat(pl ? 0x23 : 0x10, false, pl);
    }
    cpu.tr = (struct x86_seg){ .sel = 0x28, .base = TSS, .limit = 0x67,
                               .attr = X86_SEG_P | 0xb };
    put32(TSS + 4, 0x8000);             /* ESP0 */
    put32(TSS + 8, 0x10);               /* SS0 */
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    cpu.regs[X86_RSP] = 0x9000;
    cpu.exc_exit_mask = ~0u;
    cpu.rip = 0x1000;
}

/* Run prog at 0x1000; returns the exit reason. */
static enum x86_exit run(const uint8_t *prog, size_t n, uint64_t budget)
{
    load(0x1000, prog, n);
    return x86_cpu_run(&cpu, budget);
}

#define EXPECT_EXC(vec, err)                                          \
    do {                                                              \
        EXPECT_EQ(cpu.exc_vector, vec);                               \
        EXPECT_EQ(cpu.exc_error, err);                                \
    } while (0)

TEST(segment_limits_types_and_null)
{
    /* mov eax, [ds:0xffe] with DS limit 0xfff */
    static const uint8_t over[] = { 0xa1, 0xfe, 0x0f, 0x00, 0x00 };
    static const uint8_t ok[] = { 0xa1, 0xfc, 0x0f, 0x00, 0x00 };
    /* mov [ds:0x100], eax */
    static const uint8_t store[] = { 0xa3, 0x00, 0x01, 0x00, 0x00 };
    static const uint8_t push[] = { 0x50 };

    prot32(0);
    cpu.seg[X86_DS] = (struct x86_seg){ .sel = 0x38, .limit = 0xfff,
                                        .attr = 0x493 };
    EXPECT_EQ(run(over, sizeof(over), 1), X86_EXIT_EXCEPTION);
    EXPECT_EXC(X86_EXC_GP, 0);
    EXPECT_EQ(cpu.rip, 0x1000);
    prot32(0);
    cpu.seg[X86_DS] = (struct x86_seg){ .sel = 0x38, .limit = 0xfff,
                                        .attr = 0x493 };
    EXPECT_EQ(run(ok, sizeof(ok), 1), X86_EXIT_BUDGET);

    prot32(0);
    cpu.seg[X86_DS] = (struct x86_seg){ .sel = 0x40, .limit = 0xffffffff,
                                        .attr = 0xc91 };
    EXPECT_EQ(run(store, sizeof(store), 1), X86_EXIT_EXCEPTION);
    EXPECT_EXC(X86_EXC_GP, 0);              /* read-only data */

    prot32(0);
    cpu.seg[X86_DS] = (struct x86_seg){ .sel = 0 };
    EXPECT_EQ(run(store, sizeof(store), 1), X86_EXIT_EXCEPTION);
    EXPECT_EXC(X86_EXC_GP, 0);              /* null selector */

    prot32(0);
    cpu.seg[X86_SS] = (struct x86_seg){ .sel = 0x38, .limit = 0xfff,
                                        .attr = 0x493 };
    cpu.regs[X86_RSP] = 0x1002;
    EXPECT_EQ(run(push, sizeof(push), 1), X86_EXIT_EXCEPTION);
    EXPECT_EXC(X86_EXC_SS, 0);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x1002);
}

TEST(alignment_check)
{
    /* mov eax, [0x3001]; mov eax, [0x3004] */
    static const uint8_t mis[] = { 0xa1, 0x01, 0x30, 0x00, 0x00 };
    static const uint8_t al[] = { 0xa1, 0x04, 0x30, 0x00, 0x00 };

    prot32(3);
    cpu.cr0 |= X86_CR0_AM;
    x86_cpu_set_rflags(&cpu, 2 | X86_AC);
    EXPECT_EQ(run(al, sizeof(al), 1), X86_EXIT_BUDGET);
    cpu.rip = 0x1000;
    EXPECT_EQ(run(mis, sizeof(mis), 1), X86_EXIT_EXCEPTION);
    EXPECT_EXC(X86_EXC_AC, 0);

    /* the TLB must not let a cached page skip the check: read the page
       with AC clear first, then set AC */
    prot32(3);
    cpu.cr0 |= X86_CR0_AM;
    EXPECT_EQ(run(mis, sizeof(mis), 1), X86_EXIT_BUDGET);
    /* popf with AC set: pushfd; or dword [esp], 1<<18; popfd; then mis */
    static const uint8_t set_ac[] = {
        0x9c, 0x81, 0x0c, 0x24, 0x00, 0x00, 0x04, 0x00, 0x9d,
        0xa1, 0x01, 0x30, 0x00, 0x00,
    };
    cpu.rip = 0x1000;
    EXPECT_EQ(run(set_ac, sizeof(set_ac), 4), X86_EXIT_EXCEPTION);
    EXPECT_EXC(X86_EXC_AC, 0);
    EXPECT_EQ(cpu.rip, 0x1009);

    /* CPL 0 and AM clear: never */
    prot32(0);
    cpu.cr0 |= X86_CR0_AM;
    x86_cpu_set_rflags(&cpu, 2 | X86_AC);
    EXPECT_EQ(run(mis, sizeof(mis), 1), X86_EXIT_BUDGET);
    prot32(3);
    x86_cpu_set_rflags(&cpu, 2 | X86_AC);
    EXPECT_EQ(run(mis, sizeof(mis), 1), X86_EXIT_BUDGET);
}

TEST(reserved_bit_page_fault)
{
    /* PAE: PDPT 0x30000, PD 0x31000, PT 0x32000 (0-2 MiB); the page at
       0x3000 has bit 51 set in its PTE */
    static const uint8_t rd[] = { 0xa1, 0x10, 0x30, 0x00, 0x00 };
    static const uint8_t wr[] = { 0xa3, 0x10, 0x30, 0x00, 0x00 };

    for (int write = 0; write < 2; write++) {
        prot32(0);
        put32(0x30000, 0x31000 | 1);
        put32(0x31000, 0x32000 | 3);
        for (unsigned i = 0; i < 512; i++) {
            put32(0x32000 + i * 8, (i << 12) | 3);
        }
        put32(0x32000 + 3 * 8 + 4, 1u << 19);
        cpu.cr3 = 0x30000;
        cpu.cr4 = X86_CR4_PAE;
        cpu.cr0 |= X86_CR0_PG;
        x86_tlb_flush(&cpu);
        EXPECT_EQ(run(write ? wr : rd, 5, 1), X86_EXIT_EXCEPTION);
        EXPECT_EXC(X86_EXC_PF, write ? 0xb : 0x9);  /* P | RSVD (| W) */
        EXPECT_EQ(cpu.cr2, 0x3010);
    }
}

TEST(int1_is_a_debug_trap)
{
    /* INT1 goes through the #DB gate without its DPL check, as a trap */
    static const uint8_t icebp[] = { 0xf1 };
    static const uint8_t hlt[] = { 0xf4 };
    prot32(3);
    put32(0x800 + 8, 0x2000 | (0x08 << 16));
    put32(0x800 + 12, 0x8e00);          /* interrupt gate, DPL 0 */
    load(0x2000, hlt, sizeof(hlt));
    cpu.exc_exit_mask = 0;
    EXPECT_EQ(run(icebp, sizeof(icebp), 2), X86_EXIT_HLT);
    EXPECT_EQ(cpu.rip, 0x2001);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x8000 - 20);
    EXPECT_EQ(get32(0x8000 - 20), 0x1001);      /* after INT1 */
}

TEST(call_gate_16bit)
{
    /* call 0x50:0 (a 16-bit gate to 0x08:0x2000), in the callee: retf */
    static const uint8_t prog[] = {
        0x9a, 0x00, 0x00, 0x00, 0x00, 0x50, 0x00,
        0xf4,
    };
    static const uint8_t callee[] = { 0x66, 0xcb };     /* o16 retf */
    prot32(0);
    callgate(10, 0x08, 0x2000, 4, 0, 0);
    load(0x2000, callee, sizeof(callee));
    cpu.exc_exit_mask = 0;
    EXPECT_EQ(run(prog, sizeof(prog), 1), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.rip, 0x2000);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x9000 - 4);   /* two 16-bit pushes */
    EXPECT_EQ(get16(0x9000 - 2), 0x08);
    EXPECT_EQ(get16(0x9000 - 4), 0x1007);
    EXPECT_EQ(x86_cpu_run(&cpu, 2), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x9000);
}

TEST(call_gate_fault_keeps_state)
{
    /* from CPL 3 through a gate to ring 0 whose TSS stack is not
       writable data: #TS(SS) and nothing changed */
    static const uint8_t prog[] = {
        0x9a, 0x00, 0x00, 0x00, 0x00, 0x53, 0x00,
    };
    prot32(3);
    callgate(10, 0x08, 0x2000, 0xc, 3, 0);
    put32(TSS + 8, 0x40);               /* SS0: read-only data */
    EXPECT_EQ(run(prog, sizeof(prog), 1), X86_EXIT_EXCEPTION);
    EXPECT_EXC(X86_EXC_TS, 0x40);
    EXPECT_EQ(cpu.cpl, 3);
    EXPECT_EQ(cpu.seg[X86_SS].sel, 0x23);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x9000);
    EXPECT_EQ(cpu.rip, 0x1000);
}

TEST(call_gate_64bit)
{
    /* 64-bit CPL 3: call far [0x3000] -> gate 0x50 -> 64-bit ring 0 at
       0x2000, which returns with retfq */
    static const uint8_t prog[] = {
        0xff, 0x1c, 0x25, 0x00, 0x30, 0x00, 0x00,   /* call far [0x3000] */
        0xeb, 0xfe,                                 /* jmp $ */
    };
    static const uint8_t callee[] = { 0x48, 0xcb };   /* retfq */
    prot32(0);
    /* identity map 2 MiB */
    put32(0x30000, 0x31000 | 7);
    put32(0x31000, 0x32000 | 7);
    put32(0x32000, 0x87);
    cpu.cr3 = 0x30000;
    cpu.cr4 = X86_CR4_PAE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.cr0 |= X86_CR0_PG;
    callgate(10, 0x30, 0x2000, 0xc, 3, 0);
    put32(GDT + 11 * 8, 0);             /* upper half of the 16-byte gate */
    put32(GDT + 11 * 8 + 4, 0);
    put32(TSS + 4, 0x8000);             /* RSP0 */
    put32(TSS + 8, 0);
    put32(0x3000, 0);                   /* m16:32 */
    put32(0x3004, 0x53);
    load(0x2000, callee, sizeof(callee));
    cpu.seg[X86_CS] = (struct x86_seg){
        .sel = 0x4b, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | X86_SEG_G | (3 << 5) | 0xb,
    };
    cpu.seg[X86_SS] = flat(0x23, false, 3);
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    EXPECT_EQ(cpu.mode, X86_MODE_LONG);
    EXPECT_EQ(cpu.cpl, 3);
    cpu.regs[X86_RSP] = 0x9000;
    EXPECT_EQ(run(prog, sizeof(prog), 1), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.cpl, 0);
    EXPECT_EQ(cpu.rip, 0x2000);
    EXPECT_EQ(cpu.seg[X86_SS].sel, 0);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x8000 - 32);
    EXPECT_EQ(get32(0x8000 - 8), 0x23);         /* SS */
    EXPECT_EQ(get32(0x8000 - 16), 0x9000);      /* RSP */
    EXPECT_EQ(get32(0x8000 - 24), 0x4b);        /* CS */
    EXPECT_EQ(get32(0x8000 - 32), 0x1007);      /* RIP */
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.cpl, 3);
    EXPECT_EQ(cpu.rip, 0x1007);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x9000);
    EXPECT_EQ(cpu.seg[X86_SS].sel, 0x23);
}

TEST(task_switch_into_v86_task)
{
    /* jmp 0x48:0 to a 32-bit TSS whose EFLAGS has VM: the new task runs
       in virtual-8086 mode with real-mode segments; the old TSS is saved
       and no longer busy */
    static const uint8_t prog[] = { 0xea, 0, 0, 0, 0, 0x48, 0 };
    static const uint8_t v86[] = { 0xf4 };              /* hlt: #GP */
    prot32(0);
    desc(9, 0x6000, 0x67, 0x89, 0);     /* 0x48: available TSS32 */
    put32(0x6000 + 0x20, 0x0010);       /* EIP */
    put32(0x6000 + 0x24, 0x20002);      /* EFLAGS: VM */
    put32(0x6000 + 0x38, 0x0200);       /* ESP */
    put32(0x6000 + 0x48, 0x0300);       /* ES */
    put32(0x6000 + 0x4c, 0x0100);       /* CS */
    put32(0x6000 + 0x50, 0x0200);       /* SS */
    put32(0x6000 + 0x54, 0x0400);       /* DS */
    desc(5, TSS, 0x67, 0x8b, 0);        /* the current TSS is busy */
    load(0x1010, v86, sizeof(v86));
    cpu.regs[X86_RAX] = 0x1234;
    EXPECT_EQ(run(prog, sizeof(prog), 2), X86_EXIT_EXCEPTION);
    EXPECT_EXC(X86_EXC_GP, 0);
    EXPECT_EQ(cpu.mode, X86_MODE_V86);
    EXPECT_EQ(cpu.cpl, 3);
    EXPECT_EQ(cpu.rip, 0x10);
    EXPECT_EQ(cpu.seg[X86_CS].base, 0x1000);
    EXPECT_EQ(cpu.seg[X86_SS].base, 0x2000);
    EXPECT_EQ(cpu.seg[X86_DS].base, 0x4000);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x200);
    EXPECT_EQ(cpu.tr.sel, 0x48);
    EXPECT_EQ(ram[GDT + 5 * 8 + 5], 0x89);     /* old: available */
    EXPECT_EQ(ram[GDT + 9 * 8 + 5], 0x8b);     /* new: busy */
    EXPECT_EQ(get32(TSS + 0x20), 0x1007);      /* saved EIP */
    EXPECT_EQ(get32(TSS + 0x28), 0x1234);      /* saved EAX */
    EXPECT(cpu.cr0 & X86_CR0_TS);
}

TEST_MAIN()
