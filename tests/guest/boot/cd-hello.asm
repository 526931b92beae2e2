; cd-hello.asm - a boot sector that isolinux chain-loads from the test
; ISO (test_block_guest.py): prints a marker on the serial port and ends
; through isa-debug-exit.
bits 16
org 0x7c00
    cli                 ; SeaBIOS's serial console flushes its own text
                        ; from the timer interrupt: not inside our line
    xor ax, ax
    mov ds, ax
    mov si, msg
.l: lodsb
    or al, al
    jz .d
    mov dx, 0x3f8
    out dx, al
    mov dx, 0x3fd
.w: in al, dx
    test al, 0x20
    jz .w
    jmp .l
.d: mov dx, 0x501
    mov al, 0x21
    out dx, al
    cli
    hlt
msg: db "CHAINED-BOOT-SECTOR-OK", 13, 10, 0
times 510-($-$$) db 0
dw 0xaa55
