/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * task.c - hardware task switching of the soft x86 CPU: JMP or CALL to a
 * TSS descriptor or a task gate, interrupts and exceptions through a task
 * gate in the IDT, and IRET with EFLAGS.NT back to the previous task.  The
 * state goes to the old 16- or 32-bit TSS, the new one is loaded (CR3,
 * EFLAGS, registers, LDTR, segment registers with their checks, #TS in
 * the new task's context), TSS busy bits and the back link are kept and
 * CR0.TS is set.  Long mode has no task switching (#GP before here).
 * Reference: Intel SDM vol. 3A ch. 7 (7.2 TSS layouts, 7.3 task switching,
 * 7.4 task linking, table 7-1 checks).
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/prot.h"       /* descriptors, segments */

/* The TSS images this file moves (SDM figures 7-2 and 7-11). */
struct tss_state {
    uint32_t cr3, eip, eflags;
    uint32_t regs[8];
    uint16_t segs[X86_NSEG];
    uint16_t ldt;
};

static void tss_read(struct x86_cpu *cpu, uint64_t base, bool t32,
                     struct tss_state *t)
{
    if (t32) {
        t->cr3 = (uint32_t)x86_read_sys(cpu, base + 0x1c, 2);
        t->eip = (uint32_t)x86_read_sys(cpu, base + 0x20, 2);
        t->eflags = (uint32_t)x86_read_sys(cpu, base + 0x24, 2);
        for (int i = 0; i < 8; i++) {
            t->regs[i] = (uint32_t)x86_read_sys(cpu, base + 0x28 + 4 * i, 2);
        }
        for (int i = 0; i < X86_NSEG; i++) {
            t->segs[i] = (uint16_t)x86_read_sys(cpu, base + 0x48 + 4 * i, 1);
        }
        t->ldt = (uint16_t)x86_read_sys(cpu, base + 0x60, 1);
    } else {
        t->cr3 = 0;
        t->eip = (uint32_t)x86_read_sys(cpu, base + 0x0e, 1);
        t->eflags = (uint32_t)x86_read_sys(cpu, base + 0x10, 1);
        for (int i = 0; i < 8; i++) {
            t->regs[i] = (uint32_t)x86_read_sys(cpu, base + 0x12 + 2 * i, 1);
        }
        for (int i = 0; i < 4; i++) {
            t->segs[i] = (uint16_t)x86_read_sys(cpu, base + 0x22 + 2 * i, 1);
        }
        t->segs[X86_FS] = t->segs[X86_GS] = 0;
        t->ldt = (uint16_t)x86_read_sys(cpu, base + 0x2a, 1);
    }
}

/* Save the dynamic fields of the outgoing task into the current TSS. */
static void tss_save(struct x86_cpu *cpu, uint64_t eip, uint32_t eflags)
{
    uint64_t base = cpu->tr.base;
    unsigned type = cpu->tr.attr & 0xf;

    if (type & 8) {
        x86_write_sys(cpu, base + 0x20, 2, (uint32_t)eip);
        x86_write_sys(cpu, base + 0x24, 2, eflags);
        for (int i = 0; i < 8; i++) {
            x86_write_sys(cpu, base + 0x28 + 4 * i, 2,
                          (uint32_t)cpu->regs[i]);
        }
        for (int i = 0; i < X86_NSEG; i++) {
            x86_write_sys(cpu, base + 0x48 + 4 * i, 1, cpu->seg[i].sel);
        }
    } else {
        x86_write_sys(cpu, base + 0x0e, 1, (uint16_t)eip);
        x86_write_sys(cpu, base + 0x10, 1, (uint16_t)eflags);
        for (int i = 0; i < 8; i++) {
            x86_write_sys(cpu, base + 0x12 + 2 * i, 1,
                          (uint16_t)cpu->regs[i]);
        }
        for (int i = 0; i < 4; i++) {
            x86_write_sys(cpu, base + 0x22 + 2 * i, 1, cpu->seg[i].sel);
        }
    }
}

/* Set or clear the busy bit of the GDT descriptor of a TSS. */
static void set_busy(struct x86_cpu *cpu, uint16_t sel, bool busy)
{
    uint64_t a = (uint32_t)(cpu->gdtr_base + (sel & ~7u) + 5);
    uint8_t b = (uint8_t)x86_read_sys(cpu, a, 0);
    x86_write_sys(cpu, a, 0, busy ? b | 2 : b & ~2);
}

static NORETURN void ts_fault(struct x86_cpu *cpu, uint16_t sel,
                              unsigned ext)
{
    x86_raise(cpu, X86_EXC_TS, (sel & 0xfffc) | ext);
}

/* LDTR from the new task: null, or an LDT descriptor in the GDT. */
static void load_task_ldt(struct x86_cpu *cpu, uint16_t sel, unsigned ext)
{
    uint32_t lo, hi;

    if ((sel & ~3u) == 0) {
        cpu->ldtr = (struct x86_seg){ .sel = sel };
        return;
    }
    if (sel & 4) {
        ts_fault(cpu, sel, ext);
    }
    x86_desc_fetch(cpu, sel, X86_EXC_TS, ext, &lo, &hi);
    if (x86_desc_s(hi) || x86_desc_type(hi) != X86_SYS_LDT ||
        !x86_desc_present(hi)) {
        ts_fault(cpu, sel, ext);
    }
    x86_desc_to_seg(&cpu->ldtr, sel, lo, hi);
}

/* CS of the new task: code, DPL == RPL (conforming: DPL <= RPL). */
static void load_task_cs(struct x86_cpu *cpu, uint16_t sel, unsigned ext)
{
    uint32_t lo, hi;

    uint64_t a = x86_desc_fetch(cpu, sel, X86_EXC_TS, ext, &lo, &hi);
    unsigned type = x86_desc_type(hi), dpl = x86_desc_dpl(hi);
    if (!x86_desc_s(hi) || !(type & X86_T_CODE) ||
        ((type & X86_T_DC) ? dpl > (sel & 3u) : dpl != (sel & 3u))) {
        ts_fault(cpu, sel, ext);
    }
    if (!x86_desc_present(hi)) {
        x86_raise(cpu, X86_EXC_NP, (sel & 0xfffc) | ext);
    }
    x86_desc_set_accessed(cpu, a, hi);
    x86_desc_to_seg(&cpu->seg[X86_CS], sel, lo, hi | (X86_T_ACCESSED << 8));
}

/* A data segment register of the new task (null allowed). */
static void load_task_data(struct x86_cpu *cpu, int seg, uint16_t sel,
                           unsigned ext)
{
    uint32_t lo, hi;

    if ((sel & ~3u) == 0) {
        cpu->seg[seg] = (struct x86_seg){ .sel = sel };
        return;
    }
    uint64_t a = x86_desc_fetch(cpu, sel, X86_EXC_TS, ext, &lo, &hi);
    unsigned type = x86_desc_type(hi), dpl = x86_desc_dpl(hi);
    unsigned rpl = sel & 3, cpl = cpu->cpl;
    if (!x86_desc_s(hi) || ((type & X86_T_CODE) && !(type & X86_T_RW))) {
        ts_fault(cpu, sel, ext);
    }
    if ((!(type & X86_T_CODE) || !(type & X86_T_DC)) &&
        (dpl < cpl || dpl < rpl)) {
        ts_fault(cpu, sel, ext);
    }
    if (!x86_desc_present(hi)) {
        x86_raise(cpu, X86_EXC_NP, (sel & 0xfffc) | ext);
    }
    x86_desc_set_accessed(cpu, a, hi);
    x86_desc_to_seg(&cpu->seg[seg], sel, lo, hi | (X86_T_ACCESSED << 8));
}

void x86_task_switch(struct x86_cpu *cpu, uint16_t sel, int reason,
                     uint64_t ret_ip, bool has_err, uint32_t err,
                     unsigned ext)
{
    int vec = reason == X86_TS_IRET ? X86_EXC_TS : X86_EXC_GP;
    uint32_t lo, hi;

    /* the new TSS descriptor: in the GDT, the right (busy) type */
    if (sel & 4) {
        x86_raise(cpu, vec, (sel & 0xfffc) | ext);
    }
    x86_desc_fetch(cpu, sel, vec, ext, &lo, &hi);
    unsigned type = x86_desc_type(hi);
    bool want_busy = reason == X86_TS_IRET;
    if (x86_desc_s(hi) ||
        (type != (want_busy ? X86_SYS_TSS32_BUSY : X86_SYS_TSS32) &&
         type != (want_busy ? X86_SYS_TSS16_BUSY : X86_SYS_TSS16))) {
        x86_raise(cpu, vec, (sel & 0xfffc) | ext);
    }
    if (!x86_desc_present(hi)) {
        x86_raise(cpu, X86_EXC_NP, (sel & 0xfffc) | ext);
    }
    bool t32 = type & 8;
    struct x86_seg ntr;
    x86_desc_to_seg(&ntr, sel, lo, hi | (2u << 8));
    if (ntr.limit < (t32 ? 0x67u : 0x2bu)) {
        ts_fault(cpu, sel, ext);
    }
    /* the old TSS must hold its dynamic fields */
    unsigned otype = cpu->tr.attr & 0xf;
    if (cpu->tr.limit < ((otype & 8) ? 0x5fu : 0x29u)) {
        ts_fault(cpu, cpu->tr.sel, ext);
    }

    struct tss_state t;
    tss_read(cpu, ntr.base, t32, &t);

    /* save the outgoing task; a JMP or IRET leaves it (not busy, and an
       IRET clears NT in its image), CALL/INT nest */
    uint32_t ofl = (uint32_t)x86_cpu_get_rflags(cpu);
    if (reason == X86_TS_IRET) {
        ofl &= ~X86_NT;
    }
    tss_save(cpu, ret_ip, ofl);
    if (reason == X86_TS_JMP || reason == X86_TS_IRET) {
        set_busy(cpu, cpu->tr.sel, false);
    }
    if (reason == X86_TS_CALL || reason == X86_TS_INT) {
        x86_write_sys(cpu, ntr.base, 1, cpu->tr.sel);
        t.eflags |= X86_NT;
    }
    if (reason != X86_TS_IRET) {
        set_busy(cpu, sel, true);
    }

    /* from here on faults belong to the new task */
    cpu->tr = ntr;
    cpu->cr0 |= X86_CR0_TS;
    if (t32 && (cpu->cr0 & X86_CR0_PG)) {
        cpu->cr3 = t.cr3;
        x86_tlb_flush(cpu);
    }
    uint64_t fl = t32 ? t.eflags
                      : (x86_cpu_get_rflags(cpu) & ~0xffffull) | t.eflags;
    x86_cpu_set_rflags(cpu, fl | 2);
    for (int i = 0; i < 8; i++) {
        cpu->regs[i] = t32 ? t.regs[i]
                           : (cpu->regs[i] & ~0xffffull) | t.regs[i];
    }
    cpu->rip = t.eip;
    /* selectors first, unusable until their descriptors load */
    cpu->ldtr = (struct x86_seg){ .sel = t.ldt };
    for (int i = 0; i < X86_NSEG; i++) {
        cpu->seg[i] = (struct x86_seg){ .sel = t.segs[i] };
    }
    x86_cpu_update_mode(cpu);
    cpu->insn_rip = cpu->rip;
    x86_tlb_flush(cpu);

    load_task_ldt(cpu, t.ldt, ext);
    if (fl & X86_VM) {
        for (int i = 0; i < X86_NSEG; i++) {
            cpu->seg[i] = x86_v86_seg(t.segs[i]);
        }
    } else {
        load_task_cs(cpu, t.segs[X86_CS], ext);
        x86_cpu_update_mode(cpu);
        cpu->seg[X86_SS] = x86_check_ss(cpu, t.segs[X86_SS], cpu->cpl,
                                        X86_EXC_TS, ext);
        static const int data[] = { X86_ES, X86_DS, X86_FS, X86_GS };
        for (size_t i = 0; i < ARRAY_SIZE(data); i++) {
            load_task_data(cpu, data[i], t.segs[data[i]], ext);
        }
    }
    x86_cpu_update_mode(cpu);
    if (cpu->rip > cpu->seg[X86_CS].limit) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    if (reason == X86_TS_INT && has_err) {
        x86_push(cpu, t32 ? 2 : 1, err);
    }
}

void x86_task_gate(struct x86_cpu *cpu, uint32_t lo, int reason,
                   uint64_t ret_ip, bool has_err, uint32_t err,
                   unsigned ext)
{
    x86_task_switch(cpu, (uint16_t)(lo >> 16), reason, ret_ip, has_err, err,
                    ext);
}
