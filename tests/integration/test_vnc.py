# SPDX-License-Identifier: GPL-2.0-or-later
"""VNC: SeaBIOS's text screen (the standard VGA with Debian's
vgabios-stdvga.bin) seen by a real client from Debian (gvnccapture) and by
tests/integration/rfb.py is 720x400 and pixel-identical to QMP screendump;
query-vnc(-servers), the VNC_* events, password auth (set_password,
expire_password, HMP change vnc password), the websocket port (upgrade on
/ and /websockify, with and without the binary subprotocol; HTTP answers),
malformed RFB input, unix sockets and refused options."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, free_port, run_tests, test, wait_for)
import rfb  # noqa: E402
from rfb import free_display, matches_dump, screendump  # noqa: E402


def start(td, vnc_opts="", extra=()):
    d = free_display()
    qsock = td("qmp.sock")
    h = Hemu(["-display", "none", "-serial", "null",
              "-qmp", "unix:%s,server=on,wait=off" % qsock,
              "-vnc", "127.0.0.1:%d%s" % (d, vnc_opts)] + list(extra))
    q = QMP(connect_unix(qsock))
    q.cmd("qmp_capabilities")
    return h, q, 5900 + d


def wait_banner(q, td):
    """Until SeaBIOS has printed its banner in text mode (720x400, some
    non-black pixels, stable over two dumps)."""
    def ready():
        w, h, px = screendump(q, td)
        if (w, h) != (720, 400) or px.count(0) == len(px):
            return None
        time.sleep(0.3)
        return screendump(q, td) == (w, h, px)
    wait_for(ready, timeout=30, what="the SeaBIOS text screen")


@test
def seabios_text_screen_gvnccapture_and_own_client():
    with TempDir() as td:
        h, q, port = start(td)
        with h:
            wait_banner(q, td)
            cap = td("cap.png")

            def gvnc():
                r = subprocess.run(["gvnccapture", "127.0.0.1:%d" % (port - 5900),
                                    cap], capture_output=True, timeout=30)
                check_eq(r.returncode, 0, "gvnccapture exit status")
                return rfb.read_png(cap)
            check(matches_dump(q, td, gvnc),
                  "gvnccapture's picture differs from screendump")
            w, hh, _ = rfb.read_png(cap)
            check_eq((w, hh), (720, 400), "captured size")

            c = rfb.RFBClient(socket.create_connection(("127.0.0.1", port)))
            check_eq((c.width, c.height), (720, 400), "ServerInit size")
            check_eq(c.name, "QEMU", "desktop name")

            def own():
                c.refresh()
                return (c.width, c.height, c.pixels_rgb())
            check(matches_dump(q, td, own), "RFB client's picture differs")
            check(c.ext_key, "Extended Key Event pseudo-encoding acknowledged")
            # PNG screendump decodes to the same picture
            def png():
                q.cmd("screendump", {"filename": td("s.png"), "format": "png"})
                return rfb.read_png(td("s.png"))
            # Not through matches_dump: png() would share the QMP socket
            # with its screendump thread.  A PNG between two equal PPMs.
            def png_matches():
                a = screendump(q, td, "p1.ppm")
                b = png()
                return b if a == b == screendump(q, td, "p2.ppm") else None
            check(wait_for(png_matches, timeout=30, what="a steady screen"),
                  "png screendump differs from ppm")
            r = q.cmd_raw("screendump", {"filename": td("x"), "format": "bmp"})
            check("error" in r, "format bmp refused")
            c.close()
            q.cmd("quit")
            h.wait()


@test
def query_vnc_and_events():
    with TempDir() as td:
        h, q, port = start(td)
        with h:
            r = q.cmd("query-vnc")
            check_eq((r["enabled"], r["host"], r["service"], r["family"],
                      r["auth"], r["clients"]),
                     (True, "127.0.0.1", str(port), "ipv4", "none", []),
                     "query-vnc")
            c = rfb.RFBClient(socket.create_connection(("127.0.0.1", port)))
            e = q.event("VNC_CONNECTED")
            check_eq(e["data"]["server"]["service"], str(port), "event server")
            lport = str(c.s.getsockname()[1])
            check_eq(e["data"]["client"]["service"], lport, "event client port")
            c.refresh()
            e = q.event("VNC_INITIALIZED")
            check_eq(e["data"]["client"]["host"], "127.0.0.1", "client host")
            r = q.cmd("query-vnc")
            check_eq([(x["host"], x["service"], x["websocket"]) for x in r["clients"]],
                     [("127.0.0.1", lport, False)], "query-vnc clients")
            r = q.cmd("query-vnc-servers")
            check_eq(len(r), 1, "one server")
            check_eq(r[0]["server"][0]["service"], str(port), "servers: port")
            check_eq(len(r[0]["clients"]), 1, "servers: clients")
            out = q.cmd("human-monitor-command", {"command-line": "info vnc"})
            check("127.0.0.1:%d" % port in out, "info vnc: %r" % out)
            c.close()
            e = q.event("VNC_DISCONNECTED")
            check_eq(e["data"]["client"]["service"], lport, "disconnect port")
            check_eq(q.cmd("query-vnc")["clients"], [], "no clients left")
            q.cmd("quit")
            h.wait()


@test
def password_auth():
    with TempDir() as td:
        h, q, port = start(td, ",password=on")
        with h:
            check_eq(q.cmd("query-vnc")["auth"], "vnc", "auth")

            def login(pw):
                try:
                    c = rfb.RFBClient(socket.create_connection(("127.0.0.1", port)),
                                      password=pw)
                    c.close()
                    return True
                except rfb.RFBError:
                    return False
            check(not login("anything"), "no password set yet: refused")
            q.cmd("set_password", {"protocol": "vnc", "password": "s3cret"})
            check(not login("wrong"), "wrong password refused")
            check(login("s3cret"), "right password accepted")
            q.cmd("expire_password", {"protocol": "vnc", "time": "now"})
            check(not login("s3cret"), "expired password refused")
            q.cmd("expire_password", {"protocol": "vnc", "time": "never"})
            out = q.cmd("human-monitor-command",
                        {"command-line": "change vnc password other"})
            check_eq(out, "", "HMP change output")
            check(not login("s3cret"), "old password refused")
            check(login("other"), "HMP-set password accepted")
            r = q.cmd_raw("set_password", {"protocol": "rdp", "password": "x"})
            check("error" in r, "unknown protocol refused")
            q.cmd("quit")
            h.wait()
        # without password=on, set_password fails as in QEMU
        h, q, port = start(td)
        with h:
            r = q.cmd_raw("set_password", {"protocol": "vnc", "password": "x"})
            check_eq(r.get("error", {}).get("desc"), "Could not set password",
                     "set_password without password=on")
            q.cmd("quit")
            h.wait()


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
    return data


@test
def websocket_port():
    with TempDir() as td:
        wport = free_port()
        h, q, port = start(td, ",websocket=%d" % wport)
        with h:
            wait_banner(q, td)
            for path, proto in (("/", "binary"), ("/websockify", None),
                                ("/websockify", "binary")):
                ws = rfb.WSSocket(socket.create_connection(("127.0.0.1", wport)),
                                  path=path, protocol=proto)
                c = rfb.RFBClient(ws)
                check_eq((c.width, c.height), (720, 400), "size over websocket")

                def own():
                    c.refresh()
                    return (c.width, c.height, c.pixels_rgb())
                check(matches_dump(q, td, own), "websocket picture (%s)" % path)
                r = q.cmd("query-vnc")
                check([x for x in r["clients"] if x["websocket"]],
                      "websocket client listed")
                c.close()
                q.event("VNC_DISCONNECTED")
            r = q.cmd("query-vnc-servers")
            check([s for s in r[0]["server"] if s["websocket"] and
                   s["service"] == str(wport)], "websocket server listed")
            resp = http_get(wport, "/../../etc/passwd")
            check(resp.startswith(b"HTTP/1.1 400"), "path escape refused: %r" % resp[:40])
            resp = http_get(wport, "/no-such-file.html")
            check(resp.startswith(b"HTTP/1.1 404"), "missing file: %r" % resp[:40])
            s = socket.create_connection(("127.0.0.1", wport), timeout=10)
            s.sendall(b"POST / HTTP/1.1\r\n\r\n")
            check(s.recv(100).startswith(b"HTTP/1.1 405"), "POST refused")
            s.close()
            q.cmd("quit")
            h.wait()


@test
def malformed_rfb_is_disconnected():
    with TempDir() as td:
        h, q, port = start(td)
        with h:
            for junk in (b"\xff\x07garbage" * 10, b"\x07junk",
                         b"\x06\x00\x00\x00\xff\xff\xff\xff"):
                c = rfb.RFBClient(socket.create_connection(("127.0.0.1", port)))
                c.s.sendall(junk)
                c.s.settimeout(5)
                closed = False
                try:
                    end = time.time() + 5
                    while time.time() < end:
                        if not c.s.recv(65536):
                            closed = True
                            break
                except (ConnectionResetError, socket.timeout):
                    closed = True
                c.close()
                check(closed, "server dropped the client after %r" % junk[:8])
            # a short greeting and a hang-up
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"RFB 003.0")
            s.close()
            check_eq(q.cmd("query-status")["status"], "running", "VM still runs")
            c = rfb.RFBClient(socket.create_connection(("127.0.0.1", port)))
            c.refresh()
            c.close()
            q.cmd("quit")
            h.wait()


@test
def unix_socket_and_refused_options():
    with TempDir() as td:
        path = td("vnc.sock")
        qsock = td("q.sock")
        with Hemu(["-display", "none", "-serial", "null", "-vnc", "unix:" + path,
                   "-qmp", "unix:%s,server=on,wait=off" % qsock]) as h:
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            c = rfb.RFBClient(connect_unix(path))
            c.refresh()
            check_eq(q.cmd("query-vnc")["family"], "unix", "family")
            c.close()
            q.cmd("quit")
            h.wait()
        for opt, msg in ((":1,tls-creds=x", "No TLS credentials with id 'x'"),
                         (":1,sasl=on", "sasl: not supported"),
                         (":x", "can't convert to a number"),
                         (":1,bogus=1", "bogus")):
            with Hemu(["-display", "none", "-vnc", opt]) as h:
                rc = h.wait()
                err = h.stderr()
                check(rc == 1 and msg in err, "-vnc %s: rc %d, %r" % (opt, rc, err))
        with Hemu(["-vga", "cirrus"]) as h:
            check(h.wait() == 1 and "cirrus: not supported" in h.stderr(), "-vga cirrus")


run_tests()
