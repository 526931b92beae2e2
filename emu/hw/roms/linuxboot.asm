; SPDX-License-Identifier: GPL-2.0-or-later
; linuxboot.asm - hemu's Linux loader ROM (genroms/linuxboot.bin): run by
; SeaBIOS as the first boot entry, it copies what linuxboot.c prepared in
; fw_cfg (setup code with its header filled in, protected-mode kernel,
; command line, initrd) to their addresses and enters the kernel's
; real-mode setup code as a 16-bit boot loader does (Linux
; Documentation/x86/boot.rst, "Running the kernel"): DS = ES = FS = GS =
; SS = the setup segment, SP at the end of the heap (the command line
; follows it), interrupts off, a far jump to segment + 0x20, offset 0.
%define ROM_NAME "Linux loader"
%include "fwcfg.inc"

boot:
        cli
        cld
        ; setup code and boot_params: ESI = its address
        mov     ax, FW_CFG_SETUP_ADDR
        mov     bx, FW_CFG_SETUP_DATA
        call    fw_cfg_load
        mov     esi, edi
        mov     ax, FW_CFG_KERNEL_ADDR
        mov     bx, FW_CFG_KERNEL_DATA
        call    fw_cfg_load
        mov     ax, FW_CFG_INITRD_ADDR
        mov     bx, FW_CFG_INITRD_DATA
        call    fw_cfg_load
        ; command line: EDX = its address
        mov     ax, FW_CFG_CMDLINE_ADDR
        mov     bx, FW_CFG_CMDLINE_DATA
        call    fw_cfg_load
        mov     edx, edi

        ; the stack tops out where the heap ends: at the command line
        sub     edx, esi                ; 0x10000 wraps to SP = 0
        shr     esi, 4
        mov     ax, si
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     sp, dx
        add     ax, 0x20
        push    ax
        push    word 0
        retf
