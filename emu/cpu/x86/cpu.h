/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpu.h - the software x86-64 CPU (accelerator "tcg"): architectural state,
 * the bus the CPU calls for memory and port I/O, and the run function.
 * References: Intel SDM vol. 1 ch. 3 (basic execution environment), vol. 3A
 * ch. 2-4 (system registers, segmentation, paging); AMD APM vol. 2.
 */
#ifndef HEMU_EMU_CPU_X86_CPU_H
#define HEMU_EMU_CPU_X86_CPU_H

#include "emu/osdep.h"

#include <setjmp.h>         /* jmp_buf: faults longjmp to the run loop */

#include "emu/cpu/x86/cpuid.h"  /* struct x86_cpuid: the CPU model */
#include "emu/cpu/x86/msr.h"    /* struct x86_msr_ext */

/* General-purpose register numbers, in ModRM order. */
enum {
    X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
    X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Segment registers, in the Sreg encoding order. */
enum { X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_NSEG };

/* RFLAGS bits. */
#define X86_CF   0x0001u
#define X86_PF   0x0004u
#define X86_AF   0x0010u
#define X86_ZF   0x0040u
#define X86_SF   0x0080u
#define X86_TF   0x0100u
#define X86_IF   0x0200u
#define X86_DF   0x0400u
#define X86_OF   0x0800u
#define X86_IOPL 0x3000u
#define X86_NT   0x4000u
#define X86_RF   0x10000u
#define X86_VM   0x20000u
#define X86_AC   0x40000u
#define X86_VIF  0x80000u
#define X86_VIP  0x100000u
#define X86_ID   0x200000u
/* The six status flags that arithmetic computes (lazily). */
#define X86_ARITH (X86_CF | X86_PF | X86_AF | X86_ZF | X86_SF | X86_OF)

/* Control register and EFER bits used by this CPU. */
#define X86_CR0_PE (1u << 0)
#define X86_CR0_MP (1u << 1)
#define X86_CR0_EM (1u << 2)
#define X86_CR0_TS (1u << 3)
#define X86_CR0_ET (1u << 4)
#define X86_CR0_NE (1u << 5)
#define X86_CR0_WP (1u << 16)
#define X86_CR0_AM (1u << 18)
#define X86_CR0_NW (1u << 29)
#define X86_CR0_CD (1u << 30)
#define X86_CR0_PG (1u << 31)
#define X86_CR4_PSE (1u << 4)
#define X86_CR4_PAE (1u << 5)
#define X86_CR4_PGE (1u << 7)
#define X86_CR4_PCE (1u << 8)
#define X86_CR4_OSFXSR (1u << 9)
#define X86_CR4_OSXMMEXCPT (1u << 10)
#define X86_CR4_OSXSAVE (1u << 18)
#define X86_EFER_SCE (1u << 0)
#define X86_EFER_LME (1u << 8)
#define X86_EFER_LMA (1u << 10)
#define X86_EFER_NXE (1u << 11)

/* Exception vectors. */
enum {
    X86_EXC_DE = 0, X86_EXC_DB = 1, X86_EXC_BP = 3, X86_EXC_OF = 4,
    X86_EXC_BR = 5, X86_EXC_UD = 6, X86_EXC_NM = 7, X86_EXC_DF = 8,
    X86_EXC_TS = 10, X86_EXC_NP = 11, X86_EXC_SS = 12, X86_EXC_GP = 13,
    X86_EXC_PF = 14, X86_EXC_MF = 16, X86_EXC_AC = 17, X86_EXC_XM = 19,
};

/* Operating modes (SDM vol. 3A 2.2). */
enum x86_mode {
    X86_MODE_REAL,      /* CR0.PE = 0 */
    X86_MODE_V86,       /* protected mode with EFLAGS.VM */
    X86_MODE_PROT,      /* protected mode, 16- or 32-bit code per CS.D */
    X86_MODE_COMPAT,    /* long mode, CS.L = 0 */
    X86_MODE_LONG,      /* 64-bit mode, CS.L = 1 */
};

/* Why x86_cpu_run() returned. */
enum x86_exit {
    X86_EXIT_BUDGET,    /* the instruction budget is spent */
    X86_EXIT_HLT,       /* HLT executed; rip points after it */
    X86_EXIT_EXCEPTION, /* an exception in exc_exit_mask */
    X86_EXIT_ATTENTION, /* someone set cpu->attention */
    X86_EXIT_UNIMPL,    /* an instruction or mode not implemented yet */
    X86_EXIT_SHUTDOWN,  /* triple fault: the machine resets or stops */
};

/* Bits of x86_cpu.attention. */
#define X86_ATTN_STOP 0x1   /* leave x86_cpu_run() (kick, pause) */
#define X86_ATTN_IRQ  0x2   /* the INTR line is raised (x86_cpu_set_irq) */
#define X86_ATTN_NMI  0x4   /* an NMI is pending (x86_cpu_nmi) */

/* A segment register with its hidden descriptor cache. */
struct x86_seg {
    uint16_t sel;
    uint64_t base;
    uint32_t limit;     /* byte granular (G already applied) */
    uint32_t attr;      /* descriptor bits 40-47 and 52-55 as attr[0:11] */
};

/* Segment attribute bits in x86_seg.attr. */
#define X86_SEG_TYPE 0x00f
#define X86_SEG_S    0x010
#define X86_SEG_DPL  0x060
#define X86_SEG_P    0x080
#define X86_SEG_L    0x200
#define X86_SEG_DB   0x400
#define X86_SEG_G    0x800

/*
 * The bus: how the CPU reaches guest-physical memory and ports.  ram_ptr
 * returns a host pointer to the 4 KiB page holding paddr (page aligned), or
 * NULL when the page is not plain RAM (then mmio_read/mmio_write are used).
 * write asks for a writable page: ROM answers NULL for writes.
 */
struct x86_bus {
    uint8_t *(*ram_ptr)(void *opaque, uint64_t paddr, bool write);
    uint64_t (*mmio_read)(void *opaque, uint64_t paddr, unsigned size);
    void (*mmio_write)(void *opaque, uint64_t paddr, uint64_t val,
                       unsigned size);
    uint64_t (*pio_read)(void *opaque, uint16_t port, unsigned size);
    void (*pio_write)(void *opaque, uint16_t port, uint64_t val,
                      unsigned size);
    void *opaque;
    /* Interrupt acknowledge: the vector of the pending external interrupt
       (PIC/APIC INTA), or -1 if it went away.  NULL: no interrupts. */
    int (*irq_ack)(void *opaque);
    /* The state all CPUs share about the code on the RAM page at paddr
       (struct x86_code_page); the memory layer bumps its gen whenever the
       page is written other than through ram_ptr (DMA, loaders).  NULL
       if there is none: then every x86_cpu_run starts with no decoded
       code, so the host may change RAM between runs. */
    struct x86_code_page *(*code_page)(void *opaque, uint64_t paddr);
    /* IA32_APIC_BASE lives in the platform's local APIC: get, and set
       (false: reserved bits or an illegal transition, #GP).  NULL: the
       CPU keeps the MSR itself. */
    uint64_t (*apic_base_get)(void *opaque);
    bool (*apic_base_set)(void *opaque, uint64_t val);
};

/*
 * Software TLB: a direct-mapped cache of linear pages.  A hit is
 * host = linear + addend.  Tags are page-aligned linear addresses; a tag
 * with bit 0 set never matches.  A RAM page that any CPU holds decoded
 * code from (block.c) gets tag_wcode instead of tag_write: its writes take the slow path, which
 * stores through the same addend and then invalidates the code it hit.
 */
#define X86_TLB_BITS 10
#define X86_TLB_SIZE (1u << X86_TLB_BITS)
/* What a walk found about the page of an entry (tlb_meta, walk_meta):
   global (CR4.PGE and the leaf's G bit), and log2 of the page size - 12
   in the bits above. */
#define X86_TLBM_G 1u
#define X86_TLBM_SIZE_SHIFT 1
struct x86_tlb_entry {
    uint64_t tag_read;
    uint64_t tag_write;
    uint64_t tag_exec;
    uintptr_t addend;
    uint64_t tag_wcode;
    uint64_t paddr;         /* guest-physical page of the entry */
};

/*
 * Block cache (block.c): instructions decoded once into runs ("blocks")
 * that end at an unconditional control transfer, a system instruction or
 * the end of the page, keyed by the host address of their first byte.  A code page
 * (struct x86_cpage) counts invalidations in gen; a block is valid while
 * its gen matches.  The page is invalidated when the CPU writes to a byte
 * that was decoded (map), or when its shared state (struct x86_code_page,
 * one per guest RAM page, the same for every CPU) changes generation.
 * Blocks live in an arena that is emptied when full.
 *
 * Several CPUs: a page's shared state has one holder bit per CPU that has
 * decoded code from it.  No CPU keeps a fast-path write entry for a page
 * with a holder: the CPU that becomes a holder bumps x86_code_epoch, and
 * every CPU drops its fast write entries when it sees the epoch change
 * (at a block boundary).  A slow-path write that hits another CPU's code
 * page (or this CPU's decoded bytes), a DMA or loader write (the memory
 * layer) and a page-walk A/D update bump the page's gen, which every
 * holder compares with the one it decoded at.
 */
struct x86_code_page {
    uint32_t gen;               /* bumped by every tracked write */
    uint32_t holders;           /* bit x86_coh_bit(cpu) per holding CPU */
};
#define X86_BHASH_BITS 15
#define X86_BHASH_SIZE (1u << X86_BHASH_BITS)
#define X86_PHASH_SIZE 4096u
#define X86_NCPAGES 4096u
#define X86_ARENA_SIZE (16u << 20)
#define X86_BLOCK_MAX 64        /* instructions per block */
struct x86_block;
struct x86_insn;
struct x86_cpage {
    uintptr_t host;             /* page-aligned host address */
    struct x86_cpage *next;     /* hash chain */
    struct x86_code_page *shared;   /* never NULL (a dummy if none) */
    uint32_t sgen;              /* shared->gen when this CPU claimed it */
    uint32_t gen;
    bool has_code;              /* valid blocks may exist here */
    uint64_t map[64];           /* bytes covered by decoded instructions */
};

/* Lazy flags: the last flag-setting operation and its inputs. */
enum x86_lf_op {
    X86_LF_NONE,        /* cpu->rflags holds the status flags */
    X86_LF_ADD, X86_LF_ADC, X86_LF_SUB, X86_LF_SBB,
    X86_LF_LOGIC,       /* AND/OR/XOR/TEST: CF = OF = 0, AF = 0 */
    X86_LF_INC, X86_LF_DEC, /* CF comes from lf_cf */
};

struct x86_cpu {
    uint64_t regs[16];
    uint64_t rip;
    uint64_t rflags;    /* status bits valid only when lf_op == NONE */

