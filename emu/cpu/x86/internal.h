/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * internal.h - what the instruction files of the soft x86 CPU share: the
 * decoded instruction record, the handler type, register and memory
 * operand helpers, lazy flags and exceptions.  References: Intel SDM vol. 2
 * ch. 2 (instruction format), vol. 1 ch. 3.4.3 (EFLAGS).
 */
#ifndef HEMU_EMU_CPU_X86_INTERNAL_H
#define HEMU_EMU_CPU_X86_INTERNAL_H

#include "emu/cpu/x86/cpu.h"

struct x86_insn;
typedef void x86_handler_fn(struct x86_cpu *cpu, const struct x86_insn *in);

#define X86_NOREG 0xff
#define X86_RIPREL 16       /* base register value meaning RIP-relative */

/*
 * One decoded instruction.  Sizes are log2 of bytes (0 = 8 bits ... 3 = 64
 * bits).  The record is self-contained so that a block cache can keep it
 * and a later JIT can read it.
 */
struct x86_insn {
    x86_handler_fn *fn;
    uint64_t imm;       /* immediate, sign- or zero-extended per opcode */
    int32_t disp;
    uint16_t op;        /* 0x000-0x0ff one-byte map, 0x100-0x1ff 0F map,
                           0x200-0x2ff 0F 38 map, 0x300-0x3ff 0F 3A map */
    uint16_t imm2;      /* ENTER level, far pointer selector */
    uint8_t len;
    uint8_t opsz;       /* operand size: 1, 2 or 3 (byte ops use 0) */
    uint8_t adsz;       /* address size: 1, 2 or 3 */
    uint8_t seg;        /* segment of the memory operand */
    uint8_t rep;        /* 0, 0xf2 or 0xf3 */
    uint8_t lock;
    uint8_t opsz_prefix;    /* 66 seen */
    uint8_t rex;        /* the REX byte, 0 if none */
    uint8_t mod;        /* ModRM.mod (3 = register operand) */
    uint8_t reg;        /* ModRM.reg + REX.R */
    uint8_t rm;         /* ModRM.rm + REX.B (register operand) */
    uint8_t base;       /* memory operand: base register, X86_NOREG or
                           X86_RIPREL */
    uint8_t index;      /* index register or X86_NOREG */
    uint8_t scale;      /* log2 of the index scale */
    uint8_t opreg;      /* low 3 bits of the opcode + REX.B (50+r etc.) */
    uint8_t ends;       /* x86_block_ends, decided before x86_specialise
                           replaces fn; X86_FUSED_REC in a record that
                           holds two instructions (fuse.c) */
};

/*
 * A block: instructions decoded from consecutive bytes of one page, run
 * one after the other without looking at the bytes again.  Only the last
 * may change the mode or transfer control other than by a conditional
 * branch (x86_block_ends); a taken one ends the run early.  Nothing in it
 * depends on the linear address it was reached at: RIP-relative operands
 * and branch targets are computed from cpu->rip when they run.
 */
struct x86_block {
    uintptr_t host;             /* host address of the first byte */
    struct x86_cpage *page;
    uint32_t gen;               /* page->gen when decoded */
    uint8_t code_size;
    uint16_t ninsn;             /* records (dispatches) */
    uint16_t nguest;            /* instructions: fused records hold two */
    uint16_t nbytes;
    /* Blocks that followed this one (direct chaining, cpu.c): the run
       loop goes from this block straight to link[i].to when cs:rip is at
       linear address link[i].lin and cpu->chain_key (TLB generation,
       CPL class, code size) is the one the link was made under; the
       target's page generations are still checked.  Cleared with the
       arena. */
    struct x86_link {
        uint64_t lin;
        uint64_t key;
        struct x86_block *to;
    } link[2];
    struct x86_insn insn[];     /* ninsn, then an x86_block_stop */
};

/* Bytes a block of ninsn instructions takes in the arena: its records
   and the x86_block_stop one after them. */
