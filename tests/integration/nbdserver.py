# SPDX-License-Identifier: GPL-2.0-or-later
"""nbdserver - real NBD servers on 127.0.0.1 for hemu's NBD tests
(test_nbd*.py and the NBD bench): Debian's qemu-nbd and nbdkit, on a TCP
port or a Unix socket, killed when the test ends (also on failure)."""
import os
import socket
import subprocess
import time

from hemutest import Fail, free_port


class Server:
    """kind "qemu-nbd" (a file, -f FMT) or "nbdkit" (the file plugin,
    optional filters); unix=path for a socket, otherwise a free TCP port."""

    def __init__(self, kind, path, fmt="raw", readonly=False, unix=None,
                 export="exp", port=None, extra=()):
        self.kind, self.path, self.fmt = kind, path, fmt
        self.readonly, self.unix, self.export = readonly, unix, export
        self.port = port or (None if unix else free_port())
        self.extra = list(extra)
        self.proc = None
        self.start()

    def cmd(self):
        if self.kind == "qemu-nbd":
            c = ["qemu-nbd", "-f", self.fmt, "-t", "-e", "8", "-x", self.export,
                 "--cache=writeback"]
            c += ["-k", self.unix] if self.unix else \
                ["-b", "127.0.0.1", "-p", str(self.port)]
            if self.readonly:
                c.append("-r")
            return c + self.extra + [self.path]
        c = ["nbdkit", "-f", "--exit-with-parent"]
        c += ["-U", self.unix] if self.unix else \
            ["-i", "127.0.0.1", "-p", str(self.port)]
        if self.readonly:
            c.append("-r")
        filters = [e for e in self.extra if e.startswith("--filter=")]
        params = [e for e in self.extra if not e.startswith("--filter=")]
        return c + filters + ["file", "file=" + self.path] + params

    def start(self):
        if self.unix and os.path.exists(self.unix):
            os.unlink(self.unix)
        self.proc = subprocess.Popen(self.cmd(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        end = time.time() + 15
        while time.time() < end:
            if self.proc.poll() is not None:
                raise Fail("%s exited: %s" % (self.kind,
                                              self.proc.stderr.read()[-300:]))
            try:
                if self.unix:
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(self.unix)
                else:
                    s = socket.create_connection(("127.0.0.1", self.port), 1)
                s.close()
                return
            except OSError:
                time.sleep(0.05)
        raise Fail("%s did not start listening" % self.kind)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def url(self, export=None):
        ex = self.export if export is None else export
        if self.unix:
            return "nbd+unix:///%s?socket=%s" % (ex, self.unix)
        return "nbd://127.0.0.1:%d/%s" % (self.port, ex)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.kill()
