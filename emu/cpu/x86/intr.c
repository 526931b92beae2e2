/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * intr.c - exceptions and interrupts of the soft x86 CPU: delivery through
 * the real-mode IVT, the protected-mode IDT (16/32-bit interrupt and trap
 * gates, with the inner-stack switch through a 16- or 32-bit TSS; task
 * gates go to task.c, events from virtual-8086 mode to v86.c) and the
 * long-mode IDT (64-bit gates, RSP0-2 and IST stacks), the double-fault
 * rules, IRET in all modes (to V86 mode, and with NT back to the previous
 * task), and the external interrupt line with the one-instruction shadow
 * after STI, MOV SS and POP SS.
 * Reference: Intel SDM vol. 3A 6.8-6.15 (IDT, gates, stack switching,
 * error codes, double fault), 6.14 (64-bit mode), 7.2 (TSS), vol. 2
 * "INT n/INTO/INT3/INT1", "IRET/IRETD/IRETQ", "STI".
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/prot.h"       /* segments, stack, exceptions */

/* Read 1 << sz bytes of a system table with supervisor rights. */
static uint64_t sys_read(struct x86_cpu *cpu, uint64_t lin, unsigned sz)
{
    return x86_read_sys(cpu, lin, sz);
}

/* ---- delivery --------------------------------------------------------------- */

static void deliver_real(struct x86_cpu *cpu, int vector, uint64_t ret_ip)
{
    if ((uint64_t)vector * 4 + 3 > cpu->idtr_limit) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    uint64_t lin = (cpu->idtr_base + (uint64_t)vector * 4) & 0xffffffff;
    uint32_t vec = (uint32_t)x86_read_lin(cpu, lin, 2);
    uint64_t fl = x86_cpu_get_rflags(cpu);
    x86_push(cpu, 1, fl);
    x86_push(cpu, 1, cpu->seg[X86_CS].sel);
    x86_push(cpu, 1, ret_ip);
    cpu->rflags &= ~(uint64_t)(X86_IF | X86_TF | X86_AC | X86_RF);
    x86_seg_load_real(cpu, X86_CS, vec >> 16);
    cpu->rip = vec & 0xffff;
}

/*
 * Protected and long mode.  src says where the event came from: a software
 * INT checks the gate DPL, an external event sets EXT in error codes.
 */
