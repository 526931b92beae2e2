/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_block_test.c - the soft x86 CPU's block cache: code that rewrites
 * itself within a block and on another page, code written behind the
 * CPU's back (DMA: the memory layer bumps the page's shared generation),
 * writes next to code that must not drop it, instructions that cross a
 * page end, blocks that go on past a conditional branch (taken: the block
 * is left; a fault or rewrite after one not taken), the STI shadow inside a long run, -singlestep (one instruction
 * per block), and two CPUs sharing RAM: a plain store by one into code the
 * other decoded, DMA seen by both, a page-walk A/D update over code.  The
 * bus here has a shared code state per page, as the memory layer gives, so
 * blocks stay cached between runs.  Reference: Intel SDM vol. 3A 8.1.3.
 */
#include "emu/osdep.h"

#include <pthread.h>

#include "emu/cpu/x86/internal.h"   /* struct x86_block: the arena */
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)

static uint8_t ram[RAM_SIZE];
static struct x86_code_page shared[RAM_SIZE >> 12];
static struct x86_cpu cpu, cpu2;
static int irq_vector = -1;

#include "tests/unit/x86_flatbus.h"   /* ram_ptr, mmio_*, pio_* */

static int irq_ack(void *opaque)
{
    int v = irq_vector;
    irq_vector = -1;
    x86_cpu_set_irq(&cpu, false);
    return v;
}

static struct x86_code_page *code_page(void *opaque, uint64_t pa)
{
    return pa < RAM_SIZE ? &shared[pa >> 12] : NULL;
}

static const struct x86_bus bus = {
    .ram_ptr = ram_ptr, .mmio_read = mmio_read, .mmio_write = mmio_write,
    .pio_read = pio_read, .pio_write = pio_write, .irq_ack = irq_ack,
    .code_page = code_page,
};

/* What a device's DMA does (mem_region_set_dirty): the bytes, then the
   pages' shared generation. */
static void dma(uint32_t addr, const void *p, size_t n)
{
    memcpy(ram + addr, p, n);
    for (uint32_t pg = addr >> 12; pg <= (addr + n - 1) >> 12; pg++) {
        __atomic_add_fetch(&shared[pg].gen, 1, __ATOMIC_SEQ_CST);
    }
}

/* Flat 32-bit protected mode, CPL 0; index: its holder bit. */
static void flat(struct x86_cpu *c, unsigned index)
{
    x86_cpu_init(c, &bus);
    c->index = index;
    c->exc_exit_mask = ~0u;
    c->cr0 |= X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        c->seg[s] = (struct x86_seg){
            .sel = s == X86_CS ? 8 : 16, .base = 0, .limit = 0xffffffff,
            .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                    (s == X86_CS ? 0xb : 0x3),
        };
    }
    x86_cpu_update_mode(c);
    x86_tlb_flush(c);
    c->regs[X86_RSP] = 0x80000;
}

static void setup(void)
{
    memset(ram, 0, sizeof(ram));
    memset(shared, 0, sizeof(shared));
    flat(&cpu, 0);
}

/* Both CPUs, each with its own stack. */
static void setup2(void)
{
    setup();
    flat(&cpu2, 1);
    cpu2.regs[X86_RSP] = 0x70000;
}

static enum x86_exit run2_at(uint32_t rip)
{
    cpu2.rip = rip;
    return x86_cpu_run(&cpu2, 100000);
}

static void put(uint32_t addr, const char *bytes, size_t n)
{
    memcpy(ram + addr, bytes, n);
}
#define PUT(addr, s) put(addr, s, sizeof(s) - 1)

static enum x86_exit run_at(uint32_t rip)
{
    cpu.rip = rip;
    return x86_cpu_run(&cpu, 100000);
}

/* Blocks decoded so far (the arena only grows until a flush). */
static unsigned nblocks(void)
{
    unsigned n = 0;
    for (size_t o = 0; o < cpu.arena_used; n++) {
        const struct x86_block *b = (const void *)(cpu.arena + o);
        o += x86_block_size(b->ninsn);
    }
    return n;
}

