/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_paging_test.c - paging in the soft x86 CPU: 32-bit paging with 4 KiB
 * and PSE 4 MiB pages, accessed/dirty updates, CR0.WP, user/supervisor and
 * not-present faults with their error codes and CR2, 4-level paging with
 * 2 MiB pages and NX, and entering IA-32e mode through WRMSR EFER and
 * MOV CR0.  Reference: Intel SDM vol. 3A ch. 4, 9.8.5.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)

static uint8_t ram[RAM_SIZE];
static struct x86_cpu cpu;

#include "tests/unit/x86_flatbus.h"   /* ram_ptr, mmio_*, pio_* */

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL,
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

static void put64(uint32_t pa, uint64_t v)
{
    memcpy(ram + pa, &v, 8);
}

static uint64_t get64(uint32_t pa)
{
    uint64_t v;
    memcpy(&v, ram + pa, 8);
    return v;
}

static void flat32(unsigned cpl)
{
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;      /* report faults, do not deliver */
    cpu.cr0 |= X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = (struct x86_seg){
            .sel = (s == X86_CS ? 8 : 16) | cpl, .base = 0,
            .limit = 0xffffffff,
            .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                    (s == X86_CS ? 0xb : 0x3) | (cpl << 5),
        };
    }
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
}

/* 32-bit tables: PDE0 a 4 MiB identity page, PDE1 a page table at 0x11000
   with PTE0 -> 0x20000 (RW, user), PTE1 -> 0x21000 (RO, supervisor),
   PTE2 not present. */
static void tables32(bool user_code)
{
    memset(ram, 0, sizeof(ram));
    put32(0x10000, 0x83 | (user_code ? 4 : 0));
    put32(0x10004, 0x11000 | 0x7);
    put32(0x11000, 0x20000 | 0x7);
    put32(0x11004, 0x21000 | 0x1);
}

TEST(paging32_access_dirty)
{
    static const uint8_t prog[] = {
        0x0f, 0x20, 0xc0,                       /* mov eax, cr0 */
        0x0d, 0x00, 0x00, 0x00, 0x80,           /* or eax, 0x80000000 */
        0x0f, 0x22, 0xc0,                       /* mov cr0, eax */
        0xc7, 0x05, 0x10, 0x00, 0x40, 0x00,     /* mov dword [0x400010], */
        0x44, 0x33, 0x22, 0x11,                 /*   0x11223344 */
        0x8b, 0x1d, 0x00, 0x10, 0x40, 0x00,     /* mov ebx, [0x401000] */
        0xf4,
    };
    flat32(0);
    tables32(false);
    memcpy(ram + 0x1000, prog, sizeof(prog));
    put32(0x21000, 0xfeedf00d);
    cpu.cr3 = 0x10000;
    cpu.cr4 = X86_CR4_PSE;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT(cpu.cr0 & X86_CR0_PG);
    EXPECT_EQ(get32(0x20010), 0x11223344);
    EXPECT_EQ(cpu.regs[X86_RBX], 0xfeedf00d);
    EXPECT_EQ(get32(0x11000) & 0x60, 0x60);     /* A and D */
    EXPECT_EQ(get32(0x11004) & 0x60, 0x20);     /* A only */
    EXPECT_EQ(get32(0x10004) & 0x20, 0x20);
    EXPECT_EQ(get32(0x10000) & 0x20, 0x20);     /* the code's 4 MiB page */
}

TEST(paging32_faults)
{
    static const uint8_t wr_ro[] = {
        0xc7, 0x05, 0x04, 0x10, 0x40, 0x00, 1, 0, 0, 0, 0xf4,
    };
    static const uint8_t rd_np[] = { 0x8b, 0x1d, 0x00, 0x20, 0x40, 0x00 };

    /* supervisor write to a read-only page: allowed without CR0.WP */
    flat32(0);
    tables32(false);
    memcpy(ram + 0x1000, wr_ro, sizeof(wr_ro));
    cpu.cr3 = 0x10000;
    cpu.cr4 = X86_CR4_PSE;
    cpu.cr0 |= X86_CR0_PG;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(get32(0x21004), 1);

    /* ... and a #PF with P|W under CR0.WP */
    cpu.cr0 |= X86_CR0_WP;
    x86_tlb_flush(&cpu);
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_PF);
    EXPECT_EQ(cpu.exc_error, 3);
    EXPECT_EQ(cpu.cr2, 0x401004);
    EXPECT_EQ(cpu.rip, 0x1000);

    /* not present: error code 0, CR2 the exact address */
    memcpy(ram + 0x1000, rd_np, sizeof(rd_np));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_PF);
    EXPECT_EQ(cpu.exc_error, 0);
    EXPECT_EQ(cpu.cr2, 0x402000);
}

TEST(paging32_user)
{
    static const uint8_t rd_sup[] = { 0x8b, 0x1d, 0x08, 0x10, 0x40, 0x00 };
    static const uint8_t wr_user[] = {
        0xc7, 0x05, 0x00, 0x00, 0x40, 0x00, 9, 0, 0, 0, 0xf4,
    };

    flat32(3);
    tables32(true);
    memcpy(ram + 0x1000, rd_sup, sizeof(rd_sup));
    cpu.cr3 = 0x10000;
    cpu.cr4 = X86_CR4_PSE;
    cpu.cr0 |= X86_CR0_PG;
    cpu.rip = 0x1000;
    EXPECT_EQ(cpu.cpl, 3);
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_PF);
    EXPECT_EQ(cpu.exc_error, 5);                /* P | U */
    EXPECT_EQ(cpu.cr2, 0x401008);

    memcpy(ram + 0x1000, wr_user, sizeof(wr_user));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_BUDGET);
    EXPECT_EQ(get32(0x20000), 9);
    /* HLT is privileged */
    EXPECT_EQ(x86_cpu_run(&cpu, 1), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_GP);
}