    /* Lazy flags (see flags.c). */
    uint8_t lf_op;
    uint8_t lf_size;    /* log2 of the operand size in bytes */
    uint8_t lf_cf;      /* carry-in (ADC/SBB) or kept CF (INC/DEC) */
    uint64_t lf_a, lf_b, lf_res;

    struct x86_seg seg[X86_NSEG];
    struct x86_seg ldtr, tr;
    uint64_t gdtr_base, idtr_base;
    uint16_t gdtr_limit, idtr_limit;
    uint64_t cr0, cr2, cr3, cr4, cr8, efer;
    uint64_t dr[8];     /* debug registers (4 and 5 unused: aliases) */
    uint64_t a20_mask;  /* ~(1 << 20) while the A20 gate is closed */
    /* MSRs without a home elsewhere (misc.c and sys.c read/write them) */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t pat, apic_base, tsc_aux;
    /* K7/K8 performance event selects and counters (MSRs c0010000-7):
     * kept, not counting, as QEMU's TCG does. */
    uint64_t perf_msr[8];
    struct x86_cpuid id;        /* the model: CPUID, optional features */
    struct x86_msr_ext msr;     /* MTRRs, machine check (msr.c) */
    uint64_t xcr0;              /* XSAVE-enabled state (xsave.c) */

