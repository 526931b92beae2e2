/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_tlb_test.c - the soft x86 CPU's software TLB and what depends on it:
 * instructions fetched across a page end (from two unrelated frames, and
 * faulting on the second page with the fetch's CR2 and error code).
 * Reference: Intel SDM vol. 3A 4.7 (page-fault error code), 4.10 (TLBs).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)

static uint8_t ram[RAM_SIZE];
static struct x86_cpu cpu;

static uint8_t *ram_ptr(void *opaque, uint64_t pa, bool write)
{
    return pa < RAM_SIZE ? ram + (pa & ~0xfffull) : NULL;
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

TEST_MAIN()
