# SPDX-License-Identifier: GPL-2.0-or-later
"""Pointer input end to end, from both network consoles to one guest's
USB tablet.  The Linux guest (the network test guest of
scripts/build-demo-guest.sh DIR net, hemu.usb=1: tests/guest-progs/
usbtest.sh and evread) has a usb-tablet on the UHCI and reports the
tablet's evdev events on the serial port: each absolute position is the
screen point scaled to 0..0x7fff, a click is BTN_LEFT down and up.
- SPICE: Debian's remote-viewer under Xvfb (the tablet makes spice-server
  offer client mouse mode); xdotool moves the X pointer onto points of
  the guest's picture inside the viewer window and clicks.
- Web console: Debian's headless Chromium (playwright-core,
  web_pointer.cjs) opens the console (-vnc ...,websocket=PORT) and clicks
  at points of noVNC's canvas.
One guest boot serves both."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, ROOT, Hemu, SerialFile, TempDir,  # noqa: E402
                      check, connect_unix, demo_guest, free_port, run_tests,
                      test, wait_for)
from rfb import free_display  # noqa: E402
from spiceview import Xvfb, find_picture, settled_states  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("HEMU_BUILD", os.path.join(ROOT, "build"))
PW_DIR = os.path.join(ROOT, "build", "playwright")
PW_VERSION = "1.49.1"


def playwright():
    if not os.path.isdir(os.path.join(PW_DIR, "node_modules",
                                      "playwright-core")):
        r = subprocess.run(["npm", "install", "--silent", "--no-save",
                            "--prefix", PW_DIR,
                            "playwright-core@" + PW_VERSION],
                           capture_output=True, text=True, timeout=600)
        check(r.returncode == 0, "npm install playwright-core: %s" % r.stderr)
    return PW_DIR


def scaled(x, y, w, h):
    """The tablet's report for screen point (x, y) of a w x h screen."""
    return "HEMU-USB: abs QEMU_QEMU_USB_Tablet %d %d\r\n" % (
        x * 0x7fff // (w - 1), y * 0x7fff // (h - 1))


DOWN = "HEMU-USB: key QEMU_QEMU_USB_Tablet 272 1 "
UP = "HEMU-USB: key QEMU_QEMU_USB_Tablet 272 0 "


def spice_pointer(q, serial, td, port):
    with Xvfb(td) as x:
        x.spawn(["remote-viewer", "spice://127.0.0.1:%d" % port])
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
            serial.wait(scaled(gx, gy, w, hgt), 30)
        mark = len(serial.text())
        x.run(["xdotool", "click", "1"])
        serial.wait(DOWN, 30, since=mark)
        serial.wait(UP, 30, since=mark)


def web_pointer(serial, wport):
    env = dict(os.environ, PLAYWRIGHT_DIR=playwright())

    def click(*pts):
        r = subprocess.run(
            ["node", os.path.join(HERE, "web_pointer.cjs"),
             "http://127.0.0.1:%d/" % wport] + [str(p) for p in pts],
            capture_output=True, text=True, timeout=240, env=env)
        check(r.returncode == 0, "browser: %s" % r.stderr[-2000:])
        return tuple(map(int, r.stdout.split()))
    # The guest writes nothing on the VGA: its size stays the text
    # mode's, known once the page has it.
    mark = len(serial.text())
    w, hgt = click(10, 10)
    serial.wait(DOWN, 30, since=mark)
    serial.wait(UP, 30, since=mark)
    pts = ((101, 201), (w - 2, hgt - 2), (4, 8))
    mark = len(serial.text())
    click(*[c for p in pts for c in p])
    for x, y in pts:
        serial.wait(scaled(x, y, w, hgt), 30, since=mark)


@test
def pointer_from_spice_and_web_reaches_the_usb_tablet():
    check(os.path.exists(os.path.join(BUILD, "web", "index.html")),
          "build/web is missing (make builds it with npm)")
    kernel, initrd = demo_guest("net")
    with TempDir() as td:
        port = free_port()
        d = free_display()
        wport = free_port()
        qsock = td("q.sock")
        with Hemu(["-display", "none", "-m", "256", "-nodefaults",
                   "-vga", "std", "-kernel", kernel, "-initrd", initrd,
                   "-append", "console=ttyS0 no_timer_check hemu.usb=1 "
                   "hemu.usbdevs=1 hemu.evsecs=600",
                   "-serial", "file:" + td("serial.log"),
                   "-qmp", "unix:%s,server=on,wait=off" % qsock,
                   "-usb", "-device", "usb-tablet",
                   "-spice", "port=%d,addr=127.0.0.1,disable-ticketing=on"
                   % port,
                   "-vnc", "127.0.0.1:%d,websocket=%d" % (d, wport)]) as h:
            serial = SerialFile(td("serial.log"), h)
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            serial.wait("HEMU-USB: evread-ready", 600)
            check("QEMU_QEMU_USB_Tablet absmax=32767" in serial.text(),
                  "the tablet's evdev device")
            spice_pointer(q, serial, td, port)
            web_pointer(serial, wport)
            q.cmd("quit")


run_tests()
