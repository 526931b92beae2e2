; SPDX-License-Identifier: GPL-2.0-or-later
; privilege.asm - control transfers between privilege levels in 32-bit
; protected mode: IRET to ring 3 and INT back, far CALL through call gates
; to rings 0 and 1 with the inner stack from the TSS and parameters
; copied, RETF imm to the outer level (data segment registers the outer
; level may not use become null), conforming code segments (CPL stays),
; far JMP through a gate, a 16-bit call gate, and the #GP/#NP checks on
; gates, targets and returns.  SDM vol. 3A 5.8 (5.8.4 gates, 5.8.5 stack switching, 5.8.6
; returns), 6.12 (interrupt to another level), vol. 2 "CALL", "RET".
%include "pm.inc"

%define R scratch               ; results the rings leave for ring 0

main:
        GDT_SET 0x60, 0x0000ffff, 0x00cfb200    ; data DPL 1
        GDT_SET 0x70, 0x0000ffff, 0x00cfba00    ; code32 DPL 1
        GDT_SET 0x78, 0x0000ffff, 0x00cf9e00    ; conforming code DPL 0
        CALLGATE 0x80, 0x08, g_ring0, 3, 2      ; ring 0, two parameters
        CALLGATE 0x88, 0x71, g_ring1, 3, 0      ; ring 1
        CALLGATE 0x90, 0x08, g_ring0, 0, 0      ; DPL 0: not from ring 3
        CALLGATE 0x98, 0x08, g_ring0, 3, 0
        and     byte [GDT + 0x98 + 5], 0x7f     ; ...and absent
        CALLGATE 0xa0, 0x08, jtarget, 0, 0      ; for JMP at ring 0
        CALLGATE 0xa8, 0x08, g_same, 0, 1       ; CALL at ring 0
        mov     dword [TSS0 + 16], 0x61         ; SS1

        PUTS    "iret to ring 3, int back", 10
        TRY
        mov     eax, .u1
        jmp     to_ring3
.u1:    mov     [R + 0], cs
        mov     [R + 2], ss
        mov     [R + 4], esp
        int     0x7f
        CATCH   0x7f, 0
        movzx   eax, word [R + 0]
        SHOW    "cs", eax, 0x1b
        movzx   eax, word [R + 2]
        SHOW    "ss", eax, 0x23
        SHOW    "esp", dword [R + 4], 0x8000

        PUTS    "iret to ring 3 nulls ds (dpl 0), keeps es (dpl 3)", 10
        TRY
        mov     ax, 0x23
        mov     es, ax
        mov     ax, 0x10
        mov     ds, ax
        push    0x23
        push    STACK3
        pushf
        push    0x1b
        push    .u1b
        iret
.u1b:   mov     [es:R + 0x08], ds
        mov     [es:R + 0x0a], es
        int     0x7f
        CATCH   0x7f, 0
        movzx   eax, word [R + 0x08]
        SHOW    "ds in ring 3", eax, 0
        movzx   eax, word [R + 0x0a]
        SHOW    "es in ring 3", eax, 0x23

        PUTS    "call gate to ring 0 with 2 parameters, retf 8", 10
        TRY
        mov     eax, .u2
        jmp     to_ring3
.u2:    mov     ax, 0x23
        mov     fs, ax
        push    0x1111
        push    0x2222
        mov     [R + 0x10], esp
        call    0x83:0x12345678                 ; the offset is ignored
        mov     [es:R + 0x14], esp
        mov     [es:R + 0x18], ds
        mov     [es:R + 0x1a], fs
        mov     [es:R + 0x1c], cs
        int     0x7f
        CATCH   0x7f, 0
        mov     eax, [R + 0x14]
        sub     eax, [R + 0x10]
        SHOW    "esp released", eax, 0x8
        movzx   eax, word [R + 0x18]
        SHOW    "ds after retf", eax, 0x0
        movzx   eax, word [R + 0x1a]
        SHOW    "fs after retf", eax, 0x23
        movzx   eax, word [R + 0x1c]
        SHOW    "cs after retf", eax, 0x1b
        mov     ecx, 0
.frame: mov     eax, [R + 0x20 + ecx * 4]
        cmp     ecx, 4
        jne     .nosp
        sub     eax, [R + 0x10]                 ; the caller's ESP
