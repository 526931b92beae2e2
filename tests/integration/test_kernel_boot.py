# SPDX-License-Identifier: GPL-2.0-or-later
"""Direct Linux boot (-kernel/-initrd/-append) with Debian's cloud kernel
(package linux-image-cloud-amd64, fetched with apt-get download into
build/kernel-cache and unpacked with dpkg-deb; never committed).

hemu must get the kernel's real-mode setup code running: its first words on
the serial console ("Probing EDD", the missing-CPU-features message, or
later ones like the "Linux version" banner) prove that the option ROM
loaded the setup code, kernel, command line and initrd per the boot
protocol.  The same command under qemu-system-x86_64 -accel tcg is the
reference and must print the banner.  Where hemu's kernel gets as far as
printing its command line and initrd placement, those lines must equal
QEMU's."""
import glob
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, TempDir, check, check_eq, run_tests, test  # noqa: E402

QEMU = "qemu-system-x86_64"
CACHE = os.path.join(ROOT, "build", "kernel-cache")
SETUP_MARKS = ("Probing EDD", "requires the following features",
               "Unable to boot", "Decompressing", "Booting the kernel",
               "Linux version")
APPEND = "console=ttyS0 earlyprintk=ttyS0 hemu.marker=kb42"


def fetch_kernel():
    """The vmlinuz of the newest linux-image-*-cloud-amd64 in the cache,
    downloaded on first use."""
    found = sorted(glob.glob(os.path.join(CACHE, "boot", "vmlinuz-*-cloud-amd64")))
    if found:
        return found[-1]
    os.makedirs(CACHE, exist_ok=True)
    r = subprocess.run(["apt-get", "download", "linux-image-cloud-amd64"],
                       cwd=CACHE, capture_output=True, timeout=300)
    metas = glob.glob(os.path.join(CACHE, "linux-image-cloud-amd64_*.deb"))
    if r.returncode != 0 or not metas:
        raise Fail("apt-get download linux-image-cloud-amd64 failed: %s"
                   % r.stderr.decode(errors="replace"))
    # The meta package depends on the versioned image package.
    dep = subprocess.run(["dpkg-deb", "-f", metas[0], "Depends"],
                         capture_output=True, text=True).stdout
    name = dep.split(",")[0].split()[0]
    r = subprocess.run(["apt-get", "download", name], cwd=CACHE,
                       capture_output=True, timeout=600)
    debs = glob.glob(os.path.join(CACHE, name + "_*.deb"))
    if r.returncode != 0 or not debs:
        raise Fail("apt-get download %s failed" % name)
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", debs[0]],
                           stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", CACHE, "--wildcards", "./boot/vmlinuz*"],
                   stdin=tar.stdout, check=True)
    tar.wait()
    found = sorted(glob.glob(os.path.join(CACHE, "boot", "vmlinuz-*-cloud-amd64")))
    if not found:
        raise Fail("no vmlinuz in %s" % debs[0])
    return found[-1]


def run_until(args, done, timeout):
    """Run args, collecting stdout until done(text) or the timeout; then
    stop the process.  Returns the text."""
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.set_blocking(p.stdout.fileno(), False)
    buf = b""
    end = time.time() + timeout
    try:
        while time.time() < end:
            chunk = p.stdout.read()
            if chunk:
                buf += chunk
                if done(buf.decode(errors="replace")):
                    break
            elif p.poll() is not None:
                break
            else:
                time.sleep(0.1)
    finally:
        if p.poll() is None:
            p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return buf.decode(errors="replace")


def boot(emu, kernel, initrd, mark_done, timeout):
    args = [emu]
    if "qemu-system" in emu:
        args += ["-accel", "tcg"]
    args += ["-machine", "pc", "-nographic", "-m", "256", "-no-reboot",
             "-kernel", kernel, "-append", APPEND]
    if initrd:
        args += ["-initrd", initrd]
    return run_until(args, mark_done, timeout)


def line_with(text, word):
    for line in text.splitlines():
        if word in line:
            return line[line.index(word):].strip()
    return None


def ramdisk(line):
    # "RAMDISK: [mem 0x0fce0000-0x0ffdffff]"
    a, b = line.split("[mem ")[1].rstrip("]").split("-")
    return int(a, 16), int(b, 16) + 1


@test
def debian_kernel_setup_runs():
    kernel = fetch_kernel()
    with TempDir() as t:
        initrd = t("initrd.img")
        with open(initrd, "wb") as f:
            f.write(os.urandom(3 << 20))
        qout = boot(QEMU, kernel, initrd, lambda s: "RAMDISK:" in s, 120)
        check("Linux version" in qout,
              "QEMU (the reference) prints the kernel banner: %r" % qout[-2000:])
        hout = boot(HEMU, kernel, initrd,
                    lambda s: "RAMDISK:" in s or "features" in s, 120)
        check(any(m in hout for m in SETUP_MARKS),
              "the kernel's setup code runs under hemu: %r" % hout[-2000:])
        # As far as hemu's kernel gets: the same command line, and the
        # initrd at the top of the RAM under the firmware's ACPI area, as
        # QEMU's loader puts it (the reserved size differs by QEMU version,
        # so the end may sit up to 64 KiB lower).
        h = line_with(hout, "Command line:")
        if h is not None:
            check_eq(h, line_with(qout, "Command line:"), "Command line")
        h = line_with(hout, "RAMDISK:")
        if h is not None:
            hs, he = ramdisk(h)
            qs, qe = ramdisk(line_with(qout, "RAMDISK:"))
            check_eq(he - hs, qe - qs, "initrd size")
            check(hs % 4096 == 0 and qe - 0x10000 <= he <= qe,
                  "initrd placement %s against QEMU's %s" % (h, qe))


@test
def append_without_kernel_refused():
    r = subprocess.run([HEMU, "-nographic", "-append", "x"],
                       capture_output=True, text=True, timeout=30)
    check_eq(r.returncode, 1, r.stderr)
    check("-append only allowed with -kernel option" in r.stderr, r.stderr)
    r = subprocess.run([HEMU, "-nographic", "-initrd", "x"],
                       capture_output=True, text=True, timeout=30)
    check_eq(r.returncode, 1, r.stderr)
    check("-initrd only allowed with -kernel option" in r.stderr, r.stderr)


@test
def bad_kernel_refused():
    with TempDir() as t:
        bad = t("truncated")
        kernel = fetch_kernel()
        with open(kernel, "rb") as f:
            head = f.read(4096)
        with open(bad, "wb") as f:
            f.write(head[:0x300])
        r = subprocess.run([HEMU, "-nographic", "-kernel", bad],
                           capture_output=True, text=True, timeout=30)
        check_eq(r.returncode, 1, r.stderr)
        check("could not load kernel '%s'" % bad in r.stderr, r.stderr)
        r = subprocess.run([HEMU, "-nographic", "-kernel", t("missing")],
                           capture_output=True, text=True, timeout=30)
        check_eq(r.returncode, 1, r.stderr)
        check("could not open kernel file" in r.stderr, r.stderr)


run_tests()
