; SPDX-License-Identifier: GPL-2.0-or-later
; pae.asm - PAE paging in 32-bit protected mode: 4 KiB and 2 MiB pages,
; execute-disable (EFER.NXE: an instruction fetch from an NX page is a
; #PF with I/D set), CR0.WP on a 2 MiB page, accessed/dirty bits,
; reserved bits in a PTE (above MAXPHYADDR; bit 63 while NXE is clear).
; SDM vol. 3A 4.4 (PAE paging), 4.6 (access rights, execute-disable),
; 4.7 (page-fault error code).
%include "pm.inc"

%define PDPT 0x103000
%define PD0  0x104000
%define PT0  0x105000           ; 0-2 MiB in 4 KiB pages
%define PT6  0x106000           ; 0xC00000-0xDFFFFF: the test pages
%define TV   0xc00000
%define PF   14

; PTE6 index, low, high: set a test PTE and flush it
%macro PTE6 3
        mov     dword [PT6 + (%1) * 8], %2
        mov     dword [PT6 + (%1) * 8 + 4], %3
        invlpg  [TV + (%1) * 0x1000]
%endmacro

%macro PFCHECK 2
        ASSERT  dword [last_vec], PF
        ASSERT  dword [last_err], %1
        ASSERT  dword [last_cr2], %2
%endmacro

main:
        mov     edi, PDPT
        xor     eax, eax
        mov     ecx, 4 * 1024
        rep     stosd
        mov     edi, PT0
        mov     eax, 7
        mov     ecx, 512
.pt0:   mov     [edi], eax
        mov     dword [edi + 4], 0
        add     edi, 8
        add     eax, 0x1000
        loop    .pt0
        mov     dword [PDPT], PD0 | 1
        mov     dword [PD0 + 0], PT0 | 7
        mov     dword [PD0 + 8], 0x200000 | 0x87        ; 2 MiB identity
        mov     dword [PD0 + 16], 0x200000 | 0x85       ; read-only alias
        mov     dword [PD0 + 6 * 8], PT6 | 7
        mov     eax, cr4
        or      eax, 1 << 5                     ; PAE
        mov     cr4, eax
        mov     eax, PDPT
        mov     cr3, eax
        mov     eax, 0x80000001
        cpuid
        test    edx, 1 << 20
        jnz     .nx
        FAIL
.nx:    mov     ecx, 0xc0000080
        rdmsr
        or      eax, 1 << 11                    ; NXE
        wrmsr
        mov     eax, cr0
        or      eax, (1 << 31) | (1 << 16)      ; PG, WP
        mov     cr0, eax
        PUTS    "pae paging on", 10

        PUTS    "2 MiB pages", 10
        mov     dword [0x200100], 0x5a5a
        SHOW    "alias", dword [0x400100], 0x5a5a
        mov     eax, [PD0 + 8]
        and     eax, 0x60
        SHOW    "pde a/d", eax, 0x60
        TRY
        mov     dword [0x400100], 1             ; read-only with WP
        CATCH   PF, 3
        PFCHECK 3, 0x400100

        PUTS    "execute-disable", 10
        mov     byte [0x300000], 0xc3           ; ret
        PTE6    0, 0x300000 | 3, 0
        TRY
        call    TV                              ; executable
        CATCH   -1, 0
        PTE6    0, 0x300000 | 3, 0x80000000
        TRY
        call    TV
        CATCH   PF, 0x11
        PFCHECK 0x11, TV
        ASSERT  dword [last_eip], TV
        SHOW    "data read from the nx page", dword [TV], 0xc3
        TRY
        mov     eax, .user
        jmp     to_ring3
.user:  call    TV
        int     0x7f
        CATCH   PF, 0x15
        PTE6    0, 0x300000 | 7, 0x80000000

        ; reserved bits: QEMU 6.2 leaves P out of the error code (hardware
        ; sets it, see tests/unit/x86_prot_test.c), so P is masked here
        PUTS    "reserved bits (error code without P)", 10
        mov     dword [quiet], 1
        PTE6    1, 0x301000 | 3, 0x00080000     ; bit 51 (MAXPHYADDR 40)
        TRY
        mov     eax, [TV + 0x1000]
        CATCHV  PF
        call    show_rsvd
        TRY
        mov     dword [TV + 0x1008], 0
        CATCHV  PF
        call    show_rsvd
        mov     ecx, 0xc0000080
        rdmsr
        and     eax, ~(1 << 11)                 ; NXE off: bit 63 reserved
        wrmsr
        PTE6    2, 0x302000 | 3, 0x80000000
        TRY
        mov     eax, [TV + 0x2010]
        CATCHV  PF
        call    show_rsvd
        mov     dword [quiet], 0
        PASS

show_rsvd:
        mov     eax, [last_err]
        and     eax, ~1
        SHOW    "error code & ~1", eax
        SHOW    "cr2", dword [last_cr2]
        test    eax, 8
        jnz     .ok
        FAIL
.ok:    ret
%include "pm-end.inc"
