/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block.c - the soft x86 CPU's block cache: each instruction is decoded
 * once into a run of struct x86_insn records ("block") that ends at an
 * unconditional control transfer, a system instruction or the end of the
 * page, and the run loop (cpu.c) then dispatches those records without
 * looking at the code bytes again.  A conditional branch does not end a
 * block: the block goes on with its fall-through path, and the run loop
 * leaves the block where a branch is taken (fewer block look-ups).  A
 * stop record after the last instruction ends the run of a block; a
 * CMP/TEST and the Jcc after it become one record (fuse.c).  Blocks are
 * keyed by the host address of their first
 * byte (so one per guest-physical location, whatever linear address
 * reaches it) and the code size.  Code pages keep a bitmap of the bytes
 * that were decoded; a CPU write that touches one of them bumps the page's
 * generation and so invalidates its blocks.  Every CPU shares a state per
 * guest RAM page (struct x86_code_page, from the bus): a holder bit per
 * CPU with code there and a generation that writes by other CPUs, DMA,
 * loaders and page-walk A/D updates bump; a block is valid only while that
 * generation is the one its CPU decoded at.  RAM pages any CPU holds code
 * from are kept out of every CPU's TLB write fast path (tag_wcode; the
 * epoch makes the others drop entries they already had) so that every CPU
 * write to them is seen.  The decoded form is the one a later JIT would
 * take as input.  References: Intel SDM vol. 3A 8.1.3 (handling self- and
 * cross-modifying code).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* struct x86_block, decoder */

/* The shared state of pages the bus has none for: never written, never
   held (such pages are not the memory layer's). */
static struct x86_code_page no_shared;

uint32_t x86_code_epoch;

/* The holder bit of a CPU; CPUs from 31 on share the top bit, which they
   never clear and always count as another CPU's (safe, only slower). */
#define COH_SHARED_BIT (1u << 31)
static inline uint32_t coh_bit(const struct x86_cpu *cpu)
{
    return cpu->index < 31 ? 1u << cpu->index : COH_SHARED_BIT;
}

/* Holders of the page other than this CPU. */
static inline uint32_t coh_others(const struct x86_cpu *cpu, uint32_t h)
{
    uint32_t me = coh_bit(cpu);
    return me == COH_SHARED_BIT ? h : h & ~me;
}

static void coh_release(struct x86_cpu *cpu, struct x86_code_page *s)
{
    if (s != &no_shared && coh_bit(cpu) != COH_SHARED_BIT) {
        __atomic_and_fetch(&s->holders, ~coh_bit(cpu), __ATOMIC_SEQ_CST);
    }
}

static inline uint32_t shared_gen(const struct x86_code_page *s)
{
    return __atomic_load_n(&s->gen, __ATOMIC_ACQUIRE);
}

static struct x86_code_page *shared_of(struct x86_cpu *cpu, uint64_t paddr)
{
    struct x86_code_page *s = NULL;
    if (cpu->bus.code_page) {
        s = cpu->bus.code_page(cpu->bus.opaque, paddr & ~0xfffull);
    }
    return s ? s : &no_shared;
}

/* Another CPU became a holder somewhere: no fast write entry may stay,
   whatever page it maps (cheaper than finding the page's entries). */
void x86_code_epoch_sync(struct x86_cpu *cpu)
{
    cpu->code_epoch = __atomic_load_n(&x86_code_epoch, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < 2 * X86_TLB_SIZE; i++) {
        (&cpu->tlbs[0][0] + i)->tag_write = 1;
    }
}

/*
 * Handlers after which the next instruction is still reached by falling
 * through with the same mode, code size, TLB and interrupt state: they may
 * fault (a longjmp leaves the block) and, the conditional branches only,
 * change rip (then the run loop leaves the block).
 */
