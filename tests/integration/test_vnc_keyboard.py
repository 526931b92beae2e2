# SPDX-License-Identifier: GPL-2.0-or-later
"""VNC keyboard input reaches a Linux guest: the demo guest (built by
scripts/build-demo-guest.sh) runs a shell on the VGA console (hemu.vtshell=1);
an RFB client types a command there, as keysyms and then as QEMU Extended
Key Events, and the command's output comes out of the serial port.  The
guest's text console is also pixel-identical between the RFB client and
screendump."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, ROOT, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, run_tests, test, wait_for)
import rfb  # noqa: E402
from rfb import free_display, matches_dump  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")

# US layout: character -> (set 1 key, shift)
US = {}
for row, base in (("1234567890-=", 0x02), ("qwertyuiop[]", 0x10),
                  ("asdfghjkl;'", 0x1e), ("zxcvbnm,./", 0x2c)):
    for i, ch in enumerate(row):
        US[ch] = (base + i, False)
for row, base in (("!@#$%^&*()_+", 0x02), ("QWERTYUIOP{}", 0x10),
                  ("ASDFGHJKL:\"", 0x1e), ("ZXCVBNM<>?", 0x2c)):
    for i, ch in enumerate(row):
        US[ch] = (base + i, True)
US[" "] = (0x39, False)
US["\n"] = (0x1c, False)


def type_ext(c, text):
    for ch in text:
        code, shift = US[ch]
        if shift:
            c.ext_key_event(0x2a, True)
        c.ext_key_event(code, True)
        c.ext_key_event(code, False)
        if shift:
            c.ext_key_event(0x2a, False)
        time.sleep(0.01)


@test
def typing_into_linux_console():
    r = subprocess.run([os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        GUEST], capture_output=True, text=True, timeout=900)
    check(r.returncode == 0, "build-demo-guest.sh: %s" % r.stderr)
    with TempDir() as td:
        d = free_display()
        serial = td("serial.log")
        qsock = td("q.sock")
        h = Hemu(["-display", "none", "-m", "256",
                  "-kernel", os.path.join(GUEST, "vmlinuz"),
                  "-initrd", os.path.join(GUEST, "initrd.gz"),
                  "-append", "console=tty0 console=ttyS0 quiet hemu.vtshell=1",
                  "-serial", "file:" + serial,
                  "-qmp", "unix:%s,server=on,wait=off" % qsock,
                  "-vnc", "127.0.0.1:%d" % d])
        with h:
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")

            def log():
                try:
                    with open(serial, "rb") as f:
                        return f.read().decode(errors="replace")
                except OSError:
                    return ""
            try:
                wait_for(lambda: "HEMU-VT: ready" in log(), timeout=240,
                         what="the guest's VT shell")
            except Fail:
                raise Fail("no VT shell after 240 s; serial log ends %r"
                           % log()[-600:])
            time.sleep(1)
            c = rfb.RFBClient(socket.create_connection(("127.0.0.1", 5900 + d)))
            c.refresh()
            check(c.ext_key, "server offers the Extended Key Event")
            c.type_text("echo HEMU-KBD-$((6*7)) >/dev/ttyS0\n")
            wait_for(lambda: "HEMU-KBD-42" in log(), timeout=30,
                     what="the keysym-typed line on the serial port")
            type_ext(c, "echo HEMU-EXT-$((7*8)) >/dev/ttyS0\n")
            wait_for(lambda: "HEMU-EXT-56" in log(), timeout=30,
                     what="the raw-key-typed line on the serial port")

            def own():
                c.refresh()
                return (c.width, c.height, c.pixels_rgb())
            check(matches_dump(q, td, own), "guest console: RFB picture differs")
            check_eq(own()[:2], (720, 400), "Linux VGA text console size")
            c.close()
            q.cmd("quit")
            h.wait()


run_tests()
