#!/bin/sh
# run-demo.sh HEMU - what `make run` boots.  hemu has no CPU and no pc
# machine yet (they are the next issues), so the demo is the empty machine
# with its monitor on stdio: type "help", "info status", "quit" (or Ctrl-a x).
# When the pc machine lands, this script builds the Debian kernel + busybox
# initramfs demo guest and boots it with VNC and the web console.
set -eu
hemu=${1:-build/hemu}
echo "hemu demo: the empty machine (no CPU yet); monitor on stdio, Ctrl-a x quits"
exec "$hemu" -machine none -nographic -name hemu-demo