static x86_handler_fn *const straight[] = {
    x86_op_add, x86_op_or, x86_op_adc, x86_op_sbb, x86_op_and, x86_op_sub,
    x86_op_xor, x86_op_cmp, x86_op_grp1, x86_op_test, x86_op_incdec_r,
    x86_op_grp4, x86_op_mov, x86_op_mov_r_imm, x86_op_mov_rm_imm,
    x86_op_mov_moffs, x86_op_lea, x86_op_movx, x86_op_movsxd, x86_op_xchg,
    x86_op_xchg_ax, x86_op_xadd, x86_op_cmpxchg, x86_op_grp9, x86_op_cbw,
    x86_op_cwd, x86_op_bswap, x86_op_cmov, x86_op_setcc, x86_op_movbe,
    x86_op_grp2, x86_op_dshift, x86_op_grp3, x86_op_imul_gv,
    x86_op_imul_imm, x86_op_bt, x86_op_grp8, x86_op_bsf_bsr, x86_op_popcnt,
    x86_op_push_r, x86_op_pop_r, x86_op_push_imm, x86_op_pop_rm,
    x86_op_pushf, x86_op_enter, x86_op_leave, x86_op_push_sreg,
    x86_op_daa, x86_op_das, x86_op_aaa_aas, x86_op_aam, x86_op_aad,
    x86_op_salc, x86_op_xlat, x86_op_flagop, x86_op_lahf, x86_op_sahf,
    x86_op_mov_from_sreg, x86_op_cpuid, x86_op_rdtsc, x86_op_nop,
    x86_op_x87, x86_op_fwait, x86_op_sse, x86_op_emms, x86_op_movnti,
    x86_op_maskmov, x86_op_grp15,
    /* conditional branches: the block goes on with the fall-through path
       and the run loop leaves it where a branch is taken */
    x86_op_jcc, x86_op_loop,
};

bool x86_block_ends(const struct x86_insn *in)
{
    if (in->fn == x86_op_string) {
        /* REP restarts itself (rip back) to look at interrupts */
        return in->rep != 0;
    }
    if (in->fn == x86_op_grp5) {
        /* FF /0 /1 /6 are INC, DEC, PUSH; the rest branch */
        unsigned r = in->reg & 7;
        return !(r == 0 || r == 1 || r == 6);
    }
    for (size_t i = 0; i < ARRAY_SIZE(straight); i++) {
        if (in->fn == straight[i]) {
            return false;
        }
    }
    return true;
}

static inline unsigned phash_of(uintptr_t page)
{
    return (unsigned)(page >> 12) & (X86_PHASH_SIZE - 1);
}

static struct x86_cpage *cpage_find(struct x86_cpu *cpu, uintptr_t page)
{
    for (struct x86_cpage *p = cpu->phash[phash_of(page)]; p; p = p->next) {
        if (p->host == page) {
            return p;
        }
    }
    return NULL;
}

bool x86_code_page(struct x86_cpu *cpu, uintptr_t host_page,
                   uint64_t paddr)
{
    struct x86_cpage *p = cpage_find(cpu, host_page);
    if (p && p->has_code) {
        return true;
    }
    struct x86_code_page *s = p ? p->shared : shared_of(cpu, paddr);
    return __atomic_load_n(&s->holders, __ATOMIC_SEQ_CST) != 0;
}

/* Move the TLB's fast write entries for a new code page to tag_wcode (or
   back, promote, when it holds code no more). */
static void retag_writes(struct x86_cpu *cpu, uintptr_t page, bool promote)
{
    for (unsigned i = 0; i < 2 * X86_TLB_SIZE; i++) {
        struct x86_tlb_entry *e = &cpu->tlbs[0][0] + i;
        uint64_t *from = promote ? &e->tag_wcode : &e->tag_write;
        uint64_t *to = promote ? &e->tag_write : &e->tag_wcode;
        if (!(*from & 1) && (uintptr_t)(*from + e->addend) == page) {
            *to = *from;
            *from = 1;
        }
    }
}


/* The running block is stale (a write to its page, or the arena was
   emptied): it stops before its next record.  Its records are nobody
   else's and it is never run again, so they can all become stops. */
static void cut_running(struct x86_cpu *cpu)
{
    struct x86_block *b = cpu->cur_block;
    for (unsigned i = 0; i < b->ninsn; i++) {
        b->insn[i].fn = x86_block_stop;
    }
}

