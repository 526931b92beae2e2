#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench-nbd: hemu's NBD client against QEMU's in one run, the same
qemu-nbd (read-only, 256 MiB of random data on 127.0.0.1):
  - the demo guest (scripts/build-demo-guest.sh) with nbdbench.c added to
    its initrd reads its virtio-blk disk on NBD with O_DIRECT: 256 MiB
    sequentially in 1 MiB requests, then BENCH_RAND_OPS random 4 KiB
    reads; the guest's own timings, best of BENCH_RUNS boots per emulator;
  - hemu-img convert against qemu-img convert from the export to a local
    raw file, best of three.
Prints each figure and the ratio hemu/QEMU (lower is better for hemu).
Environment: BENCH_RUNS (2), BENCH_RAND_OPS (4000), HEMU, QEMU."""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from nbdserver import Server  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")
HEMU = os.environ.get("HEMU", os.path.join(ROOT, "build", "hemu"))
HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
RUNS = int(os.environ.get("BENCH_RUNS", "2"))
OPS = int(os.environ.get("BENCH_RAND_OPS", "4000"))
SEQ_MIB = 256

RDINIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /lib/storage/order); do insmod /lib/storage/$m.ko 2>/dev/null; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
/nbdbench /dev/vda %d %d
poweroff -f
""" % (SEQ_MIB, OPS)


def cpio_newc(files):
    """A newc cpio archive of (name, mode, data)."""
    out = b""

    def entry(ino, name, mode, data):
        nm = name.encode() + b"\0"
        h = "070701" + "".join("%08X" % v for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nm), 0))
        e = h.encode() + nm
        e += b"\0" * (-len(e) % 4) + data
        return e + b"\0" * (-len(e) % 4)
    for i, (name, mode, data) in enumerate(files, 1):
        out += entry(i, name, mode, data)
    return out + entry(0, "TRAILER!!!", 0, b"")


def make_initrd(tmp):
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        GUEST], capture_output=True, text=True)
    if r.returncode:
        sys.exit("build-demo-guest.sh failed: %s" % r.stderr[-300:])
    prog = os.path.join(tmp, "nbdbench")
    subprocess.run(["gcc", "-static", "-O2", "-o", prog,
                    os.path.join(HERE, "nbdbench.c")], check=True)
    extra = cpio_newc([("nbdbench", 0o100755, open(prog, "rb").read()),
                       ("nbdbench.sh", 0o100755, RDINIT.encode())])
    path = os.path.join(tmp, "initrd.gz")
    with open(path, "wb") as f:
        f.write(open(os.path.join(GUEST, "initrd.gz"), "rb").read())
        f.write(gzip.compress(extra))
    return path


def guest_run(emu, initrd, url):
    cmd = [emu, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "256",
           "-kernel", os.path.join(GUEST, "vmlinuz"), "-initrd", initrd,
           "-append", "console=ttyS0 quiet rdinit=/nbdbench.sh",
           "-drive", "file=%s,format=raw,if=none,id=vd0,readonly=on" % url,
           "-device", "virtio-blk-pci,drive=vd0"]
    if emu != HEMU:
        cmd[1:1] = ["-accel", "tcg"]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=1800)
    out = r.stdout.decode("latin-1")
    v = dict(re.findall(r"NBD-BENCH: (\w+)=([\d.]+)", out))
    if "rand_s" not in v:
        sys.exit("%s: no benchmark output: %r %r" % (emu, out[-500:],
                                                     r.stderr[-300:]))
    return float(v["seq_s"]), float(v["rand_s"])


def best_convert(tool, url, out):
    best = None
    for _ in range(3):
        if os.path.exists(out):
            os.unlink(out)
        t0 = time.time()
        subprocess.run([tool, "convert", "-O", "raw", url, out], check=True)
        t = time.time() - t0
        best = t if best is None else min(best, t)
    return best


def main():
    tmp = tempfile.mkdtemp(prefix="hemu-bench-nbd-", dir="/var/tmp")
    try:
        initrd = make_initrd(tmp)
        disk = os.path.join(tmp, "disk.raw")
        with open(disk, "wb") as f:
            for _ in range(SEQ_MIB):
                f.write(os.urandom(1 << 20))
        with Server("qemu-nbd", disk, readonly=True) as s:
            res = {}
            for name, emu in (("hemu", HEMU), ("QEMU", QEMU)):
                runs = [guest_run(emu, initrd, s.url()) for _ in range(RUNS)]
                res[name] = (min(r[0] for r in runs), min(r[1] for r in runs))
            out = os.path.join(tmp, "out.raw")
            conv = {"hemu": best_convert(HEMU_IMG, s.url(), out),
                    "QEMU": best_convert("qemu-img", s.url(), out)}
        print("%-40s %12s %12s %8s" % ("nbd: qemu-nbd on 127.0.0.1", "hemu", "QEMU",
                                       "ratio"))
        rows = [
            ("guest seq read %d MiB (s)" % SEQ_MIB, res["hemu"][0], res["QEMU"][0]),
            ("guest %d random 4 KiB reads (s)" % OPS, res["hemu"][1], res["QEMU"][1]),
            ("img convert %d MiB from NBD (s)" % SEQ_MIB, conv["hemu"], conv["QEMU"]),
        ]
        for label, h, q in rows:
            print("%-40s %12.3f %12.3f %7.2fx" % (label, h, q, h / q))
        print("%-40s %12.1f %12.1f" % ("  seq MiB/s", SEQ_MIB / res["hemu"][0],
                                       SEQ_MIB / res["QEMU"][0]))
        print("%-40s %12.0f %12.0f" % ("  random read IOPS", OPS / res["hemu"][1],
                                       OPS / res["QEMU"][1]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
