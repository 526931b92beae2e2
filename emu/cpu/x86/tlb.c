/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tlb.c - bookkeeping of the soft x86 CPU's software TLB (the entries and
 * their fills are in mem.c): the second way of each set, which keeps the
 * entry a fill displaced so that two hot pages sharing a set do not walk
 * the page tables in turn; flushes that touch only the sets holding
 * entries; CR3 writes that keep global pages; and INVLPG that drops only
 * the entries of the page it names, and of a large page containing it.
 * Reference: Intel SDM vol. 3A 4.10.2 (TLBs: global pages, large pages),
 * 4.10.4.1 (operations that invalidate TLBs: MOV to CR3, INVLPG,
 * CR4.PGE).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* TLB */

#define PAGE_MASK (~0xfffull)

static bool entry_valid(const struct x86_tlb_entry *e)
{
    return !((e->tag_read & e->tag_write & e->tag_exec & e->tag_wcode) & 1);
}

/* The page an entry maps: every tag that is set names the same one. */
static uint64_t entry_page(const struct x86_tlb_entry *e)
{
    if (!(e->tag_read & 1)) {
        return e->tag_read;
    }
    if (!(e->tag_write & 1)) {
        return e->tag_write;
    }
    if (!(e->tag_exec & 1)) {
        return e->tag_exec;
    }
    return e->tag_wcode;
}

static void entry_reset(struct x86_tlb_entry *e)
{
    e->tag_read = e->tag_write = e->tag_exec = e->tag_wcode = 1;
    e->addend = 0;
}

static void set_bit64(uint64_t *map, unsigned i)
{
    map[i / 64] |= 1ull << (i % 64);
}

/* ---- fills (called by mem.c) ---------------------------------------------- */

/*
 * Before walking for lin in set i of class cls: if the second way holds
 * the page, swap it into the first.  Returns the entry's host pointer for
 * lin when it also has the rights for access (write rights are asked of
 * the code-page tracking again, as a fill does: the TLB-wide retagging
 * and the epoch drop of block.c look at the first way only); NULL when a
 * walk is needed.
 */
uint8_t *x86_tlb_way2(struct x86_cpu *cpu, unsigned cls, uint64_t lin,
                      int access)
{
    unsigned i = (lin >> 12) & (X86_TLB_SIZE - 1);
    struct x86_tlb_entry *e = &cpu->tlbs[cls][i], *v = &cpu->tlb2[cls][i];
    uint64_t page = lin & PAGE_MASK;

    if (!entry_valid(v) || entry_page(v) != page) {
        return NULL;
    }
    struct x86_tlb_entry t = *e;
    *e = *v;
    *v = t;
    uint8_t m = cpu->tlb_meta[cls][0][i];
    cpu->tlb_meta[cls][0][i] = cpu->tlb_meta[cls][1][i];
    cpu->tlb_meta[cls][1][i] = m;

    uint8_t *host = (uint8_t *)(uintptr_t)(page + e->addend);
    if (e->tag_write == page || e->tag_wcode == page) {
        bool code = x86_code_page(cpu, (uintptr_t)host, e->paddr);
        e->tag_write = code ? 1 : page;
        e->tag_wcode = code ? page : 1;
    }
    if (access != X86_ACC_EXEC && cls == 1 && x86_ac_on(cpu)) {
        return NULL;        /* data accesses go uncached: #AC checks */
    }
    switch (access) {
    case X86_ACC_READ:
        return e->tag_read == page ? host : NULL;
    case X86_ACC_WRITE:
        /* a write to a code page takes the slow path, which is here */
        return (e->tag_write == page || e->tag_wcode == page) ? host : NULL;
    default:
        return e->tag_exec == page ? host : NULL;
    }
}

/* A fill of set i of class cls replaces the first way's entry with
   another page: keep that entry in the second way. */
void x86_tlb_evict(struct x86_cpu *cpu, unsigned cls, unsigned i)
{
    struct x86_tlb_entry *e = &cpu->tlbs[cls][i];
    if (entry_valid(e)) {
        cpu->tlb2[cls][i] = *e;
        cpu->tlb_meta[cls][1][i] = cpu->tlb_meta[cls][0][i];
    }
}

/* Set i of class cls was filled from the walk just made. */
void x86_tlb_filled(struct x86_cpu *cpu, unsigned cls, unsigned i)
{
    cpu->tlb_meta[cls][0][i] = cpu->walk_meta;
    set_bit64(cpu->tlb_live[cls], i);
    if (cpu->walk_meta >> X86_TLBM_SIZE_SHIFT) {
        set_bit64(cpu->tlb_big[cls], i);
    }
}

