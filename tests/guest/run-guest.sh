#!/bin/sh
# run-guest.sh EMULATOR PROGRAM.bin - boots a guest test program as -bios
# with the debug console on stdout and isa-debug-exit, and prints what it
# printed.  EMULATOR is build/hemu or qemu-system-x86_64 (the reference).
# Exit status: the program's (1 = PASS, 3 = FAIL), 124 on timeout.
set -u
emu=$1
bin=$2
accel=""
case "$emu" in *qemu-system*) accel="-accel tcg" ;; esac
exec timeout 20 "$emu" $accel -machine pc -nodefaults -display none \
    -m 32 -bios "$bin" \
    -chardev stdio,id=dbg -device isa-debugcon,iobase=0xe9,chardev=dbg \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null