TEST(rewrite_later_instruction_of_same_block)
{
    setup();
    /* mov byte [0x1008], 0x42 ; mov al, 1 ; hlt -- the first instruction
       changes the immediate of the second, decoded in the same block */
    PUT(0x1000, "\xc6\x05\x08\x10\x00\x00\x42" "\xb0\x01" "\xf4");
    EXPECT_EQ(run_at(0x1000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0x42);
    EXPECT_EQ(cpu.rip, 0x100a);
}

TEST(rewrite_code_on_another_page)
{
    setup();
    /* 0x3000: mov eax, 1 ; ret */
    PUT(0x3000, "\xb8\x01\x00\x00\x00" "\xc3");
    /* 0x2000: call 0x3000 ; mov esi, eax ;
               mov dword [0x3001], 2 ; call 0x3000 ; hlt */
    PUT(0x2000, "\xe8\xfb\x0f\x00\x00" "\x89\xc6"
                "\xc7\x05\x01\x30\x00\x00\x02\x00\x00\x00"
                "\xe8\xea\x0f\x00\x00" "\xf4");
    EXPECT_EQ(run_at(0x2000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RSI], 1);
    EXPECT_EQ(cpu.regs[X86_RAX], 2);
}

TEST(dma_into_code_is_seen_and_needed)
{
    static const char prog1[] = "\xb8\x01\x00\x00\x00\xf4";  /* eax = 1 */
    static const char prog7[] = "\xb8\x07\x00\x00\x00\xf4";  /* eax = 7 */
    setup();
    dma(0x4000, prog1, 6);
    EXPECT_EQ(run_at(0x4000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 1);
    /* bytes changed with no dirty bit: the decoded block still runs,
       which shows blocks are kept (and why the bit is needed) */
    memcpy(ram + 0x4000, prog7, 6);
    EXPECT_EQ(run_at(0x4000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 1);
    /* the same bytes through "DMA": the page is decoded anew */
    dma(0x4000, prog7, 6);
    EXPECT_EQ(run_at(0x4000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 7);
    EXPECT_EQ(shared[4].holders, 1);    /* this CPU (index 0) holds it */
}

TEST(writes_beside_code_keep_it_writes_over_code_drop_it)
{
    setup();
    PUT(0x5000, "\x40" "\xf4");                       /* inc eax ; hlt */
    /* 0x6000: mov byte [0x5800], 9 ; hlt  (same page, not code) */
    PUT(0x6000, "\xc6\x05\x00\x58\x00\x00\x09" "\xf4");
    /* 0x6100: mov byte [0x5000], 0x48 ; hlt  (inc eax -> dec eax) */
    PUT(0x6100, "\xc6\x05\x00\x50\x00\x00\x48" "\xf4");
    cpu.regs[X86_RAX] = 10;
    EXPECT_EQ(run_at(0x5000), X86_EXIT_HLT);
    EXPECT_EQ(run_at(0x6000), X86_EXIT_HLT);
    unsigned n = nblocks();
    EXPECT_EQ(run_at(0x5000), X86_EXIT_HLT);
    EXPECT_EQ(nblocks(), n);            /* still decoded */
    EXPECT_EQ(cpu.regs[X86_RAX], 12);
    EXPECT_EQ(ram[0x5800], 9);
    EXPECT_EQ(run_at(0x6100), X86_EXIT_HLT);
    n = nblocks();
    EXPECT_EQ(run_at(0x5000), X86_EXIT_HLT);
    EXPECT_EQ(nblocks(), n + 1);        /* decoded anew */
    EXPECT_EQ(cpu.regs[X86_RAX], 11);
}

TEST(instruction_across_page_end)
{
    setup();
    /* nops, then mov eax, 0x11223344 at 0x7ffd..0x8001, hlt at 0x8002 */
    memset(ram + 0x7ff0, 0x90, 13);
    PUT(0x7ffd, "\xb8\x44\x33\x22\x11" "\xf4");
    EXPECT_EQ(run_at(0x7ff0), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x11223344);
    EXPECT_EQ(cpu.rip, 0x8003);
    /* its second half changes (even with no dirty bit): seen at once */
    ram[0x8001] = 0x55;
    EXPECT_EQ(run_at(0x7ff0), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x55223344);
    /* and by a CPU write of the first half */
    PUT(0x6000, "\xc6\x05\xfe\x7f\x00\x00\x66" "\xf4");
    EXPECT_EQ(run_at(0x6000), X86_EXIT_HLT);
    EXPECT_EQ(run_at(0x7ff0), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x55223366);
}

TEST(sti_shadow_exact_in_a_long_run)
{
    setup();
    /* real mode: IVT entry 0x20 -> 0000:0500 (hlt) */
    cpu.cr0 &= ~(uint64_t)X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        x86_seg_load_real(&cpu, s, 0);
        cpu.seg[s].limit = 0xffff;
        cpu.seg[s].attr = X86_SEG_P | X86_SEG_S | (s == X86_CS ? 0xb : 3);
    }
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    ram[0x80] = 0x00;
    ram[0x81] = 0x05;
    PUT(0x500, "\xf4");
    PUT(0x7000, "\xfb\x90\x90\x90\xf4");    /* sti ; nop ; nop ; nop ; hlt */
    cpu.regs[X86_RSP] = 0x6000;
    irq_vector = 0x20;
    x86_cpu_set_irq(&cpu, true);
    EXPECT_EQ(run_at(0x7000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.rip, 0x501);              /* the handler's hlt */
    /* delivered right after the shadowed nop: return IP 0x7002 */
    EXPECT_EQ(cpu.regs[X86_RSP] & 0xffff, 0x5ffa);
    EXPECT_EQ(ram[0x5ffa] | ram[0x5ffb] << 8, 0x7002);
}

TEST(singlestep_one_instruction_per_block)
{
    setup();
    cpu.singlestep = true;
    PUT(0x1000, "\xc6\x05\x08\x10\x00\x00\x42" "\xb0\x01" "\xf4");
    EXPECT_EQ(run_at(0x1000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xff, 0x42);
    EXPECT_EQ(nblocks(), 3);
    for (size_t o = 0; o < cpu.arena_used;) {
        const struct x86_block *b = (const void *)(cpu.arena + o);
        EXPECT_EQ(b->ninsn, 1);
        o += x86_block_size(b->ninsn);
    }
    /* and without it the same code is one block */
    setup();
    PUT(0x1000, "\x90\x90\x90\xf4");
    EXPECT_EQ(run_at(0x1000), X86_EXIT_HLT);
    EXPECT_EQ(nblocks(), 1);
}

TEST(budget_is_exact_inside_a_block)
{
    setup();
    memset(ram + 0x1000, 0x40, 10);         /* inc eax x 10 */
    PUT(0x100a, "\xf4");
    cpu.regs[X86_RAX] = 0;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 3), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.regs[X86_RAX], 3);
    EXPECT_EQ(cpu.rip, 0x1003);
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 10);
}

TEST(icount_exact_at_a_fault_inside_a_block)
{
    setup();
    /* nop; nop; xor ecx,ecx; div ecx (#DE, reported: exc_exit_mask);
       nop; hlt - one block, cut by the fault */
    PUT(0x1000, "\x90\x90\x31\xc9\xf7\xf1\x90\xf4");
    cpu.icount = 100;
    EXPECT_EQ(run_at(0x1000), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_DE);
    EXPECT_EQ(cpu.rip, 0x1004);
    EXPECT_EQ(cpu.icount, 103);     /* three retired, the DIV not */
    /* the same block cut short by the budget, then to its end */
    cpu.icount = 0;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 2), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.icount, 2);
    EXPECT_EQ(cpu.rip, 0x1002);
}

