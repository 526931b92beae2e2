# SPDX-License-Identifier: GPL-2.0-or-later
"""-vnc options as the QEMU 6.2 manual defines them: share=
(allow-exclusive, force-shared, ignore), reverse=on (hemu connects out to
a listening viewer), lossy=on (Tight may use JPEG only then),
key-delay-ms= (key events reach the guest's keyboard that far apart, in
order), and a client that asks for updates and never reads them must not
stall hemu (QMP answers, the guest keeps drawing, other clients get
updates)."""
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, free_port, run_tests, test, wait_for)
import rfb  # noqa: E402
from rfb import free_display, matches_dump, screendump  # noqa: E402
from rfb import keyecho  # noqa: E402

GUEST_DIR = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "guest")
ENC_TIGHT = rfb.ENC_TIGHT
ENC_QUALITY_5 = -27     # JPEG quality level 5 pseudo-encoding


class Guest:
    """tests/guest/vnc/keyecho.asm as -bios: prints each byte the
    keyboard interrupt delivers on the debug console."""

    def __init__(self, td, extra=()):
        self.log = td("debugcon.log")
        self.h = Hemu(["-bios", keyecho(td), "-display", "none",
                       "-serial", "null",
                       "-chardev", "file,id=dc,path=" + self.log,
                       "-device", "isa-debugcon,chardev=dc"] + list(extra))
        wait_for(lambda: "KEYECHO READY" in self.text(), timeout=30,
                 what="the keyecho guest")
        self.mark = len(self.text())

    def text(self):
        try:
            with open(self.log) as f:
                return f.read()
        except OSError:
            return ""

    def codes(self, n, timeout=10):
        def got():
            words = self.text()[self.mark:].split()
            return words if len(words) >= n else None
        words = wait_for(got, timeout=timeout, what="%d scan codes" % n)
        return " ".join(words[:n])


def start(td, vnc, extra=()):
    qsock = td("qmp.sock")
    h = Hemu(["-display", "none", "-serial", "null",
              "-qmp", "unix:%s,server=on,wait=off" % qsock, "-vnc", vnc]
             + list(extra))
    q = QMP(connect_unix(qsock))
    q.cmd("qmp_capabilities")
    return h, q


def vbedraw(td):
    """tests/guest/vnc/vbedraw.asm: a 640x480x32 screen redrawn forever."""
    image = td("vbedraw.bin")
    r = subprocess.run(["nasm", "-I", GUEST_DIR + "/", "-f", "bin", "-o", image,
                        os.path.join(GUEST_DIR, "vnc", "vbedraw.asm")],
                       capture_output=True)
    if r.returncode != 0:
        raise Fail("nasm: %s" % r.stderr.decode())
    return image


def connect(port, shared=True):
    return rfb.RFBClient(socket.create_connection(("127.0.0.1", port)),
                         shared=shared)


def alive(c):
    try:
        c.refresh(timeout=10)
        return True
    except (rfb.RFBError, OSError):
        return False


def refused(port, shared):
    try:
        c = connect(port, shared)
    except (rfb.RFBError, OSError):
        return True
    # Dropped after ServerInit would also count as refused.
    ok = alive(c)
    c.close()
    return not ok


@test
def share_policies():
    with TempDir() as td:
        # allow-exclusive (the default): an exclusive client drops the
        # others; while it is connected, shared clients are refused.
        d = free_display()
        h, q = start(td, "127.0.0.1:%d" % d)
        with h:
            port = 5900 + d
            a = connect(port)
            check(alive(a), "shared client A")
            b = connect(port, shared=False)
            check(alive(b), "exclusive client B")
            check(not alive(a), "A dropped by the exclusive B")
            check(refused(port, True), "shared client refused while B is there")
            b.close()
            wait_for(lambda: not q.cmd("query-vnc")["clients"], timeout=10,
                     what="B gone")
            c = connect(port)
            check(alive(c), "shared client after B left")
            c.close()
            a.close()
            q.cmd("quit")
            check_eq(h.wait(), 0, "hemu exit status")
        # force-shared: the exclusive client is the one refused.
        d = free_display()
        h, q = start(td, "127.0.0.1:%d,share=force-shared" % d)
        with h:
            port = 5900 + d
            a = connect(port)
            check(refused(port, False), "exclusive client refused")
            check(alive(a), "A kept")
            a.close()
            q.cmd("quit")
            check_eq(h.wait(), 0, "hemu exit status")
        # ignore: the flag means nothing, everybody stays.
        d = free_display()
        h, q = start(td, "127.0.0.1:%d,share=ignore" % d)
        with h:
            port = 5900 + d
            a = connect(port)
            b = connect(port, shared=False)
            c = connect(port)
            check(alive(a) and alive(b) and alive(c), "all three clients stay")
            check_eq(len(q.cmd("query-vnc")["clients"]), 3, "query-vnc clients")
            for x in (a, b, c):
                x.close()
            q.cmd("quit")
            check_eq(h.wait(), 0, "hemu exit status")


