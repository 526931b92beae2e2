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

- Debian's netboot installer (debian-installer-12-netboot-amd64) over
  PXE on virtio-net: pxelinux loads its kernel and 40 MB initrd, and the
  installer reaches its first dialog (the language), once read on the
  serial console (console=ttyS0) and once, at the same time, on the
  screen (the kernel's framebuffer console on -vga std) seen by a VNC
  client (the newt dialog's colours, and the
  client's picture equal to a screendump).

Each case boots once."""
import os
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, ROOT, QMP, Fail, TempDir, check,  # noqa: E402
                      connect_unix, run_tests, test, demo_guest, wait_for)
import rfb  # noqa: E402

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


def newt_dialog_shown(rgb):
    """The installer's newt screen on the Linux console: a grey dialog
    (console colour 7) over most of the screen, framed by the blue root
    window (colour 1).  The kernel's console before it is black with
    sparse grey text and no blue."""
    blue = grey = n = 0
    for i in range(0, len(rgb) - 2, 3 * 7):      # every 7th pixel is plenty
        r, g, b = rgb[i], rgb[i + 1], rgb[i + 2]
        n += 1
        if r < 0x30 and g < 0x30 and 0x90 <= b <= 0xc0:
            blue += 1
        elif r == g == b and 0x90 <= r <= 0xc0:
            grey += 1
    return blue > n * 0.02 and grey > n * 0.4


@test
def debian_installer_over_pxe_serial_and_vnc():
    for f in ("linux", "initrd.gz"):
        check(os.path.exists(os.path.join(DI, f)), "%s/%s missing (install "
              "debian-installer-12-netboot-amd64)" % (DI, f))
    kernel, initrd = os.path.join(DI, "linux"), os.path.join(DI, "initrd.gz")
    tmp = TempDir()
    serial_dir = tftp_dir(tmp, kernel, initrd, "console=ttyS0 priority=high")
    os.makedirs(tmp("vga"))
    vga_dir = tftp_dir(lambda n: tmp("vga/" + n), kernel, initrd,
                       "priority=high")
    common = ["-m", "1024", "-device", "virtio-net-pci,netdev=n0",
              "-boot", "n"]
    # Both at once: each is one vCPU thread, the host has two cores.
    serial = Run(["-nographic"] + common +
                 ["-netdev", "user,id=n0,tftp=%s,bootfile=pxelinux.0"
                  % serial_dir])
    vga = Run(["-display", "none", "-vga", "std", "-serial", "null",
               "-vnc", "unix:%s" % tmp("vnc.sock"),
               "-qmp", "unix:%s,server=on,wait=off" % tmp("qmp.sock")] +
              common + ["-netdev", "user,id=n0,tftp=%s,bootfile=pxelinux.0"
                        % vga_dir])
    q = None
    try:
        secs = serial.wait("Choose the language", 900)
        print("# debian-installer's first dialog on the serial console "
              "after %.0fs" % secs)
        q = QMP(connect_unix(tmp("qmp.sock")))
        q.cmd("qmp_capabilities")
        client = rfb.RFBClient(connect_unix(tmp("vnc.sock")))

        def shown():
            client.refresh()
            if newt_dialog_shown(client.pixels_rgb()):
                return True
            time.sleep(1)       # a full-screen update per second is enough
            return False
        wait_for(shown, 600, "the installer's dialog in the VNC picture")
        print("# ... and in the VNC picture after %.0fs"
              % (time.time() - vga.t0))
        # the kernel's bochs-drm console (1024x768), or VGA text mode
        check(client.width >= 640 and client.height >= 400,
              "picture %dx%d" % (client.width, client.height))
        def picture():
            client.refresh()
            return client.width, client.height, client.pixels_rgb()
        check(rfb.matches_dump(q, tmp, picture),
              "the VNC picture differs from the screendump")
        client.close()
    finally:
        if q:
            q.close()
        serial.stop()
        vga.stop()
        tmp.__exit__()


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
