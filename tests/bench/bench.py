#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""make bench: hemu against qemu-system-x86_64 -accel tcg on the demo
guest (scripts/build-demo-guest.sh), booted with hemu.bench=1.  For each
run and emulator: the host time from start to the guest's boot marker
(HEMU-BENCH: booted, printed first thing by /init), the guest's own timings
of sha256sum and gzip over BENCH_MB MiB made in the guest and of the
cpubench kernels (tests/guest-progs/cpubench.c at BENCH_SCALE), and the
peak RSS and the CPU time (user + system, whole run and per phase) of the emulator
process; the CPU time is the figure least disturbed by other load on the
host.  Prints the medians over BENCH_RUNS runs
and the ratio hemu/QEMU (lower is better for hemu).  Not part of make check.

With BENCH_PARALLEL=1 each run starts hemu and QEMU at the same time, so
that whatever else loads the host slows both alike (on a 2-core host the
two then share the cores; the ratios stay comparable, the absolute times
do not).  The load average at the start of each run is printed.

Environment: BENCH_RUNS (3), BENCH_MB (64), BENCH_SCALE (10),
BENCH_PARALLEL (0), HEMU (build/hemu), QEMU (qemu-system-x86_64)."""
import os
import re
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUEST = os.path.join(ROOT, "build", "demo")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
MB = int(os.environ.get("BENCH_MB", "64"))
SCALE = int(os.environ.get("BENCH_SCALE", "10"))
PARALLEL = os.environ.get("BENCH_PARALLEL", "0") == "1"
EMUS = [("hemu", os.environ.get("HEMU", os.path.join(ROOT, "build", "hemu"))),
        ("QEMU", os.environ.get("QEMU", "qemu-system-x86_64"))]
ROWS = ["boot", "sha256sum", "gzip", "int", "x87", "ssefp", "sseint",
        "CPU time", "peak RSS", "boot CPU", "int CPU", "x87 CPU",
        "ssefp CPU", "sseint CPU"]
# Rows "X CPU": the emulator's CPU time (user + system, from /proc, 10 ms
# ticks) from the previous marker line to the one that ends X, read when
# the line arrives: boot up to "booted", each cpubench kernel from the
# line before it to its "time" line.  Unlike the guest's clock, these
# hardly move with other load on the host.
CPU_ROWS = {"booted": "boot CPU", "int": "int CPU", "x87": "x87 CPU",
            "ssefp": "ssefp CPU", "sseint": "sseint CPU"}


def cpu_ms(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(st[11]) + int(st[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")


def run_once(name, emu):
    args = [emu, "-nographic", "-m", "512", "-kernel",
            os.path.join(GUEST, "vmlinuz"), "-initrd",
            os.path.join(GUEST, "initrd.gz"), "-append",
            "console=ttyS0 quiet hemu.bench=1 hemu.benchmb=%d "
            "hemu.benchscale=%d" % (MB, SCALE)]
    if name == "QEMU":
        args[1:1] = ["-accel", "tcg"]
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = b""
    boot = None
    cpu = {}
    last_cpu, seen = 0.0, 0
    while True:
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        out += chunk
        if boot is None and b"HEMU-BENCH: booted" in out:
            boot = time.monotonic() - t0
        # CPU time at each complete marker line
        while True:
            nl = out.find(b"\n", seen)
            if nl < 0:
                break
            line = out[seen:nl].decode(errors="replace")
            seen = nl + 1
            m = re.search(r"HEMU-BENCH: (booted|time (\w+) )", line)
            if not m:
                continue
            now = cpu_ms(p.pid)
            if now is None:
                continue
            key = CPU_ROWS.get(m.group(2) or m.group(1))
            if key:
                cpu[key] = now - last_cpu
            last_cpu = now
    _, status, ru = os.wait4(p.pid, 0)
    text = out.decode(errors="replace")
    if boot is None or "HEMU-BENCH: done" not in text:
        sys.exit("bench: %s did not finish; output tail %r" % (name, text[-800:]))
    r = {"boot": boot * 1000.0, "peak RSS": ru.ru_maxrss / 1024.0,
         "CPU time": (ru.ru_utime + ru.ru_stime) * 1000.0}
    r.update(cpu)
    for k, ms in re.findall(r"HEMU-BENCH: time (\w+) (\d+)", text):
        r[k] = float(ms)
    return r


def main():
    r = subprocess.run([os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        GUEST], capture_output=True, text=True)
    if r.returncode:
        sys.exit("bench: build-demo-guest.sh failed: %s" % r.stderr)
    res = {n: [] for n, _ in EMUS}
    for i in range(RUNS):
        load = os.getloadavg()[0]
        ones = {}
        if PARALLEL:
            # run_once exits on failure; a thread's SystemExit would be
            # lost, so keep the exception and re-raise it here.
            def worker(n, emu):
                try:
                    ones[n] = run_once(n, emu)
                except SystemExit as e:
                    ones[n] = e
            ts = [threading.Thread(target=worker, args=e) for e in EMUS]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
        else:
            for n, emu in EMUS:
                ones[n] = run_once(n, emu)
        print("# run %d: load average %.1f at start%s" % (
            i + 1, load, ", hemu and QEMU in parallel" if PARALLEL else ""))
        for n, _ in EMUS:
            one = ones[n]
            if isinstance(one, SystemExit):
                raise one
            res[n].append(one)
            print("# run %d %s: %s" % (i + 1, n, " ".join(
                "%s=%.0f" % (k.replace(" ", "_"), one.get(k, 0)) for k in ROWS)),
                flush=True)
    print()
    print("runs=%d, %d MiB for sha256sum/gzip, cpubench scale %d; times in ms "
          "(guest clock for the workloads; CPU time is the emulator's for the "
          "whole run), RSS in MiB; medians" % (RUNS, MB, SCALE))
    print("| %-10s | %10s | %10s | %10s |" % ("", "hemu", "QEMU tcg", "hemu/QEMU"))
    print("|%s|%s|%s|%s|" % ("-" * 12, "-" * 12, "-" * 12, "-" * 12))
    for k in ROWS:
        if any(k not in x for n in res for x in res[n]):
            continue
        h = statistics.median(x[k] for x in res["hemu"])
        q = statistics.median(x[k] for x in res["QEMU"])
        print("| %-10s | %10.0f | %10.0f | %10.2f |" % (k, h, q, h / q if q else 0))


main()
