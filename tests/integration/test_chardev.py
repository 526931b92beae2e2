# SPDX-License-Identifier: GPL-2.0-or-later
"""Chardev back ends of a running build/hemu, driven the way users drive
them: the HMP monitor over a TCP server and client (with reconnect), over
telnet, over a pty and over UDP; file and logfile append/truncate; the
mux escapes (C-a h/c/x, -echr) through a pty; query-chardev filenames;
and the start-up errors for bad -chardev/-serial options."""
import fcntl
import os
import pty
import re
import select
import socket
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, QMP, Fail, Hemu, TempDir, check, check_eq,
                      connect_tcp, connect_unix, free_port, run_tests, test,
                      wait_for)

BASE = ["-machine", "none", "-display", "none", "-nodefaults"]
BANNER = b"QEMU 6.2.0 monitor - type 'help' for more information"
PROMPT = b"(qemu) "


class Stream:
    """Bytes from a socket or fd, read until a pattern shows up."""

    def __init__(self, fd_or_sock):
        self.obj = fd_or_sock
        self.fd = fd_or_sock if isinstance(fd_or_sock, int) else fd_or_sock.fileno()
        self.buf = b""

    def _read(self):
        if isinstance(self.obj, int):
            try:
                return os.read(self.fd, 65536)
            except OSError:
                return b""
        return self.obj.recv(65536)

    def until(self, pat, timeout=10):
        """Consume and return everything up to and including pat."""
        end = time.time() + timeout
        while pat not in self.buf:
            left = end - time.time()
            if left <= 0:
                raise Fail("timed out waiting for %r; got %r" % (pat, self.buf[-300:]))
            r, _, _ = select.select([self.fd], [], [], min(left, 0.2))
            if r:
                data = self._read()
                if not data:
                    raise Fail("EOF waiting for %r; got %r" % (pat, self.buf[-300:]))
                self.buf += data
        i = self.buf.index(pat) + len(pat)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def send(self, data):
        if isinstance(self.obj, int):
            os.write(self.fd, data)
        else:
            self.obj.sendall(data)


def hmp(stream, line, timeout=10):
    """Run one HMP command; its output up to the next prompt."""
    stream.send(line.encode() + b"\n")
    return stream.until(PROMPT, timeout)


def output_line(h, pattern, timeout=10, stream="stderr"):
    """Wait for hemu to print a line matching pattern; the match."""
    if stream == "stderr":
        # hemutest drains hemu's stderr itself: look at what it collected.
        end = time.time() + timeout
        while True:
            buf = h.stderr_so_far()
            m = re.search(pattern, buf.decode(errors="replace"))
            if m:
                return m
            if time.time() > end:
                raise Fail("no %r on stderr; got %r" % (pattern, buf))
            time.sleep(0.05)
    fd = getattr(h.proc, stream).fileno()
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        m = re.search(pattern, buf.decode(errors="replace"))
        if m:
            return m
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            data = os.read(fd, 4096)
            if not data:
                break
            buf += data
    raise Fail("no %r on %s; got %r" % (pattern, stream, buf))


def stderr_line(h, pattern, timeout=10):
    return output_line(h, pattern, timeout, "stderr")


def pty_line(h, label, timeout=10):
    """QEMU 6.2 announces a pty on stdout (qemu_printf), unprefixed."""
    m = output_line(h, r"(?m)^char device redirected to (/dev/pts/\d+) "
                    r"\(label %s\)$" % re.escape(label), timeout, "stdout")
    return m.group(1)


def qmp_on(d, name="qmp.sock"):
    return ["-qmp", "unix:%s,server=on,wait=off" % d(name)]


def qmp_connect(d, name="qmp.sock"):
    q = QMP(connect_unix(d(name)))
    q.cmd("qmp_capabilities")
    return q


def chardevs(q):
    return {c["label"]: c for c in q.cmd("query-chardev")}


# ---------------------------------------------------------------------------
# TCP and telnet

