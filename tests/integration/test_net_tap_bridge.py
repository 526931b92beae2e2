# SPDX-License-Identifier: GPL-2.0-or-later
"""tap options the caller or a helper provides, on a bridge in a network
namespace this test creates (nothing leaves it):

    namespace: bridge hbrN 10.0.6.254/24
      |- hemu A (virtio-net): -netdev tap,br=hbrN,helper=qemu-bridge-helper
      |- hemu B (virtio-net): -netdev tap,fds=X:Y, a two-queue tap the
      |                       test opens itself (as libvirt) with
      |                       IFF_VNET_HDR|IFF_MULTI_QUEUE and enslaves
      |- hemu (machine none): -netdev bridge,br=hbrN (the default helper)

Debian's /usr/lib/qemu/qemu-bridge-helper (qemu-system-common) is the
helper; /etc/qemu/bridge.conf gets an "allow hbrN" line for the test's
run.  A pings B and B pings A; from the namespace both are pinged and a
file from each guest's busybox httpd is fetched with an md5 check (the
guests' TCP segments go to the host kernel with their virtio-net
headers), and the guests' /proc/interrupts shows virtio-net on MSI-X
vectors.  -netdev bridge's tap shows up on the bridge; queues=2 by
ifname makes a multiqueue tap; bad combinations are refused."""
import fcntl
import hashlib
import os
import re
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netvm import NetVM  # noqa: E402
from hemutest import (HEMU, ROOT, Fail, TempDir, check, check_eq,  # noqa: E402
                      run_tests, test, wait_for)

GUEST = os.path.join(ROOT, "build", "demo")
TIMEOUT = 900
TAG = os.getpid() % 100000
NS = "hemu-br-%d" % TAG
BR = "hbr%d" % TAG
HELPER = "/usr/lib/qemu/qemu-bridge-helper"
ACL = "/etc/qemu/bridge.conf"

TUNSETIFF = 0x400454ca
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000
IFF_VNET_HDR, IFF_MULTI_QUEUE = 0x4000, 0x0100




def in_ns(*cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", NS] + list(cmd),
                          capture_output=True, text=True,
                          timeout=kw.get("timeout", 60))


def ns_ok(*cmd):
    r = in_ns(*cmd)
    check_eq(r.returncode, 0, "%s: %s" % (" ".join(cmd), r.stderr))
    return r.stdout


def open_tap_queue(name):
    """A queue of multiqueue tap name, opened as libvirt does."""
    fd = os.open("/dev/net/tun", os.O_RDWR)
    ifr = struct.pack("16sH22x", name.encode(),
                      IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE)
    fcntl.ioctl(fd, TUNSETIFF, ifr)
    return fd


def VM(ip, peer, mac, netargs, pass_fds=()):
    return NetVM(NS, HEMU, ip, peer, "virtio-net-pci", mac, netargs,
                 pass_fds)


def bridge_ports():
    out = ns_ok("ip", "-o", "link", "show", "master", BR)
    return [ln.split(":")[1].strip().split("@")[0] for ln in out.splitlines()]


