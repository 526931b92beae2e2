/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prot.h - what the protected-mode files of the soft x86 CPU share
 * (seg.c, gate.c, task.c, v86.c, intr.c): descriptor fetch and decoding,
 * stack-segment checks, pushes onto a stack that is not loaded yet, and
 * the entry points for call gates, task switches and virtual-8086 mode.
 * Reference: Intel SDM vol. 3A 3.4-3.5 (descriptors), 5.8 (call gates),
 * ch. 7 (task management), ch. 20 (virtual-8086 mode).
 */
#ifndef HEMU_EMU_CPU_X86_PROT_H
#define HEMU_EMU_CPU_X86_PROT_H

#include "emu/cpu/x86/internal.h"

/* Descriptor type bits (attr[3:0] with S = 1). */
#define X86_T_ACCESSED 0x1
#define X86_T_RW 0x2        /* data: writable; code: readable */
#define X86_T_DC 0x4        /* data: expand-down; code: conforming */
#define X86_T_CODE 0x8

/* System descriptor types (S = 0). */
enum {
    X86_SYS_TSS16 = 1, X86_SYS_LDT = 2, X86_SYS_TSS16_BUSY = 3,
    X86_SYS_CALL16 = 4, X86_SYS_TASK = 5, X86_SYS_INT16 = 6,
    X86_SYS_TRAP16 = 7, X86_SYS_TSS32 = 9, X86_SYS_TSS32_BUSY = 11,
    X86_SYS_CALL32 = 12, X86_SYS_INT32 = 14, X86_SYS_TRAP32 = 15,
};

static inline unsigned x86_desc_type(uint32_t hi)
{
    return (hi >> 8) & 0xf;
}

static inline unsigned x86_desc_dpl(uint32_t hi)
{
    return (hi >> 13) & 3;
}

static inline bool x86_desc_s(uint32_t hi)
{
    return hi & (1u << 12);
}

static inline bool x86_desc_present(uint32_t hi)
{
    return hi & (1u << 15);
}

/*
 * Read the 8-byte descriptor of sel (GDT or LDT) with supervisor rights
 * into lo/hi and return its linear address.  A null selector, or one
 * beyond its table's limit, raises vec with error code sel & ~3 (plus
 * ext, the EXT bit of events from outside the program).
 */
uint64_t x86_desc_fetch(struct x86_cpu *cpu, uint16_t sel, int vec,
                        unsigned ext, uint32_t *lo, uint32_t *hi);
/* Fill a segment cache from descriptor words. */
void x86_desc_to_seg(struct x86_seg *s, uint16_t sel, uint32_t lo,
                     uint32_t hi);
/* Set the accessed bit of the descriptor at a if it is clear. */
void x86_desc_set_accessed(struct x86_cpu *cpu, uint64_t a, uint32_t hi);

/*
 * Check sel as the stack segment for privilege level pl and return its
 * cache: a wrong selector or type is vec(sel), absent is #SS(sel).  A
 * null selector is allowed only in long mode below level 3.
 */
struct x86_seg x86_check_ss(struct x86_cpu *cpu, uint16_t sel, unsigned pl,
                            int vec, unsigned ext);

/* Null ES/DS/FS/GS when they hold segments the (new, outer) CPL may not
   use: data or non-conforming code with DPL < CPL (SDM "RET", "IRET"). */
void x86_drop_inner_segments(struct x86_cpu *cpu);

/*
 * A stack that is being switched to: pushes are checked against ss and
 * written with supervisor rights (the new level is inner, 0-2) before any
 * register changes, so a fault leaves the old state intact.  Limit faults
 * are #SS(err).
 */
struct x86_newstack {
    struct x86_seg ss;
    uint64_t sp;
    unsigned size;          /* 1, 2 or 3: SP, ESP or RSP */
    uint32_t err;
};
void x86_newstack_push(struct x86_cpu *cpu, struct x86_newstack *k,
                       unsigned sz, uint64_t v);
/* Store k->sp into RSP under k->size. */
void x86_set_rsp(struct x86_cpu *cpu, unsigned size, uint64_t sp);
/* Inner-level stack pointer and selector for level pl from the current
   TSS (16-, 32- or 64-bit layout); #TS(TR) beyond the TSS limit. */
void x86_tss_stack(struct x86_cpu *cpu, unsigned pl, uint64_t *sp,
                   uint16_t *ss, unsigned ext);

/* gate.c: far CALL/JMP through a call gate (the descriptor at a). */
void x86_call_gate(struct x86_cpu *cpu, const struct x86_insn *in,
                   uint16_t gsel, uint32_t lo, uint32_t hi, uint64_t a,
                   bool call);

/* gate.c: RETF [imm16] (CB, CA) in every mode. */
void x86_far_return(struct x86_cpu *cpu, const struct x86_insn *in,
                    unsigned imm);

/* task.c: hardware task switch (SDM 7.3). */
enum { X86_TS_JMP, X86_TS_CALL, X86_TS_IRET, X86_TS_INT };
/*
 * Switch to the task whose TSS descriptor is selected by sel (already
 * checked for privilege by the caller).  ret_ip is the EIP saved in the
 * old task; for X86_TS_INT with has_err the error code is pushed on the
 * new task's stack.  ext is the EXT bit for error codes.
 */
void x86_task_switch(struct x86_cpu *cpu, uint16_t sel, int reason,
                     uint64_t ret_ip, bool has_err, uint32_t err,
                     unsigned ext);
/* A JMP/CALL/INT through a task gate (descriptor words lo/hi). */
void x86_task_gate(struct x86_cpu *cpu, uint32_t lo, int reason,
                   uint64_t ret_ip, bool has_err, uint32_t err,
                   unsigned ext);

/* v86.c: virtual-8086 mode (SDM ch. 20). */
/* Interrupt or exception from V86 mode through an interrupt/trap gate
   (gate words lo/hi, target descriptor checked by the caller: cs). */
void x86_v86_interrupt(struct x86_cpu *cpu, const struct x86_seg *cs,
                       unsigned gsz, bool trap, uint64_t ip,
                       uint64_t ret_ip, bool has_err, uint32_t err,
                       unsigned ext);
/* IRET executed in V86 mode (IOPL 3: the real-mode form; else #GP(0)). */
void x86_v86_iret(struct x86_cpu *cpu, const struct x86_insn *in);
/* IRET at CPL 0 whose EFLAGS image has VM set: the rest of the frame
   (ESP, SS, ES, DS, FS, GS) is popped and V86 mode entered. */
void x86_iret_to_v86(struct x86_cpu *cpu);
/* The segment cache of a V86-mode (or real-mode style) selector. */
struct x86_seg x86_v86_seg(uint16_t sel);

#endif