static inline size_t x86_block_size(unsigned ninsn)
{
    return (sizeof(struct x86_block) + (ninsn + 1) * sizeof(struct x86_insn) +
            15) & ~(size_t)15;
}

/* block.c */
static inline unsigned x86_bhash_of(uintptr_t h)
{
    return (unsigned)(h ^ (h >> X86_BHASH_BITS)) & (X86_BHASH_SIZE - 1);
}
/* The valid block at host address h, offset off into the guest page whose
   guest-physical address is paddr (host pages are h - off: the bus need
   not align them), for the current code size, decoding it if needed;
   NULL when not even the first instruction fits in the page. */
struct x86_block *x86_block_get(struct x86_cpu *cpu, const uint8_t *h,
                                unsigned off, uint64_t paddr);
/* The CPU wrote len bytes at host address h, offset off into its page
   (all in that page), whose guest-physical address is paddr. */
void x86_code_written(struct x86_cpu *cpu, uintptr_t h, unsigned off,
                      unsigned len, uint64_t paddr);
/* True if some CPU holds decoded code from the page (host page, guest-
   physical paddr): this CPU's writes to it must take the slow path. */
bool x86_code_page(struct x86_cpu *cpu, uintptr_t host_page,
                   uint64_t paddr);
/* Bumped whenever a CPU becomes the holder of a code page; each CPU then
   drops its fast-path write entries (x86_code_epoch_sync). */
extern uint32_t x86_code_epoch;
void x86_code_epoch_sync(struct x86_cpu *cpu);
/* Must a block end after this instruction? */
bool x86_block_ends(const struct x86_insn *in);

/* fuse.c: a CMP/TEST and the Jcc after it as one record (into out);
   false when the pair is not a form it fuses.  The record's ends is
   X86_FUSED_REC (kept when block.c makes a cut block's records stops). */
#define X86_FUSED_REC 0x80
bool x86_fuse(struct x86_insn *out, const struct x86_insn *cmp,
              const struct x86_insn *jcc);

/* decode.c */
enum { X86_DEC_OK, X86_DEC_MORE, X86_DEC_GP };
/* Decode from p[0..avail); X86_DEC_MORE when the bytes ran out. */
int x86_decode(struct x86_insn *in, const uint8_t *p, unsigned avail,
               unsigned code_size);
#define X86_NOPS 1024
extern x86_handler_fn *const x86_handlers[X86_NOPS];

/* fast.c: swap in a specialised handler for the hottest forms */
void x86_specialise(struct x86_insn *in);
/* x86_fast_off (tests) keeps the integer forms on the generic path;
   fastint.c: the specialised handler of a hot integer form, or NULL. */
extern bool x86_fast_off;
x86_handler_fn *x86_int_specialise(const struct x86_insn *in);
/* fastarith.c: group 2/3 and byte-store forms (x86_int_specialise asks) */
x86_handler_fn *x86_arith_specialise(const struct x86_insn *in);
/* ssefast.c: the specialised handler of an x86_op_sse form, or NULL;
   x86_ssefast_off (tests) keeps every form on the generic path. */
x86_handler_fn *x86_sse_specialise(const struct x86_insn *in);
/* the MMX forms of it (mmxfast.c) */
x86_handler_fn *x86_mmx_specialise(const struct x86_insn *in);
extern bool x86_ssefast_off;

/* cpu.c: exceptions (longjmp back to x86_cpu_run) */
NORETURN void x86_raise(struct x86_cpu *cpu, int vector, uint32_t error);
NORETURN void x86_raise_noerr(struct x86_cpu *cpu, int vector);
NORETURN void x86_unimpl(struct x86_cpu *cpu, const char *what);
x86_handler_fn x86_op_ud;
x86_handler_fn x86_op_hlt;
/* The record after a block's last instruction, and every record of a
   block cut short: the run loop leaves the block there, at its rip. */
x86_handler_fn x86_block_stop;

/* intr.c */
enum { X86_SRC_EXC, X86_SRC_SOFT, X86_SRC_EXT };
/* Deliver an exception (error code from cpu->exc_*), a software INT or an
   external interrupt through the IVT/IDT; faults longjmp as usual. */
