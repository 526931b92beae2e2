# SPDX-License-Identifier: GPL-2.0-or-later
"""The built-in web console: the websocket port serves hemu's page and
noVNC (with its licence) over plain HTTP; in Debian's headless Chromium
(driven by playwright-core from npm, vnc_web.cjs) the page connects back
over the same port, its canvas shows exactly what screendump shows
(SeaBIOS's text screen), and keys typed in the page reach the guest's
keyboard controller (the keyecho guest of test_vnc_keys.py)."""
import base64
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, ROOT, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, free_port, run_tests, test, wait_for)
import rfb  # noqa: E402
from rfb import free_display, keyecho, read_ppm  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("HEMU_BUILD", os.path.join(ROOT, "build"))
PW_DIR = os.path.join(ROOT, "build", "playwright")
PW_VERSION = "1.49.1"


def playwright():
    if not os.path.isdir(os.path.join(PW_DIR, "node_modules", "playwright-core")):
        r = subprocess.run(["npm", "install", "--silent", "--no-save", "--prefix",
                            PW_DIR, "playwright-core@" + PW_VERSION],
                           capture_output=True, text=True, timeout=600)
        check(r.returncode == 0, "npm install playwright-core: %s" % r.stderr)
    return PW_DIR


def browser(mode, url, *args):
    env = dict(os.environ, PLAYWRIGHT_DIR=playwright())
    r = subprocess.run(["node", os.path.join(HERE, "vnc_web.cjs"), mode, url]
                       + list(args), capture_output=True, text=True,
                       timeout=180, env=env)
    check(r.returncode == 0, "browser %s: %s" % (mode, r.stderr[-2000:]))
    return r.stdout


def http_get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(errors="replace"), body


@test
def page_and_canvas_match_screendump():
    check(os.path.exists(os.path.join(BUILD, "web", "index.html")),
          "build/web is missing (make builds it with npm)")
    with TempDir() as td:
        d = free_display()
        wport = free_port()
        qsock = td("q.sock")
        with Hemu(["-display", "none", "-serial", "null",
                   "-qmp", "unix:%s,server=on,wait=off" % qsock,
                   "-vnc", "127.0.0.1:%d,websocket=%d" % (d, wport)]) as h:
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            head, body = http_get(wport, "/")
            check(head.startswith("HTTP/1.1 200") and b"novnc/core/rfb.js" in body,
                  "GET /: %r" % head)
            check("text/html" in head, "content type of /")
            head, body = http_get(wport, "/novnc/LICENSE.txt")
            check(head.startswith("HTTP/1.1 200") and b"Mozilla Public License" in body
                  or b"MPL" in body, "noVNC licence served: %r" % head)
            head, _ = http_get(wport, "/novnc/core/rfb.js")
            check("text/javascript" in head, "rfb.js content type: %r" % head)

            def banner():
                q.cmd("screendump", {"filename": td("s.ppm")})
                w, hh, px = read_ppm(td("s.ppm"))
                return (w, hh) == (720, 400) and px.count(0) != len(px)
            wait_for(banner, timeout=30, what="SeaBIOS's screen")

            # The text cursor blinks: a screen is the set of states seen
            # over a while.  Wait until SeaBIOS has stopped writing (two
            # such sets in a row are equal), so the browser's picture is
            # one of them.
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
            out = json.loads(browser("canvas", "http://127.0.0.1:%d/" % wport))
            canvas = (out["w"], out["h"], base64.b64decode(out["rgb"]))
            states = last[0] | states_now()
            check_eq(canvas[:2], (720, 400), "canvas size")
            check(canvas in states, "the canvas differs from screendump (%d "
                  "states seen)" % len(states))
            q.cmd("quit")
            h.wait()


@test
def keys_typed_in_the_page_reach_the_guest():
    with TempDir() as td:
        log = td("debugcon.log")
        d = free_display()
        wport = free_port()
        with Hemu(["-bios", keyecho(td), "-display", "none", "-serial", "null",
                   "-chardev", "file,id=dc,path=" + log,
                   "-device", "isa-debugcon,chardev=dc",
                   "-vnc", "127.0.0.1:%d,websocket=%d" % (d, wport)]):
            def text():
                try:
                    with open(log) as f:
                        return f.read()
                except OSError:
                    return ""
            wait_for(lambda: "KEYECHO READY" in text(), timeout=30,
                     what="the keyecho guest")
            browser("type", "http://127.0.0.1:%d/" % wport, "ab")
            words = text().split("KEYECHO READY", 1)[1].split()
            # after the keyboard's ACK (FA): a and b, pressed and released
            check_eq(" ".join(w for w in words if w != "FA"), "1E 9E 30 B0",
                     "scan codes from the page")


run_tests()