@test
def reverse_connection():
    with TempDir() as td:
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        lsock.settimeout(30)
        port = lsock.getsockname()[1]
        h, q = start(td, "127.0.0.1:%d,reverse=on" % port)
        with h:
            s, _ = lsock.accept()
            lsock.close()
            c = rfb.RFBClient(s)
            # (VNC_CONNECTED went out before QMP was connected.)
            check_eq(q.cmd("query-vnc")["clients"][0]["service"], str(port),
                     "query-vnc client")

            def own():
                c.refresh()
                return (c.width, c.height, c.pixels_rgb())
            # SeaBIOS keeps printing for a while after its text mode is
            # set: compare once the screen holds still (two dumps a
            # second apart agree), as a loaded host may be slow to get there.
            def still():
                a = screendump(q, td, "s1.ppm")
                time.sleep(1)
                return a[:2] == (720, 400) and a == screendump(q, td, "s2.ppm")
            wait_for(still, timeout=90, what="SeaBIOS's text screen, still")
            check(matches_dump(q, td, own), "reverse client's picture")
            c.close()
            q.event("VNC_DISCONNECTED")
            q.cmd("quit")
            check_eq(h.wait(), 0, "hemu exit status")
        # nobody listening: a clear error
        with Hemu(["-display", "none", "-vnc",
                   "127.0.0.1:%d,reverse=on" % free_port()]) as h:
            rc = h.wait()
            err = h.stderr()
            check(rc == 1 and "Failed to connect" in err, "no viewer: %r" % err)


@test
def lossy_allows_jpeg():
    with TempDir() as td:
        image = vbedraw(td)
        for opts, want_jpeg in (("", False), (",lossy=on", True)):
            d = free_display()
            h, q = start(td, "127.0.0.1:%d%s" % (d, opts), ["-bios", image])
            with h:
                c = connect(5900 + d)
                wait_for(lambda: alive(c) and (c.width, c.height) == (640, 480),
                         timeout=30, what="the 640x480 VBE screen")
                c.s.sendall(struct.pack("!BxH", 2, 2) +
                            struct.pack("!ii", ENC_TIGHT, ENC_QUALITY_5))
                kinds = []
                for _ in range(3):
                    c.request()
                    kinds += rfb.read_encoded_update(c)[1]
                check(kinds, "Tight rectangles arrived")
                check_eq("jpeg" in kinds, want_jpeg,
                         "JPEG in Tight with -vnc ...%s: %r" % (opts, kinds[:8]))
                c.close()
                q.cmd("quit")
                check_eq(h.wait(), 0, "hemu exit status")


@test
def key_delay_ms():
    with TempDir() as td:
        d = free_display()
        g = Guest(td, ["-vnc", "127.0.0.1:%d,key-delay-ms=100" % d])
        c = connect(5900 + d)
        try:
            t0 = time.time()
            for ch in "asdfghjkl;":
                c.key(ord(ch), True)
                c.key(ord(ch), False)
            # 20 events, at least 100 ms apart: 1.9 s at the least.
            codes = g.codes(20, timeout=60)
            spent = time.time() - t0
            check_eq(codes, "1E 9E 1F 9F 20 A0 21 A1 22 A2 23 A3 24 A4 25 A5 "
                     "26 A6 27 A7", "every key, in order")
            check(spent >= 1.8, "20 key events took %.2f s (>= 1.9 s)" % spent)
        finally:
            c.close()
            g.h.kill()
        for bad in ("x", "-1"):
            with Hemu(["-display", "none", "-vnc", ":1,key-delay-ms=" + bad]) as h:
                rc = h.wait()
                err = h.stderr()
                check(rc == 1 and "key-delay-ms" in err, "key-delay-ms=%s: %r"
                      % (bad, err))


@test
def client_that_never_reads_does_not_stall():
    with TempDir() as td:
        image = vbedraw(td)
        d = free_display()
        h, q = start(td, "127.0.0.1:%d" % d, ["-bios", image])
        with h:
            port = 5900 + d
            wait_for(lambda: screendump(q, td)[:2] == (640, 480), timeout=30,
                     what="the 640x480 VBE screen")
            # A small receive window, raw pixels (1.2 MB an update), and
            # requests it never reads the answers to.
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", port))
            stuck = rfb.RFBClient(s)
            req = struct.pack("!BBHHHH", 3, 0, 0, 0, 640, 480)
            stuck.s.sendall(req * 4)
            worst = 0.0
            frames = set()
            end = time.time() + 8
            while time.time() < end:
                t = time.time()
                check_eq(q.cmd("query-status")["status"], "running", "status")
                frames.add(screendump(q, td)[2])
                worst = max(worst, time.time() - t)
                stuck.s.sendall(req)
                time.sleep(0.3)
            check(worst < 3, "QMP took up to %.1f s while a client did not read"
                  % worst)
            check(len(frames) > 3, "the guest kept drawing (%d different "
                  "screens)" % len(frames))
            other = connect(port)
            check(alive(other) and alive(other), "another client gets updates")
            check_eq(len(q.cmd("query-vnc")["clients"]), 2,
                     "the stuck client is still connected")
            stuck.close()
            other.close()
            q.cmd("quit")
            check_eq(h.wait(), 0, "hemu exit status")


run_tests()