bool x86_deliver(struct x86_cpu *cpu, int vector, uint64_t ret_ip, int src);
/* What to deliver after vector faulted while first was delivered: the
   vector, #DF, or -1 for a shutdown. */
int x86_second_fault(struct x86_cpu *cpu, int first, int vector);
/* Attention set: deliver a due interrupt; true if the loop must exit. */
bool x86_check_attention(struct x86_cpu *cpu);

/* disas.c: -d int / -d unimp log lines */
void x86_log_event(struct x86_cpu *cpu, int vector, bool has_error,
                   uint32_t error, int src);
void x86_log_unimpl(struct x86_cpu *cpu);
/* -d exec / cpu / fpu: before a block of ninsn instructions runs */
void x86_log_exec(struct x86_cpu *cpu, unsigned ninsn);

/* mem.c: linear and virtual memory */
uint64_t x86_translate(struct x86_cpu *cpu, uint64_t lin, int access);

/* tlb.c: the TLB's second way, and invalidation */
uint8_t *x86_tlb_way2(struct x86_cpu *cpu, unsigned cls, uint64_t lin,
                      int access);
void x86_tlb_evict(struct x86_cpu *cpu, unsigned cls, unsigned set);
void x86_tlb_filled(struct x86_cpu *cpu, unsigned cls, unsigned set);
/* Drop every entry, or all but those of global pages (MOV to CR3). */
void x86_tlb_drop(struct x86_cpu *cpu, bool keep_global);
/* INVLPG: drop the entries that cache the page of linear address lin. */
void x86_tlb_invlpg(struct x86_cpu *cpu, uint64_t lin);
uint64_t x86_read_slow(struct x86_cpu *cpu, uint64_t lin, unsigned size);
void x86_write_slow(struct x86_cpu *cpu, uint64_t lin, uint64_t val,
                    unsigned size);
uint64_t x86_seg_lin_slow(struct x86_cpu *cpu, int seg, uint64_t off,
                          unsigned bytes, bool write);
unsigned x86_fetch(struct x86_cpu *cpu, uint64_t lin, uint8_t *buf,
                   unsigned n);
const uint8_t *x86_code_ptr(struct x86_cpu *cpu, uint64_t lin,
                            unsigned *avail);
enum { X86_ACC_READ, X86_ACC_WRITE, X86_ACC_EXEC };
/* or-ed into an access: an implicit supervisor access (descriptor tables,
   IDT, TSS) whatever the CPL */
#define X86_ACC_SYS 0x10
/* Implicit supervisor reads/writes of system tables: translated with
   supervisor rights and never cached in the TLB. */
uint64_t x86_read_sys(struct x86_cpu *cpu, uint64_t lin, unsigned sz);
void x86_write_sys(struct x86_cpu *cpu, uint64_t lin, unsigned sz,
                   uint64_t v);

/* flags.c */
uint64_t x86_flags(struct x86_cpu *cpu);
bool x86_cond(struct x86_cpu *cpu, unsigned cc);
bool x86_get_cf(struct x86_cpu *cpu);
/* Store the six status flags from bits, discarding any lazy state. */
void x86_set_status(struct x86_cpu *cpu, uint64_t bits);
extern const uint8_t x86_parity[256];

/* alu.c */
uint64_t x86_alu(struct x86_cpu *cpu, unsigned op, unsigned sz, uint64_t a,
                 uint64_t b);

uint64_t x86_incdec(struct x86_cpu *cpu, unsigned sz, uint64_t a, bool dec);
void x86_incdec_rm(struct x86_cpu *cpu, const struct x86_insn *in,
                   unsigned sz, bool dec);
void x86_notneg_rm(struct x86_cpu *cpu, const struct x86_insn *in,
                   unsigned sz, bool neg);

/* shift.c */
uint64_t x86_shift(struct x86_cpu *cpu, unsigned op, unsigned sz, uint64_t a,
                   unsigned count);

