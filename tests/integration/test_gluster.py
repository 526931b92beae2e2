# SPDX-License-Identifier: GPL-2.0-or-later
"""The gluster protocol (block-protocols/gluster.c, libgfapi) against
Debian's glusterd started here as root: a one-brick volume on a temporary
directory, served on 127.0.0.2 (the gluster CLI refuses 127.0.0.1 as a
brick host; 127.0.0.2 is loopback too).  qemu-img (qemu-block-extra's
gluster driver) writes the image; hemu-img reads it in the URL, JSON and
failover forms and creates and writes a raw and a qcow2 image; SeaBIOS
boots the disk from the volume through the dotted -drive keys and writes
to it; the bytes are checked in the brick, on the server side.  Then the option errors.

Every gfapi client (qemu-img too) spends ~10 s in glfs_fini at exit
(gluster/glusterfs#2606, wontfix), so the clients run side by side."""
import glob
import hashlib
import os
import signal
import socket
import subprocess
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, ROOT, Fail, TempDir, check, check_eq,  # noqa: E402
                      free_port, run_tests, test, wait_for)

HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")
HOST = "127.0.0.2"


def port_open(port, host=HOST):
    try:
        socket.create_connection((host, port), 0.5).close()
        return True
    except OSError:
        return False


class Glusterd:
    """glusterd -N with its own working directory and a started volume;
    the volume stopped and deleted, its brick process and glusterd killed
    when the with-block ends, also on failure."""

    def __init__(self, t):
        self.t = t
        self.vol = "hemu" + uuid.uuid4().hex[:8]
        self.proc = None

    def cli(self, *args, check=True):
        r = subprocess.run(["gluster", "--mode=script"] + list(args),
                           capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            raise Fail("gluster %s: %s%s" % (" ".join(args), r.stdout,
                                             r.stderr))
        return r

    def __enter__(self):
        if os.geteuid() != 0:
            raise Fail("glusterd needs root (bricks keep trusted.* xattrs)")
        if not os.path.exists("/usr/sbin/glusterd"):
            raise Fail("glusterd missing (glusterfs-server, "
                       "scripts/install-deps.sh)")
        if port_open(24007, "127.0.0.1"):
            raise Fail("port 24007 is taken: another glusterd is running")
        t = self.t
        os.makedirs(t("wd"))
        os.makedirs(t("brick"))
        try:
            self.proc = subprocess.Popen(
                ["glusterd", "-N", "--xlator-option",
                 "management.working-directory=" + t("wd"),
                 "--log-file=" + t("glusterd.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: port_open(24007), 30, "glusterd")
            self.cli("volume", "create", self.vol,
                     "%s:%s" % (HOST, t("brick")), "force")
            self.cli("volume", "start", self.vol)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *a):
        if self.proc:
            if self.proc.poll() is None:
                self.cli("volume", "stop", self.vol, "force", check=False)
                self.cli("volume", "delete", self.vol, check=False)
            self.proc.kill()
            self.proc.wait()
        # The brick process outlives glusterd; kill it if the stop failed.
        for pf in glob.glob("/var/run/gluster/vols/%s/*.pid" % self.vol):
            try:
                with open(pf) as f:
                    os.kill(int(f.read().strip()), signal.SIGKILL)
            except (OSError, ValueError):
                pass

    def url(self, path):
        return "gluster://%s/%s/%s" % (HOST, self.vol, path)

    def brick(self, path):
        return self.t(os.path.join("brick", path))


def start(cmd):
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(p, timeout=180):
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out.decode("latin-1"), err.decode("latin-1")


def boot_disk(t):
    boot = os.path.join(ROOT, "tests", "guest", "boot")
    subprocess.run(["nasm", "-f", "bin", "-o", t("mbr.bin"),
                    os.path.join(boot, "mbr-disk.asm")], check=True)
    with open(t("mbr.bin"), "rb") as f:
        data = f.read()
    data += b"DISK-READ-OK-FROM-LBA1\r\n\0".ljust(512, b"\0")
    data += b"".join(hashlib.sha256(b"%d" % i).digest() * 128
                     for i in range(256))
    return data.ljust(8 << 20, b"\0")


@test
def gluster_read_write_boot():
    with TempDir() as t, Glusterd(t) as g:
        disk = boot_disk(t)
        with open(t("disk.raw"), "wb") as f:
            f.write(disk)
        r = subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "raw",
                            t("disk.raw"), g.url("disk.raw")],
                           capture_output=True, text=True, timeout=180)
        check_eq(r.returncode, 0, "qemu-img writes the volume: " + r.stderr)
        with open(g.brick("disk.raw"), "rb") as f:
            check(f.read() == disk, "qemu-img's image in the brick")
        new = bytes(reversed(disk[:1 << 20]))
        with open(t("new.raw"), "wb") as f:
            f.write(new)
        failover = ('json:{"driver":"raw","file":{"driver":"gluster",'
                    '"volume":"%s","path":"disk.raw","debug":2,'
                    '"logfile":"%s","server":['
                    '{"type":"tcp","host":"%s","port":%d},'
                    '{"type":"tcp","host":"%s","port":24007}]}}'
                    % (g.vol, t("gfapi.log"), HOST, free_port(), HOST))
        # Side by side: each gfapi client waits ~10 s in glfs_fini.
        procs = {
            "info": start([HEMU_IMG, "info", g.url("disk.raw")]),
            "convert": start([HEMU_IMG, "convert", "-O", "raw",
                              g.url("disk.raw"), t("out.raw")]),
            "failover": start([HEMU_IMG, "convert", "-O", "raw", failover,
                               t("out2.raw")]),
            "create": start(["sh", "-c", '"$0" create -f raw "$1" 1M && '
                             '"$0" convert -n -f raw -O raw "$2" "$1"',
                             HEMU_IMG, g.url("w.raw"), t("new.raw")]),
            "qcow2": start(["sh", "-c", '"$0" create -f qcow2 "$1" 8M && '
                            '"$0" convert -n -f raw -O qcow2 "$2" "$1"',
                            HEMU_IMG, g.url("q.qcow2"), t("new.raw")]),
            "boot": start([HEMU, "-nographic", "-nodefaults", "-serial",
                           "stdio", "-m", "64", "-device", "isa-debug-exit",
                           "-drive", "driver=raw,if=ide,file.driver=gluster,"
                           "file.volume=%s,file.path=/disk.raw,"
                           "file.server.0.type=tcp,file.server.0.host=%s,"
                           "file.server.0.port=24007,file.debug=0,"
                           "file.logfile=%s" % (g.vol, HOST, t("boot.log"))]),
        }
        res = {k: finish(p) for k, p in procs.items()}
        rc, out, err = res["info"]
        check_eq(rc, 0, "info: " + err)
        check("virtual size: 8 MiB (8388608 bytes)" in out, out)
        check("file format: raw" in out, out)
        for k, f in (("convert", "out.raw"), ("failover", "out2.raw")):
            rc, out, err = res[k]
            check_eq(rc, 0, "%s: %s" % (k, err))
            with open(t(f), "rb") as fh:
                got = fh.read()
            # LBA 5 is the guest's, which runs at the same time
            check(len(got) == len(disk) and got[:5 * 512] == disk[:5 * 512]
                  and got[6 * 512:] == disk[6 * 512:],
                  "%s: content read over gluster" % k)
        check(os.path.exists(t("gfapi.log")), "logfile= not used")
        rc, out, err = res["create"]
        check_eq(rc, 0, "create + write: " + err)
        with open(g.brick("w.raw"), "rb") as f:
            check(f.read() == new, "hemu-img's write in the brick")
        rc, out, err = res["boot"]
        check("DISK-READ-OK-FROM-LBA1" in out and "WRITE-OK" in out,
              "boot from gluster: %r" % (out[-400:] + err[-400:]))
        check_eq(rc, 0x31 * 2 + 1, "exit status")
        with open(g.brick("disk.raw"), "rb") as f:
            got = f.read()
        check(got[5 * 512:5 * 512 + 24] == b"DISK-READ-OK-FROM-LBA1\r\n",
              "LBA 5 not written by the guest over gluster")
        check(got[:5 * 512] == disk[:5 * 512] and
              got[6 * 512:] == disk[6 * 512:], "rest of the disk changed")
        rc, out, err = res["qcow2"]
        check_eq(rc, 0, "qcow2 create + write: " + err)
        # Errors that need the server: a missing volume and a missing file;
        # and qemu-img reads hemu-img's qcow2.
        p1 = start([HEMU_IMG, "info", "gluster://%s/nosuchvol/x" % HOST])
        p2 = start([HEMU_IMG, "info", g.url("missing.raw")])
        p3 = start(["qemu-img", "convert", "-f", "qcow2", "-O", "raw",
                    g.url("q.qcow2"), t("q.raw")])
        rc, out, err = finish(p3)
        check_eq(rc, 0, "qemu-img reads the qcow2: " + err)
        with open(t("q.raw"), "rb") as f:
            check(f.read() == new.ljust(8 << 20, b"\0"),
                  "qcow2 written by hemu-img over gluster")
        rc, out, err = finish(p1)
        check(rc != 0 and "Gluster connection for" in err and
              "nosuchvol" in err, err)
        rc, out, err = finish(p2)
        check(rc != 0 and "cannot open the file" in err and
              "No such file" in err, err)


@test
def gluster_option_errors():
    """Rejected before any connection: no server is needed."""
    cases = [
        ('json:{"file":{"driver":"gluster",'
         '"filename":"gluster+foo://h/v/p"}}', "unknown transport"),
        ("gluster://h/volonly", "needs /volume/path"),
        ("gluster+unix:///v/p", "socket=PATH"),
        ("gluster+unix://h/v/p?socket=/s", "takes no host"),
        ("gluster://h/v/p?socket=/s", "only gluster+unix"),
        ("gluster://u@h/v/p", "user names"),
        ('json:{"file":{"driver":"gluster","path":"p"}}',
         "Parameter 'volume' is required"),
        ('json:{"file":{"driver":"gluster","volume":"v"}}',
         "Parameter 'path' is required"),
        ('json:{"file":{"driver":"gluster","volume":"v","path":"p",'
         '"server":[{"type":"rdma","host":"h"}]}}',
         "does not accept value 'rdma'"),
        ('json:{"file":{"driver":"gluster","volume":"v","path":"p",'
         '"server":[{"host":"h"}]}}', "server.0.type' is missing"),
        ('json:{"file":{"driver":"gluster","volume":"v","path":"p",'
         '"server":[{"type":"tcp","host":"h","port":"99999"}]}}',
         "not a valid port"),
        ('json:{"file":{"driver":"gluster","volume":"v","path":"p",'
         '"server":[{"type":"unix"}]}}', "server.0.socket' is required"),
        ('json:{"file":{"driver":"gluster","volume":"v","path":"p",'
         '"debug":"x"}}', "debug"),
        ('json:{"file":{"driver":"gluster","volume":"v","path":"p",'
         '"bogus":"1"}}', "bogus"),
    ]
    for fn, want in cases:
        r = subprocess.run([HEMU_IMG, "info", fn], capture_output=True,
                           text=True, timeout=60)
        check(r.returncode != 0 and want in r.stderr,
              "%s: want %r, got %r" % (fn, want, r.stderr))
    # The same through -drive.
    r = subprocess.run([HEMU, "-nodefaults", "-display", "none", "-drive",
                        "file=gluster+tcp://h:0/v/p,format=raw"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode != 0 and "'0' is not a valid port" in r.stderr,
          r.stderr)


run_tests()
