# SPDX-License-Identifier: GPL-2.0-or-later
"""The floppy controller and the ISA DMA controller: SeaBIOS boots a
boot sector (tests/guest/boot/fd-boot.asm, nasm) from 1.44M, 720K and
2.88M images through -fda / -drive if=floppy, which prints on the debug
console (-debugcon file:) and reads three sectors
at cylinder 1, head 1 with INT 13h and writes one back at cylinder 2
(checked in the image); the same 1.44M image under QEMU prints the same;
-fdb alone, a read-only floppy, an image larger than 2.88M and
if=floppy on bus 1 behave or fail as they should; Debian's generic kernel
(scripts/build-floppy-guest.sh) loads floppy.ko, reads all of /dev/fd0
(md5 equal to the image's) and writes to it."""
import hashlib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, TempDir, check, check_eq, run_tests, test  # noqa: E402

BOOT = os.path.join(ROOT, "tests", "guest", "boot")
GUEST = os.path.join(ROOT, "build", "floppy-guest")
LINES = ["FD-SECTOR-A-OK", "FD-SECTOR-C-OK"]


def boot_sector(t):
    out = t("fd.bin")
    if not os.path.exists(out):
        subprocess.run(["nasm", "-f", "bin", "-o", out,
                        os.path.join(BOOT, "fd-boot.asm")], check=True)
    with open(out, "rb") as f:
        return f.read()


def make_floppy(t, name, spt):
    img = bytearray(80 * 2 * spt * 512)
    img[:512] = boot_sector(t)
    lba = (1 * 2 + 1) * spt + 4         # cylinder 1, head 1, sector 5
    for k, text in ((0, b"FD-SECTOR-A-OK\r\n\0"), (2, b"FD-SECTOR-C-OK\r\n\0")):
        o = (lba + k) * 512
        img[o:o + len(text)] = text
    with open(t(name), "wb") as f:
        f.write(img)
    return t(name)


def run_vm(emu, args, timeout=120):
    """Boot; the boot sector's debug-console text, then hemu's output (the
    serial console with SeaBIOS's messages, stderr)."""
    with TempDir() as t:
        cmd = [emu, "-nographic", "-nodefaults", "-serial", "stdio",
               "-m", "32", "-debugcon", "file:" + t("debugcon.txt"),
               "-device", "isa-debug-exit", "-boot", "a"] + args
        if emu != HEMU:
            cmd[1:1] = ["-accel", "tcg"]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
        try:
            with open(t("debugcon.txt"), "rb") as f:
                dbg = f.read().decode("latin-1")
        except OSError:
            dbg = ""
    return r.returncode, (dbg + "\n--- serial and stderr ---\n" +
                          r.stdout.decode("latin-1") +
                          r.stderr.decode("latin-1"))


def guest_lines(out):
    """The boot sector's lines after its first."""
    lines = out.split("\n--- serial and stderr ---\n")[0].split("\r\n")
    check(lines[0] == "FLOPPY-BOOT-RUNNING", "boot sector did not run: %r"
          % out[-600:])
    return lines[1:-1] if lines[-1] == "" else lines[1:]


@test
def seabios_boots_floppies_of_each_size():
    with TempDir() as t:
        for spt, opt in ((18, "-fda"), (9, "if=floppy"), (36, "if=floppy")):
            img = make_floppy(t, "fd%d.img" % spt, spt)
            args = (["-fda", img] if opt == "-fda" else
                    ["-drive", "file=%s,format=raw,if=floppy,index=0" % img])
            rc, out = run_vm(HEMU, args)
            check_eq(guest_lines(out), LINES + ["FD-WRITE-OK"],
                     "guest output, %d sectors/track: %r" % (spt, out[-600:]))
            with open(img, "rb") as f:
                f.seek(2 * 2 * spt * 512)    # cylinder 2, head 0, sector 1
                check(f.read(17) == b"FD-SECTOR-A-OK\r\n\0",
                      "sector written at cylinder 2 (%d spt)" % spt)


@test
def same_output_as_qemu():
    with TempDir() as t:
        for emu in (HEMU, "qemu-system-x86_64"):
            img = make_floppy(t, "q.img", 18)
            rc, out = run_vm(emu, ["-drive",
                                   "file=%s,format=raw,if=floppy" % img])
            check_eq(guest_lines(out), LINES + ["FD-WRITE-OK"],
                     "%s: %r" % (emu, out[-600:]))


@test
def readonly_drive_b_and_bad_images():
    with TempDir() as t:
        img = make_floppy(t, "ro.img", 18)
        with open(img, "rb") as f:
            before = f.read()
        rc, out = run_vm(HEMU, ["-drive",
                                "file=%s,format=raw,if=floppy,readonly=on" % img])
        check_eq(guest_lines(out), LINES + ["FD-WRITE-FAILED"],
                 "read-only floppy: %r" % out[-600:])
        with open(img, "rb") as f:
            check(f.read() == before, "read-only image changed")
        # Drive B only: the machine starts (SeaBIOS boots A: only).
        p = subprocess.Popen([HEMU, "-nodefaults", "-display", "none", "-S",
                              "-fdb", img], stderr=subprocess.PIPE)
        try:
            p.wait(3)
            raise Fail("hemu -fdb exited: %r" % p.stderr.read())
        except subprocess.TimeoutExpired:
            pass
        finally:
            p.kill()
            p.wait()
            p.stderr.close()
        with open(t("big.img"), "wb") as f:
            f.truncate(3 << 20)
        r = subprocess.run([HEMU, "-nodefaults", "-display", "none", "-drive",
                            "file=%s,format=raw,if=floppy" % t("big.img")],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode != 0 and "larger than a 2.88M disk" in r.stderr,
              r.stderr)
        r = subprocess.run([HEMU, "-nodefaults", "-display", "none", "-drive",
                            "file=%s,format=raw,if=floppy,bus=1" % img],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode != 0 and "if=floppy" in r.stderr, r.stderr)


@test
def linux_floppy_driver_reads_and_writes():
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts",
                                           "build-floppy-guest.sh"), GUEST],
                       capture_output=True, text=True, timeout=900)
    if r.returncode:
        raise Fail("build-floppy-guest.sh failed: %s" % r.stderr[-500:])
    kernel, initrd = r.stdout.split()
    with TempDir() as t:
        data = os.urandom(1474560)
        with open(t("linux.img"), "wb") as f:
            f.write(data)
        cmd = [HEMU, "-nographic", "-nodefaults", "-serial", "stdio",
               "-m", "256", "-kernel", kernel, "-initrd", initrd,
               "-append", "console=ttyS0 quiet",
               "-drive", "file=%s,format=raw,if=floppy" % t("linux.img")]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=900)
        out = p.stdout.decode("latin-1")
        v = dict(re.findall(r"HEMU-TEST: ([\w-]+)=(\S*)", out))
        check("HEMU-TEST: done" in out, "guest did not finish: %r" % out[-1500:])
        check_eq(v.get("fd0-md5"), hashlib.md5(data).hexdigest(),
                 "md5 of /dev/fd0 in the guest")
        check_eq(v.get("fd0-write"), "ok", "guest write")
        line = b"HEMU-FLOPPY-WRITE\n"
        want = (line * (65536 // len(line) + 1))[:65536]
        with open(t("linux.img"), "rb") as f:
            f.seek(100 * 512)
            check(f.read(65536) == want, "guest's write not in the image")


run_tests()
