; SPDX-License-Identifier: GPL-2.0-or-later
; paging64.asm - 4-level paging in 64-bit mode: a mapping at a high
; canonical address, page faults with their error code and 64-bit CR2
; (not present, write to read-only with CR0.WP, user access to a
; supervisor page, execute-disable, a reserved bit), accessed/dirty bits at each level,
; #GP(0) for a non-canonical address.  SDM vol. 3A 4.5 (4-level paging),
; 4.7 (page-fault error code), 3.3.7.1 (canonical addressing).
%include "pm.inc"
%include "lm.inc"

%define PDPT_H 0x113000
%define PD_H   0x114000
%define PT_H   0x115000
%define PF     14

        bits    64
%macro PTEH 2                           ; index, value (low dword)
        mov     dword [PT_H + (%1) * 8], %2
        mov     dword [PT_H + (%1) * 8 + 4], 0
        mov     rax, 0xffff800000000000 + (%1) * 0x1000
        invlpg  [rax]
%endmacro

%macro PFCHECK 3                        ; error code, CR2 high, CR2 low
        ASSERT  dword [last_vec], PF
        ASSERT  dword [last_err], %1
        ASSERT  dword [last_cr2_hi], %2
        ASSERT  dword [last_cr2], %3
%endmacro

        bits    32
main:
        call    enter_long
        bits    64
        PUTS    "long mode", 10
        mov     edi, PDPT_H
        xor     eax, eax
        mov     ecx, 3 * 1024
        rep     stosd
        mov     dword [LM_PML4 + 256 * 8], PDPT_H | 7
        mov     dword [PDPT_H], PD_H | 7
        mov     dword [PD_H], PT_H | 7
        mov     rax, cr0
        or      rax, 1 << 16                    ; WP
        mov     cr0, rax
        mov     ecx, 0xc0000080
        rdmsr
        or      eax, 1 << 11                    ; NXE
        wrmsr
        mov     rbx, 0xffff800000000000

        PUTS    "high mapping", 10
        PTEH    0, 0x300000 | 3
        mov     dword [rbx + 0x10], 0x600d
        SHOW    "through the identity map", dword [0x300010], 0x600d
        mov     eax, [LM_PML4 + 256 * 8]
        and     eax, 0x60
        SHOW    "pml4e a/d", eax, 0x20
        mov     eax, [PDPT_H]
        and     eax, 0x60
        SHOW    "pdpte a/d", eax, 0x20
        mov     eax, [PD_H]
        and     eax, 0x60
        SHOW    "pde a/d", eax, 0x20
        mov     eax, [PT_H]
        and     eax, 0x60
        SHOW    "pte a/d", eax, 0x60

        PUTS    "page faults", 10
        mov     rbx, 0xffff800000000000
        TRY
        mov     eax, [rbx + 0x1010]             ; absent
        CATCH   PF, 0
        PFCHECK 0, 0xffff8000, 0x1010
        PTEH    2, 0x302000 | 1                 ; read-only
        mov     rbx, 0xffff800000000000
        TRY
        mov     byte [rbx + 0x2020], 1
        CATCH   PF, 3
        PFCHECK 3, 0xffff8000, 0x2020
        mov     byte [0x303000], 0xc3           ; ret
        mov     dword [PT_H + 3 * 8], 0x303000 | 3
        mov     dword [PT_H + 3 * 8 + 4], 0x80000000
        mov     rbx, 0xffff800000003000
        invlpg  [rbx]
        TRY
        call    rbx
        CATCH   PF, 0x11
        PFCHECK 0x11, 0xffff8000, 0x3000
        PTEH    4, 0x304000 | 3                 ; supervisor
        TRY
        mov     eax, .user
        jmp     to_ring3_64
.user:  mov     rbx, 0xffff800000004040
        mov     eax, [rbx]
        int     0x7f
        CATCH   PF, 5
        PFCHECK 5, 0xffff8000, 0x4040

        PUTS    "reserved bit 51 (error code without P)", 10
        mov     dword [quiet], 1
        PTEH    5, 0x305000 | 3
        mov     dword [PT_H + 5 * 8 + 4], 1 << 19
        mov     rbx, 0xffff800000005000
        invlpg  [rbx]
        TRY
        mov     eax, [rbx + 0x50]
        CATCHV  PF
        mov     dword [quiet], 0
        mov     eax, [last_err]
        and     eax, ~1
        SHOW    "error code & ~1", eax, 0x8
        ASSERT  eax, 8
        SHOW    "cr2 low", dword [last_cr2], 0x5050

        PUTS    "non-canonical", 10
        TRY
        mov     rbx, 0x0000800000000000
        mov     eax, [rbx]
        CATCH   13, 0
        PASS
        bits    32
%include "pm-end.inc"
