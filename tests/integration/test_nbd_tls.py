# SPDX-License-Identifier: GPL-2.0-or-later
"""NBD over TLS (block-protocols/nbd.c, NBD_OPT_STARTTLS then OpenSSL with
-object tls-creds-x509): certificates made here with openssl (a CA, a
server certificate for 127.0.0.1/localhost, a client certificate, and a
second CA that signed nothing); qemu-nbd --tls-creds (which asks for the
client certificate) and nbdkit --tls=require serve a disk that SeaBIOS
boots and writes (checked in the served file); then the refusals: a wrong
CA, a host name the certificate does not carry, no tls-creds against a
TLS-only server, server credentials on the client, an unknown id; and
hemu-img info/convert with --object tls-creds-x509 and secret."""
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, ROOT, TempDir, check, check_eq,  # noqa: E402
                      free_port, run_tests, test)
from nbdserver import Server  # noqa: E402


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True,
                   capture_output=True, timeout=60)


def make_ca(t, name):
    os.makedirs(t(name))
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=hemu test CA %s" % name,
            "-keyout", t(name + "/ca-key.pem"),
            "-out", t(name + "/ca-cert.pem"))


def make_cert(t, ca, out_dir, side, san):
    os.makedirs(t(out_dir), exist_ok=True)
    key = t("%s/%s-key.pem" % (out_dir, side))
    csr = t("%s/%s.csr" % (out_dir, side))
    with open(t(out_dir + "/ext.cnf"), "w") as f:
        f.write("subjectAltName=%s\nextendedKeyUsage=%s\n" %
                (san, "serverAuth" if side == "server" else "clientAuth"))
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj",
            "/CN=hemu %s" % side, "-keyout", key, "-out", csr)
    openssl("x509", "-req", "-in", csr, "-CA", t(ca + "/ca-cert.pem"),
            "-CAkey", t(ca + "/ca-key.pem"), "-CAcreateserial", "-days", "2",
            "-extfile", t(out_dir + "/ext.cnf"),
            "-out", t("%s/%s-cert.pem" % (out_dir, side)))
    with open(t(ca + "/ca-cert.pem"), "rb") as f, \
            open(t(out_dir + "/ca-cert.pem"), "wb") as g:
        g.write(f.read())


def certs(t):
    make_ca(t, "ca")
    make_ca(t, "otherca")
    make_cert(t, "ca", "srv", "server", "IP:127.0.0.1,DNS:localhost")
    make_cert(t, "ca", "cli", "client", "DNS:client")
    # The right client certificate, but trusting the other CA.
    make_cert(t, "ca", "wrongca", "client", "DNS:client")
    with open(t("otherca/ca-cert.pem"), "rb") as f, \
            open(t("wrongca/ca-cert.pem"), "wb") as g:
        g.write(f.read())


def boot_disk(t):
    boot = os.path.join(ROOT, "tests", "guest", "boot")
    subprocess.run(["nasm", "-f", "bin", "-o", t("mbr.bin"),
                    os.path.join(boot, "mbr-disk.asm")], check=True)
    with open(t("mbr.bin"), "rb") as f:
        mbr = f.read()
    with open(t("disk.raw"), "wb") as f:
        f.write(mbr)
        f.write(b"DISK-READ-OK-FROM-LBA1\r\n\0".ljust(512, b"\0"))
        f.truncate(8 << 20)
    return t("disk.raw")


def hemu(args, timeout=120):
    r = subprocess.run([HEMU, "-nographic", "-nodefaults", "-serial",
                        "stdio", "-m", "64", "-device", "isa-debug-exit"]
                       + args, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout)
    return (r.returncode, r.stdout.decode("latin-1"),
            r.stderr.decode("latin-1"))


def client_obj(t, d, id_="c0", extra=""):
    return ["-object", "tls-creds-x509,id=%s,dir=%s,endpoint=client%s"
            % (id_, t(d), extra)]


def booted(t, rc, out, err, what):
    check("DISK-READ-OK-FROM-LBA1" in out and "WRITE-OK" in out,
          "%s: %r" % (what, (out + err)[-600:]))
    check_eq(rc, 0x31 * 2 + 1, what + " exit status")
    with open(t("disk.raw"), "r+b") as f:
        f.seek(5 * 512)
        check(f.read(24) == b"DISK-READ-OK-FROM-LBA1\r\n",
              what + ": LBA 5 not written through TLS")
        f.seek(5 * 512)
        f.write(b"\0" * 512)


