/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_tlb_test.c - the soft x86 CPU's software TLB and what depends on it:
 * instructions fetched across a page end (from two unrelated frames, and
 * faulting on the second page with the fetch's CR2 and error code); global
 * pages kept across CR3 writes but not INVLPG or a CR4.PGE toggle; INVLPG
 * of an address inside a large page; two pages sharing a set (the second
 * way), including a write entry parked there while its frame became code.
 * Reference: Intel SDM vol. 3A 4.7 (page-fault error code), 4.10 (TLBs).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define RAM_SIZE (4u << 20)

static uint8_t ram[RAM_SIZE];
static struct x86_cpu cpu;

#include "tests/unit/x86_flatbus.h"   /* ram_ptr, mmio_*, pio_* */

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL,
};

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

#define PT 0x33000u             /* the page table of 0x200000-0x3fffff */

/* Set the 4 KiB page at linear 0x200000 + 0x1000 * n to pte. */
static void map(unsigned n, uint64_t pte)
{
    put64(PT + 8 * n, pte);
}

/*
 * 64-bit mode, ring 0, NX on: PML4 0x30000 -> PDPT 0x31000 -> PD 0x32000,
 * PDE0 a 2 MiB identity page (global when g), PDE1 -> the page table PT,
 * empty.
 */
static void long_mode(bool g)
{
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;      /* report faults, do not deliver */
    memset(ram, 0, sizeof(ram));
    put64(0x30000, 0x31000 | 7);
    put64(0x31000, 0x32000 | 7);
    put64(0x32000, 0x83 | (g ? 0x100 : 0));
    put64(0x32008, PT | 7);
    cpu.cr0 |= X86_CR0_PE | X86_CR0_PG;
    cpu.cr3 = 0x30000;
    cpu.cr4 = X86_CR4_PAE;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
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

/* A loop whose first instruction has three bytes at the end of the page
   0x200000 (frame 0x40000) and two at the start of 0x201000 (frame
   0x50000): add eax, 0x01020304; dec ecx; jnz back; hlt. */
static void split_loop(void)
{
    static const uint8_t head[] = { 0x05, 0x04, 0x03 };
    static const uint8_t tail[] = {
        0x02, 0x01,
        0xff, 0xc9,                 /* dec ecx */
        0x75, 0xf7,                 /* jnz 0x200ffd */
        0xf4,                       /* hlt */
    };
    memcpy(ram + 0x40ffd, head, sizeof(head));
    memcpy(ram + 0x50000, tail, sizeof(tail));
    map(0, 0x40000 | 3);
    map(1, 0x50000 | 3);
}

TEST(fetch_across_a_page_end)
{
    long_mode(false);
    split_loop();
    cpu.rip = 0x200ffd;
    cpu.regs[X86_RCX] = 1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], (uint32_t)(1000u * 0x01020304u));
    EXPECT_EQ(cpu.regs[X86_RCX], 0);
    EXPECT_EQ(get64(PT + 8) & 0x20, 0x20);      /* fetched: accessed */
}

TEST(fetch_fault_on_the_second_page)
{
    long_mode(false);
    split_loop();
    map(1, 0x50000 | 3 | (1ull << 63));         /* NX */
    cpu.rip = 0x200ffd;
    cpu.regs[X86_RCX] = 5;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_PF);
    EXPECT_EQ(cpu.exc_error, 0x11);             /* P | I */
    EXPECT_EQ(cpu.cr2, 0x201000);
    EXPECT_EQ(cpu.rip, 0x200ffd);
    EXPECT_EQ(cpu.regs[X86_RAX], 0);

    map(1, 0);                                  /* not present */
    x86_tlb_flush(&cpu);
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_error, 0x10);             /* I */
    EXPECT_EQ(cpu.cr2, 0x201000);
}

static void put8(uint32_t pa, uint8_t v)
{
    ram[pa] = v;
}

/* Run code at 0x1000 (the identity-mapped 2 MiB page) to its HLT. */
static void run_at_1000(const uint8_t *code, size_t n)
{
    memcpy(ram + 0x1000, code, n);
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100000), X86_EXIT_HLT);
}

