# SPDX-License-Identifier: GPL-2.0-or-later
"""VNC keyboard input down to the guest's i8042: tests/guest/vnc/keyecho.asm
(booted as -bios) prints every byte the keyboard interrupt delivers
(scan code set 1, as the controller translates).  Keysyms through the
en-us and de layouts (-k) and QEMU Extended Key Events give the scan codes
a PC keyboard would."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (ROOT, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      run_tests, test, wait_for)
import rfb  # noqa: E402
from rfb import free_display, keyecho  # noqa: E402

class Guest:
    def __init__(self, td, extra=()):
        self.log = td("debugcon.log")
        d = free_display()
        self.h = Hemu(["-bios", keyecho(td), "-display", "none", "-serial", "null",
                       "-chardev", "file,id=dc,path=" + self.log,
                       "-device", "isa-debugcon,chardev=dc",
                       "-vnc", "127.0.0.1:%d" % d] + list(extra))
        wait_for(lambda: "KEYECHO READY" in self.text(), timeout=30,
                 what="the keyecho guest")
        self.c = rfb.RFBClient(socket.create_connection(("127.0.0.1", 5900 + d)))
        self.mark = len(self.text())

    def text(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def codes(self, n, timeout=10):
        """The next n scan code bytes the guest printed."""
        def got():
            words = self.text()[self.mark:].split()
            return words if len(words) >= n else None
        words = wait_for(got, timeout=timeout, what="%d scan codes" % n)
        self.mark = len(self.text())
        return " ".join(words[:n])

    def close(self):
        self.c.close()
        self.h.kill()


def tap(c, sym, mods=()):
    for m in mods:
        c.key(m, True)
    c.key(sym, True)
    c.key(sym, False)
    for m in reversed(mods):
        c.key(m, False)


SHIFT, ALTGR = 0xffe1, 0xfe03


@test
def keysyms_en_us():
    with TempDir() as td:
        g = Guest(td)
        try:
            tap(g.c, ord("a"))
            check_eq(g.codes(2), "1E 9E", "a")
            tap(g.c, ord("Z"), (SHIFT,))
            check_eq(g.codes(4), "2A 2C AC AA", "shift z")
            tap(g.c, 0xff0d)
            check_eq(g.codes(2), "1C 9C", "Return")
            tap(g.c, 0xff52)    # Up: an E0 key
            check_eq(g.codes(4), "E0 48 E0 C8", "Up")
            tap(g.c, ord("@"), (SHIFT,))
            check_eq(g.codes(4), "2A 03 83 AA", "@ is shift 2 on en-us")
        finally:
            g.close()


@test
def keysyms_de_layout():
    with TempDir() as td:
        g = Guest(td, ["-k", "de"])
        try:
            tap(g.c, ord("z"))
            check_eq(g.codes(2), "15 95", "z sits where en-us has y")
            tap(g.c, ord("y"))
            check_eq(g.codes(2), "2C AC", "y")
            tap(g.c, ord("@"), (ALTGR,))
            check_eq(g.codes(6), "E0 38 10 90 E0 B8", "AltGr q is @")
            tap(g.c, 0xf6)      # odiaeresis
            check_eq(g.codes(2), "27 A7", "ö")
        finally:
            g.close()


@test
def extended_key_events():
    with TempDir() as td:
        g = Guest(td, ["-k", "fr"])
        try:
            g.c.refresh()
            check(g.c.ext_key, "Extended Key Event acknowledged")
            # raw keys ignore the layout: key 0x10 is q on en-us, a on fr
            g.c.ext_key_event(0x10, True, ord("a"))
            g.c.ext_key_event(0x10, False, ord("a"))
            check_eq(g.codes(2), "10 90", "raw key 0x10")
            g.c.ext_key_event(0x9d, True)       # right Ctrl
            g.c.ext_key_event(0x9d, False)
            check_eq(g.codes(4), "E0 1D E0 9D", "right ctrl")
            # keycode 0 falls back to the keysym
            g.c.ext_key_event(0, True, ord("a"))
            g.c.ext_key_event(0, False, ord("a"))
            check_eq(g.codes(2), "10 90", "fr a by keysym")
        finally:
            g.close()


if __name__ == "__main__":
    run_tests()