@test
def tcp_server_monitor_serves_one_client_at_a_time():
    port = free_port()
    with TempDir() as d, Hemu(BASE + qmp_on(d) + [
            "-chardev", "socket,id=m,host=127.0.0.1,port=%d,server=on,wait=off" % port,
            "-mon", "chardev=m,mode=readline"]) as h:
        q = qmp_connect(d)
        check_eq(chardevs(q)["m"]["filename"],
                 "disconnected:tcp:127.0.0.1:%d,server=on" % port, "filename before")
        s = Stream(connect_tcp(port))
        s.until(BANNER)
        s.until(PROMPT)
        check(b"6.2.0" in hmp(s, "info version"), "info version answers")
        f = chardevs(q)["m"]["filename"]
        check(re.match(r"tcp:127\.0\.0\.1:%d,server=on <-> 127\.0\.0\.1:\d+$" % port, f),
              "connected filename: %r" % f)
        check(chardevs(q)["m"]["frontend-open"], "frontend-open")
        # A second client waits until the first one leaves.
        s2 = Stream(connect_tcp(port))
        r, _, _ = select.select([s2.fd], [], [], 0.5)
        check(not r, "second client must wait")
        s.obj.close()
        s2.until(BANNER)
        s2.until(PROMPT)
        check(b"6.2.0" in hmp(s2, "info version"), "second client served")
        s2.obj.close()
        wait_for(lambda: chardevs(q)["m"]["filename"].startswith("disconnected:"),
                 5, "disconnected filename")
        q.cmd("quit")
        check_eq(h.wait(), 0, "exit status")


@test
def tcp_server_wait_on_blocks_until_a_client_connects():
    port = free_port()
    with TempDir() as d, Hemu(BASE + [
            "-chardev", "socket,id=m,host=127.0.0.1,port=%d,server=on" % port,
            "-mon", "chardev=m"] + qmp_on(d)) as h:
        m = stderr_line(h, r"QEMU waiting for connection on: (\S+)")
        check_eq(m.group(1), "disconnected:tcp:127.0.0.1:%d,server=on" % port,
                 "waiting message")
        time.sleep(0.3)
        check(not os.path.exists(d("qmp.sock")), "start-up must block before later options")
        s = Stream(connect_tcp(port))
        s.until(BANNER)
        wait_for(lambda: os.path.exists(d("qmp.sock")), 5, "start-up to continue")
        s.send(b"quit\n")
        check_eq(h.wait(), 0, "exit status")


@test
def tcp_client_reconnects_when_the_server_returns():
    port = free_port()
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(1)
    with TempDir() as d, Hemu(BASE + qmp_on(d) + [
            "-chardev", "socket,id=m,host=127.0.0.1,port=%d,reconnect=1" % port,
            "-mon", "chardev=m"]) as h:
        lsock.settimeout(10)
        conn, _ = lsock.accept()
        s = Stream(conn)
        s.until(BANNER)
        s.until(PROMPT)
        check(b"6.2.0" in hmp(s, "info version"), "monitor over the client socket")
        q = qmp_connect(d)
        f = chardevs(q)["m"]["filename"]
        check(re.match(r"tcp:127\.0\.0\.1:\d+ <-> 127\.0\.0\.1:%d$" % port, f),
              "connected client filename %r" % f)
        # The server goes away ...
        conn.close()
        lsock.close()
        wait_for(lambda: chardevs(q)["m"]["filename"] ==
                 "disconnected:tcp:127.0.0.1:%d" % port, 5, "disconnected filename")
        time.sleep(1.5)     # at least one failed retry
        # ... and comes back: hemu reconnects by itself.
        lsock = socket.socket()
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lsock.bind(("127.0.0.1", port))
        lsock.listen(1)
        lsock.settimeout(10)
        conn, _ = lsock.accept()
        s = Stream(conn)
        s.until(BANNER)
        s.until(PROMPT)
        check(b"6.2.0" in hmp(s, "info version"), "monitor after reconnect")
        m = stderr_line(h, r"Unable to connect character device m: ([^\n]+)")
        check("Connection refused" in m.group(1), "reported failure: %r" % m.group(0))
        conn.close()
        lsock.close()
        q.cmd("quit")
        check_eq(h.wait(), 0, "exit status")


