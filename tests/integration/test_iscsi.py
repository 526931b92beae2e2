# SPDX-License-Identifier: GPL-2.0-or-later
"""The iscsi protocol (block-protocols/iscsi.c) against Debian's tgtd,
started here on a high loopback port with file-backed LUNs: hemu-img
info/convert from and to a LUN next to qemu-img (QEMU's libiscsi driver),
CHAP from the URL, from LIBISCSI_CHAP_* and from -iscsi with a secret
object, a wrong password's clear error that does not show the password,
a read-only LUN, SeaBIOS booting a disk from iSCSI, and the Linux demo
guest writing through virtio-blk on a LUN, checked in the backing file."""
import hashlib
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, ROOT, Fail, TempDir, check, check_eq,  # noqa: E402
                      free_port, run_tests, test, wait_for)

HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")
IQN = "iqn.2024-01.org.hemu.test"
USER, PASSWORD = "alice", "chap-secret-4711"


class Tgtd:
    """tgtd -f on 127.0.0.1:port with its own control socket; killed (and
    its LUN files kept) when the with-block ends, also on failure."""

    def __init__(self):
        self.port = free_port()
        # control socket /var/run/tgtd/socket.N; tgtd takes N below 32768
        self.ctl = str(1000 + self.port % 31000)
        self.proc = None
        self.tid = 0

    def __enter__(self):
        if not os.path.exists("/usr/sbin/tgtd"):
            raise Fail("tgtd missing (Debian's tgt, scripts/install-deps.sh)")
        self.proc = subprocess.Popen(
            ["/usr/sbin/tgtd", "-f", "-C", self.ctl, "--iscsi",
             "portal=127.0.0.1:%d" % self.port],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.adm("--op", "show", "--mode", "target",
                                  check=False) == 0, 10, "tgtd control socket")
        return self

    def __exit__(self, *a):
        # tgtd ignores SIGTERM while sessions linger; nothing to flush.
        self.proc.kill()
        self.proc.wait()
        for suffix in ("", ".lock"):
            try:
                os.unlink("/var/run/tgtd/socket.%s%s" % (self.ctl, suffix))
            except OSError:
                pass

    def adm(self, *args, check=True):
        r = subprocess.run(["tgtadm", "-C", self.ctl, "--lld", "iscsi"]
                           + list(args), capture_output=True, text=True)
        if check and r.returncode != 0:
            raise Fail("tgtadm %s: %s" % (" ".join(args), r.stderr))
        return r.returncode

    def add_target(self, name, backing, chap=False, readonly=False):
        self.tid += 1
        tid = str(self.tid)
        self.adm("--op", "new", "--mode", "target", "--tid", tid,
                 "-T", "%s:%s" % (IQN, name))
        self.adm("--op", "new", "--mode", "logicalunit", "--tid", tid,
                 "--lun", "1", "-b", backing)
        if readonly:
            self.adm("--op", "update", "--mode", "logicalunit", "--tid", tid,
                     "--lun", "1", "--params", "readonly=1")
        self.adm("--op", "bind", "--mode", "target", "--tid", tid, "-I", "ALL")
        if chap:
            if self.adm("--op", "show", "--mode", "account", check=False) == 0 \
                    and USER not in subprocess.run(
                        ["tgtadm", "-C", self.ctl, "--lld", "iscsi", "--op",
                         "show", "--mode", "account"], capture_output=True,
                        text=True).stdout:
                self.adm("--op", "new", "--mode", "account", "--user", USER,
                         "--password", PASSWORD)
            self.adm("--op", "bind", "--mode", "account", "--tid", tid,
                     "--user", USER)
        return "iscsi://127.0.0.1:%d/%s:%s/1" % (self.port, IQN, name)


