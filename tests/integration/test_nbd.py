# SPDX-License-Identifier: GPL-2.0-or-later
"""hemu's NBD client against real servers on 127.0.0.1 (Debian's qemu-nbd
and nbdkit), through hemu-img: every filename form (nbd://, nbd+unix://,
the legacy nbd:host:port and nbd:unix:path, json:{"driver":"nbd"...}),
TCP and Unix sockets, read-write and read-only exports, convert from NBD
checked with qemu-img compare, convert into an export, qcow2 over an NBD
export and as a backing file on NBD, block size constraints (nbdkit's
blocksize-policy with min 4096, so unaligned writes are read-modify-
written), block status (hemu-img map equal to qemu-img map on qemu-nbd
and nbdkit), reconnect-delay= against a server that drops connections,
and clear errors: refused connection, unknown export, TLS, a
server that is not NBD and a hostile server sending a bad read reply."""
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, Fail, TempDir, check, check_eq, free_port, run_tests, test  # noqa: E402
from nbdserver import Server  # noqa: E402

HEMU_IMG = os.path.join(os.path.dirname(HEMU), "hemu-img")


def himg(*args, ok=True):
    r = subprocess.run([HEMU_IMG] + list(args), capture_output=True, text=True,
                       timeout=120)
    if ok and r.returncode != 0:
        raise Fail("hemu-img %s: %s" % (" ".join(args), r.stderr.strip()))
    if r.returncode < 0:
        raise Fail("hemu-img died with signal %d" % -r.returncode)
    if "Sanitizer" in r.stderr:     # an ASan build exits 1 on its reports
        raise Fail("hemu-img %s: %s" % (" ".join(args), r.stderr[-1500:]))
    return r


def compare(a, b, fa="raw", fb="raw"):
    r = subprocess.run(["qemu-img", "compare", "-f", fa, "-F", fb, a, b],
                       capture_output=True, text=True)
    check_eq(r.returncode, 0, "qemu-img compare %s %s (%s)" % (a, b, r.stdout))


def random_file(path, mib, holes=True):
    with open(path, "wb") as f:
        for i in range(mib):
            # Every other MiB zero, so holes and data both travel.
            f.write(bytes(1 << 20) if holes and i % 2 else os.urandom(1 << 20))


@test
def tcp_qemu_nbd_info_convert_and_forms():
    with TempDir() as t:
        src = t("src.raw")
        random_file(src, 8)
        with Server("qemu-nbd", src) as s:
            r = himg("info", s.url())
            check("virtual size: 8 MiB (8388608 bytes)" in r.stdout, r.stdout)
            check("file format: raw" in r.stdout, r.stdout)
            himg("convert", "-O", "raw", s.url(), t("out.raw"))
            compare(src, t("out.raw"))
            himg("convert", "-O", "qcow2", s.url(), t("out.qcow2"))
            compare(src, t("out.qcow2"), fb="qcow2")
            # The other spellings of the same export.
            for fn in ("nbd+tcp://127.0.0.1:%d/exp" % s.port,
                       "nbd:127.0.0.1:%d:exportname=exp" % s.port,
                       'json:{"driver":"nbd","server":{"type":"inet",'
                       '"host":"127.0.0.1","port":"%d"},"export":"exp"}' % s.port,
                       'json:{"file":{"driver":"nbd","host":"127.0.0.1",'
                       '"port":"%d","export":"exp"}}' % s.port):
                r = himg("info", fn)
                check("8388608 bytes" in r.stdout, "%s: %s" % (fn, r.stdout))
            r = himg("info", "nbd://127.0.0.1:%d/nope" % s.port, ok=False)
            check(r.returncode == 1 and "export 'nope' not found" in r.stderr,
                  r.stderr)


@test
def unix_nbdkit_read_write_and_zeroes():
    with TempDir() as t:
        src, target = t("src.raw"), t("target.raw")
        random_file(src, 6)
        with open(target, "wb") as f:
            f.write(os.urandom(6 << 20))    # the zero MiBs must be written
        sock = t("nbd.sock")
        with Server("nbdkit", target, unix=sock) as s:
            himg("convert", "-n", "-f", "raw", "-O", "raw", src, s.url())
            compare(src, target)
            r = himg("info", "nbd:unix:%s" % sock)
            check("6291456 bytes" in r.stdout, r.stdout)
            himg("convert", "-O", "raw", "nbd:unix:%s:exportname=x" % sock,
                 t("back.raw"))
            compare(src, t("back.raw"))


@test
def readonly_exports():
    with TempDir() as t:
        src = t("src.raw")
        random_file(src, 2)
        with Server("qemu-nbd", src, readonly=True) as s:
            himg("convert", "-O", "raw", s.url(), t("out.raw"))
            compare(src, t("out.raw"))
            r = himg("convert", "-n", "-O", "raw", src, s.url(), ok=False)
            check(r.returncode == 1 and "read-only" in r.stderr, r.stderr)
        with Server("nbdkit", src, readonly=True, unix=t("s")) as s:
            r = himg("convert", "-n", "-O", "raw", src, s.url(), ok=False)
            check(r.returncode == 1 and "read-only" in r.stderr, r.stderr)