@test
def telnet_server_negotiates_and_strips_commands():
    port = free_port()
    with Hemu(BASE + [
            "-chardev", "socket,id=m,host=127.0.0.1,port=%d,server=on,wait=off,telnet=on" % port,
            "-mon", "chardev=m"]) as h:
        s = Stream(connect_tcp(port))
        init = s.until(b"\xff\xfd\x00", 5)
        # IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD, IAC WILL BINARY, IAC DO BINARY
        check_eq(init, b"\xff\xfb\x01\xff\xfb\x03\xff\xfb\x00\xff\xfd\x00",
                 "negotiation")
        s.until(BANNER)
        s.until(PROMPT)
        # A client's answers and subnegotiations never reach the monitor.
        s.send(b"\xff\xfd\x01\xff\xfd\x03\xff\xfa\x18\x00xterm\xff\xf0info ver"
               b"\xff\xfb\x1fsion\n")
        out = s.until(PROMPT)
        check(b"6.2.0" in out, "command split by telnet commands: %r" % out)
        s.send(b"quit\n")
        check_eq(h.wait(), 0, "exit status")


@test
def legacy_tcp_and_telnet_monitor_syntax():
    port = free_port()
    with TempDir() as d, Hemu(BASE + qmp_on(d) + [
            "-monitor", "telnet:127.0.0.1:%d,server,nowait" % port,
            "-serial", "tcp::%d,server=on,wait=off,nodelay=on" % free_port()]) as h:
        q = qmp_connect(d)
        c = chardevs(q)
        # -qmp and -monitor share the compat_monitorN numbering, as in QEMU.
        check_eq(c["compat_monitor1"]["filename"],
                 "disconnected:telnet:127.0.0.1:%d,server=on" % port, "monitor")
        check(re.match(r"disconnected:tcp:0\.0\.0\.0:\d+,server=on$",
                       c["serial0"]["filename"]), "serial0 %r" % c["serial0"])
        s = Stream(connect_tcp(port))
        s.until(BANNER)
        q.cmd("quit")
        check_eq(h.wait(), 0, "exit status")


# ---------------------------------------------------------------------------
# pty, udp, files

@test
def pty_monitor_is_announced_and_answers():
    with TempDir() as d, Hemu(BASE + qmp_on(d) + [
            "-chardev", "pty,id=p", "-mon", "chardev=p"]) as h:
        path = pty_line(h, "p")
        q = qmp_connect(d)
        check_eq(chardevs(q)["p"]["filename"], "pty:" + path, "pty filename")
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        try:
            s = Stream(fd)
            s.until(BANNER)
            s.until(PROMPT)
            check(b"6.2.0" in hmp(s, "info version"), "monitor over the pty")
        finally:
            os.close(fd)
        q.cmd("quit")
        check_eq(h.wait(), 0, "exit status")


@test
def udp_monitor_talks_in_datagrams():
    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))
    lport = free_port()
    with Hemu(BASE + [
            "-chardev", "udp,id=u,host=127.0.0.1,port=%d,localaddr=127.0.0.1,localport=%d"
            % (peer.getsockname()[1], lport),
            "-mon", "chardev=u"]) as h:
        peer.settimeout(10)
        got = b""
        while PROMPT not in got:
            got += peer.recv(65536)
        check(BANNER in got, "banner by datagram: %r" % got)
        peer.sendto(b"info version\n", ("127.0.0.1", lport))
        got = b""
        while b"6.2.0" not in got:
            got += peer.recv(65536)
        peer.sendto(b"quit\n", ("127.0.0.1", lport))
        check_eq(h.wait(), 0, "exit status")
    peer.close()