/* stack.c */
void x86_push(struct x86_cpu *cpu, unsigned sz, uint64_t val);
uint64_t x86_pop(struct x86_cpu *cpu, unsigned sz);
/* RFLAGS from a POPF/IRET image under the CPL/IOPL rules. */
void x86_write_flags(struct x86_cpu *cpu, uint64_t v, unsigned sz);

/* seg.c */
/* Load a segment register by selector in the current mode. */
void x86_load_sreg(struct x86_cpu *cpu, int seg, uint16_t sel);
/* Far JMP (call = push the return first) to sel:ip, through gates and
   task switches as the descriptor says (gate.c; ret is unused: RETF is
   x86_far_return in prot.h). */
void x86_far_jump(struct x86_cpu *cpu, const struct x86_insn *in,
                  uint16_t sel, uint64_t ip, bool call, bool ret);

/* misc.c */
void x86_io_check(struct x86_cpu *cpu, uint16_t port, unsigned bytes);

/* sys.c: CR0 writes with their checks and mode/TLB effects */
void x86_write_cr0(struct x86_cpu *cpu, uint64_t v);

/* Instruction handlers (the files say which encodings). */
x86_handler_fn x86_op_add, x86_op_or, x86_op_adc, x86_op_sbb, x86_op_and,
    x86_op_sub, x86_op_xor, x86_op_cmp;
x86_handler_fn x86_op_grp1, x86_op_test, x86_op_incdec_r,
    x86_op_grp4;
x86_handler_fn x86_op_mov, x86_op_mov_r_imm, x86_op_mov_rm_imm,
    x86_op_mov_moffs, x86_op_lea, x86_op_movx, x86_op_movsxd, x86_op_xchg,
    x86_op_xchg_ax, x86_op_xadd, x86_op_cmpxchg, x86_op_grp9, x86_op_cbw,
    x86_op_cwd, x86_op_bswap, x86_op_cmov, x86_op_setcc, x86_op_movbe;
x86_handler_fn x86_op_grp2, x86_op_dshift;
x86_handler_fn x86_op_grp3, x86_op_imul_gv, x86_op_imul_imm;
x86_handler_fn x86_op_bt, x86_op_grp8, x86_op_bsf_bsr, x86_op_popcnt;
x86_handler_fn x86_op_push_r, x86_op_pop_r, x86_op_push_imm, x86_op_pop_rm,
    x86_op_pushf, x86_op_popf, x86_op_pusha, x86_op_popa, x86_op_enter,
    x86_op_leave, x86_op_push_sreg, x86_op_pop_sreg;
x86_handler_fn x86_op_jcc, x86_op_jmp_rel, x86_op_call_rel, x86_op_ret,
    x86_op_loop, x86_op_jmpf, x86_op_callf, x86_op_retf, x86_op_iret,
    x86_op_int, x86_op_grp5;
x86_handler_fn x86_op_string;
x86_handler_fn x86_op_daa, x86_op_das, x86_op_aaa_aas, x86_op_aam,
    x86_op_aad, x86_op_salc, x86_op_xlat;
x86_handler_fn x86_op_flagop, x86_op_cli_sti, x86_op_lahf, x86_op_sahf,
    x86_op_inout, x86_op_mov_from_sreg, x86_op_mov_to_sreg, x86_op_cpuid,
    x86_op_rdtsc, x86_op_nop;
x86_handler_fn x86_op_grp6, x86_op_lfp, x86_op_arpl, x86_op_bound,
    x86_op_rdtscp, x86_op_grp15, x86_op_lar_lsl;
x86_handler_fn x86_op_mov_dr, x86_op_mov_cr, x86_op_clts, x86_op_invd, x86_op_grp7,
    x86_op_rdmsr, x86_op_wrmsr, x86_op_rdpmc, x86_op_syscall, x86_op_sysret;
x86_handler_fn x86_op_sysenter, x86_op_sysexit;     /* sys.c */

