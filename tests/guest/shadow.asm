; SPDX-License-Identifier: GPL-2.0-or-later
; shadow.asm - the interrupt shadow: with a PIT interrupt pending at the
; PIC, STI lets exactly one more instruction run before the interrupt
; (also STI; HLT), and a single-step trap (TF) is held off by MOV SS and
; POP SS until after the next instruction.  SDM vol. 2 "STI", "MOV"
; (loading SS), vol. 3A 6.8.3 (masking exceptions and interrupts when
; switching stacks), 17.3.1.4 (single-step).
%include "pm.inc"

%define R scratch

main:
        IDT_SET 0x20, 0x08, irq0, 0x8e
        ; PICs: master at 20h, slave at 28h, only IRQ0 unmasked
        mov     al, 0x11
        out     0x20, al
        out     0xa0, al
        mov     al, 0x20
        out     0x21, al
        mov     al, 0x28
        out     0xa1, al
        mov     al, 4
        out     0x21, al
        mov     al, 2
        out     0xa1, al
        mov     al, 1
        out     0x21, al
        out     0xa1, al
        mov     al, 0xff
        out     0xa1, al
        mov     al, 0xfe
        out     0x21, al

        ; the local APIC passes the PIC's INTR on LINT0 as ExtINT (what
        ; firmware sets up: LINT0 is masked at reset)
        mov     dword [0xfee000f0], 0x1ff       ; SVR: enabled
        mov     dword [0xfee00350], 0x700       ; LINT0: ExtINT

        PUTS    "sti with an interrupt pending", 10
        call    pit_pending
        xor     ecx, ecx
        sti
.s1:    inc     ecx
.s2:    inc     ecx
        cli
        mov     eax, [R]
        sub     eax, .s1
        SHOW    "interrupted after sti + ", eax, 0x1
        ASSERT  dword [R], .s2
        SHOW    "ecx in the handler", dword [R + 4], 0x1

        PUTS    "sti; hlt", 10
        call    pit_pending
        sti
        hlt
.h:     cli
        mov     eax, [R]
        sub     eax, .h
        SHOW    "return address - after hlt", eax, 0x0

        PUTS    "single step over mov ss", 10
        IDT_SET 1, 0x08, db_handler, 0x8e
        mov     dword [R + 8], 0
        mov     ax, ss
        pushf
        or      dword [esp], 0x100
        popf
        mov     ss, ax                          ; TF: no trap here...
.m1:    mov     ecx, 1                          ; ...but after this one
.m2:    nop
.m3:    nop
        pushf
        and     dword [esp], ~0x100
        popf
        mov     eax, [R + 8]
        SHOW    "traps", eax, 0x6
        mov     eax, [R + 12]
        sub     eax, .m1
        SHOW    "first trap after mov ss + ", eax, 0x5
        mov     eax, [R + 16]
        sub     eax, .m1
        SHOW    "second trap after mov ss + ", eax, 0x6

        PUTS    "single step over pop ss", 10
        mov     dword [R + 8], 0
        push    ss
        pushf
        or      dword [esp], 0x100
        popf
        pop     ss
.p1:    nop
        nop
        pushf
        and     dword [esp], ~0x100
        popf
        mov     eax, [R + 12]
        sub     eax, .p1
        SHOW    "first trap after pop ss + ", eax, 0x1
        PASS

; pit_pending: PIT channel 0 one-shot (mode 0), wait with IF clear until
; the PIC has IRQ0 pending
pit_pending:
        mov     dword [R], 0
        mov     al, 0x30                        ; ch 0, lo/hi, mode 0
        out     0x43, al
        mov     al, 100
        out     0x40, al
        mov     al, 0
        out     0x40, al
.w:     mov     al, 0x0a                        ; OCW3: read IRR
        out     0x20, al
        in      al, 0x20
        test    al, 1
        jz      .w
        ret

irq0:
        push    eax
        mov     eax, [esp + 4]
        mov     [R], eax
        mov     [R + 4], ecx
        mov     al, 0x20                        ; EOI
        out     0x20, al
        pop     eax
        iret

; #DB: count, record the first two return addresses
db_handler:
        push    eax
        push    ebx
        mov     ebx, [R + 8]
        mov     eax, [esp + 8]
        cmp     ebx, 2
        jae     .x
        mov     [R + 12 + ebx * 4], eax
.x:     inc     dword [R + 8]
        pop     ebx
        pop     eax
        iret
%include "pm-end.inc"
