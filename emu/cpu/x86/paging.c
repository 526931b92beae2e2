/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * paging.c - linear -> physical translation for the soft x86 CPU: no
 * paging, 32-bit paging (with PSE 4 MiB pages and PSE-36), PAE paging and
 * 4-level long-mode paging (2 MiB and 1 GiB pages), with the R/W, U/S and
 * NX checks, CR0.WP, accessed/dirty bit updates and page faults carrying
 * the exact error code and CR2.  The software TLB (mem.c, tlb.c) caches the
 * result per access type, with what the walk found about the page
 * (walk_meta: global, size), so a page is only walked again after it was
 * dropped (a flush, a CR3 write unless global, INVLPG, or a conflict in
 * both ways of its set).
 * Reference: Intel SDM vol. 3A ch. 4 (paging), 4.7 (page-fault exceptions),
 * 4.8 (accessed and dirty flags).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* bus, exceptions */

#define PTE_P   (1ull << 0)
#define PTE_RW  (1ull << 1)
#define PTE_US  (1ull << 2)
#define PTE_A   (1ull << 5)
#define PTE_D   (1ull << 6)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)

#define PF_P    (1u << 0)
#define PF_W    (1u << 1)
#define PF_U    (1u << 2)
#define PF_RSVD (1u << 3)
#define PF_I    (1u << 4)

#define CR0_WP (1u << 16)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define EFER_NXE (1u << 11)

/* Physical address width this CPU reports (CPUID 80000008 when added). */
#define PHYS_BITS 40
#define ADDR_MASK (((1ull << PHYS_BITS) - 1) & ~0xfffull)

/* ---- physical access to paging structures ---------------------------- */

static uint64_t phys_read(struct x86_cpu *cpu, uint64_t pa, unsigned size)
{
    uint8_t *page = cpu->bus.ram_ptr(cpu->bus.opaque, pa & ~0xfffull, false);
    uint64_t v = 0;

    if (page) {
        memcpy(&v, page + (pa & 0xfff), size);
        return v;
    }
    return cpu->bus.mmio_read(cpu->bus.opaque, pa, size);
}

/* ---- the walk ---------------------------------------------------------- */

struct walk {
    uint64_t pte_addr[4];   /* entries to mark accessed (and dirty) */
    uint64_t pte[4];
    unsigned n;
    unsigned esize;         /* 4 or 8 */
    bool rw, us, nx;        /* combined rights of all levels */
};

static NORETURN void page_fault(struct x86_cpu *cpu, uint64_t lin,
                                uint32_t err)
{
    cpu->cr2 = lin;
    x86_raise(cpu, X86_EXC_PF, err);
}

/* Read one entry; not present or reserved bits set fault right here. */
static uint64_t walk_entry(struct x86_cpu *cpu, struct walk *w, uint64_t pa,
                           uint64_t rsvd, uint64_t lin, uint32_t err)
{
    uint64_t e = phys_read(cpu, pa & cpu->a20_mask, w->esize);

    if (!(e & PTE_P)) {
        page_fault(cpu, lin, err);
    }
    if (e & rsvd) {
        page_fault(cpu, lin, err | PF_P | PF_RSVD);
    }
    w->pte_addr[w->n] = pa;
    w->pte[w->n] = e;
    w->n++;
    w->rw = w->rw && (e & PTE_RW);
    w->us = w->us && (e & PTE_US);
    w->nx = w->nx || (e & PTE_NX);
    return e;
}

/* What the TLB keeps about the page a walk ended at: global when CR4.PGE
   and the leaf's G bit are set (SDM 4.10.2.4), and its size. */
static uint8_t walk_meta(const struct x86_cpu *cpu, uint64_t leaf,
                         uint64_t off_mask)
{
    unsigned bits = 64 - (unsigned)__builtin_clzll(off_mask) - 12;
    bool g = (cpu->cr4 & X86_CR4_PGE) && (leaf & PTE_G);
    return (uint8_t)((bits << X86_TLBM_SIZE_SHIFT) | (g ? X86_TLBM_G : 0));
}

