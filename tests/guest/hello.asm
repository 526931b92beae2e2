; SPDX-License-Identifier: GPL-2.0-or-later
; hello.asm - the smallest guest: real mode at the reset vector prints a
; line on the debug console and exits with PASS.  Checks reset state,
; port output and the exit device.
%include "bios.inc"

msg:    db      "hello from real mode", 10, 0

start:
        cli
        mov     ax, cs
        mov     ds, ax
        PUTS    msg
        PASS

%include "bios-end.inc"
