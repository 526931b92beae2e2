# SPDX-License-Identifier: GPL-2.0-or-later
"""VNC and the web console over TLS (-object tls-creds-x509/anon,
-vnc ...,tls-creds=ID), with certificates made here by openssl:
VeNCrypt X509None with verify-peer=on seen by a real client from Debian
(gvnccapture, certificates from $HOME/.pki) and by rfb.py with Python's
ssl module, pixel-identical to screendump, x509_dname in query-vnc; no
client certificate or one
from another CA refused; a plain client offered VeNCrypt only, a 3.3
client refused; X509Vnc with the right and a wrong password; anonymous
TLS (TLSVnc); query-vnc / query-vnc-servers as QEMU reports them; the
websocket port as https:// and wss:// (noVNC in headless Chromium shows
the screendump); TigerVNC's viewer under Xvfb over X509None shows the
screendump in its window; refused options."""
import base64
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, ROOT, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, free_port, run_tests, test, wait_for)
import rfb  # noqa: E402
from rfb import free_display, matches_dump, read_ppm, screendump  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PW_DIR = os.path.join(ROOT, "build", "playwright")
PW_VERSION = "1.49.1"


# ---- certificates ----

def openssl(*args, **kw):
    r = subprocess.run(["openssl"] + list(args), capture_output=True, **kw)
    check(r.returncode == 0, "openssl %s: %s" % (args[0], r.stderr.decode()))


def make_ca(d, name):
    os.makedirs(d, exist_ok=True)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", os.path.join(d, "ca-key.pem"),
            "-out", os.path.join(d, "ca-cert.pem"), "-days", "2",
            "-subj", "/CN=" + name,
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def make_cert(ca_dir, cert, key, cn, ext):
    csr = cert + ".csr"
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + cn)
    with open(cert + ".ext", "w") as f:
        f.write(ext)
    openssl("x509", "-req", "-in", csr, "-CA", os.path.join(ca_dir, "ca-cert.pem"),
            "-CAkey", os.path.join(ca_dir, "ca-key.pem"), "-set_serial",
            str(int.from_bytes(os.urandom(8), "big")), "-days", "2",
            "-out", cert, "-extfile", cert + ".ext")


SERVER_EXT = ("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
              "basicConstraints=CA:FALSE\n"
              "keyUsage=digitalSignature,keyEncipherment\n"
              "extendedKeyUsage=serverAuth\n")
CLIENT_EXT = ("basicConstraints=CA:FALSE\n"
              "keyUsage=digitalSignature,keyEncipherment\n"
              "extendedKeyUsage=clientAuth\n")


def pki(td):
    """td/srv: the server's tls-creds-x509 directory; td/cli: client
    certificate of the same CA; td/bad: a client certificate of another
    CA; td/home/.pki: gtk-vnc's layout for gvnccapture (its client
    name is "gvnccapture")."""
    srv, cli, bad = td("srv"), td("cli"), td("bad")
    make_ca(srv, "hemu test CA")
    make_cert(srv, os.path.join(srv, "server-cert.pem"),
              os.path.join(srv, "server-key.pem"), "localhost", SERVER_EXT)
    os.makedirs(cli)
    make_cert(srv, os.path.join(cli, "cert.pem"), os.path.join(cli, "key.pem"),
              "hemu test client", CLIENT_EXT)
    make_ca(bad, "another CA")
    make_cert(bad, os.path.join(bad, "cert.pem"), os.path.join(bad, "key.pem"),
              "hemu test client", CLIENT_EXT)
    home = td("home")
    os.makedirs(os.path.join(home, ".pki", "CA"))
    os.makedirs(os.path.join(home, ".pki", "gvnccapture", "private"))
    for src, dst in (("srv/ca-cert.pem", ".pki/CA/cacert.pem"),
                     ("cli/cert.pem", ".pki/gvnccapture/clientcert.pem"),
                     ("cli/key.pem", ".pki/gvnccapture/private/clientkey.pem")):
        with open(td(src), "rb") as f, open(os.path.join(home, dst), "wb") as g:
            g.write(f.read())
    return srv


def client_ctx(td, cert_dir=None):
    ctx = ssl.create_default_context(cafile=td("srv/ca-cert.pem"))
    if cert_dir:
        ctx.load_cert_chain(os.path.join(cert_dir, "cert.pem"),
                            os.path.join(cert_dir, "key.pem"))
    return ctx


def anon_ctx():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("aNULL:@SECLEVEL=0")
    return ctx


# ---- hemu ----

