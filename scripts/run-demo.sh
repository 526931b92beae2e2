#!/bin/sh
# run-demo.sh HEMU - what `make run` boots: the demo guest (Debian's cloud
# kernel + a busybox initramfs, made from Debian packages by
# scripts/build-demo-guest.sh) on the pc machine with hemu's own CPU, the
# serial console and the monitor on stdio (Ctrl-a c switches, Ctrl-a x
# quits; `poweroff -f` in the guest ends hemu).  The guest's screen (the
# standard VGA: SeaBIOS, then Linux's text console) is on VNC at
# 127.0.0.1:5900 (display :0) and in a browser at http://127.0.0.1:5700/
# (the web console on the websocket port).
set -eu
hemu=${1:-build/hemu}
set -- $(scripts/build-demo-guest.sh build/demo)
echo "hemu demo: Debian kernel + busybox; Ctrl-a c for the monitor, Ctrl-a x quits"
echo "screen: web console http://127.0.0.1:5700/ - or a VNC client at 127.0.0.1:0 (port 5900)"
exec "$hemu" -machine pc -nographic -m 256 -name hemu-demo \
    -vnc 127.0.0.1:0,websocket=on \
    -kernel "$1" -initrd "$2" -append "console=tty0 console=ttyS0 quiet"