@test
def file_backend_creates_truncates_or_appends():
    with TempDir() as d:
        for append, want in (("on", "old\n"), ("off", "")):
            with open(d("serial.txt"), "w") as f:
                f.write("old\n")
            with Hemu(BASE + qmp_on(d) + [
                    "-chardev", "file,id=s,path=%s,append=%s" % (d("serial.txt"), append),
                    "-serial", "chardev:s"]) as h:
                q = qmp_connect(d)
                check_eq(chardevs(q)["s"]["filename"], "file", "filename")
                check_eq(open(d("serial.txt")).read(), want, "append=%s" % append)
                q.cmd("quit")
                h.wait()
        with Hemu(BASE + qmp_on(d) + ["-serial", "file:" + d("new.txt")]) as h:
            q = qmp_connect(d)
            check(os.path.exists(d("new.txt")), "file created")
            q.cmd("quit")
            h.wait()


@test
def logfile_records_monitor_output_and_appends():
    with TempDir() as d:
        for logappend in ("off", "on"):
            port = free_port()
            with Hemu(BASE + [
                    "-chardev", "socket,id=m,host=127.0.0.1,port=%d,server=on,wait=off,"
                    "logfile=%s,logappend=%s" % (port, d("mon.log"), logappend),
                    "-mon", "chardev=m"]) as h:
                s = Stream(connect_tcp(port))
                s.until(PROMPT)
                hmp(s, "info version")
                s.send(b"quit\n")
                check_eq(h.wait(), 0, "exit status")
        log = open(d("mon.log"), "rb").read()
        check_eq(log.count(BANNER), 2, "two sessions in the log with logappend=on")
        check(b"6.2.0" in log, "command output logged")


# ---------------------------------------------------------------------------
# mux escapes through a pty

def mux_session(extra_args, fn):
    with TempDir() as d, Hemu(BASE + qmp_on(d) + [
            "-chardev", "pty,id=c,mux=on",
            "-mon", "chardev=c,mode=readline",
            "-mon", "chardev=c,mode=control"] + extra_args) as h:
        fd = os.open(pty_line(h, "c-base"), os.O_RDWR | os.O_NOCTTY)
        try:
            s = Stream(fd)
            return fn(h, s, d)
        finally:
            os.close(fd)


@test
def mux_help_switch_and_exit():
    def run(h, s, d):
        # QMP attached last and has the focus: its greeting shows; the HMP
        # monitor holds its banner while it is not focused (as QEMU's).
        s.until(b'"QMP"')
        # C-a c moves the focus to HMP.
        s.send(b"\x01c")
        s.until(BANNER)
        s.until(PROMPT)
        check(b"6.2.0" in hmp(s, "info version"), "HMP after C-a c")
        s.send(b"\x01h")
        help_text = s.until(b"C-a C-a  sends C-a\n\r")
        for line in (b"C-a h    print this help\n\r",
                     b"C-a x    exit emulator\n\r",
                     b"C-a s    save disk data back to file (if -snapshot)\n\r",
                     b"C-a t    toggle console timestamps\n\r",
                     b"C-a b    send break (magic sysrq)\n\r",
                     b"C-a c    switch between console and monitor\n\r"):
            check(line in help_text, "help has %r: %r" % (line, help_text))
        # C-a c again: QMP has the focus and answers JSON.
        s.send(b"\x01c")
        s.send(b'{"execute": "qmp_capabilities"}\n')
        s.until(b'"return"')
        q = qmp_connect(d)
        c = chardevs(q)
        check_eq(c["c"]["filename"], "mux", "mux filename")
        check(c["c-base"]["filename"].startswith("pty:/dev/pts/"), "base %r" % c["c-base"])
        check(c["c"]["frontend-open"] and c["c-base"]["frontend-open"], "frontend-open")
        # C-a x ends hemu with status 0.
        s.send(b"\x01x")
        s.until(b"QEMU: Terminated\n\r")
        check_eq(h.wait(), 0, "exit status after C-a x")
    mux_session([], run)


@test
def mux_echr_changes_the_escape_character():
    def run(h, s, d):
        s.until(b'"QMP"')
        s.send(b"\x14h")
        out = s.until(b"C-t C-t  sends C-t\n\r")
        check(b"C-t x    exit emulator" in out, "help with -echr 20: %r" % out)
        s.send(b"\x01x")        # C-a is an ordinary byte now
        time.sleep(0.3)
        check(h.proc.poll() is None, "C-a x must not exit with -echr 20")
        s.send(b"\x14x")
        s.until(b"QEMU: Terminated")
        check_eq(h.wait(), 0, "exit status")
    mux_session(["-echr", "20"], run)


