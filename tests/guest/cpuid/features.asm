; SPDX-License-Identifier: GPL-2.0-or-later
; features.asm - runs one instruction or MSR access per optional feature
; in real mode and prints what happened: the result, or the exception
; (#UD, #GP) it raised.  Booted under hemu and QEMU with the same -cpu by
; tests/guest/test_cpuid.py: a model without a feature must refuse its
; instructions as QEMU (and the SDM) do, and the MSRs must read the same.
; Reference: Intel SDM vol. 2 "CPUID Feature Flag" of each instruction;
; vol. 4 for the MSRs.
%include "bios.inc"

%define FLAG 0x500              ; vector of the last exception, 0xff none
%define SKIP 0x501              ; length of the instruction under test

; TRY name, length, bytes...: run the bytes, skipping them on a fault
%macro TRY 2-*
        mov     byte [FLAG], 0xff
        mov     byte [SKIP], %2
        jmp     %%go
%%name: db      %1, ": ", 0
%%go:   PUTS    %%name
  %rep %0 - 2
    %rotate 1
        db      %2
  %endrep
        call    report
%endmacro

; print EAX as 8 hex digits
hex32:
        push    eax
        push    cx
        mov     cx, 8
.l:     rol     eax, 4
        push    eax
        and     al, 0xf
        add     al, '0'
        cmp     al, '9'
        jbe     .d
        add     al, 'a' - '9' - 1
.d:     out     DEBUGCON, al
        pop     eax
        loop    .l
        pop     cx
        pop     eax
        ret

; after a TRY: "#UD", "#GP" or EDX:EAX
report:
        push    eax
        mov     al, [FLAG]
        cmp     al, 0xff
        je      .val
        cmp     al, 6
        jne     .gp
        PUTS    ud
        jmp     .out
.gp:    PUTS    gp
        jmp     .out
.val:   mov     eax, edx
        call    hex32
        mov     al, ':'
        out     DEBUGCON, al
        pop     eax
        push    eax
        call    hex32
.out:   mov     al, 10
        out     DEBUGCON, al
        pop     eax
        ret
ud:     db      "#UD", 0
gp:     db      "#GP", 0

; exception handlers: note the vector, return past the instruction
exc_ud: push    ax
        mov     al, 6
        jmp     exc
exc_gp: push    ax
        mov     al, 13
exc:    push    bp
        mov     bp, sp
        mov     [FLAG], al
        movzx   ax, byte [SKIP]
        add     [bp + 4], ax            ; the return IP
        pop     bp
        pop     ax
        iret

start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     word [6 * 4], exc_ud
        mov     word [6 * 4 + 2], 0xf000
        mov     word [13 * 4], exc_gp
        mov     word [13 * 4 + 2], 0xf000
        mov     dword [0x600], 0x11223344
        mov     eax, 1
        cpuid
        bt      edx, 24                 ; FXSR: CR4.OSFXSR exists
        jnc     .nofx
        mov     eax, cr4
        or      eax, 0x600              ; OSFXSR, OSXMMEXCPT
        mov     cr4, eax
.nofx:

        mov     ebx, 0xf0f0
        xor     edx, edx
        TRY     "popcnt", 4, 0xf3, 0x0f, 0xb8, 0xc3
        mov     ebx, 0x10000
        TRY     "lzcnt", 4, 0xf3, 0x0f, 0xbd, 0xc3
        ; movbe eax, [0x600]; xor eax, eax (QEMU gets the operand size
        ; wrong in 16-bit code: only whether it runs is compared)
        TRY     "movbe", 10, 0x66, 0x0f, 0x38, 0xf0, 0x06, 0x00, 0x06, 0x66, 0x31, 0xc0
        mov     eax, 0xffffffff
        mov     bl, 0x5a
        TRY     "crc32", 5, 0xf2, 0x0f, 0x38, 0xf0, 0xc3
        mov     eax, 0x12345678
        TRY     "movd+pshufb", 9, 0x66, 0x0f, 0x6e, 0xc0, 0x66, 0x0f, 0x38, 0x00, 0xc1
        TRY     "pextrd", 6, 0x66, 0x0f, 0x3a, 0x16, 0xc0, 0x00
        TRY     "haddps", 4, 0xf2, 0x0f, 0x7c, 0xc1
        TRY     "sysenter-real", 2, 0x0f, 0x34   ; #GP in real mode, #UD w/o SEP
        mov     ecx, 0xc0000103         ; TSC_AUX
        xor     eax, eax
        xor     edx, edx
        TRY     "tsc_aux", 2, 0x0f, 0x30
        ; rdtscp; mov eax, ecx; xor edx, edx
        TRY     "rdtscp", 9, 0x0f, 0x01, 0xf9, 0x66, 0x89, 0xc8, 0x66, 0x31, 0xd2
        ; QEMU hangs on the #GP of a CR4 bit it lacks in real mode: only
        ; where CPUID has XSAVE
        mov     eax, 1
        cpuid
        xor     edx, edx
        bt      ecx, 26
        jnc     .noxsave
        mov     eax, cr4
        or      eax, 1 << 18            ; OSXSAVE
        TRY     "cr4.osxsave", 3, 0x0f, 0x22, 0xe0
        mov     eax, 1
        cpuid
        mov     eax, ecx
        xor     edx, edx
        shr     eax, 27                 ; OSXSAVE reflects CR4
        and     eax, 1
        TRY     "cpuid.osxsave", 0
        xor     ecx, ecx
        TRY     "xgetbv", 3, 0x0f, 0x01, 0xd0
        mov     eax, 3
        xor     edx, edx
        TRY     "xsetbv", 3, 0x0f, 0x01, 0xd1
.noxsave:
        mov     ecx, 0xc0000080
        mov     eax, 0x801              ; SCE, NXE
        xor     edx, edx
        TRY     "efer.nxe", 2, 0x0f, 0x30
        mov     ecx, 0xfe
        TRY     "mtrrcap", 2, 0x0f, 0x32
        mov     ecx, 0x179
        TRY     "mcg_cap", 2, 0x0f, 0x32
        mov     ecx, 0x1a0
        TRY     "misc_enable", 2, 0x0f, 0x32
        mov     ecx, 0x277
        TRY     "pat", 2, 0x0f, 0x32
        mov     ecx, 0x2ff
        TRY     "mtrr_deftype", 2, 0x0f, 0x32
        PASS

%include "bios-end.inc"
