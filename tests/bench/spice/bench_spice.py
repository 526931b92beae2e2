#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench_spice.py - hemu's SPICE side by side with qemu-system-x86_64
-accel tcg, remote-viewer (under Xvfb) as the client, connected through a
counting TCP proxy that also reads the display channel's messages
(spice/protocol.h link messages, then mini headers: type u16, size u32):

1. time from process start to the first drawing message on the display
   channel (SeaBIOS's screen; std VGA and QXL), median of 3;
2. bytes from server to client for a fixed amount of scrolling on the
   VGA text console (std VGA and QXL in VGA mode): the demo guest's kernel
   (scripts/build-demo-guest.sh) with an initramfs made here whose /init
   fills the 80x25 screen, says "start" on the serial port (its console), writes LINES
   more lines to /dev/tty1 one every PACE seconds (so both emulators see
   the same changes at the same pace, however fast their CPU is), says
   "done" and powers off; the count runs from "start" to "done" plus a
   second for the last frame, and is given per scrolled screen (25 lines).

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
LINES = 100
PACE = 0.1
ROWS = 25
# HEMU_BENCH_PARTS=first or =scroll runs only that half.
PARTS = os.environ.get("HEMU_BENCH_PARTS", "first,scroll").split(",")

SCROLL_INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
dmesg -n 1
line() { echo "hemu spice bench: line $1, the quick brown fox jumps over the lazy dog" > /dev/tty1; }
for i in $(seq 1 %d); do line "fill $i"; done
sleep 1
echo "HEMU-SCROLL: start"
for i in $(seq 1 %d); do line $i; usleep %d; done
echo "HEMU-SCROLL: done"
sleep 1
poweroff -f
""" % (ROWS, LINES, int(PACE * 1e6))
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


def scrolling_bytes(x, emu, vga, kernel, initrd, tmp):
    port = free_port()
    proxy = Proxy(port)
    serial = os.path.join(tmp, "serial-%d.log" % port)
    p = launch(emu, port, ["-vga", vga, "-serial", "file:" + serial,
                           "-m", "256", "-kernel", kernel, "-initrd", initrd,
                           "-append", "console=tty0 console=ttyS0 quiet "
                           "no_timer_check"])
    v = x.spawn(["remote-viewer", "spice://127.0.0.1:%d" % proxy.port])

    def seen(word):
        try:
            with open(serial, errors="replace") as f:
                return "HEMU-SCROLL: " + word in f.read()
        except OSError:
            return False
    try:
        end = time.time() + 600
        while not seen("start"):
            if time.time() > end or p.poll() is not None:
                raise RuntimeError("%s: the scrolling guest did not start" % emu)
            time.sleep(0.01)
        with proxy.lock:
            before = proxy.down
        t0 = time.time()
        while not seen("done"):
            if time.time() > end or p.poll() is not None:
                raise RuntimeError("%s: the scrolling guest did not finish" % emu)
            time.sleep(0.01)
        secs = time.time() - t0
        time.sleep(1)
        with proxy.lock:
            return proxy.down - before, secs
    finally:
        v.kill()
        if p.poll() is None:
            p.kill()
        p.wait()
        v.wait()
        proxy.close()


def scroll_initrd(demo, tmp):
    root = os.path.join(tmp, "scrollroot")
    os.makedirs(root)
    subprocess.run("gzip -dc '%s' | cpio -id 2>/dev/null" %
                   os.path.join(demo, "initrd.gz"), shell=True, cwd=root,
                   check=True)
    with open(os.path.join(root, "init"), "w") as f:
        f.write(SCROLL_INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    out = os.path.join(tmp, "initrd-scroll.gz")
    subprocess.run("find . | cpio -o -H newc 2>/dev/null | gzip -1 > '%s'"
                   % out, shell=True, cwd=root, check=True)
    return out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        td = lambda name: os.path.join(tmp, name)  # noqa: E731
        r = subprocess.run([os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                            os.path.join(ROOT, "build", "demo")],
                           capture_output=True, text=True, timeout=900)
        if r.returncode != 0:
            sys.exit("build-demo-guest.sh: %s" % r.stderr)
        demo = os.path.join(ROOT, "build", "demo")
        kernel = os.path.join(demo, "vmlinuz")
        initrd = scroll_initrd(demo, tmp)
        rows = []
        screens = LINES / ROWS
        with Xvfb(td) as x:
            for vga in ("std", "qxl") if "first" in PARTS else ():
                h = statistics.median(first_frame(x, HEMU, vga) for _ in range(3))
                qm = statistics.median(first_frame(x, QEMU, vga) for _ in range(3))
                rows.append(("first frame %s (s)" % vga, h, qm))
            for vga in ("std", "qxl") if "scroll" in PARTS else ():
                hb, hs = scrolling_bytes(x, HEMU, vga, kernel, initrd, tmp)
                qb, qs = scrolling_bytes(x, QEMU, vga, kernel, initrd, tmp)
                rows.append(("scroll %s KiB/screen" % vga, hb / 1024 / screens,
                             qb / 1024 / screens))
                rows.append(("scroll %s time (s)" % vga, hs, qs))
        print("SPICE: hemu %s vs %s -accel tcg (remote-viewer client)" %
              (HEMU, QEMU))
        for name, h, qm in rows:
            print("%-24s hemu %10.3f   qemu %10.3f   ratio %5.2f" %
                  (name, h, qm, h / qm if qm else float("inf")))


if __name__ == "__main__":
    main()