static void deliver_prot(struct x86_cpu *cpu, int vector, uint64_t ret_ip,
                         int src)
{
    bool lm = (cpu->efer & X86_EFER_LMA) != 0;
    unsigned gsize = lm ? 16 : 8, ext = src == X86_SRC_EXT;
    uint32_t idx = (uint32_t)vector * gsize, err_idt = idx + 2 + ext;
    uint32_t lo, hi, hi2 = 0;
    bool has_err = src == X86_SRC_EXC && cpu->exc_has_error;
    uint32_t err = cpu->exc_error;

    if (idx + gsize - 1 > cpu->idtr_limit) {
        x86_raise(cpu, X86_EXC_GP, err_idt);
    }
    lo = (uint32_t)sys_read(cpu, cpu->idtr_base + idx, 2);
    hi = (uint32_t)sys_read(cpu, cpu->idtr_base + idx + 4, 2);
    if (lm) {
        hi2 = (uint32_t)sys_read(cpu, cpu->idtr_base + idx + 8, 2);
    }
    unsigned type = (hi >> 8) & 0x1f, dpl = (hi >> 13) & 3;
    bool ok = lm ? (type == 0x0e || type == 0x0f)
                 : (type == 0x0e || type == 0x0f || type == 0x06 ||
                    type == 0x07 || type == 0x05);
    if (!ok || (src == X86_SRC_SOFT && dpl < cpu->cpl)) {
        x86_raise(cpu, X86_EXC_GP, err_idt);
    }
    if (!(hi & (1u << 15))) {
        x86_raise(cpu, X86_EXC_NP, err_idt);
    }
    if (type == 0x05) {
        /* SDM 6.12.2: a task gate switches to the handler's task */
        x86_task_gate(cpu, lo, X86_TS_INT, ret_ip, has_err, err, ext);
        return;
    }
    bool trap = type & 1;
    unsigned sz = lm ? 3 : (type & 8) ? 2 : 1;
    uint16_t sel = (uint16_t)(lo >> 16);
    uint64_t ip = (lo & 0xffff) | (sz > 1 ? (hi & 0xffff0000u) : 0) |
                  ((uint64_t)hi2 << 32);

    /* the target code segment */
    uint32_t clo, chi;
    x86_desc_fetch(cpu, sel, X86_EXC_GP, ext, &clo, &chi);
    unsigned ctype = (chi >> 8) & 0x1f, cdpl = (chi >> 13) & 3;
    if ((ctype & 0x18) != 0x18 || cdpl > cpu->cpl ||
        (lm && (!(chi & (1u << 21)) || (chi & (1u << 22))))) {
        x86_raise(cpu, X86_EXC_GP, (sel & 0xfffc) + ext);
    }
    if (!(chi & (1u << 15))) {
        x86_raise(cpu, X86_EXC_NP, (sel & 0xfffc) + ext);
    }
    unsigned newpl = (ctype & 4) ? cpu->cpl : cdpl;     /* conforming */
    struct x86_seg cs;
    x86_desc_to_seg(&cs, (uint16_t)((sel & ~3u) | newpl), clo, chi);

    if (cpu->mode == X86_MODE_V86) {
        /* SDM 20.3.1.1: only a non-conforming ring-0 handler */
        if (newpl != 0) {
            x86_raise(cpu, X86_EXC_GP, (sel & 0xfffc) + ext);
        }
        x86_v86_interrupt(cpu, &cs, sz, trap, ip, ret_ip, has_err, err, ext);
        return;
    }

    uint64_t fl = x86_cpu_get_rflags(cpu);
    uint64_t old_rsp = cpu->regs[X86_RSP];
    struct x86_seg old_ss = cpu->seg[X86_SS];
    uint16_t old_cs = cpu->seg[X86_CS].sel;
    unsigned ist = lm ? (hi & 7) : 0;
    bool switch_stack = newpl < cpu->cpl || ist;

    if (switch_stack) {
        const struct x86_seg *tr = &cpu->tr;
        uint64_t rsp;
        uint16_t ssel = 0;
        struct x86_seg ss = old_ss;
        if (lm && ist) {
            uint32_t off = 0x24 + 8 * (ist - 1);
            if (off + 7 > tr->limit) {
                x86_raise(cpu, X86_EXC_TS, (tr->sel & 0xfffc) + ext);
            }
            rsp = sys_read(cpu, tr->base + off, 3);
        } else {
            x86_tss_stack(cpu, newpl, &rsp, &ssel, ext);
        }
        if (newpl < cpu->cpl) {
            ss = x86_check_ss(cpu, lm ? 0 : ssel, newpl, X86_EXC_TS, ext);
        }
        cpu->seg[X86_SS] = ss;
        cpu->seg[X86_CS] = cs;
        x86_cpu_update_mode(cpu);
        cpu->regs[X86_RSP] = lm ? rsp & ~15ull : rsp;
        if (!lm) {
            x86_set_rsp(cpu, cpu->stack_size, rsp);
        }
        x86_push(cpu, sz, old_ss.sel);
        x86_push(cpu, sz, old_rsp);
    } else {
        if (lm) {
            cpu->regs[X86_RSP] &= ~15ull;
            x86_push(cpu, sz, old_ss.sel);
            x86_push(cpu, sz, old_rsp);
        }
        cpu->seg[X86_CS] = cs;
        x86_cpu_update_mode(cpu);
    }
    x86_push(cpu, sz, fl);
    x86_push(cpu, sz, old_cs);
    x86_push(cpu, sz, ret_ip);
    if (has_err) {
        x86_push(cpu, sz, err);
    }
    cpu->rflags &= ~(uint64_t)(X86_TF | X86_NT | X86_RF | X86_VM |
                               (trap ? 0 : X86_IF));
    cpu->rip = ip;
}

