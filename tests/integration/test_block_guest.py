# SPDX-License-Identifier: GPL-2.0-or-later
"""Storage seen by guests: Debian's SeaBIOS boots a raw and a qcow2 hard
disk through the PIIX3 IDE (a boot sector from tests/guest/boot reads LBA
1-3 with INT 13h and writes LBA 5), an ISO made with xorriso and isolinux
through -cdrom; -snapshot and snapshot=on leave the image untouched,
readonly=on makes the guest's write fail in the guest while hemu goes on;
the same disk under QEMU gives the same output (the reference)."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, TempDir, check, check_eq, run_tests, test  # noqa: E402

BOOT = os.path.join(ROOT, "tests", "guest", "boot")
HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")
PAYLOAD = b"DISK-READ-OK-FROM-LBA1\r\n\0"


def nasm(src, out):
    subprocess.run(["nasm", "-f", "bin", "-o", out, os.path.join(BOOT, src)],
                   check=True)


def make_disk(t, name="disk.raw"):
    nasm("mbr-disk.asm", t("mbr.bin"))
    with open(t("mbr.bin"), "rb") as f:
        mbr = f.read()
    path = t(name)
    with open(path, "wb") as f:
        f.write(mbr)
        f.write(PAYLOAD.ljust(512, b"\0"))
        f.truncate(8 << 20)
    return path


def run_guest(emu, args, timeout=120):
    cmd = [emu, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "64",
           "-device", "isa-debug-exit"] + args
    if emu != HEMU:
        cmd[1:1] = ["-accel", "tcg"]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout)
    return r.returncode, r.stdout.decode("latin-1") + r.stderr.decode("latin-1")


def sector(path, n, fmt="raw"):
    if fmt != "raw":
        subprocess.run(["qemu-img", "convert", "-O", "raw", path, path + ".r"],
                       check=True)
        path = path + ".r"
    with open(path, "rb") as f:
        f.seek(n * 512)
        return f.read(512)


@test
def seabios_boots_raw_disk_and_guest_writes():
    with TempDir() as t:
        disk = make_disk(t)
        rc, out = run_guest(HEMU, ["-drive", "file=%s,format=raw,if=ide" % disk])
        check("BOOT-SECTOR-RUNNING" in out, "no boot: %r" % out[-500:])
        check("DISK-READ-OK-FROM-LBA1" in out, "INT 13h read: %r" % out[-300:])
        check("WRITE-OK" in out, "INT 13h write: %r" % out[-300:])
        check_eq(rc, 0x31 * 2 + 1, "exit status")
        check(sector(disk, 5).startswith(PAYLOAD), "LBA 5 not written")
        # QEMU (the reference) prints the same.
        disk2 = make_disk(t, "disk2.raw")
        qrc, qout = run_guest("qemu-system-x86_64",
                              ["-drive", "file=%s,format=raw,if=ide" % disk2])
        for m in ("BOOT-SECTOR-RUNNING", "DISK-READ-OK-FROM-LBA1", "WRITE-OK"):
            check(m in qout, "QEMU reference lacks %s" % m)


@test
def seabios_boots_qcow2_disk_with_hda_and_probe():
    with TempDir() as t:
        raw = make_disk(t)
        q = t("disk.qcow2")
        subprocess.run([HEMU_IMG, "convert", "-q", "-O", "qcow2", raw, q],
                       check=True)
        rc, out = run_guest(HEMU, ["-hda", q])
        check("DISK-READ-OK-FROM-LBA1" in out and "WRITE-OK" in out,
              "qcow2 boot: %r" % out[-400:])
        subprocess.run(["qemu-img", "check", "-q", q], check=True)
        check(sector(q, 5, "qcow2").startswith(PAYLOAD), "LBA 5 in the qcow2")


@test
def snapshot_leaves_image_untouched():
    with TempDir() as t:
        disk = make_disk(t)
        with open(disk, "rb") as f:
            before = f.read()
        for args in (["-snapshot", "-hda", disk],
                     ["-drive", "file=%s,format=raw,snapshot=on" % disk]):
            rc, out = run_guest(HEMU, args)
            check("WRITE-OK" in out, "guest write under %s: %r" % (args, out[-300:]))
            with open(disk, "rb") as f:
                check(f.read() == before, "image changed under %s" % args)


@test
def readonly_write_fails_in_guest():
    with TempDir() as t:
        disk = make_disk(t)
        rc, out = run_guest(HEMU, ["-drive",
                                   "file=%s,format=raw,readonly=on" % disk])
        check("DISK-READ-OK-FROM-LBA1" in out, "read: %r" % out[-300:])
        check("WRITE-FAILED" in out, "write should fail: %r" % out[-300:])
        check_eq(rc, 0x31 * 2 + 1, "hemu went on to the exit device")
        check(sector(disk, 5) == bytes(512), "read-only image was written")


@test
def seabios_boots_isolinux_cdrom():
    if not shutil.which("xorriso") or not os.path.exists(
            "/usr/lib/ISOLINUX/isolinux.bin"):
        raise Fail("xorriso/isolinux missing (scripts/install-deps.sh)")
    with TempDir() as t:
        iso = t("iso")
        os.makedirs(os.path.join(iso, "isolinux"))
        for f in ("/usr/lib/ISOLINUX/isolinux.bin",
                  "/usr/lib/syslinux/modules/bios/ldlinux.c32"):
            shutil.copy(f, os.path.join(iso, "isolinux"))
        nasm("cd-hello.asm", os.path.join(iso, "isolinux", "hello.bs"))
        with open(os.path.join(iso, "isolinux", "isolinux.cfg"), "w") as f:
            f.write("SERIAL 0 115200\nDEFAULT hello\nPROMPT 0\n"
                    "LABEL hello\n  KERNEL hello.bs\n")
        subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", t("t.iso"),
                        "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
                        "-no-emul-boot", "-boot-load-size", "4",
                        "-boot-info-table", iso], check=True,
                       capture_output=True)
        rc, out = run_guest(HEMU, ["-cdrom", t("t.iso")])
        check("Booting from DVD/CD" in out, "SeaBIOS CD boot: %r" % out[-400:])
        check("ISOLINUX" in out, "isolinux did not start: %r" % out[-400:])
        check("CHAINED-BOOT-SECTOR-OK" in out, "isolinux chain: %r" % out[-400:])
        check_eq(rc, 0x21 * 2 + 1, "exit status")
        # A disk and the CD: -drive media=cdrom on the secondary master.
        disk = make_disk(t)
        rc, out = run_guest(HEMU, ["-hda", disk, "-drive",
                                   "file=%s,media=cdrom,index=2" % t("t.iso")])
        check("BOOT-SECTOR-RUNNING" in out, "disk first in 'cad': %r" % out[-300:])


@test
def bad_drive_options_fail_clearly():
    with TempDir() as t:
        x, y = make_disk(t, "x.raw"), make_disk(t, "y.raw")
        _bad_drive_options(x, y)


def _bad_drive_options(x, y):
    for args, msg in ((["-drive", "file=/nonexistent.img"], "Could not open"),
                      (["-drive", "file=%s,if=scsi" % x], "not supported"),
                      (["-drive", "file=%s,cache=bogus" % x], "invalid cache option"),
                      (["-drive", "file=%s,werror=bogus" % x], "invalid write error"),
                      (["-drive", "if=ide"], "needs a medium"),
                      (["-drive", "file=%s,format=qcow2" % x], "not in qcow2 format"),
                      (["-drive", "file=%s,bogus=1" % x], "Invalid parameter 'bogus'"),
                      (["-hda", x, "-drive", "file=%s,index=0" % y], "exists")):
        r = subprocess.run([HEMU, "-nographic"] + args, capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL)
        check(r.returncode == 1, "%s: exit %d" % (args, r.returncode))
        check(msg in r.stderr, "%s: %r" % (args, r.stderr))


run_tests()
