; SPDX-License-Identifier: GPL-2.0-or-later
; smcdma.asm - self-modifying code and code loaded by DMA, in real mode: code
; copied to RAM rewrites an instruction later in its own straight-line run,
; code on another page is rewritten between two calls, and fw_cfg DMA
; (the "QEMU" signature, which is also push cx / inc bp / dec bp / push bp)
; overwrites code that already ran.  Each new version must run, not a
; stale decoded copy.  SDM vol. 3A 8.1.3 (self- and cross-modifying code);
; QEMU's docs/specs/fw_cfg.rst (DMA interface).
%include "bios.inc"

msg_same: db    "same block", 10, 0
msg_page: db    "other page", 10, 0
msg_dma:  db    "dma", 10, 0

; mov byte [0x3006], 0x42 ; mov al, 1 ; retf
code_same: db   0xc6, 0x06, 0x06, 0x30, 0x42, 0xb0, 0x01, 0xcb
; mov ax, 1 ; retf
code_page: db   0xb8, 0x01, 0x00, 0xcb
; nop x4 ; mov ax, sp ; mov sp, [0x6000] ; sub sp, 4 ; retf
code_dma:  db   0x90, 0x90, 0x90, 0x90, 0x89, 0xe0, 0x8b, 0x26, 0x00, 0x60
           db   0x83, 0xec, 0x04, 0xcb

; copy %3 bytes from cs:%1 to 0:%2
%macro COPY 3
        mov     si, %1
        mov     di, %2
        mov     cx, %3
        cs rep movsb
%endmacro

start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 0x7000
        cld

        ; 1. an instruction rewrites the next one, decoded with it
        COPY    code_same, 0x3000, 8
        call    0:0x3000
        cmp     al, 0x42
        jne     fail
        mov     byte [0x3006], 1        ; put it back from here
        mov     al, 0
        call    0:0x3000
        cmp     al, 0x42
        jne     fail
        PUTS    msg_same

        ; 2. code on another page rewritten between two calls
        COPY    code_page, 0x4000, 4
        call    0:0x4000
        cmp     ax, 1
        jne     fail
        mov     word [0x4001], 2
        call    0:0x4000
        cmp     ax, 2
        jne     fail
        PUTS    msg_page

        ; 3. fw_cfg DMA over code that already ran
        COPY    code_dma, 0x5000, 14
        mov     [0x6000], sp
        call    0:0x5000
        mov     bx, sp
        sub     bx, 4
        cmp     ax, bx                  ; nops: nothing pushed
        jne     fail
        mov     dword [0x2000], 0x0a000000  ; select key 0, read (BE)
        mov     dword [0x2004], 0x04000000  ; 4 bytes
        mov     dword [0x2008], 0
        mov     dword [0x200c], 0x00500000  ; to 0x5000
        mov     dx, 0x514
        xor     eax, eax
        out     dx, eax
        mov     dx, 0x518
        mov     eax, 0x00200000             ; descriptor at 0x2000 (BE)
        out     dx, eax
        cmp     dword [0x2000], 0           ; done, no error
        jne     fail
        cmp     dword [0x5000], 0x554d4551  ; "QEMU"
        jne     fail
        mov     [0x6000], sp
        call    0:0x5000
        mov     bx, sp
        sub     bx, 8                       ; push cx, push bp ran
        cmp     ax, bx
        jne     fail
        PUTS    msg_dma
        PASS
fail:
        FAIL

%include "bios-end.inc"
