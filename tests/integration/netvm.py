# SPDX-License-Identifier: GPL-2.0-or-later
"""The net demo guest (scripts/build-demo-guest.sh DIR net) as a VM inside
a network namespace the test made: hemu or QEMU with one NIC on netdev
n0, the guest configured by hemu.ip=/hemu.ping= and reporting its
results as "HEMU-NET: key=value" lines on the serial console, which a
thread collects.  Shared by the tap, socket, mcast and l2tpv3 VM tests."""
import os
import subprocess
import threading

from hemutest import ROOT, Fail

GUEST = os.path.join(ROOT, "build", "demo")


def net_guest():
    """(kernel, initrd) of the net demo guest, built if needed."""
    r = subprocess.run([os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        GUEST, "net"], capture_output=True, text=True,
                       timeout=900)
    if r.returncode != 0:
        raise Fail("build-demo-guest.sh net failed: %s" % r.stderr)
    return r.stdout.split()[:2]


class NetVM:
    """links: more NICs, each (ip, peer, nic, mac) on netdev n1, n2 (which
    netargs defines), reported as ping1=, ping2=."""

    def __init__(self, ns, emu, ip, peer, nic, mac, netargs, pass_fds=(),
                 links=()):
        kernel, initrd = net_guest()
        append = ("console=ttyS0 quiet hemu.net=1 hemu.ip=%s hemu.ping=%s "
                  "hemu.stay=900 hemu.wait=900" % (ip, peer))
        devs = ["-device", "%s,netdev=n0,mac=%s" % (nic, mac)]
        for n, (lip, lpeer, lnic, lmac) in enumerate(links, 1):
            append += " hemu.ip%d=%s hemu.ping%d=%s" % (n, lip, n, lpeer)
            devs += ["-device", "%s,netdev=n%d,mac=%s" % (lnic, n, lmac)]
        args = [emu, "-nographic", "-m", "160", "-kernel", kernel,
                "-initrd", initrd, "-append", append] + netargs + devs
        if "qemu-system" in emu:
            args[1:1] = ["-accel", "tcg"]
        self.ip = ip
        self.name = "%s %s %s" % (os.path.basename(emu), nic, ip)
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns] + args,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     pass_fds=pass_fds)
        self.text = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.proc.stdout.read1(4096)
            if not b:
                return
            self.text += b.decode(errors="replace")

    def value(self, key):
        """The last reported value of key, or None."""
        for line in self.text.splitlines():
            i = line.find("HEMU-NET: %s=" % key)
            if i >= 0:
                return line[i + len(key) + 11:].strip()
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
