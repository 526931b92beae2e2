# SPDX-License-Identifier: GPL-2.0-or-later
"""Network benchmark for make bench: hemu against QEMU TCG in one run,
with the same guest (scripts/build-demo-guest.sh DIR netbench: Debian's
generic kernel, busybox and Debian's iperf3).

For each NIC (e1000, virtio-net-pci) and back end (user with hostfwd= to
the guest's iperf3; tap in a network namespace this script creates):
boot-to-DHCP-lease time (user: slirp's DHCP), iperf3 TCP throughput
host->guest and guest->host (-R), and on tap the ping round trip from
the namespace (median of 20).  Prints one table with hemu/QEMU ratios.

Usage: bench_net.py HEMU [SECONDS [CASE...]]   (iperf3 -t, default 5;
CASE as NIC:BACKEND, e.g. virtio-net-pci:tap, default all four)"""
import json
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
GUEST = os.path.join(ROOT, "build", "demo")
NS = "hemu-nbench-%d" % os.getpid()
QEMU = "qemu-system-x86_64"


def guest():
    out = subprocess.run([os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                          GUEST, "netbench"], capture_output=True, text=True,
                         check=True, timeout=900).stdout
    return out.split()


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class VM:
    def __init__(self, emu, nic, backend, tmp):
        kernel, initrd = guest()
        append = "console=ttyS0 quiet hemu.net=1 hemu.iperf=1"
        args = [emu, "-nographic", "-m", "256", "-kernel", kernel,
                "-initrd", initrd]
        prefix = []
        if backend == "user":
            self.port = free_port()
            args += ["-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:5201"
                     % self.port]
        else:
            append += " hemu.ip=10.0.5.2"
            up = os.path.join(tmp, "ifup")
            with open(up, "w") as f:
                f.write("#!/bin/sh\nip addr add 10.0.5.1/24 dev \"$1\"\n"
                        "ip link set \"$1\" up\n")
            os.chmod(up, 0o755)
            args += ["-netdev", "tap,id=n0,ifname=hbench0,script=%s,"
                     "downscript=no" % up]
            prefix = ["ip", "netns", "exec", NS]
        args += ["-append", append, "-device", "%s,netdev=n0" % nic]
        if emu == QEMU:
            args[1:1] = ["-accel", "tcg"]
        self.t0 = time.time()
        self.proc = subprocess.Popen(prefix + args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.text = ""
        self.marks = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.proc.stdout.read1(4096)
            if not b:
                return
            self.text += b.decode(errors="replace")
            for m in re.finditer(r"HEMU-NET: ([\w-]+)", self.text):
                self.marks.setdefault(m.group(1), time.time() - self.t0)

    def wait(self, key, timeout=1200):
        end = time.time() + timeout
        while time.time() < end and self.proc.poll() is None:
            if key in self.marks:
                return self.marks[key]
            time.sleep(0.2)
        raise RuntimeError("no HEMU-NET: %s; tail %r" % (key,
                                                         self.text[-800:]))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def iperf(vm, backend, secs, reverse):
    if backend == "user":
        cmd = ["iperf3", "-c", "127.0.0.1", "-p", str(vm.port)]
    else:
        cmd = ["ip", "netns", "exec", NS, "iperf3", "-c", "10.0.5.2"]
    cmd += ["-t", str(secs), "-J"] + (["-R"] if reverse else [])
    for attempt in range(3):
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=secs + 120)
        try:
            j = json.loads(r.stdout)
            return j["end"]["sum_received"]["bits_per_second"] / 1e6
        except (ValueError, KeyError):
            time.sleep(2)
    return None


def ping(vm):
    # The median of 20 round trips: on a shared host one descheduling of
    # either emulator's thread adds tens of ms to a single ping, and the
    # mean of 10 was mostly those spikes.
    r = subprocess.run(["ip", "netns", "exec", NS,
                        os.path.join(GUEST, "busybox"), "ping", "-c", "20",
                        "10.0.5.2"], capture_output=True, text=True,
                       timeout=120)
    t = sorted(float(x) for x in re.findall(r"time=([\d.]+) ms", r.stdout))
    return t[len(t) // 2] if t else None


def run_case(emu, nic, backend, secs, tmp):
    vm = VM(emu, nic, backend, tmp)
    res = {}
    try:
        ipt = vm.wait("ip")
        if backend == "user":
            res["lease_s"] = ipt
        vm.wait("iperf-ready")
        res["h2g"] = iperf(vm, backend, secs, False)
        res["g2h"] = iperf(vm, backend, secs, True)
        if backend == "tap":
            res["rtt_ms"] = ping(vm)
    finally:
        vm.stop()
    return res


def fmt(v, unit):
    return "-" if v is None else "%.1f %s" % (v, unit)


def ratio(h, q, higher_better):
    if h is None or q is None or not h or not q:
        return "-"
    return "%.2fx" % (q / h if higher_better else h / q)


def main():
    hemu = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build",
                                                             "hemu")
    secs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    cases = sys.argv[3:] or ["%s:%s" % (n, b) for n in ("e1000",
                                                         "virtio-net-pci")
                             for b in ("user", "tap")]
    guest()
    tmp = "/tmp/hemu-nbench-%d" % os.getpid()
    os.makedirs(tmp, exist_ok=True)
    have_ns = subprocess.run(["ip", "netns", "add", NS],
                             capture_output=True).returncode == 0
    rows = []
    try:
        if have_ns:
            subprocess.run(["ip", "netns", "exec", NS, "ip", "link", "set",
                            "lo", "up"], check=True)
        for case in cases:
            nic, backend = case.split(":")
            if True:
                if backend == "tap" and not have_ns:
                    continue
                got = {}
                for name, emu in (("hemu", hemu), ("qemu", QEMU)):
                    try:
                        got[name] = run_case(emu, nic, backend, secs, tmp)
                    except Exception as e:     # noqa: BLE001
                        print("# %s %s %s: %s" % (name, nic, backend, e))
                        got[name] = {}
                h, q = got["hemu"], got["qemu"]
                for key, unit, hb, what in (
                        ("lease_s", "s", False, "boot to DHCP lease"),
                        ("h2g", "Mbit/s", True, "iperf3 host->guest"),
                        ("g2h", "Mbit/s", True, "iperf3 guest->host"),
                        ("rtt_ms", "ms", False, "ping RTT")):
                    if key in h or key in q:
                        rows.append(("%s %s" % (nic, backend), what,
                                     fmt(h.get(key), unit),
                                     fmt(q.get(key), unit),
                                     ratio(h.get(key), q.get(key), hb)))
                        print("%-20s %-20s hemu %-14s qemu %-14s ratio %s"
                              % rows[-1], flush=True)
    finally:
        if have_ns:
            subprocess.run(["ip", "netns", "del", NS], capture_output=True)
    print("\n| NIC, back end | measure | hemu | QEMU TCG | hemu cost (x QEMU) |")
    print("|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %s | %s | %s |" % r)


if __name__ == "__main__":
    main()
