# SPDX-License-Identifier: GPL-2.0-or-later
"""The read-only http/https/ftp protocols (block-protocols/curl.c) against
real servers started here on loopback: lighttpd (range requests, basic
auth, HTTPS with a self-signed certificate made by openssl), a tiny
Python server that ignores Range (QEMU's "no range support" error) and
records the Cookie header, and pyftpdlib for FTP.  hemu-img reads next to
qemu-img (QEMU's curl driver); SeaBIOS boots an isolinux ISO from
-cdrom http://...; a qcow2 served over HTTP boots with -snapshot."""
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, ROOT, Fail, TempDir, check, check_eq,  # noqa: E402
                      free_port, run_tests, test, wait_for)

HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")
BOOT = os.path.join(ROOT, "tests", "guest", "boot")
QUIT = '{"execute": "qmp_capabilities"}\n{"execute": "quit"}\n'


def run(cmd, env=None, timeout=120, input=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env,
                          timeout=timeout, input=input)


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


class Server:
    """A server process, killed when the with-block ends (also on failure)."""

    def __init__(self, cmd, ports, cwd=None):
        self.cmd, self.ports, self.cwd = cmd, ports, cwd
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        try:
            for p in self.ports:
                wait_for(lambda: port_open(p) or self.proc.poll() is not None,
                         15, "%s on port %d" % (self.cmd[0], p))
            if self.proc.poll() is not None:
                raise Fail("%s exited: %s" % (self.cmd[0],
                                              self.proc.stderr.read()[-500:]))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *a):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stderr.close()


def lighttpd(t, docroot):
    """lighttpd with HTTP on one port and HTTPS (self-signed, CN and SAN
    127.0.0.1) on another; /private/ needs basic auth user:pw."""
    if not shutil.which("lighttpd"):
        raise Fail("lighttpd missing (scripts/install-deps.sh)")
    http_port, https_port = free_port(), free_port()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-keyout", t("key.pem"), "-out", t("cert.pem"), "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    with open(t("users"), "w") as f:
        f.write("hemu:web-pass-123\n")
    with open(t("lighttpd.conf"), "w") as f:
        f.write("""
server.modules = ("mod_openssl", "mod_auth", "mod_authn_file")
server.document-root = "%s"
server.bind = "127.0.0.1"
server.port = %d
server.errorlog = "%s"
mimetype.assign = ("" => "application/octet-stream")
auth.backend = "plain"
auth.backend.plain.userfile = "%s"
auth.require = ("/private/" => ("method" => "basic", "realm" => "hemu",
                                "require" => "valid-user"))
$SERVER["socket"] == "127.0.0.1:%d" {
    ssl.engine = "enable"
    ssl.pemfile = "%s"
    ssl.privkey = "%s"
}
""" % (docroot, http_port, t("error.log"), t("users"), https_port,
       t("cert.pem"), t("key.pem")))
    return Server(["lighttpd", "-D", "-f", t("lighttpd.conf")],
                  [http_port, https_port]), http_port, https_port