TEST(paging_long_nx)
{
    static const uint8_t prog[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, /* mov rax,[2M] */
        0x48, 0x89, 0x04, 0x25, 0x08, 0x10, 0x20, 0x00, /* mov [2M+4K+8],rax */
        0xff, 0x24, 0x25, 0x00, 0x00, 0x20, 0x00,       /* jmp [2M] */
    };
    flat32(0);
    memset(ram, 0, sizeof(ram));
    /* PML4 0x30000 -> PDPT 0x31000 -> PD 0x32000: PDE0 2 MiB identity,
       PDE1 -> PT 0x33000: PTE0 -> 0x40000 NX, PTE1 -> 0x41000 */
    put64(0x30000, 0x31000 | 7);
    put64(0x31000, 0x32000 | 7);
    put64(0x32000, 0x83);
    put64(0x32008, 0x33000 | 7);
    put64(0x33000, 0x40000 | 3 | (1ull << 63));
    put64(0x33008, 0x41000 | 3 | (0x7full << 52));   /* software bits */
    put64(0x40000, 0x200000);       /* the jump target: itself, NX */
    memcpy(ram + 0x1000, prog, sizeof(prog));
    cpu.cr3 = 0x30000;
    cpu.cr4 = X86_CR4_PAE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
    cpu.cr0 |= X86_CR0_PG;
    cpu.seg[X86_CS].attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | 0xb;
    x86_cpu_update_mode(&cpu);
    EXPECT_EQ(cpu.mode, X86_MODE_LONG);
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_PF);
    EXPECT_EQ(cpu.exc_error, 0x11);             /* P | I */
    EXPECT_EQ(cpu.cr2, 0x200000);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x200000);
    EXPECT_EQ(get64(0x41008), 0x200000);
    EXPECT_EQ(get64(0x33008) & 0x60, 0x60);
    EXPECT_EQ(get64(0x32000) & 0x60, 0x20);     /* 2 MiB page: A, no D */
}

TEST(paging_reserved_bit)
{
    static const uint8_t prog[] = {
        0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, /* mov rax,[2M] */
    };
    flat32(0);
    memset(ram, 0, sizeof(ram));
    put64(0x30000, 0x31000 | 7);
    put64(0x31000, 0x32000 | 7);
    put64(0x32000, 0x83);
    put64(0x32008, 0x33000 | 7);
    put64(0x33000, 0x40000 | 3 | (1ull << 45));   /* above 40 bits */
    memcpy(ram + 0x1000, prog, sizeof(prog));
    cpu.cr3 = 0x30000;
    cpu.cr4 = X86_CR4_PAE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.cr0 |= X86_CR0_PG;
    cpu.seg[X86_CS].attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | 0xb;
    x86_cpu_update_mode(&cpu);
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_PF);
    EXPECT_EQ(cpu.exc_error, 9);                /* P | RSVD */
    EXPECT_EQ(cpu.cr2, 0x200000);
}

TEST(enter_ia32e_mode)
{
    static const uint8_t prog[] = {
        0xb9, 0x80, 0x00, 0x00, 0xc0,           /* mov ecx, 0xc0000080 */
        0x0f, 0x32,                             /* rdmsr */
        0x0d, 0x00, 0x01, 0x00, 0x00,           /* or eax, 0x100 (LME) */
        0x0f, 0x30,                             /* wrmsr */
        0x0f, 0x20, 0xe0,                       /* mov eax, cr4 */
        0x83, 0xc8, 0x20,                       /* or eax, 0x20 (PAE) */
        0x0f, 0x22, 0xe0,                       /* mov cr4, eax */
        0xb8, 0x00, 0x00, 0x03, 0x00,           /* mov eax, 0x30000 */
        0x0f, 0x22, 0xd8,                       /* mov cr3, eax */
        0x0f, 0x20, 0xc0,                       /* mov eax, cr0 */
        0x0d, 0x00, 0x00, 0x00, 0x80,           /* or eax, 0x80000000 */
        0x0f, 0x22, 0xc0,                       /* mov cr0, eax */
        0xf4,
    };
    static const uint8_t bad[] = {
        0x0f, 0x20, 0xc0,                       /* mov eax, cr0 */
        0x25, 0xff, 0xff, 0xff, 0x7f,           /* and eax, ~PG */
        0x0f, 0x22, 0xc0,                       /* mov cr0, eax: #GP in */
    };                                          /* 64-bit mode */
    flat32(0);
    memset(ram, 0, sizeof(ram));
    put64(0x30000, 0x31000 | 7);
    put64(0x31000, 0x32000 | 7);
    put64(0x32000, 0x83);
    memcpy(ram + 0x1000, prog, sizeof(prog));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT(cpu.efer & X86_EFER_LMA);
    EXPECT_EQ(cpu.mode, X86_MODE_COMPAT);
    EXPECT_EQ(cpu.code_size, 2);

    /* 64-bit code cannot turn paging off */
    cpu.seg[X86_CS].attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | 0xb;
    x86_cpu_update_mode(&cpu);
    memcpy(ram + 0x2000, bad, sizeof(bad));
    cpu.rip = 0x2000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_GP);
    EXPECT_EQ(cpu.rip, 0x2008);
}

TEST_MAIN()