    /* x87 FPU, MMX and SSE state (fpu.c, sse.c, fxsave.c).  fpr holds the
       80-bit registers in stack order, ST(0) first (the FSAVE image
       order); ftw is the full tag word (2 bits per physical register);
       MMn is the significand of physical register n. */
    uint16_t fcw, fsw, ftw, fop;
    uint16_t fcs, fds;
    uint64_t fip, fdp;
    uint8_t fpr[8][10];
    /* The host's x87 unit (of the thread running this CPU) holds the
       registers and tags: fpr and ftw are stale until x86_fpu_sync();
       fcw and fsw are always current.  Only within x86_cpu_run. */
    bool fpu_live;
    uint32_t mxcsr;
    uint64_t xmm[16][2];

    /* Derived from the above by x86_cpu_update_mode(). */
    enum x86_mode mode;
    uint8_t code_size;  /* default operand/address size: 1 = 16, 2 = 32,
                           3 = 64 (log2 bytes) */
    uint8_t stack_size; /* 1, 2 or 3: SP, ESP or RSP */
    uint8_t cpl;

    /* Set by another thread or a device to stop the run loop. */
    volatile uint32_t attention;
    bool halted;
    bool nmi_blocked;   /* from NMI delivery to the next IRET */
    bool delivering;    /* inside x86_deliver() */
    int delivering_vector;
    uint64_t shadow_icount; /* no interrupt before this instruction count
                               (STI, MOV SS and POP SS shadows) */