bool x86_deliver(struct x86_cpu *cpu, int vector, uint64_t ret_ip, int src)
{
    x86_log_event(cpu, vector, src == X86_SRC_EXC && cpu->exc_has_error,
                  cpu->exc_error, src);
    if (cpu->mode == X86_MODE_REAL) {
        deliver_real(cpu, vector, ret_ip);
    } else {
        deliver_prot(cpu, vector, ret_ip, src);
    }
    return true;
}

/* Contributory exceptions for the double-fault rules (SDM table 6-5). */
static bool contributory(int v)
{
    return v == X86_EXC_DE || v == X86_EXC_TS || v == X86_EXC_NP ||
           v == X86_EXC_SS || v == X86_EXC_GP;
}

/*
 * Pick what to deliver when vector arrives while first was being
 * delivered: #DF, the new one, or a shutdown (-1) after a fault in #DF.
 * first >= 256 marks a software or external interrupt (256 + vector).
 */
int x86_second_fault(struct x86_cpu *cpu, int first, int vector)
{
    if (first >= 256) {
        return vector;      /* INT n or an external interrupt: serially */
    }
    if (first == X86_EXC_DF) {
        return -1;
    }
    if ((contributory(first) && contributory(vector)) ||
        (first == X86_EXC_PF &&
         (vector == X86_EXC_PF || contributory(vector)))) {
        cpu->exc_error = 0;
        cpu->exc_has_error = true;
        return X86_EXC_DF;
    }
    return vector;
}

/* ---- IRET ------------------------------------------------------------------- */

/* CF: IRET/IRETD/IRETQ */
void x86_op_iret(struct x86_cpu *cpu, const struct x86_insn *in)
{
    unsigned sz = in->opsz, n = 1u << sz;
    uint64_t m = x86_mask(cpu->stack_size);

    cpu->nmi_blocked = false;   /* IRET ends NMI blocking (SDM 6.7.1) */
    if (cpu->mode == X86_MODE_REAL) {
        uint64_t ip = x86_pop(cpu, sz);
        uint16_t sel = (uint16_t)x86_pop(cpu, sz);
        uint64_t fl = x86_pop(cpu, sz);
        x86_seg_load_real(cpu, X86_CS, sel);
        x86_jump(cpu, in, ip);
        x86_write_flags(cpu, fl, sz);
        return;
    }
    if (cpu->mode == X86_MODE_V86) {
        x86_v86_iret(cpu, in);
        return;
    }
    if ((cpu->rflags & X86_NT) && (cpu->efer & X86_EFER_LMA)) {
        x86_raise(cpu, X86_EXC_GP, 0);      /* no task return in IA-32e */
    }
    if (cpu->rflags & X86_NT) {
        /* SDM 7.4: back to the task in the back link */
        uint16_t link = (uint16_t)sys_read(cpu, cpu->tr.base, 1);
        x86_task_switch(cpu, link, X86_TS_IRET, cpu->rip, false, 0, 0);
        return;
    }

    uint64_t sp = cpu->regs[X86_RSP] & m;
    uint64_t ip = x86_read_seg(cpu, X86_SS, sp, sz);
    uint16_t sel = (uint16_t)x86_read_seg(cpu, X86_SS, (sp + n) & m, sz);
    uint64_t fl = x86_read_seg(cpu, X86_SS, (sp + 2 * n) & m, sz);
    unsigned rpl = sel & 3, cpl = cpu->cpl;

    if ((fl & X86_VM) && cpl == 0 && sz == 2 &&
        !(cpu->efer & X86_EFER_LMA)) {
        x86_iret_to_v86(cpu);
        return;
    }
    uint32_t lo, hi;
    x86_desc_fetch(cpu, sel, X86_EXC_GP, 0, &lo, &hi);
    unsigned type = (hi >> 8) & 0x1f, dpl = (hi >> 13) & 3;
    if ((type & 0x18) != 0x18 || rpl < cpl ||
        ((type & 4) ? dpl > rpl : dpl != rpl)) {
        x86_raise(cpu, X86_EXC_GP, sel & 0xfffc);
    }
    if (!(hi & (1u << 15))) {
        x86_raise(cpu, X86_EXC_NP, sel & 0xfffc);
    }
    struct x86_seg cs;
    x86_desc_to_seg(&cs, sel, lo, hi);

    /* 64-bit mode always pops SS:RSP; elsewhere only to an outer level */
    bool pop_stack = cpu->mode == X86_MODE_LONG || rpl > cpl;
    struct x86_seg ss = cpu->seg[X86_SS];
    uint64_t new_sp = (sp + 3 * n) & m;
    if (pop_stack) {
        new_sp = x86_read_seg(cpu, X86_SS, (sp + 3 * n) & m, sz);
        uint16_t ssel = (uint16_t)x86_read_seg(cpu, X86_SS, (sp + 4 * n) & m,
                                               sz);
        ss = x86_check_ss(cpu, ssel, rpl, X86_EXC_GP, 0);
    }

    /* flags first, under the privilege of the IRET itself */
    x86_write_flags(cpu, fl & ~(uint64_t)X86_VM, sz);
    cpu->seg[X86_CS] = cs;
    cpu->seg[X86_SS] = ss;
    x86_cpu_update_mode(cpu);
    if (pop_stack) {
        if (cpu->stack_size == 1) {
            cpu->regs[X86_RSP] = (cpu->regs[X86_RSP] & ~0xffffull) |
                                 (new_sp & 0xffff);
        } else {
            cpu->regs[X86_RSP] = cpu->stack_size == 2 ? (uint32_t)new_sp
                                                      : new_sp;
        }
    } else {
        cpu->regs[X86_RSP] = (cpu->regs[X86_RSP] & ~m) | new_sp;
    }
    cpu->rip = cpu->mode == X86_MODE_LONG ? ip : ip & x86_mask(sz);
    if (rpl > cpl) {
        x86_drop_inner_segments(cpu);
    }
}

