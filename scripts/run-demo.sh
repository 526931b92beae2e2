#!/bin/sh
# run-demo.sh HEMU - what `make run` boots.  Today: the pc machine on
# hemu's own CPU running Debian's SeaBIOS, serial console and monitor on
# stdio (Ctrl-a c switches to the monitor, Ctrl-a x quits).  With nothing
# to boot yet SeaBIOS ends in "No bootable device"; once hemu boots Linux
# (the CPU's FPU/SSE and -kernel are the next steps) this script builds the
# Debian kernel + busybox initramfs demo guest and boots it with VNC and
# the web console.
set -eu
hemu=${1:-build/hemu}
echo "hemu demo: SeaBIOS on the pc machine; Ctrl-a c for the monitor, Ctrl-a x quits"
exec "$hemu" -machine pc -nographic -m 128 -name hemu-demo
