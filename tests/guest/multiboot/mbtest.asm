; SPDX-License-Identifier: GPL-2.0-or-later
; mbtest.asm - a multiboot v1 test kernel (Multiboot Specification 0.6.96):
; checks the machine state of 3.2 (EAX magic, flat protected mode, paging
; off, interrupts off) and prints on the debug console (port 0xe9) what the
; boot information of 3.3 says: flags, lower/upper memory, the command
; line, every module (its command line, size, alignment and first line of
; contents), the memory map and the boot loader's name.  Ends through
; isa-debug-exit (port 0xf4): exit status 1 is PASS, 3 is FAIL.
;
; Built as a flat binary loaded by the a.out kludge (header flag 16), or
; with -DELF as an ELF32 executable whose headers are written here by hand
; (no linker needed).
;
;   nasm -f bin -o mbtest.bin mbtest.asm
;   nasm -f bin -DELF -o mbtest.elf mbtest.asm

        cpu     686
        bits    32

%define LOAD_ADDR       0x100000
%define DEBUGCON        0xe9
%define DEBUG_EXIT      0xf4
%define MB_MAGIC        0x1badb002
%ifdef ELF
%define MB_FLAGS        0x00000003              ; page-align, memory info
%else
%define MB_FLAGS        0x00010003              ; ... and the a.out kludge
%endif

        org     LOAD_ADDR
file_start:

%ifdef ELF
; ELF32 header and one PT_LOAD program header covering the whole file.
        db      0x7f, "ELF", 1, 1, 1, 0
        times   8 db 0
        dw      2                               ; ET_EXEC
        dw      3                               ; EM_386
        dd      1                               ; EV_CURRENT
        dd      start                           ; e_entry
        dd      phdr - file_start               ; e_phoff
        dd      0                               ; e_shoff
        dd      0                               ; e_flags
        dw      52                              ; e_ehsize
        dw      32                              ; e_phentsize
        dw      1                               ; e_phnum
        dw      40, 0, 0                        ; e_shentsize, shnum, shstrndx
phdr:   dd      1                               ; PT_LOAD
        dd      0                               ; p_offset
        dd      LOAD_ADDR                       ; p_vaddr
        dd      LOAD_ADDR                       ; p_paddr
        dd      file_end - file_start           ; p_filesz
        dd      bss_end - file_start            ; p_memsz
        dd      7                               ; RWX
        dd      4096
%endif

        align   4
mb_header:
        dd      MB_MAGIC
        dd      MB_FLAGS
        dd      -(MB_MAGIC + MB_FLAGS)
        dd      mb_header                       ; header_addr
        dd      LOAD_ADDR                       ; load_addr
        dd      file_end                        ; load_end_addr
        dd      bss_end                         ; bss_end_addr
        dd      start                           ; entry_addr

; ---------------------------------------------------------------------------
; output

putc:                                           ; AL
        out     DEBUGCON, al
        ret

puts:                                           ; ESI: zero-terminated
        push    eax
.l:     lodsb
        test    al, al
        jz      .d
        out     DEBUGCON, al
        jmp     .l
.d:     pop     eax
        ret

%macro PRINT 1
        push    esi
        mov     esi, %1
        call    puts
        pop     esi
%endmacro

puthex:                                         ; EAX, 8 digits
        push    ecx
        push    eax
        mov     ecx, 8
.l:     rol     eax, 4
        push    eax
        and     al, 15
        add     al, '0'
        cmp     al, '9'
        jbe     .o
        add     al, 'a' - '0' - 10
.o:     out     DEBUGCON, al
        pop     eax
        loop    .l
        pop     eax
        pop     ecx
        ret

putdec:                                         ; EAX, unsigned
        push    eax
        push    ebx
        push    ecx
        push    edx
        xor     ecx, ecx
        mov     ebx, 10
.div:   xor     edx, edx
        div     ebx
        push    edx
        inc     ecx
        test    eax, eax
        jnz     .div
.out:   pop     eax
        add     al, '0'
        out     DEBUGCON, al
        loop    .out
        pop     edx
        pop     ecx
        pop     ebx
        pop     eax
        ret

nl:     mov     al, 10
        jmp     putc

bss_dirty:
        mov     esp, stack_top
fail:   PRINT   msg_fail
        mov     al, 1
        out     DEBUG_EXIT, al
        cli
        hlt

; ---------------------------------------------------------------------------
; the checks

