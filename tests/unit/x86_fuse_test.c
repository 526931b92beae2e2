/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_fuse_test.c - the soft x86 CPU's superinstructions (fuse.c): every
 * fused CMP/TEST form, operand size and condition, with random and edge
 * operands, runs inside a block and must leave the same registers, the
 * same flags (read back by PUSHF after the branch), the same rip and the
 * same instruction count as the generic handlers (x86_fast_off, which the
 * host-differential tests check against the host CPU); the budget ends
 * exactly inside a fused pair, and a fault after one recounts it as two.
 * Reference: Intel SDM vol. 2 "CMP", "TEST", "Jcc".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* x86_fast_off, struct x86_block */
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)
#define CODE 0x1000

static uint8_t ram[RAM_SIZE];
static struct x86_code_page shared[RAM_SIZE >> 12];
static struct x86_cpu cpu;

#include "tests/unit/x86_flatbus.h"   /* ram_ptr, mmio_*, pio_* */

static struct x86_code_page *code_page(void *opaque, uint64_t pa)
{
    return pa < RAM_SIZE ? &shared[pa >> 12] : NULL;
}

static const struct x86_bus bus = {
    .ram_ptr = ram_ptr, .mmio_read = mmio_read, .mmio_write = mmio_write,
    .pio_read = pio_read, .pio_write = pio_write, .code_page = code_page,
};

