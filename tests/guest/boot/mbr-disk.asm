; mbr-disk.asm - a hard-disk boot sector for the storage tests
; (test_block_guest.py): booted by SeaBIOS from IDE, it prints on the
; serial port, reads LBA 1-3 through INT 13h AH=42h (EDD) and prints the
; text found there, writes that sector back to LBA 5 with AH=43h (which
; fails on a read-only drive), and ends through isa-debug-exit (0x501).
bits 16
org 0x7c00
start:
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    mov [drive], dl
    mov si, msg_boot
    call puts
    mov ah, 0x42
    mov dl, [drive]
    mov si, dap
    int 0x13
    jc .rfail
    mov si, 0x8000
    call puts
    jmp .write
.rfail:
    mov si, msg_rfail
    call puts
.write:
    mov word [dap + 2], 1
    mov dword [dap + 8], 5
    mov ax, 0x4300
    mov dl, [drive]
    mov si, dap
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
; Interrupts off while a line goes out: SeaBIOS's serial console writes
; the end of its own "Booting from..." line lazily from the timer
; interrupt, and would otherwise put it between our characters.
puts:
    pushf
    cli
.c: lodsb
    or al, al
    jz .r
    mov dx, 0x3f8
    out dx, al
    ; wait for the transmitter to drain
    mov dx, 0x3fd
.w: in al, dx
    test al, 0x20
    jz .w
    jmp .c
.r: popf
    ret
drive: db 0
msg_boot: db "BOOT-SECTOR-RUNNING", 13, 10, 0
msg_rfail: db "READ-FAILED", 13, 10, 0
msg_wok: db "WRITE-OK", 13, 10, 0
msg_wfail: db "WRITE-FAILED", 13, 10, 0
align 4
dap: db 16, 0
     dw 3
     dw 0x8000, 0
     dq 1
times 510-($-$$) db 0
dw 0xaa55
