# SPDX-License-Identifier: GPL-2.0-or-later
"""The human monitor (readline mode) over unix and tcp sockets and on the
-nographic stdio mux: QEMU's banner and "(qemu) " prompt, the info
commands and their QEMU output formats, run control, line editing and
history, line endings, Ctrl-a c focus switching, and quit."""
import os
import pty
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, Fail, Hemu, QMP, TempDir, check, check_eq,  # noqa: E402
                      connect_tcp, connect_unix, free_port, run_tests, test)

BASE = ["-S", "-display", "none", "-nodefaults", "-machine", "none"]
BANNER = b"QEMU 6.2.0 monitor - type 'help' for more information\r\n"
PROMPT = b"(qemu) "


class HMP:
    """A human-monitor client on a connected socket."""

    def __init__(self, sock, timeout=10):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.buf = b""
        self.banner = self.until(PROMPT)

    def until(self, marker):
        """Everything up to and including marker."""
        while marker not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise Fail("monitor connection closed; got %r" % self.buf)
            self.buf += data
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def cmd(self, line, eol="\r"):
        """Run a line; returns its output without the echo and prompt."""
        self.send(line + eol)
        out = self.until(PROMPT)[:-len(PROMPT)]
        echo = (line + "\r\n").encode()
        check(out.startswith(echo), "echo of %r: %r" % (line, out))
        return out[len(echo):].decode()

    def close(self):
        self.sock.close()


def start(tmp, extra=()):
    path = tmp("mon.sock")
    qpath = tmp("qmp.sock")
    h = Hemu(BASE + list(extra) +
             ["-monitor", "unix:%s,server=on,wait=off" % path,
              "-qmp", "unix:%s,server=on,wait=off" % qpath])
    return h, path, qpath


def qmp_session(path):
    q = QMP(connect_unix(path))
    q.cmd("qmp_capabilities")
    return q


@test
def banner_and_info():
    uuid = "abcdef01-2345-6789-abcd-ef0123456789"
    with TempDir() as tmp:
        h, path, _ = start(tmp, ["-name", "vm7", "-uuid", uuid])
        with h:
            m = HMP(connect_unix(path))
            check_eq(m.banner, BANNER + PROMPT, "banner")
            check_eq(m.cmd("info version"), "6.2.0 (hemu 0.1.0)\r\n",
                     "info version")
            check_eq(m.cmd("info status"),
                     "VM status: paused (prelaunch)\r\n", "info status")
            check_eq(m.cmd("info name"), "vm7\r\n", "info name")
            check_eq(m.cmd("info uuid"), uuid + "\r\n", "info uuid")
            check_eq(m.cmd("info registers"), "No CPU available\r\n",
                     "info registers")
            chardevs = m.cmd("info chardev").splitlines()
            check_eq(len(chardevs), 2, "two chardevs: %r" % chardevs)
            check(any(": filename=unix:%s,server=on" % path in l
                      for l in chardevs), "info chardev %r" % chardevs)
            check_eq(m.cmd(""), "", "empty line")
            check_eq(m.cmd("nosuch arg"), "unknown command: 'nosuch'\r\n",
                     "unknown command")
            check_eq(m.cmd("info nosuch"), "unknown command: 'info nosuch'\r\n",
                     "unknown info")
            check_eq(m.cmd("cont now"),
                     "cont|c: extraneous characters at the end of line\r\n",
                     "extra argument")
            m.send("quit\r")
            check_eq(h.wait(), 0, "exit status after quit")


@test
def help_output():
    with TempDir() as tmp:
        h, path, _ = start(tmp)
        with h:
            m = HMP(connect_unix(path))
            lines = m.cmd("help").splitlines()
            for want in ("cont|c  -- resume emulation",
                         "help|? [cmd] -- show the help",
                         "quit|q  -- quit the emulator",
                         "stop|s  -- stop emulation",
                         "system_powerdown  -- send system power down event",
                         "system_reset  -- reset the system"):
                check(want in lines, "help lacks %r: %r" % (want, lines))
            check_eq(lines, sorted(lines), "help is sorted")
            check_eq(m.cmd("?"), m.cmd("help"), "? is help")
            info = m.cmd("info").splitlines()
            check("info version  -- show the version of QEMU" in info,
                  "info help %r" % info)
            check_eq(m.cmd("help info status"),
                     "info status  -- show the current VM status "
                     "(running|paused)\r\n", "help info status")
            check_eq(m.cmd("help nosuch"), "unknown command: 'nosuch'\r\n",
                     "help unknown")
            m.send("q\r")
            check_eq(h.wait(), 0, "exit status after q")


@test
def run_control():
    with TempDir() as tmp:
        h, path, qpath = start(tmp)
        with h:
            m = HMP(connect_unix(path))
            q = qmp_session(qpath)
            check_eq(m.cmd("cont"), "", "cont")
            q.event("RESUME")
            check_eq(m.cmd("info status"), "VM status: running\r\n", "running")
            check_eq(m.cmd("stop"), "", "stop")
            q.event("STOP")
            check_eq(m.cmd("info status"), "VM status: paused\r\n", "paused")
            check_eq(m.cmd("c"), "", "c alias")
            q.event("RESUME")
            check_eq(m.cmd("system_reset"), "", "system_reset")
            ev = q.event("RESET")
            check_eq(ev["data"]["reason"], "host-qmp-system-reset",
                     "RESET reason")
            check_eq(m.cmd("system_powerdown"), "", "system_powerdown")
            q.event("POWERDOWN")
            # HMP and QMP see the same state.
            check_eq(q.cmd("human-monitor-command",
                           {"command-line": "info status"}),
                     "VM status: running\r\n", "human-monitor-command")
            m.send("quit\r")
            ev = q.event("SHUTDOWN")
            check_eq(ev["data"]["reason"], "host-qmp-quit", "SHUTDOWN reason")
            check_eq(h.wait(), 0, "exit status")


