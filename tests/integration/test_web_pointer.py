# SPDX-License-Identifier: GPL-2.0-or-later
"""The web console's pointer lands where the user clicks: Debian's
headless Chromium (playwright-core, web_pointer.cjs) opens hemu's web
console (-vnc ...,websocket=PORT) and clicks at points of noVNC's canvas;
the Linux guest (the network test guest of scripts/build-demo-guest.sh
DIR net, hemu.usb=1: tests/guest-progs/usbtest.sh and evread) has a
usb-tablet, whose evdev reports each point scaled to 0..0x7fff over the
screen, and the click as BTN_LEFT down and up."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (ROOT, Fail, Hemu, TempDir, check,  # noqa: E402
                      free_port, run_tests, test, wait_for)
from rfb import free_display  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("HEMU_BUILD", os.path.join(ROOT, "build"))
GUEST = os.path.join(ROOT, "build", "demo")
PW_DIR = os.path.join(ROOT, "build", "playwright")
PW_VERSION = "1.49.1"


def playwright():
    if not os.path.isdir(os.path.join(PW_DIR, "node_modules", "playwright-core")):
        r = subprocess.run(["npm", "install", "--silent", "--no-save", "--prefix",
                            PW_DIR, "playwright-core@" + PW_VERSION],
                           capture_output=True, text=True, timeout=600)
        check(r.returncode == 0, "npm install playwright-core: %s" % r.stderr)
    return PW_DIR


def guest():
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts",
                                           "build-demo-guest.sh"),
                        GUEST, "net"], capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        raise Fail("build-demo-guest.sh failed: %s" % r.stderr[-500:])
    return r.stdout.split()


@test
def web_console_click_reaches_the_usb_tablet():
    check(os.path.exists(os.path.join(BUILD, "web", "index.html")),
          "build/web is missing (make builds it with npm)")
    kernel, initrd = guest()
    pw = playwright()
    with TempDir() as td:
        d = free_display()
        wport = free_port()
        serial = td("serial.log")
        with Hemu(["-display", "none", "-m", "256", "-nodefaults",
                   "-vga", "std", "-kernel", kernel, "-initrd", initrd,
                   "-append", "console=ttyS0 no_timer_check hemu.usb=1 "
                   "hemu.usbdevs=1 hemu.evsecs=600",
                   "-serial", "file:" + serial,
                   "-usb", "-device", "usb-tablet",
                   "-vnc", "127.0.0.1:%d,websocket=%d" % (d, wport)]) as h:
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

            line("HEMU-USB: evread-ready", 600)
            # The guest writes nothing on the VGA: its size stays the
            # text mode's, known once the page has it.
            env = dict(os.environ, PLAYWRIGHT_DIR=pw)

            def click(*pts):
                r = subprocess.run(
                    ["node", os.path.join(HERE, "web_pointer.cjs"),
                     "http://127.0.0.1:%d/" % wport] + [str(p) for p in pts],
                    capture_output=True, text=True, timeout=240, env=env)
                check(r.returncode == 0, "browser: %s" % r.stderr[-2000:])
                return tuple(map(int, r.stdout.split()))
            w, hgt = click(10, 10)
            line("HEMU-USB: key QEMU_QEMU_USB_Tablet 272 1 ", 30)
            line("HEMU-USB: key QEMU_QEMU_USB_Tablet 272 0 ", 30)
            pts = ((100, 200), (w - 1, hgt - 1), (3, 7))
            click(*[c for p in pts for c in p])
            for x, y in pts:
                line("HEMU-USB: abs QEMU_QEMU_USB_Tablet %d %d\r\n" % (
                    x * 0x7fff // (w - 1), y * 0x7fff // (hgt - 1)), 30)
            h.kill()


run_tests()