void x86_blocks_flush(struct x86_cpu *cpu)
{
    cpu->arena_flushes++;
    /* clear what the arena's blocks and the pages used, not the whole
       tables: tests flush before every short run */
    for (size_t o = 0; o < cpu->arena_used;) {
        struct x86_block *b = (struct x86_block *)(cpu->arena + o);
        cpu->bhash[x86_bhash_of(b->host)] = NULL;
        o += x86_block_size(b->ninsn);
    }
    for (unsigned i = 0; i < cpu->ncpages; i++) {
        cpu->phash[phash_of(cpu->cpages[i].host)] = NULL;
        if (cpu->cpages[i].has_code) {
            coh_release(cpu, cpu->cpages[i].shared);
        }
    }
    cpu->ncpages = 0;
    cpu->arena_used = 0;
    for (unsigned i = 0; i < 2 * X86_TLB_SIZE; i++) {
        /* other CPUs may still hold code there: refill to find out */
        (&cpu->tlbs[0][0] + i)->tag_wcode = 1;
    }
    if (cpu->cur_block) {
        cut_running(cpu);
    }
}

static void cpage_invalidate(struct x86_cpu *cpu, struct x86_cpage *p)
{
    p->gen++;
    memset(p->map, 0, sizeof(p->map));
    if (p->has_code) {
        p->has_code = false;
        coh_release(cpu, p->shared);
        if (!__atomic_load_n(&p->shared->holders, __ATOMIC_SEQ_CST)) {
            retag_writes(cpu, p->host, true);
        }
    }
    if (cpu->cur_block && cpu->cur_block->page == p) {
        cut_running(cpu);
    }
}

static void shared_bump(struct x86_code_page *s)
{
    if (s != &no_shared) {
        __atomic_add_fetch(&s->gen, 1, __ATOMIC_SEQ_CST);
    }
}

void x86_code_written(struct x86_cpu *cpu, uintptr_t h, unsigned off,
                      unsigned len, uint64_t paddr)
{
    struct x86_cpage *p = cpage_find(cpu, h - off);
    struct x86_code_page *s = p ? p->shared : shared_of(cpu, paddr);
    uint32_t holders = __atomic_load_n(&s->holders, __ATOMIC_SEQ_CST);

    if (coh_others(cpu, holders)) {
        /* We cannot see their maps: every holder decodes the page anew.
           Holders are dropped first, then gen: one that claims the page
           in between keeps its bit and sees the new gen. */
        __atomic_store_n(&s->holders, 0, __ATOMIC_SEQ_CST);
        shared_bump(s);
        if (p && p->has_code) {
            cpage_invalidate(cpu, p);
        }
        return;
    }
    if (!p || !p->has_code) {
        return;
    }
    if (shared_gen(s) != p->sgen) {
        /* its blocks are stale already (DMA): let the page go */
        cpage_invalidate(cpu, p);
        return;
    }
    for (unsigned o = off, end = o + len; o < end && o < 0x1000; o++) {
        if ((p->map[o >> 6] >> (o & 63)) & 1) {
            cpage_invalidate(cpu, p);
            return;
        }
    }
}

/* Become a holder of p before decoding from it: from then on every write
   by another CPU bumps the shared gen, once they have seen the epoch. */
static void cpage_claim(struct x86_cpu *cpu, struct x86_cpage *p)
{
    struct x86_code_page *s = p->shared;
    if (s != &no_shared) {
        uint32_t old = __atomic_fetch_or(&s->holders, coh_bit(cpu),
                                         __ATOMIC_SEQ_CST);
        if (!old) {
            /* the others may have fast write entries for it */
            uint32_t e = __atomic_add_fetch(&x86_code_epoch, 1,
                                            __ATOMIC_SEQ_CST);
            if (e == cpu->code_epoch + 1) {
                cpu->code_epoch = e;    /* nobody else's bump to honour */
            }
        }
    }
    p->sgen = shared_gen(s);
    p->has_code = true;
    retag_writes(cpu, p->host, false);
}

static struct x86_cpage *cpage_get(struct x86_cpu *cpu, uintptr_t page,
                                   uint64_t paddr)
{
    struct x86_cpage *p = cpage_find(cpu, page);
    if (p) {
        return p;
    }
    p = &cpu->cpages[cpu->ncpages++];
    memset(p, 0, sizeof(*p));
    p->host = page;
    p->shared = shared_of(cpu, paddr);
    unsigned i = phash_of(page);
    p->next = cpu->phash[i];
    cpu->phash[i] = p;
    return p;
}