TEST(global_pages_and_cr3_writes)
{
    static const uint8_t load[] = {
        0x8a, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00,   /* mov al, [0x200000] */
        0x8a, 0x1c, 0x25, 0x00, 0x10, 0x20, 0x00,   /* mov bl, [0x201000] */
        0xf4,
    };
    static const uint8_t cr3_load[] = {
        0x0f, 0x22, 0xd9,                           /* mov cr3, rcx */
        0x8a, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00,   /* mov al, [0x200000] */
        0x8a, 0x1c, 0x25, 0x00, 0x10, 0x20, 0x00,   /* mov bl, [0x201000] */
        0xf4,
    };
    static const uint8_t invlpg_load[] = {
        0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x20, 0x00, /* invlpg [2M] */
        0x8a, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00,   /* mov al, [0x200000] */
        0xf4,
    };
    static const uint8_t pge_toggle[] = {
        0x0f, 0x20, 0xe2,                           /* mov rdx, cr4 */
        0x48, 0x81, 0xe2, 0x7f, 0xff, 0xff, 0xff,   /* and rdx, ~PGE */
        0x0f, 0x22, 0xe2,                           /* mov cr4, rdx */
        0x48, 0x81, 0xca, 0x80, 0x00, 0x00, 0x00,   /* or rdx, PGE */
        0x0f, 0x22, 0xe2,                           /* mov cr4, rdx */
        0x8a, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00,   /* mov al, [0x200000] */
        0xf4,
    };
    long_mode(true);
    cpu.cr4 |= X86_CR4_PGE;
    /* 0x200000 global -> frame 0x40000, 0x201000 not -> 0x41000 */
    map(0, 0x40000 | 3 | 0x100);
    map(1, 0x41000 | 3);
    put8(0x40000, 0xa0);
    put8(0x41000, 0xa1);
    put8(0x50000, 0xb0);
    put8(0x51000, 0xb1);
    run_at_1000(load, sizeof(load));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xa0);
    EXPECT_EQ(cpu.regs[X86_RBX] & 0xff, 0xa1);

    /* move both pages; a CR3 write keeps the global one's translation */
    map(0, 0x50000 | 3 | 0x100);
    map(1, 0x51000 | 3);
    cpu.regs[X86_RCX] = 0x30000;
    run_at_1000(cr3_load, sizeof(cr3_load));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xa0);
    EXPECT_EQ(cpu.regs[X86_RBX] & 0xff, 0xb1);

    /* INVLPG drops a global page */
    run_at_1000(invlpg_load, sizeof(invlpg_load));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xb0);

    /* so does turning CR4.PGE off (and on again) */
    map(0, 0x40000 | 3 | 0x100);
    run_at_1000(cr3_load, sizeof(cr3_load));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xb0);  /* still the old one */
    run_at_1000(pge_toggle, sizeof(pge_toggle));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xa0);
    EXPECT(cpu.cr4 & X86_CR4_PGE);

    /* without CR4.PGE the G bit means nothing */
    cpu.cr4 &= ~(uint64_t)X86_CR4_PGE;
    x86_tlb_flush(&cpu);
    run_at_1000(load, sizeof(load));
    map(0, 0x50000 | 3 | 0x100);
    run_at_1000(cr3_load, sizeof(cr3_load));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xb0);
}

TEST(invlpg_inside_a_large_page)
{
    static const uint8_t load[] = {
        0x8a, 0x04, 0x25, 0x00, 0x50, 0x60, 0x00,   /* mov al, [0x605000] */
        0xf4,
    };
    static const uint8_t invlpg_load[] = {
        0x0f, 0x01, 0x3c, 0x25, 0x00, 0x30, 0x7f, 0x00, /* invlpg [0x7f3000] */
        0x8a, 0x04, 0x25, 0x00, 0x50, 0x60, 0x00,   /* mov al, [0x605000] */
        0xf4,
    };
    static const uint8_t invlpg_other[] = {
        0x0f, 0x01, 0x3c, 0x25, 0x00, 0x50, 0x20, 0x00, /* invlpg [0x205000] */
        0x8a, 0x04, 0x25, 0x00, 0x50, 0x60, 0x00,   /* mov al, [0x605000] */
        0xf4,
    };
    long_mode(false);
    put64(0x32018, 0x200000 | 0x83);        /* 0x600000: 2 MiB at 2 MiB */
    put8(0x205000, 0xc2);
    put8(0x005000, 0xc0);
    run_at_1000(load, sizeof(load));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xc2);
    put64(0x32018, 0x000000 | 0x83);        /* now the first 2 MiB */
    /* INVLPG of a page outside it leaves the entry (hemu's TLB keeps
       what it may keep) */
    run_at_1000(invlpg_other, sizeof(invlpg_other));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xc2);
    /* another 4 KiB piece of the same large page drops it */
    run_at_1000(invlpg_load, sizeof(invlpg_load));
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0xc0);
}