@test
def mon_stdio_legacy_mux_is_reported():
    with TempDir() as d, Hemu(BASE + qmp_on(d) + ["-serial", "mon:null"]) as h:
        q = qmp_connect(d)
        c = chardevs(q)
        check_eq(c["serial0"]["filename"], "mux", "serial0")
        check_eq(c["serial0-base"]["filename"], "null", "serial0-base")
        q.cmd("quit")
        check_eq(h.wait(), 0, "exit status")


# ---------------------------------------------------------------------------
# stdio on a terminal

def hemu_on_tty(args):
    """hemu with a new pty as its controlling terminal, stdin and stdout."""
    master, slave = pty.openpty()
    # The modes before hemu can change them (read later, this races with
    # hemu's own switch to raw mode).
    before = termios.tcgetattr(slave)

    def become_tty_owner():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen([HEMU] + args, stdin=slave, stdout=slave,
                            stderr=subprocess.PIPE, preexec_fn=become_tty_owner)
    proc.tty_before = before
    return proc, master, slave


def lflag(fd):
    return termios.tcgetattr(fd)[3]


@test
def stdio_raw_terminal_restored_and_signal_option():
    for signal_opt in ("on", "off"):
        proc, master, slave = hemu_on_tty(BASE + [
            "-chardev", "stdio,id=s,signal=%s" % signal_opt, "-mon", "chardev=s"])
        try:
            before = proc.tty_before
            s = Stream(master)
            s.until(PROMPT)
            lf = lflag(slave)
            check(not lf & (termios.ECHO | termios.ICANON), "raw while running")
            check(bool(lf & termios.ISIG) == (signal_opt == "on"),
                  "ISIG with signal=%s" % signal_opt)
            s.send(b"\x03")
            if signal_opt == "on":
                check_eq(proc.wait(10), 0, "Ctrl-C ends hemu with signal=on")
            else:
                time.sleep(0.3)
                check(proc.poll() is None, "Ctrl-C reaches the monitor with signal=off")
                s.send(b"quit\n")
                check_eq(proc.wait(10), 0, "exit status")
            after = termios.tcgetattr(slave)
            check_eq(after[3], before[3], "local modes restored at exit")
            check_eq(after[0], before[0], "input modes restored at exit")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stderr.close()
            os.close(master)
            os.close(slave)


# ---------------------------------------------------------------------------
# errors at start-up

@test
def bad_chardev_options_exit_1_with_qemu_messages():
    cases = [
        (["-chardev", "foo,id=x"], "'foo' is not a valid char driver name"),
        (["-chardev", "null"], "Parameter 'id' is missing"),
        (["-chardev", "null,id=9"], "Parameter 'id' expects an identifier"),
        (["-chardev", "null,id=a", "-chardev", "null,id=a"],
         "Duplicate ID 'a' for chardev"),
        (["-chardev", "vc,id=x"], "vc: not supported"),
        (["-chardev", "null,id=x,bogus=1"], "Invalid parameter 'bogus'"),
        (["-chardev", "ringbuf,id=x,size=1000"],
         "size of ringbuf chardev must be power of two"),
        (["-chardev", "socket,id=x,port=1,server=on,reconnect=1"],
         "'reconnect' option is incompatible with socket in server listen mode"),
        (["-serial", "bogus"], "'bogus' is not a valid char driver"),
        (["-serial", "vc:80Cx24C"], "vc: not supported"),
        (["-chardev", "stdio,id=a", "-chardev", "stdio,id=b"],
         "cannot use stdio by multiple character devices"),
    ]
    for args, msg in cases:
        r = subprocess.run([HEMU] + BASE + args, stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=10)
        err = r.stderr.decode(errors="replace")
        check_eq(r.returncode, 1, "exit status for %r" % args)
        check(msg in err, "%r: want %r in %r" % (args, msg, err))
        check(err.startswith("hemu: -"), "location prefix: %r" % err)


run_tests()
