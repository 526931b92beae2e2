# SPDX-License-Identifier: GPL-2.0-or-later
"""VNC in a VBE graphics mode: Debian's generic kernel (built by
scripts/build-demo-guest.sh DIR net, it has vesafb built in) boots with
vga=0x318, so its real-mode setup asks SeaBIOS's VGA BIOS for VBE mode
0x118 (1024x768, 24 bits per pixel) and fbcon draws the text console on
the linear framebuffer.  An RFB client types a command into the shell on
tty1 that clears the screen and prints a known line; once the screen is
still, gvnccapture's screenshot and the RFB client's picture are
1024x768 and pixel-identical to QMP screendump, and the picture holds the
line where fbcon's 8x16 font puts it."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, ROOT, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, run_tests, test, wait_for, demo_guest)
import rfb  # noqa: E402
from rfb import free_display, matches_dump, screendump  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")
TEXT = "HEMU VBE TEXT"


def guest():
    return demo_guest("net")


def lit(px, w, x0, y0, x1, y1):
    """How many pixels of the rectangle [x0,x1)x[y0,y1) are not black."""
    n = 0
    for y in range(y0, y1):
        row = px[(y * w + x0) * 3:(y * w + x1) * 3]
        n += sum(1 for i in range(0, len(row), 3) if row[i:i + 3] != b"\0\0\0")
    return n


@test
def linux_vbe_1024x768_gvnccapture():
    kernel, initrd = guest()
    with TempDir() as td:
        d = free_display()
        serial = td("serial.log")
        qsock = td("q.sock")
        # No blinking cursor: the screen must stand still to be compared.
        h = Hemu(["-display", "none", "-m", "256",
                  "-kernel", kernel, "-initrd", initrd,
                  "-append", "console=ttyS0 quiet vga=0x318 "
                  "vt.global_cursor_default=0 hemu.vtshell=1",
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
                wait_for(lambda: "HEMU-VT: ready" in log(), timeout=300,
                         what="the guest's VT shell")
            except Fail:
                raise Fail("no VT shell; serial log ends %r" % log()[-600:])
            c = rfb.RFBClient(socket.create_connection(("127.0.0.1", 5900 + d)))
            check_eq((c.width, c.height), (1024, 768), "ServerInit size")
            c.type_text("clear; echo %s; echo HEMU-VBE-$((6*7)) >/dev/ttyS0\n"
                        % TEXT)
            wait_for(lambda: "HEMU-VBE-42" in log(), timeout=60,
                     what="the typed command's line on the serial port")

            def settled():
                a = screendump(q, td, "s1.ppm")
                time.sleep(0.5)
                return a if screendump(q, td, "s2.ppm") == a else None
            w, hh, px = wait_for(settled, timeout=30, what="a still screen")
            check_eq((w, hh), (1024, 768), "screendump size")
            # fbcon's 8x16 font: the line on text row 0, the prompt on
            # row 1, nothing below or to the right.
            n = len(TEXT) * 8
            check(lit(px, w, 0, 0, n, 16) > 100, "the line is drawn on row 0")
            check_eq(lit(px, w, n + 8, 0, w, 16), 0, "row 0 right of the line")
            check(lit(px, w, 0, 16, 32, 32) > 20, "the prompt on row 1")
            check_eq(lit(px, w, 0, 40, w, 200), 0, "rows below are blank")

            cap = td("cap.png")

            def gvnc():
                r = subprocess.run(["gvnccapture", "127.0.0.1:%d" % d, cap],
                                   capture_output=True, timeout=60)
                check_eq(r.returncode, 0, "gvnccapture exit status")
                return rfb.read_png(cap)
            check(matches_dump(q, td, gvnc),
                  "gvnccapture's picture differs from screendump")
            check_eq(rfb.read_png(cap)[:2], (1024, 768), "captured size")

            # gvnccapture asked for exclusive access: libvncserver dropped
            # the typing client, as QEMU's share=allow-exclusive does.
            c.close()
            c = rfb.RFBClient(socket.create_connection(("127.0.0.1", 5900 + d)))

            def own():
                c.refresh()
                return (c.width, c.height, c.pixels_rgb())
            check(matches_dump(q, td, own), "RFB client's picture differs")
            c.close()
            q.cmd("quit")
            h.wait()


run_tests()
