# SPDX-License-Identifier: GPL-2.0-or-later
"""hemutest - the small harness behind hemu's integration tests.

A test file defines functions decorated with @test and ends with
``run_tests()``, which runs them in order, prints one line per test
("ok 3 - name" / "not ok 3 - name: why") and the closing line
"N passed, N failed", and exits non-zero if anything failed.

The hemu binary is $HEMU (default build/hemu).  Tests talk to it the way
users' tools do: over real sockets, ptys and files.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEMU = os.environ.get("HEMU", os.path.join(ROOT, "build", "hemu"))

_tests = []


def test(fn):
    _tests.append(fn)
    return fn


class Fail(Exception):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise Fail(msg)


def check_eq(got, want, what="value"):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


def wait_for(pred, timeout=10.0, what="condition"):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise Fail("timed out waiting for %s" % what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class TempDir:
    """A fresh directory, removed when the test ends."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="hemu-test-")

    def __call__(self, name):
        return os.path.join(self.path, name)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        shutil.rmtree(self.path, ignore_errors=True)


class Hemu:
    """A running build/hemu with the given arguments."""

    def __init__(self, args, stdin=subprocess.DEVNULL, env=None, **kw):
        self.args = [HEMU] + list(args)
        self.proc = subprocess.Popen(self.args, stdin=stdin,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, **kw)
        # Drain stderr as it comes: a long run whose libraries warn a lot
        # would otherwise fill the pipe and block hemu's main loop.
        self._err = []
        self._err_thread = threading.Thread(target=self._drain_stderr,
                                            daemon=True)
        self._err_thread.start()

    def _drain_stderr(self):
        try:
            for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
                self._err.append(chunk)
        except (OSError, ValueError):
            pass

    def wait(self, timeout=10):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Fail("hemu did not exit within %ss" % timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stderr_so_far(self):
        """What hemu has written to stderr up to now (it keeps running)."""
        return b"".join(list(self._err))

    def stderr(self):
        """Everything hemu wrote to stderr, once it has exited."""
        self.proc.wait()
        self._err_thread.join(10)
        return b"".join(self._err).decode(errors="replace")

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.kill()
        self._err_thread.join(10)
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()


def connect_unix(path, timeout=10):
    def attempt():
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            return None
    return wait_for(attempt, timeout, "unix socket %s" % path)


def connect_tcp(port, host="127.0.0.1", timeout=10):
    def attempt():
        try:
            return socket.create_connection((host, port), timeout=2)
        except OSError:
            return None
    return wait_for(attempt, timeout, "tcp %s:%d" % (host, port))


class QMP:
    """A QMP client on a connected socket."""

    def __init__(self, sock, timeout=10):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.buf = b""
        self.events = []
        self.greeting = self.recv()

    def recv(self):
        """The next JSON object from the server (events included)."""
        dec = json.JSONDecoder()
        while True:
            text = self.buf.decode(errors="replace").lstrip()
            if text:
                try:
                    obj, end = dec.raw_decode(text)
                    self.buf = text[end:].encode()
                    return obj
                except ValueError:
                    pass
            data = self.sock.recv(65536)
            if not data:
                raise Fail("QMP connection closed")
            self.buf += data

    def send_raw(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """The next reply, setting aside events that come before it."""
        while True:
            obj = self.recv()
            if "event" in obj:
                self.events.append(obj)
                continue
            return obj

    def cmd_raw(self, name, args=None, id=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        if id is not None:
            msg["id"] = id
        self.send_raw(json.dumps(msg))
        return self.reply()

    def cmd(self, name, args=None):
        r = self.cmd_raw(name, args)
        if "return" not in r:
            raise Fail("%s failed: %r" % (name, r))
        return r["return"]

    def event(self, name, timeout=10):
        end = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            if time.time() > end:
                raise Fail("no %s event" % name)
            self.events.append(self.recv())

    def close(self):
        self.sock.close()


def demo_guest(kind=None, dest=None, timeout=900):
    """The kernel and initramfs paths of the demo guest that
    scripts/build-demo-guest.sh builds from Debian packages (kind: None
    for the demo, "net" for the network test guest)."""
    dest = dest or os.path.join(ROOT, "build", "demo")
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts",
                                           "build-demo-guest.sh"), dest]
                       + ([kind] if kind else []),
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise Fail("build-demo-guest.sh failed: %s" % r.stderr[-500:])
    return r.stdout.split()


class SerialFile:
    """A serial port hemu writes to a file (-serial file:PATH): what it
    holds so far, and waiting for a text while hemu keeps running."""

    def __init__(self, path, hemu=None):
        self.path = path
        self.hemu = hemu

    def text(self):
        try:
            with open(self.path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def wait(self, text, timeout, since=0):
        """Wait for text at or after offset since (a len() of text())."""
        def seen():
            if self.hemu is not None and self.hemu.proc.poll() is not None:
                raise Fail("hemu exited: %s" % self.hemu.stderr()[-500:])
            return text in self.text()[since:]
        wait_for(seen, timeout=timeout,
                 what="%r on the serial port (last: %r)"
                 % (text, self.text()[-300:]))


def run_tests():
    passed = failed = 0
    only = sys.argv[1:]
    for i, fn in enumerate(_tests, 1):
        if only and fn.__name__ not in only:
            continue
        name = fn.__name__
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok %d - %s (%.1fs)" % (i, name, time.time() - t0), flush=True)
        except Exception as e:  # report every failure, keep going
            failed += 1
            print("not ok %d - %s: %s" % (i, name, e), flush=True)
            if not isinstance(e, Fail):
                traceback.print_exc(file=sys.stdout)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    sys.exit(1 if failed else 0)