@test
def bridge_helper_and_caller_fds():
    if not os.access(HELPER, os.X_OK):
        raise Fail("%s missing (qemu-system-common)" % HELPER)
    r = subprocess.run(["ip", "netns", "add", NS], capture_output=True,
                       text=True)
    if r.returncode:
        raise Fail("cannot create a network namespace (root needed): %s"
                   % r.stderr)
    acl_old = None
    if os.path.exists(ACL):
        with open(ACL) as f:
            acl_old = f.read()
    vms, fds, extra = [], [], []
    tmp = TempDir()
    try:
        os.makedirs(os.path.dirname(ACL), exist_ok=True)
        with open(ACL, "w") as f:
            f.write((acl_old or "") + "allow %s\n" % BR)
        ns_ok("ip", "link", "set", "lo", "up")
        ns_ok("ip", "link", "add", BR, "type", "bridge")
        ns_ok("ip", "addr", "add", "10.0.6.254/24", "dev", BR)
        ns_ok("ip", "link", "set", BR, "up")
        # B's tap: two queues opened here, moved into the namespace.
        tapb = "hfd%d" % TAG
        fds = [open_tap_queue(tapb), open_tap_queue(tapb)]
        r = subprocess.run(["ip", "link", "set", tapb, "netns", NS],
                           capture_output=True, text=True)
        check_eq(r.returncode, 0, "moving %s: %s" % (tapb, r.stderr))
        ns_ok("ip", "link", "set", tapb, "master", BR, "up")
        a = VM("10.0.6.1", "10.0.6.2", "52:54:00:00:06:01",
               ["-netdev", "tap,id=n0,br=%s,helper=%s" % (BR, HELPER)])
        vms.append(a)
        b = VM("10.0.6.2", "10.0.6.1", "52:54:00:00:06:02",
               ["-netdev", "tap,id=n0,fds=%d:%d" % tuple(fds)],
               pass_fds=fds)
        vms.append(b)
        for fd in fds:
            os.close(fd)    # hemu B holds the queues now
        fds = []
        # -netdev bridge with the default helper, no guest.
        c = subprocess.Popen(["ip", "netns", "exec", NS, HEMU, "-S",
                              "-display", "none", "-nodefaults",
                              "-machine", "none", "-netdev",
                              "bridge,id=b0,br=%s" % BR],
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        extra.append(c)
        # queues=2 by name: a multiqueue tap hemu opens itself.
        mq = "hmq%d" % TAG
        d = subprocess.Popen(["ip", "netns", "exec", NS, HEMU, "-S",
                              "-display", "none", "-nodefaults",
                              "-machine", "none", "-netdev",
                              "tap,id=t0,ifname=%s,queues=2,script=no,"
                              "downscript=no" % mq],
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        extra.append(d)
        end = time.time() + 60
        while time.time() < end and len(bridge_ports()) < 3:
            time.sleep(0.5)
        # A's helper tap, B's tap, the -netdev bridge one.
        check_eq(len(bridge_ports()), 3, "ports of %s: %r (hemu: %r)"
                 % (BR, bridge_ports(), c.poll()))
        check(tapb in bridge_ports(), "B's tap left the bridge")
        while time.time() < end and in_ns("ip", "link", "show",
                                          mq).returncode:
            time.sleep(0.5)
        info = ns_ok("ip", "-d", "link", "show", mq)
        check("multi_queue" in info, "queues=2 tap is not multiqueue: %r"
              % info)
        t0 = time.time()
        while time.time() < t0 + TIMEOUT and any(
                v.value("ping") is None and v.proc.poll() is None
                for v in vms):
            time.sleep(1)
        for v in vms:
            check_eq(v.value("ping"), "ok", "%s ping (console tail %r)"
                     % (v.ip, v.text[-800:]))
        print("# two VMs booted and pinged in %.0fs" % (time.time() - t0))
        # virtio-net-pci's MSI-X: the driver puts each queue on its own
        # vector (virtioN-input.0, -output.0, -config), not one INTx line.
        for v in vms:
            # The guest prints its interrupt lines after the pings.
            wait_for(lambda: v.value("virtio-irqs") is not None
                     or v.proc.poll() is not None, timeout=120,
                     what="%s's interrupt lines" % v.ip)
            irqs = (v.value("virtio-irqs") or "").split()
            print("# %s interrupts: %s" % (v.ip, " ".join(irqs)))
            check(any(re.fullmatch(r"virtio\d+-input\.0", i) for i in irqs)
                  and any(i.endswith("-config") for i in irqs),
                  "%s: no MSI-X vectors in /proc/interrupts: %r"
                  % (v.ip, irqs))
        for v in vms:
            p = in_ns(os.path.join(GUEST, "busybox"), "ping", "-c", "2",
                      "-W", "10", v.ip)
            check_eq(p.returncode, 0, "ping %s from the namespace: %r"
                     % (v.ip, p.stdout[-300:]))
            out = tmp("from-" + v.ip)
            p = in_ns("curl", "-s", "-m", "120", "-o", out,
                      "http://%s:8080/guest.bin" % v.ip, timeout=180)
            check_eq(p.returncode, 0, "curl from %s" % v.ip)
            with open(out, "rb") as f:
                got = hashlib.md5(f.read()).hexdigest()
            check_eq(got, v.value("guest-md5"), "md5 of %s's file" % v.ip)
    finally:
        for v in vms:
            v.stop()
        for p in extra:
            if p.poll() is None:
                p.kill()
            p.wait()
        for fd in fds:
            os.close(fd)
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
        if acl_old is None:
            if os.path.exists(ACL):
                os.unlink(ACL)
        else:
            with open(ACL, "w") as f:
                f.write(acl_old)
        tmp.__exit__()


def refused(netdev, words):
    r = subprocess.run([HEMU, "-S", "-display", "none", "-nodefaults",
                        "-machine", "none", "-netdev", netdev],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode != 0, "%s was accepted" % netdev)
    check(words in r.stderr, "%s: %r lacks %r" % (netdev, r.stderr, words))


@test
def bad_tap_options():
    refused("tap,id=t0,fd=0,ifname=x", "invalid with fd=")
    refused("tap,id=t0,fds=0:zz", "Invalid file descriptor 'zz'")
    refused("tap,id=t0,helper=/bin/false,queues=2", "invalid with helper=")
    refused("tap,id=t0,queues=0", "queues=0")
    refused("bridge,id=b0,br=nosuchbr0,helper=/bin/false",
            "bridge helper /bin/false failed")


if __name__ == "__main__":
    # A SIGTERM (a suite's timeout) still removes the namespace and VMs.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit("terminated"))
    run_tests()
