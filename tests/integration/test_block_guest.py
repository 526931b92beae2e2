# SPDX-License-Identifier: GPL-2.0-or-later
"""Storage seen by guests: Debian's SeaBIOS boots a raw and a qcow2 hard
disk through the PIIX3 IDE (a boot sector from tests/guest/boot reads LBA
1-3 with INT 13h and writes LBA 5), an ISO made with xorriso and isolinux
through -cdrom; -snapshot and snapshot=on leave the image untouched,
readonly=on makes the guest's write fail in the guest while hemu goes on;
the same disk under QEMU gives the same output (the reference)."""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, QMP, ROOT, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, run_tests, test, wait_for)

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
def seabios_boots_virtio_blk_legacy_and_modern():
    with TempDir() as t:
        for extra in ("", ",disable-legacy=on", ",disable-modern=on"):
            disk = make_disk(t, "v%d.raw" % len(extra))
            rc, out = run_guest(HEMU, [
                "-drive", "file=%s,format=raw,if=none,id=d0" % disk,
                "-device", "virtio-blk-pci,drive=d0" + extra])
            check("DISK-READ-OK-FROM-LBA1" in out and "WRITE-OK" in out,
                  "virtio-blk%s: %r" % (extra, out[-400:]))
            check(sector(disk, 5).startswith(PAYLOAD), "LBA 5 via virtio%s" % extra)
        q = t("v.qcow2")
        subprocess.run([HEMU_IMG, "convert", "-q", "-O", "qcow2",
                        make_disk(t, "vq.raw"), q], check=True)
        rc, out = run_guest(HEMU, ["-drive", "file=%s,if=virtio" % q])
        check("WRITE-OK" in out, "if=virtio qcow2: %r" % out[-400:])
        subprocess.run(["qemu-img", "check", "-q", q], check=True)


@test
def bootindex_puts_virtio_disk_first():
    """bootindex= on virtio-blk-pci reaches SeaBIOS through fw_cfg
    bootorder: without it the IDE disk boots first, with it the virtio
    disk (its LBA 1 says VIRTIO) does, under hemu as under QEMU."""
    with TempDir() as t:
        def disks(tag):
            ide = make_disk(t, "ide%s.raw" % tag)
            vio = make_disk(t, "vio%s.raw" % tag)
            with open(vio, "r+b") as f:
                f.seek(512)
                f.write(b"VIRTIO-READ-OK-FROM-LBA1\r\n\0")
            return ["-drive", "file=%s,format=raw,if=ide,index=0" % ide,
                    "-drive", "file=%s,format=raw,if=none,id=v0" % vio]
        for emu in ("qemu-system-x86_64", HEMU):
            rc, out = run_guest(emu, disks("a") + [
                "-device", "virtio-blk-pci,drive=v0"])
            check("DISK-READ-OK-FROM-LBA1" in out and "VIRTIO-READ" not in out,
                  "%s: IDE first without bootindex: %r" % (emu, out[-300:]))
            rc, out = run_guest(emu, disks("b") + [
                "-device", "virtio-blk-pci,drive=v0,bootindex=1"])
            check("VIRTIO-READ-OK-FROM-LBA1" in out,
                  "%s: virtio disk with bootindex=1 not booted first: %r"
                  % (emu, out[-300:]))


