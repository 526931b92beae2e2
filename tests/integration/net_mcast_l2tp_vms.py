# SPDX-License-Identifier: GPL-2.0-or-later
"""VMs on a UDP multicast wire and on L2TPv3 pseudowires, all inside a
network namespace this test creates, with the network guest of
scripts/build-demo-guest.sh DIR net (static addresses, pings a peer):

    hemu C (rtl8139) ==l2tpv3 cookie64,counter== hemu A (e1000) ==l2tpv3== Python
                                                   | mcast 230.0.5.1
                              hemu B (virtio-net) -+- QEMU Q (e1000)

A pings B and B pings Q (hemu to hemu and hemu to QEMU over mcast=),
Q pings C (QEMU's mcast into hemu A, then hemu to hemu over L2TPv3),
C pings A.  (hemu against QEMU over L2TPv3 with cookies, and wrong
cookies and sessions, are in test_net_socket.py.)  A's second L2TPv3
port has a Python peer: an ARP
request for A with a wrong cookie is dropped (no reply ever), the same
request with the right cookie is answered by A's guest.  QEMU
(qemu-system-x86_64 -accel tcg) is the reference peer."""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netvm import NetVM  # noqa: E402
from hemutest import HEMU, ROOT, Fail, check, check_eq, run_tests, test  # noqa: E402,E501

TIMEOUT = 900
NS = "hemu-mc-%d" % os.getpid()
GROUP = "230.0.5.1:7105"




def in_ns(*cmd):
    return subprocess.run(["ip", "netns", "exec", NS] + list(cmd),
                          capture_output=True, timeout=60)


def l2tp(src, dst, tx_session, rx_session, extra):
    return ("l2tpv3,udp=on,src=127.0.0.1,srcport=%d,dst=127.0.0.1,"
            "dstport=%d,txsession=%#x,rxsession=%#x,%s"
            % (src, dst, tx_session, rx_session, extra))


def VM(emu, ip, peer, nic, mac, netargs):
    return NetVM(NS, emu, ip, peer, nic, mac, netargs)


PY_MAC = bytes.fromhex("5254000005ee")


def arp_request(sender_ip, target_ip):
    return (b"\xff" * 6 + PY_MAC + b"\x08\x06" +
            struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, PY_MAC,
                        socket.inet_aton(sender_ip), b"\0" * 6,
                        socket.inet_aton(target_ip)))


def arp_replies(frames):
    """The target IPs of the ARP replies addressed to the Python peer."""
    out = set()
    for f in frames:
        if (len(f) >= 42 and f[:6] == PY_MAC and f[12:14] == b"\x08\x06" and
                struct.unpack("!H", f[20:22])[0] == 2):
            out.add(socket.inet_ntoa(f[38:42]))
    return out


# The Python peer's script, run inside the namespace: its L2TPv3 session
# header (session 0x51, 32-bit cookie 0x5eed0001 expected by A) in front
# of an ARP request for A from .77 with a wrong cookie, then from .66 with
# the right one; it prints the ARP replies it got, one target IP a line.
PEER = r"""
import socket, struct, sys, time
src, dst, frames = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", src))
u.settimeout(0.5)
hdr = lambda cookie: struct.pack("!III", 0x30000, 0x51, cookie)
got = []
def drain(secs):
    end = time.time() + secs
    while time.time() < end:
        try:
            d, _ = u.recvfrom(65536)
        except socket.timeout:
            continue
        # A sends session 0x15, cookie 0xa5a5a5a5: anything else is wrong.
        if d[:12] == struct.pack("!III", 0x30000, 0x15, 0xa5a5a5a5):
            got.append(d[12:])
for _ in range(3):
    u.sendto(hdr(0x5eed0002) + bytes.fromhex(frames[0]), ("127.0.0.1", dst))
    drain(1)
for _ in range(3):
    u.sendto(hdr(0x5eed0001) + bytes.fromhex(frames[1]), ("127.0.0.1", dst))
    drain(1)
drain(2)
for f in got:
    print(f.hex())
"""


