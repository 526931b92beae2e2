/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mem.c - how the soft x86 CPU reaches memory: segment checks (logical ->
 * linear), the software TLB of host pointers filled through x86_translate
 * (paging.c), the slow paths for page-crossing and MMIO accesses, and the
 * untranslated-by-TLB accesses to system tables.  References: Intel SDM
 * vol. 3A 3.4-3.5 (segmentation), 5.3-5.4 (limit and type checking),
 * 3.3.7.1 (canonical addresses).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* TLB, bus, exceptions */

#define PAGE_MASK (~0xfffull)

void x86_tlb_flush(struct x86_cpu *cpu)
{
    x86_tlb_drop(cpu, false);
}

/* ---- segmentation ----------------------------------------------------- */

static NORETURN void seg_fault(struct x86_cpu *cpu, int seg)
{
    x86_raise(cpu, seg == X86_SS ? X86_EXC_SS : X86_EXC_GP, 0);
}

/*
 * Linear address of seg:off for an access of bytes bytes.  off is already
 * truncated to the address size.  In 64-bit mode only FS and GS have a base
 * and the result must be canonical; elsewhere the limit is checked
 * (expand-down data segments included) and the address wraps at 4 GiB.
 */
uint64_t x86_seg_lin_slow(struct x86_cpu *cpu, int seg, uint64_t off,
                          unsigned bytes, bool write)
{
    if (cpu->mode == X86_MODE_LONG) {
        uint64_t lin = off + (seg >= X86_FS ? cpu->seg[seg].base : 0);
        if ((uint64_t)((int64_t)(lin << 16) >> 16) != lin) {
            seg_fault(cpu, seg);
        }
        return lin;
    }

    const struct x86_seg *s = &cpu->seg[seg];
    uint64_t last = off + bytes - 1;
    if (cpu->mode == X86_MODE_PROT || cpu->mode == X86_MODE_COMPAT) {
        /* null selectors, writes to code or read-only data, reads of
           execute-only code (real and V86 mode have no such rules) */
        unsigned t = s->attr & (X86_SEG_P | X86_SEG_S | 0xa);
        if (!(s->attr & X86_SEG_P) ||
            (write ? t != (X86_SEG_P | X86_SEG_S | 0x2)
                   : t == (X86_SEG_P | X86_SEG_S | 0x8))) {
            seg_fault(cpu, seg);
        }
    }
    if ((s->attr & (X86_SEG_S | 0xc)) == (X86_SEG_S | 0x4)) {
        /* expand-down data: valid offsets are limit+1 .. 0xffff/0xffffffff */
        uint64_t top = (s->attr & X86_SEG_DB) ? 0xffffffffull : 0xffff;
        if (off <= s->limit || last > top) {
            seg_fault(cpu, seg);
        }
    } else if (last > s->limit) {
        seg_fault(cpu, seg);
    }
    return (uint32_t)(s->base + off);
}

/* ---- TLB ------------------------------------------------------------- */

/*
 * Look up the page of lin for access and fill its entry in the TLB of
 * class cls (0 supervisor, 1 user) when it is RAM; sys: an implicit
 * supervisor access (system tables), which uses class 0.  Returns the
 * host pointer for lin, or NULL with *paddr set for MMIO.
 */
static uint8_t *tlb_fill_in(struct x86_cpu *cpu, unsigned cls, uint64_t lin,
                            int access, bool sys, uint64_t *paddr)
{
    uint64_t page = lin & PAGE_MASK;
    unsigned set = (lin >> 12) & (X86_TLB_SIZE - 1);
    /* the second way may hold it (tlb.c) */
    uint8_t *h = x86_tlb_way2(cpu, cls, lin, access);
    if (h) {
        *paddr = cpu->tlbs[cls][set].paddr | (lin & 0xfff);
        return h + (lin & 0xfff);
    }
    /* translate lin itself: a page fault reports the exact CR2 */
    uint64_t pa = x86_translate(cpu, lin,
                                access | (sys ? X86_ACC_SYS : 0)) & PAGE_MASK;
    uint8_t *host = cpu->bus.ram_ptr(cpu->bus.opaque, pa,
                                     access == X86_ACC_WRITE);
    *paddr = pa | (lin & 0xfff);
    if (!host) {
        return NULL;
    }
    if (access != X86_ACC_EXEC && cls == 1 && x86_ac_on(cpu)) {
        return host + (lin & 0xfff);    /* uncached: #AC checks */
    }

    struct x86_tlb_entry *e = &cpu->tlbs[cls][set];
    uintptr_t addend = (uintptr_t)host - (uintptr_t)page;
    if (e->addend != addend ||
        (e->tag_read != page && e->tag_write != page &&
         e->tag_exec != page && e->tag_wcode != page)) {
        /* another page, or the same page with another host mapping (ROM
           read under RAM write, as PAM does): start the entry afresh,
           keeping the one it replaces in the second way */
        x86_tlb_evict(cpu, cls, set);
        e->tag_read = e->tag_write = e->tag_exec = e->tag_wcode = 1;
        e->addend = addend;
        e->paddr = pa;
    }
    switch (access) {
    case X86_ACC_READ:
        e->tag_read = page;
        break;
    case X86_ACC_WRITE:
        /* writes to decoded code must reach x86_code_written */
        if (x86_code_page(cpu, (uintptr_t)host, pa)) {
            e->tag_wcode = page;
        } else {
            e->tag_write = page;
        }
        break;
    default:
        e->tag_exec = page;
        break;
    }
    x86_tlb_filled(cpu, cls, set);
    return host + (lin & 0xfff);
}

