# SPDX-License-Identifier: GPL-2.0-or-later
"""Crash test with a real guest: the Linux demo guest (its initramfs with
an init script of this test, rdinit=/crash.sh) writes numbered 4 KiB
records to a qcow2 virtio-blk disk, each with dd conv=fsync (the kernel
sends the write, then a FLUSH), and prints "CRASH-FLUSHED n" on the serial
port once the flush has completed.  hemu is killed with SIGKILL at a
random point; afterwards qemu-img check must find no corruption (leaked
clusters are allowed) and every record the guest saw flushed must be in
the image (or a newer one in its slot).  Then the same image, written
again and ended by SIGTERM, must hold every record written before."""
import os
import random
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, TempDir, check, check_eq, run_tests, test  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")
HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")
SLOTS = 512             # 64 KiB apart in a 48 MiB disk: new clusters keep
STRIDE = 16             # being allocated (4 KiB blocks per slot)
ROUNDS = int(os.environ.get("CRASH_ROUNDS", "1"))

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /lib/storage/order); do
    insmod /lib/storage/$m.ko 2>/dev/null
done
i=0
while [ $i -lt 300 ] && [ ! -b /dev/vda ]; do
    sleep 0.1
    i=$((i + 1))
done
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p"; }
seq=$(arg crash.first)
last=$(arg crash.last)
echo "CRASH-READY"
while [ "$seq" -le "$last" ]; do
    slot=$(( (seq * 7919) % %SLOTS% ))
    printf 'REC%08d\n' "$seq" |
        dd of=/dev/vda bs=4096 seek=$((slot * %STRIDE%)) conv=sync,notrunc,fsync \
        2>/dev/null || { echo "CRASH-FAIL $seq"; break; }
    echo "CRASH-FLUSHED $seq"
    seq=$((seq + 1))
done
echo "CRASH-DONE"
while :; do sleep 1; done
""".replace("%SLOTS%", str(SLOTS)).replace("%STRIDE%", str(STRIDE))


def make_initrd(t):
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        GUEST], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise Fail("build-demo-guest.sh failed: %s" % r.stderr[-500:])
    root = t("root")
    os.makedirs(root)
    subprocess.run("gzip -dc %s | cpio -id --quiet" % os.path.join(GUEST, "initrd.gz"),
                   shell=True, cwd=root, check=True)
    with open(os.path.join(root, "crash.sh"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "crash.sh"), 0o755)
    subprocess.run("find . | cpio -o -H newc --quiet | gzip -1 > ../crash-initrd.gz",
                   shell=True, cwd=root, check=True)
    return t("crash-initrd.gz")


def start(img, initrd, first, last):
    return subprocess.Popen(
        [HEMU, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "256",
         "-kernel", os.path.join(GUEST, "vmlinuz"), "-initrd", initrd,
         "-append", "console=ttyS0 quiet rdinit=/crash.sh crash.first=%d "
         "crash.last=%d" % (first, last),
         "-drive", "file=%s,format=qcow2,if=virtio,cache=writeback" % img],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def read_until(p, pred, timeout):
    """Serial output until pred(text) holds or timeout; returns the text."""
    text, deadline = "", time.monotonic() + timeout
    os.set_blocking(p.stdout.fileno(), False)
    while time.monotonic() < deadline and not pred(text):
        try:
            chunk = os.read(p.stdout.fileno(), 4096)
        except BlockingIOError:
            time.sleep(0.05)
            continue
        if not chunk:
            break
        text += chunk.decode("latin-1")
    return text


def flushed(text):
    return [int(n) for n in re.findall(r"CRASH-FLUSHED (\d+)", text)]


def verify(t, img, upto, label):
    """qemu-img check, then every record <= upto is there (or newer)."""
    r = subprocess.run(["qemu-img", "check", img], capture_output=True, text=True)
    check(r.returncode in (0, 3), "%s: qemu-img check exit %d: %s"
          % (label, r.returncode, r.stdout + r.stderr))
    raw = t("check.raw")
    subprocess.run(["qemu-img", "convert", "-O", "raw", img, raw], check=True)
    want = {}
    for seq in range(1, upto + 1):
        want[(seq * 7919) % SLOTS] = seq
    lost = []
    with open(raw, "rb") as f:
        for slot, seq in want.items():
            f.seek(slot * STRIDE * 4096)
            m = re.match(rb"REC(\d{8})", f.read(12))
            if not m or int(m.group(1)) < seq:
                lost.append((slot, seq, m.group(1) if m else None))
    check(not lost, "%s: flushed records lost (slot, want, found): %r"
          % (label, lost[:10]))


@test
def sigkill_during_guest_writes_loses_nothing_flushed():
    with TempDir() as t:
        initrd = make_initrd(t)
        img = t("crash.qcow2")
        subprocess.run([HEMU_IMG, "create", "-q", "-f", "qcow2", img, "48M"],
                       check=True)
        first, rng = 1, random.Random(os.getpid())
        for rnd in range(ROUNDS):
            p = start(img, initrd, first, 1 << 30)
            try:
                # Kill at a random point once the guest is writing.
                text = read_until(p, lambda s: "CRASH-FLUSHED" in s, 300)
                check("CRASH-FLUSHED" in text, "round %d: the guest did not "
                      "write: %r" % (rnd, text[-800:]))
                text += read_until(p, lambda s: False, rng.uniform(0.5, 3.0))
                p.send_signal(signal.SIGKILL)
                p.wait()
                # The pipe is non-blocking (read_until): what hemu wrote
                # before it died, until EOF.
                rest = read_until(p, lambda s: False, 10).encode("latin-1")
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            text += rest.decode("latin-1")
            done = flushed(text)
            check("CRASH-FAIL" not in text, "round %d: a guest write failed" % rnd)
            verify(t, img, max(done), "round %d (killed after %d flushed)"
                   % (rnd, max(done)))
            print("#   round %d: killed after %d records flushed" % (rnd, max(done) - first + 1))
            first = max(done) + 1
        # SIGTERM after a fixed number of records: all of them are there.
        last = first + 30
        p = start(img, initrd, first, last)
        try:
            text = read_until(p, lambda s: "CRASH-DONE" in s, 300)
            check("CRASH-DONE" in text, "the guest did not finish: %r" % text[-800:])
            p.send_signal(signal.SIGTERM)
            check_eq(p.wait(timeout=60), 0, "hemu's exit status on SIGTERM")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        verify(t, img, last, "after SIGTERM")


run_tests()
