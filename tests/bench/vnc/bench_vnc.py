#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""bench_vnc.py - hemu's VNC side by side with qemu-system-x86_64 -accel tcg
on the same guests:

1. time from process start to the first framebuffer update a VNC client
   receives (SeaBIOS, the client connecting as soon as the port answers);
2. bytes per full-screen update of a changing 640x480x32 graphics screen
   (tests/guest/vnc/vbedraw.asm) with Tight and with ZRLE;
3. host CPU of an idle VM (SeaBIOS's screen, no boot device) with one VNC
   client connected that keeps asking for updates.

Prints a table and the hemu/QEMU ratios (target: within 1.2x; idle ~0%).
Run: make bench-vnc, or python3 tests/bench/vnc/bench_vnc.py [HEMU]."""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import rfb  # noqa: E402

HEMU = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "hemu")
QEMU = "qemu-system-x86_64"
ENC_TIGHT, ENC_ZRLE = 7, 16


def start(emu, port_display, extra=()):
    args = [emu]
    if "qemu" in os.path.basename(emu):
        args += ["-accel", "tcg"]
    args += ["-display", "none", "-serial", "null", "-monitor", "none",
             "-vnc", "127.0.0.1:%d" % port_display] + list(extra)
    return subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def connect(port, deadline):
    while time.time() < deadline:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(0.005)
    raise RuntimeError("no VNC server on port %d" % port)


def first_update(emu):
    d = rfb.free_display()
    t0 = time.time()
    p = start(emu, d)
    try:
        c = rfb.RFBClient(connect(5900 + d, t0 + 30))
        c.refresh()
        return time.time() - t0
    finally:
        p.kill()
        p.wait()


def drain(sock, quiet=0.4):
    """Bytes that arrive until the socket has been quiet for `quiet` s."""
    n = 0
    sock.settimeout(quiet)
    while True:
        try:
            d = sock.recv(1 << 20)
        except socket.timeout:
            return n
        if not d:
            return n
        n += len(d)


def update_bytes(emu, image, enc, rounds=5):
    """Mean size of a full-screen FramebufferUpdate (non-incremental
    request) in encoding enc; each update is read whole (rfb.py skips
    Tight/ZRLE rectangles without decoding), however late it comes."""
    d = rfb.free_display()
    p = start(emu, d, ["-bios", image])
    try:
        c = rfb.RFBClient(connect(5900 + d, time.time() + 30))
        c.refresh()
        end = time.time() + 30
        while (c.width, c.height) != (640, 480) and time.time() < end:
            c.refresh()
        s = c.s
        s.settimeout(10)
        s.sendall(struct.pack("!BxH", 2, 2) + struct.pack("!ii", enc, -223))
        drain(s)
        sizes = []
        for _ in range(rounds):
            s.sendall(struct.pack("!BBHHHH", 3, 0, 0, 0, 640, 480))
            size, kinds = rfb.read_encoded_update(c)
            if "pseudo" in kinds or not kinds:
                raise RuntimeError("not a full-screen update: %r" % kinds)
            sizes.append(size)
        return sum(sizes) / len(sizes)
    finally:
        p.kill()
        p.wait()


def idle_cpu(emu, seconds=10):
    d = rfb.free_display()
    p = start(emu, d)
    stop = threading.Event()
    try:
        time.sleep(3)       # SeaBIOS reaches "No bootable device"
        c = rfb.RFBClient(connect(5900 + d, time.time() + 30))
        c.refresh()

        def viewer():
            # like a viewer: ask for the next update after each one
            c.s.settimeout(0.5)
            while not stop.is_set():
                try:
                    c.request(incremental=True)
                    c.read_message()
                except (socket.timeout, OSError, rfb.RFBError):
                    pass
        t = threading.Thread(target=viewer, daemon=True)
        t.start()
        time.sleep(2)

        def cpu():
            f = open("/proc/%d/stat" % p.pid).read().rsplit(")", 1)[1].split()
            return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        c0, t0 = cpu(), time.time()
        time.sleep(seconds)
        c1, t1 = cpu(), time.time()
        stop.set()
        t.join(2)
        return 100.0 * (c1 - c0) / (t1 - t0)
    finally:
        p.kill()
        p.wait()


def main():
    td = tempfile.mkdtemp(prefix="hemu-bench-")
    image = os.path.join(td, "vbedraw.bin")
    subprocess.run(["nasm", "-I", os.path.join(ROOT, "tests", "guest") + "/",
                    "-f", "bin", "-o", image,
                    os.path.join(ROOT, "tests", "guest", "vnc", "vbedraw.asm")],
                   check=True)
    rows = []
    for name, fn in (("first update (s)", first_update),
                     ("Tight bytes/update", lambda e: update_bytes(e, image, ENC_TIGHT)),
                     ("ZRLE bytes/update", lambda e: update_bytes(e, image, ENC_ZRLE)),
                     ("idle CPU, 1 client (%)", idle_cpu)):
        h = fn(HEMU)
        q = fn(QEMU)
        rows.append((name, h, q))
        print("%-24s hemu %10.3f   qemu %10.3f   ratio %5.2f" %
              (name, h, q, h / q if q else float("inf")), flush=True)
    os.unlink(image)
    os.rmdir(td)


if __name__ == "__main__":
    main()
