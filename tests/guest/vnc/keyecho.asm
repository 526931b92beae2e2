; SPDX-License-Identifier: GPL-2.0-or-later
; keyecho.asm - a -bios guest for the VNC keyboard tests (not one of the
; self-checking programs of tests/guest: it never exits; assemble with
; nasm -I tests/guest/).  It programs the 8259 (IRQ 1 only, vectors 8-15),
; enables the i8042's keyboard with scan code translation and IRQ 1, then
; sleeps in HLT and prints every byte the keyboard interrupt delivers as
; two hex digits and a space on the debug console.  References: IBM PS/2
; Technical Reference (8042 command 0x60, keyboard command 0xf4), Intel
; 8259A datasheet (ICW1-ICW4, OCW1, non-specific EOI).
%include "bios.inc"

ready:  db      "KEYECHO READY", 10, 0
hex:    db      "0123456789ABCDEF"

start:
        cli
        mov     ax, cs
        mov     ds, ax
        xor     ax, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     es, ax
        mov     word [es:9 * 4], irq1
        mov     word [es:9 * 4 + 2], 0xf000
        mov     al, 0x11                ; ICW1: edge, cascade, ICW4
        out     0x20, al
        mov     al, 0x08                ; ICW2: vectors 8-15
        out     0x21, al
        mov     al, 0x04                ; ICW3: slave on IR2
        out     0x21, al
        mov     al, 0x01                ; ICW4: 8086 mode
        out     0x21, al
        mov     al, 0xfd                ; OCW1: only IRQ 1
        out     0x21, al
        call    wait_in
        mov     al, 0x60                ; write command byte
        out     0x64, al
        call    wait_in
        mov     al, 0x45                ; translate, system flag, IRQ 1
        out     0x60, al
        call    wait_in
        mov     al, 0xf4                ; keyboard: enable scanning
        out     0x60, al
        PUTS    ready
        sti
.idle:  hlt
        jmp     .idle

irq1:
        push    ax
        push    bx
        push    cx
        in      al, 0x60
        mov     cl, al
        mov     bl, al
        shr     bl, 4
        xor     bh, bh
        mov     al, [cs:hex + bx]
        out     DEBUGCON, al
        mov     bl, cl
        and     bl, 0x0f
        mov     al, [cs:hex + bx]
        out     DEBUGCON, al
        mov     al, ' '
        out     DEBUGCON, al
        mov     al, 0x20                ; EOI
        out     0x20, al
        pop     cx
        pop     bx
        pop     ax
        iret

; until the controller's input buffer is empty
wait_in:
        in      al, 0x64
        test    al, 2
        jnz     wait_in
        ret

%include "bios-end.inc"
