# SPDX-License-Identifier: GPL-2.0-or-later
"""SPICE: Debian's remote-viewer (virt-viewer) under Xvfb connects to hemu
with the std VGA on SeaBIOS's screen and its window shows exactly what
screendump shows; query-spice lists the client's channels and the
SPICE_* events carry QEMU's fields; keys typed into the viewer window
reach the guest's keyboard controller (the keyecho guest); the ticket:
a small SPICE link client (protocol.h: SpiceLinkMess, RSA-OAEP ticket)
is refused with a wrong password, accepted with the right one, refused
once the password expired; -spice options that hemu refuses say so."""
import os
import shutil
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, free_port, run_tests, test, wait_for)
from rfb import keyecho, read_ppm  # noqa: E402
from spiceview import Xvfb, find_picture, settled_states  # noqa: E402


def wait_banner(q, td):
    def banner():
        q.cmd("screendump", {"filename": td("s.ppm")})
        w, h, px = read_ppm(td("s.ppm"))
        return (w, h) == (720, 400) and px.count(0) != len(px)
    wait_for(banner, timeout=30, what="SeaBIOS's screen")


def viewer_follows_seabios(vga):
    with TempDir() as td, Xvfb(td) as x:
        port = free_port()
        qsock = td("q.sock")
        # -S: the viewer connects before SeaBIOS draws anything, so all it
        # shows later came as drawing commands from dirty rectangles (and
        # a resize of the primary surface to the text mode's 720x400).
        with Hemu(["-vga", vga, "-display", "none", "-serial", "null",
                   "-net", "none", "-S",
                   "-qmp", "unix:%s,server=on,wait=off" % qsock,
                   "-spice", "port=%d,addr=127.0.0.1,disable-ticketing=on,"
                   "jpeg-wan-compression=never,zlib-glz-wan-compression=never,"
                   "image-compression=auto_glz,streaming-video=off" % port]):
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            info = q.cmd("query-spice")
            check_eq((info["enabled"], info["host"], info["port"], info["auth"],
                      info["channels"]), (True, "127.0.0.1", port, "none", []),
                     "query-spice before a client")
            x.spawn(["remote-viewer", "spice://127.0.0.1:%d" % port])

            # Every channel of the client is connected, then initialized.
            ev = q.event("SPICE_CONNECTED", timeout=30)
            check_eq((ev["data"]["server"]["host"], ev["data"]["server"]["port"],
                      ev["data"]["server"]["family"]),
                     ("127.0.0.1", str(port), "ipv4"), "SPICE_CONNECTED server")
            check_eq(ev["data"]["client"]["host"], "127.0.0.1",
                     "SPICE_CONNECTED client")
            types = set()
            while not {1, 2, 3}.issubset(types):
                ev = q.event("SPICE_INITIALIZED", timeout=30)
                c = ev["data"]["client"]
                check_eq(ev["data"]["server"]["auth"], "none", "server auth")
                check(set(c) >= {"host", "port", "family", "connection-id",
                                 "channel-type", "channel-id", "tls"},
                      "SPICE_INITIALIZED client fields: %r" % c)
                types.add(c["channel-type"])
            info = q.cmd("query-spice")
            got = {c["channel-type"] for c in info["channels"]}
            check({1, 2, 3} <= got, "query-spice channels: %r" % info["channels"])
            check(all(c["host"] == "127.0.0.1" and not c["tls"]
                      for c in info["channels"]), "channel addresses")
            wait_for(x.viewer_window, timeout=30, what="remote-viewer's window")
            q.cmd("cont")
            wait_banner(q, td)
            states = settled_states(q, td)

            pic = [None]

            def shows_screen():
                shot = x.screenshot()
                for s in states | settled_states(q, td):
                    if find_picture(shot, s):
                        pic[0] = s
                        return True
                return False
            wait_for(shows_screen, timeout=60,
                     what="the viewer's window to show the screendump")
            x.run(["xdotool", "search", "--class", "remote-viewer",
                   "windowclose"])
            for p in x.procs[1:]:
                p.kill()
            q.event("SPICE_DISCONNECTED", timeout=30)
            q.cmd("quit")