/* fpu.c, fxsave.c, sse.c: x87, MMX and SSE */
/* FCW as loaded: reserved bits clear, bit 6 reads as 1 */
#define X86_FCW_LOAD(v) ((uint16_t)(((v) & 0x1f3fu) | 0x40u))
void x86_fpu_reset(struct x86_cpu *cpu);
/* #NM/#UD/#MF checks before an x87 instruction (wait: a waiting one). */
void x86_fpu_check(struct x86_cpu *cpu, bool wait);
/* #UD/#NM checks before an SSE or MMX instruction. */
void x86_sse_check(struct x86_cpu *cpu, bool mmx);
/* Full tag of an 80-bit register image: 0 valid, 1 zero, 2 special. */
unsigned x86_fpu_tag_of(const uint8_t *r);
/* Physical register i of the stack (TOP from fsw). */
uint8_t *x86_fpu_phys(struct x86_cpu *cpu, unsigned i);
void x86_mmx_enter(struct x86_cpu *cpu);
void x86_fxsave(struct x86_cpu *cpu, const struct x86_insn *in);
void x86_fxrstor(struct x86_cpu *cpu, const struct x86_insn *in);
x86_handler_fn x86_op_x87, x86_op_fwait, x86_op_sse, x86_op_emms,
    x86_op_movnti, x86_op_maskmov;

/* hostexec.c: run one instruction on the host's own FPU/SSE unit.  The
   context is laid out for the generated stub (offsets are fixed). */
struct x86_hostctx {
    uint64_t xmm[3][2];     /* 0: guest XMM0, 1: reg operand, 2: rm */
    uint64_t mm[2];         /* 48: mm1 (reg), mm2 (rm) */
    uint64_t rax, rcx;      /* 64: GPR operands (reg -> rax, rm -> rcx) */
    uint64_t rflags;        /* 80 */
    uint32_t mxcsr, pad;    /* 88 */
    uint64_t mem;           /* 96: host address of the memory operand */
    uint64_t rdx;           /* 104: implicit (PCMPESTRx) */
    uint8_t fsave[112];     /* 112: 32-bit protected-mode FSAVE image */
};
enum { X86_HX_SSE, X86_HX_X87, X86_HX_X87LIVE, X86_HX_X87LIVEF };
/* FRSTOR / FNSAVE (which also reinitialises the host unit) of a 108-byte
   32-bit protected-mode image. */
void x86_host_x87_load(const uint8_t *image);
void x86_host_x87_save(uint8_t *image);
/* Bring cpu->fpr and cpu->ftw up to date from the host's x87 unit if it
   holds the guest's state (cpu->fpu_live), and give the unit back to the
   host.  Everything that reads or writes the x87 state other than the
   instructions fpu.c runs live calls it first. */
void x86_fpu_sync(struct x86_cpu *cpu);
/* The same for MXCSR (ssefast.c lends it to the host's; x86_fpu_sync
   calls it too). */
void x86_mx_sync(struct x86_cpu *cpu);
/* An x87 instruction (2 bytes, memory operand at [RSI]) on the live
   state with every exception masked: the host's FSW keeps the flags.
   FCMOV reads flags; FCOMI returns the host's RFLAGS. */
enum { X86_X87L_PLAIN, X86_X87L_FCOMI, X86_X87L_FCMOV };
uint64_t x86_host_x87_lazy(int kind, const uint8_t *bytes, void *mem,
                           uint64_t flags);
/* Execute bytes[0..len) (one instruction coded against the context
   registers) with the context loaded. */
void x86_host_exec(struct x86_hostctx *c, int kind, const uint8_t *bytes,
                   unsigned len);
/* The fast SSE path: bytes is coded with XMM1 (or RAX as a destination)
   for ModRM.reg and XMM2 or [RSI] for r/m; reg points at the ModRM.reg
   operand (XMM register or general register), rm at the r/m one (XMM
   register, general register read as memory, or a memory buffer). */