def random_file(path, size, seed):
    # Deterministic, incompressible-ish content without reading /dev/urandom.
    block = hashlib.sha256(seed.encode()).digest() * 2048    # 64 KiB
    with open(path, "wb") as f:
        for i in range(size // len(block)):
            f.write(bytes([i & 0xff]) + block[1:])


def run(cmd, env=None, timeout=120, input=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env,
                          timeout=timeout, input=input)


QUIT = '{"execute": "qmp_capabilities"}\n{"execute": "quit"}\n'


def virtual_size(info_out):
    for line in info_out.splitlines():
        if line.startswith("virtual size:"):
            return line
    raise Fail("no virtual size in %r" % info_out)


@test
def img_info_and_convert_like_qemu_img():
    with TempDir() as t, Tgtd() as tgt:
        random_file(t("lun.img"), 16 << 20, "lun")
        url = tgt.add_target("disk", t("lun.img"))
        h = run([HEMU_IMG, "info", url])
        q = run(["qemu-img", "info", url])
        check_eq(h.returncode, 0, "hemu-img info: " + h.stderr)
        check_eq(q.returncode, 0, "qemu-img info: " + q.stderr)
        check_eq(virtual_size(h.stdout), virtual_size(q.stdout), "virtual size")
        check("file format: raw" in h.stdout, h.stdout)
        for tool, out in ((HEMU_IMG, "h.raw"), ("qemu-img", "q.raw")):
            r = run([tool, "convert", "-O", "raw", url, t(out)])
            check_eq(r.returncode, 0, "%s convert: %s" % (tool, r.stderr))
        with open(t("lun.img"), "rb") as f:
            want = f.read()
        for out in ("h.raw", "q.raw"):
            with open(t(out), "rb") as f:
                check(f.read() == want, "%s differs from the LUN" % out)
        # Writing: a qcow2 into the LUN, unaligned tail included; then the
        # LUN holds the qcow2 and qemu-img reads it through QEMU's driver.
        random_file(t("src.raw"), 4 << 20, "src")
        with open(t("src.raw"), "ab") as f:
            f.write(b"tail" * 300)          # 1200 bytes: not block aligned
        r = run([HEMU_IMG, "convert", "-O", "qcow2", t("src.raw"), t("src.q")])
        check_eq(r.returncode, 0, r.stderr)
        r = run([HEMU_IMG, "convert", "-n", "-O", "raw", t("src.q"), url])
        check_eq(r.returncode, 0, "convert to the LUN: " + r.stderr)
        with open(t("src.raw"), "rb") as f:
            src = f.read()
        with open(t("lun.img"), "rb") as f:
            got = f.read(len(src) + 4096)
        check(got[:len(src)] == src, "LUN does not hold what was written")
        # The LUN is bigger than the image: QEMU's driver reads the prefix.
        r = run(["qemu-img", "convert", "-O", "raw", url, t("back.raw")])
        check_eq(r.returncode, 0, r.stderr)
        with open(t("back.raw"), "rb") as f:
            check(f.read(len(src)) == src, "qemu-img reads a different LUN")


@test
def chap_url_env_and_wrong_password():
    with TempDir() as t, Tgtd() as tgt:
        random_file(t("lun.img"), 4 << 20, "chap")
        url = tgt.add_target("chap", t("lun.img"), chap=True)
        auth = url.replace("iscsi://", "iscsi://%s%%%s@" % (USER, PASSWORD))
        r = run([HEMU_IMG, "info", url])
        check(r.returncode != 0, "no credentials accepted")
        check("Authentication failure" in r.stderr, r.stderr)
        r = run([HEMU_IMG, "convert", "-O", "raw", auth, t("o.raw")])
        check_eq(r.returncode, 0, "CHAP in the URL: " + r.stderr)
        with open(t("o.raw"), "rb") as f, open(t("lun.img"), "rb") as g:
            check(f.read() == g.read(), "content through CHAP")
        env = dict(os.environ, LIBISCSI_CHAP_USERNAME=USER,
                   LIBISCSI_CHAP_PASSWORD=PASSWORD)
        r = run([HEMU_IMG, "info", url], env=env)
        check_eq(r.returncode, 0, "CHAP from the environment: " + r.stderr)
        bad = url.replace("iscsi://", "iscsi://%s%%wrong-pw-99@" % USER)
        for tool in (HEMU_IMG, "qemu-img"):
            r = run([tool, "info", bad])
            check(r.returncode != 0, "%s: wrong password accepted" % tool)
            check("Failed to connect to LUN" in r.stderr and
                  "Authentication failure" in r.stderr,
                  "%s: unclear error %r" % (tool, r.stderr))
        # hemu's own message names the portal without the password (the
        # "Could not open '...'" prefix repeats the argument as QEMU does).
        r = run([HEMU_IMG, "info", bad])
        tail = r.stderr.split("Authentication failure", 1)[1]
        check("wrong-pw-99" not in tail and "%s@127.0.0.1" % USER in tail,
              "message %r" % r.stderr)
        # -iscsi user= with password-secret= from a secret object, in hemu
        # itself: opened at start-up (-S), then QMP quit.
        r = run([HEMU, "-nodefaults", "-S", "-display", "none",
                 "-object", "secret,id=pw,data=" + PASSWORD,
                 "-iscsi", "user=%s,password-secret=pw" % USER,
                 "-drive", "file=%s,format=raw,if=none,id=d0" % url,
                 "-qmp", "stdio"], timeout=60, input=QUIT)
        check_eq(r.returncode, 0, "-iscsi CHAP: %r" % r.stderr)
        check('"return"' in r.stdout, "QMP: %r" % r.stdout)
        r = run([HEMU, "-nodefaults", "-S", "-display", "none",
                 "-object", "secret,id=pw,data=nope",
                 "-iscsi", "user=%s,password-secret=pw" % USER,
                 "-drive", "file=%s,format=raw,if=none,id=d0" % url,
                 "-qmp", "stdio"], timeout=60, input=QUIT)
        check(r.returncode != 0 and "Authentication failure" in r.stderr,
              "-iscsi with the wrong secret: %r" % r.stderr)
        check("nope" not in r.stderr, "password printed: %r" % r.stderr)
        r = run([HEMU, "-nodefaults", "-S", "-display", "none",
                 "-iscsi", "user=%s" % USER, "-drive",
                 "file=%s,format=raw,if=none,id=d0" % url, "-qmp", "stdio"],
                timeout=60, input=QUIT)
        check("CHAP username specified but no password was given" in r.stderr,
              r.stderr)


@test
def readonly_lun():
    with TempDir() as t, Tgtd() as tgt:
        random_file(t("lun.img"), 4 << 20, "ro")
        url = tgt.add_target("ro", t("lun.img"), readonly=True)
        r = run([HEMU_IMG, "convert", "-O", "raw", url, t("o.raw")])
        check_eq(r.returncode, 0, "read a read-only LUN: " + r.stderr)
        r = run([HEMU_IMG, "convert", "-n", "-O", "raw", t("o.raw"), url])
        check(r.returncode != 0 and "write protected" in r.stderr,
              "write to a read-only LUN: %r" % r.stderr)


class StallingProxy:
    """A TCP proxy to port that, on the first connection, stops forwarding
    after stall_after bytes from the server (a target that hangs); later
    connections are forwarded normally."""

    def __init__(self, port, stall_after):
        self.port, self.stall_after = port, stall_after
        self.lsock = socket.create_server(("127.0.0.1", 0))
        self.listen_port = self.lsock.getsockname()[1]
        self.conns = 0
        self.socks = []
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def accept_loop(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            self.conns += 1
            s = socket.create_connection(("127.0.0.1", self.port))
            self.socks += [c, s]
            limit = self.stall_after if self.conns == 1 else None
            threading.Thread(target=self.pump, args=(c, s, None),
                             daemon=True).start()
            threading.Thread(target=self.pump, args=(s, c, limit),
                             daemon=True).start()

    def pump(self, src, dst, limit):
        n = 0
        try:
            while True:
                b = src.recv(65536)
                if not b:
                    break
                n += len(b)
                if limit is not None and n > limit:
                    return      # hang: keep both sockets open, forward nothing
                dst.sendall(b)
        except OSError:
            pass

    def close(self):
        self.lsock.close()
        for s in self.socks:
            s.close()


@test
def request_timeout_reconnects():
    with TempDir() as t, Tgtd() as tgt:
        random_file(t("lun.img"), 16 << 20, "stall")
        url = tgt.add_target("stall", t("lun.img"))
        proxy = StallingProxy(tgt.port, 4 << 20)
        try:
            purl = url.replace(str(tgt.port), str(proxy.listen_port))
            iqn = purl.split("/")[3]
            src = ('json:{"driver":"raw","file":{"driver":"iscsi",'
                   '"portal":"127.0.0.1:%d","target":"%s","lun":1,'
                   '"timeout":2}}' % (proxy.listen_port, iqn))
            t0 = time.time()
            r = run([HEMU_IMG, "convert", "-O", "raw", src, t("o.raw")],
                    timeout=120)
            check_eq(r.returncode, 0, "convert through a stalling target: "
                     + r.stderr)
            check("request timed out, reconnecting" in r.stderr,
                  "no timeout seen: %r" % r.stderr)
            check(proxy.conns >= 2, "no reconnection (%d)" % proxy.conns)
            check(time.time() - t0 >= 2, "faster than the timeout")
            with open(t("o.raw"), "rb") as f, open(t("lun.img"), "rb") as g:
                check(f.read() == g.read(), "content after the reconnect")
        finally:
            proxy.close()


def make_boot_disk(t):
    boot = os.path.join(ROOT, "tests", "guest", "boot")
    subprocess.run(["nasm", "-f", "bin", "-o", t("mbr.bin"),
                    os.path.join(boot, "mbr-disk.asm")], check=True)
    with open(t("mbr.bin"), "rb") as f:
        mbr = f.read()
    with open(t("disk.raw"), "wb") as f:
        f.write(mbr)
        f.write(b"DISK-READ-OK-FROM-LBA1\r\n\0".ljust(512, b"\0"))
        f.truncate(8 << 20)
    return t("disk.raw")


@test
def seabios_boots_disk_from_iscsi():
    with TempDir() as t, Tgtd() as tgt:
        disk = make_boot_disk(t)
        url = tgt.add_target("boot", disk)
        r = subprocess.run(
            [HEMU, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "64",
             "-device", "isa-debug-exit",
             "-iscsi", "initiator-name=iqn.2024-01.org.hemu:initiator",
             "-drive", "file=%s,format=raw,if=ide" % url],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        out = r.stdout.decode("latin-1") + r.stderr.decode("latin-1")
        check("DISK-READ-OK-FROM-LBA1" in out, "INT 13h read: %r" % out[-400:])
        check("WRITE-OK" in out, "INT 13h write: %r" % out[-400:])
        check_eq(r.returncode, 0x31 * 2 + 1, "exit status")
        with open(disk, "rb") as f:
            f.seek(5 * 512)
            check(f.read(24) == b"DISK-READ-OK-FROM-LBA1\r\n",
                  "LBA 5 not written through iSCSI")


@test
def linux_guest_virtio_blk_on_iscsi():
    demo = os.path.join(ROOT, "build", "demo")
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        demo], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise Fail("build-demo-guest.sh failed: %s" % r.stderr[-500:])
    sectors = 48 << 11
    with TempDir() as t, Tgtd() as tgt:
        with open(t("lun.img"), "wb") as f:
            f.truncate(sectors * 512)
        url = tgt.add_target("linux", t("lun.img"), chap=True)
        r = subprocess.run(
            [HEMU, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "256",
             "-kernel", os.path.join(demo, "vmlinuz"),
             "-initrd", os.path.join(demo, "initrd.gz"),
             "-append", "console=ttyS0 quiet hemu.disk=1 hemu.rosize=1",
             "-object", "secret,id=pw,data=" + PASSWORD,
             "-iscsi", "user=%s,password-secret=pw,timeout=30" % USER,
             "-drive", "file=%s,format=raw,if=none,id=vd0,cache=none" % url,
             "-device", "virtio-blk-pci,drive=vd0"],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=600)
        out = r.stdout.decode("latin-1")
        check("HEMU-TEST: done" in out, "guest did not finish: %r"
              % (out[-1500:] + r.stderr.decode("latin-1")[-500:]))
        check_eq(r.returncode, 0, "hemu exit status")
        line = ("HEMU-PATTERN-%d\n" % sectors).encode()
        data = (line * (1048576 // len(line) + 1))[:1048576]
        check("HEMU-TEST: write-%d=ok" % sectors in out, "guest write: %r"
              % out[-800:])
        check("HEMU-TEST: sha-%d=%s" % (sectors, hashlib.sha256(data).hexdigest())
              in out, "guest read-back: %r" % out[-800:])
        with open(t("lun.img"), "rb") as f:
            f.seek(1 << 20)
            check(f.read(1 << 20) == data, "pattern not in the LUN's file")


run_tests()
