/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * v86.c - virtual-8086 mode of the soft x86 CPU: entering it by IRET from
 * CPL 0 (the frame carries ESP, SS, ES, DS, FS, GS), interrupts and
 * exceptions from it to a ring-0 handler (the data segment registers are
 * pushed and nulled), and IRET inside it, which is IOPL-sensitive like
 * CLI, STI, PUSHF, POPF and INT n (those check IOPL where they are).  The
 * I/O bitmap governs IN/OUT in V86 mode whatever the IOPL (misc.c).  The
 * virtual-mode extensions (CR4.VME, PVI) are not implemented and CPUID
 * does not advertise VME.
 * Reference: Intel SDM vol. 3A 20.2 (virtual-8086 mode), 20.3 (interrupt
 * and exception handling in V86 mode), vol. 2 "IRET", "INT n" operation.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/prot.h"       /* stacks, segments */

struct x86_seg x86_v86_seg(uint16_t sel)
{
    /* SDM 20.1.1: base = selector * 16, 64 KiB, read/write, DPL 3 */
    return (struct x86_seg){
        .sel = sel, .base = (uint64_t)sel << 4, .limit = 0xffff,
        .attr = X86_SEG_P | X86_SEG_S | (3u << 5) | X86_T_RW |
                X86_T_ACCESSED,
    };
}

void x86_iret_to_v86(struct x86_cpu *cpu)
{
    uint64_t m = x86_mask(cpu->stack_size);
    uint64_t sp = cpu->regs[X86_RSP] & m;
    uint32_t v[9];

    /* EIP, CS, EFLAGS, ESP, SS, ES, DS, FS, GS: all 32-bit slots */
    for (int i = 0; i < 9; i++) {
        v[i] = (uint32_t)x86_read_seg(cpu, X86_SS, (sp + 4 * i) & m, 2);
    }
    x86_cpu_set_rflags(cpu, v[2] | 2);
    cpu->seg[X86_CS] = x86_v86_seg((uint16_t)v[1]);
    cpu->seg[X86_SS] = x86_v86_seg((uint16_t)v[4]);
    cpu->seg[X86_ES] = x86_v86_seg((uint16_t)v[5]);
    cpu->seg[X86_DS] = x86_v86_seg((uint16_t)v[6]);
    cpu->seg[X86_FS] = x86_v86_seg((uint16_t)v[7]);
    cpu->seg[X86_GS] = x86_v86_seg((uint16_t)v[8]);
    cpu->regs[X86_RSP] = v[3];
    cpu->rip = v[0] & 0xffff;
    x86_cpu_update_mode(cpu);
}

void x86_v86_iret(struct x86_cpu *cpu, const struct x86_insn *in)
{
    if ((cpu->rflags & X86_IOPL) != X86_IOPL) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    unsigned sz = in->opsz, n = 1u << sz;
    uint64_t m = x86_mask(cpu->stack_size);
    uint64_t sp = cpu->regs[X86_RSP] & m;
    uint64_t ip = x86_read_seg(cpu, X86_SS, sp, sz);
    uint16_t sel = (uint16_t)x86_read_seg(cpu, X86_SS, (sp + n) & m, sz);
    uint64_t fl = x86_read_seg(cpu, X86_SS, (sp + 2 * n) & m, sz);

    if (ip > 0xffff) {
        x86_raise(cpu, X86_EXC_GP, 0);
    }
    x86_set_rsp(cpu, cpu->stack_size, (sp + 3 * n) & m);
    /* VM, IOPL (and VIF/VIP) stay: x86_write_flags at CPL 3 */
    x86_write_flags(cpu, fl, sz);
    cpu->seg[X86_CS] = x86_v86_seg(sel);
    cpu->rip = ip;
}

void x86_v86_interrupt(struct x86_cpu *cpu, const struct x86_seg *cs,
                       unsigned gsz, bool trap, uint64_t ip,
                       uint64_t ret_ip, bool has_err, uint32_t err,
                       unsigned ext)
{
    uint64_t nsp;
    uint16_t nss;
    struct x86_newstack k;

    /* always to ring 0 on the TSS's SS0:ESP0 */
    x86_tss_stack(cpu, 0, &nsp, &nss, ext);
    k.ss = x86_check_ss(cpu, nss, 0, X86_EXC_TS, ext);
    k.size = (k.ss.attr & X86_SEG_DB) ? 2 : 1;
    k.sp = nsp & x86_mask(k.size);
    k.err = (nss & 0xfffc) | ext;

    uint64_t fl = x86_cpu_get_rflags(cpu);
    x86_newstack_push(cpu, &k, gsz, cpu->seg[X86_GS].sel);
    x86_newstack_push(cpu, &k, gsz, cpu->seg[X86_FS].sel);
    x86_newstack_push(cpu, &k, gsz, cpu->seg[X86_DS].sel);
    x86_newstack_push(cpu, &k, gsz, cpu->seg[X86_ES].sel);
    x86_newstack_push(cpu, &k, gsz, cpu->seg[X86_SS].sel);
    x86_newstack_push(cpu, &k, gsz, cpu->regs[X86_RSP] & x86_mask(gsz));
    x86_newstack_push(cpu, &k, gsz, fl & x86_mask(gsz));
    x86_newstack_push(cpu, &k, gsz, cpu->seg[X86_CS].sel);
    x86_newstack_push(cpu, &k, gsz, ret_ip & x86_mask(gsz));
    if (has_err) {
        x86_newstack_push(cpu, &k, gsz, err);
    }

    static const int data[] = { X86_ES, X86_DS, X86_FS, X86_GS };
    for (size_t i = 0; i < ARRAY_SIZE(data); i++) {
        cpu->seg[data[i]] = (struct x86_seg){ .sel = 0 };
    }
    cpu->rflags &= ~(uint64_t)(X86_VM | X86_TF | X86_RF | X86_NT |
                               (trap ? 0 : X86_IF));
    cpu->seg[X86_CS] = *cs;
    cpu->seg[X86_SS] = k.ss;
    x86_cpu_update_mode(cpu);
    x86_set_rsp(cpu, k.size, k.sp);
    cpu->rip = ip;
}
