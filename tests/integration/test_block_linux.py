# SPDX-License-Identifier: GPL-2.0-or-later
"""The Linux guest (scripts/build-demo-guest.sh, hemu.disk=1) on hemu's
storage, booted once: Debian's ata_piix finds the PIIX3 IDE disks and the
ATAPI CD-ROM (-device ide-cd), virtio_blk a legacy virtio-blk-pci disk; the guest writes a
pattern to the qcow2 disks with O_DIRECT and
fsync, and the host reads it back (qemu-img convert) and checks the
image with qemu-img check; a write to the readonly=on disk fails in the
guest while hemu goes on; sr0 reads the ISO's volume descriptor."""
import hashlib
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, TempDir, check, check_eq, run_tests, test, demo_guest  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")
HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")
RW_SECTORS = 64 << 11      # 64 MiB data disk
RO_SECTORS = 16 << 11      # 16 MiB read-only disk
VIRTIO_SECTORS = 48 << 11  # 48 MiB virtio-blk disk


def guest():
    return demo_guest()


def pattern_sha(sectors):
    line = ("HEMU-PATTERN-%d\n" % sectors).encode()
    data = (line * (1048576 // len(line) + 1))[:1048576]
    return hashlib.sha256(data).hexdigest(), data


def markers(out):
    return {m.group(1): m.group(2).strip()
            for m in re.finditer(r"HEMU-TEST: ([\w-]+)=([^\r\n]*)", out)}


@test
def linux_ide_disks_cdrom_readonly_and_readback():
    kernel, initrd = guest()
    if not shutil.which("xorriso"):
        raise Fail("xorriso missing (scripts/install-deps.sh)")
    with TempDir() as t:
        rw, ro, vd = t("rw.qcow2"), t("ro.raw"), t("vd.qcow2")
        subprocess.run([HEMU_IMG, "create", "-q", "-f", "qcow2", rw,
                        str(RW_SECTORS * 512)], check=True)
        subprocess.run([HEMU_IMG, "create", "-q", "-f", "qcow2", vd,
                        str(VIRTIO_SECTORS * 512)], check=True)
        with open(ro, "wb") as f:
            f.truncate(RO_SECTORS * 512)
        os.makedirs(t("iso"))
        with open(t("iso/hello.txt"), "w") as f:
            f.write("hello\n")
        subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", t("cd.iso"),
                        t("iso")], check=True, capture_output=True)
        cmd = [HEMU, "-nographic", "-nodefaults", "-serial", "stdio",
               "-m", "256", "-kernel", kernel, "-initrd", initrd,
               "-append", "console=ttyS0 quiet hemu.disk=1 hemu.rosize=%d"
               % RO_SECTORS,
               "-drive", "file=%s,format=qcow2,if=ide,index=0,cache=writeback" % rw,
               "-drive", "file=%s,format=raw,if=ide,index=1,readonly=on" % ro,
               # the CD-ROM as QEMU's -device ide-cd over an if=none drive
               "-drive", "file=%s,if=none,id=cd0,media=cdrom" % t("cd.iso"),
               "-device", "ide-cd,drive=cd0,bus=ide.1,unit=0,model=HEMU CD",
               # virtio-blk through the legacy interface (the modern one
               # is what SeaBIOS and Linux pick otherwise)
               "-drive", "file=%s,format=qcow2,if=none,id=vd0" % vd,
               "-device", "virtio-blk-pci,drive=vd0,disable-modern=on"]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=600)
        out = r.stdout.decode("latin-1")
        v = markers(out)
        check("HEMU-TEST: done" in out, "guest did not finish: %r" % out[-1500:])
        check_eq(r.returncode, 0, "hemu exit status")
        check_eq(v.get("write-%d" % RW_SECTORS), "ok", "guest write")
        want, data = pattern_sha(RW_SECTORS)
        check_eq(v.get("sha-%d" % RW_SECTORS), want, "guest read-back")
        check_eq(v.get("rowrite-%d" % RO_SECTORS), "failed",
                 "write to the readonly=on disk")
        check_eq(v.get("cd"), "CD001", "ISO volume descriptor through sr0")
        check_eq(v.get("write-%d" % VIRTIO_SECTORS), "ok", "virtio-blk write")
        check_eq(v.get("sha-%d" % VIRTIO_SECTORS), pattern_sha(VIRTIO_SECTORS)[0],
                 "virtio-blk read-back")
        # The host sees what the guest wrote.
        subprocess.run(["qemu-img", "check", "-q", rw], check=True)
        subprocess.run(["qemu-img", "convert", "-O", "raw", rw, t("rw.raw")],
                       check=True)
        with open(t("rw.raw"), "rb") as f:
            f.seek(1 << 20)
            check(f.read(1 << 20) == data, "pattern not in the image")
        subprocess.run(["qemu-img", "convert", "-O", "raw", vd, t("vd.raw")],
                       check=True)
        with open(t("vd.raw"), "rb") as f:
            f.seek(1 << 20)
            check(f.read(1 << 20) == pattern_sha(VIRTIO_SECTORS)[1],
                  "pattern not in the virtio image")
        with open(ro, "rb") as f:
            check(f.read() == bytes(RO_SECTORS * 512), "read-only disk changed")


run_tests()
