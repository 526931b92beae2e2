# SPDX-License-Identifier: GPL-2.0-or-later
"""vhost-user: hemu as the front end, DPDK's testpmd (Debian's dpdk-dev,
--no-huge, a net_vhost vdev serving a unix socket) as the back end in
macswap mode, which sends every frame back with its MAC addresses swapped.
The Linux guest of scripts/build-demo-guest.sh DIR net (its shell on the
serial console) brings virtio-net up and pings an address whose neighbour
entry points at a made-up MAC: each echo request goes out through the
rings to testpmd and comes back to the guest.  Checked: testpmd's port
counters (RX and TX > 0), the guest's eth0 counters (TX and RX grew by
the pings sent), and guest RAM from memory-backend-memfd (then
memory-backend-file) with -machine memory-backend= and -numa node,memdev=.
The refusals (no shareable memory, a chardev that is no unix socket,
queues > 1, size mismatches) are checked against QEMU's wording."""
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, ROOT, Fail, TempDir, check,  # noqa: E402
                      run_tests, test, demo_guest)

GUEST = os.path.join(ROOT, "build", "demo")
TESTPMD = "/usr/bin/dpdk-testpmd"
PINGS = 20


def guest():
    return demo_guest("net")


class Reader:
    """Collects a process's output in a thread."""

    def __init__(self, proc):
        self.proc = proc
        self.text = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.proc.stdout.read1(4096)
            if not b:
                return
            self.text += b.decode(errors="replace")

    def wait_for(self, pattern, timeout):
        end = time.time() + timeout
        while time.time() < end:
            m = re.search(pattern, self.text)
            if m:
                return m
            if self.proc.poll() is not None:
                time.sleep(0.5)
                m = re.search(pattern, self.text)
                if m:
                    return m
                raise Fail("process ended waiting for %r:\n%s"
                           % (pattern, self.text[-3000:]))
            time.sleep(0.2)
        raise Fail("timeout waiting for %r:\n%s" % (pattern,
                                                   self.text[-3000:]))


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None and proc.stdin and sig == signal.SIGINT:
        try:
            proc.stdin.write(b"quit\n")
            proc.stdin.flush()
            proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_testpmd(tmp, sock):
    """testpmd serving sock in macswap mode, interactive: its forwarding
    core polls (a whole CPU) only between "start" and "stop", so the guest
    boots first (vhost-user messages are served by its own thread)."""
    # stdbuf: testpmd writes through stdio, block-buffered into a pipe.
    cmd = ["stdbuf", "-o0", TESTPMD, "--no-huge", "-m", "256", "--no-pci",
           "--file-prefix=hemu-vu-%d" % os.getpid(),
           "--vdev", "net_vhost0,iface=%s,client=0" % sock,
           "--", "-i", "--total-num-mbufs=4096", "--forward-mode=macswap"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         cwd=tmp)
    r = Reader(p)
    end = time.time() + 60
    while not os.path.exists(sock):
        if p.poll() is not None or time.time() > end:
            stop(p)
            raise Fail("testpmd did not start:\n%s" % r.text[-3000:])
        time.sleep(0.2)
    return p, r


def port_stats(text):
    rx = re.findall(r"RX-packets:\s*(\d+)", text)
    tx = re.findall(r"TX-packets:\s*(\d+)", text)
    return (int(rx[-1]) if rx else 0, int(tx[-1]) if tx else 0)


def guest_cmd(vm, r, cmd, marker, timeout=120):
    """Run cmd in the guest's serial shell; return what it printed between
    markers."""
    n = len(re.findall(marker, r.text))
    vm.stdin.write(("%s; echo %s-$((1+1))\n" % (cmd, marker)).encode())
    vm.stdin.flush()
    end = time.time() + timeout
    while time.time() < end:
        hits = [m for m in re.finditer(marker + "-2", r.text)]
        if len(hits) > n:
            return r.text
        if vm.poll() is not None:
            raise Fail("hemu ended:\n%s" % r.text[-3000:])
        time.sleep(0.2)
    raise Fail("guest command %r timed out:\n%s" % (cmd, r.text[-3000:]))