/* Decode the block at h. */
static struct x86_block *translate(struct x86_cpu *cpu, const uint8_t *h,
                                   unsigned off, uint64_t paddr)
{
    uintptr_t page = (uintptr_t)h - off;
    size_t most = x86_block_size(X86_BLOCK_MAX);

    if (cpu->arena_used + most > X86_ARENA_SIZE ||
        (cpu->ncpages == X86_NCPAGES && !cpage_find(cpu, page))) {
        x86_blocks_flush(cpu);
    }
    struct x86_cpage *p = cpage_get(cpu, page, paddr);
    if (!p->has_code) {
        cpage_claim(cpu, p);
    }
    struct x86_block *b = (struct x86_block *)(cpu->arena + cpu->arena_used);
    unsigned start = off, n = 0;
    unsigned max = cpu->singlestep ? 1 : X86_BLOCK_MAX;

    while (n < max && off < 0x1000) {
        struct x86_insn *in = &b->insn[n];
        unsigned avail = 0x1000 - off < 15 ? 0x1000 - off : 15;
        if (x86_decode(in, (const uint8_t *)page + off, avail,
                       cpu->code_size) != X86_DEC_OK) {
            break;      /* crosses the page or too long: the slow path */
        }
        /* feature gate, -d in_asm (disas.c); the block starts at cs:rip */
        x86_decoded(cpu, in, (const uint8_t *)page + off,
                    cpu->rip + (off - start));
        for (unsigned o = off; o < off + in->len; o++) {
            p->map[o >> 6] |= 1ull << (o & 63);
        }
        off += in->len;
        n++;
        if (in->ends) {
            break;
        }
    }
    if (n == 0) {
        return NULL;
    }
    /* superinstructions (fuse.c), never at the first record */
    unsigned nrec = 1;
    for (unsigned i = 1; i < n; i++) {
        if (i + 1 < n && x86_fuse(&b->insn[nrec], &b->insn[i],
                                  &b->insn[i + 1])) {
            i++;
        } else if (nrec != i) {
            b->insn[nrec] = b->insn[i];
        }
        nrec++;
    }
    b->nguest = (uint16_t)n;
    n = nrec;
    /* the run loop leaves a block that falls through its end at this
       record (no bound check per instruction) */
    memset(&b->insn[n], 0, sizeof(b->insn[n]));
    b->insn[n].fn = x86_block_stop;
    b->host = (uintptr_t)h;
    b->page = p;
    b->gen = p->gen;
    b->code_size = cpu->code_size;
    b->ninsn = (uint16_t)n;
    b->nbytes = (uint16_t)(off - start);
    for (unsigned i = 0; i < 2; i++) {
        /* ~0 is no key the CPU ever has (2^61 TLB flushes away) */
        b->link[i] = (struct x86_link){ .lin = 0, .key = ~0ull, .to = NULL };
    }
    cpu->arena_used += x86_block_size(n);
    cpu->bhash[x86_bhash_of((uintptr_t)h)] = b;
    return b;
}

struct x86_block *x86_block_get(struct x86_cpu *cpu, const uint8_t *h,
                                unsigned off, uint64_t paddr)
{
    struct x86_block *b = cpu->bhash[x86_bhash_of((uintptr_t)h)];
    struct x86_cpage *p;

    if (b && b->host == (uintptr_t)h && b->code_size == cpu->code_size &&
        b->gen == b->page->gen) {
        p = b->page;
    } else {
        p = cpage_find(cpu, (uintptr_t)h - off);
    }
    if (p && p->has_code && shared_gen(p->shared) != p->sgen) {
        /* written by another CPU, DMA or a loader: decode the page anew */
        cpage_invalidate(cpu, p);
    } else if (p && b && b->page == p && b->host == (uintptr_t)h &&
               b->code_size == cpu->code_size && b->gen == p->gen) {
        return b;
    }
    return translate(cpu, h, off, paddr);
}
