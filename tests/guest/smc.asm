; SPDX-License-Identifier: GPL-2.0-or-later
; smc.asm - self-modifying code: an immediate patched between calls, a
; store into the very next instruction, code patched inside a hot loop,
; code copied by REP MOVSB and run, and code written through another
; linear alias of the same physical page (paging) before it runs.
; SDM vol. 3A 8.1.3 (handling self- and cross-modifying code).
%include "pm.inc"

%define CODE 0x20000            ; code in RAM
%define PD   0x100000

main:
        PUTS    "patched immediate", 10
        mov     byte [CODE], 0xb8               ; mov eax, imm32
        mov     dword [CODE + 1], 0x11111111
        mov     byte [CODE + 5], 0xc3           ; ret
        call    CODE
        SHOW    "first", eax
        ASSERT  eax, 0x11111111
        mov     dword [CODE + 1], 0x22222222
        call    CODE
        SHOW    "second", eax
        ASSERT  eax, 0x22222222

        PUTS    "store into the next instruction", 10
        mov     esi, next_tmpl
        mov     edi, CODE + 0x100
        mov     ecx, next_end - next_tmpl
        rep     movsb
        call    CODE + 0x100
        SHOW    "al", eax
        ASSERT  eax, 0x42

        PUTS    "patched in a loop", 10
        mov     byte [CODE + 0x200], 0x83       ; add eax, imm8
        mov     byte [CODE + 0x201], 0xc0
        mov     byte [CODE + 0x203], 0xc3       ; ret
        xor     eax, eax
        xor     ecx, ecx
.loop:  mov     [CODE + 0x202], cl              ; add eax, ecx
        call    CODE + 0x200
        inc     ecx
        cmp     ecx, 100
        jb      .loop
        SHOW    "sum 0..99", eax
        ASSERT  eax, 4950

        PUTS    "through an alias", 10
        mov     edi, PD
        xor     eax, eax
        mov     ecx, 1024
        rep     stosd
        mov     dword [PD + 0], 0x000000 | 0x83 ; identity 4 MiB
        mov     dword [PD + 4], 0x000000 | 0x83 ; 0x400000 -> 0
        mov     eax, cr4
        or      eax, 1 << 4
        mov     cr4, eax
        mov     eax, PD
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 1 << 31
        mov     cr0, eax
        call    CODE                            ; 0x22222222
        mov     dword [0x400000 + CODE + 1], 0x33333333
        call    CODE
        SHOW    "after the alias write", eax
        ASSERT  eax, 0x33333333
        mov     ecx, 0x44444444
        mov     [0x400000 + CODE + 1], ecx
        call    CODE
        SHOW    "again", eax
        ASSERT  eax, 0x44444444
        PASS

; copied to RAM: the first store rewrites the immediate of the second
next_tmpl:
        mov     byte [CODE + 0x100 + (.mov - next_tmpl) + 1], 0x42
.mov:   mov     al, 0x00
        movzx   eax, al
        ret
next_end:
%include "pm-end.inc"
