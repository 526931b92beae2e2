# SPDX-License-Identifier: GPL-2.0-or-later
"""spiceview - what the SPICE tests share: a private Xvfb with
remote-viewer in it and screenshots of it, finding the guest's picture
inside a screenshot, and the set of pictures screendump shows once a
screen stops changing."""
import os
import shutil
import subprocess
import time

from hemutest import Fail, check, wait_for
from rfb import read_ppm


def need(*progs):
    for p in progs:
        check(shutil.which(p), "%s is missing (scripts/install-deps.sh TEST)" % p)


def free_display(n):
    """No X server on :n.  A lock file naming a process that is gone is
    stale (its server was killed) and Xvfb takes the display over."""
    lock = "/tmp/.X%d-lock" % n
    try:
        with open(lock) as f:
            pid = int(f.read().strip() or 0)
    except FileNotFoundError:
        return not os.path.exists("/tmp/.X11-unix/X%d" % n)
    except (OSError, ValueError):
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Xvfb:
    """A private X server; killed on exit, also when the test fails."""

    def __init__(self, td):
        need("Xvfb", "remote-viewer", "xdotool", "import")
        for n in range(140, 200):
            if free_display(n):
                break
        else:
            raise Fail("no free X display between :140 and :199")
        self.display = ":%d" % n
        self.proc = subprocess.Popen(
            ["Xvfb", self.display, "-screen", "0", "1280x1024x24",
             "-nolisten", "tcp"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self.env = dict(os.environ, DISPLAY=self.display)
        self.env.pop("WAYLAND_DISPLAY", None)
        self.td = td
        self.procs = [self.proc]

        def up():
            if self.proc.poll() is not None:
                raise Fail("Xvfb %s exited" % self.display)
            try:
                with open("/tmp/.X%d-lock" % n) as f:
                    mine = int(f.read().strip() or 0) == self.proc.pid
            except (OSError, ValueError):
                return False
            return mine and os.path.exists("/tmp/.X11-unix/X%d" % n)
        wait_for(up, timeout=20, what="Xvfb")

    def spawn(self, args):
        p = subprocess.Popen(args, env=self.env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def run(self, args):
        return subprocess.run(args, env=self.env, capture_output=True,
                              timeout=30)

    def viewer_window(self):
        r = self.run(["xdotool", "search", "--onlyvisible", "--class",
                      "remote-viewer"])
        ids = r.stdout.split()
        return ids[-1].decode() if ids else None

    def screenshot(self):
        path = self.td("root.ppm")
        r = self.run(["import", "-window", "root", "-depth", "8", path])
        check(r.returncode == 0, "import: %s" % r.stderr)
        return read_ppm(path)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        for p in reversed(self.procs):
            if p.poll() is None:
                # SIGTERM first: a killed X server leaves its lock file,
                # and enough of those use up every display number.
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()


def find_picture(shot, pic):
    """Where pic (w, h, rgb) lies inside shot, or None.  The viewer's
    window decorations and the desktop around it are ignored: the guest
    area is searched for by its busiest row."""
    sw, sh, spx = shot
    pw, ph, ppx = pic
    prow = pw * 3
    rows = [ppx[y * prow:(y + 1) * prow] for y in range(ph)]
    key = max(range(ph), key=lambda y: len(set(rows[y][i:i + 3]
                                               for i in range(0, prow, 3))))
    for y in range(key, sh - (ph - key) + 1):
        line = spx[y * sw * 3:(y + 1) * sw * 3]
        pos = line.find(rows[key])
        while pos >= 0:
            if pos % 3 == 0:
                x, top = pos // 3, y - key
                if x + pw <= sw and all(
                        spx[((top + r) * sw + x) * 3:
                            ((top + r) * sw + x) * 3 + prow] == rows[r]
                        for r in range(ph)):
                    return x, top
            pos = line.find(rows[key], pos + 1)
    return None


def settled_states(q, td):
    """The set of pictures screendump shows once SeaBIOS stopped writing
    (the text cursor blinks: a screen is the set of states seen over a
    while; two such sets in a row equal means it settled)."""
    def states_now():
        seen = set()
        for i in range(16):
            q.cmd("screendump", {"filename": td("s.ppm")})
            seen.add(read_ppm(td("s.ppm")))
            time.sleep(0.05)
        return seen
    last = [states_now()]

    def settled():
        now = states_now()
        same = now == last[0]
        last[0] = now
        return same
    wait_for(settled, timeout=60, what="a screen that stays")
    return last[0]