/* 64-bit mode, CPL 0, flat RAM (no paging needed). */
static void setup(void)
{
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;
    cpu.cr0 = X86_CR0_PE | X86_CR0_ET;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.seg[X86_CS] = (struct x86_seg){
        .sel = 8, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | 0xb | X86_SEG_L,
    };
    x86_cpu_update_mode(&cpu);
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t operand(void)
{
    static const uint64_t edge[] = {
        0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
        0x80000000, 0xffffffff, 0x7fffffffffffffffull,
        0x8000000000000000ull, ~0ull,
    };
    uint64_t r = rnd();
    return r % 3 ? edge[r % ARRAY_SIZE(edge)] : rnd();
}

struct result {
    uint64_t regs[16], rip, icount, flags;
    int vector;
};

/* Run the code at CODE from the registers in regs with the budget. */
static struct result run(const uint8_t *code, unsigned len,
                         const uint64_t *regs, uint64_t budget, bool fused)
{
    struct result r;
    setup();
    memset(ram + CODE, 0x90, 64);
    memcpy(ram + CODE, code, len);
    x86_fast_off = !fused;
    memcpy(cpu.regs, regs, sizeof(cpu.regs));
    cpu.regs[X86_RSP] = 0x8000;
    cpu.rip = CODE;
    enum x86_exit e = x86_cpu_run(&cpu, budget);
    x86_fast_off = false;
    memcpy(r.regs, cpu.regs, sizeof(r.regs));
    r.rip = cpu.rip;
    r.icount = cpu.icount;
    r.flags = x86_cpu_get_rflags(&cpu);
    r.vector = e == X86_EXIT_EXCEPTION ? cpu.exc_vector : -1;
    return r;
}

/* The pair's block in the fused run had a fused record (so the test
   tests something). */
static bool block_has_fused(void)
{
    for (size_t o = 0; o < cpu.arena_used;) {
        const struct x86_block *b = (const void *)(cpu.arena + o);
        for (unsigned i = 0; i < b->ninsn; i++) {
            if (b->insn[i].ends == X86_FUSED_REC) {
                return true;
            }
        }
        o += x86_block_size(b->ninsn);
    }
    return false;
}

/*
 * nop ; <cmp/test> ; jcc +5 ; mov ecx, 1 ; pushfq ; pop rdx ; ud2 -- the
 * ud2 stops the run with a fault inside the block (its recount).
 */
static unsigned build(uint8_t *p, const uint8_t *form, unsigned flen,
                      unsigned cc, bool rel32)
{
    unsigned n = 0;
    p[n++] = 0x90;
    memcpy(p + n, form, flen);
    n += flen;
    if (rel32) {
        p[n++] = 0x0f;
        p[n++] = (uint8_t)(0x80 + cc);
        p[n++] = 5;
        p[n++] = 0;
        p[n++] = 0;
        p[n++] = 0;
    } else {
        p[n++] = (uint8_t)(0x70 + cc);
        p[n++] = 5;
    }
    static const uint8_t tail[] = { 0xb9, 1, 0, 0, 0, 0x9c, 0x5a, 0x0f, 0x0b };
    memcpy(p + n, tail, sizeof(tail));
    return n + sizeof(tail);
}

/* A CMP/TEST form of size sz (0-3) in f: the opcode kind k. */
static unsigned form(uint8_t *f, unsigned k, unsigned sz, unsigned reg,
                     unsigned rm)
{
    unsigned n = 0;
    bool byte = sz == 0;
    uint8_t rex = (sz == 3 ? 0x48 : 0) | (reg >= 8 ? 4 : 0) | (rm >= 8 ? 1 : 0);
    if (sz == 1) {
        f[n++] = 0x66;
    }
    if (rex || (byte && (rnd() & 1))) {
        f[n++] = 0x40 | rex;    /* a bare REX: SPL..DIL, not AH..BH */
    }
    uint8_t modrm = (uint8_t)(0xc0 | (reg & 7) << 3 | (rm & 7));
    unsigned isz = byte ? 1 : sz == 1 ? 2 : 4;
    switch (k) {
    case 0: f[n++] = byte ? 0x38 : 0x39; f[n++] = modrm; isz = 0; break;
    case 1: f[n++] = byte ? 0x3a : 0x3b; f[n++] = modrm; isz = 0; break;
    case 2: f[n++] = byte ? 0x3c : 0x3d; break;
    case 3: f[n++] = byte ? 0x80 : 0x81; f[n++] = (uint8_t)(0xf8 | (rm & 7));
        break;
    case 4:
        if (byte) {
            return 0;
        }
        f[n++] = 0x83; f[n++] = (uint8_t)(0xf8 | (rm & 7)); isz = 1; break;
    case 5: f[n++] = byte ? 0x84 : 0x85; f[n++] = modrm; isz = 0; break;
    case 6: f[n++] = byte ? 0xa8 : 0xa9; break;
    default: f[n++] = byte ? 0xf6 : 0xf7; f[n++] = (uint8_t)(0xc0 | (rm & 7));
        break;
    }
    uint64_t imm = operand();
    for (unsigned i = 0; i < isz; i++) {
        f[n++] = (uint8_t)(imm >> (8 * i));
    }
    return n;
}

static bool same(const struct result *a, const struct result *b)
{
    return !memcmp(a->regs, b->regs, sizeof(a->regs)) && a->rip == b->rip &&
           a->icount == b->icount && a->flags == b->flags &&
           a->vector == b->vector;
}

TEST(fused_pairs_match_the_generic_handlers)
{
    unsigned cases = 0, fused = 0, bad = 0;
    for (unsigned k = 0; k < 8; k++) {
        for (unsigned sz = 0; sz < 4; sz++) {
            for (unsigned cc = 0; cc < 16; cc++) {
                for (unsigned rep = 0; rep < 24; rep++) {
                    uint8_t f[16], code[64];
                    unsigned reg = rnd() % 16, rm = rnd() % 16;
                    if (reg == X86_RSP || rm == X86_RSP || reg == X86_RCX ||
                        rm == X86_RCX || reg == X86_RDX || rm == X86_RDX) {
                        continue;
                    }
                    unsigned flen = form(f, k, sz, reg, rm);
                    if (!flen) {
                        continue;
                    }
                    unsigned len = build(code, f, flen, cc, rep & 1);
                    uint64_t regs[16];
                    for (unsigned i = 0; i < 16; i++) {
                        regs[i] = operand();
                    }
                    if (rep % 4 == 2) {
                        regs[rm] = regs[reg];   /* equal operands */
                    }
                    struct result g = run(code, len, regs, 1000, false);
                    struct result q = run(code, len, regs, 1000, true);
                    fused += block_has_fused();
                    cases++;
                    if (!same(&g, &q) && bad++ < 5) {
                        fprintf(stderr, "# kind %u size %u cc %u: rip %llx/"
                                "%llx flags %llx/%llx icount %llu/%llu\n", k,
                                sz, cc, (unsigned long long)g.rip,
                                (unsigned long long)q.rip,
                                (unsigned long long)g.flags,
                                (unsigned long long)q.flags,
                                (unsigned long long)g.icount,
                                (unsigned long long)q.icount);
                    }
                    EXPECT_EQ(g.vector, X86_EXC_UD);
                }
            }
        }
    }
    EXPECT_EQ(bad, 0);
    EXPECT(cases > 2000);
    EXPECT_EQ(fused, cases);    /* every form above is one that fuses */
}

TEST(budget_ends_exactly_inside_a_fused_pair)
{
    /* nop ; cmp ebx, esi ; jb +5 ; mov ecx, 1 ; pushfq ; pop rdx ; ud2 */
    static const uint8_t f[] = { 0x39, 0xf3 };
    uint8_t code[64];
    unsigned len = build(code, f, sizeof(f), 2, false);
    uint64_t regs[16] = { 0 };
    regs[X86_RBX] = 1;
    regs[X86_RSI] = 2;
    for (uint64_t budget = 1; budget <= 7; budget++) {
        struct result g = run(code, len, regs, budget, false);
        struct result q = run(code, len, regs, budget, true);
        EXPECT(same(&g, &q));
        EXPECT_EQ(q.icount, budget < 5 ? budget : 5);
    }
    /* taken: nop, cmp, jb, pushfq, pop; then ud2 faults */
    struct result q = run(code, len, regs, 100, true);
    EXPECT_EQ(q.icount, 5);
    EXPECT_EQ(q.vector, X86_EXC_UD);
    EXPECT_EQ(q.rip, CODE + 1 + 2 + 2 + 5 + 2);
    EXPECT_EQ(q.regs[X86_RCX], 0);
    EXPECT(q.regs[X86_RDX] & X86_CF);
}

TEST_MAIN()