@test
def mcast_and_l2tpv3_wires():
    r = subprocess.run(["ip", "netns", "add", NS], capture_output=True,
                       text=True)
    if r.returncode:
        raise Fail("cannot create a network namespace (root needed): %s"
                   % r.stderr)
    vms = []
    try:
        # Multicast on the namespace's loopback (localaddr=127.0.0.1).
        for cmd in (["ip", "link", "set", "lo", "up", "multicast", "on"],
                    ["ip", "route", "add", "224.0.0.0/4", "dev", "lo"]):
            r = in_ns(*cmd)
            check_eq(r.returncode, 0, "%s: %r" % (cmd, r.stderr))
        mcast = "socket,id=%s,mcast=" + GROUP + ",localaddr=127.0.0.1"
        # hemu A: hub 0 joins its NIC, the mcast wire, C's pseudowire and
        # the Python peer's.
        a = VM(HEMU, "10.0.5.1", "10.0.5.2", "e1000", "52:54:00:00:05:01",
               ["-netdev", "hubport,id=n0,hubid=0",
                "-netdev", mcast % "m0",
                "-netdev", "%s,id=l0" % l2tp(7201, 7202, 0xc1, 0x1c,
                                             "cookie64=on,counter=on,"
                                             "txcookie=0x0102030405060708,"
                                             "rxcookie=0x1112131415161718"),
                "-netdev", "%s,id=l1" % l2tp(7203, 7204, 0x15, 0x51,
                                             "txcookie=0xa5a5a5a5,"
                                             "rxcookie=0x5eed0001"),
                "-netdev", "hubport,id=h1,hubid=0,netdev=m0",
                "-netdev", "hubport,id=h2,hubid=0,netdev=l0",
                "-netdev", "hubport,id=h3,hubid=0,netdev=l1"])
        vms.append(a)
        b = VM(HEMU, "10.0.5.2", "10.0.5.3", "virtio-net-pci",
               "52:54:00:00:05:02", ["-netdev", mcast % "n0"])
        vms.append(b)
        q = VM("qemu-system-x86_64", "10.0.5.3", "10.0.5.4", "e1000",
               "52:54:00:00:05:03", ["-netdev", mcast % "n0"])
        vms.append(q)
        c = VM(HEMU, "10.0.5.4", "10.0.5.1", "rtl8139", "52:54:00:00:05:04",
               ["-netdev", "%s,id=n0" % l2tp(7202, 7201, 0x1c, 0xc1,
                                             "cookie64=on,counter=on,"
                                             "txcookie=0x1112131415161718,"
                                             "rxcookie=0x0102030405060708")])
        vms.append(c)
        t0 = time.time()
        while time.time() < t0 + TIMEOUT and any(
                v.value("ping") is None and v.proc.poll() is None
                for v in vms):
            time.sleep(1)
        for v in vms:
            check_eq(v.value("ping"), "ok", "%s ping (console tail %r)"
                     % (v.name, v.text[-800:]))
        print("# four VMs booted and pinged in %.0fs" % (time.time() - t0))
        p = in_ns(sys.executable, "-c", PEER, "7204", "7203",
                  arp_request("10.0.5.77", "10.0.5.1").hex(),
                  arp_request("10.0.5.66", "10.0.5.1").hex())
        check_eq(p.returncode, 0, "L2TPv3 peer: %r" % p.stderr)
        got = arp_replies(bytes.fromhex(x)
                          for x in p.stdout.decode().split())
        check("10.0.5.66" in got, "A's guest answered no ARP request "
              "sent with the right cookie (replies: %r)" % got)
        check("10.0.5.77" not in got, "an ARP request with a wrong L2TPv3 "
              "cookie reached A's guest")
    finally:
        for v in vms:
            v.stop()
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)


if __name__ == "__main__":
    # A SIGTERM (a suite's timeout) still removes the namespace and VMs.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit("terminated"))
    run_tests()
