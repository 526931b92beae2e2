#!/bin/sh
# run-demo.sh HEMU - what `make run` boots: the demo guest (Debian's cloud
# kernel + a busybox initramfs, made from Debian packages by
# scripts/build-demo-guest.sh) on the pc machine with hemu's own CPU, the
# serial console and the monitor on stdio (Ctrl-a c switches, Ctrl-a x
# quits; `poweroff -f` in the guest ends hemu).  The VNC/web console comes
# with the display issue.
set -eu
hemu=${1:-build/hemu}
set -- $(scripts/build-demo-guest.sh build/demo)
echo "hemu demo: Debian kernel + busybox; Ctrl-a c for the monitor, Ctrl-a x quits"
exec "$hemu" -machine pc -nographic -m 256 -name hemu-demo \
    -kernel "$1" -initrd "$2" -append "console=ttyS0 quiet"