def start(td, obj, vnc_opts, extra=()):
    d = free_display()
    qsock = td("qmp.sock")
    h = Hemu(list(extra) + ["-display", "none", "-serial", "null",
              "-qmp", "unix:%s,server=on,wait=off" % qsock,
              "-object", obj,
              "-vnc", "127.0.0.1:%d,tls-creds=tls0%s" % (d, vnc_opts)])
    q = QMP(connect_unix(qsock))
    q.cmd("qmp_capabilities")
    return h, q, 5900 + d


def wait_banner(q, td):
    def ready():
        w, h, px = screendump(q, td)
        if (w, h) != (720, 400) or px.count(0) == len(px):
            return None
        time.sleep(0.3)
        return screendump(q, td) == (w, h, px)
    wait_for(ready, timeout=30, what="the SeaBIOS text screen")


def connect(port, **kw):
    return rfb.RFBClient(socket.create_connection(("127.0.0.1", port)), **kw)


def refused(fn):
    """fn() fails with the connection dropped or a TLS alert."""
    try:
        c = fn()
    except (rfb.RFBError, ssl.SSLError, OSError):
        return True
    # TLS 1.3 reports a rejected client certificate only on the first
    # read after the handshake.
    try:
        c.refresh(timeout=5)
    except (rfb.RFBError, ssl.SSLError, OSError):
        return True
    return False


@test
def x509_verify_peer_gvnccapture_and_own_client():
    with TempDir() as td:
        srv = pki(td)
        h, q, port = start(td, "tls-creds-x509,id=tls0,endpoint=server,"
                           "verify-peer=on,dir=" + srv, "")
        with h:
            wait_banner(q, td)
            info = q.cmd("query-vnc")
            check_eq(info["auth"], "vencrypt+x509+none", "query-vnc auth")
            s = q.cmd("query-vnc-servers")[0]
            check_eq((s["auth"], s.get("vencrypt")), ("vencrypt", "x509-none"),
                     "query-vnc-servers auth")
            check_eq((s["server"][0]["auth"], s["server"][0].get("vencrypt")),
                     ("vencrypt", "x509-none"), "server entry auth")

            cap = td("cap.png")
            # gtk-vnc finds ~/.pki through getpwuid(), not $HOME: give
            # it a passwd entry with td/home through nss_wrapper.
            with open(td("passwd"), "w") as f:
                f.write("%s:x:%d:%d:test:%s:/bin/sh\n"
                        % ("hemutest", os.getuid(), os.getgid(), td("home")))
            with open(td("group"), "w") as f:
                f.write("hemutest:x:%d:\n" % os.getgid())
            env = dict(os.environ, HOME=td("home"),
                       LD_PRELOAD="libnss_wrapper.so",
                       NSS_WRAPPER_PASSWD=td("passwd"),
                       NSS_WRAPPER_GROUP=td("group"))

            def gvnc():
                r = subprocess.run(["gvnccapture", "127.0.0.1:%d" % (port - 5900),
                                    cap], capture_output=True, timeout=30,
                                   env=env)
                check_eq(r.returncode, 0, "gvnccapture exit status (%s)"
                         % r.stderr.decode(errors="replace")[-500:])
                return rfb.read_png(cap)
            check(matches_dump(q, td, gvnc),
                  "gvnccapture's picture over TLS differs from screendump")

            c = connect(port, tls=client_ctx(td, td("cli")),
                        server_hostname="localhost")
            check_eq(c.security_types, [19], "security types with tls-creds")
            check_eq(c.vencrypt_subtypes, [260], "VeNCrypt subtypes")
            check_eq(c.s.version() in ("TLSv1.2", "TLSv1.3"), True,
                     "TLS version")

            def own():
                c.refresh()
                return (c.width, c.height, c.pixels_rgb())
            check(matches_dump(q, td, own), "RFB client's picture over TLS "
                  "differs from screendump")
            cl = q.cmd("query-vnc")["clients"]
            check_eq(len(cl), 1, "one client")
            # QEMU's VncClientInfo: the client certificate's subject
            check_eq(cl[0].get("x509_dname"), "CN=hemu test client",
                     "x509_dname")
            check_eq(q.cmd("query-vnc-servers")[0]["clients"][0].get("x509_dname"),
                     "CN=hemu test client", "query-vnc-servers x509_dname")
            c.close()

            check(refused(lambda: connect(port, tls=client_ctx(td),
                                          server_hostname="localhost")),
                  "a client without a certificate got in (verify-peer=on)")
            check(refused(lambda: connect(port, tls=client_ctx(td, td("bad")),
                                          server_hostname="localhost")),
                  "a client with another CA's certificate got in")

            # A plain client is offered nothing it can use.
            try:
                connect(port)
                check(False, "a plain client got in")
            except rfb.RFBError as e:
                check("no usable security type in [19]" in str(e),
                      "plain client: %s" % e)
            # RFB 3.3 has no VeNCrypt: security type 0, then closed.
            s33 = socket.create_connection(("127.0.0.1", port), timeout=10)
            check_eq(s33.recv(12), b"RFB 003.008\n", "server version")
            s33.sendall(b"RFB 003.003\n")
            got = b""
            while True:
                d = s33.recv(100)
                if not d:
                    break
                got += d
            check_eq(got, b"\0\0\0\0", "3.3 client refused")
            s33.close()
            # A client that is not TLS after the subtype is dropped.
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.recv(12)
            s.sendall(b"RFB 003.008\n\x13\x00\x02" + struct.pack("!I", 260) +
                      b"GET / HTTP/1.1\r\n\r\n")
            end = time.time() + 10
            try:
                while time.time() < end and s.recv(100):
                    pass
            except OSError:
                pass        # reset: hemu closed with our bytes unread
            check(time.time() < end, "a non-TLS client was not dropped")
            s.close()
            # and hemu is still fine
            c = connect(port, tls=client_ctx(td, td("cli")),
                        server_hostname="localhost")
            c.refresh()
            c.close()
            wait_for(lambda: not q.cmd("query-vnc")["clients"], timeout=10,
                     what="clients gone")
            q.cmd("quit")
            h.wait()


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