@test
def device_ide_hd_with_bootindex_boots_first():
    """-device ide-hd,drive=ID over -drive if=none: the bus=/unit=
    position and bootindex= (fw_cfg bootorder) reach SeaBIOS, which boots
    the secondary slave first, under hemu as under QEMU; a full bus, a bad
    bus or unit and a missing drive fail clearly."""
    with TempDir() as t:
        def disks(tag):
            a = make_disk(t, "a%s.raw" % tag)
            b = make_disk(t, "b%s.raw" % tag)
            with open(b, "r+b") as f:
                f.seek(512)
                f.write(b"SLAVE-READ-OK-FROM-LBA1\r\n\0")
            return ["-drive", "file=%s,format=raw,if=none,id=a" % a,
                    "-drive", "file=%s,format=raw,if=none,id=b" % b], b
        # SeaBIOS's serial console flushes its "Booting from..." line
        # late, between the boot sector's own characters: compare the
        # output without dots and line ends.
        def flat(out):
            return re.sub(r"[.\r\n]", "", out)
        for emu in ("qemu-system-x86_64", HEMU):
            args, b = disks("0")
            rc, out = run_guest(emu, args + [
                "-device", "ide-hd,drive=a,bus=ide.0,unit=0",
                "-device", "ide-hd,drive=b,bus=ide.1,unit=1"])
            out = flat(out)
            check("DISK-READ-OK-FROM-LBA1" in out and "SLAVE-READ" not in out,
                  "%s: ide.0 master first without bootindex: %r"
                  % (emu, out[-300:]))
            args, b = disks("1")
            rc, out = run_guest(emu, args + [
                "-device", "ide-hd,drive=a,bus=ide.0,unit=0,serial=S1",
                "-device", "ide-hd,drive=b,bus=ide.1,unit=1,bootindex=1,"
                "model=HEMU DISK,ver=1.0"])
            out = flat(out)
            check("SLAVE-READ-OK-FROM-LBA1" in out and "WRITE-OK" in out,
                  "%s: ide.1 slave with bootindex=1 not booted first: %r"
                  % (emu, out[-300:]))
            check(sector(b, 5).startswith(b"SLAVE-READ"),
                  "%s: the booted disk's LBA 5 not written" % emu)
        x = make_disk(t, "x.raw")
        for args, msg in (
                (["-device", "ide-hd,drive=a,bus=ide.2"], "Bus 'ide.2' not found"),
                (["-device", "ide-hd,drive=a,unit=2"], "Can't create IDE unit 2"),
                (["-device", "ide-hd"], "No drive specified"),
                (["-device", "ide-hd,drive=nope"], "can't find value 'nope'"),
                (["-device", "ide-hd,drive=a", "-device", "ide-hd,drive=a"],
                 "already in use"),
                (["-drive", "file=%s,format=raw,if=ide,index=0,file.locking=off" % x,
                  "-device", "ide-hd,drive=a,bus=ide.0,unit=0"], "IDE unit 0 is in use"),
                (["-device", "ide-hd,drive=a,bogus=1"], "Property 'ide-hd.bogus' not found")):
            r = subprocess.run([HEMU, "-nographic", "-drive",
                                "file=%s,format=raw,if=none,id=a,file.locking=off" % x]
                               + args, capture_output=True, text=True,
                               timeout=30, stdin=subprocess.DEVNULL)
            check(r.returncode == 1, "%s: exit %d" % (args, r.returncode))
            check(msg in r.stderr, "%s: %r" % (args, r.stderr))


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
def hmp_commit_writes_the_snapshot_overlay_back():
    """HMP commit (through QMP human-monitor-command): the guest's write
    under -snapshot stays out of the image until commit puts it there;
    an unknown device and a drive without backing file are errors."""
    with TempDir() as t:
        disk = make_disk(t)
        other = make_disk(t, "other.raw")
        sock, serial = t("qmp.sock"), t("serial.txt")
        with Hemu(["-nographic", "-nodefaults", "-m", "64",
                   "-serial", "file:%s" % serial,
                   "-qmp", "unix:%s,server=on,wait=off" % sock,
                   "-drive", "file=%s,format=raw,if=ide,index=0,snapshot=on" % disk,
                   "-drive", "file=%s,format=raw,if=ide,index=1" % other]) as h:
            wait_for(lambda: os.path.exists(sock), 10, "QMP socket")
            m = QMP(connect_unix(sock))
            m.cmd("qmp_capabilities")
            wait_for(lambda: os.path.exists(serial) and
                     "WRITE-OK" in open(serial, errors="replace").read(),
                     60, "the guest's write")
            check(not sector(disk, 5).startswith(PAYLOAD),
                  "the write reached the image before commit")
            hmp = lambda line: m.cmd("human-monitor-command",
                                     {"command-line": line})
            out = hmp("commit nosuch")
            check("not found" in out, out)
            out = hmp("commit ide0-hd1")
            check("no backing file" in out, out)
            check_eq(hmp("commit ide0-hd0"), "", "commit output")
            check(sector(disk, 5).startswith(PAYLOAD), "LBA 5 not committed")
            check_eq(hmp("commit all"), "", "commit all output")
            m.cmd("quit")
            h.wait(10)


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


def make_iso(t, name="cd.iso", text="hello"):
    d = t(name + ".d")
    os.makedirs(d)
    with open(os.path.join(d, "f.txt"), "w") as f:
        f.write(text)
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", t(name), d],
                   check=True, capture_output=True)
    return t(name)