uint64_t x86_translate(struct x86_cpu *cpu, uint64_t lin, int access)
{
    const uint64_t lin0 = lin;
    const int access0 = access;
    if (!(cpu->cr0 & X86_CR0_PG)) {
        cpu->walk_meta = 0;
        return lin & 0xffffffffull & cpu->a20_mask;
    }

    bool user = cpu->cpl == 3 && !(access & X86_ACC_SYS);
    access &= ~X86_ACC_SYS;
    bool write = access == X86_ACC_WRITE;
    bool nxe = (cpu->efer & EFER_NXE) != 0;
    uint32_t err = (write ? PF_W : 0) | (user ? PF_U : 0);
    struct walk w = { .n = 0, .rw = true, .us = true, .nx = false };
    uint64_t e, pa, off_mask;
    /* physical address bits above PHYS_BITS are reserved (bits 52-62 are
       free for software); NX is reserved unless EFER.NXE */
    uint64_t rsvd = ((1ull << 52) - 1) & ~((1ull << PHYS_BITS) - 1);
    uint64_t nxr = nxe ? 0 : PTE_NX;

    if ((cpu->cr4 & CR4_PAE) && access == X86_ACC_EXEC && nxe) {
        err |= PF_I;
    }

    if (cpu->efer & X86_EFER_LMA) {
        w.esize = 8;
        e = walk_entry(cpu, &w, (cpu->cr3 & ADDR_MASK) +
                       ((lin >> 39) & 0x1ff) * 8, rsvd | nxr | PTE_PS,
                       lin, err);
        e = walk_entry(cpu, &w, (e & ADDR_MASK) + ((lin >> 30) & 0x1ff) * 8,
                       rsvd | nxr | (x86_feat(&cpu->id, X86_FEAT_PDPE1GB) ? 0 : PTE_PS), lin, err);
        if (e & PTE_PS) {
            if (e & 0x3fffe000ull) {
                page_fault(cpu, lin, err | PF_P | PF_RSVD);
            }
            pa = (e & ADDR_MASK & ~0x3fffffffull);
            off_mask = 0x3fffffff;
            goto leaf;
        }
        goto pd;
    } else if (cpu->cr4 & CR4_PAE) {
        w.esize = 8;
        /* PDPTEs: rights bits are reserved there */
        uint64_t pdpte = phys_read(cpu, ((cpu->cr3 & 0xffffffe0ull) +
                                         ((lin >> 30) & 3) * 8) &
                                            cpu->a20_mask, 8);
        if (!(pdpte & PTE_P)) {
            page_fault(cpu, lin, err);
        }
        if (pdpte & (rsvd | PTE_NX | 0x1e6)) {
            page_fault(cpu, lin, err | PF_P | PF_RSVD);
        }
        e = pdpte;
    pd:
        e = walk_entry(cpu, &w, (e & ADDR_MASK) + ((lin >> 21) & 0x1ff) * 8,
                       rsvd | nxr, lin, err);
        if (e & PTE_PS) {
            if (e & 0x1fe000ull) {
                page_fault(cpu, lin, err | PF_P | PF_RSVD);
            }
            pa = e & ADDR_MASK & ~0x1fffffull;
            off_mask = 0x1fffff;
            goto leaf;
        }
        e = walk_entry(cpu, &w, (e & ADDR_MASK) + ((lin >> 12) & 0x1ff) * 8,
                       rsvd | nxr, lin, err);
        pa = e & ADDR_MASK;
        off_mask = 0xfff;
    } else {
        w.esize = 4;
        lin = (uint32_t)lin;
        e = walk_entry(cpu, &w, (cpu->cr3 & 0xfffff000ull) +
                       ((lin >> 22) & 0x3ff) * 4, 0, lin, err);
        if ((e & PTE_PS) && (cpu->cr4 & CR4_PSE)) {
            if (e & (1ull << 21)) {
                page_fault(cpu, lin, err | PF_P | PF_RSVD);
            }
            /* PSE-36: PDE bits 13-20 are physical bits 32-39 */
            pa = (e & 0xffc00000ull) | ((e & 0x1fe000ull) << 19);
            off_mask = 0x3fffff;
            goto leaf;
        }
        e = walk_entry(cpu, &w, (e & 0xfffff000ull) +
                       ((lin >> 12) & 0x3ff) * 4, 0, lin, err);
        pa = e & 0xfffff000ull;
        off_mask = 0xfff;
    }

leaf:
    /* rights: user needs U everywhere; writes need R/W everywhere for
       user, and for supervisor when CR0.WP; fetches need no NX */
    if (user && !w.us) {
        page_fault(cpu, lin, err | PF_P);
    }
    if (write && !w.rw && (user || (cpu->cr0 & CR0_WP))) {
        page_fault(cpu, lin, err | PF_P);
    }
    if (access == X86_ACC_EXEC && w.nx && nxe) {
        page_fault(cpu, lin, err | PF_P);
    }
    /* accessed on every level, dirty on the leaf for writes */
    for (unsigned i = 0; i < w.n; i++) {
        uint64_t want = PTE_A | ((write && i == w.n - 1) ? PTE_D : 0);
        if ((w.pte[i] & want) != want) {
            if (!x86_pte_update(cpu, w.pte_addr[i] & cpu->a20_mask, w.esize,
                                w.pte[i], w.pte[i] | want)) {
                /* another CPU changed the entry: walk again */
                return x86_translate(cpu, lin0, access0);
            }
        }
    }
    cpu->walk_meta = walk_meta(cpu, e, off_mask);
    return ((pa & ~off_mask) | (lin & off_mask)) & cpu->a20_mask;
}