@test
def line_editing_and_history():
    with TempDir() as tmp:
        h, path, _ = start(tmp)
        with h:
            m = HMP(connect_unix(path))
            # Backspace (DEL and ^H) erase before the cursor.
            m.send("info vx\x7fersix\x08on\r")
            out = m.until(PROMPT)
            check(out.endswith(b"6.2.0 (hemu 0.1.0)\r\n" + PROMPT),
                  "backspace editing: %r" % out)
            # Ctrl-U kills the line typed so far.
            m.send("garbage\x15info name\r")
            out = m.until(PROMPT)
            check(b"unknown command" not in out, "Ctrl-U: %r" % out)
            # Home then insert; left arrow then Ctrl-K kills to the end.
            m.send("nfo statusXYZ\x1b[Hi\x1b[F\x1b[D\x1b[D\x1b[D\x0b\r")
            out = m.until(PROMPT)
            check(b"VM status: paused (prelaunch)\r\n" in out,
                  "cursor movement: %r" % out)
            # Up arrow recalls the previous command.
            m.send("\x1b[A\r")
            out = m.until(PROMPT)
            check(b"VM status: paused (prelaunch)\r\n" in out,
                  "history: %r" % out)
            # Up to "info name", down again to "info status".
            m.send("\x1b[A\x1b[A\x1b[B\r")
            out = m.until(PROMPT)
            check(b"VM status" in out, "history up/down: %r" % out)
            # Tab completes a unique command name.
            m.send("info vers\t\r")
            out = m.until(PROMPT)
            check(b"6.2.0 (hemu 0.1.0)\r\n" in out, "completion: %r" % out)
            m.send("quit\r")
            check_eq(h.wait(), 0, "exit status")


@test
def line_endings():
    with TempDir() as tmp:
        h, path, _ = start(tmp)
        with h:
            m = HMP(connect_unix(path))
            for eol in ("\r", "\n", "\r\n"):
                check_eq(m.cmd("info name", eol), "", "eol %r" % eol)
            # "\r\n" must not run an extra empty command (one prompt only).
            m.send("info version\r\ninfo version\r\n")
            m.until(PROMPT)
            m.until(PROMPT)
            time.sleep(0.2)
            m.sock.settimeout(0.3)
            try:
                extra = m.sock.recv(4096)
            except OSError:
                extra = b""
            check_eq(extra, b"", "nothing after the second prompt")
            m.sock.settimeout(10)
            m.send("quit\n")
            check_eq(h.wait(), 0, "exit status")


@test
def reconnect_gets_a_new_banner():
    with TempDir() as tmp:
        h, path, _ = start(tmp)
        with h:
            m = HMP(connect_unix(path))
            m.send("info na")
            m.close()
            m = HMP(connect_unix(path))
            check_eq(m.banner, BANNER + PROMPT, "banner again")
            # The half-typed line of the old connection is gone.
            check_eq(m.cmd("info version"), "6.2.0 (hemu 0.1.0)\r\n",
                     "fresh line")
            m.send("quit\r")
            check_eq(h.wait(), 0, "exit status")


@test
def over_tcp_and_mon_option():
    port = free_port()
    with TempDir() as tmp:
        path = tmp("m2.sock")
        args = BASE + ["-monitor", "tcp:127.0.0.1:%d,server=on,wait=off" % port,
                       "-chardev", "socket,id=hmp2,path=%s,server=on,wait=off"
                       % path, "-mon", "chardev=hmp2,mode=readline"]
        with Hemu(args) as h:
            a = HMP(connect_tcp(port))
            b = HMP(connect_unix(path))
            check_eq(a.banner, BANNER + PROMPT, "tcp banner")
            check_eq(b.banner, BANNER + PROMPT, "-mon banner")
            check_eq(a.cmd("stop"), "", "stop on tcp")
            check_eq(b.cmd("info status"), "VM status: paused (prelaunch)\r\n",
                     "status on the other monitor")
            check("hmp2: filename=unix:%s" % path in b.cmd("info chardev"),
                  "hmp2 in info chardev")
            b.send("quit\r")
            check_eq(h.wait(), 0, "exit status")


def pty_read(fd, until, timeout=10):
    out = b""
    end = time.time() + timeout
    while until not in out:
        if time.time() > end:
            raise Fail("timed out waiting for %r; got %r" % (until, out))
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out


@test
def nographic_mux():
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execv(HEMU,
                     ["hemu", "-S", "-nographic", "-machine", "none"])
        finally:
            os._exit(127)
    try:
        out = pty_read(fd, PROMPT)
        check(b"QEMU 6.2.0 monitor - type 'help' for more information" in out,
              "banner on the mux: %r" % out)
        os.write(fd, b"info status\r")
        out = pty_read(fd, PROMPT)
        check(b"VM status: paused (prelaunch)" in out, "mux command: %r" % out)
        # Ctrl-a c: the focus leaves and comes back with a fresh prompt.
        os.write(fd, b"info na\x01c\x01c")
        out = pty_read(fd, PROMPT)
        os.write(fd, b"info version\r")
        # The fresh prompt may arrive in pieces: read up to the answer.
        out = pty_read(fd, b"6.2.0 (hemu 0.1.0)")
        if PROMPT not in out.split(b"6.2.0 (hemu 0.1.0)", 1)[1]:
            out += pty_read(fd, PROMPT)
        check(b"unknown" not in out,
              "line restarted after the focus came back: %r" % out)
        os.write(fd, b"quit\r")
        _, status = os.waitpid(pid, 0)
        pid = 0
        check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
              "exit status %r" % status)
    finally:
        if pid:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)


run_tests()
