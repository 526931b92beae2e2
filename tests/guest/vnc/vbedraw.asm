; SPDX-License-Identifier: GPL-2.0-or-later
; vbedraw.asm - a -bios guest for the VNC benchmark (assemble with nasm
; -I tests/guest/): sets the Bochs VBE mode 640x480x32 through the DISPI
; ports (0x1ce index, 0x1cf data) and redraws the whole screen forever
; through the 64 KiB banked window at 0xa0000 with a pattern that changes
; every frame (colour runs of 8 pixels whose colour steps by 0x010203),
; so each full-screen update has new content that compresses as a
; desktop's would, not incompressible noise.
%include "bios.inc"

%macro DISPI 2
        mov     dx, 0x1ce
        mov     ax, %1
        out     dx, ax
        mov     dx, 0x1cf
        mov     ax, %2
        out     dx, ax
%endmacro

start:
        cli
        xor     ax, ax
        mov     ss, ax
        mov     sp, 0x7000
        ; The card at 00:02.0 decodes the legacy window only with memory
        ; and I/O enabled in its PCI command register (no BIOS did it).
        mov     dx, 0xcf8
        mov     eax, 0x80001004
        out     dx, eax
        mov     dx, 0xcfc
        mov     ax, 0x0003
        out     dx, ax
        DISPI   4, 0                    ; disable while setting the mode
        DISPI   1, 640
        DISPI   2, 480
        DISPI   3, 32
        DISPI   4, 0x01                 ; enable, banked
        ; the VGA side as a VBE BIOS leaves it: all planes writable,
        ; chain 4, graphics with the 64 KiB window at 0xa0000
        mov     dx, 0x3c4
        mov     ax, 0x0f02
        out     dx, ax
        mov     ax, 0x0e04
        out     dx, ax
        mov     dx, 0x3ce
        mov     ax, 0x0506
        out     dx, ax
        ; the attribute controller's palette address source bit: with it
        ; clear the card shows no picture (QEMU blanks the screen)
        mov     dx, 0x3da
        in      al, dx
        mov     dx, 0x3c0
        mov     al, 0x20
        out     dx, al
        xor     ebp, ebp                ; frame counter
.frame: xor     si, si                  ; bank
.bank:  DISPI   5, si
        mov     ax, 0xa000
        mov     es, ax
        xor     di, di
        mov     cx, 0x4000              ; 16384 dwords = 64 KiB
        movzx   eax, si
        shl     eax, 16
        add     eax, ebp
.px:    mov     [es:di], eax
        add     di, 4
        test    di, 0x1f                ; runs of 8 equal pixels
        jnz     .same
        add     eax, 0x00010203
.same:  loop    .px
        inc     si
        cmp     si, 19                  ; 640*480*4 / 64 KiB, rounded up
        jb      .bank
        add     ebp, 0x00050301
        jmp     .frame

%include "bios-end.inc"