def https_get(td, port, path):
    ctx = client_ctx(td)
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                        server_hostname="localhost")
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    data = b""
    while True:
        try:
            d = s.recv(65536)
        except ssl.SSLError:
            break
        if not d:
            break
        data += d
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode(errors="replace"), body


@test
def x509_password_and_web_console_over_https():
    with TempDir() as td:
        srv = pki(td)
        wport = free_port()
        h, q, port = start(td, "tls-creds-x509,id=tls0,endpoint=server,"
                           "verify-peer=off,dir=" + srv,
                           ",password=on,websocket=%d" % wport)
        with h:
            q.cmd("set_password", {"protocol": "vnc", "password": "s3cret"})
            s = q.cmd("query-vnc-servers")[0]
            check_eq((s["auth"], s.get("vencrypt")), ("vencrypt", "x509-vnc"),
                     "query-vnc-servers auth")
            ws = [e for e in s["server"] if e["websocket"]]
            check_eq([(e["auth"], e.get("vencrypt")) for e in ws],
                     [("vnc", None)], "websocket entry: VNC auth inside wss")
            check_eq(q.cmd("query-vnc")["auth"], "vencrypt+x509+vnc",
                     "query-vnc auth")
            wait_banner(q, td)

            ctx = client_ctx(td)
            check(refused(lambda: connect(port, tls=ctx, password="wrong",
                                          server_hostname="localhost")),
                  "a wrong password got in over TLS")
            c = connect(port, tls=ctx, password="s3cret",
                        server_hostname="localhost")
            check_eq(c.vencrypt_subtypes, [261], "X509Vnc offered")
            check("x509_dname" not in q.cmd("query-vnc")["clients"][0],
                  "x509_dname without a client certificate")

            def own():
                c.refresh()
                return (c.width, c.height, c.pixels_rgb())
            check(matches_dump(q, td, own), "X509Vnc client's picture differs")
            c.close()

            # The websocket port is TLS from the first byte.
            head, body = https_get(td, wport, "/")
            check(head.startswith("HTTP/1.1 200") and b"novnc/core/rfb.js" in body,
                  "GET / over https: %r" % head)
            plain = socket.create_connection(("127.0.0.1", wport), timeout=10)
            plain.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            got = b""
            try:
                while True:
                    d = plain.recv(4096)
                    if not d:
                        break
                    got += d
            except OSError:
                pass
            plain.close()
            check(b"HTTP/1.1 200" not in got, "plain HTTP answered on a TLS port")
            wss = ctx.wrap_socket(socket.create_connection(("127.0.0.1", wport),
                                                           timeout=10),
                                  server_hostname="localhost")
            c = rfb.RFBClient(rfb.WSSocket(wss), password="s3cret")
            check_eq(c.security_types, [2], "inside wss: VNC auth")
            check(matches_dump(q, td, own), "wss client's picture differs")
            c.close()

            # noVNC in Chromium, over https:// and wss://
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
            out = json.loads(browser("canvas", "https://127.0.0.1:%d/?password=s3cret"
                                     % wport))
            canvas = (out["w"], out["h"], base64.b64decode(out["rgb"]))
            states = last[0] | states_now()
            check_eq(canvas[:2], (720, 400), "canvas size")
            check(canvas in states, "the https canvas differs from screendump")
            q.cmd("quit")
            h.wait()