@test
def keys_typed_in_the_viewer_reach_the_guest():
    with TempDir() as td, Xvfb(td) as x:
        log = td("debugcon.log")
        port = free_port()
        with Hemu(["-bios", keyecho(td), "-display", "none", "-serial", "null",
                   "-chardev", "file,id=dc,path=" + log,
                   "-device", "isa-debugcon,chardev=dc",
                   "-spice", "port=%d,addr=127.0.0.1,disable-ticketing=on"
                   % port]):
            def text():
                try:
                    with open(log) as f:
                        return f.read()
                except OSError:
                    return ""
            wait_for(lambda: "KEYECHO READY" in text(), timeout=30,
                     what="the keyecho guest")
            x.spawn(["remote-viewer", "spice://127.0.0.1:%d" % port])
            win = wait_for(x.viewer_window, timeout=30,
                           what="remote-viewer's window")
            # The inputs channel is up once the viewer shows the screen;
            # a key typed before that is lost, so type until one arrives.
            def typed():
                x.run(["xdotool", "windowfocus", "--sync", win])
                x.run(["xdotool", "type", "--window", win, "--delay", "50", "a"])
                time.sleep(0.3)
                return "1E" in text().split("KEYECHO READY", 1)[1]
            wait_for(typed, timeout=30, what="a key through SPICE")
            before = len(text())
            x.run(["xdotool", "type", "--delay", "100", "b"])
            wait_for(lambda: "B0" in text()[before:], timeout=10,
                     what="b's release")
            words = [w for w in text()[before:].split() if w != "FA"]
            check_eq(words, ["30", "B0"], "scan codes for b")


@test
def remote_viewer_shows_screendump_and_query_spice():
    viewer_follows_seabios("std")


@test
def qxl_vga_mode_over_spice():
    # The QXL card before a driver takes it: a std VGA whose console goes
    # out as drawing commands on the card's own QXL instance.
    viewer_follows_seabios("qxl")


# ---------------------------------------------------------------------------
# A SPICE link client (spice/protocol.h): enough to present a ticket.

