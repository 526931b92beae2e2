; SPDX-License-Identifier: GPL-2.0-or-later
; modes.asm - real mode -> 32-bit protected mode -> long mode (PAE paging,
; EFER.LME, a 64-bit code segment), printing at each stage and checking a
; 64-bit computation.  SDM vol. 3A 9.9 (switching modes) and 4.5 (4-level
; paging).
%include "bios.inc"

%define LIN(x) (0xf0000 + (x))
%define PML4 0x10000            ; page tables in RAM
%define PDPT 0x11000
%define PD   0x12000

msg_real: db    "real", 10, 0
msg_prot: db    "protected", 10, 0
msg_long: db    "long", 10, 0

        align   8
gdt:    dq      0
        dq      0x00cf9a000000ffff      ; 0x08: 32-bit code, base 0, 4 GiB
        dq      0x00cf92000000ffff      ; 0x10: data, base 0, 4 GiB
        dq      0x00af9a000000ffff      ; 0x18: 64-bit code (L=1)
gdt_end:
gdtr:   dw      gdt_end - gdt - 1
        dd      LIN(gdt)

start:
        cli
        mov     ax, cs
        mov     ds, ax
        PUTS    msg_real
        in      al, 0x92                ; fast A20 on
        or      al, 2
        out     0x92, al
        o32 lgdt [cs:gdtr]
        mov     eax, cr0
        or      eax, 1
        mov     cr0, eax
        jmp     dword 0x08:LIN(pm32)

        bits    32
puts32:                                 ; esi: linear address of the text
        mov     dx, DEBUGCON
.l:     lodsb
        test    al, al
        jz      .d
        out     dx, al
        jmp     .l
.d:     ret

pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     esp, 0x9000
        mov     esi, LIN(msg_prot)
        call    puts32
        ; identity-map the first 2 MiB with one large page
        mov     edi, PML4
        xor     eax, eax
        mov     ecx, 3 * 4096 / 4
        rep     stosd
        mov     dword [PML4], PDPT | 3
        mov     dword [PDPT], PD | 3
        mov     dword [PD], 0x83                ; 2 MiB, present, writable
        mov     eax, cr4
        or      eax, 1 << 5                     ; PAE
        mov     cr4, eax
        mov     eax, PML4
        mov     cr3, eax
        mov     ecx, 0xc0000080                 ; EFER
        rdmsr
        or      eax, 1 << 8                     ; LME
        wrmsr
        mov     eax, cr0
        or      eax, 1 << 31                    ; PG
        mov     cr0, eax
        jmp     0x18:LIN(lm64)

        bits    64
lm64:
        mov     esi, LIN(msg_long)
        mov     dx, DEBUGCON
.l:     lodsb
        test    al, al
        jz      .d
        out     dx, al
        jmp     .l
.d:
        ; EFER.LMA must be set now
        mov     ecx, 0xc0000080
        rdmsr
        test    eax, 1 << 10
        jz      .fail
        mov     rax, 0x0123456789abcdef
        mov     rbx, rax
        shl     rax, 4
        shr     rbx, 60
        or      rax, rbx                        ; rotate left by 4 by hand
        mov     rcx, 0x123456789abcdef0
        cmp     rax, rcx
        jne     .fail
        mov     al, 0
        out     DEBUG_EXIT, al
        hlt
.fail:  mov     al, 1
        out     DEBUG_EXIT, al
        hlt

        bits    16
%include "bios-end.inc"