@test
def anonymous_tls_with_password():
    with TempDir() as td:
        os.makedirs(td("anon"))
        h, q, port = start(td, "tls-creds-anon,id=tls0,endpoint=server,"
                           "dir=" + td("anon"), ",password=on")
        with h:
            q.cmd("set_password", {"protocol": "vnc", "password": "pw"})
            check_eq(q.cmd("query-vnc")["auth"], "vencrypt+tls+vnc",
                     "query-vnc auth")
            check_eq(q.cmd("query-vnc-servers")[0].get("vencrypt"), "tls-vnc",
                     "vencrypt subauth")
            wait_banner(q, td)
            check(refused(lambda: connect(port, tls=anon_ctx(), password="no")),
                  "a wrong password got in over anonymous TLS")
            c = connect(port, tls=anon_ctx(), password="pw")
            check_eq(c.vencrypt_subtypes, [258], "TLSVnc offered")
            check_eq(c.s.version(), "TLSv1.2", "anonymous TLS is 1.2")

            def own():
                c.refresh()
                return (c.width, c.height, c.pixels_rgb())
            check(matches_dump(q, td, own), "TLSVnc client's picture differs")
            c.close()
            q.cmd("quit")
            h.wait()


class Xvfb:
    """A private X server, killed with everything started on it."""

    def __init__(self, td):
        for n in range(200, 260):
            if not os.path.exists("/tmp/.X11-unix/X%d" % n) and \
                    not os.path.exists("/tmp/.X%d-lock" % n):
                break
        self.procs = [subprocess.Popen(
            ["Xvfb", ":%d" % n, "-screen", "0", "1024x768x24", "-nolisten",
             "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        # HOME: TigerVNC keeps its settings and known hosts there.
        self.env = dict(os.environ, DISPLAY=":%d" % n, HOME=td("home"))
        self.env.pop("WAYLAND_DISPLAY", None)
        wait_for(lambda: os.path.exists("/tmp/.X11-unix/X%d" % n),
                 timeout=20, what="Xvfb")

    def spawn(self, args, log):
        p = subprocess.Popen(args, env=self.env, stdout=log,
                             stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def run(self, args):
        return subprocess.run(args, env=self.env, capture_output=True,
                              timeout=30)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        for p in reversed(self.procs):
            p.kill()
            p.wait()


@test
def tigervnc_x509none_window_matches_screendump():
    with TempDir() as td:
        srv = pki(td)
        h, q, port = start(td, "tls-creds-x509,id=tls0,endpoint=server,"
                           "verify-peer=off,dir=" + srv, "",
                           extra=["-net", "none"])
        with h, Xvfb(td) as x:
            wait_banner(q, td)
            # Raw, full colour: lossless; no menu key: no "Press F8"
            # overlay over the picture.
            log = open(td("vncviewer.log"), "w")
            x.spawn(["vncviewer", "-SecurityTypes", "X509None",
                     "-X509CA", td("srv/ca-cert.pem"), "-AutoSelect=0",
                     "-PreferredEncoding=raw", "-FullColor", "-MenuKey=",
                     "localhost:%d" % (port - 5900)], log)
            log.close()
            q.event("VNC_INITIALIZED", timeout=30)

            def window():
                ids = x.run(["xdotool", "search", "--name", "TigerVNC"]).stdout.split()
                if not ids:
                    return None
                r = x.run(["import", "-window", ids[-1].decode(), "-depth", "8",
                           td("win.ppm")])
                return read_ppm(td("win.ppm")) if r.returncode == 0 else None

            # The text cursor blinks: until a window picture equals a
            # screendump taken next to it.
            def same():
                a = screendump(q, td)
                w = window()
                return w is not None and (w == a or w == screendump(q, td))
            try:
                wait_for(same, timeout=30, what="TigerVNC's window to show "
                         "the screendump")
            except Exception:
                with open(td("vncviewer.log")) as f:
                    print(f.read()[-1500:])
                raise
            q.cmd("quit")
            h.wait()


@test
def refused_options():
    with TempDir() as td:
        os.makedirs(td("anon"))
        cases = [
            ([], "tls-creds=nope", "No TLS credentials with id 'nope'"),
            (["-object", "tls-creds-anon,id=c,endpoint=client,dir=" + td("anon")],
             "tls-creds=c", "Expecting TLS credentials with a server endpoint"),
            ([], "tls-authz=a", "tls-authz: not supported"),
            ([], "x509=/tmp", "x509: not supported"),
            ([], "x509verify=/tmp", "x509verify: not supported"),
            ([], "tls=on", "tls: not supported"),
        ]
        for extra, opt, msg in cases:
            with Hemu(extra + ["-display", "none", "-vnc",
                               "127.0.0.1:%d,%s" % (free_display(), opt)]) as h:
                check(h.wait() != 0, "%s accepted" % opt)
                err = h.stderr()
                check(msg in err, "%s: %r" % (opt, err))


run_tests()