struct x86_xfast {
    void *reg;              /* 0 */
    void *rm;               /* 8 */
    uint32_t mxcsr, pad;    /* 16: in with exceptions masked, out */
    uint64_t rflags;        /* 24: out, with X86_HXF_FL */
};
#define X86_HXF_REGX 0x04   /* ModRM.reg is an XMM register, else RAX */
#define X86_HXF_RMX  0x08   /* r/m is an XMM register (XMM2) */
#define X86_HXF_ST   0x10   /* r/m is the destination */
#define X86_HXF_FL   0x20   /* the instruction sets the status flags */
#define X86_HXF_FAST 0x40
void x86_host_sse(struct x86_xfast *c, int kind, const uint8_t *bytes,
                  unsigned len);

static const uint64_t x86_masks[4] = {
    0xff, 0xffff, 0xffffffff, 0xffffffffffffffffull,
};

static inline uint64_t x86_mask(unsigned sz)
{
    return x86_masks[sz];
}

static inline uint64_t x86_sign(unsigned sz)
{
    return 1ull << ((8u << sz) - 1);
}

/* Sign-extend the low 8 << sz bits of v. */
static inline int64_t x86_sext(uint64_t v, unsigned sz)
{
    unsigned sh = 64 - (8u << sz);
    return (int64_t)(v << sh) >> sh;
}

/* ---- lazy flags ------------------------------------------------------ */

/* Lazy kinds beyond cpu.h's: SHL/SHR/SAR by a count (lf_b) of 1 to the
   operand bits - 1, lf_a the operand; AF 0 and OF as shift.c sets them.
   X86_LF_CFOF: a rotate after an operation whose AF is 0 (LOGIC, the
   shifts, CFOF): SF ZF PF still from lf_res and lf_size, AF 0, CF and OF
   from bits 0 and 1 of lf_cf. */
enum {
    X86_LF_SHL = X86_LF_DEC + 1, X86_LF_SHR, X86_LF_SAR, X86_LF_CFOF,
};

static inline void x86_lf(struct x86_cpu *cpu, unsigned op, unsigned sz,
                          uint64_t a, uint64_t b, uint64_t res)
{
    cpu->lf_op = op;
    cpu->lf_size = sz;
    cpu->lf_a = a;
    cpu->lf_b = b;
    cpu->lf_res = res;
}

/* ---- registers ------------------------------------------------------- */

/* Byte register r: AH..BH for 4-7 without REX, SPL..DIL with it. */
static inline uint8_t *x86_reg8(struct x86_cpu *cpu, const struct x86_insn *in,
                                unsigned r)
{
    if (r >= 4 && r < 8 && !in->rex) {
        return (uint8_t *)&cpu->regs[r - 4] + 1;
    }
    return (uint8_t *)&cpu->regs[r];
}

static inline uint64_t x86_reg_get(struct x86_cpu *cpu,
                                   const struct x86_insn *in, unsigned r,
                                   unsigned sz)
{
    if (sz == 0) {
        return *x86_reg8(cpu, in, r);
    }
    return cpu->regs[r] & x86_mask(sz);
}

/* Write with the x86-64 rules: 32-bit writes zero the upper half. */
static inline void x86_reg_set(struct x86_cpu *cpu, const struct x86_insn *in,
                               unsigned r, unsigned sz, uint64_t v)
{
    switch (sz) {
    case 0:
        *x86_reg8(cpu, in, r) = (uint8_t)v;
        break;
    case 1:
        cpu->regs[r] = (cpu->regs[r] & ~0xffffull) | (v & 0xffff);
        break;
    case 2:
        cpu->regs[r] = (uint32_t)v;
        break;
    default:
        cpu->regs[r] = v;
        break;
    }
}

/* ---- memory ---------------------------------------------------------- */

