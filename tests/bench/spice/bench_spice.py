#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench_spice.py - hemu's SPICE side by side with qemu-system-x86_64
-accel tcg, remote-viewer (under Xvfb) as the client, connected through a
counting TCP proxy that also reads the display channel's messages
(spice/protocol.h link messages, then mini headers: type u16, size u32):

1. time from process start to the first drawing message on the display
   channel (SeaBIOS's screen; std VGA and QXL), median of 3;
2. bytes from server to client while a scrolling text console runs: the
   demo guest's kernel (scripts/build-demo-guest.sh) logs its boot on the
   VGA text console (console=tty0) and powers off; the client connects
   while the VM is paused, the count runs from `cont` to the exit.

Prints a table and the hemu/QEMU ratios (target: within 1.2x).
Run: make bench-spice, or python3 tests/bench/spice/bench_spice.py [HEMU]."""
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from hemutest import QMP, connect_unix, free_port  # noqa: E402
from spiceview import Xvfb  # noqa: E402

HEMU = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "hemu")
QEMU = "qemu-system-x86_64"
DISPLAY_CHANNEL = 2
DRAWS = set(range(302, 314)) | {318, 123, 126}


class Proxy:
    """Listens on a port, forwards every connection to the emulator's SPICE
    port (retrying until it answers), counts bytes server->client and
    notes when the display channel carries its first drawing."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.down = 0           # server -> client bytes
        self.first_draw = None
        self.display_up = threading.Event()
        self.closed = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.closed:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.pair, args=(c,), daemon=True).start()

    def pair(self, c):
        end = time.time() + 60
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", self.upstream))
                break
            except OSError:
                if time.time() > end:
                    c.close()
                    return
                time.sleep(0.005)
        # The client's link message says which channel this is.
        head = b""
        while len(head) < 22:
            d = c.recv(22 - len(head))
            if not d:
                return
            head += d
        s.sendall(head)
        display = head[20] == DISPLAY_CHANNEL
        threading.Thread(target=self.pump, args=(c, s, False, False),
                         daemon=True).start()
        self.pump(s, c, True, display)

    def pump(self, src, dst, down, display):
        buf = b""
        state = "hdr"           # hdr, reply, result, msgs
        need = 16
        try:
            while True:
                d = src.recv(65536)
                if not d:
                    break
                dst.sendall(d)
                if not down:
                    continue
                with self.lock:
                    self.down += len(d)
                if not display or self.first_draw:
                    continue
                buf += d
                while len(buf) >= need:
                    if state == "hdr":
                        need = 16 + struct.unpack("<I", buf[12:16])[0]
                        state = "reply"
                    elif state == "reply":
                        buf = buf[need:]
                        need, state = 4, "result"
                    elif state == "result":
                        buf = buf[4:]
                        need, state = 6, "msgs"
                        self.display_up.set()
                    else:
                        t, size = struct.unpack("<HI", buf[:6])
                        if t in DRAWS and not self.first_draw:
                            self.first_draw = time.time()
                        if len(buf) < 6 + size:
                            need = 6 + size
                            break
                        buf = buf[6 + size:]
                        need = 6
        except OSError:
            pass
        finally:
            for x in (src, dst):
                try:
                    x.close()
                except OSError:
                    pass

    def close(self):
        self.closed = True
        self.sock.close()


def launch(emu, port, extra):
    args = [emu]
    if "qemu" in os.path.basename(emu):
        args += ["-accel", "tcg"]
    args += ["-display", "none", "-monitor", "none", "-net", "none",
             "-spice", "port=%d,addr=127.0.0.1,disable-ticketing=on" % port]
    return subprocess.Popen(args + list(extra), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def first_frame(x, emu, vga):
    port = free_port()
    proxy = Proxy(port)
    t0 = time.time()
    p = launch(emu, port, ["-vga", vga, "-serial", "null"])
    v = x.spawn(["remote-viewer", "spice://127.0.0.1:%d" % proxy.port])
    try:
        end = t0 + 60
        while not proxy.first_draw and time.time() < end:
            time.sleep(0.005)
        if not proxy.first_draw:
            raise RuntimeError("%s: no drawing on the display channel" % emu)
        return proxy.first_draw - t0
    finally:
        v.kill()
        p.kill()
        p.wait()
        v.wait()
        proxy.close()


def scrolling_bytes(x, emu, kernel, initrd, tmp):
    port = free_port()
    proxy = Proxy(port)
    qsock = os.path.join(tmp, "q-%d.sock" % port)
    p = launch(emu, port, ["-vga", "std", "-serial", "null", "-S", "-m", "256",
                           "-qmp", "unix:%s,server=on,wait=off" % qsock,
                           "-kernel", kernel, "-initrd", initrd,
                           "-append", "console=tty0 hemu.test=1"])
    v = x.spawn(["remote-viewer", "spice://127.0.0.1:%d" % proxy.port])
    try:
        q = QMP(connect_unix(qsock, timeout=30))
        q.cmd("qmp_capabilities")
        if not proxy.display_up.wait(60):
            raise RuntimeError("%s: the display channel did not come up" % emu)
        time.sleep(1)           # the client's first look at the paused VM
        with proxy.lock:
            before = proxy.down
        t0 = time.time()
        q.cmd("cont")
        p.wait(600)
        secs = time.time() - t0
        time.sleep(0.5)
        with proxy.lock:
            return proxy.down - before, secs
    finally:
        v.kill()
        if p.poll() is None:
            p.kill()
        p.wait()
        v.wait()
        proxy.close()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        td = lambda name: os.path.join(tmp, name)  # noqa: E731
        r = subprocess.run([os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                            os.path.join(ROOT, "build", "demo")],
                           capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            sys.exit("build-demo-guest.sh: %s" % r.stderr)
        demo = os.path.join(ROOT, "build", "demo")
        kernel, initrd = os.path.join(demo, "vmlinuz"), os.path.join(demo, "initrd.gz")
        rows = []
        with Xvfb(td) as x:
            for vga in ("std", "qxl"):
                h = statistics.median(first_frame(x, HEMU, vga) for _ in range(3))
                qm = statistics.median(first_frame(x, QEMU, vga) for _ in range(3))
                rows.append(("first frame %s (s)" % vga, h, qm))
            hb, hs = scrolling_bytes(x, HEMU, kernel, initrd, tmp)
            qb, qs = scrolling_bytes(x, QEMU, kernel, initrd, tmp)
            rows.append(("scroll bytes std (KiB)", hb / 1024, qb / 1024))
            rows.append(("scroll run time (s)", hs, qs))
            rows.append(("scroll KiB/s", hb / 1024 / hs, qb / 1024 / qs))
        print("SPICE: hemu %s vs %s -accel tcg (remote-viewer client)" %
              (HEMU, QEMU))
        for name, h, qm in rows:
            print("%-24s hemu %10.3f   qemu %10.3f   ratio %5.2f" %
                  (name, h, qm, h / qm if qm else float("inf")))


if __name__ == "__main__":
    main()