def spice_link(port, password, channel_type=1, tls_ca=None, want_error=0):
    """The link result the server sends for password (0: accepted); with
    tls_ca, over TLS checked against that CA.  want_error: the link
    reply's own error (SPICE_LINK_ERR_*), returned instead when not 0."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if tls_ca:
        import ssl
        ctx = ssl.create_default_context(cafile=tls_ca)
        ctx.check_hostname = False
        s = ctx.wrap_socket(s)
    try:
        mess = struct.pack("<IBBIII", 0, channel_type, 0, 0, 0, 18)
        s.sendall(b"REDQ" + struct.pack("<III", 2, 2, len(mess)) + mess)

        def read(n):
            b = b""
            while len(b) < n:
                d = s.recv(n - len(b))
                if not d:
                    raise Fail("server closed the link")
                b += d
            return b
        magic, major, minor, size = struct.unpack("<4sIII", read(16))
        check_eq((magic, major), (b"REDQ", 2), "link reply header")
        reply = read(size)
        err, = struct.unpack("<I", reply[:4])
        if want_error:
            return err
        check_eq(err, 0, "link reply error")
        der = reply[4:4 + 162]
        with TempDir() as td:
            with open(td("k.der"), "wb") as f:
                f.write(der)
            r = subprocess.run(
                ["openssl", "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER",
                 "-inkey", td("k.der"), "-pkeyopt", "rsa_padding_mode:oaep"],
                input=password.encode() + b"\0", capture_output=True)
            check(r.returncode == 0, "openssl: %s" % r.stderr)
        check_eq(len(r.stdout), 128, "encrypted ticket size")
        s.sendall(r.stdout)
        return struct.unpack("<I", read(4))[0]
    finally:
        s.close()


@test
def ticket_wrong_right_expired():
    with TempDir() as td:
        port = free_port()
        qsock = td("q.sock")
        with Hemu(["-display", "none", "-serial", "null", "-S",
                   "-qmp", "unix:%s,server=on,wait=off" % qsock,
                   "-object", "secret,id=pw0,data=letmein",
                   "-spice", "port=%d,addr=127.0.0.1,password-secret=pw0"
                   % port]):
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            check_eq(q.cmd("query-spice")["auth"], "spice", "auth")
            DENIED = 7      # SPICE_LINK_ERR_PERMISSION_DENIED
            check_eq(spice_link(port, "wrong"), DENIED, "wrong password")
            check_eq(spice_link(port, "letmein"), 0, "right password")
            q.event("SPICE_INITIALIZED")
            q.cmd("set_password", {"protocol": "spice", "password": "other"})
            check_eq(spice_link(port, "letmein"), DENIED, "old password")
            check_eq(spice_link(port, "other"), 0, "new password")
            q.cmd("expire_password", {"protocol": "spice", "time": "now"})
            check_eq(spice_link(port, "other"), DENIED, "expired password")
            q.cmd("expire_password", {"protocol": "spice", "time": "+600"})
            check_eq(spice_link(port, "other"), 0, "password valid again")
            q.cmd("expire_password", {"protocol": "spice", "time": "never"})
            check_eq(spice_link(port, "other"), 0, "password never expires")
            r = q.cmd_raw("set_password", {"protocol": "spice",
                                           "password": "x",
                                           "connected": "sometimes"})
            check("error" in r, "connected=sometimes accepted")
            q.cmd("quit")

    # disable-ticketing: anyone gets in and there is no password to set.
    with TempDir() as td:
        port = free_port()
        qsock = td("q.sock")
        with Hemu(["-display", "none", "-serial", "null", "-S",
                   "-qmp", "unix:%s,server=on,wait=off" % qsock,
                   "-spice", "port=%d,addr=127.0.0.1,disable-ticketing=on"
                   % port]):
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            check_eq(spice_link(port, "anything"), 0, "no ticketing")
            r = q.cmd_raw("set_password", {"protocol": "spice", "password": "x"})
            check_eq(r.get("error", {}).get("desc"), "Could not set password",
                     "set_password without ticketing")
            q.cmd("quit")

    # Without -spice: QEMU's DeviceNotActive.
    with TempDir() as td:
        qsock = td("q.sock")
        with Hemu(["-display", "none", "-serial", "null", "-S",
                   "-qmp", "unix:%s,server=on,wait=off" % qsock]):
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            check_eq(q.cmd("query-spice"), {"enabled": False, "migrated": False,
                                            "mouse-mode": "client"},
                     "query-spice without -spice")
            r = q.cmd_raw("set_password", {"protocol": "spice", "password": "x"})
            check_eq(r.get("error", {}).get("class"), "DeviceNotActive",
                     "set_password without -spice")
            q.cmd("quit")


def make_certs(td):
    """A CA and a server certificate signed by it, in x509-dir layout."""
    d = td("x509")
    os.makedirs(d)

    def ossl(*a):
        r = subprocess.run(["openssl"] + list(a), capture_output=True, cwd=d)
        check(r.returncode == 0, "openssl %s: %s" % (a[0], r.stderr))
    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=hemu test CA", "-keyout", "ca-key.pem",
         "-out", "ca-cert.pem")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", "server-key.pem", "-out", "server.csr")
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca-cert.pem",
         "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "2",
         "-out", "server-cert.pem")
    return d


@test
def tls_port_and_channel_security():
    with TempDir() as td:
        x509 = make_certs(td)
        port, tport = free_port(), free_port()
        qsock = td("q.sock")
        with Hemu(["-display", "none", "-serial", "null", "-S",
                   "-qmp", "unix:%s,server=on,wait=off" % qsock,
                   "-spice", "port=%d,tls-port=%d,addr=127.0.0.1,"
                   "password=sesame,x509-dir=%s,tls-channel=main,"
                   "plaintext-channel=inputs,tls-ciphers=HIGH" %
                   (port, tport, x509)]):
            q = QMP(connect_unix(qsock))
            q.cmd("qmp_capabilities")
            info = q.cmd("query-spice")
            check_eq((info["port"], info["tls-port"]), (port, tport),
                     "query-spice ports")
            NEED_SECURED, NEED_UNSECURED = 5, 6
            check_eq(spice_link(port, "sesame", 1, want_error=1),
                     NEED_SECURED, "main channel in the clear")
            check_eq(spice_link(tport, "sesame", 1,
                                tls_ca=os.path.join(x509, "ca-cert.pem")),
                     0, "main channel over TLS")
            ev = q.event("SPICE_INITIALIZED")
            check_eq(ev["data"]["client"]["tls"], True, "tls in the event")
            check_eq(spice_link(tport, "nope", 1,
                                tls_ca=os.path.join(x509, "ca-cert.pem")),
                     7, "wrong password over TLS")
            check_eq(spice_link(tport, "sesame", 3, want_error=1,
                                tls_ca=os.path.join(x509, "ca-cert.pem")),
                     NEED_UNSECURED, "inputs channel over TLS")
            q.cmd("quit")


@test
def refused_and_bad_options():
    cases = [
        ("sasl=on", "not supported"),
        ("port=5900,gl=on", "not supported"),
        ("port=5900,disable-copy-paste=on", "not supported"),
        ("addr=127.0.0.1", "neither port nor tls-port specified for spice"),
        ("port=99999", "invalid port"),
        ("port=5900,image-compression=zip", "invalid image-compression"),
        ("port=5900,streaming-video=some", "invalid streaming-video"),
        ("port=5900,tls-channel=bogus", "invalid channel name"),
        ("tls-port=5901", "tls-port needs x509"),
        ("tls-port=5901,x509-dir=/nonexistent", "cannot read"),
        ("port=5900,password=a,disable-ticketing=on", "mutually exclusive"),
        ("port=5900,ipv4=on,ipv6=on", "only one of"),
        ("port=5900,frobnicate=1", "frobnicate"),
        ("port=5900,password-secret=nosuch", "nosuch"),
    ]
    for opts, msg in cases:
        with Hemu(["-display", "none", "-serial", "null", "-S",
                   "-spice", opts]) as h:
            rc = h.wait(20)
            err = h.stderr()
            check(rc == 1 and msg in err,
                  "-spice %s: rc %s, stderr %r" % (opts, rc, err))


run_tests()