/* The first block decoded (the arena's first). */
static const struct x86_block *first_block(void)
{
    return (const struct x86_block *)cpu.arena;
}

TEST(conditional_branch_inside_a_block)
{
    setup();
    /* mov ecx, 3 ; L: inc eax ; dec ecx ; jnz L ; inc ebx ; hlt -- one
       block goes on past the JNZ; its taken side leaves the block */
    PUT(0x1000, "\xb9\x03\x00\x00\x00" "\x40" "\x49" "\x75\xfc" "\x43"
                "\xf4");
    cpu.icount = 0;
    EXPECT_EQ(run_at(0x1000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 3);
    EXPECT_EQ(cpu.regs[X86_RBX], 1);
    EXPECT_EQ(cpu.rip, 0x100b);
    EXPECT_EQ(cpu.icount, 12);
    EXPECT_EQ(first_block()->ninsn, 6);
    /* a budget that ends after the taken branch, inside the next block */
    setup();
    PUT(0x1000, "\xb9\x03\x00\x00\x00" "\x40" "\x49" "\x75\xfc" "\x43"
                "\xf4");
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 6), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.icount, 6);
    EXPECT_EQ(cpu.rip, 0x1007);
    EXPECT_EQ(cpu.regs[X86_RCX], 1);
    EXPECT_EQ(cpu.regs[X86_RAX], 2);
}