def run_guest(tmp, memargs):
    kernel, initrd = guest()
    sock = os.path.join(tmp, "vu.sock")
    if os.path.exists(sock):
        os.unlink(sock)
    pmd, pr = start_testpmd(tmp, sock)
    vm = None
    try:
        vm = subprocess.Popen(
            [HEMU, "-nographic", "-m", "256", "-kernel", kernel,
             "-initrd", initrd, "-append", "console=ttyS0 quiet"] + memargs +
            ["-chardev", "socket,id=chr0,path=%s" % sock,
             "-netdev", "vhost-user,id=n0,chardev=chr0",
             "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:77"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        r = Reader(vm)
        r.wait_for(r"hemu demo guest", 600)
        time.sleep(1)
        pmd.stdin.write(b"start\n")
        pmd.stdin.flush()
        out = guest_cmd(vm, r, "for m in virtio_ring virtio "
                        "virtio_pci_legacy_dev virtio_pci_modern_dev "
                        "virtio_pci failover net_failover virtio_net; do "
                        "insmod /lib/modules/$m.ko 2>/dev/null; done; "
                        "ip link set eth0 up && ip addr add 10.0.9.1/24 dev "
                        "eth0 && arp -i eth0 -s 10.0.9.2 52:54:00:aa:bb:cc "
                        "&& echo VU-UP=$((2+3))",
                        "VUA")
        check("VU-UP=5" in out, "guest eth0 up:\n%s" % out[-2000:])
        out = guest_cmd(vm, r, "S=/sys/class/net/eth0/statistics; "
                        "echo VU-BEFORE=$(cat $S/tx_packets),"
                        "$(cat $S/rx_packets); ping -c %d -i 0.2 -W 1 "
                        "10.0.9.2 2>&1 | tail -3; sleep 2; "
                        "echo VU-AFTER=$(cat $S/tx_packets),"
                        "$(cat $S/rx_packets)" % PINGS, "VUB")
        b = re.search(r"VU-BEFORE=(\d+),(\d+)", out)
        a = re.search(r"VU-AFTER=(\d+),(\d+)", out)
        check(a and b, "guest counters:\n%s" % out[-2000:])
        tx = int(a.group(1)) - int(b.group(1))
        rx = int(a.group(2)) - int(b.group(2))
        print("# guest eth0: tx +%d rx +%d" % (tx, rx), flush=True)
        check(tx >= PINGS, "guest sent %d frames (want >= %d):\n%s"
              % (tx, PINGS, out[-1500:]))
        check(rx >= PINGS, "guest got %d frames back (want >= %d)"
              % (rx, PINGS))
        n = len(pr.text)
        pmd.stdin.write(b"show port stats 0\n")
        pmd.stdin.flush()
        pr.wait_for(r"NIC statistics for port 0(.|\n)*TX-packets", 60)
        time.sleep(0.5)
        prx, ptx = port_stats(pr.text[n:])
        check(prx >= PINGS and ptx >= PINGS,
              "testpmd port counters RX=%d TX=%d" % (prx, ptx))
        vm.stdin.write(b"poweroff -f\n")
        vm.stdin.flush()
        vm.wait(timeout=60)
        return tx, rx, prx, ptx
    finally:
        if vm:
            stop(vm)
        stop(pmd, signal.SIGINT)


@test
def t_memfd():
    with TempDir() as td:
        tmp = td.path
        run_guest(tmp, ["-object",
                        "memory-backend-memfd,id=mem,size=256M,share=on",
                        "-machine", "memory-backend=mem"])


@test
def t_file():
    """memory-backend-file with -numa node,memdev: hemu creates the file at
    its size, maps it (shared) as guest RAM, and vhost-user accepts that
    RAM (it refuses private memory, see t_refusals)."""
    with TempDir() as td:
        tmp = td.path
        sock = os.path.join(tmp, "vu.sock")
        path = os.path.join(tmp, "guest-ram")
        pmd, pr = start_testpmd(tmp, sock)
        vm = None
        try:
            vm = subprocess.Popen(
                [HEMU, "-display", "none", "-S", "-m", "64", "-object",
                 "memory-backend-file,id=mem,size=64M,mem-path=%s,share=on"
                 % path, "-numa", "node,memdev=mem",
                 "-chardev", "socket,id=chr0,path=%s" % sock,
                 "-netdev", "vhost-user,id=n0,chardev=chr0",
                 "-device", "virtio-net-pci,netdev=n0",
                 "-qmp", "unix:%s,server=on,wait=off" % os.path.join(tmp, "q")],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT)
            r = Reader(vm)
            end = time.time() + 60
            while not os.path.exists(os.path.join(tmp, "q")):
                check(vm.poll() is None, "hemu ended:\n%s" % r.text)
                check(time.time() < end, "hemu did not start")
                time.sleep(0.2)
            check(os.path.getsize(path) == 64 << 20,
                  "guest-ram is %d bytes" % os.path.getsize(path))
            # The QMP socket comes before the machine: wait for the map.
            end = time.time() + 60
            while True:
                with open("/proc/%d/maps" % vm.pid) as f:
                    maps = [ln for ln in f if ln.rstrip().endswith(path)]
                if any(ln.split()[1].startswith("rw-s") for ln in maps):
                    break
                check(vm.poll() is None, "hemu ended:\n%s" % r.text)
                check(time.time() < end, "guest RAM not mapped shared from "
                      "the file: %r" % maps)
                time.sleep(0.2)
            # testpmd saw hemu's handshake (a vhost-user connection).
            time.sleep(1)
            check(vm.poll() is None, "hemu ended:\n%s" % r.text)
        finally:
            if vm:
                stop(vm)
            stop(pmd, signal.SIGINT)


def refused(args, want, tmp=None):
    r = subprocess.run([HEMU, "-display", "none", "-S"] + args,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60)
    check(r.returncode != 0, "%s: accepted" % args)
    check(want in r.stderr, "%s: want %r, got %r" % (args, want, r.stderr))


@test
def t_refusals():
    with TempDir() as td:
        tmp = td.path
        refused(["-m", "256", "-object",
                 "memory-backend-memfd,id=m,size=128M",
                 "-machine", "memory-backend=m"],
                "Size specified by -m option must match size of explicitly "
                "specified 'memory-backend' property")
        refused(["-m", "128", "-object",
                 "memory-backend-memfd,id=m,size=256M",
                 "-numa", "node,memdev=m"],
                "total memory for NUMA nodes (0x10000000) should equal RAM "
                "size (0x8000000)")
        refused(["-machine", "memory-backend=nope"],
                "Memory backend 'nope' not found")
        refused(["-object", "memory-backend-file,id=m,size=64M"],
                "mem-path property not set")
        refused(["-numa", "node", "-numa", "node"],
                "more than one NUMA node: not supported")
        refused(["-chardev", "file,id=c,path=%s/f" % tmp,
                 "-netdev", "vhost-user,id=n,chardev=c"],
                "chardev \"c\" is not a unix socket")
        refused(["-netdev", "vhost-user,id=n,chardev=c"],
                "chardev \"c\" not found")
        # A back end is there, but guest RAM is private anonymous memory.
        sock = os.path.join(tmp, "vu.sock")
        pmd, pr = start_testpmd(tmp, sock)
        try:
            refused(["-chardev", "socket,id=c,path=%s" % sock,
                     "-netdev", "vhost-user,id=n,chardev=c,queues=2"],
                    "multiqueue not supported")
        finally:
            stop(pmd, signal.SIGINT)
        os.unlink(sock) if os.path.exists(sock) else None
        pmd, pr = start_testpmd(tmp, sock)
        try:
            refused(["-chardev", "socket,id=c,path=%s" % sock,
                     "-netdev", "vhost-user,id=n,chardev=c",
                     "-device", "virtio-net-pci,netdev=n"],
                    "Failed initializing vhost-user memory map, consider "
                    "using -object memory-backend-file share=on")
        finally:
            stop(pmd, signal.SIGINT)
        os.unlink(sock) if os.path.exists(sock) else None
        pmd, pr = start_testpmd(tmp, sock)
        try:
            # Only virtio-net can hand its rings to the back end.
            refused(["-chardev", "socket,id=c,path=%s" % sock,
                     "-netdev", "vhost-user,id=n,chardev=c",
                     "-device", "e1000,netdev=n"],
                    "vhost-user requires frontend driver virtio-net-*")
        finally:
            stop(pmd, signal.SIGINT)


if __name__ == "__main__":
    if not os.access(TESTPMD, os.X_OK):
        # Never a silent pass: the suite fails and says what is missing.
        print("FAIL: %s missing (Debian package dpdk-dev; "
              "scripts/install-deps.sh installs it)" % TESTPMD)
        print("0 passed, 1 failed")
        sys.exit(1)
    run_tests()
