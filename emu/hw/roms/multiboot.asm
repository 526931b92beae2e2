; SPDX-License-Identifier: GPL-2.0-or-later
; multiboot.asm - hemu's multiboot loader ROM (genroms/multiboot.bin): run
; by SeaBIOS as the first boot entry, it copies the kernel image that
; multiboot.c prepared (kernel, modules, module list, command lines) and
; the boot information (fw_cfg's initrd items, at 0x9000), appends the
; BIOS memory map (INT 15h E820) to the boot information, and enters the
; kernel in flat 32-bit protected mode with EAX = 0x2BADB002 and EBX = the
; boot information (Multiboot Specification 0.6.96, 3.2 "Machine state").
%define ROM_NAME "Multiboot loader"
%include "fwcfg.inc"

%define MBI_MEM_LOWER   4
%define MBI_MEM_UPPER   8
%define MBI_MMAP_LENGTH 44
%define MBI_MMAP_ADDR   48
%define MMAP_MAX        64

boot:
        cli
        cld
        mov     ax, FW_CFG_KERNEL_ADDR
        mov     bx, FW_CFG_KERNEL_DATA
        call    fw_cfg_load
        mov     ax, FW_CFG_INITRD_ADDR
        mov     bx, FW_CFG_INITRD_DATA
        call    fw_cfg_load
        mov     ebp, edi                ; EBP = boot information (< 1 MiB)
        mov     ax, FW_CFG_KERNEL_ENTRY
        call    fw_cfg_read32
        mov     esi, eax                ; ESI = entry point

        ; The memory map: 24-byte entries {size = 20, base, length, type}
        ; at mmap_addr, which multiboot.c put in the low blob.
        mov     eax, ebp
        shr     eax, 4
        mov     fs, ax                  ; FS:BP-relative = boot information
        mov     eax, ebp
        and     eax, 15
        mov     bp, ax
        mov     eax, [fs:bp + MBI_MMAP_ADDR]
        mov     edi, eax
        shr     eax, 4
        mov     es, ax
        and     di, 15                  ; ES:DI = first entry
        mov     cx, 0                   ; bytes written
        push    cx
        xor     ebx, ebx
.e820:  pop     cx
        cmp     cx, 24 * MMAP_MAX
        jae     .done
        push    cx
        push    di
        add     di, 4
        mov     eax, 0xe820
        mov     ecx, 20
        mov     edx, 0x534d4150         ; 'SMAP'
        int     0x15
        pop     di
        jc      .last
        cmp     eax, 0x534d4150
        jne     .last
        mov     dword [es:di], 20
        ; mem_lower and mem_upper come from the map too: the RAM at 0 and
        ; the RAM from 1 MiB, in KiB
        cmp     dword [es:di + 8], 0
        jne     .next
        cmp     dword [es:di + 20], 1
        jne     .next
        mov     eax, [es:di + 12]
        shr     eax, 10
        cmp     dword [es:di + 4], 0
        jne     .upper
        mov     [fs:bp + MBI_MEM_LOWER], eax
.upper: cmp     dword [es:di + 4], 0x100000
        jne     .next
        mov     [fs:bp + MBI_MEM_UPPER], eax
.next:  add     di, 24
        pop     cx
        add     cx, 24
        push    cx
        test    ebx, ebx
        jnz     .e820
.last:  pop     cx
.done:  movzx   ecx, cx
        mov     [fs:bp + MBI_MMAP_LENGTH], ecx
        ; EBX = physical address of the boot information
        xor     ebx, ebx
        mov     bx, fs
        shl     ebx, 4
        movzx   eax, bp
        add     ebx, eax

        ; A flat GDT on the stack: null, code 0x08, data 0x10.
        push    dword 0x00cf9300
        push    dword 0x0000ffff
        push    dword 0x00cf9b00
        push    dword 0x0000ffff
        push    dword 0
        push    dword 0
        xor     eax, eax
        mov     ax, ss
        shl     eax, 4
        movzx   edx, sp
        add     eax, edx
        push    eax                     ; GDTR: base
        push    word 3 * 8 - 1          ;       limit
        mov     bp, sp
        o32 lgdt [bp]
        ; the far return below needs the linear address of pm32
        xor     eax, eax
        mov     ax, cs
        shl     eax, 4
        add     eax, pm32
        push    dword 0x08
        push    eax
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        o32 retf

        bits    32
pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     eax, 0x2badb002
        jmp     esi
