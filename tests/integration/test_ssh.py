# SPDX-License-Identifier: GPL-2.0-or-later
"""The ssh protocol (block-protocols/ssh.c, libssh SFTP) against Debian's
openssh-server started here on a high loopback port with a host key and a
user key made by the test, the user key held by an ssh-agent the test
starts: hemu-img info/convert next to qemu-img, writing into the remote
file, host key checks (none, md5 and sha256 fingerprints, a wrong one,
known_hosts without the host), no agent key (clear error), and SeaBIOS
booting a disk over ssh that the guest writes to."""
import base64
import hashlib
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, ROOT, Fail, TempDir, check, check_eq,  # noqa: E402
                      free_port, run_tests, test, wait_for)

HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


class Sshd:
    """sshd -D on 127.0.0.1 and an ssh-agent holding the user key; both
    killed when the with-block ends, also on failure."""

    def __init__(self, t):
        self.t = t
        self.port = free_port()
        self.procs = []

    def __enter__(self):
        t = self.t
        if not os.path.exists("/usr/sbin/sshd"):
            raise Fail("sshd missing (openssh-server, scripts/install-deps.sh)")
        for k in ("hostkey", "userkey"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                            "-f", t(k)], check=True)
        with open(t("userkey.pub")) as f, open(t("authorized"), "w") as g:
            g.write(f.read())
        # sshd insists on its privilege separation directory (Debian's
        # service creates it at start).
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        with open(t("sshd.conf"), "w") as f:
            f.write("Port %d\nListenAddress 127.0.0.1\nHostKey %s\n"
                    "PidFile none\nAuthorizedKeysFile %s\nStrictModes no\n"
                    "UsePAM no\nPermitRootLogin prohibit-password\n"
                    "PasswordAuthentication no\n"
                    # in-process: no login shell (and its rc files) per
                    # connection
                    "Subsystem sftp internal-sftp\n"
                    % (self.port, t("hostkey"), t("authorized")))
        try:
            self.procs.append(subprocess.Popen(
                ["/usr/sbin/sshd", "-D", "-e", "-f", t("sshd.conf")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            self.agent = t("agent.sock")
            self.procs.append(subprocess.Popen(
                ["ssh-agent", "-D", "-a", self.agent],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_for(lambda: port_open(self.port), 15, "sshd")
            wait_for(lambda: os.path.exists(self.agent), 15, "ssh-agent")
            self.env = dict(os.environ, SSH_AUTH_SOCK=self.agent)
            subprocess.run(["ssh-add", "-q", t("userkey")], env=self.env,
                           check=True, capture_output=True)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *a):
        for p in self.procs:
            p.kill()
            p.wait()

    def url(self, path, check="no"):
        return "ssh://root@127.0.0.1:%d%s?host_key_check=%s" % (
            self.port, path, check)

    def fingerprint(self, algo):
        with open(self.t("hostkey.pub")) as f:
            blob = base64.b64decode(f.read().split()[1])
        h = hashlib.new(algo, blob).hexdigest()
        return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


def run(cmd, env, timeout=120):
    return subprocess.run(cmd, capture_output=True, text=True, env=env,
                          timeout=timeout)


@test
def ssh_read_write_and_host_keys():
    with TempDir() as t, Sshd(t) as s:
        data = b"".join(hashlib.sha256(b"%d" % i).digest() * 128
                        for i in range(1024))      # 4 MiB
        with open(t("disk.raw"), "wb") as f:
            f.write(data)
        url = s.url(t("disk.raw"))
        h = run([HEMU_IMG, "info", url], s.env)
        q = run(["qemu-img", "info", url], s.env)
        check_eq(h.returncode, 0, h.stderr)
        check_eq(q.returncode, 0, q.stderr)
        vs = [l for l in q.stdout.splitlines() if l.startswith("virtual size")]
        check(vs and vs[0] in h.stdout, "%r vs %r" % (h.stdout, q.stdout))
        for algo, mode in (("md5", "md5"), ("sha256", "sha256")):
            r = run([HEMU_IMG, "convert", "-O", "raw",
                     s.url(t("disk.raw"), "%s:%s" % (mode, s.fingerprint(algo))),
                     t("o.raw")], s.env)
            check_eq(r.returncode, 0, "%s fingerprint: %s" % (mode, r.stderr))
            with open(t("o.raw"), "rb") as f:
                check(f.read() == data, "content via ssh")
        # The -blockdev keys, sha1 through host-key-check.*.
        r = run([HEMU_IMG, "info", 'json:{"file.driver":"ssh",'
                 '"file.server.host":"127.0.0.1","file.server.port":%d,'
                 '"file.path":"%s","file.user":"root",'
                 '"file.host-key-check.mode":"hash",'
                 '"file.host-key-check.type":"sha1",'
                 '"file.host-key-check.hash":"%s"}'
                 % (s.port, t("disk.raw"), s.fingerprint("sha1"))], s.env)
        check_eq(r.returncode, 0, "json keys: " + r.stderr)
        r = run([HEMU_IMG, "info", s.url(t("disk.raw"), "md5:00:11:22")], s.env)
        check(r.returncode != 0 and "does not match" in r.stderr, r.stderr)
        r = run([HEMU_IMG, "info", s.url(t("disk.raw"), "yes")],
                dict(s.env, HOME=t(".")))
        check(r.returncode != 0 and "known_hosts" in r.stderr, r.stderr)
        env = dict(s.env, HOME=t("."))
        env.pop("SSH_AUTH_SOCK")
        r = run([HEMU_IMG, "info", url], env)
        check(r.returncode != 0 and "failed to authenticate" in r.stderr,
              r.stderr)
        r = run([HEMU_IMG, "info", s.url(t("missing.raw"))], s.env)
        check(r.returncode != 0 and "failed to open remote file" in r.stderr,
              r.stderr)
        # Writing: a local image into the remote file.
        new = bytes(reversed(data[:1 << 20])) + b"x" * 1000
        with open(t("new.raw"), "wb") as f:
            f.write(new)
        r = run([HEMU_IMG, "convert", "-n", "-O", "raw", t("new.raw"), url],
                s.env)
        check_eq(r.returncode, 0, "write over ssh: " + r.stderr)
        with open(t("disk.raw"), "rb") as f:
            got = f.read()
        check(got[:len(new)] == new and got[len(new) + 512:] ==
              data[len(new) + 512:], "remote file after the write")


@test
def seabios_boots_disk_over_ssh():
    with TempDir() as t, Sshd(t) as s:
        boot = os.path.join(ROOT, "tests", "guest", "boot")
        subprocess.run(["nasm", "-f", "bin", "-o", t("mbr.bin"),
                        os.path.join(boot, "mbr-disk.asm")], check=True)
        with open(t("mbr.bin"), "rb") as f:
            mbr = f.read()
        with open(t("disk.raw"), "wb") as f:
            f.write(mbr)
            f.write(b"DISK-READ-OK-FROM-LBA1\r\n\0".ljust(512, b"\0"))
            f.truncate(8 << 20)
        r = subprocess.run(
            [HEMU, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "64",
             "-device", "isa-debug-exit",
             "-drive", "file=%s,format=raw,if=ide" % s.url(t("disk.raw"))],
            stdin=subprocess.DEVNULL, capture_output=True, timeout=120,
            env=s.env)
        out = r.stdout.decode("latin-1") + r.stderr.decode("latin-1")
        check("DISK-READ-OK-FROM-LBA1" in out and "WRITE-OK" in out,
              "boot over ssh: %r" % out[-400:])
        check_eq(r.returncode, 0x31 * 2 + 1, "exit status")
        with open(t("disk.raw"), "rb") as f:
            f.seek(5 * 512)
            check(f.read(24) == b"DISK-READ-OK-FROM-LBA1\r\n",
                  "LBA 5 not written over ssh")


run_tests()
