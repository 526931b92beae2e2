; SPDX-License-Identifier: GPL-2.0-or-later
; task.asm - hardware task switching in 32-bit protected mode: JMP to a
; TSS (busy bits move), CALL to a TSS and through a task gate (back link,
; NT, the caller stays busy) with IRET back, an interrupt through a task
; gate in the IDT, a double fault handled by a task gate (the error code
; on the new task's stack), an LDT loaded from the new TSS, CR3 from the
; new TSS, a 16-bit TSS, CR0.TS, and the #GP/#TS checks.  SDM vol. 3A ch. 7 (7.3 task switching,
; 7.4 task linking), 6.15 (#DF).
%include "pm.inc"

%define R    scratch
%define TSSB 0x3000             ; 32-bit, sel 40
%define TSSC 0x3100             ; 32-bit, sel 50 (the #DF task)
%define TSSD 0x3200             ; 16-bit, sel 58
%define TSSE 0x3300             ; limit too small, sel 68
%define LDTB 0x3400             ; task B's LDT, sel 60
%define TSSF 0x3500             ; 32-bit with its own CR3, sel 70
%define PDA  0x100000           ; task A's page directory
%define PDF  0x101000           ; task F's: 0x400000 maps elsewhere

; TSSDESC sel, base, limit, type (9: 32-bit, 1: 16-bit)
%macro TSSDESC 4
        GDT_SET %1, ((%2) << 16) | (%3), (((%2) >> 16) & 0xff) | 0x8000 | ((%4) << 8)
%endmacro

main:
        TSSDESC 0x40, TSSB, 0x67, 9
        GDT_SET 0x48, 0x00400000, 0x00008500    ; task gate -> 40
        TSSDESC 0x50, TSSC, 0x67, 9
        TSSDESC 0x58, TSSD, 0x2b, 1
        GDT_SET 0x60, (LDTB << 16) | 0x0f, 0x00008200   ; LDT, 2 entries
        TSSDESC 0x68, TSSE, 0x60, 9
        mov     dword [LDTB + 8], 0x1000ffff    ; LDT 0c: data, base 0x1000
        mov     dword [LDTB + 12], 0x00cf9200

        mov     edi, TSSB
        mov     eax, taskb
        mov     ecx, 0xb000
        call    mktss
        mov     word [TSSB + 0x60], 0x60        ; LDT
        mov     word [TSSB + 0x58], 0x0c        ; FS from the LDT
        mov     edi, TSSC
        mov     eax, taskc
        mov     ecx, 0xc000
        call    mktss
        mov     edi, TSSE
        mov     eax, taskb
        mov     ecx, 0xb000
        call    mktss
        ; the 16-bit TSS: 16-bit code at F000 (sel 30), flat data
        mov     edi, TSSD
        xor     eax, eax
        mov     ecx, 0x2c / 4
        rep     stosd
        mov     word [TSSD + 0x0e], taskd - 0xf0000     ; IP
        mov     word [TSSD + 0x10], 2                   ; FLAGS
        mov     word [TSSD + 0x1a], 0xd000              ; SP
        mov     word [TSSD + 0x22], 0x10                ; ES
        mov     word [TSSD + 0x24], 0x30                ; CS
        mov     word [TSSD + 0x26], 0x10                ; SS
        mov     word [TSSD + 0x28], 0x10                ; DS

        PUTS    "jmp to a tss", 10
        mov     eax, 0x1234
        jmp     0x40:0
back_a:
        call    show_b
        call    show_busy
        str     ax
        movzx   eax, ax
        SHOW    "tr", eax, 0x28
        sldt    ax
        movzx   eax, ax
        SHOW    "ldtr", eax, 0x0
        smsw    ax
        and     eax, 8
        SHOW    "cr0.ts", eax, 0x8
        clts

        PUTS    "call to a tss, iret back", 10
        call    0x40:0
        call    show_b
        call    show_busy
        pushf
        pop     eax
        and     eax, 0x4000
        SHOW    "nt after iret", eax, 0x0

        PUTS    "call through a task gate", 10
        call    0x48:0
        call    show_b
        call    show_busy

        PUTS    "int through a task gate in the idt", 10
        IDT_SET 0x50, 0x40, 0, 0x85
        int     0x50
        call    show_b
        call    show_busy

        PUTS    "double fault to a task gate", 10
        IDT_SET 8, 0x50, 0, 0x85
        and     byte [IDT + 13 * 8 + 5], 0x7f   ; #GP absent: #NP in #GP
        TRY
        mov     ax, 0x100
        mov     ds, ax                          ; #GP(100)
        CATCH   13, 0x100
        SHOW    "df error code", dword [R + 0x40], 0x0
        movzx   eax, word [R + 0x44]
        SHOW    "df back link", eax, 0x28
        SHOW    "df nt", dword [R + 0x48], 0x4000
        movzx   eax, word [TSS0 + 0x4c]         ; saved CS of task A
        SHOW    "saved cs", eax, 0x8

        PUTS    "16-bit tss", 10
        call    0x58:0
        movzx   eax, word [R + 0x50]
        SHOW    "tr in 16-bit task", eax, 0x58
        movzx   eax, word [R + 0x52]
        SHOW    "back link", eax, 0x28
        movzx   eax, word [R + 0x54]
        and     eax, 0x4000
        SHOW    "nt", eax, 0x4000
        movzx   eax, byte [GDT + 0x58 + 5]
        SHOW    "16-bit tss descriptor", eax, 0x81

        PUTS    "cr3 from the tss", 10
        mov     edi, PDA
        xor     eax, eax
        mov     ecx, 2 * 1024
        rep     stosd
        mov     dword [PDA + 0], 0x000000 | 0x83        ; 4 MiB pages
        mov     dword [PDA + 4], 0x400000 | 0x83
        mov     dword [PDA + 8], 0x800000 | 0x83
        mov     dword [PDF + 0], 0x000000 | 0x83
        mov     dword [PDF + 4], 0x800000 | 0x83        ; 4M -> 8M
        mov     dword [0x400000], 0xaaaa
        mov     dword [0x800000], 0xbbbb
        mov     eax, cr4
        or      eax, 1 << 4                             ; PSE
        mov     cr4, eax
        mov     eax, PDA
        mov     cr3, eax
        mov     [TSS0 + 0x1c], eax              ; not saved by a switch
        mov     eax, cr0
        or      eax, 1 << 31
        mov     cr0, eax
        TSSDESC 0x70, TSSF, 0x67, 9
        mov     edi, TSSF
        mov     eax, taskf
        mov     ecx, 0xb000
        call    mktss
        mov     dword [TSSF + 0x1c], PDF
        call    0x70:0
        SHOW    "task f read 0x400000", dword [R + 0x60], 0xbbbb
        SHOW    "task f cr3", dword [R + 0x64], PDF
        SHOW    "back in a: 0x400000", dword [0x400000], 0xaaaa
        mov     eax, cr3
        SHOW    "back in a: cr3", eax, PDA
        mov     eax, cr0
        and     eax, 0x7fffffff
        mov     cr0, eax

        PUTS    "faults", 10
        TRY
        jmp     0x28:0                          ; the busy current task
        CATCH   13, 0x28
        TRY
        jmp     0x68:0                          ; limit below 0x67
        CATCH   10, 0x68
        TRY
        jmp     0x60:0                          ; an LDT is no task
        CATCH   13, 0x60
        TRY
        mov     eax, .user
        jmp     to_ring3
.user:  call    0x48:0                          ; task gate DPL 0
        int     0x7f
        CATCH   13, 0x48
        PASS

; mktss: a 32-bit TSS at edi for flat ring-0 code at eax, stack ecx
mktss:
        push    edi
        push    eax
        push    ecx
        xor     eax, eax
        mov     ecx, 0x68 / 4
        rep     stosd
        pop     ecx
        pop     eax
        pop     edi
        mov     [edi + 0x20], eax               ; EIP
        mov     dword [edi + 0x24], 2           ; EFLAGS
        mov     [edi + 0x38], ecx               ; ESP
        mov     word [edi + 0x48], 0x10         ; ES
        mov     word [edi + 0x4c], 0x08         ; CS
        mov     word [edi + 0x50], 0x10         ; SS
        mov     word [edi + 0x54], 0x10         ; DS
        mov     word [edi + 0x58], 0x10         ; FS
        mov     word [edi + 0x5c], 0x10         ; GS
        mov     word [edi + 0x66], 0x68
        ret

show_b:                                         ; what task B saw
        movzx   eax, word [R + 0x00]
        SHOW    "task b tr", eax
        SHOW    "task b eflags", dword [R + 0x04]
        movzx   eax, word [R + 0x08]
        SHOW    "task b back link", eax
        movzx   eax, word [R + 0x0a]
        SHOW    "task b ldtr", eax
        SHOW    "task b fs:0", dword [R + 0x0c]
        SHOW    "task b eax", dword [R + 0x10]
        movzx   eax, byte [R + 0x14]
        SHOW    "tss a in task b", eax
        movzx   eax, byte [R + 0x15]
        SHOW    "tss b in task b", eax
        ret

show_busy:                                      ; descriptor type bytes
        movzx   eax, byte [GDT + 0x28 + 5]
        SHOW    "tss a", eax
        movzx   eax, byte [GDT + 0x40 + 5]
        SHOW    "tss b", eax
        ret

; task B: record, then go back the way it came (JMP: jmp to A; nested:
; IRET), and start over on the next entry
taskb:
        mov     [R + 0x10], eax
        mov     al, [GDT + 0x28 + 5]
        mov     [R + 0x14], al
        mov     al, [GDT + 0x40 + 5]
        mov     [R + 0x15], al
        str     ax
        mov     [R + 0x00], ax
        pushf
        pop     eax
        mov     [R + 0x04], eax
        mov     ax, [TSSB]
        mov     [R + 0x08], ax
        sldt    ax
        mov     [R + 0x0a], ax
        mov     eax, [fs:0]                     ; linear 0x1000: the IDT
        mov     [R + 0x0c], eax
        test    dword [R + 0x04], 0x4000
        jnz     .nested
        jmp     0x28:0
        jmp     taskb
.nested:
        iret
        jmp     taskb

; task F: runs on its own page directory
taskf:
        mov     eax, [0x400000]
        mov     [R + 0x60], eax
        mov     eax, cr3
        mov     [R + 0x64], eax
        iret
        jmp     taskf

; task C: the double-fault handler
taskc:
        pop     eax
        mov     [R + 0x40], eax
        mov     ax, [TSSC]
        mov     [R + 0x44], ax
        pushf
        pop     eax
        and     eax, 0x4000
        mov     [R + 0x48], eax
        or      byte [IDT + 13 * 8 + 5], 0x80   ; #GP present again
        iret                                    ; the #GP is raised again
        jmp     taskc

; task D: 16-bit code in a 16-bit TSS
        bits    16
taskd:
        str     ax
        mov     [R + 0x50], ax
        mov     ax, [TSSD]
        mov     [R + 0x52], ax
        pushf
        pop     ax
        mov     [R + 0x54], ax
        iret
        jmp     taskd
        bits    32
%include "pm-end.inc"
