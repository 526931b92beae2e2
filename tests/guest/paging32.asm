; SPDX-License-Identifier: GPL-2.0-or-later
; paging32.asm - 32-bit paging: 4 KiB pages and 4 MiB pages (CR4.PSE),
; page faults with their error codes and CR2 (not present, write, user,
; CR0.WP, reads and writes that cross into an absent page, a reserved
; bit in a 4 MiB PDE), the accessed and dirty bits, INVLPG after a PTE change.
; SDM vol. 3A 4.3 (32-bit paging), 4.7 (page-fault error code), 4.8
; (accessed and dirty flags), 4.10.4 (INVLPG).
%include "pm.inc"

%define PD   0x100000
%define PT0  0x101000           ; maps 0-4 MiB
%define PT3  0x102000           ; maps 0xC00000-0xFFFFFF (the test pages)
%define TV   0xc00000           ; test virtual area
%define PF   14

; PTE3 index, value: set a PTE of the test area and flush it
%macro PTE3 2
        mov     dword [PT3 + (%1) * 4], %2
        invlpg  [TV + (%1) * 0x1000]
%endmacro

; PFCHECK err, address: a #PF with this error code and CR2
%macro PFCHECK 2
        ASSERT  dword [last_vec], PF
        ASSERT  dword [last_err], %1
        ASSERT  dword [last_cr2], %2
%endmacro

main:
        mov     edi, PD
        xor     eax, eax
        mov     ecx, 3 * 1024
        rep     stosd
        mov     edi, PT0                        ; identity, user, writable
        mov     eax, 7
        mov     ecx, 1024
.pt0:   stosd
        add     eax, 0x1000
        loop    .pt0
        mov     dword [PD + 0], PT0 | 7
        mov     dword [PD + 4], 0x400000 | 0x87 ; 4 MiB identity page
        mov     dword [PD + 8], 0x400000 | 0x87 ; 0x800000 -> 0x400000
        mov     dword [PD + 12], PT3 | 7
        mov     eax, cr4
        or      eax, 1 << 4                     ; PSE
        mov     cr4, eax
        mov     eax, PD
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 1 << 31
        mov     cr0, eax
        PUTS    "paging on", 10

        PUTS    "4 MiB pages", 10
        mov     dword [0x800010], 0x12345678
        SHOW    "read back through the alias", dword [0x400010], 0x12345678
        mov     eax, [PD + 8]
        and     eax, 0x60                       ; accessed, dirty
        SHOW    "pde a/d", eax, 0x60

        PUTS    "accessed and dirty", 10
        PTE3    0, 0x200000 | 3
        mov     eax, [TV]
        mov     eax, [PT3]
        and     eax, 0x60
        SHOW    "after a read", eax, 0x20
        mov     dword [TV], 1
        mov     eax, [PT3]
        and     eax, 0x60
        SHOW    "after a write", eax, 0x60

        PUTS    "page faults", 10
        PTE3    1, 0                            ; absent
        TRY
        mov     eax, [TV + 0x1010]
        CATCH   PF, 0
        PFCHECK 0, TV + 0x1010
        TRY
        mov     dword [TV + 0x1020], 1
        CATCH   PF, 2
        PFCHECK 2, TV + 0x1020
        PTE3    2, 0x201000 | 1                 ; read-only, supervisor
        TRY
        mov     byte [TV + 0x2030], 1           ; WP = 0: allowed
        CATCH   -1, 0
        mov     eax, cr0
        or      eax, 1 << 16                    ; WP
        mov     cr0, eax
        TRY
        mov     byte [TV + 0x2040], 1
        CATCH   PF, 3
        PFCHECK 3, TV + 0x2040
        PTE3    3, 0x202000 | 5                 ; read-only, user
        PTE3    4, 0x203000 | 3                 ; supervisor, writable
        %macro USER_PF 3
        TRY
        mov     eax, %%u
        jmp     to_ring3
%%u:    %1
        int     0x7f
        CATCH   PF, %2
        PFCHECK %2, %3
        %endmacro
        USER_PF {mov eax, [TV + 0x1050]}, 4, TV + 0x1050        ; absent
        USER_PF {mov eax, [TV + 0x4060]}, 5, TV + 0x4060        ; supervisor
        USER_PF {mov byte [TV + 0x3070], 1}, 7, TV + 0x3070     ; read-only
        USER_PF {mov byte [TV + 0x4080], 1}, 7, TV + 0x4080
        TRY
        mov     eax, .ok
        jmp     to_ring3
.ok:    mov     eax, [TV + 0x3090]              ; user read-only: fine
        int     0x7f
        CATCH   0x7f, 0
        ; crossing from a present page into an absent one
        PTE3    5, 0x204000 | 3
        PTE3    6, 0
        TRY
        mov     eax, [TV + 0x5ffe]
        CATCH   PF, 0
        PFCHECK 0, TV + 0x6000
        TRY
        mov     dword [TV + 0x5ffe], 1
        CATCH   PF, 2
        PFCHECK 2, TV + 0x6000
        ASSERT  dword [TV + 0x5ffc], 0          ; nothing written

        ; a reserved bit (21) in a 4 MiB PDE; P is masked out of the error
        ; code (QEMU 6.2 leaves it out, hardware sets it: see
        ; tests/unit/x86_prot_test.c)
        PUTS    "reserved bit in a 4 MiB pde (error code without P)", 10
        mov     dword [quiet], 1
        or      dword [PD + 8], 1 << 21
        invlpg  [0x800000]
        TRY
        mov     eax, [0x800020]
        CATCHV  PF
        mov     dword [quiet], 0
        mov     eax, [last_err]
        and     eax, ~1
        SHOW    "error code & ~1", eax, 0x8
        ASSERT  eax, 8
        SHOW    "cr2", dword [last_cr2], 0x800020
        and     dword [PD + 8], ~(1 << 21)
        invlpg  [0x800000]

        PUTS    "invlpg", 10
        mov     dword [0x200000 + 0x100], 0xaaaa
        mov     dword [0x205000 + 0x100], 0xbbbb
        PTE3    7, 0x200000 | 3
        SHOW    "before", dword [TV + 0x7100], 0xaaaa
        PTE3    7, 0x205000 | 3
        SHOW    "after", dword [TV + 0x7100], 0xbbbb
        PASS
%include "pm-end.inc"