/* 0x200000 and 0x600000 share a TLB set (1024 sets of 4 KiB). */
TEST(two_pages_in_one_set)
{
    static const uint8_t prog[] = {
        0xb9, 0x00, 0x01, 0x00, 0x00,               /* mov ecx, 256 */
        /* loop: */
        0x8a, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00,   /* mov al, [0x200000] */
        0x00, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,   /* add [0x600000], al */
        0x02, 0x1c, 0x25, 0x00, 0x00, 0x60, 0x00,   /* add bl, [0x600000] */
        0xfe, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00,   /* inc byte [0x200000] */
        0xff, 0xc9,                                 /* dec ecx */
        0x75, 0xe0,                                 /* jnz loop */
        0xf4,
    };
    long_mode(false);
    map(0, 0x40000 | 3);
    put64(0x32018, 0x34000 | 7);            /* 0x600000 -> PT 0x34000 */
    put64(0x34000, 0x42000 | 3);
    run_at_1000(prog, sizeof(prog));
    /* [0x600000] = sum of 0..255 mod 256; bl adds the running sums */
    uint8_t sum = 0, bl = 0;
    for (unsigned i = 0; i < 256; i++) {
        sum = (uint8_t)(sum + i);
        bl = (uint8_t)(bl + sum);
    }
    EXPECT_EQ(ram[0x42000], sum);
    EXPECT_EQ(cpu.regs[X86_RBX] & 0xff, bl);
    EXPECT_EQ(ram[0x40000], 0);             /* 256 increments */
    EXPECT_EQ(get64(0x34000) & 0x60, 0x60);
}

/*
 * A write entry parked in the second way while its frame became code
 * through another linear address: the way's entry must not bring back
 * fast writes to that frame.  X = 0x200000 and Z = 0x201000 map frame
 * 0x40000, Y = 0x600000 shares X's set.
 */
TEST(parked_write_entry_and_code)
{
    static const uint8_t prog[] = {
        0xc6, 0x04, 0x25, 0x00, 0x08, 0x20, 0x00, 0x01, /* mov [X+0x800],1 */
        0x8a, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,       /* mov al, [Y] */
        0xb8, 0x00, 0x11, 0x20, 0x00,                   /* mov eax, Z+0x100 */
        0xff, 0xe0,                                     /* jmp rax */
    };
    static const uint8_t at_z[] = {
        0xc6, 0x04, 0x25, 0x00, 0x09, 0x20, 0x00, 0x02, /* mov [X+0x900],2 */
        0xc6, 0x04, 0x25, 0x21, 0x01, 0x20, 0x00, 0x42, /* mov [X+0x121],42 */
    };
    static const uint8_t at_z120[] = {
        0xbb, 0x01, 0x00, 0x00, 0x00,                   /* mov ebx, 1 */
        0xf4,
    };
    long_mode(false);
    map(0, 0x40000 | 3);
    map(1, 0x40000 | 3);
    put64(0x32018, 0x34000 | 7);
    put64(0x34000, 0x42000 | 3);
    memset(ram + 0x40100, 0x90, 0x20);                  /* nops */
    memcpy(ram + 0x40100, at_z, sizeof(at_z));
    memcpy(ram + 0x40120, at_z120, sizeof(at_z120));
    run_at_1000(prog, sizeof(prog));
    EXPECT_EQ(ram[0x40900], 2);
    EXPECT_EQ(cpu.regs[X86_RBX], 0x42);
}

TEST_MAIN()