/* ---- the interrupt line ---------------------------------------------------- */

void x86_cpu_set_irq(struct x86_cpu *cpu, bool level)
{
    if (level) {
        __atomic_fetch_or(&cpu->attention, X86_ATTN_IRQ, __ATOMIC_SEQ_CST);
    } else {
        __atomic_fetch_and(&cpu->attention, ~(uint32_t)X86_ATTN_IRQ,
                           __ATOMIC_SEQ_CST);
    }
}

void x86_cpu_nmi(struct x86_cpu *cpu)
{
    __atomic_fetch_or(&cpu->attention, X86_ATTN_NMI, __ATOMIC_SEQ_CST);
}

/*
 * Called from the run loop when attention is set: deliver a pending NMI
 * (unless one is being handled) or external interrupt if IF allows and no
 * shadow is active.  Returns true when the loop should exit (a stop
 * request).
 */
bool x86_check_attention(struct x86_cpu *cpu)
{
    uint32_t a = cpu->attention;

    if (a & ~(uint32_t)(X86_ATTN_IRQ | X86_ATTN_NMI)) {
        return true;
    }
    if ((a & X86_ATTN_NMI) && !cpu->nmi_blocked &&
        cpu->icount != cpu->shadow_icount) {
        __atomic_fetch_and(&cpu->attention, ~(uint32_t)X86_ATTN_NMI,
                           __ATOMIC_SEQ_CST);
        cpu->insn_rip = cpu->rip;
        cpu->halted = false;
        cpu->nmi_blocked = true;
        cpu->delivering = true;
        cpu->delivering_vector = 256 + 2;
        x86_deliver(cpu, 2, cpu->rip, X86_SRC_EXT);
        cpu->delivering = false;
        return false;
    }
    if ((a & X86_ATTN_IRQ) && (cpu->rflags & X86_IF) &&
        cpu->icount != cpu->shadow_icount && cpu->bus.irq_ack) {
        int vector = cpu->bus.irq_ack(cpu->bus.opaque);
        if (vector >= 0) {
            cpu->insn_rip = cpu->rip;
            cpu->halted = false;
            cpu->delivering = true;
            cpu->delivering_vector = 256 + vector;
            x86_deliver(cpu, vector, cpu->rip, X86_SRC_EXT);
            cpu->delivering = false;
        }
    }
    return false;
}