    /* Exceptions whose bit is set here stop x86_cpu_run() with
       X86_EXIT_EXCEPTION instead of being delivered (tests, debuggers). */
    uint32_t exc_exit_mask;
    /* The last exception raised (valid after X86_EXIT_EXCEPTION). */
    int exc_vector;
    uint32_t exc_error;
    bool exc_has_error;
    const char *unimpl;     /* what X86_EXIT_UNIMPL stopped on */

    uint64_t insn_rip;      /* rip of the executing instruction */
    uint64_t icount;        /* instructions retired */
    uint64_t run_end;       /* icount where the current run stops */
    uint64_t tsc_offset;
    jmp_buf jb;

    bool singlestep;        /* -singlestep: one instruction per block */
    /* Which holder bit this CPU sets in struct x86_code_page (block.c):
       the owner sets it after x86_cpu_init, 0 for the first CPU. */
    unsigned index;
    uint32_t code_epoch;    /* x86_code_epoch as last seen */

    struct x86_bus bus;
    /* The TLB of the current privilege class: entries hold rights checked
       for user (CPL 3) or supervisor accesses, so each class has its own
       and a CPL change switches instead of flushing. */
    struct x86_tlb_entry *tlb;
    struct x86_tlb_entry tlbs[2][X86_TLB_SIZE];
    /* TLB bookkeeping (tlb.c): a second way per class that keeps the
       entry a fill displaced (the inline fast paths look at the first way
       only; a miss there swaps it back), per entry whether it came from a
       global page and the size of that page, the sets holding entries
       (so that a flush touches only those) and the sets that got an entry
       of a large page (INVLPG looks there for pages that contain its
       address). */
    struct x86_tlb_entry tlb2[2][X86_TLB_SIZE];
    uint8_t tlb_meta[2][2][X86_TLB_SIZE];       /* [class][way][set] */
    uint64_t tlb_live[2][X86_TLB_SIZE / 64];
    uint64_t tlb_big[2][X86_TLB_SIZE / 64];
    bool tlb_tracked;       /* tlb_live is exact (after the first flush) */
    uint8_t walk_meta;      /* the last x86_translate's page (X86_TLBM_*) */

    /* Block cache (block.c).  Everything from bhash on is reset by
       x86_blocks_flush, not by the memset of x86_cpu_init. */
    struct x86_block *cur_block;    /* the block running, or NULL */
    uint64_t blk_rip, blk_icount;   /* rip and icount at its start */
    size_t arena_used;
    uint32_t arena_flushes;         /* blocks from before are gone */
    /* What block links (cpu.c) are valid under: bit 0 CPL 3, bits 1-2
       code size, the rest a generation that every TLB flush (CR3,
       INVLPG, paging mode, A20, map changes) and every x86_cpu_run bumps */
    uint64_t chain_key;
    unsigned ncpages;
    struct x86_block *bhash[X86_BHASH_SIZE];
    struct x86_cpage *phash[X86_PHASH_SIZE];
    struct x86_cpage cpages[X86_NCPAGES];
    _Alignas(16) uint8_t arena[X86_ARENA_SIZE];
};

/* Set up a CPU in its power-on state (SDM vol. 3A 9.1.1).  The struct is
   large (block cache): allocate it statically or on the heap. */
void x86_cpu_init(struct x86_cpu *cpu, const struct x86_bus *bus);
void x86_cpu_reset(struct x86_cpu *cpu);
/* Recompute mode, default sizes and CPL after CR0/EFER/CS/RFLAGS change. */
void x86_cpu_update_mode(struct x86_cpu *cpu);
/* Run at most budget instructions. */
enum x86_exit x86_cpu_run(struct x86_cpu *cpu, uint64_t budget);
/* Full RFLAGS with the lazy status flags materialised. */
uint64_t x86_cpu_get_rflags(struct x86_cpu *cpu);
void x86_cpu_set_rflags(struct x86_cpu *cpu, uint64_t rflags);
/* Open or close the A20 gate (port 92h, keyboard controller). */
void x86_cpu_set_a20(struct x86_cpu *cpu, bool enabled);
/* Print the registers as QEMU's "info registers" does. */
void x86_cpu_dump(struct x86_cpu *cpu, FILE *f);
/* Raise or lower the INTR line (any thread). */
void x86_cpu_set_irq(struct x86_cpu *cpu, bool level);
/* Latch an NMI (any thread); taken between instructions. */
void x86_cpu_nmi(struct x86_cpu *cpu);
/* Drop every cached translation (map change, CR3 write, mode change). */
void x86_tlb_flush(struct x86_cpu *cpu);
/* Drop every decoded block. */
void x86_blocks_flush(struct x86_cpu *cpu);
/* Load a segment register the real-mode way: base = sel << 4. */
void x86_seg_load_real(struct x86_cpu *cpu, int seg, uint16_t sel);

#endif