class NoRangeHandler(http.server.BaseHTTPRequestHandler):
    """Answers every GET with the whole file and no Accept-Ranges, and
    records the Cookie headers it saw."""
    body = b""
    cookies = []

    def head_common(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.cookies.append(self.headers.get("Cookie"))

    def do_HEAD(self):
        self.head_common()

    def do_GET(self):
        self.head_common()
        self.wfile.write(self.body)

    def log_message(self, *a):
        pass


def write_disk(path, size):
    with open(path, "wb") as f:
        for i in range(size // 4096):
            f.write(("block %08d " % i).encode().ljust(4096, bytes([i & 0xff])))


@test
def http_https_read_like_qemu_img():
    with TempDir() as t:
        os.makedirs(t("www/private"))
        write_disk(t("www/disk.raw"), 6 << 20)
        with open(t("www/disk.raw"), "ab") as f:
            f.write(b"odd tail")            # size not a multiple of 512
        shutil.copy(t("www/disk.raw"), t("www/private/disk.raw"))
        with open(t("www/disk.raw"), "rb") as f:
            want = f.read()
        want += bytes(-len(want) % 512)     # QEMU's size: whole sectors
        srv, hp, sp = lighttpd(t, t("www"))
        with srv:
            url = "http://127.0.0.1:%d/disk.raw" % hp
            h = run([HEMU_IMG, "info", url])
            q = run(["qemu-img", "info", url])
            check_eq(h.returncode, 0, h.stderr)
            check_eq(q.returncode, 0, q.stderr)
            vs = [l for l in q.stdout.splitlines() if l.startswith("virtual size")]
            check(vs and vs[0] in h.stdout, "virtual size: %r vs %r"
                  % (h.stdout, q.stdout))
            # Small readahead, many ranges; and the json: form with url=.
            for i, src in enumerate([
                    url,
                    'json:{"file.driver":"http","file.url":"%s",'
                    '"file.readahead":"64k","file.timeout":10}' % url,
                    "https://127.0.0.1:%d/disk.raw" % sp,
                    "http://hemu:web-pass-123@127.0.0.1:%d/private/disk.raw"
                    % hp]):
                extra = []
                if src.startswith("https"):
                    src = ('json:{"file.driver":"https","file.url":"%s",'
                           '"file.sslverify":"off"}' % src)
                r = run([HEMU_IMG, "convert", "-O", "raw", src, t("o%d" % i)])
                check_eq(r.returncode, 0, "%s: %s" % (src, r.stderr))
                with open(t("o%d" % i), "rb") as f:
                    check(f.read() == want, "content via %s" % src)
            # QEMU 7.2's curl driver loops on the odd tail (its range past
            # the end gets 416), so the reference reads a whole-sector copy.
            write_disk(t("www/even.raw"), 2 << 20)
            for tool in (HEMU_IMG, "qemu-img"):
                r = run([tool, "convert", "-O", "raw", url.replace(
                    "disk.raw", "even.raw"), t("q.raw")])
                check_eq(r.returncode, 0, r.stderr)
                with open(t("q.raw"), "rb") as f, open(t("www/even.raw"),
                                                       "rb") as g:
                    check(f.read() == g.read(), "%s content" % tool)
            # HTTPS: a self-signed certificate is refused by default, taken
            # with the certificate as CA file (CURL_CA_BUNDLE).
            surl = "https://127.0.0.1:%d/disk.raw" % sp
            r = run([HEMU_IMG, "info", surl])
            check(r.returncode != 0 and "CURL: Error opening file" in r.stderr
                  and "certificate" in r.stderr, "sslverify=on: %r" % r.stderr)
            env = dict(os.environ, CURL_CA_BUNDLE=t("cert.pem"))
            r = run([HEMU_IMG, "convert", "-O", "raw", surl, t("ca.raw")],
                    env=env)
            check_eq(r.returncode, 0, "CA file: " + r.stderr)
            with open(t("ca.raw"), "rb") as f:
                check(f.read() == want, "content via https with CA")
            # Authentication: the URL's password never shows; the keys
            # username= and password-secret= in hemu.
            purl = "http://127.0.0.1:%d/private/disk.raw" % hp
            r = run([HEMU_IMG, "info", purl.replace("//", "//hemu:bad-pw@")])
            check(r.returncode != 0 and "401" in r.stderr,
                  "wrong password: %r" % r.stderr)
            check("bad-pw" not in r.stderr.split("Error opening file", 1)[-1],
                  "password printed: %r" % r.stderr)
            for pw, ok in (("web-pass-123", True), ("nope", False)):
                r = run([HEMU, "-nodefaults", "-S", "-display", "none",
                         "-object", "secret,id=pw,data=" + pw,
                         "-blockdev", "driver=http,node-name=h0,url=%s,"
                         "username=hemu,password-secret=pw" % purl,
                         "-qmp", "stdio"], input=QUIT, timeout=60)
                check_eq(r.returncode == 0, ok, "username/password-secret "
                         "with %s: %r" % (pw, r.stderr))
            # Option errors, QEMU's words.
            r = run([HEMU_IMG, "info", 'json:{"file.driver":"http","file.url":'
                     '"%s","file.readahead":"1000"}' % url])
            check("HTTP_READAHEAD_SIZE 1000 is not a multiple of 512"
                  in r.stderr, r.stderr)
            r = run([HEMU_IMG, "info", "http://127.0.0.1:%d/missing" % hp])
            check(r.returncode != 0 and "404" in r.stderr, r.stderr)


@test
def server_without_range_support_and_cookie():
    with TempDir() as t:
        write_disk(t("d.raw"), 1 << 20)
        with open(t("d.raw"), "rb") as f:
            NoRangeHandler.body = f.read()
        NoRangeHandler.cookies = []
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NoRangeHandler)
        th = threading.Thread(target=srv.serve_forever, daemon=True)
        th.start()
        try:
            url = "http://127.0.0.1:%d/d.raw" % srv.server_address[1]
            for tool in (HEMU_IMG, "qemu-img"):
                r = run([tool, "info", url])
                check(r.returncode != 0 and
                      "Server does not support 'range' (byte ranges)" in r.stderr,
                      "%s: %r" % (tool, r.stderr))
            r = run([HEMU_IMG, "info", 'json:{"file.driver":"http","file.url":'
                     '"%s","file.cookie":"session=abc; x=1"}' % url])
            check("session=abc; x=1" in NoRangeHandler.cookies,
                  "cookie not sent: %r" % NoRangeHandler.cookies)
        finally:
            srv.shutdown()
            srv.server_close()


def nasm(src, out):
    subprocess.run(["nasm", "-f", "bin", "-o", out, os.path.join(BOOT, src)],
                   check=True)


def run_guest(args, timeout=120):
    r = subprocess.run([HEMU, "-nographic", "-nodefaults", "-serial", "stdio",
                        "-m", "64", "-device", "isa-debug-exit"] + args,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout)
    return r.returncode, r.stdout.decode("latin-1") + r.stderr.decode("latin-1")


@test
def seabios_boots_iso_and_qcow2_over_http():
    if not shutil.which("xorriso") or not os.path.exists(
            "/usr/lib/ISOLINUX/isolinux.bin"):
        raise Fail("xorriso/isolinux missing (scripts/install-deps.sh)")
    with TempDir() as t:
        iso = t("iso")
        os.makedirs(os.path.join(iso, "isolinux"))
        os.makedirs(t("www"))
        for f in ("/usr/lib/ISOLINUX/isolinux.bin",
                  "/usr/lib/syslinux/modules/bios/ldlinux.c32"):
            shutil.copy(f, os.path.join(iso, "isolinux"))
        nasm("cd-hello.asm", os.path.join(iso, "isolinux", "hello.bs"))
        with open(os.path.join(iso, "isolinux", "isolinux.cfg"), "w") as f:
            f.write("SERIAL 0 115200\nDEFAULT hello\nPROMPT 0\n"
                    "LABEL hello\n  KERNEL hello.bs\n")
        subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o",
                        t("www/x.iso"), "-b", "isolinux/isolinux.bin",
                        "-c", "isolinux/boot.cat", "-no-emul-boot",
                        "-boot-load-size", "4", "-boot-info-table", iso],
                       check=True, capture_output=True)
        # A boot disk as qcow2: the guest reads LBA 1 and writes LBA 5.
        nasm("mbr-disk.asm", t("mbr.bin"))
        with open(t("mbr.bin"), "rb") as f:
            mbr = f.read()
        with open(t("disk.raw"), "wb") as f:
            f.write(mbr)
            f.write(b"DISK-READ-OK-FROM-LBA1\r\n\0".ljust(512, b"\0"))
            f.truncate(8 << 20)
        subprocess.run([HEMU_IMG, "convert", "-q", "-O", "qcow2", t("disk.raw"),
                        t("www/disk.qcow2")], check=True)
        with open(t("www/disk.qcow2"), "rb") as f:
            before = f.read()
        srv, hp, sp = lighttpd(t, t("www"))
        with srv:
            rc, out = run_guest(["-cdrom", "http://127.0.0.1:%d/x.iso" % hp])
            check("Booting from DVD/CD" in out, "SeaBIOS CD boot: %r" % out[-400:])
            check("CHAINED-BOOT-SECTOR-OK" in out, "isolinux: %r" % out[-400:])
            check_eq(rc, 0x21 * 2 + 1, "exit status")
            rc, out = run_guest(["-drive", "file=http://127.0.0.1:%d/disk.qcow2,"
                                 "format=qcow2,if=ide" % hp, "-snapshot"])
            check("DISK-READ-OK-FROM-LBA1" in out and "WRITE-OK" in out,
                  "qcow2 over http with -snapshot: %r" % out[-400:])
            check_eq(rc, 0x31 * 2 + 1, "exit status")
        with open(t("www/disk.qcow2"), "rb") as f:
            check(f.read() == before, "the served image changed")