@test
def qcow2_over_nbd_and_backing_on_nbd():
    with TempDir() as t:
        base = t("base.raw")
        random_file(base, 4)
        subprocess.run(["qemu-img", "convert", "-O", "qcow2", base, t("img.qcow2")],
                       check=True)
        # A qcow2 file exported raw: the format is probed over NBD.
        with Server("qemu-nbd", t("img.qcow2")) as s:
            r = himg("info", s.url())
            check("file format: qcow2" in r.stdout, r.stdout)
            himg("convert", "-O", "raw", s.url(), t("out.raw"))
            compare(base, t("out.raw"))
        # A local overlay whose backing file is the raw export.
        with Server("nbdkit", base, readonly=True) as s:
            himg("create", "-f", "qcow2", "-b", s.url(), "-F", "raw",
                 t("ov.qcow2"), "4M")
            r = himg("info", t("ov.qcow2"))
            check(s.url() in r.stdout, r.stdout)
            himg("convert", "-O", "raw", t("ov.qcow2"), t("flat.raw"))
            compare(base, t("flat.raw"))


@test
def block_size_constraints_read_modify_write():
    """nbdkit refuses requests not aligned to 4096 (error policy): a
    convert with a 512-byte-unaligned size and offsets still works."""
    with TempDir() as t:
        target = t("t.raw")
        with open(target, "wb") as f:
            f.write(bytes(1 << 20))
        src = t("src.raw")
        with open(src, "wb") as f:
            f.write(os.urandom((1 << 20) - 512 * 3))
        with Server("nbdkit", target, extra=[
                "--filter=blocksize-policy", "blocksize-minimum=4096",
                "blocksize-preferred=65536", "blocksize-maximum=262144",
                "blocksize-error-policy=error"]) as s:
            himg("convert", "-n", "-f", "raw", "-O", "raw", src, s.url())
            himg("convert", "-O", "raw", s.url(), t("back.raw"))
        with open(target, "rb") as f, open(src, "rb") as g:
            data = g.read()
            got = f.read()
            check(got[:len(data)] == data, "data differs")
            check(got[len(data):] == bytes(512 * 3), "tail changed")


@test
def block_status_map_matches_qemu_img():
    """base:allocation through NBD_CMD_BLOCK_STATUS: hemu-img map of a
    sparse export reads like qemu-img map of the same export."""
    with TempDir() as t:
        sp = t("sp.raw")
        with open(sp, "wb") as f:
            f.truncate(8 << 20)
            f.seek(192 << 10)
            f.write(os.urandom(320 << 10))
            f.seek(6 << 20)
            f.write(os.urandom(4096))
        for kind in ("qemu-nbd", "nbdkit"):
            with Server(kind, sp, readonly=True) as s:
                h = himg("map", "--output=json", s.url()).stdout
                q = subprocess.run(["qemu-img", "map", "--output=json", s.url()],
                                   capture_output=True, text=True, check=True).stdout
                check_eq(h, q, "%s: map" % kind)
                check(h.count('"data": true') == 2, "%s: %s" % (kind, h))
                himg("convert", "-O", "raw", s.url(), t("o.raw"))
                compare(sp, t("o.raw"))


@test
def clear_errors():
    with TempDir() as t:
        port = free_port()
        r = himg("info", "nbd://127.0.0.1:%d/" % port, ok=False)
        check(r.returncode == 1 and "Connection refused" in r.stderr, r.stderr)
        r = himg("info", "nbd+unix:///?socket=%s" % t("none"), ok=False)
        check("Failed to connect" in r.stderr, r.stderr)
        for fn, msg in (("nbd://127.0.0.1:%d/?socket=x" % port, "query"),
                        ("nbd+unix:///x", "socket"),
                        ("nbd:unix:", "socket path"),
                        ("nbd://127.0.0.1:0/", "port")):
            r = himg("info", fn, ok=False)
            check(r.returncode == 1 and msg in r.stderr, "%s: %s" % (fn, r.stderr))
        src = t("a.raw")
        random_file(src, 1)
        with Server("qemu-nbd", src) as s:
            r = himg("info", 'json:{"driver":"nbd","server":{"type":"inet",'
                     '"host":"127.0.0.1","port":"%d"},"tls-creds":"t0"}' % s.port,
                     ok=False)
            check("No TLS credentials with id 't0'" in r.stderr, r.stderr)


