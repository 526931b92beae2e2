; fd-boot.asm - a floppy boot sector for test_floppy.py: booted by SeaBIOS
; from drive A: (the ISA floppy controller, DMA channel 2), it prints on
; the debug console (port 0xe9: SeaBIOS's serial console output, flushed
; lazily from its timer interrupt, cannot interleave with it there), reads three sectors at cylinder 1, head 1, sector 5
; with INT 13h AH=02h and prints the text in the first and the third,
; writes the first back to cylinder 2, head 0, sector 1 (AH=03h), and ends
; through isa-debug-exit (0x501).
bits 16
org 0x7c00
start:
    jmp short .go
    nop
.go:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    mov [drive], dl
    mov si, msg_boot
    call puts
    mov ax, 0x0203          ; read 3 sectors
    mov cx, 0x0105          ; cylinder 1, sector 5
    mov dh, 1               ; head 1
    mov dl, [drive]
    mov bx, 0x8000
    int 0x13
    jc .rfail
    mov si, 0x8000
    call puts
    mov si, 0x8400
    call puts
    jmp .write
.rfail:
    mov si, msg_rfail
    call puts
.write:
    mov ax, 0x0301          ; write 1 sector
    mov cx, 0x0201          ; cylinder 2, sector 1
    mov dh, 0
    mov dl, [drive]
    mov bx, 0x8000
    int 0x13
    mov si, msg_wok
    jnc .w2
    mov si, msg_wfail
.w2:
    call puts
    mov dx, 0x501
    mov al, 0x31
    out dx, al
    cli
    hlt
puts:
    lodsb
    or al, al
    jz .r
    out 0xe9, al
    jmp puts
.r: ret
drive: db 0
msg_boot: db "FLOPPY-BOOT-RUNNING", 13, 10, 0
msg_rfail: db "FD-READ-FAILED", 13, 10, 0
msg_wok: db "FD-WRITE-OK", 13, 10, 0
msg_wfail: db "FD-WRITE-FAILED", 13, 10, 0
    times 510 - ($ - $$) db 0
    dw 0xaa55