TEST(fault_after_a_branch_not_taken)
{
    setup();
    /* xor ecx, ecx ; jnz +0x10 (not taken) ; nop ; div ecx (#DE) ; hlt */
    PUT(0x1000, "\x31\xc9" "\x75\x10" "\x90" "\xf7\xf1" "\xf4");
    cpu.icount = 0;
    EXPECT_EQ(run_at(0x1000), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_DE);
    EXPECT_EQ(cpu.rip, 0x1005);
    EXPECT_EQ(cpu.icount, 3);
}

TEST(rewrite_on_the_fall_through_path)
{
    setup();
    /* mov byte [0x100c], 0x43 ; test eax, eax ; jz +0x10 (not taken) ;
       nop ; inc eax (made inc ebx) ; hlt */
    PUT(0x1000, "\xc6\x05\x0c\x10\x00\x00\x43" "\x85\xc0" "\x74\x10"
                "\x90" "\x40" "\xf4");
    cpu.regs[X86_RAX] = 1;
    cpu.regs[X86_RBX] = 0;
    EXPECT_EQ(run_at(0x1000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 1);
    EXPECT_EQ(cpu.regs[X86_RBX], 1);
    EXPECT_EQ(cpu.rip, 0x100e);
}

TEST(plain_store_by_another_cpu_reaches_decoded_code)
{
    setup2();
    PUT(0x9000, "\xb8\x01\x00\x00\x00\xf4");       /* mov eax, 1 ; hlt */
    /* cpu2 at 0xa000: mov byte [0x9800], 5 ; hlt  (data on that page) */
    PUT(0xa000, "\xc6\x05\x00\x98\x00\x00\x05" "\xf4");
    /* cpu2 at 0xa100: mov byte [0x9001], 2 ; hlt  (the immediate) */
    PUT(0xa100, "\xc6\x05\x01\x90\x00\x00\x02" "\xf4");
    /* cpu2 at 0xa200: mov byte [0x9001], 3 ; hlt */
    PUT(0xa200, "\xc6\x05\x01\x90\x00\x00\x03" "\xf4");
    /* cpu2 gets a fast-path write entry for the page before any code
       is decoded there */
    EXPECT_EQ(run2_at(0xa000), X86_EXIT_HLT);
    EXPECT_EQ(cpu2.tlb[9].tag_write, 0x9000);
    EXPECT_EQ(run_at(0x9000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 1);
    EXPECT_EQ(shared[9].holders, 1);
    /* the plain store must not take cpu2's old fast path ... */
    EXPECT_EQ(run2_at(0xa100), X86_EXIT_HLT);
    EXPECT_EQ(ram[0x9001], 2);
    /* ... and cpu must run the new code, not its decoded block */
    EXPECT_EQ(run_at(0x9000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 2);
    /* again, now that cpu decoded the page anew */
    EXPECT_EQ(run2_at(0xa200), X86_EXIT_HLT);
    EXPECT_EQ(run_at(0x9000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 3);
    /* writes beside the code by cpu2 still reach RAM */
    EXPECT_EQ(run2_at(0xa000), X86_EXIT_HLT);
    EXPECT_EQ(ram[0x9800], 5);
}

TEST(dma_into_code_is_seen_by_every_cpu)
{
    static const char prog7[] = "\xb8\x07\x00\x00\x00\xf4";  /* eax = 7 */
    setup2();
    PUT(0x4000, "\xb8\x01\x00\x00\x00\xf4");       /* eax = 1 */
    EXPECT_EQ(run_at(0x4000), X86_EXIT_HLT);
    EXPECT_EQ(run2_at(0x4000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 1);
    EXPECT_EQ(cpu2.regs[X86_RAX], 1);
    EXPECT_EQ(shared[4].holders, 3);
    dma(0x4000, prog7, 6);
    EXPECT_EQ(run_at(0x4000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 7);
    /* the first CPU to look must not take the news from the second */
    EXPECT_EQ(run2_at(0x4000), X86_EXIT_HLT);
    EXPECT_EQ(cpu2.regs[X86_RAX], 7);
}

TEST(page_walk_ad_update_over_code_is_seen)
{
    setup2();
    /* mov eax, 1 ; hlt: the immediate doubles as a 4-byte "entry" */
    PUT(0xb000, "\xb8\x01\x00\x00\x00\xf4");
    EXPECT_EQ(run_at(0xb000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 1);
    /* cpu2's walker sets the accessed bit (0x20) there */
    EXPECT(x86_pte_update(&cpu2, 0xb001, 4, 1, 0x21));
    EXPECT_EQ(run_at(0xb000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x21);
    /* and the CPU's own walker, over its own code */
    EXPECT(x86_pte_update(&cpu, 0xb001, 4, 0x21, 0x61));
    EXPECT_EQ(run_at(0xb000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x61);
}

/* ---- block links (direct chaining) ------------------------------------ */

/* The jmp rel32 at addr to target. */
static void put_jmp(uint32_t addr, uint32_t target)
{
    uint32_t rel = target - (addr + 5);
    ram[addr] = 0xe9;
    memcpy(ram + addr + 1, &rel, 4);
}

TEST(chained_loop_sees_its_write_to_the_next_block)
{
    setup();
    /* 0x1000: inc ecx ; cmp ecx, 50 ; jne +7 ; mov byte [0x2002], 2 ;
       jmp 0x2000 */
    PUT(0x1000, "\x41" "\x83\xf9\x32" "\x75\x07"
                "\xc6\x05\x02\x20\x00\x00\x02");
    put_jmp(0x100d, 0x2000);
    /* 0x2000: add eax, 1 ; cmp ecx, 100 ; jne 0x1000 ; hlt */
    PUT(0x2000, "\x83\xc0\x01" "\x83\xf9\x64" "\x0f\x85\xf4\xef\xff\xff"
                "\xf4");
    EXPECT_EQ(run_at(0x1000), X86_EXIT_HLT);
    /* 49 rounds add 1, the 51 from the write on add 2 */
    EXPECT_EQ(cpu.regs[X86_RAX], 49 + 51 * 2);
    EXPECT_EQ(cpu.icount, 100 * 7 + 1 + 1);
}

TEST(chained_self_loop_rewrites_itself)
{
    setup();
    /* L: add eax, 1 ; inc ecx ; mov [0x3002], cl ; cmp ecx, 10 ; jne L ;
       hlt -- each round writes the next round's immediate, inside the
       block that is running (and linked to itself) */
    PUT(0x3000, "\x83\xc0\x01" "\x41" "\x88\x0d\x02\x30\x00\x00"
                "\x83\xf9\x0a" "\x75\xf1" "\xf4");
    EXPECT_EQ(run_at(0x3000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 1 + 45);
    EXPECT_EQ(cpu.icount, 10 * 5 + 1);
}

/* 32-bit paging: page directory pd with one table pt mapping the first
   MiB 1:1; linear 0x5000 goes to phys5000. */
static void map_pages(uint32_t pd, uint32_t pt, uint32_t phys5000)
{
    uint32_t e = pt | 3;
    memcpy(ram + pd, &e, 4);
    for (uint32_t i = 0; i < 256; i++) {
        e = (i == 5 ? phys5000 : i << 12) | 3;
        memcpy(ram + pt + 4 * i, &e, 4);
    }
}

static void paging_on(uint32_t cr3)
{
    cpu.cr3 = cr3;
    cpu.cr0 |= X86_CR0_PG;
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
}

/* At physical 0x5000 and 0x6000: add eax, 1 (or 0x10) ; dec ecx ;
   jnz 0x1000 ; hlt */
static void put_two_targets(void)
{
    PUT(0x5000, "\x83\xc0\x01" "\x49" "\x0f\x85\xf6\xbf\xff\xff" "\xf4");
    PUT(0x6000, "\x83\xc0\x10" "\x49" "\x0f\x85\xf6\xbf\xff\xff" "\xf4");
}

TEST(chained_jump_sees_a_cr3_switch)
{
    setup();
    map_pages(0x20000, 0x21000, 0x5000);
    map_pages(0x22000, 0x23000, 0x6000);
    paging_on(0x20000);
    /* 0x1000: mov cr3, esi ; xchg esi, edi ; jmp 0x5000 */
    PUT(0x1000, "\x0f\x22\xde" "\x87\xfe");
    put_jmp(0x1005, 0x5000);
    put_two_targets();
    cpu.regs[X86_RSI] = 0x20000;
    cpu.regs[X86_RDI] = 0x22000;
    cpu.regs[X86_RCX] = 6;
    EXPECT_EQ(run_at(0x1000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 3 * 1 + 3 * 0x10);
}

TEST(chained_jump_sees_invlpg)
{
    setup();
    map_pages(0x20000, 0x21000, 0x5000);
    paging_on(0x20000);
    /* 0x1000: xor dword [0x21014], 0x3000 (0x5000 <-> 0x6000) ;
       invlpg [0x5000] ; jmp 0x5000 */
    PUT(0x1000, "\x81\x35\x14\x10\x02\x00\x00\x30\x00\x00"
                "\x0f\x01\x3d\x00\x50\x00\x00");
    put_jmp(0x1011, 0x5000);
    put_two_targets();
    cpu.regs[X86_RCX] = 6;
    EXPECT_EQ(run_at(0x1000), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 3 * 0x10 + 3 * 1);
}

TEST(budget_is_exact_in_a_chained_loop)
{
    setup();
    PUT(0x1000, "\x40" "\xeb\xfd");      /* L: inc eax ; jmp L */
    for (uint64_t budget = 1000; budget <= 1001; budget++) {
        cpu.regs[X86_RAX] = 0;
        cpu.icount = 0;
        cpu.rip = 0x1000;
        EXPECT_EQ(x86_cpu_run(&cpu, budget), X86_EXIT_BUDGET);
        EXPECT_EQ(cpu.icount, budget);
        EXPECT_EQ(cpu.regs[X86_RAX], (budget + 1) / 2);
        EXPECT_EQ(cpu.rip, budget & 1 ? 0x1001 : 0x1000);
    }
}

static void *raise_irq_later(void *arg)
{
    struct timespec ts = { 0, 20 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    irq_vector = 0x20;
    x86_cpu_set_irq(&cpu, true);
    return NULL;
}

TEST(interrupt_reaches_a_chained_self_loop)
{
    setup();
    /* real mode: IVT entry 0x20 -> 0000:0500 (hlt) */
    cpu.cr0 &= ~(uint64_t)X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        x86_seg_load_real(&cpu, s, 0);
        cpu.seg[s].limit = 0xffff;
        cpu.seg[s].attr = X86_SEG_P | X86_SEG_S | (s == X86_CS ? 0xb : 3);
    }
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    ram[0x80] = 0x00;
    ram[0x81] = 0x05;
    PUT(0x500, "\xf4");
    PUT(0x7000, "\xfb" "\x40" "\xeb\xfd");  /* sti ; L: inc ax ; jmp L */
    cpu.regs[X86_RSP] = 0x6000;
    pthread_t th;
    pthread_create(&th, NULL, raise_irq_later, NULL);
    cpu.rip = 0x7000;
    /* a loop that never looked at the INTR line would run the budget
       out (seconds), then fail */
    enum x86_exit e = x86_cpu_run(&cpu, 2000000000ull);
    pthread_join(th, NULL);
    EXPECT_EQ(e, X86_EXIT_HLT);
    EXPECT_EQ(cpu.rip, 0x501);
    EXPECT(cpu.regs[X86_RAX] > 0);
}

TEST_MAIN()