static uint8_t *tlb_fill(struct x86_cpu *cpu, uint64_t lin, int access,
                         uint64_t *paddr)
{
    return tlb_fill_in(cpu, cpu->tlb != cpu->tlbs[0], lin, access, false,
                       paddr);
}

/* ---- slow paths ------------------------------------------------------- */

static uint8_t read_byte(struct x86_cpu *cpu, uint64_t lin, int access)
{
    uint64_t pa;
    uint8_t *p = tlb_fill(cpu, lin, access, &pa);
    if (p) {
        return *p;
    }
    return (uint8_t)cpu->bus.mmio_read(cpu->bus.opaque, pa, 1);
}

uint64_t x86_read_slow(struct x86_cpu *cpu, uint64_t lin, unsigned sz)
{
    unsigned n = 1u << sz;
    uint64_t pa, v = 0;

    x86_ac_check(cpu, lin, sz);
    if ((lin & 0xfff) + n <= 0x1000) {
        uint8_t *p = tlb_fill(cpu, lin, X86_ACC_READ, &pa);
        if (p) {
            return x86_load_host(p, sz);
        }
        return cpu->bus.mmio_read(cpu->bus.opaque, pa, n) & x86_mask(sz);
    }
    /* crossing a page: byte by byte, little-endian */
    for (unsigned i = 0; i < n; i++) {
        v |= (uint64_t)read_byte(cpu, lin + i, X86_ACC_READ) << (8 * i);
    }
    return v;
}

void x86_write_slow(struct x86_cpu *cpu, uint64_t lin, uint64_t val,
                    unsigned sz)
{
    unsigned n = 1u << sz;
    uint64_t pa;

    x86_ac_check(cpu, lin, sz);
    if ((lin & 0xfff) + n <= 0x1000) {
        struct x86_tlb_entry *e =
            &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
        uint8_t *p;
        if (e->tag_wcode == (lin & PAGE_MASK)) {
            p = (uint8_t *)(uintptr_t)(lin + e->addend);
            pa = e->paddr | (lin & 0xfff);
            if (!x86_code_page(cpu, (uintptr_t)p - (lin & 0xfff),
                               e->paddr)) {
                /* nobody holds code there any more: the fast path */
                e->tag_write = e->tag_wcode;
                e->tag_wcode = 1;
            }
        } else {
            p = tlb_fill(cpu, lin, X86_ACC_WRITE, &pa);
        }
        if (p) {
            x86_store_host(p, sz, val);
            x86_code_written(cpu, (uintptr_t)p, lin & 0xfff, n, pa);
        } else {
            cpu->bus.mmio_write(cpu->bus.opaque, pa, val & x86_mask(sz), n);
        }
        return;
    }
    /* Both pages must be writable before any byte lands (a fault on the
       second page must not leave the first half written). */
    x86_translate(cpu, lin, X86_ACC_WRITE);
    x86_translate(cpu, (lin + n - 1) & PAGE_MASK, X86_ACC_WRITE); /* CR2 */
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = tlb_fill(cpu, lin + i, X86_ACC_WRITE, &pa);
        uint8_t b = (uint8_t)(val >> (8 * i));
        if (p) {
            *p = b;
            x86_code_written(cpu, (uintptr_t)p, (lin + i) & 0xfff, 1, pa);
        } else {
            cpu->bus.mmio_write(cpu->bus.opaque, pa, b, 1);
        }
    }
}

/* ---- locked operations ------------------------------------------------ */

uint8_t *x86_lock_ptr(struct x86_cpu *cpu, uint64_t lin, unsigned sz)
{
    uint64_t pa;

    if ((lin & 0xfff) + (1u << sz) > 0x1000) {
        return NULL;        /* split across pages: the plain path */
    }
    const struct x86_tlb_entry *e =
        &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
    if (e->tag_write == (lin & PAGE_MASK)) {
        return (uint8_t *)(uintptr_t)(lin + e->addend);
    }
    uint8_t *p;
    if (e->tag_wcode == (lin & PAGE_MASK)) {
        p = (uint8_t *)(uintptr_t)(lin + e->addend);
        pa = e->paddr | (lin & 0xfff);
    } else {
        p = tlb_fill(cpu, lin, X86_ACC_WRITE, &pa);
    }
    if (p) {
        /* the write follows at once: drop the code it will change */
        x86_code_written(cpu, (uintptr_t)p, lin & 0xfff, 1u << sz, pa);
    }
    return p;
}