def fake_server(script):
    """A one-connection TCP server running script(conn); returns port."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    port = ls.getsockname()[1]

    def run():
        try:
            ls.settimeout(30)
            c, _ = ls.accept()
            c.settimeout(30)
            try:
                script(c)
            except OSError:
                pass
            c.close()
        finally:
            ls.close()
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return port, th


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise OSError("eof")
        b += d
    return b


def hostile(c):
    """Negotiates properly, then answers the first read with a data chunk
    that lies outside the request."""
    c.sendall(struct.pack(">QQH", 0x4e42444d41474943, 0x49484156454f5054, 3))
    recv_exact(c, 4)
    while True:
        _, opt, ln = struct.unpack(">QII", recv_exact(c, 16))
        recv_exact(c, ln)

        def rep(typ, data=b""):
            c.sendall(struct.pack(">QIII", 0x3e889045565a9, opt, typ, len(data)) + data)
        if opt == 8:
            rep(1)
        elif opt != 7:
            rep(0x80000001)     # NBD_REP_ERR_UNSUP
        else:
            rep(3, struct.pack(">HQH", 0, 1 << 20, 1))
            rep(1)
            break
    magic, flags, typ, handle, off, ln = struct.unpack(">IHHQQI", recv_exact(c, 28))
    c.sendall(struct.pack(">IHHQI", 0x668e33ef, 1, 1, handle, 8 + 16) +
              struct.pack(">Q", off + ln) + bytes(16))
    c.recv(100)


@test
def not_nbd_and_hostile_servers():
    port, th = fake_server(lambda c: c.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n"))
    r = himg("info", "nbd://127.0.0.1:%d/" % port, ok=False)
    check(r.returncode == 1 and "not an NBD server" in r.stderr, r.stderr)
    th.join(10)
    port, th = fake_server(hostile)
    with TempDir() as t:
        r = himg("convert", "-O", "raw", "nbd://127.0.0.1:%d/" % port, t("o"),
                 ok=False)
    check(r.returncode == 1, "convert from a hostile server: rc %d" % r.returncode)
    check("outside the request" in r.stderr, r.stderr)
    th.join(10)


def negotiate(c, size):
    c.sendall(struct.pack(">QQH", 0x4e42444d41474943, 0x49484156454f5054, 3))
    recv_exact(c, 4)
    while True:
        _, opt, ln = struct.unpack(">QII", recv_exact(c, 16))
        recv_exact(c, ln)

        def rep(typ, data=b""):
            c.sendall(struct.pack(">QIII", 0x3e889045565a9, opt, typ, len(data)) + data)
        if opt == 8:
            rep(1)
        elif opt != 7:
            rep(0x80000001)     # NBD_REP_ERR_UNSUP
        else:
            rep(3, struct.pack(">HQH", 0, size, 1 | 2))
            rep(1)
            return


def flaky_server(data, drops, conns=None):
    """Serves data read-only; the first `drops` connections are closed
    when their first read request arrives (a server dying mid-I/O); it
    stops listening after `conns` connections (default: drops + 1).
    Returns (port, thread, stats)."""
    conns = conns or drops + 1
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)
    ls.settimeout(30)
    stats = {"conns": 0}

    def run():
        try:
            while True:
                c, _ = ls.accept()
                stats["conns"] += 1
                c.settimeout(30)
                try:
                    negotiate(c, len(data))
                    while True:
                        _, _, typ, h, off, ln = struct.unpack(">IHHQQI",
                                                              recv_exact(c, 28))
                        if typ == 2:
                            break
                        if stats["conns"] <= drops:
                            break
                        c.sendall(struct.pack(">IHHQI", 0x668e33ef, 1, 1, h, 8 + ln) +
                                  struct.pack(">Q", off) + data[off:off + ln])
                except OSError:
                    pass
                c.close()
                if stats["conns"] >= conns:
                    return
        except OSError:
            pass
        finally:
            ls.close()
    th = threading.Thread(target=run, daemon=True)
    th.start()
    return ls.getsockname()[1], th, stats


@test
def reconnect_delay_resends_and_gives_up():
    data = os.urandom(1 << 20)
    with TempDir() as t:
        # Dropped twice, back at once: the convert succeeds.
        port, th, st = flaky_server(data, 2)
        himg("convert", "-O", "raw", "json:{\"driver\":\"nbd\",\"host\":"
             "\"127.0.0.1\",\"port\":\"%d\",\"reconnect-delay\":\"10\"}" % port,
             t("o.raw"))
        th.join(10)
        check(open(t("o.raw"), "rb").read() == data, "data after reconnects")
        check_eq(st["conns"], 3, "connections")
        # Without reconnect-delay the first drop is an I/O error.
        port, th, st = flaky_server(data, 1, conns=1)
        r = himg("convert", "-O", "raw", "nbd://127.0.0.1:%d/" % port, t("p.raw"),
                 ok=False)
        check(r.returncode == 1 and "server closed the connection" in r.stderr,
              r.stderr)
        th.join(10)
        # The server never comes back: EIO once the delay has passed.
        port, th, st = flaky_server(data, 1, conns=1)
        t0 = time.time()
        r = himg("convert", "-O", "raw", "json:{\"driver\":\"nbd\",\"host\":"
                 "\"127.0.0.1\",\"port\":\"%d\",\"reconnect-delay\":\"1\"}"
                 % port, t("q.raw"), ok=False)
        check(r.returncode == 1, "convert with a dead server: %s" % r.stderr)
        check(time.time() - t0 >= 1, "gave up before the delay")


if __name__ == "__main__":
    run_tests()
