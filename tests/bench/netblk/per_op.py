# SPDX-License-Identifier: GPL-2.0-or-later
"""per_op.py EMULATOR URL [EMULATOR URL...] - what each guest request
costs the emulator, as opposed to how long it takes: the guest of
bench_netblk.py (sequential 1 MiB reads, then BENCH_NETBLK_RAND 4 KiB
random reads at queue depth 1) on URL, and between the guest's serial
markers the host's wall time, the emulator's CPU time (all threads) and
its context switches (voluntary and not, all threads), per request.
On a shared, loaded host the wall times move 2-5x between runs; CPU time
and context switches per request move much less, so they compare
drivers (hemu's worker path: vCPU -> worker -> main loop -> vCPU; its
main-loop reads and QEMU's: vCPU -> main loop -> vCPU).  A "qemu" in the
emulator's name adds -accel tcg.  Not a test."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench", "block"))
sys.argv, ARGS = sys.argv[:1], sys.argv[1:]
import guest  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
RAND = int(os.environ.get("BENCH_NETBLK_RAND", "2000"))
HZ = os.sysconf("SC_CLK_TCK")


def init_script():
    # The same guest as bench_netblk.py (its INIT, without running it).
    src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "bench_netblk.py")).read()
    body = src[src.index('INIT = r"""'):src.index("\n\n\ndef free_port")]
    ns = {"SIZE_MB": 256, "RAND": RAND}
    exec(body, ns)
    return ns["INIT"]


def sample(pid):
    """(time, CPU seconds, {thread: context switches})"""
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    cpu = (int(v[11]) + int(v[12])) / HZ
    cs = {}
    for st in glob.glob("/proc/%d/task/*/status" % pid):
        try:
            cs[st] = sum(int(line.split()[1]) for line in open(st)
                         if "ctxt_switches" in line)
        except OSError:
            pass    # a thread that just ended
    return time.monotonic(), cpu, cs


def delta(s, b):
    # Threads that ended in between are lost; new ones count in full.
    return (s[0] - b[0], s[1] - b[1],
            sum(n - b[2].get(t, 0) for t, n in s[2].items()))


def run(emu, url, initrd):
    cmd = [emu, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "256",
           "-kernel", os.path.join(guest.GUEST, "vmlinuz"), "-initrd", initrd,
           "-append", "console=ttyS0 quiet rdinit=/netblkbench.sh",
           "-drive", "file=%s,format=raw,if=none,id=vd0,readonly=on" % url,
           "-device", "virtio-blk-pci,drive=vd0"]
    if "qemu" in os.path.basename(emu):
        cmd[1:1] = ["-accel", "tcg"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    begin, out, buf = {}, {}, b""
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        s = sample(p.pid)
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            m = re.search(rb"BLKBENCH (begin|end) (\S+)", line)
            if m and m.group(1) == b"begin":
                begin[m.group(2)] = s
            elif m and m.group(2) in begin:
                out[m.group(2).decode()] = delta(s, begin[m.group(2)])
            if b"BLKBENCH done" in line:
                p.kill()
    p.kill()
    p.wait()
    for k in ("seq", "rand"):
        if k not in out:
            sys.exit("per_op: %s on %s: the guest failed" % (emu, url))
        t, cpu, cs = out[k]
        n = RAND if k == "rand" else 256
        print("%-28s %-40s %-4s wall %6.2f s, per request: CPU %.3f ms, "
              "%.1f context switches" % (emu, url, k, t, cpu / n * 1000, cs / n),
              flush=True)


def main():
    if not ARGS or len(ARGS) % 2:
        sys.exit("usage: per_op.py EMULATOR URL [EMULATOR URL...]")
    d = tempfile.mkdtemp(prefix="hemu-bench-perop.", dir="/var/tmp")
    try:
        initrd = guest.build_initrd(d, init_script(), "netblkbench.sh")
        for i in range(0, len(ARGS), 2):
            run(ARGS[i], ARGS[i + 1], initrd)
    finally:
        shutil.rmtree(d, ignore_errors=True)


main()
