# SPDX-License-Identifier: GPL-2.0-or-later
"""The nfs protocol (block-protocols/nfs.c, libnfs) against nfs-ganesha
with its VFS back end, started here on a high loopback port.  Only NFSv4
is served: ganesha's NFSv3 needs its MOUNT and NFS programs registered
with a portmapper (rpcbind on port 111), which this sandbox does not run,
and ganesha exits with "Cannot register NFS V3 on UDP".  So the URL
carries libnfs's own options version=4&nfsport=PORT (QEMU parses the
query itself and refuses version=, hence no qemu-img reference here).
Reads: hemu-img info/convert, a missing file's error.  Writes: libnfs
4.0's NFSv4 client cannot encode WRITE ("Failed to encode COMPOUND4args"),
so the test checks that a write fails cleanly with that reason instead
of being silently lost."""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, Fail, TempDir, check, check_eq,  # noqa: E402
                      free_port, run_tests, test, wait_for)

HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


def run(cmd, timeout=120):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@test
def nfs_v4_read_through_ganesha():
    if not os.path.exists("/usr/bin/ganesha.nfsd"):
        raise Fail("nfs-ganesha missing (nfs-ganesha-vfs, scripts/install-deps.sh)")
    with TempDir() as t:
        os.makedirs(t("export"))
        data = b"".join((b"nfs block %07d " % i).ljust(512, b"\0")
                        for i in range(8192))
        with open(t("export/disk.raw"), "wb") as f:
            f.write(data)                           # 4 MiB
        port = free_port()
        with open(t("ganesha.conf"), "w") as f:
            f.write("""
NFS_CORE_PARAM { NFS_Port = %d; Bind_addr = 127.0.0.1; Protocols = 4;
                 Enable_RQUOTA = false; Enable_NLM = false; }
NFSV4 { Graceless = true; }
EXPORT { Export_Id = 1; Path = %s; Pseudo = /export; Access_Type = RW;
         Squash = No_Root_Squash; Protocols = 4; Transports = TCP;
         SecType = sys; FSAL { Name = VFS; } }
""" % (port, t("export")))
        proc = subprocess.Popen(["/usr/bin/ganesha.nfsd", "-F", "-L", t("log"),
                                 "-f", t("ganesha.conf"), "-p", t("pid"),
                                 "-N", "NIV_EVENT"],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: port_open(port) or proc.poll() is not None, 30,
                     "ganesha on port %d" % port)
            check(proc.poll() is None, "ganesha exited: %s"
                  % open(t("log")).read()[-500:])
            url = "nfs://127.0.0.1/export/disk.raw?version=4&nfsport=%d" % port
            r = run([HEMU_IMG, "info", url])
            check_eq(r.returncode, 0, r.stderr)
            check("virtual size: 4 MiB (4194304 bytes)" in r.stdout, r.stdout)
            r = run([HEMU_IMG, "convert", "-O", "raw", url, t("o.raw")])
            check_eq(r.returncode, 0, r.stderr)
            with open(t("o.raw"), "rb") as f:
                check(f.read() == data, "content via nfs")
            r = run([HEMU_IMG, "info", url.replace("disk.raw", "nothere.raw")])
            check(r.returncode != 0 and "NOENT" in r.stderr, r.stderr)
            with open(t("w.raw"), "wb") as f:
                f.write(b"w" * 65536)
            r = run([HEMU_IMG, "convert", "-n", "-O", "raw", t("w.raw"), url])
            check(r.returncode != 0 and "write at 0 failed" in r.stderr,
                  "write over libnfs 4.0 NFSv4: %r" % r.stderr)
            with open(t("export/disk.raw"), "rb") as f:
                check(f.read() == data, "the file changed")
        finally:
            proc.kill()
            proc.wait()


run_tests()
