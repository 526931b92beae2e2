# SPDX-License-Identifier: GPL-2.0-or-later
"""Three VMs and a tap interface on one Ethernet segment, all inside a
network namespace this test creates (so nothing leaves it), with the
network guest of scripts/build-demo-guest.sh DIR net (static addresses):

    hemu B (rtl8139) --connect--> [listen  hemu A (e1000)  listen] <--connect-- QEMU Q (e1000)
                                          |  hub 0
                                  tap hemutap0 (script= gives it 10.0.3.254)

A pings B (hemu to hemu over socket listen/connect), B pings Q (hemu to
QEMU: the frames cross A's hub, so hemu's socket framing must match
QEMU's both ways) and Q pings A.  From the namespace, through the tap:
ping every VM and fetch each guest's file from its busybox httpd with an
md5 check.  hemu A ends on SIGTERM and runs downscript=.  QEMU
(qemu-system-x86_64 -accel tcg) is the reference peer."""
import hashlib
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netvm import NetVM  # noqa: E402
from hemutest import (HEMU, ROOT, Fail, TempDir, check, check_eq,  # noqa: E402
                      run_tests, test)

GUEST = os.path.join(ROOT, "build", "demo")
TIMEOUT = 900
NS = "hemu-net-%d" % os.getpid()




def in_ns(*cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", NS] + list(cmd),
                          capture_output=True, timeout=kw.get("timeout", 60))


def VM(emu, ip, peer, nic, mac, netargs):
    return NetVM(NS, emu, ip, peer, nic, mac, netargs)


@test
def vms_and_tap_on_one_segment():
    r = subprocess.run(["ip", "netns", "add", NS], capture_output=True,
                       text=True)
    if r.returncode:
        raise Fail("cannot create a network namespace (root needed): %s"
                   % r.stderr)
    vms = []
    tmp = TempDir()
    try:
        in_ns("ip", "link", "set", "lo", "up")
        up, down, marker = tmp("ifup"), tmp("ifdown"), tmp("down-ran")
        with open(up, "w") as f:
            f.write("#!/bin/sh\nip addr add 10.0.3.254/24 dev \"$1\"\n"
                    "ip link set \"$1\" up\n")
        with open(down, "w") as f:
            f.write("#!/bin/sh\necho \"$1\" > %s\n" % marker)
        os.chmod(up, 0o755)
        os.chmod(down, 0o755)
        a = VM(HEMU, "10.0.3.1", "10.0.3.2", "e1000", "52:54:00:00:03:01",
               ["-netdev", "hubport,id=n0,hubid=0",
                "-netdev", "socket,id=s1,listen=127.0.0.1:7001",
                "-netdev", "socket,id=s2,listen=127.0.0.1:7002",
                "-netdev", "tap,id=t0,ifname=hemutap0,script=%s,"
                "downscript=%s" % (up, down),
                "-netdev", "hubport,id=h1,hubid=0,netdev=s1",
                "-netdev", "hubport,id=h2,hubid=0,netdev=s2",
                "-netdev", "hubport,id=h3,hubid=0,netdev=t0"])
        vms.append(a)
        end = time.time() + 30
        while time.time() < end and in_ns("ip", "link", "show",
                                          "hemutap0").returncode:
            time.sleep(0.5)
        b = VM(HEMU, "10.0.3.2", "10.0.3.3", "rtl8139", "52:54:00:00:03:02",
               ["-netdev", "socket,id=n0,connect=127.0.0.1:7001"])
        vms.append(b)
        q = VM("qemu-system-x86_64", "10.0.3.3", "10.0.3.1", "e1000",
               "52:54:00:00:03:03",
               ["-netdev", "socket,id=n0,connect=127.0.0.1:7002"])
        vms.append(q)
        t0 = time.time()
        while time.time() < t0 + TIMEOUT and any(
                v.value("ping") is None and v.proc.poll() is None
                for v in vms):
            time.sleep(1)
        for v in vms:
            check_eq(v.value("ping"), "ok", "%s ping (console tail %r)"
                     % (v.name, v.text[-800:]))
        print("# three VMs booted and pinged in %.0fs" % (time.time() - t0))
        # The namespace reaches every guest through the tap.
        for v in vms:
            # busybox's ping (the guest's, from build-demo-guest.sh):
            # the host need not have iputils.
            p = in_ns(os.path.join(GUEST, "busybox"), "ping", "-c", "2",
                      "-W", "10", v.ip)
            check_eq(p.returncode, 0, "ping %s from the namespace: %r"
                     % (v.name, p.stdout[-300:]))
            out = tmp("from-" + v.ip)
            p = in_ns("curl", "-s", "-m", "120", "-o", out,
                      "http://%s:8080/guest.bin" % v.ip, timeout=180)
            check_eq(p.returncode, 0, "curl from %s" % v.name)
            with open(out, "rb") as f:
                got = hashlib.md5(f.read()).hexdigest()
            check_eq(got, v.value("guest-md5"), "md5 of %s's file over tap"
                     % v.name)
        # SIGTERM: hemu exits cleanly and runs the downscript.
        a.proc.terminate()
        a.proc.wait(30)
        check(os.path.exists(marker), "downscript did not run")
        with open(marker) as f:
            check_eq(f.read().strip(), "hemutap0", "downscript's $1")
    finally:
        for v in vms:
            v.stop()
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
        tmp.__exit__()


if __name__ == "__main__":
    run_tests()