static inline uint64_t x86_load_host(const uint8_t *p, unsigned sz)
{
    switch (sz) {
    case 0: return *p;
    case 1: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 2: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline void x86_store_host(uint8_t *p, unsigned sz, uint64_t v)
{
    switch (sz) {
    case 0: *p = (uint8_t)v; break;
    case 1: { uint16_t w = (uint16_t)v; memcpy(p, &w, 2); break; }
    case 2: { uint32_t w = (uint32_t)v; memcpy(p, &w, 4); break; }
    default: memcpy(p, &v, 8); break;
    }
}

/* Alignment checking (SDM vol. 3A 6.15 #AC): CPL 3 with CR0.AM and
   EFLAGS.AC.  While it is on, data pages are not cached in the TLB, so
   every data access takes the slow path, which checks. */
static inline bool x86_ac_on(const struct x86_cpu *cpu)
{
    return cpu->cpl == 3 && (cpu->cr0 & X86_CR0_AM) &&
           (cpu->rflags & X86_AC);
}

static inline void x86_ac_check(struct x86_cpu *cpu, uint64_t lin,
                                unsigned sz)
{
    if ((lin & ((1u << sz) - 1)) && x86_ac_on(cpu)) {
        x86_raise(cpu, X86_EXC_AC, 0);
    }
}

/* Read 1 << sz bytes at a linear address. */
static inline uint64_t x86_read_lin(struct x86_cpu *cpu, uint64_t lin,
                                    unsigned sz)
{
    const struct x86_tlb_entry *e =
        &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
    if (e->tag_read == (lin & ~0xfffull) &&
        (lin & 0xfff) + (1u << sz) <= 0x1000) {
        return x86_load_host((const uint8_t *)(uintptr_t)(lin + e->addend),
                             sz);
    }
    return x86_read_slow(cpu, lin, sz);
}

static inline void x86_write_lin(struct x86_cpu *cpu, uint64_t lin,
                                 unsigned sz, uint64_t v)
{
    const struct x86_tlb_entry *e =
        &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
    if (e->tag_write == (lin & ~0xfffull) &&
        (lin & 0xfff) + (1u << sz) <= 0x1000) {
        x86_store_host((uint8_t *)(uintptr_t)(lin + e->addend), sz, v);
        return;
    }
    x86_write_slow(cpu, lin, v, sz);
}

/* ---- locked read-modify-write ------------------------------------------ */

/* Host pointer for an atomic RMW of 1 << sz bytes at lin, or NULL when
   the operand is not RAM or crosses a page (then the plain path runs).
   Misaligned operands within a page are fine: the host's LOCK CMPXCHG
   handles them, as the guest's would. */
uint8_t *x86_lock_ptr(struct x86_cpu *cpu, uint64_t lin, unsigned sz);

/* Compare-and-swap on guest RAM; *old gets the current value on failure. */
static inline bool x86_cas(uint8_t *p, unsigned sz, uint64_t *old,
                           uint64_t v)
{
    switch (sz) {
    case 0: {
        uint8_t e = (uint8_t)*old;
        bool ok = __atomic_compare_exchange_n(p, &e, (uint8_t)v, false,
                                              __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *old = e;
        return ok;
    }
    case 1: {
        uint16_t e = (uint16_t)*old;
        bool ok = __atomic_compare_exchange_n((uint16_t *)(void *)p, &e,
                                              (uint16_t)v, false,
                                              __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *old = e;
        return ok;
    }
    case 2: {
        uint32_t e = (uint32_t)*old;
        bool ok = __atomic_compare_exchange_n((uint32_t *)(void *)p, &e,
                                              (uint32_t)v, false,
                                              __ATOMIC_SEQ_CST,
                                              __ATOMIC_SEQ_CST);
        *old = e;
        return ok;
    }
    default:
        return __atomic_compare_exchange_n((uint64_t *)(void *)p, old, v,
                                           false, __ATOMIC_SEQ_CST,
                                           __ATOMIC_SEQ_CST);
    }
}

/* atomic.c: 16-byte compare-and-swap (lo/hi get the current value on
   failure), and an A/D update of a paging entry that fails when another
   CPU changed the entry since the walk read old. */
bool x86_cas16(uint8_t *p, uint64_t *lo, uint64_t *hi, uint64_t new_lo,
               uint64_t new_hi);
bool x86_pte_update(struct x86_cpu *cpu, uint64_t pa, unsigned size,
                    uint64_t old, uint64_t val);

/*
 * Run "r = expr(old)" as one atomic update of the locked operand at p:
 * the status flags are materialised first so a retried computation (ADC,
 * INC) starts from the same flags.
 */
#define X86_LOCKED_RMW(cpu, p, sz, old, r, expr)                        \
    do {                                                                \
        x86_flags(cpu);                                                 \
        (old) = x86_load_host((p), (sz));                               \
        do {                                                            \
            (cpu)->lf_op = X86_LF_NONE;                                 \
            (r) = (expr);                                               \
        } while (!x86_cas((p), (sz), &(old), (r)));                     \
    } while (0)

/* Effective address (offset in the segment) of the memory operand. */
static inline uint64_t x86_ea(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t a = (uint64_t)(int64_t)in->disp;
    if (in->base != X86_NOREG) {
        a += in->base == X86_RIPREL ? cpu->rip : cpu->regs[in->base];
    }
    if (in->index != X86_NOREG) {
        a += cpu->regs[in->index] << in->scale;
    }
    return a & x86_mask(in->adsz);
}

/*
 * Linear address of seg:off for an access of bytes bytes (off already
 * truncated to the address size).  64-bit mode is inline: only FS and GS
 * have a base and the address must be canonical; elsewhere mem.c checks
 * limits and types.
 */
static inline uint64_t x86_seg_lin(struct x86_cpu *cpu, int seg, uint64_t off,
                                   unsigned bytes, bool write)
{
    if (cpu->mode == X86_MODE_LONG) {
        uint64_t lin = off + (seg >= X86_FS ? cpu->seg[seg].base : 0);
        if ((uint64_t)((int64_t)(lin << 16) >> 16) == lin) {
            return lin;
        }
    }
    return x86_seg_lin_slow(cpu, seg, off, bytes, write);
}

/* Read/write a value at seg:off. */
static inline uint64_t x86_read_seg(struct x86_cpu *cpu, int seg,
                                    uint64_t off, unsigned sz)
{
    return x86_read_lin(cpu, x86_seg_lin(cpu, seg, off, 1u << sz, false), sz);
}

static inline void x86_write_seg(struct x86_cpu *cpu, int seg, uint64_t off,
                                 unsigned sz, uint64_t v)
{
    x86_write_lin(cpu, x86_seg_lin(cpu, seg, off, 1u << sz, true), sz, v);
}

/* Linear address of the memory operand, checked for 1 << sz bytes. */
static inline uint64_t x86_mem_lin(struct x86_cpu *cpu,
                                   const struct x86_insn *in, unsigned sz,
                                   bool write)
{
    return x86_seg_lin(cpu, in->seg, x86_ea(cpu, in), 1u << sz, write);
}

/* The r/m operand (register or memory) of size sz. */
static inline uint64_t x86_rm_read(struct x86_cpu *cpu,
                                   const struct x86_insn *in, unsigned sz)
{
    if (in->mod == 3) {
        return x86_reg_get(cpu, in, in->rm, sz);
    }
    return x86_read_lin(cpu, x86_mem_lin(cpu, in, sz, false), sz);
}

static inline void x86_rm_write(struct x86_cpu *cpu, const struct x86_insn *in,
                                unsigned sz, uint64_t v)
{
    if (in->mod == 3) {
        x86_reg_set(cpu, in, in->rm, sz, v);
        return;
    }
    x86_write_lin(cpu, x86_mem_lin(cpu, in, sz, true), sz, v);
}

/* Operand size of an instruction whose low opcode bit selects byte/full. */
static inline unsigned x86_bw_size(const struct x86_insn *in)
{
    return (in->op & 1) ? in->opsz : 0;
}

/* Mask for the rSI/rDI/rCX of string ops and LOOP (address size). */
static inline uint64_t x86_admask(const struct x86_insn *in)
{
    return x86_mask(in->adsz);
}

/* Set a branch target: truncated to the operand size outside 64-bit. */
static inline void x86_jump(struct x86_cpu *cpu, const struct x86_insn *in,
                            uint64_t target)
{
    cpu->rip = target & x86_mask(in->opsz);
}

#endif
