/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cpu.c - the soft x86 CPU's life cycle and run loop: power-on state,
 * mode tracking, the run loop that dispatches decoded blocks (block.c)
 * and goes from block to block by their links (direct chaining) under an
 * instruction budget, one instruction at a time where TF, an
 * interrupt shadow, -singlestep or the budget ask for it, faults by longjmp back to the loop
 * and their delivery (intr.c) with the double/triple-fault rules, and the
 * EFLAGS.TF single-step trap.
 * References: Intel SDM vol. 3A 9.1 (processor state after reset), 6.4-6.5
 * (exception classes), 6.15 (#DF).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* decoder, handlers, memory */
#include "emu/util/log.h"          /* -d exec, -d cpu */

/* longjmp codes back into x86_cpu_run() */
enum { JB_EXCEPTION = 1, JB_HLT, JB_UNIMPL };

void x86_seg_load_real(struct x86_cpu *cpu, int seg, uint16_t sel)
{
    struct x86_seg *s = &cpu->seg[seg];
    s->sel = sel;
    s->base = (uint64_t)sel << 4;
    /* the limit and attributes stay as loaded (big real mode keeps them) */
}

void x86_cpu_reset(struct x86_cpu *cpu)
{
    x86_log_reset(cpu);     /* -d cpu_reset: the state before */
    memset(cpu->regs, 0, sizeof(cpu->regs));
    x86_cpuid_reset(cpu);   /* EDX = model signature; model MSRs */
    cpu->rip = 0xfff0;
    cpu->rflags = 2;
    cpu->lf_op = X86_LF_NONE;
    for (int i = 0; i < X86_NSEG; i++) {
        cpu->seg[i] = (struct x86_seg){
            .sel = 0, .base = 0, .limit = 0xffff,
            .attr = X86_SEG_P | X86_SEG_S | 0x3,  /* data, RW, accessed */
        };
    }
    cpu->seg[X86_CS] = (struct x86_seg){
        .sel = 0xf000, .base = 0xffff0000, .limit = 0xffff,
        .attr = X86_SEG_P | X86_SEG_S | 0xb,      /* code, RX, accessed */
    };
    cpu->ldtr = (struct x86_seg){ .limit = 0xffff, .attr = X86_SEG_P | 2 };
    cpu->tr = (struct x86_seg){ .limit = 0xffff, .attr = X86_SEG_P | 0xb };
    cpu->gdtr_base = cpu->idtr_base = 0;
    cpu->gdtr_limit = cpu->idtr_limit = 0xffff;
    cpu->cr0 = 0x60000010;
    cpu->cr2 = cpu->cr3 = cpu->cr4 = cpu->cr8 = 0;
    cpu->efer = 0;
    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = 0xffff0ff0;
    cpu->dr[7] = 0x400;
    cpu->star = cpu->lstar = cpu->cstar = cpu->sfmask = 0;
    cpu->kernel_gs_base = 0;
    cpu->sysenter_cs = cpu->sysenter_esp = cpu->sysenter_eip = 0;
    cpu->pat = 0x0007040600070406ull;
    cpu->apic_base = 0xfee00000ull | (1u << 11) | (1u << 8);  /* BSP */
    cpu->tsc_aux = 0;
    x86_fpu_reset(cpu);
    cpu->a20_mask = ~0ull;
    cpu->halted = false;
    cpu->exc_vector = -1;
    cpu->unimpl = NULL;
    cpu->delivering = false;
    cpu->shadow_icount = ~0ull;
    cpu->attention = 0;
    x86_cpu_update_mode(cpu);
    x86_tlb_flush(cpu);
    x86_blocks_flush(cpu);
}

void x86_cpu_init(struct x86_cpu *cpu, const struct x86_bus *bus)
{
    /* the block arena and code pages are megabytes that need no
       clearing: only the tables that find them */
    memset(cpu, 0, offsetof(struct x86_cpu, cur_block));
    cpu->cur_block = NULL;
    cpu->chain_key = 0;
    cpu->tlb = cpu->tlbs[0];
    cpu->arena_used = 0;
    cpu->ncpages = 0;
    memset(cpu->bhash, 0, sizeof(cpu->bhash));
    memset(cpu->phash, 0, sizeof(cpu->phash));
    cpu->bus = *bus;
    x86_cpu_reset(cpu);
}

void x86_cpu_set_a20(struct x86_cpu *cpu, bool enabled)
{
    uint64_t mask = enabled ? ~0ull : ~(1ull << 20);
    if (mask != cpu->a20_mask) {
        cpu->a20_mask = mask;
        x86_tlb_flush(cpu);     /* cached translations used the old mask */
    }
}

void x86_cpu_update_mode(struct x86_cpu *cpu)
{
    const struct x86_seg *cs = &cpu->seg[X86_CS];

    if (!(cpu->cr0 & X86_CR0_PE)) {
        cpu->mode = X86_MODE_REAL;
        cpu->cpl = 0;
    } else if (cpu->rflags & X86_VM) {
        cpu->mode = X86_MODE_V86;
        cpu->cpl = 3;
    } else {
        if ((cpu->efer & X86_EFER_LMA) && (cs->attr & X86_SEG_L)) {
            cpu->mode = X86_MODE_LONG;
        } else if (cpu->efer & X86_EFER_LMA) {
            cpu->mode = X86_MODE_COMPAT;
        } else {
            cpu->mode = X86_MODE_PROT;
        }
        cpu->cpl = cs->sel & 3;
    }
    if (cpu->mode == X86_MODE_LONG) {
        cpu->code_size = 3;
        cpu->stack_size = 3;
    } else if (cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_V86) {
        /* real mode honours CS.D and SS.B left over from protected mode */
        cpu->code_size = (cs->attr & X86_SEG_DB) ? 2 : 1;
        cpu->stack_size = (cpu->seg[X86_SS].attr & X86_SEG_DB) ? 2 : 1;
        if (cpu->mode == X86_MODE_V86) {
            cpu->code_size = cpu->stack_size = 1;
        }
    } else {
        cpu->code_size = (cs->attr & X86_SEG_DB) ? 2 : 1;
        cpu->stack_size = (cpu->seg[X86_SS].attr & X86_SEG_DB) ? 2 : 1;
    }
    /* TLB entries hold rights checked for one privilege class */
    cpu->tlb = cpu->tlbs[cpu->cpl == 3];
    /* block links hold blocks found for one class and code size */
    cpu->chain_key = (cpu->chain_key & ~7ull) | (cpu->cpl == 3) |
                     ((uint64_t)cpu->code_size << 1);
}

/* ---- exceptions ------------------------------------------------------- */

void x86_raise(struct x86_cpu *cpu, int vector, uint32_t error)
{
    cpu->exc_vector = vector;
    cpu->exc_error = error;
    cpu->exc_has_error = true;
    longjmp(cpu->jb, JB_EXCEPTION);
}

void x86_raise_noerr(struct x86_cpu *cpu, int vector)
{
    cpu->exc_vector = vector;
    cpu->exc_error = 0;
    cpu->exc_has_error = false;
    longjmp(cpu->jb, JB_EXCEPTION);
}

void x86_unimpl(struct x86_cpu *cpu, const char *what)
{
    cpu->unimpl = what;
    longjmp(cpu->jb, JB_UNIMPL);
}

/* HLT: stop the run loop with rip after the instruction. */
void x86_op_hlt(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if (cpu->cpl != 0) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    cpu->halted = true;
    longjmp(cpu->jb, JB_HLT);
}

void x86_op_ud(struct x86_cpu *cpu, const struct x86_insn *in)
{
    x86_raise_noerr(cpu, X86_EXC_UD);
}

/* ---- run loop --------------------------------------------------------- */

/* Fetch and decode the instruction at cs:rip the slow way: code outside
   RAM, or an instruction crossing into the next page (never cached). */
static void fetch_decode_slow(struct x86_cpu *cpu, struct x86_insn *in,
                              uint64_t lin, const uint8_t *p, unsigned avail)
{
    uint8_t buf[16];
    int r;

    if (!p) {
        /* code outside RAM: copy what is left of this page first */
        x86_fetch(cpu, lin, buf, avail);
        p = buf;
    }
    r = x86_decode(in, p, avail, cpu->code_size);
    if (r == X86_DEC_MORE) {
        /* the instruction crosses into the next page */
        if (p != buf) {
            memcpy(buf, p, avail);
        }
        x86_fetch(cpu, lin + avail, buf + avail, 15 - avail);
        r = x86_decode(in, buf, 15, cpu->code_size);
        p = buf;
    }
    if (r == X86_DEC_GP) {
        x86_raise(cpu, X86_EXC_GP, 0);     /* longer than 15 bytes */
    }
    x86_decoded(cpu, in, p, cpu->rip);    /* feature gate, -d in_asm (disas.c) */
}

/* Linear address of cs:rip. */
static inline uint64_t code_lin(struct x86_cpu *cpu)
{
    if (cpu->mode == X86_MODE_LONG) {
        return cpu->rip;
    }
    return (uint32_t)(cpu->seg[X86_CS].base + cpu->rip);
}

/* Is b the valid block for host address p? */
static inline bool block_ok(struct x86_cpu *cpu, const struct x86_block *b,
                            const uint8_t *p)
{
    return b && b->host == (uintptr_t)p && b->code_size == cpu->code_size &&
           b->gen == b->page->gen &&
           __atomic_load_n(&b->page->shared->gen, __ATOMIC_ACQUIRE) ==
               b->page->sgen;
}

/* Remember that cs:rip at linear address lin reached block b from prev,
   under the current chain key; the older link stays as the second. */
static inline void chain_link(struct x86_cpu *cpu, struct x86_block *prev,
                              uint64_t lin, struct x86_block *b)
{
    if (prev->link[0].lin != lin) {
        prev->link[1] = prev->link[0];
    }
    prev->link[0] = (struct x86_link){ .lin = lin, .key = cpu->chain_key,
                                       .to = b };
}

/*
 * The block that comes after b by one of its links, or NULL when neither
 * is for cs:rip under the current chain key or the target's code changed
 * since (then find_block decides).  The key stands for everything the
 * look-up in find_block depended on other than the code bytes: the TLB's
 * mapping of the linear address (every flush bumps it), the TLB used (CPL
 * class) and the code size; CS.base is in the linear address.
 */
static inline struct x86_block *chain_next(struct x86_cpu *cpu,
                                           const struct x86_block *b)
{
    uint64_t lin = code_lin(cpu);
    const struct x86_link *l = &b->link[0];

    if (l->lin != lin || l->key != cpu->chain_key) {
        l = &b->link[1];
        if (l->lin != lin || l->key != cpu->chain_key) {
            return NULL;
        }
    }
    struct x86_block *to = l->to;
    const struct x86_cpage *pg = to->page;
    if (to->gen != pg->gen ||
        __atomic_load_n(&pg->shared->gen, __ATOMIC_ACQUIRE) != pg->sgen) {
        return NULL;
    }
    return to;
}

/* The block at cs:rip, or NULL when its first instruction must be decoded
   by fetch_decode_slow (into scratch).  A block found is linked from prev
   (the block that ran before, if any). */
static struct x86_block *find_block(struct x86_cpu *cpu,
                                    struct x86_insn *scratch,
                                    struct x86_block *prev)
{
    uint64_t lin = code_lin(cpu);
    const struct x86_tlb_entry *t =
        &cpu->tlb[(lin >> 12) & (X86_TLB_SIZE - 1)];
    const uint8_t *p;
    unsigned avail = 15;

    if (__builtin_expect(t->tag_exec == (lin & ~0xfffull), 1)) {
        p = (const uint8_t *)(uintptr_t)(lin + t->addend);
    } else {
        cpu->insn_rip = cpu->rip;   /* a fetch fault restarts here */
        p = x86_code_ptr(cpu, lin, &avail);
    }
    if (p) {
        struct x86_block *b = cpu->bhash[x86_bhash_of((uintptr_t)p)];
        if (!block_ok(cpu, b, p)) {
            uint32_t flushes = cpu->arena_flushes;
            b = x86_block_get(cpu, p, lin & 0xfff, t->paddr);
            if (flushes != cpu->arena_flushes) {
                prev = NULL;        /* it was in the arena just emptied */
            }
        }
        if (b) {
            if (prev) {
                chain_link(cpu, prev, lin, b);
            }
            return b;
        }
    }
    cpu->insn_rip = cpu->rip;
    avail = 0x1000 - (lin & 0xfff) < 15 ? 0x1000 - (lin & 0xfff) : 15;
    fetch_decode_slow(cpu, scratch, lin, p, avail);
    return NULL;
}

/* Outside 64-bit mode the whole instruction must lie within CS.limit. */
static inline void check_cs_limit(struct x86_cpu *cpu, unsigned len)
{
    if (cpu->mode != X86_MODE_LONG &&
        cpu->rip + len - 1 > cpu->seg[X86_CS].limit) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
}

/*
 * Deliver cpu->exc_vector.  A fault raised while delivering another event
 * longjmps back here with cpu->delivering set: the double-fault rules
 * decide.  Returns false for a triple fault (exc_vector -1) and for the
 * vectors of exc_exit_mask.
 */
static bool deliver_exception(struct x86_cpu *cpu)
{
    int vector = cpu->exc_vector;

    if (vector < 32 && (cpu->exc_exit_mask >> vector) & 1) {
        cpu->delivering = false;
        return false;
    }
    if (cpu->delivering) {
        vector = x86_second_fault(cpu, cpu->delivering_vector, vector);
        if (vector < 0) {
            cpu->delivering = false;
            cpu->exc_vector = -1;
            return false;
        }
        cpu->exc_vector = vector;
    }
    cpu->delivering = true;
    cpu->delivering_vector = vector;
    x86_deliver(cpu, vector, cpu->rip, X86_SRC_EXC);
    cpu->delivering = false;
    return true;
}

/*
 * The single-step trap (EFLAGS.TF at the start of an instruction): #DB
 * after it completes, with rip at the next instruction.  True when #DB is
 * in exc_exit_mask and the loop must stop.
 */
static bool single_step(struct x86_cpu *cpu)
{
    cpu->dr[6] |= 0x4000;       /* DR6.BS */
    cpu->exc_vector = X86_EXC_DB;
    cpu->exc_error = 0;
    cpu->exc_has_error = false;
    if ((cpu->exc_exit_mask >> X86_EXC_DB) & 1) {
        return true;
    }
    cpu->delivering = true;
    cpu->delivering_vector = X86_EXC_DB;
    x86_deliver(cpu, X86_EXC_DB, cpu->rip, X86_SRC_EXC);
    cpu->delivering = false;
    return false;
}

/* Run one instruction with the per-instruction checks: the trap flag, an
   interrupt shadow that must end before an interrupt, -singlestep, the
   end of the budget or of CS.  True when the loop must stop (#DB exit). */
static bool step_one(struct x86_cpu *cpu, const struct x86_insn *in)
{
    uint64_t tf = cpu->rflags & X86_TF;

    cpu->insn_rip = cpu->rip;   /* before anything can fault */
    check_cs_limit(cpu, in->len);
    cpu->rip = (cpu->rip + in->len) & x86_mask(cpu->code_size);
    in->fn(cpu, in);
    cpu->icount++;
    /* MOV SS / POP SS hold a single-step trap off for one more
       instruction (SDM 6.8.3); the STI shadow does not */
    return tf && (cpu->shadow_icount != cpu->icount || in->op == 0xfb) &&
           single_step(cpu);
}

/* May block b run whole from cs:rip?  Not when the budget ends inside
   it, under TF, when it would cross CS.limit (or wrap: then no
   instruction in it needs rip masked), or when an interrupt waits for an
   interrupt shadow to end. */
static inline bool block_fits(struct x86_cpu *cpu, const struct x86_block *b,
                              uint64_t end)
{
    uint64_t mask = x86_mask(b->code_size);
    return b->nguest <= end - cpu->icount && !(cpu->rflags & X86_TF) &&
           (cpu->mode == X86_MODE_LONG ||
            cpu->rip + b->nbytes - 1 <=
                (cpu->seg[X86_CS].limit < mask ? cpu->seg[X86_CS].limit
                                               : mask)) &&
           !(cpu->attention && cpu->icount == cpu->shadow_icount);
}

/* Leave the block: cpu->rip becomes something other than the rip after
   this record, which the run loop takes for a branch; it puts rip back to
   insn_rip (this record's) when it sees who left. */
void x86_block_stop(struct x86_cpu *cpu, const struct x86_insn *in)
{
    cpu->rip = ~cpu->rip;
}

/* Run block b from its first instruction; false when a write to its code
   or a flush of the block cache cut it short (block.c made its records
   x86_block_stop). */
static inline bool run_block(struct x86_cpu *cpu, struct x86_block *b)
{
    const struct x86_insn *in = b->insn, *last = in + b->ninsn;
    cpu->cur_block = b;
    cpu->blk_rip = cpu->rip;
    cpu->blk_icount = cpu->icount;
    /* Only the last instruction may read icount (STI, MOV SS, REP
       string ops end blocks): it sees its own count, and a fault
       further up recounts (block_fault_icount). */
    cpu->icount += b->ninsn - 1;
    uint64_t rip = cpu->rip, next;
    /* The only exit is a change of rip: a taken branch, or the stop
       record after the last instruction. */
    do {
        /* no mask: block_fits saw that the block does not wrap */
        next = rip + in->len;
        cpu->insn_rip = rip;
        cpu->rip = next;
        in->fn(cpu, in);
        in++;
        rip = cpu->rip;
    } while (rip == next);
    cpu->cur_block = NULL;
    bool whole = true;
    if (in[-1].fn == x86_block_stop) {
        in--;                   /* it ran no instruction */
        cpu->rip = cpu->insn_rip;
        whole = in == last;
    }
    /* +1 for the last instruction (whatever count it left), or back to
       the instructions run when a branch left early or the block was
       cut short */
    cpu->icount += 1 - (uint64_t)(last - in);
    return whole;
}

/* The interpreter loop proper; faults leave it by longjmp.  Kept out of
   run_guarded: a function that calls setjmp keeps its locals in memory,
   and this loop wants cpu and the block pointers in registers. */
static __attribute__((noinline)) enum x86_exit
run_loop(struct x86_cpu *cpu, uint64_t end)
{
    struct x86_insn scratch;
    struct x86_block *prev = NULL;
    /* -d exec/cpu log before every block: no chaining (a log switched
       on meanwhile counts from the next run) */
    bool logging = log_mask & (LOG_EXEC | LOG_CPU);

    while (cpu->icount < end) {
        if (cpu->attention && x86_check_attention(cpu)) {
            return X86_EXIT_ATTENTION;
        }
        if (__atomic_load_n(&x86_code_epoch, __ATOMIC_RELAXED) !=
            cpu->code_epoch) {
            x86_code_epoch_sync(cpu);   /* another CPU claimed a page */
        }
        struct x86_block *b = find_block(cpu, &scratch, prev);
        prev = b;
        if (log_mask & (LOG_EXEC | LOG_CPU)) {
            x86_log_exec(cpu, b ? b->nguest : 1);
        }
        if (!b) {
            if (step_one(cpu, &scratch)) {
                return X86_EXIT_EXCEPTION;
            }
            continue;
        }
        /* From block to block by their links while nothing asks for the
           checks at the top: the attention, the code epoch, the log. */
        if (!block_fits(cpu, b, end)) {
            /* one instruction, then look at the world again */
            if (step_one(cpu, &b->insn[0])) {
                return X86_EXIT_EXCEPTION;
            }
            continue;
        }
        for (;;) {
            if (!run_block(cpu, b)) {
                prev = NULL;    /* b may be gone with the arena */
                break;
            }
            /* (the budget: block_fits) */
            if (cpu->attention || logging ||
                __atomic_load_n(&x86_code_epoch, __ATOMIC_RELAXED) !=
                    cpu->code_epoch) {
                break;
            }
            struct x86_block *n = chain_next(cpu, b);
            if (!n) {
                break;          /* find_block links b to what comes */
            }
            if (!block_fits(cpu, n, end)) {
                break;          /* the top steps it (or the budget ends) */
            }
            b = prev = n;
        }
    }
    return X86_EXIT_BUDGET;
}

/* A fault or exit left the running block at insn_rip: icount back to the
   instructions of the block that completed before it. */
static void block_fault_icount(struct x86_cpu *cpu)
{
    const struct x86_block *b = cpu->cur_block;
    uint64_t off = (cpu->insn_rip - cpu->blk_rip) & x86_mask(b->code_size);
    unsigned n = 0;

    unsigned fused = 0;
    for (uint64_t o = 0; o < off && n < b->ninsn; n++) {
        o += b->insn[n].len;
        fused += b->insn[n].ends == X86_FUSED_REC;
    }
    cpu->icount = cpu->blk_icount + n + fused;
}

static enum x86_exit run_guarded(struct x86_cpu *cpu, uint64_t budget)
{
    /* the budget is counted on cpu->icount, which survives a longjmp */
    uint64_t end = cpu->icount + budget < cpu->icount ? ~0ull
                                                        : cpu->icount + budget;
    cpu->run_end = end;
    if (!cpu->bus.code_page && cpu->arena_used) {
        /* nobody tells us of writes behind the CPU's back (unit tests
           poke code between runs): decode afresh each run */
        x86_blocks_flush(cpu);
    }

    /* cpu state may have been set from outside (tests, loadvm, the
       vCPU thread's flushes): links from before need a new look-up */
    cpu->chain_key += 8;
    int why = setjmp(cpu->jb);
    if (why && cpu->cur_block) {
        block_fault_icount(cpu);
    }
    cpu->cur_block = NULL;
    switch (why) {
    case 0:
        break;
    case JB_HLT:
        cpu->icount++;
        return X86_EXIT_HLT;
    case JB_UNIMPL:
        cpu->rip = cpu->insn_rip;
        x86_log_unimpl(cpu);
        return X86_EXIT_UNIMPL;
    default:
        /* faults restart the instruction: rip back to its start */
        cpu->rip = cpu->insn_rip;
        if (!deliver_exception(cpu)) {
            return cpu->exc_vector < 0 ? X86_EXIT_SHUTDOWN
                                       : X86_EXIT_EXCEPTION;
        }
        cpu->icount++;      /* the faulting instruction counts: progress */
        break;
    }
    cpu->halted = false;
    return run_loop(cpu, end);
}

enum x86_exit x86_cpu_run(struct x86_cpu *cpu, uint64_t budget)
{
    enum x86_exit r = run_guarded(cpu, budget);

    /* the x87 registers go back to cpu-> and the host's unit to the host */
    x86_fpu_sync(cpu);
    return r;
}
