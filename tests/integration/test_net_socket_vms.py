# SPDX-License-Identifier: GPL-2.0-or-later
"""Three VMs and a tap interface on one Ethernet segment, all inside a
network namespace this test creates (so nothing leaves it), with the
network guest of scripts/build-demo-guest.sh DIR net (static addresses):

    hemu B (rtl8139) --connect--> [listen  hemu A (e1000)  listen] <--connect-- QEMU Q (e1000)
                                          |  hub 0
                                  tap hemutap0 (script= gives it 10.0.3.254)

A pings B (hemu to hemu over socket listen/connect), B pings Q (hemu to
QEMU: the frames cross A's hub, so hemu's socket framing must match
QEMU's both ways) and Q pings A.  Two more wires join second and third
NICs (10.0.4.x, 10.0.5.x):

    hemu A eth1 --mcast 230.0.3.1-- hemu B eth1, QEMU Q eth1
    hemu A eth2 ==L2TPv3 over UDP, 64-bit cookies, counter== hemu B eth2

A pings B over mcast= and over the pseudowire, B pings Q over mcast=,
Q pings A over mcast= (hemu against QEMU over L2TPv3 and wrong cookies
are in test_net_socket.py).  From the namespace, through the tap:
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


def VM(emu, ip, peer, nic, mac, netargs, links=()):
    return NetVM(NS, emu, ip, peer, nic, mac, netargs, links=links)


MCAST = "socket,id=n1,mcast=230.0.3.1:7010,localaddr=127.0.0.1"


def l2tp(src, dst, tx, rx, txcookie, rxcookie):
    return ("l2tpv3,id=n2,udp=on,src=127.0.0.1,srcport=%d,dst=127.0.0.1,"
            "dstport=%d,txsession=%#x,rxsession=%#x,cookie64=on,counter=on,"
            "txcookie=%#x,rxcookie=%#x" % (src, dst, tx, rx, txcookie,
                                           rxcookie))


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
        # Multicast on the namespace's loopback (localaddr=127.0.0.1).
        for cmd in (["ip", "link", "set", "lo", "up", "multicast", "on"],
                    ["ip", "route", "add", "224.0.0.0/4", "dev", "lo"]):
            r = in_ns(*cmd)
            check_eq(r.returncode, 0, "%s: %r" % (cmd, r.stderr))
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
                "-netdev", "hubport,id=h3,hubid=0,netdev=t0",
                "-netdev", MCAST,
                "-netdev", l2tp(7011, 7012, 0xa1, 0x1a, 0x0102030405060708,
                                0x1112131415161718)],
               links=(("10.0.4.1", "10.0.4.2", "e1000", "52:54:00:00:04:01"),
                      ("10.0.5.1", "10.0.5.2", "e1000",
                       "52:54:00:00:05:01")))
        vms.append(a)
        end = time.time() + 30
        while time.time() < end and in_ns("ip", "link", "show",
                                          "hemutap0").returncode:
            time.sleep(0.5)
        b = VM(HEMU, "10.0.3.2", "10.0.3.3", "rtl8139", "52:54:00:00:03:02",
               ["-netdev", "socket,id=n0,connect=127.0.0.1:7001",
                "-netdev", MCAST,
                "-netdev", l2tp(7012, 7011, 0x1a, 0xa1, 0x1112131415161718,
                                0x0102030405060708)],
               links=(("10.0.4.2", "10.0.4.3", "rtl8139", "52:54:00:00:04:02"),
                      ("10.0.5.2", "10.0.5.1", "rtl8139",
                       "52:54:00:00:05:02")))
        vms.append(b)
        q = VM("qemu-system-x86_64", "10.0.3.3", "10.0.3.1", "e1000",
               "52:54:00:00:03:03",
               ["-netdev", "socket,id=n0,connect=127.0.0.1:7002",
                "-netdev", MCAST],
               links=(("10.0.4.3", "10.0.4.1", "e1000", "52:54:00:00:04:03"),))
        vms.append(q)
        t0 = time.time()
        wires = {a: ("ping", "ping1", "ping2"), b: ("ping", "ping1", "ping2"),
                 q: ("ping", "ping1")}
        while time.time() < t0 + TIMEOUT and any(
                v.value(wires[v][-1]) is None and v.proc.poll() is None
                for v in vms):
            time.sleep(1)
        for v in vms:
            for key in wires[v]:
                check_eq(v.value(key), "ok", "%s %s (console tail %r)"
                         % (v.name, key, v.text[-800:]))
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
