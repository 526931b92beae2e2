; SPDX-License-Identifier: GPL-2.0-or-later
; v86.asm - virtual-8086 mode: entering it by IRET from ring 0, real-mode
; addressing inside it, INT n to a ring-0 handler (the frame holds GS, FS,
; DS, ES, SS, ESP, EFLAGS with VM, CS, EIP; the data segment registers
; are null in the handler) and IRET back, the IOPL-sensitive instructions
; (CLI, STI, PUSHF, POPF, INT n, IRET: #GP(0) below IOPL 3), a PIT
; interrupt taken in V86 mode, the TSS I/O bitmap (which governs IN/OUT
; in V86 mode whatever the IOPL) and exceptions raised in V86 mode.  No
; VME.
; SDM vol. 3A 20.2 (V86 mode), 20.3 (interrupts and exceptions), vol. 1
; 19.5 (I/O permission bitmap).
%include "pm.inc"

%define R scratch

; V86 iopl, insn, insn, vec, err: run two instructions in V86 mode with
; IOPL iopl (then UD2 to leave at IOPL < 3, INT 7F at IOPL 3) and check
; the exception that ends it
%macro V86 5
        TRY
        push    dword 0                 ; GS
        push    dword 0                 ; FS
        push    dword 0                 ; DS
        push    dword 0                 ; ES
        push    dword 0                 ; SS
        push    dword 0x7000            ; ESP
        push    dword 0x20002 | ((%1) << 12)
        push    dword 0xf000            ; CS
        push    dword %%code - 0xf0000  ; EIP
        iret
        bits    16
%%code: %2
        %3
%if %1 == 3
        int     0x7f
%else
        ud2
%endif
        bits    32
        CATCH   %4, %5
%endmacro

main:
        IDT_SET 0x60, 0x08, v86_int, 0xee       ; DPL 3 interrupt gate
        IDT_SET 0x61, 0x08, v86_int, 0x8e       ; DPL 0
        and     byte [TSS0 + 0x68 + 0xe9 / 8], ~(1 << (0xe9 & 7))
        mov     dword [0x1040], 0xcafe

        PUTS    "v86 at iopl 3", 10
        TRY
        push    dword 0x2000            ; GS
        push    dword 0x3000            ; FS
        push    dword 0                 ; DS
        push    dword 0x4000            ; ES
        push    dword 0                 ; SS
        push    dword 0x7000            ; ESP
        push    dword 0x23002           ; VM, IOPL 3
        push    dword 0xf000            ; CS
        push    dword v1 - 0xf0000      ; EIP
        iret
        bits    16
v1:     mov     ax, cs
        mov     [R + 0], ax
        mov     ax, ss
        mov     [R + 2], ax
        mov     ax, gs
        mov     [R + 4], ax
        mov     [R + 6], sp
        mov     dx, 0xe9                ; allowed by the bitmap
        mov     al, 'v'
        out     dx, al
        mov     al, 10
        out     dx, al
        cli
        sti
        pushf
        pop     ax
        mov     [R + 8], ax
        push    ax
        popf
        pushf                           ; an IRET inside V86 mode
        push    cs
        push    .after - 0xf0000
        iret
.after: mov     ax, 0x100
        mov     ds, ax
        mov     ax, [0x40]              ; linear 0x1040
        mov     bx, 0
        mov     ds, bx
        mov     [R + 10], ax
        mov     ax, 0x100
        mov     ds, ax
        mov     eax, 0x11111111
        int     0x60                    ; to ring 0 and back
        xor     bx, bx
        mov     ds, bx
        mov     [R + 12], eax
        mov     [R + 16], ss
        mov     [R + 18], sp
        int     0x7f
        bits    32
        CATCH   0x7f, 0
        movzx   eax, word [R + 0]
        SHOW    "cs", eax, 0xf000
        movzx   eax, word [R + 2]
        SHOW    "ss", eax, 0x0
        movzx   eax, word [R + 4]
        SHOW    "gs", eax, 0x2000
        movzx   eax, word [R + 6]
        SHOW    "sp", eax, 0x7000
        movzx   eax, word [R + 8]
        and     eax, 0x3200
        SHOW    "pushf (iopl, if)", eax, 0x3200
        movzx   eax, word [R + 10]
        SHOW    "ds:40 with ds=100", eax, 0xcafe
        SHOW    "eax from the handler", dword [R + 12], 0x22222222
        movzx   eax, word [R + 18]
        SHOW    "sp after int/iret", eax, 0x7000
        PUTS    "ring-0 frame:", 10
        mov     ecx, 0
.frame: mov     eax, [R + 0x20 + ecx * 4]
        cmp     ecx, 2
        jne     .nofl
        and     eax, 0x27300            ; VM, IOPL, IF, TF
.nofl:  SHOW    " ", eax
        inc     ecx
        cmp     ecx, 9
        jb      .frame
        PUTS    "handler ds, es, fs, gs, cs, ss:", 10
        mov     ecx, 0
.segs:  movzx   eax, word [R + 0x50 + ecx * 2]
        SHOW    " ", eax
        inc     ecx
        cmp     ecx, 6
        jb      .segs
        SHOW    "handler esp below esp0", dword [R + 0x60], 0x28

        PUTS    "external interrupt in v86 mode", 10
        ; PIC at 20h with IRQ0 only, through the local APIC's LINT0
        mov     dword [0xfee000f0], 0x1ff
        mov     dword [0xfee00350], 0x700
        mov     al, 0x11
        out     0x20, al
        mov     al, 0x20
        out     0x21, al
        mov     al, 4
        out     0x21, al
        mov     al, 1
        out     0x21, al
        mov     al, 0xfe
        out     0x21, al
        IDT_SET 0x20, 0x08, irq0, 0x8e
        mov     al, 0x30                        ; PIT ch 0, one shot
        out     0x43, al
        mov     al, 100
        out     0x40, al
        mov     al, 0
        out     0x40, al
        mov     dword [R + 0x70], 0
        TRY
        push    dword 0                 ; GS
        push    dword 0                 ; FS
        push    dword 0                 ; DS
        push    dword 0                 ; ES
        push    dword 0                 ; SS
        push    dword 0x7000            ; ESP
        push    dword 0x23202           ; VM, IOPL 3, IF
        push    dword 0xf000            ; CS
        push    dword .wait - 0xf0000   ; EIP
        iret
        bits    16
.wait:  cmp     word [R + 0x70], 0
        je      .wait
        int     0x7f
        bits    32
        CATCH   0x7f, 0
        SHOW    "irq handler saw cs", dword [R + 0x74], 0xf000
        mov     eax, [R + 0x78]
        and     eax, 0x20200
        SHOW    "irq handler saw eflags vm/if", eax, 0x20200
        movzx   eax, word [R + 0x7c]
        SHOW    "irq handler ds", eax, 0

        PUTS    "iopl 0", 10
        V86     0, cli, nop, 13, 0
        V86     0, sti, nop, 13, 0
        V86     0, pushf, nop, 13, 0
        V86     0, popf, nop, 13, 0
        V86     0, {int 0x60}, nop, 13, 0
        V86     0, iret, nop, 13, 0
        V86     0, {mov dx, 0xe9}, {in al, dx}, 6, 0    ; bitmap allows
        V86     0, {mov dx, 0xea}, {out dx, al}, 13, 0  ; bitmap denies
        V86     0, {mov dx, 0xe9}, {out dx, ax}, 13, 0  ; E9 and EA
        PUTS    "iopl 3", 10
        V86     3, {mov dx, 0xea}, {out dx, al}, 13, 0  ; IOPL does not help
        V86     3, {int 0x61}, nop, 13, 0x61 * 8 + 2    ; gate DPL 0
        V86     3, {mov eax, cr0}, nop, 13, 0
        V86     3, hlt, nop, 13, 0
        V86     3, {lgdt [0]}, nop, 13, 0
        V86     3, ud2, nop, 6, 0
        V86     3, {xor bx, bx}, {div bl}, 0, 0
        V86     3, {sldt ax}, nop, 6, 0                 ; #UD in V86 mode
        PASS

; IRQ 0 from V86 mode: note the interrupted CS and EFLAGS
irq0:
        mov     [ss:R + 0x7c], ds
        push    eax
        mov     eax, [esp + 8]
        mov     [ss:R + 0x74], eax
        mov     eax, [esp + 12]
        mov     [ss:R + 0x78], eax
        mov     dword [ss:R + 0x70], 1
        mov     al, 0x20
        out     0x20, al
        pop     eax
        iret

; INT 60 from V86 mode: record the frame and the segment registers, hand
; back a value in EAX
v86_int:
        mov     [ss:R + 0x50], ds
        mov     [ss:R + 0x52], es
        mov     [ss:R + 0x54], fs
        mov     [ss:R + 0x56], gs
        mov     [ss:R + 0x58], cs
        mov     [ss:R + 0x5a], ss
        push    ds
        push    0x10
        pop     ds
        mov     eax, KSTACK0
        sub     eax, esp
        mov     [R + 0x60], eax
        mov     ecx, 0
.c:     mov     eax, [esp + 4 + ecx * 4]
        mov     [R + 0x20 + ecx * 4], eax
        inc     ecx
        cmp     ecx, 9
        jb      .c
        pop     ds
        mov     eax, 0x22222222
        iret
%include "pm-end.inc"