@test
def qmp_block_commands():
    with TempDir() as t:
        raw = make_disk(t)
        q = t("d.qcow2")
        subprocess.run([HEMU_IMG, "convert", "-q", "-O", "qcow2", raw, q],
                       check=True)
        iso1, iso2 = make_iso(t, "a.iso"), make_iso(t, "b.iso", "other")
        sock = t("qmp.sock")
        with Hemu(["-S", "-nographic", "-nodefaults", "-m", "64",
                   "-qmp", "unix:%s,server=on,wait=off" % sock,
                   "-drive", "file=%s,format=qcow2,id=disk0,cache=none" % q,
                   "-cdrom", iso1]) as h:
            wait_for(lambda: os.path.exists(sock), 10, "QMP socket")
            m = QMP(connect_unix(sock))
            m.cmd("qmp_capabilities")
            blocks = {b["device"]: b for b in m.cmd("query-block")}
            check_eq(sorted(blocks), ["disk0", "ide1-cd0"], "devices")
            d = blocks["disk0"]
            check_eq(d["removable"], False, "disk removable")
            check_eq(d["inserted"]["drv"], "qcow2", "format")
            check_eq(d["inserted"]["image"]["virtual-size"], 8 << 20, "size")
            check_eq(d["inserted"]["cache"], {"writeback": True, "direct": True,
                                              "no-flush": False}, "cache")
            check_eq(blocks["ide1-cd0"]["tray_open"], False, "tray")
            stats = {b["device"]: b["stats"] for b in m.cmd("query-blockstats")}
            check("rd_bytes" in stats["disk0"], "blockstats fields")
            # CD-ROM swap, eject, resize.
            m.cmd("eject", {"device": "ide1-cd0"})
            b = {x["device"]: x for x in m.cmd("query-block")}["ide1-cd0"]
            check("inserted" not in b and b["tray_open"], "ejected: %r" % b)
            m.cmd("blockdev-change-medium", {"device": "ide1-cd0",
                                             "filename": iso2, "format": "raw"})
            b = {x["device"]: x for x in m.cmd("query-block")}["ide1-cd0"]
            check_eq(b["inserted"]["file"], iso2, "new medium")
            r = m.cmd_raw("eject", {"device": "disk0"})
            check("not removable" in r["error"]["desc"], r)
            r = m.cmd_raw("eject", {"device": "nosuch"})
            check_eq(r["error"]["class"], "DeviceNotFound", "class")
            m.cmd("block_resize", {"device": "disk0", "size": 16 << 20})
            out = m.cmd("human-monitor-command",
                        {"command-line": "info block"})
            check("disk0: %s (qcow2)" % q in out, out)
            check("Removable device: not locked, tray closed" in out, out)
            m.cmd("human-monitor-command", {"command-line": "eject ide1-cd0"})
            m.cmd("quit")
            h.wait(10)
        info = subprocess.run(["qemu-img", "info", "--output=json", q],
                              capture_output=True, text=True, check=True)
        check('"virtual-size": 16777216' in info.stdout, "block_resize")


@test
def werror_stop_pauses_with_block_io_error():
    with TempDir() as t:
        disk = make_disk(t)
        sock = t("qmp.sock")
        with Hemu(["-nographic", "-nodefaults", "-m", "64", "-S",
                   "-qmp", "unix:%s,server=on,wait=off" % sock,
                   "-drive", "file=%s,format=raw,readonly=on,werror=stop,id=d0"
                   % disk, "-device", "isa-debug-exit"]) as h:
            wait_for(lambda: os.path.exists(sock), 10, "QMP socket")
            m = QMP(connect_unix(sock))
            m.cmd("qmp_capabilities")
            m.cmd("cont")
            ev = m.event("BLOCK_IO_ERROR", 60)
            check_eq(ev["data"]["device"], "d0", "device")
            check_eq(ev["data"]["operation"], "write", "operation")
            check_eq(ev["data"]["action"], "stop", "action")
            wait_for(lambda: m.cmd("query-status")["status"] == "io-error", 10,
                     "io-error state")
            check_eq(m.cmd("query-block")[0]["io-status"], "failed", "io-status")
            m.cmd("quit")
            h.wait(10)


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
