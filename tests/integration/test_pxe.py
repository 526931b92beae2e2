# SPDX-License-Identifier: GPL-2.0-or-later
"""PXE provisioning: SeaBIOS runs the NIC's iPXE option ROM, which gets a
lease and the boot file by DHCP and loads Debian's pxelinux (packages
pxelinux, syslinux-common) over TFTP; pxelinux loads the demo guest's
Debian kernel and initramfs (scripts/build-demo-guest.sh DIR), which
prints its HEMU-TEST marker on the serial console and powers off.

- -netdev user,tftp=DIR,bootfile=pxelinux.0 (libslirp's DHCP and TFTP)
  with e1000 and -boot n, and with virtio-net-pci and bootindex=;
- dnsmasq (DHCP + TFTP) in a network namespace the test creates, on the
  other end of hemu's tap: the lease it hands out shows in its lease file.

Each case boots once.  Debian's netboot installer over PXE takes many
minutes under TCG: tests/integration/pxe_debian_installer.py (run by
hand, not part of make check)."""
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, ROOT, Fail, TempDir, check,  # noqa: E402
                      run_tests, test, demo_guest)

GUEST = os.path.join(ROOT, "build", "demo")
PXELINUX = "/usr/lib/PXELINUX/pxelinux.0"
LDLINUX = "/usr/lib/syslinux/modules/bios/ldlinux.c32"
DI = "/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64"
NS = "hemu-pxe-%d" % os.getpid()


def guest():
    return demo_guest()


def tftp_dir(tmp, kernel, initrd, append):
    """A TFTP root with pxelinux, its config and the files it loads."""
    for f in (PXELINUX, LDLINUX):
        check(os.path.exists(f), "%s missing (install pxelinux and "
              "syslinux-common)" % f)
    d = tmp("tftp")
    os.makedirs(os.path.join(d, "pxelinux.cfg"))
    shutil.copy(PXELINUX, d)
    shutil.copy(LDLINUX, d)
    shutil.copy(kernel, os.path.join(d, "vmlinuz"))
    shutil.copy(initrd, os.path.join(d, "initrd.gz"))
    with open(os.path.join(d, "pxelinux.cfg", "default"), "w") as f:
        f.write("SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\n"
                "LABEL linux\n  KERNEL vmlinuz\n"
                "  APPEND initrd=initrd.gz %s\n" % append)
    return d


class Run:
    """hemu with its serial console on stdout, collected by a thread."""

    def __init__(self, args, prefix=()):
        self.proc = subprocess.Popen(list(prefix) + [HEMU] + args,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.text = ""
        self.lock = threading.Lock()
        self.t0 = time.time()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.proc.stdout.read1(4096)
            if not b:
                return
            with self.lock:
                self.text += b.decode(errors="replace")

    def wait(self, what, timeout):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if what in self.text:
                    return time.time() - self.t0
            if self.proc.poll() is not None:
                time.sleep(0.5)
                with self.lock:
                    if what in self.text:
                        return time.time() - self.t0
                break
            time.sleep(0.5)
        with self.lock:
            tail = self.text[-1500:]
        raise Fail("%r not seen on the console; tail %r" % (what, tail))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def pxelinux_boot(nic_args, boot_args):
    kernel, initrd = guest()
    tmp = TempDir()
    d = tftp_dir(tmp, kernel, initrd, "console=ttyS0 quiet hemu.test=1")
    r = Run(["-nographic", "-m", "256",
             "-netdev", "user,id=n0,tftp=%s,bootfile=pxelinux.0" % d]
            + nic_args + boot_args)
    try:
        secs = r.wait("HEMU-TEST: done", 400)
        check("PXELINUX" in r.text, "pxelinux's banner not on the console")
        print("# PXE boot to the marker in %.0fs" % secs)
    finally:
        r.stop()
        tmp.__exit__()


@test
def pxelinux_over_slirp_tftp_e1000():
    pxelinux_boot(["-device", "e1000,netdev=n0"], ["-boot", "n"])


@test
def pxelinux_over_slirp_tftp_virtio_net():
    pxelinux_boot(["-device", "virtio-net-pci,netdev=n0,bootindex=1"], [])


def in_ns(*cmd):
    return subprocess.run(["ip", "netns", "exec", NS] + list(cmd),
                          capture_output=True, text=True, timeout=60)


@test
def dnsmasq_on_a_tap_pxe_boots_the_guest():
    check(shutil.which("dnsmasq"), "dnsmasq not installed")
    r = subprocess.run(["ip", "netns", "add", NS], capture_output=True,
                       text=True)
    if r.returncode:
        raise Fail("cannot create a network namespace (root needed): %s"
                   % r.stderr)
    kernel, initrd = guest()
    tmp = TempDir()
    run = dns = None
    try:
        in_ns("ip", "link", "set", "lo", "up")
        d = tftp_dir(tmp, kernel, initrd, "console=ttyS0 quiet hemu.test=1")
        up = tmp("ifup")
        with open(up, "w") as f:
            f.write("#!/bin/sh\nip addr add 10.0.4.1/24 dev \"$1\"\n"
                    "ip link set \"$1\" up\n")
        os.chmod(up, 0o755)
        leases = tmp("leases")
        # bind-dynamic: dnsmasq picks the tap up once hemu created it.
        dns = subprocess.Popen(
            ["ip", "netns", "exec", NS, "dnsmasq", "--no-daemon",
             "--conf-file=/dev/null", "--port=0", "--bind-dynamic",
             "--interface=hemupxe0", "--dhcp-range=10.0.4.50,10.0.4.99,1h",
             "--dhcp-boot=pxelinux.0", "--enable-tftp",
             "--tftp-root=%s" % d, "--dhcp-leasefile=%s" % leases,
             "--pid-file=%s" % tmp("dnsmasq.pid"), "--log-facility=-"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        run = Run(["-nographic", "-m", "256",
                   "-netdev", "tap,id=t0,ifname=hemupxe0,script=%s,"
                   "downscript=no" % up,
                   "-device", "virtio-net-pci,netdev=t0,"
                   "mac=52:54:00:00:04:02,bootindex=1"],
                  prefix=["ip", "netns", "exec", NS])
        secs = run.wait("HEMU-TEST: done", 400)
        check("PXELINUX" in run.text, "pxelinux's banner not on the console")
        with open(leases) as f:
            lease = f.read()
        check("52:54:00:00:04:02" in lease and "10.0.4." in lease,
              "dnsmasq's lease file: %r" % lease)
        print("# PXE boot from dnsmasq over tap in %.0fs" % secs)
    finally:
        if run:
            run.stop()
        if dns:
            dns.terminate()
            try:
                dns.wait(10)
            except subprocess.TimeoutExpired:
                dns.kill()
                dns.wait()
        subprocess.run(["ip", "netns", "del", NS], capture_output=True)
        tmp.__exit__()


if __name__ == "__main__":
    run_tests()