@test
def ftp_read():
    # Debian's python3 has Debian's pyftpdlib (the tests may run elsewhere).
    if subprocess.run(["/usr/bin/python3", "-c", "import pyftpdlib"],
                      capture_output=True).returncode != 0:
        raise Fail("python3-pyftpdlib missing (scripts/install-deps.sh)")
    with TempDir() as t:
        os.makedirs(t("ftp"))
        write_disk(t("ftp/disk.raw"), 3 << 20)
        port = free_port()
        with Server(["/usr/bin/python3", "-m", "pyftpdlib", "-i", "127.0.0.1",
                     "-p", str(port), "-d", t("ftp")], [port]):
            url = "ftp://127.0.0.1:%d/disk.raw" % port
            r = run([HEMU_IMG, "convert", "-O", "raw",
                     'json:{"file.driver":"ftp","file.url":"%s",'
                     '"file.readahead":"128k"}' % url, t("o.raw")])
            check_eq(r.returncode, 0, r.stderr)
            with open(t("o.raw"), "rb") as f, open(t("ftp/disk.raw"), "rb") as g:
                check(f.read() == g.read(), "content via ftp")
            h = run([HEMU_IMG, "info", url])
            q = run(["qemu-img", "info", url])
            check_eq(h.returncode, 0, h.stderr)
            vs = [l for l in q.stdout.splitlines() if l.startswith("virtual size")]
            check(vs and vs[0] in h.stdout, "%r vs %r" % (h.stdout, q.stdout))
            r = run([HEMU_IMG, "info", "ftp://127.0.0.1:%d/nothere" % port])
            check(r.returncode != 0 and "CURL: Error opening file" in r.stderr,
                  r.stderr)


run_tests()
