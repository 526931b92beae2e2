/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * table.c - the dispatch table of the soft x86 CPU: one same-signature
 * handler per opcode of the one-byte map (0x000-0x0ff), the 0F map
 * (0x100-0x1ff) and the 0F 38 / 0F 3A maps (0x200-0x3ff).  Empty slots
 * raise #UD.  Reference: Intel SDM vol. 2 appendix A, tables.
 */
#include "emu/osdep.h"

#include "emu/cpu/x86/internal.h"   /* handler declarations */

x86_handler_fn *const x86_handlers[X86_NOPS] = {
    [0x00 ... 0x05] = x86_op_add, [0x08 ... 0x0d] = x86_op_or,
    [0x10 ... 0x15] = x86_op_adc, [0x18 ... 0x1d] = x86_op_sbb,
    [0x20 ... 0x25] = x86_op_and, [0x28 ... 0x2d] = x86_op_sub,
    [0x30 ... 0x35] = x86_op_xor, [0x38 ... 0x3d] = x86_op_cmp,
    [0x06] = x86_op_push_sreg, [0x07] = x86_op_pop_sreg,
    [0x0e] = x86_op_push_sreg,
    [0x16] = x86_op_push_sreg, [0x17] = x86_op_pop_sreg,
    [0x1e] = x86_op_push_sreg, [0x1f] = x86_op_pop_sreg,
    [0x27] = x86_op_daa, [0x2f] = x86_op_das,
    [0x37] = x86_op_aaa_aas, [0x3f] = x86_op_aaa_aas,
    [0x40 ... 0x4f] = x86_op_incdec_r,
    [0x50 ... 0x57] = x86_op_push_r, [0x58 ... 0x5f] = x86_op_pop_r,
    [0x60] = x86_op_pusha, [0x61] = x86_op_popa, [0x62] = x86_op_bound,
    [0x63] = x86_op_movsxd,
    [0x68] = x86_op_push_imm, [0x69] = x86_op_imul_imm,
    [0x6a] = x86_op_push_imm, [0x6b] = x86_op_imul_imm,
    [0x6c ... 0x6f] = x86_op_string,
    [0x70 ... 0x7f] = x86_op_jcc,
    [0x80 ... 0x83] = x86_op_grp1,
    [0x84 ... 0x85] = x86_op_test, [0x86 ... 0x87] = x86_op_xchg,
    [0x88 ... 0x8b] = x86_op_mov, [0x8c] = x86_op_mov_from_sreg,
    [0x8d] = x86_op_lea, [0x8e] = x86_op_mov_to_sreg,
    [0x8f] = x86_op_pop_rm,
    [0x90 ... 0x97] = x86_op_xchg_ax,
    [0x98] = x86_op_cbw, [0x99] = x86_op_cwd, [0x9a] = x86_op_callf,
    [0x9b] = x86_op_nop, [0x9c] = x86_op_pushf, [0x9d] = x86_op_popf,
    [0x9e] = x86_op_sahf, [0x9f] = x86_op_lahf,
    [0xa0 ... 0xa3] = x86_op_mov_moffs, [0xa4 ... 0xa7] = x86_op_string,
    [0xa8 ... 0xa9] = x86_op_test, [0xaa ... 0xaf] = x86_op_string,
    [0xb0 ... 0xbf] = x86_op_mov_r_imm,
    [0xc0 ... 0xc1] = x86_op_grp2, [0xc2 ... 0xc3] = x86_op_ret,
    [0xc4 ... 0xc5] = x86_op_lfp, [0xc6 ... 0xc7] = x86_op_mov_rm_imm,
    [0xc8] = x86_op_enter, [0xc9] = x86_op_leave,
    [0xca ... 0xcb] = x86_op_retf, [0xcc ... 0xce] = x86_op_int,
    [0xcf] = x86_op_iret,
    [0xd0 ... 0xd3] = x86_op_grp2, [0xd4] = x86_op_aam, [0xd5] = x86_op_aad,
    [0xd6] = x86_op_salc, [0xd7] = x86_op_xlat,
    [0xe0 ... 0xe3] = x86_op_loop, [0xe4 ... 0xe7] = x86_op_inout,
    [0xe8] = x86_op_call_rel, [0xe9] = x86_op_jmp_rel,
    [0xea] = x86_op_jmpf, [0xeb] = x86_op_jmp_rel,
    [0xec ... 0xef] = x86_op_inout,
    [0xf1] = x86_op_int, [0xf4] = x86_op_hlt, [0xf5] = x86_op_flagop, [0xf6 ... 0xf7] = x86_op_grp3,
    [0xf8 ... 0xf9] = x86_op_flagop, [0xfa ... 0xfb] = x86_op_cli_sti,
    [0xfc ... 0xfd] = x86_op_flagop, [0xfe] = x86_op_grp4,
    [0xff] = x86_op_grp5,

    /* 0F map */
    [0x100] = x86_op_grp6, [0x101] = x86_op_grp7,
    [0x102 ... 0x103] = x86_op_lar_lsl,
    [0x105] = x86_op_syscall, [0x106] = x86_op_clts,
    [0x107] = x86_op_sysret,
    [0x108 ... 0x109] = x86_op_invd,
    [0x10d] = x86_op_nop, [0x118 ... 0x11f] = x86_op_nop,
    [0x120] = x86_op_mov_cr, [0x122] = x86_op_mov_cr,
    [0x130] = x86_op_wrmsr, [0x131] = x86_op_rdtsc, [0x132] = x86_op_rdmsr,
    [0x140 ... 0x14f] = x86_op_cmov,
    [0x180 ... 0x18f] = x86_op_jcc,
    [0x190 ... 0x19f] = x86_op_setcc,
    [0x1a0] = x86_op_push_sreg, [0x1a1] = x86_op_pop_sreg,
    [0x1a2] = x86_op_cpuid, [0x1a3] = x86_op_bt,
    [0x1a4 ... 0x1a5] = x86_op_dshift,
    [0x1a8] = x86_op_push_sreg, [0x1a9] = x86_op_pop_sreg,
    [0x1ab] = x86_op_bt, [0x1ac ... 0x1ad] = x86_op_dshift,
    [0x1af] = x86_op_imul_gv,
    [0x1ae] = x86_op_grp15,
    [0x1b0 ... 0x1b1] = x86_op_cmpxchg, [0x1b2] = x86_op_lfp,
    [0x1b3] = x86_op_bt, [0x1b4 ... 0x1b5] = x86_op_lfp,
    [0x1b6 ... 0x1b7] = x86_op_movx, [0x1b8] = x86_op_popcnt,
    [0x1ba] = x86_op_grp8, [0x1bb] = x86_op_bt,
    [0x1bc ... 0x1bd] = x86_op_bsf_bsr, [0x1be ... 0x1bf] = x86_op_movx,
    [0x1c0 ... 0x1c1] = x86_op_xadd, [0x1c7] = x86_op_grp9,
    [0x1c8 ... 0x1cf] = x86_op_bswap,

    /* 0F 38 map */
    [0x2f0 ... 0x2f1] = x86_op_movbe,
};