start:
        ; the bss must be zero: check it before the stack (in it) is used
        mov     edx, eax
        mov     edi, bss_start
        mov     ecx, bss_end - bss_start
        xor     eax, eax
        repe    scasb
        jne     bss_dirty
        mov     eax, edx
        mov     esp, stack_top
        cmp     eax, 0x2badb002
        jne     fail
        mov     ebp, ebx                        ; the boot information
        PRINT   msg_magic
        ; 3.2: PE on, PG off; IF clear; flat segments
        mov     eax, cr0
        test    eax, 1
        jz      fail
        test    eax, 0x80000000
        jnz     fail
        pushfd
        pop     eax
        test    eax, 0x200
        jnz     fail
        PRINT   msg_state

        PRINT   msg_flags
        mov     eax, [ebp]
        call    puthex
        call    nl
        test    dword [ebp], 1
        jz      .nomem
        PRINT   msg_mem
        mov     eax, [ebp + 4]
        call    putdec
        PRINT   msg_kb
        PRINT   msg_upper
        mov     eax, [ebp + 8]
        call    putdec
        PRINT   msg_kb
.nomem:
        test    dword [ebp], 4
        jz      fail
        PRINT   msg_cmdline
        mov     esi, [ebp + 16]
        call    puts
        mov     al, '"'
        call    putc
        call    nl

        ; modules
        test    dword [ebp], 8
        jz      fail
        PRINT   msg_mods
        mov     eax, [ebp + 20]
        call    putdec
        call    nl
        mov     ecx, [ebp + 20]
        mov     ebx, [ebp + 24]
.mod:   jecxz   .mods_done
        PRINT   msg_mod
        mov     esi, [ebx + 8]
        call    puts
        PRINT   msg_size
        mov     eax, [ebx + 4]
        sub     eax, [ebx]
        call    putdec
        test    dword [ebx], 0xfff              ; flag 0: page-aligned
        jnz     fail
        mov     eax, [ebx]
        cmp     eax, bss_end                    ; above the kernel
        jb      fail
        PRINT   msg_first
        mov     esi, [ebx]                      ; the first line of it
        mov     edx, [ebx + 4]
.ch:    cmp     esi, edx
        jae     .eol
        lodsb
        cmp     al, 10
        je      .eol
        call    putc
        jmp     .ch
.eol:   mov     al, '"'
        call    putc
        call    nl
        add     ebx, 16
        dec     ecx
        jmp     .mod
.mods_done:

        ; memory map: 24-byte entries {size, base, length, type}
        test    dword [ebp], 0x40
        jz      fail
        mov     ebx, [ebp + 48]
        mov     edx, ebx
        add     edx, [ebp + 44]
        xor     edi, edi                        ; RAM above 1 MiB seen
.mm:    cmp     ebx, edx
        jae     .mm_done
        PRINT   msg_mmap
        mov     eax, [ebx + 8]
        call    puthex
        mov     eax, [ebx + 4]
        call    puthex
        mov     al, ' '
        call    putc
        mov     eax, [ebx + 16]
        call    puthex
        mov     eax, [ebx + 12]
        call    puthex
        mov     al, ' '
        call    putc
        mov     eax, [ebx + 20]
        call    putdec
        call    nl
        cmp     dword [ebx + 20], 1
        jne     .next
        cmp     dword [ebx + 4], 0x100000
        jne     .next
        mov     edi, [ebx + 12]                 ; usable RAM from 1 MiB
.next:  add     ebx, [ebx]
        add     ebx, 4
        jmp     .mm
.mm_done:
        ; mem_upper counts the same RAM (up to the reserved top)
        test    edi, edi
        jz      fail
        shr     edi, 10
        cmp     edi, [ebp + 8]
        jne     fail

        test    dword [ebp], 0x200
        jz      .noname
        PRINT   msg_name
        mov     esi, [ebp + 64]
        call    puts
        mov     al, '"'
        call    putc
        call    nl
.noname:
        PRINT   msg_pass
        mov     al, 0
        out     DEBUG_EXIT, al
        cli
        hlt

msg_magic:      db      "multiboot: magic ok", 10, 0
msg_state:      db      "state: protected mode, paging off, IF clear, bss zero", 10, 0
msg_flags:      db      "flags ", 0
msg_mem:        db      "mem_lower ", 0
msg_kb:         db      " KiB", 10, 0
msg_upper:      db      "mem_upper ", 0
msg_cmdline:    db      'cmdline "', 0
msg_mods:       db      "mods_count ", 0
msg_mod:        db      'module "', 0
msg_size:       db      '" size ', 0
msg_first:      db      ' first "', 0
msg_mmap:       db      "mmap ", 0
msg_name:       db      'boot loader "', 0
msg_pass:       db      "PASS", 10, 0
msg_fail:       db      "FAIL", 10, 0

        align   16
file_end:

        section .bss follows=.text nobits
        alignb  16
bss_start:
        resb    4096
stack_top:
bss_end:
