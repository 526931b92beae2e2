# SPDX-License-Identifier: GPL-2.0-or-later
"""Guests on NBD disks: SeaBIOS boots a hard disk served by nbdkit with a
4096-byte minimum block size (its 512-byte INT 13h reads and writes are
read-modify-written by hemu) and the written sector is on the server,
and again as a -blockdev JSON node on a qemu-nbd Unix socket under
virtio-blk;
the Linux demo guest, driven through its serial shell, writes through
virtio-blk on a qemu-nbd export with reconnect-delay= (the host checks the
bytes in the server's file), fails to write a read-only IDE disk on an
nbdkit Unix socket export and reads it right, and keeps computing the
right md5 of its disk while the server is killed and restarted under its
reads and writes."""
import hashlib
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, Hemu, TempDir, check, check_eq, run_tests, test, demo_guest  # noqa: E402
from nbdserver import Server  # noqa: E402

BOOT = os.path.join(ROOT, "tests", "guest", "boot")
GUEST = os.path.join(ROOT, "build", "demo")
PAYLOAD = b"DISK-READ-OK-FROM-LBA1\r\n\0"


@test
def seabios_boots_disk_from_nbd_with_4k_blocks():
    with TempDir() as t:
        subprocess.run(["nasm", "-f", "bin", "-o", t("mbr.bin"),
                        os.path.join(BOOT, "mbr-disk.asm")], check=True)
        disk = t("disk.raw")
        with open(disk, "wb") as f:
            f.write(open(t("mbr.bin"), "rb").read())
            f.write(PAYLOAD.ljust(512, b"\0"))
            f.truncate(8 << 20)
        with Server("nbdkit", disk, extra=[
                "--filter=blocksize-policy", "blocksize-minimum=4096",
                "blocksize-error-policy=error"]) as s:
            r = subprocess.run([HEMU, "-nographic", "-nodefaults", "-serial", "stdio",
                                "-m", "64", "-device", "isa-debug-exit",
                                "-drive", "file=%s,format=raw,if=ide" % s.url()],
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=120)
        out = r.stdout.decode("latin-1") + r.stderr.decode("latin-1")
        check("BOOT-SECTOR-RUNNING" in out, "no boot: %r" % out[-500:])
        check("DISK-READ-OK-FROM-LBA1" in out, "INT 13h read: %r" % out[-300:])
        check("WRITE-OK" in out, "INT 13h write: %r" % out[-300:])
        check_eq(r.returncode, 0x31 * 2 + 1, "exit status")
        with open(disk, "rb") as f:
            f.seek(5 * 512)
            check(f.read(512).startswith(PAYLOAD), "LBA 5 not written on the server")
        # -blockdev in JSON on a Unix socket, under virtio-blk (SeaBIOS boots it).
        with open(disk, "r+b") as f:
            f.seek(5 * 512)
            f.write(bytes(512))
        with Server("qemu-nbd", disk, unix=t("q.sock")) as s:
            bd = ('{"driver":"raw","node-name":"d0","file":{"driver":"nbd",'
                  '"server":{"type":"unix","path":"%s"},"export":"exp"}}' % s.unix)
            r = subprocess.run([HEMU, "-nographic", "-nodefaults", "-serial", "stdio",
                                "-m", "64", "-device", "isa-debug-exit",
                                "-blockdev", bd, "-device", "virtio-blk-pci,drive=d0"],
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=120)
        out = r.stdout.decode("latin-1") + r.stderr.decode("latin-1")
        check("WRITE-OK" in out, "-blockdev boot: %r" % out[-300:])
        with open(disk, "rb") as f:
            f.seek(5 * 512)
            check(f.read(512).startswith(PAYLOAD), "LBA 5 not written (-blockdev)")


def guest():
    return demo_guest()


class Console:
    """The guest's serial shell on hemu's stdio."""

    def __init__(self, h):
        self.h, self.buf, self.lock = h, b"", threading.Lock()
        self.th = threading.Thread(target=self._read, daemon=True)
        self.th.start()

    def _read(self):
        while True:
            d = self.h.proc.stdout.read1(65536)
            if not d:
                return
            with self.lock:
                self.buf += d

    def text(self):
        with self.lock:
            return self.buf.decode("latin-1")

    def send(self, line):
        self.h.proc.stdin.write(line.encode() + b"\n")
        self.h.proc.stdin.flush()

    def wait(self, marker, timeout=120):
        end = time.time() + timeout
        while time.time() < end:
            if marker in self.text():
                if os.environ.get("NBD_TEST_TIMING"):
                    print("# %.1f %s" % (time.time(), marker), flush=True)
                return self.text()
            if self.h.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise Fail("no %r from the guest: %r %r" % (marker, self.text()[-800:],
                                                    self.err()))

    def wait_re(self, pattern, timeout=120):
        end = time.time() + timeout
        while time.time() < end:
            if re.search(pattern, self.text()):
                return
            if self.h.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise Fail("no %r from the guest: %r %r" % (pattern, self.text()[-800:],
                                                    self.err()))

    def err(self):
        if self.h.proc.poll() is None:
            return ""
        return self.h.stderr()[-500:]

    def value(self, key):
        """The value of the last line "key=value" (marker lines only:
        the echo of the command holds '$(' and is skipped)."""
        for line in reversed(self.text().splitlines()):
            if line.startswith(key + "=") and "$(" not in line:
                return line[len(key) + 1:].strip()
        return None


