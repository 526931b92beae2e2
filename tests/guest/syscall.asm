; SPDX-License-Identifier: GPL-2.0-or-later
; syscall.asm - the fast system calls: SYSENTER/SYSEXIT in 32-bit
; protected mode (flat CS/SS from IA32_SYSENTER_CS and the selectors
; after it, ESP/EIP from the MSRs, SYSEXIT to ECX:EDX at CPL 3) and
; SYSCALL/SYSRET in long mode (RCX and R11 keep RIP and RFLAGS, SFMASK,
; SYSRET to 64-bit and to compatibility mode), with their #GP/#UD cases.
; SDM vol. 2 "SYSENTER", "SYSEXIT", "SYSCALL", "SYSRET"; vol. 3A 5.8.7-8.
%include "pm.inc"
%include "lm.inc"

%define R scratch

%macro WRMSR 3                          ; msr, high, low
        mov     ecx, %1
        mov     edx, %2
        mov     eax, %3
        wrmsr
%endmacro

main:
        PUTS    "sysenter/sysexit", 10
        WRMSR   0x174, 0, 0x08
        WRMSR   0x175, 0, KSTACK0 - 0x100
        WRMSR   0x176, 0, sys_entry
        TRY
        mov     eax, .user
        jmp     to_ring3
.user:  mov     ecx, esp
        sub     ecx, 0x20
        mov     edx, .back
        sysenter
.back:  mov     [R + 0x10], cs
        mov     [R + 0x12], ss
        mov     [R + 0x14], esp
        int     0x7f
        CATCH   0x7f, 0
        movzx   eax, word [R + 0]
        SHOW    "kernel cs", eax
        movzx   eax, word [R + 2]
        SHOW    "kernel ss", eax
        SHOW    "kernel esp", dword [R + 4], 0x9f00
        mov     eax, [R + 8]
        and     eax, 0x20200
        SHOW    "kernel eflags vm/if", eax, 0x0
        movzx   eax, word [R + 0x10]
        SHOW    "user cs", eax
        movzx   eax, word [R + 0x12]
        SHOW    "user ss", eax
        mov     eax, STACK3
        sub     eax, [R + 0x14]
        SHOW    "user esp below top", eax, 0x20
        TRY
        mov     eax, .user2
        jmp     to_ring3
.user2: sysexit                                 ; CPL 3
        CATCH   13, 0
        WRMSR   0x174, 0, 0
        TRY
        sysenter                                ; SYSENTER_CS null
        CATCH   13, 0

        call    enter_long
        bits    64
        PUTS    "syscall/sysret", 10
        TRY
        syscall                                 ; EFER.SCE clear
        CATCH   6, 0
        mov     ecx, 0xc0000080
        rdmsr
        or      eax, 1                          ; SCE
        wrmsr
        WRMSR   0xc0000081, 0x00500040, 0       ; STAR
        mov     eax, syscall_entry
        WRMSR   0xc0000082, 0, eax              ; LSTAR
        WRMSR   0xc0000084, 0, 0x600            ; SFMASK: IF, DF
        TRY
        mov     eax, .u64
        jmp     to_ring3_64
.u64:   xor     ebx, ebx
        std
        mov     r11, 0x1234
        syscall
.sret:  mov     [R + 0x30], cs
        mov     [R + 0x32], ss
        pushfq
        pop     rax
        mov     [R + 0x34], eax
        int     0x7f
        CATCH   0x7f, 0
        mov     eax, [R + 0x20]
        sub     eax, .sret
        SHOW    "rcx - return address", eax, 0x0
        mov     eax, [R + 0x24]
        and     eax, 0x600
        SHOW    "r11 df/if", eax, 0x400
        movzx   eax, word [R + 0x28]
        SHOW    "kernel cs", eax
        movzx   eax, word [R + 0x2a]
        SHOW    "kernel ss", eax
        mov     eax, [R + 0x2c]
        and     eax, 0x600
        SHOW    "kernel rflags df/if", eax, 0x0
        movzx   eax, word [R + 0x30]
        SHOW    "user cs", eax
        movzx   eax, word [R + 0x32]
        SHOW    "user ss", eax
        mov     eax, [R + 0x34]
        and     eax, 0x600
        SHOW    "user rflags df/if", eax, 0x400
        PUTS    "sysret to compatibility mode", 10
        mov     dword [R + 0x40], 0
        TRY
        mov     eax, .u32
        jmp     to_ring3_64
.u32:   mov     ebx, 1                          ; "return to compat"
        syscall
        CATCH   0x7f, 0
        movzx   eax, word [R + 0x40]
        SHOW    "compat cs", eax, 0x53
        movzx   eax, word [R + 0x42]
        SHOW    "compat ss", eax, 0x5b
        TRY
        mov     eax, .u3
        jmp     to_ring3_64
.u3:    o64 sysret                              ; CPL 3
        CATCH   13, 0
        PASS

syscall_entry:                                  ; CPL 0, user stack
        mov     [R + 0x20], ecx
        mov     [R + 0x24], r11d
        mov     [R + 0x28], cs
        mov     [R + 0x2a], ss
        pushfq
        pop     rax
        mov     [R + 0x2c], eax
        cmp     ebx, 1
        je      .c
        o64 sysret
.c:     mov     ecx, compat
        mov     r11d, 0x202
        sysret

        bits    32
compat:                                         ; 32-bit code at CPL 3
        mov     ax, 0x5b                        ; DS was nulled on the
        mov     ds, ax                          ; way to CPL 3
        mov     [R + 0x40], cs
        mov     [R + 0x42], ss
        int     0x7f

sys_entry:                                      ; from SYSENTER
        mov     [R + 0], cs
        mov     [R + 2], ss
        mov     [R + 4], esp
        pushf
        pop     eax
        mov     [R + 8], eax
        sysexit
%include "pm-end.inc"
