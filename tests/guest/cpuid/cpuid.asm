; SPDX-License-Identifier: GPL-2.0-or-later
; cpuid.asm - dumps CPUID leaves on the debug console, one line each:
;   "LLLLLLLL.SS EAX EBX ECX EDX" (hex), then "end" and PASS.
; Booted as -bios under hemu and QEMU with the same -cpu by
; tests/guest/test_cpuid.py, which compares the lines with the bits hemu
; leaves out masked.  Leaves beyond the maximum are skipped (their answer
; is the highest basic leaf's on Intel, zero on AMD: not interesting).
; Reference: Intel SDM vol. 2A "CPUID".
%include "bios.inc"

; leaf, subleaf pairs (dword, dword); 0xffffffff ends the list
leaves:
        dd      0, 0,  1, 0,  7, 0,  0xd, 0,  0xd, 1
        dd      0x80000000, 0,  0x80000001, 0,  0x80000002, 0
        dd      0x80000003, 0,  0x80000004, 0,  0x80000005, 0
        dd      0x80000006, 0,  0x80000007, 0,  0x80000008, 0
        dd      0xffffffff
endmsg: db      "end", 10, 0

; print EAX as 8 hex digits
hex32:
        push    ecx
        push    edx
        mov     cx, 8
        call    .n
        pop     edx
        pop     ecx
        ret
.n:                                     ; CX digits from the top of EAX
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
        ret

putc:   out     DEBUGCON, al
        ret

start:
        cli
        mov     ax, cs
        mov     ds, ax
        xor     ax, ax
        mov     ss, ax
        mov     esp, 0x7000
        xor     eax, eax
        cpuid
        mov     ebp, eax                ; highest basic leaf
        mov     eax, 0x80000000
        cpuid
        mov     edi, eax                ; highest extended leaf
        mov     si, leaves
.next:  mov     eax, [si]
        cmp     eax, 0xffffffff
        je      .done
        mov     ecx, [si + 4]
        add     si, 8
        cmp     eax, 0x80000000
        jae     .ext
        cmp     eax, ebp
        ja      .next
        jmp     .go
.ext:   cmp     eax, edi
        ja      .next
.go:    push    eax
        push    ecx
        cpuid
        push    edx
        push    ecx
        push    ebx
        push    eax
        mov     eax, [esp + 20]         ; leaf
        call    hex32
        mov     al, '.'
        call    putc
        mov     eax, [esp + 16]         ; subleaf: two digits
        shl     eax, 24
        mov     cx, 2
        call    hex32.n
        mov     cx, 4
.regs:  mov     al, ' '
        call    putc
        pop     eax
        call    hex32
        loop    .regs
        mov     al, 10
        call    putc
        add     sp, 8
        jmp     .next
.done:  push    si
        PUTS    endmsg
        pop     si
        PASS

%include "bios-end.inc"
