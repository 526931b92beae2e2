; SPDX-License-Identifier: GPL-2.0-or-later
; exceptions.asm - exceptions in 32-bit protected mode with their error
; codes and saved EIP: #DE, #DB (single step with DR6.BS), #BP,
; #UD, #NP, #SS, #GP (selectors, types, IDT limit, privilege).  QEMU,
; the reference, checks neither segment limits and types on data
; accesses nor alignment (#AC), and answers INT1 with #UD: those cases
; are in tests/unit/x86_prot_test.c instead.  SDM vol. 3A 6.3, 6.13 (error code), 6.15 (each vector).
%include "pm.inc"

main:
        ; descriptors for the cases below
        GDT_SET 0x40, 0x0000ffff, 0x00cf1200    ; data, not present
        GDT_SET 0x48, 0x00000fff, 0x00409200    ; data, limit 4 KiB - 1
        GDT_SET 0x50, 0x0000ffff, 0x00cf9000    ; read-only data
        GDT_SET 0x58, 0x0000ffff, 0x00cf9800    ; execute-only code
        GDT_SET 0x60, 0x0000ffff, 0x00cfb200    ; data DPL 1

        PUTS    "#DE", 10
        TRY
        xor     edx, edx
        mov     eax, 1
        xor     ecx, ecx
.de:    div     ecx
        CATCH   0, 0
        ASSERT  dword [last_eip], .de
        TRY
        mov     edx, -1
        mov     eax, 0x80000000
        mov     ecx, -1
        idiv    ecx                     ; quotient overflow
        CATCH   0, 0

        PUTS    "#DB", 10
        mov     eax, 0
        mov     dr6, eax
        TRY
        pushf
        or      dword [esp], 0x100
        popf                            ; TF: trap after the next one
        mov     eax, 1
.db:    nop
        CATCH   1, 0
        ASSERT  dword [last_eip], .db
        mov     eax, dr6
        and     eax, 0x4000
        SHOW    "dr6.bs", eax, 0x4000

        PUTS    "#BP", 10
        TRY
        int3
.bp:    nop
        CATCH   3, 0
        ASSERT  dword [last_eip], .bp

        PUTS    "#UD", 10
        TRY
.ud:    ud2
        CATCH   6, 0
        ASSERT  dword [last_eip], .ud
        TRY
        db      0x8e, 0xc8              ; mov cs, ax
        CATCH   6, 0
        TRY
        db      0xf0, 0x90              ; LOCK NOP
        CATCH   6, 0
        TRY
        db      0xf0, 0x01, 0xd8        ; LOCK ADD eax, ebx (register)
        CATCH   6, 0

        PUTS    "#NP", 10
        TRY
        mov     ax, 0x40
        mov     ds, ax
        CATCH   11, 0x40
        IDT_SET 0x41, 0x08, main, 0x0e  ; an absent gate
        TRY
        int     0x41
        CATCH   11, 0x41 * 8 + 2

        PUTS    "#SS", 10
        TRY
        mov     ax, 0x40
        mov     ss, ax
        CATCH   12, 0x40
        PUTS    "#GP", 10
        TRY
        mov     ax, 0x100               ; beyond the GDT limit
        mov     ds, ax
        CATCH   13, 0x100
        TRY
        mov     ax, 0x28                ; a TSS is no data segment
        mov     es, ax
        CATCH   13, 0x28
        TRY
        mov     ax, 0x58                ; execute-only code
        mov     fs, ax
        CATCH   13, 0x58
        TRY
        mov     ax, 0x23                ; DPL 3 data as SS at CPL 0
        mov     ss, ax
        CATCH   13, 0x20
        TRY
        mov     ax, 0x50                ; read-only data as SS
        mov     ss, ax
        CATCH   13, 0x50
        TRY
        sidt    [scratch]
        mov     word [scratch + 8], 0x7f * 8 - 1
        mov     eax, [scratch + 2]
        mov     [scratch + 10], eax
        lidt    [scratch + 8]
        int     0x7f                    ; beyond the IDT limit
        CATCH   13, 0x7f * 8 + 2
        lidt    [scratch]
        ; from CPL 3: privileged instructions, a DPL 0 gate, DPL 1 data
        %macro USER_GP 3
        TRY
        mov     eax, %%user
        jmp     to_ring3
%%user: %1
        %2
        int     0x7f
        CATCH   13, %3
        %endmacro
        USER_GP cli, nop, 0
        USER_GP hlt, nop, 0
        USER_GP {mov eax, cr0}, nop, 0
        USER_GP {int 0x41}, nop, 0x41 * 8 + 2
        USER_GP {in al, 0x80}, nop, 0
        USER_GP {mov ax, 0x63}, {mov ds, ax}, 0x60
        USER_GP {mov ax, 0x10}, {mov ds, ax}, 0x10

        PASS
%include "pm-end.inc"
