/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.c - a micro-benchmark of the soft x86 CPU alone (no machine, no
 * guest OS): loads a freestanding x86-64 ELF (kint.c) into flat RAM, enters
 * 64-bit mode with identity paging (2 MiB pages), calls the entry point
 * with the scale in RDI and a return to a HLT, and prints RAX, the guest
 * instructions retired and the process CPU time.  For measuring the run
 * loop and handlers; under valgrind --tool=cachegrind the host instruction
 * count (Ir) is exact, which the CPU time on a loaded host is not.  Not
 * built by make; see README.md here for the commands.
 */
#include "emu/osdep.h"

#include <elf.h>
#include <time.h>

#include "emu/cpu/x86/cpu.h"

#define RAM_SIZE (64u << 20)

static uint8_t *ram;
static struct x86_code_page shared[RAM_SIZE >> 12];

static uint8_t *ram_ptr(void *o, uint64_t pa, bool w)
{
    return pa < RAM_SIZE ? ram + (pa & ~0xfffull) : NULL;
}

static uint64_t mmio_read(void *o, uint64_t pa, unsigned s)
{
    return ~0ull;
}

static void mmio_write(void *o, uint64_t pa, uint64_t v, unsigned s)
{
}

static uint64_t pio_read(void *o, uint16_t p, unsigned s)
{
    return ~0ull;
}

static void pio_write(void *o, uint16_t p, uint64_t v, unsigned s)
{
}

/* as the memory layer: blocks stay cached between x86_cpu_run calls */
static struct x86_code_page *code_page(void *o, uint64_t pa)
{
    return pa < RAM_SIZE ? &shared[pa >> 12] : NULL;
}

static const struct x86_bus bus = {
    .ram_ptr = ram_ptr, .mmio_read = mmio_read, .mmio_write = mmio_write,
    .pio_read = pio_read, .pio_write = pio_write, .code_page = code_page,
};

static bool load_elf(const char *path, uint64_t *entry)
{
    FILE *f = fopen(path, "rb");
    static uint8_t img[1 << 20];
    size_t n = f ? fread(img, 1, sizeof(img), f) : 0;
    const Elf64_Ehdr *eh = (const void *)img;

    if (f) {
        fclose(f);
    }
    if (n < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
        return false;
    }
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *ph =
            (const void *)(img + eh->e_phoff + i * eh->e_phentsize);
        if ((const uint8_t *)(ph + 1) > img + n) {
            return false;
        }
        if (ph->p_type != PT_LOAD) {
            continue;
        }
        if (ph->p_offset + ph->p_filesz > n ||
            ph->p_vaddr + ph->p_memsz > RAM_SIZE / 2) {
            return false;
        }
        memcpy(ram + ph->p_vaddr, img + ph->p_offset, ph->p_filesz);
    }
    *entry = eh->e_entry;
    return true;
}

int main(int argc, char **argv)
{
    static struct x86_cpu cpu;
    uint64_t entry;
    unsigned scale = argc > 2 ? (unsigned)atoi(argv[2]) : 2;

    ram = calloc(1, RAM_SIZE);
    if (argc < 2 || !ram || !load_elf(argv[1], &entry)) {
        fprintf(stderr, "usage: run KERNEL.elf [SCALE]\n");
        return 2;
    }
    x86_cpu_init(&cpu, &bus);
    cpu.exc_exit_mask = ~0u;
    /* PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000: 64 MiB identity */
    uint64_t *pml4 = (void *)(ram + 0x1000), *pdpt = (void *)(ram + 0x2000);
    uint64_t *pd = (void *)(ram + 0x3000);
    pml4[0] = 0x2003;
    pdpt[0] = 0x3003;
    for (unsigned i = 0; i < RAM_SIZE >> 21; i++) {
        pd[i] = ((uint64_t)i << 21) | 0x83;
    }
    cpu.cr3 = 0x1000;
    cpu.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    cpu.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = (struct x86_seg){
            .sel = s == X86_CS ? 8 : 0x10, .limit = 0xffffffff,
            .attr = X86_SEG_P | X86_SEG_S |
                    (s == X86_CS ? 0xb | X86_SEG_L : 0x3 | X86_SEG_DB),
        };
    }
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
    ram[0x500] = 0xf4;                  /* hlt: where k_int returns */
    uint64_t sp = RAM_SIZE - 8;
    memcpy(ram + sp, &(uint64_t){ 0x500 }, 8);
    cpu.regs[X86_RSP] = sp;
    cpu.regs[X86_RDI] = scale;
    cpu.rip = entry;

    struct timespec a, b;
    enum x86_exit r;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    do {
        r = x86_cpu_run(&cpu, 1000000);  /* the budget a vCPU thread runs */
    } while (r == X86_EXIT_BUDGET);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    printf("exit %d rip %#" PRIx64 " rax %#" PRIx64 " insns %" PRIu64
           " cpu %.1f ms\n", r, cpu.rip, cpu.regs[X86_RAX], cpu.icount,
           (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
    return r == X86_EXIT_HLT ? 0 : 1;
}