@test
def nbd_tls_qemu_nbd_boot_and_refusals():
    with TempDir() as t:
        certs(t)
        disk = boot_disk(t)
        with Server("qemu-nbd", disk, extra=[
                "--object", "tls-creds-x509,id=s0,dir=%s,endpoint=server"
                % t("srv"), "--tls-creds", "s0"]) as s:
            # The dotted -drive keys.
            rc, out, err = hemu(client_obj(t, "cli") + [
                "-drive", "driver=raw,if=ide,file.driver=nbd,"
                "file.server.type=inet,file.server.host=127.0.0.1,"
                "file.server.port=%d,file.export=exp,file.tls-creds=c0"
                % s.port])
            booted(t, rc, out, err, "qemu-nbd TLS, -drive keys")
            # The URL with tls-hostname= naming the certificate's DNS name.
            rc, out, err = hemu(client_obj(t, "cli") + [
                "-drive", "file=%s,format=raw,if=ide,file.tls-creds=c0,"
                "file.tls-hostname=localhost" % s.url()])
            booted(t, rc, out, err, "qemu-nbd TLS, URL + tls-hostname")
            # (objects, extra -drive keys, the message wanted)
            tls = ",file.tls-creds=c0"
            refusals = [
                (client_obj(t, "wrongca"), tls, "certificate was refused"),
                (client_obj(t, "cli"), tls + ",file.tls-hostname=other.example",
                 "certificate was refused"),
                ([], "", "the server requires TLS"),
                (["-object", "tls-creds-x509,id=c0,dir=%s,endpoint=server"
                  % t("srv")], tls, "expecting a client endpoint"),
                ([], tls, "No TLS credentials with id 'c0'"),
            ]
            for objs, extra, want in refusals:
                rc, out, err = hemu(objs + [
                    "-drive", "file=%s,format=raw,if=ide%s" % (s.url(), extra)],
                    timeout=60)
                check(rc != 0 and want in err and "BOOT-SECTOR" not in out,
                      "want %r: rc %d %r" % (want, rc, err[-400:]))
            img_object(t, s.port)


def img_object(t, port):
    """hemu-img --object (qemu-img's syntax): TLS credentials and a
    secret for the image named by a json: filename, like qemu-img."""
    img = os.path.join(os.path.dirname(HEMU), "hemu-img")
    spec = ('json:{"driver":"raw","file":{"driver":"nbd","server":'
            '{"type":"inet","host":"127.0.0.1","port":"%d"},'
            '"export":"exp","tls-creds":"c0"}}' % port)
    obj = ["--object", "tls-creds-x509,id=c0,dir=%s,endpoint=client"
           % t("cli")]
    r = subprocess.run([img, "info", "--output=json"] + obj
                       + ["--object", "secret,id=sec0,data=unused", spec],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and '"virtual-size": %d' % (8 << 20) in r.stdout,
          "hemu-img info --object: %r" % (r.stdout + r.stderr)[-400:])
    r = subprocess.run([img, "convert", "-O", "raw", spec, t("copy.raw"),
                        "--object=tls-creds-x509,id=c0,dir=%s,endpoint=client"
                        % t("cli")], capture_output=True, text=True,
                       timeout=60)
    check_eq(r.returncode, 0, "hemu-img convert --object=: " + r.stderr)
    with open(t("disk.raw"), "rb") as a, open(t("copy.raw"), "rb") as b:
        check(a.read() == b.read(), "convert over TLS copied other bytes")
    r = subprocess.run([img, "info", spec], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode != 0 and "No TLS credentials with id 'c0'" in r.stderr,
          "without --object: %r" % r.stderr[-300:])
    r = subprocess.run([img, "info", "--object", "iothread,id=x", spec],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode != 0 and "--object iothread: not supported"
          in r.stderr, "unknown object type: %r" % r.stderr[-300:])


@test
def nbd_tls_nbdkit():
    with TempDir() as t:
        certs(t)
        disk = boot_disk(t)
        port = free_port()
        p = subprocess.Popen(
            ["nbdkit", "-f", "--exit-with-parent", "-i", "127.0.0.1",
             "-p", str(port), "--tls=require",
             "--tls-certificates=" + t("srv"), "file", "file=" + disk],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            end = time.time() + 15
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    break
                except OSError:
                    check(time.time() < end and p.poll() is None,
                          "nbdkit did not start")
                    time.sleep(0.05)
            rc, out, err = hemu(client_obj(t, "cli", extra=",verify-peer=on")
                                + ["-drive", "file=nbd://127.0.0.1:%d/,"
                                   "format=raw,if=ide,file.tls-creds=c0"
                                   % port])
            booted(t, rc, out, err, "nbdkit --tls=require")
            rc, out, err = hemu(["-drive", "file=nbd://127.0.0.1:%d/,"
                                 "format=raw,if=ide" % port], timeout=60)
            check(rc != 0 and "requires TLS" in err, err[-400:])
        finally:
            p.kill()
            p.wait()


run_tests()
