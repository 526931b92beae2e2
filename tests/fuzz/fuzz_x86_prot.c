/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_x86_prot.c - libFuzzer target for the protected-mode system paths
 * of the soft x86 CPU (emu/cpu/x86/seg.c, gate.c, task.c, v86.c, intr.c):
 * the input becomes guest RAM holding the GDT, IDT, TSS, LDT, page tables
 * and code, plus a few bits of starting state (CPL 3, V86 mode, IOPL,
 * paging, long mode); the CPU runs a bounded number of instructions with
 * every exception delivered.  Whatever the guest puts in its descriptor
 * tables, hemu must neither crash nor read outside guest memory.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/cpu.h"

#define RAM_SIZE 0x10000u

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
    return 0;
}

static void pio_write(void *opaque, uint16_t port, uint64_t v, unsigned size)
{
}

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL, NULL,
};

static struct x86_seg flat(uint16_t sel, bool code, unsigned dpl, bool l)
{
    return (struct x86_seg){
        .sel = sel, .limit = 0xffffffff,
        .attr = X86_SEG_P | X86_SEG_S | X86_SEG_G | (dpl << 5) |
                (code ? 0xb : 0x3) | (l ? X86_SEG_L : X86_SEG_DB),
    };
}

static void put32(uint32_t a, uint32_t v)
{
    memcpy(ram + a, &v, 4);
}

/* A descriptor: access = P DPL S type, flags = G DB L AVL. */
static void desc(unsigned idx, uint32_t base, uint32_t limit, uint8_t access,
                 uint8_t flags)
{
    put32(idx * 8, (limit & 0xffff) | (base << 16));
    put32(idx * 8 + 4, ((base >> 16) & 0xff) | ((uint32_t)access << 8) |
                           (limit & 0xf0000) | ((uint32_t)flags << 20) |
                           (base & 0xff000000u));
}

/*
 * A sane machine for the input to disturb: flat segments, a TSS, an LDT,
 * a call gate and a task gate, every IDT vector to a handler at 2100,
 * identity page tables.  The input is XORed over it region by region,
 * code first, so short inputs already run instructions.
 */
static void build(uint8_t mode, const uint8_t *data, size_t size)
{
    static const struct { uint32_t at, len; } regions[] = {
        { 0x2000, 0x200 },      /* code, then the handler at 2100 */
        { 0x0000, 0x80 },       /* GDT */
        { 0x1000, 0x80 },       /* TSS */
        { 0x0800, 0x800 },      /* IDT */
        { 0x3000, 0x40 },       /* LDT */
        { 0x4000, 0x3000 },     /* page tables */
        { 0x7000, 0x1000 },     /* stack */
    };

    memset(ram, 0, sizeof(ram));
    desc(1, 0, 0xfffff, 0x9a, (mode & 0x08) ? 0xa : 0xc);
    desc(2, 0, 0xfffff, 0x92, 0xc);
    desc(3, 0, 0xfffff, 0xfa, (mode & 0x08) ? 0xa : 0xc);
    desc(4, 0, 0xfffff, 0xf2, 0xc);
    desc(5, 0x1000, 0x67, 0x89, 0);             /* TSS (busy via TR) */
    desc(6, 0x3000, 0x3f, 0x82, 0);             /* LDT */
    put32(7 * 8, 0x2100 | (0x08u << 16));       /* call gate DPL 3 */
    put32(7 * 8 + 4, 0xec01);
    put32(8 * 8, 0x28u << 16);                  /* task gate */
    put32(8 * 8 + 4, 0xe500);
    desc(9, 0x1080, 0x67, 0x89, 0);             /* a second TSS */
    for (unsigned v = 0; v < 256; v++) {
        put32(0x800 + v * 8, 0x2100 | (0x08u << 16));
        put32(0x800 + v * 8 + 4, 0xee00);
    }
    put32(0x1004, 0x7800);                      /* ESP0, SS0 */
    put32(0x1008, 0x10);
    put32(0x1080 + 0x20, 0x2000);               /* the second TSS */
    put32(0x1080 + 0x38, 0x7c00);
    put32(0x1080 + 0x4c, 0x08);
    put32(0x1080 + 0x50, 0x10);
    if (mode & 0x08) {                          /* PML4, PDPT, PD */
        put32(0x4000, 0x5007);
        put32(0x5000, 0x6007);
        put32(0x6000, 0x87);
    } else if (mode & 0x80) {                   /* PAE: PDPT, PD */
        put32(0x4000, 0x5001);
        put32(0x5000, 0x87);
    } else {
        put32(0x4000, 0x87);                    /* one 4 MiB page */
    }
    ram[0x2100] = 0xcf;                         /* handler: iret */

    size_t off = 0;
    for (size_t r = 0; r < ARRAY_SIZE(regions) && off < size; r++) {
        for (uint32_t i = 0; i < regions[r].len && off < size; i++) {
            ram[regions[r].at + i] ^= data[off++];
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    build(mode, data + 1, size - 1);

    x86_cpu_init(&cpu, &bus);
    cpu.gdtr_base = 0;
    cpu.gdtr_limit = 0x7ff;
    cpu.idtr_base = 0x800;
    cpu.idtr_limit = 0x7ff;
    cpu.tr = (struct x86_seg){ .sel = 0x28, .base = 0x1000, .limit = 0x67,
                               .attr = X86_SEG_P | 0xb };
    cpu.ldtr = (struct x86_seg){ .sel = 0x30, .base = 0x3000, .limit = 0x3f,
                                 .attr = X86_SEG_P | 2 };
    cpu.cr0 |= X86_CR0_PE | ((mode & 0x20) ? X86_CR0_AM : 0);
    bool lm = mode & 0x08;
    unsigned pl = (mode & 1) ? 3 : 0;
    if (mode & 0x04 || lm) {
        cpu.cr3 = 0x4000;
        cpu.cr0 |= X86_CR0_PG | X86_CR0_WP;
        if (lm) {
            cpu.cr4 |= X86_CR4_PAE;
            cpu.efer |= X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
        } else {
            cpu.cr4 |= (mode & 0x80) ? X86_CR4_PAE : X86_CR4_PSE;
        }
    }
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = s == X86_CS ? flat(pl ? 0x1b : 0x08, true, pl, lm)
                                 : flat(pl ? 0x23 : 0x10, false, pl, false);
    }
    uint64_t fl = 2 | ((mode & 0x10) ? X86_IOPL : 0) |
                  ((mode & 0x40) ? X86_AC | X86_IF : 0);
    if ((mode & 0x02) && !lm) {
        fl |= X86_VM;
        for (int s = 0; s < X86_NSEG; s++) {
            cpu.seg[s] = (struct x86_seg){
                .sel = 0x200, .base = 0x2000, .limit = 0xffff,
                .attr = X86_SEG_P | X86_SEG_S | (3 << 5) | 3,
            };
        }
    }
    x86_cpu_set_rflags(&cpu, fl);
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    cpu.rip = (fl & X86_VM) ? 0 : 0x2000;
    cpu.regs[X86_RSP] = 0x7f00;
    for (int i = 0; i < 4; i++) {
        enum x86_exit r = x86_cpu_run(&cpu, 256);
        if (r == X86_EXIT_SHUTDOWN || r == X86_EXIT_UNIMPL) {
            break;
        }
        cpu.halted = false;
    }
    return 0;
}