.nosp:  SHOW    "frame", eax
        inc     ecx
        cmp     ecx, 6
        jb      .frame
        movzx   eax, word [R + 0x38]
        SHOW    "ring 0 cs", eax, 0x8
        movzx   eax, word [R + 0x3a]
        SHOW    "ring 0 ss", eax, 0x10
        mov     eax, KSTACK0
        sub     eax, [R + 0x3c]
        SHOW    "ring 0 frame size", eax, 0x18

        PUTS    "call gate to ring 1", 10
        TRY
        mov     eax, .u3
        jmp     to_ring3
.u3:    call    0x8b:0
        int     0x7f
        CATCH   0x7f, 0
        movzx   eax, word [R + 0x40]
        SHOW    "ring 1 cs", eax, 0x71
        movzx   eax, word [R + 0x42]
        SHOW    "ring 1 ss", eax, 0x61
        SHOW    "ring 1 esp", dword [R + 0x44], 0x87f0

        PUTS    "conforming code keeps CPL 3", 10
        TRY
        mov     eax, .u4
        jmp     to_ring3
.u4:    call    0x78:conf
        int     0x7f
        CATCH   0x7f, 0
        movzx   eax, word [R + 0x48]
        SHOW    "cs in conforming code", eax, 0x7b

        PUTS    "faults", 10
        %macro USER 3
        TRY
        mov     eax, %%user
        jmp     to_ring3
%%user: %1
        int     0x7f
        CATCH   %2, %3
        %endmacro
        USER    {call 0x93:0}, 13, 0x90         ; gate DPL < CPL
        USER    {call 0x9b:0}, 11, 0x98         ; gate absent
        USER    {call 0x08:g_ring0}, 13, 0x08   ; non-conforming DPL 0
        USER    {jmp 0x83:0}, 13, 0x08          ; JMP through a gate inward
        USER    {call 0x13:0}, 13, 0x10         ; data is no code
        USER    {call 0xc3:0}, 13, 0xc0         ; empty descriptor
        TRY
        mov     eax, .u5
        jmp     to_ring3
.u5:    push    0x08                            ; RETF to an inner level
        push    g_ring0
        retf
        CATCH   13, 0x08

        PUTS    "ring 0 gates", 10
        mov     [R + 0x50], esp
        jmp     0xa0:0
jtarget:
        mov     [R + 0x54], esp
        mov     eax, [R + 0x54]
        sub     eax, [R + 0x50]
        SHOW    "jmp gate esp change", eax, 0x0
        push    0x7777
        call    0xa8:0
        SHOW    "same-level gate pushed", dword [R + 0x58], 0xc
        SHOW    "parameter", dword [R + 0x5c], 0x7777

        PUTS    "16-bit call gate", 10
        GDT_SET 0xb0, (0x30 << 16) | (A(g16) - 0xf0000), 0x00008400
        mov     [R + 0x60], esp
        call    0xb0:0                          ; g16 jumps to back16
ret16:
back16: mov     eax, [R + 0x60]
        sub     eax, esp
        SHOW    "bytes pushed", eax, 4
        movzx   eax, word [esp + 2]
        SHOW    "pushed cs", eax, 0x08
        movzx   eax, word [esp]
        SHOW    "pushed ip", eax, A(ret16) & 0xffff
        movzx   eax, word [R + 0x64]
        SHOW    "cs in the 16-bit code", eax, 0x30
        add     esp, 4
        PASS

; 16-bit code (segment 30, base F0000) reached through the 16-bit gate
        bits    16
g16:    mov     [R + 0x64], cs
        jmp     dword 0x08:back16
        bits    32

; ring 0 through gate 0x80: record the frame, load DS with a ring-0
; segment and return with RETF 8 (the outer level gets DS nulled, FS
; keeps its DPL 3 segment)
g_ring0:
        mov     ecx, 0
.c:     mov     eax, [esp + ecx * 4]
        mov     [R + 0x20 + ecx * 4], eax
        inc     ecx
        cmp     ecx, 6
        jb      .c
        mov     [R + 0x38], cs
        mov     [R + 0x3a], ss
        mov     [R + 0x3c], esp
        mov     ax, 0x10
        mov     ds, ax
        retf    8

g_ring1:
        mov     [R + 0x40], cs
        mov     [R + 0x42], ss
        mov     [R + 0x44], esp
        retf

conf:
        mov     [R + 0x48], cs
        retf

g_same:
        mov     eax, esp
        sub     eax, [R + 0x50]
        neg     eax
        mov     [R + 0x58], eax
        mov     eax, [esp + 8]
        mov     [R + 0x5c], eax
        retf    4
%include "pm-end.inc"