DISK_MIB = 16


@test
def linux_virtio_and_ide_on_nbd_with_server_restart():
    kernel, initrd = guest()
    with TempDir() as t:
        vd, ro = t("vd.raw"), t("ro.raw")
        with open(vd, "wb") as f:
            f.write(os.urandom(DISK_MIB << 20))
        ro_data = os.urandom(4 << 20)
        with open(ro, "wb") as f:
            f.write(ro_data)
        with Server("qemu-nbd", vd, export="vd") as s, \
                Server("nbdkit", ro, readonly=True, unix=t("ro.sock")) as r:
            cmd = ["-nographic", "-nodefaults", "-serial", "stdio", "-m", "256",
                   "-kernel", kernel, "-initrd", initrd,
                   "-append", "console=ttyS0 quiet",
                   "-drive", "file=%s,format=raw,if=none,id=vd0,"
                   "file.reconnect-delay=30" % s.url(),
                   "-device", "virtio-blk-pci,drive=vd0",
                   "-drive", "file.driver=nbd,file.server.type=unix,"
                   "file.server.path=%s,format=raw,if=ide,readonly=on" % r.unix]
            with Hemu(cmd, stdin=subprocess.PIPE) as h:
                c = Console(h)
                c.wait("hemu demo guest")
                c.send("for m in $(cat /lib/storage/order); do "
                       "insmod /lib/storage/$m.ko 2>/dev/null; done; "
                       "while [ ! -b /dev/vda ] || [ ! -b /dev/sda ]; do sleep 0.2; done; "
                       "echo MODS-$((40+2))")
                c.wait("MODS-42")
                # Write a pattern; the host sees it in the server's file.
                c.send("yes HEMU-NBD-PATTERN | head -c 4194304 > /tmp/p; "
                       "dd if=/tmp/p of=/dev/vda bs=64k seek=16 oflag=direct "
                       "conv=fsync 2>/dev/null && echo W1=ok$((1))")
                c.wait("W1=ok1")
                pat = (b"HEMU-NBD-PATTERN\n" * 300000)[:4 << 20]
                with open(vd, "rb") as f:
                    f.seek(1 << 20)
                    check(f.read(4 << 20) == pat, "pattern not in the server's file")
                # The read-only IDE disk: reads right, writes fail.
                c.send("echo RO=$(dd if=/dev/sda bs=64k iflag=direct 2>/dev/null "
                       "| md5sum | cut -c1-32); dd if=/dev/zero of=/dev/sda bs=4096 "
                       "count=1 oflag=direct conv=fsync 2>/dev/null "
                       "&& echo ROW=wrote$((0)) || echo ROW=failed$((0))")
                c.wait_re(r"ROW=(wrote|failed)0")
                check_eq(c.value("RO"), hashlib.md5(ro_data).hexdigest(),
                         "md5 of the read-only disk")
                check_eq(c.value("ROW"), "failed0", "write to the read-only disk")

                # Reads with the server killed and restarted under them.
                c.send("for i in 1 2; do echo MD5-$i=$(dd if=/dev/vda bs=64k "
                       "iflag=direct 2>/dev/null | md5sum | cut -c1-32); done; "
                       "echo LOOP-$((1+1))")
                time.sleep(0.5)
                s.kill()
                time.sleep(2)
                s.start()
                c.wait("LOOP-2", 300)
                want = hashlib.md5(open(vd, "rb").read()).hexdigest()
                for i in (1, 2):
                    check_eq(c.value("MD5-%d" % i), want, "guest md5 pass %d" % i)
                # A write while the server is down waits for it.
                s.kill()
                c.send("dd if=/tmp/p of=/dev/vda bs=64k seek=128 oflag=direct "
                       "conv=fsync 2>/dev/null && echo W2=ok$((2)) || "
                       "echo W2=failed$((2))")
                time.sleep(2)
                s.start()
                c.wait_re(r"W2=(ok|failed)2", 120)
                check_eq(c.value("W2"), "ok2", "write across the restart")
                with open(vd, "rb") as f:
                    f.seek(8 << 20)
                    check(f.read(4 << 20) == pat, "second pattern not on the server")
                c.send("echo MD5=$(dd if=/dev/vda bs=64k iflag=direct 2>/dev/null "
                       "| md5sum | cut -c1-32); poweroff -f")
                h.wait(120)
                want = hashlib.md5(open(vd, "rb").read()).hexdigest()
                check_eq(c.value("MD5"), want, "final guest md5")
                err = h.stderr()
                check("reconnected" in err, "no reconnect reported: %r" % err[-500:])


if __name__ == "__main__":
    run_tests()