/* ---- invalidation ----------------------------------------------------------- */

/* Drop the entries of set i of class cls (but those of global pages when
   keep_global); returns true when the set is left empty. */
static bool drop_set(struct x86_cpu *cpu, unsigned cls, unsigned i,
                     bool keep_global)
{
    struct x86_tlb_entry *w[2] = { &cpu->tlbs[cls][i], &cpu->tlb2[cls][i] };
    bool empty = true;
    for (unsigned k = 0; k < 2; k++) {
        if (keep_global && (cpu->tlb_meta[cls][k][i] & X86_TLBM_G) &&
            entry_valid(w[k])) {
            empty = false;
            continue;
        }
        entry_reset(w[k]);
        cpu->tlb_meta[cls][k][i] = 0;
    }
    return empty;
}

/*
 * Drop every entry (keep_global: every entry but those of global pages,
 * what a CR3 write does while CR4.PGE is set).  Only the sets that got an
 * entry since the last flush are visited; the first flush after
 * x86_cpu_init clears them all.
 */
void x86_tlb_drop(struct x86_cpu *cpu, bool keep_global)
{
    cpu->chain_key += 8;    /* block links (cpu.c) used the old mappings */
    if (!cpu->tlb_tracked) {
        for (unsigned c = 0; c < 2; c++) {
            for (unsigned i = 0; i < X86_TLB_SIZE; i++) {
                entry_reset(&cpu->tlbs[c][i]);
                entry_reset(&cpu->tlb2[c][i]);
            }
        }
        memset(cpu->tlb_meta, 0, sizeof(cpu->tlb_meta));
        memset(cpu->tlb_live, 0, sizeof(cpu->tlb_live));
        memset(cpu->tlb_big, 0, sizeof(cpu->tlb_big));
        cpu->tlb_tracked = true;
        return;
    }
    for (unsigned c = 0; c < 2; c++) {
        for (unsigned w = 0; w < X86_TLB_SIZE / 64; w++) {
            uint64_t live = cpu->tlb_live[c][w], left = 0;
            while (live) {
                unsigned b = (unsigned)__builtin_ctzll(live);
                live &= live - 1;
                if (!drop_set(cpu, c, w * 64 + b, keep_global)) {
                    left |= 1ull << b;
                }
            }
            cpu->tlb_live[c][w] = left;
            /* a large-page entry that stays is global: still listed */
            cpu->tlb_big[c][w] &= left;
        }
    }
}

/* Drop entry k of set i of class cls if it maps page, or lies in the
   large page that contains page. */
static void drop_if_in(struct x86_cpu *cpu, unsigned cls, unsigned k,
                       unsigned i, uint64_t page)
{
    struct x86_tlb_entry *e = k ? &cpu->tlb2[cls][i] : &cpu->tlbs[cls][i];
    if (!entry_valid(e)) {
        return;
    }
    unsigned bits = 12 + (cpu->tlb_meta[cls][k][i] >> X86_TLBM_SIZE_SHIFT);
    uint64_t mask = ~((1ull << bits) - 1);
    if (((entry_page(e) ^ page) & mask) == 0) {
        entry_reset(e);
        cpu->tlb_meta[cls][k][i] = 0;
    }
}

/*
 * INVLPG: drop what caches the page of lin in both classes and both ways,
 * global or not, and every entry taken from a large page that contains
 * lin (an entry caches one 4 KiB piece of its page, in that piece's set).
 */
void x86_tlb_invlpg(struct x86_cpu *cpu, uint64_t lin)
{
    cpu->chain_key += 8;    /* a block link may have used that page */
    uint64_t page = lin & PAGE_MASK;
    unsigned i = (lin >> 12) & (X86_TLB_SIZE - 1);

    for (unsigned c = 0; c < 2; c++) {
        for (unsigned k = 0; k < 2; k++) {
            drop_if_in(cpu, c, k, i, page);
        }
        for (unsigned w = 0; w < X86_TLB_SIZE / 64; w++) {
            uint64_t big = cpu->tlb_big[c][w];
            while (big) {
                unsigned b = (unsigned)__builtin_ctzll(big);
                big &= big - 1;
                for (unsigned k = 0; k < 2; k++) {
                    drop_if_in(cpu, c, k, w * 64 + b, page);
                }
            }
        }
    }
}