/* ---- system-table accesses ------------------------------------------- */

/*
 * Host pointer for the byte at lin of a system table (NULL and *pa for
 * MMIO).  Implicit accesses have supervisor rights at any CPL: they use
 * (and fill) the supervisor class of the TLB, whose entries were checked
 * for exactly those rights, so that an interrupt costs no page walks.
 */
static uint8_t *sys_byte(struct x86_cpu *cpu, uint64_t lin, bool write,
                         uint64_t *pa)
{
    const struct x86_tlb_entry *e =
        &cpu->tlbs[0][(lin >> 12) & (X86_TLB_SIZE - 1)];
    uint64_t page = lin & PAGE_MASK;

    if (write ? e->tag_write == page : e->tag_read == page) {
        *pa = e->paddr | (lin & 0xfff);
        return (uint8_t *)(uintptr_t)(lin + e->addend);
    }
    return tlb_fill_in(cpu, 0, lin, write ? X86_ACC_WRITE : X86_ACC_READ,
                       true, pa);
}

uint64_t x86_read_sys(struct x86_cpu *cpu, uint64_t lin, unsigned sz)
{
    uint64_t v = 0, pa;

    if (cpu->mode != X86_MODE_LONG) {
        lin = (uint32_t)lin;
    }
    if ((lin & 0xfff) + (1u << sz) <= 0x1000) {
        uint8_t *p = sys_byte(cpu, lin, false, &pa);
        if (p) {
            return x86_load_host(p, sz);
        }
    }
    for (unsigned i = 0; i < (1u << sz); i++) {
        uint8_t *p = sys_byte(cpu, lin + i, false, &pa);
        uint8_t b = p ? *p : (uint8_t)cpu->bus.mmio_read(cpu->bus.opaque,
                                                          pa, 1);
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

void x86_write_sys(struct x86_cpu *cpu, uint64_t lin, unsigned sz,
                   uint64_t v)
{
    uint64_t pa;

    if (cpu->mode != X86_MODE_LONG) {
        lin = (uint32_t)lin;
    }
    for (unsigned i = 0; i < (1u << sz); i++) {
        uint8_t *p = sys_byte(cpu, lin + i, true, &pa);
        if (p) {
            *p = (uint8_t)(v >> (8 * i));
            x86_code_written(cpu, (uintptr_t)p, pa & 0xfff, 1, pa);
        } else {
            cpu->bus.mmio_write(cpu->bus.opaque, pa, (uint8_t)(v >> (8 * i)),
                                1);
        }
    }
}

/* ---- instruction fetch ------------------------------------------------ */

/*
 * Host pointer to the code at lin and how many bytes (at most 15) can be
 * read there without leaving the page; NULL when the code is not in RAM.
 */
const uint8_t *x86_code_ptr(struct x86_cpu *cpu, uint64_t lin,
                            unsigned *avail)
{
    const struct x86_tlb_entry *e =
        &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
    unsigned left = 0x1000 - (lin & 0xfff);
    const uint8_t *p;
    uint64_t pa;

    *avail = left < 15 ? left : 15;
    if (e->tag_exec == (lin & PAGE_MASK)) {
        return (const uint8_t *)(uintptr_t)(lin + e->addend);
    }
    p = tlb_fill(cpu, lin, X86_ACC_EXEC, &pa);
    return p;
}

/*
 * Copy n code bytes at lin into buf (slow path: page ends, MMIO code).
 * RAM is copied a page's part at a time through the TLB: an instruction
 * that crosses a page end is fetched afresh each time it runs, and a walk
 * per byte made such an instruction in a hot loop cost a dozen walks.
 */
unsigned x86_fetch(struct x86_cpu *cpu, uint64_t lin, uint8_t *buf,
                   unsigned n)
{
    for (unsigned i = 0; i < n;) {
        uint64_t a = lin + i;
        if (cpu->mode != X86_MODE_LONG) {
            a = (uint32_t)a;
        }
        unsigned room = 0x1000 - (unsigned)(a & 0xfff), avail;
        unsigned k = n - i < room ? n - i : room;
        const uint8_t *p = x86_code_ptr(cpu, a, &avail);
        if (p) {
            memcpy(buf + i, p, k);
            i += k;
        } else {
            buf[i++] = read_byte(cpu, a, X86_ACC_EXEC);     /* MMIO */
        }
    }
    return n;
}
