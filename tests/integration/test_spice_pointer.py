# SPDX-License-Identifier: GPL-2.0-or-later
"""SPICE pointer input end to end: Debian's remote-viewer under Xvfb is
connected to hemu (-vga std, a usb-tablet on the UHCI, so spice-server
offers client mouse mode); xdotool moves the X pointer onto points of the
guest's picture inside the viewer window and clicks.  The Linux guest (the
network test guest of scripts/build-demo-guest.sh DIR net, hemu.usb=1:
tests/guest-progs/usbtest.sh and evread) reports the tablet's evdev
events: the absolute position is the picture's point scaled to
0..0x7fff, and the click is BTN_LEFT down and up."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, ROOT, Fail, Hemu, TempDir, check,  # noqa: E402
                      connect_unix, free_port, run_tests, test, wait_for)
from spiceview import Xvfb, find_picture, settled_states  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")


def guest():
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts",
                                           "build-demo-guest.sh"),
                        GUEST, "net"], capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        raise Fail("build-demo-guest.sh failed: %s" % r.stderr[-500:])
    return r.stdout.split()


@test
def spice_pointer_reaches_the_usb_tablet():
    kernel, initrd = guest()
    with TempDir() as td, Xvfb(td) as x:
        port = free_port()
        qsock = td("q.sock")
        serial = td("serial.log")
        with Hemu(["-display", "none", "-m", "256", "-nodefaults",
                   "-vga", "std", "-kernel", kernel, "-initrd", initrd,
                   "-append", "console=ttyS0 no_timer_check hemu.usb=1 hemu.usbdevs=1 "
                   "hemu.evsecs=600",
                   "-serial", "file:" + serial,
                   "-qmp", "unix:%s,server=on,wait=off" % qsock,
                   "-usb", "-device", "usb-tablet",
                   "-spice", "port=%d,addr=127.0.0.1,disable-ticketing=on"
                   % port]) as h:
            def log():
                try:
                    with open(serial, "rb") as f:
                        return f.read().decode(errors="replace")
                except OSError:
                    return ""

            def line(text, timeout):
                def seen():
                    if h.proc.poll() is not None:
                        raise Fail("hemu exited: %s" % h.stderr()[-500:])
                    return text in log()
                wait_for(seen, timeout=timeout,
                         what="%r on the serial port (last: %r)"
                         % (text, log()[-300:]))

            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            x.spawn(["remote-viewer", "spice://127.0.0.1:%d" % port])
            line("HEMU-USB: evread-ready", 600)
            check("QEMU_QEMU_USB_Tablet absmax=32767" in log(),
                  "the tablet's evdev device")
            # Where the guest's picture is inside the viewer's window.
            states = settled_states(q, td)

            def placed():
                shot = x.screenshot()
                for st in states:
                    at = find_picture(shot, st)
                    if at:
                        return at, st
                return None
            (ox, oy), (w, hgt, _) = wait_for(
                placed, timeout=90, what="the guest's picture in the viewer")
            for gx, gy in ((100, 200), (w - 1, hgt - 1), (3, 7)):
                x.run(["xdotool", "mousemove", "--sync", str(ox + gx),
                       str(oy + gy)])
                line("HEMU-USB: abs QEMU_QEMU_USB_Tablet %d %d\r\n" % (
                    gx * 0x7fff // (w - 1), gy * 0x7fff // (hgt - 1)), 30)
            x.run(["xdotool", "click", "1"])
            line("HEMU-USB: key QEMU_QEMU_USB_Tablet 272 1 ", 30)
            line("HEMU-USB: key QEMU_QEMU_USB_Tablet 272 0 ", 30)
            q.cmd("quit")


run_tests()
