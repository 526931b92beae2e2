# SPDX-License-Identifier: GPL-2.0-or-later
"""bench_netblk.py BUILDDIR - hemu against QEMU (Debian's qemu-block-extra
drivers) on network storage, the same servers in one run: tgtd serving a
256 MiB file-backed LUN over iSCSI and lighttpd serving the same file over
HTTP, both on loopback.  For each protocol and emulator: the demo guest
(scripts/build-demo-guest.sh, its /init replaced through an appended cpio)
reads the virtio-blk disk sequentially (dd 256 MiB, bs=1M, O_DIRECT) and
does 500 4 KiB O_DIRECT reads at scattered offsets (one busybox dd each, so
this also counts process start-up in the guest); guest times from
/proc/uptime.  Then hemu-img convert vs qemu-img convert from each URL to
a local raw file, best of three.  The guest rows are also run on the
local file, as a reference for what is not the network.  Prints a table with hemu/QEMU ratios
(lower is better for hemu).  Not a test: nothing is asserted."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
HEMU = os.path.join(BUILD, "hemu")
HEMU_IMG = os.path.join(BUILD, "hemu-img")
SIZE_MB = 256
IQN = "iqn.2024-01.org.hemu.bench:disk"

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /lib/storage/order); do insmod /lib/storage/$m.ko 2>/dev/null; done
i=0
while [ $i -lt 200 ] && [ ! -b /dev/vda ]; do sleep 0.1; i=$((i + 1)); done
up() { cut -d' ' -f1 /proc/uptime; }
a=$(up)
dd if=/dev/vda of=/dev/null bs=1M count=%d iflag=direct 2>/dev/null
b=$(up)
echo "NETBLK-BENCH: seq $a $b"
n=0
a=$(up)
while [ $n -lt 500 ]; do
    dd if=/dev/vda of=/dev/null bs=4k count=1 iflag=direct \
        skip=$(( (n * 7919) %% %d )) 2>/dev/null
    n=$((n + 1))
done
b=$(up)
echo "NETBLK-BENCH: rand $a $b"
poweroff -f
""" % (SIZE_MB, SIZE_MB * 256)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc):
    for _ in range(150):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            if proc.poll() is not None:
                sys.exit("bench: server exited")
            time.sleep(0.1)
    sys.exit("bench: server did not start on %d" % port)


def guest_initrd(d):
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        os.path.join(ROOT, "build", "demo")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench: build-demo-guest.sh failed: %s" % r.stderr[-400:])
    demo = os.path.join(ROOT, "build", "demo")
    os.makedirs(os.path.join(d, "ov"))
    with open(os.path.join(d, "ov", "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(d, "ov", "init"), 0o755)
    # Linux unpacks concatenated archives in order: this /init wins.
    ov = subprocess.run("cd %s && echo init | cpio -o -H newc 2>/dev/null | gzip"
                        % os.path.join(d, "ov"), shell=True, check=True,
                        capture_output=True).stdout
    out = os.path.join(d, "initrd.gz")
    with open(os.path.join(demo, "initrd.gz"), "rb") as f, open(out, "wb") as g:
        g.write(f.read())
        g.write(ov)
    return os.path.join(demo, "vmlinuz"), out


def guest_run(emu, kernel, initrd, url):
    cmd = [emu, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "256",
           "-kernel", kernel, "-initrd", initrd,
           "-append", "console=ttyS0 quiet",
           "-drive", "file=%s,format=raw,if=none,id=vd0,readonly=on" % url,
           "-device", "virtio-blk-pci,drive=vd0"]
    if emu != HEMU:
        cmd[1:1] = ["-accel", "tcg"]
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=1800)
    out = r.stdout.decode("latin-1")
    res = {}
    for m in re.finditer(r"NETBLK-BENCH: (\w+) ([\d.]+) ([\d.]+)", out):
        res[m.group(1)] = float(m.group(3)) - float(m.group(2))
    if len(res) != 2:
        sys.exit("bench: %s guest failed: %s %s" % (emu, out[-600:],
                                                   r.stderr[-400:]))
    return res


def best_convert(tool, url, out):
    """Best of three; None when the tool fails or hangs (QEMU 7.2's curl
    driver was seen to stay in CLOSE-WAIT after a complete copy when
    lighttpd had closed its connections)."""
    best = None
    for _ in range(3):
        if os.path.exists(out):
            os.unlink(out)
        t0 = time.time()
        try:
            r = subprocess.run([tool, "convert", "-f", "raw", "-O", "raw", url,
                                out], capture_output=True, timeout=180)
        except subprocess.TimeoutExpired:
            break       # it hangs; the other tries would too
        if r.returncode != 0:
            continue
        t = time.time() - t0
        best = t if best is None or t < best else best
    return best


def row(name, h, q):
    if h is None or q is None:
        print("%-36s %10s %10s %7s" % (name, "%.2f s" % h if h else "failed",
                                       "%.2f s" % q if q else "failed", "-"),
              flush=True)
    else:
        print("%-36s %8.2f s %8.2f s %6.2fx" % (name, h, q, h / q), flush=True)


def main():
    d = tempfile.mkdtemp(prefix="hemu-bench-netblk.", dir="/var/tmp")
    procs = []
    try:
        os.makedirs(os.path.join(d, "www"))
        disk = os.path.join(d, "www", "disk.raw")
        subprocess.run(["dd", "if=/dev/urandom", "of=" + disk, "bs=1M",
                        "count=%d" % SIZE_MB, "status=none"], check=True)
        ip, ctl = free_port(), str(1000 + os.getpid() % 31000)
        tgt = subprocess.Popen(["/usr/sbin/tgtd", "-f", "-C", ctl, "--iscsi",
                                "portal=127.0.0.1:%d" % ip],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        procs.append(tgt)
        wait_port(ip, tgt)
        for a in (["--op", "new", "--mode", "target", "--tid", "1", "-T", IQN],
                  ["--op", "new", "--mode", "logicalunit", "--tid", "1",
                   "--lun", "1", "-b", disk],
                  ["--op", "bind", "--mode", "target", "--tid", "1", "-I",
                   "ALL"]):
            subprocess.run(["tgtadm", "-C", ctl, "--lld", "iscsi"] + a,
                           check=True, capture_output=True)
        hp = free_port()
        with open(os.path.join(d, "l.conf"), "w") as f:
            f.write('server.document-root = "%s"\nserver.bind = "127.0.0.1"\n'
                    'server.port = %d\nmimetype.assign = ("" => '
                    '"application/octet-stream")\n'
                    # QEMU 7.2's curl driver hangs after a copy when lighttpd
                    # ends a keep-alive connection at its default 1000
                    # requests; both emulators keep their connections.
                    'server.max-keep-alive-requests = 1000000\n'
                    'server.max-keep-alive-idle = 120\n'
                    % (os.path.join(d, "www"), hp))
        web = subprocess.Popen(["lighttpd", "-D", "-f", os.path.join(d, "l.conf")],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        procs.append(web)
        wait_port(hp, web)
        urls = {"iscsi": "iscsi://127.0.0.1:%d/%s/1" % (ip, IQN),
                "http": "http://127.0.0.1:%d/disk.raw" % hp}
        kernel, initrd = guest_initrd(d)
        print("%-36s %10s %10s %7s" % ("netblk (loopback servers)", "hemu",
                                       "QEMU", "ratio"), flush=True)
        # The same guest on the local file first: what is left of a ratio
        # there is the guest's own work (500 busybox processes under TCG),
        # not the network driver.
        for proto, url in [("file", disk)] + list(urls.items()):
            h = guest_run(HEMU, kernel, initrd, url)
            q = guest_run("qemu-system-x86_64", kernel, initrd, url)
            row("%s guest seq read %d MiB" % (proto, SIZE_MB), h["seq"],
                q["seq"])
            row("%s guest 500x 4 KiB random" % proto, h["rand"], q["rand"])
        for proto, url in urls.items():
            out = os.path.join(d, "out.raw")
            row("%s convert %d MiB (best of 3)" % (proto, SIZE_MB),
                best_convert(HEMU_IMG, url, out),
                best_convert("qemu-img", url, out))
    finally:
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(d, ignore_errors=True)
        try:
            os.unlink("/var/run/tgtd/socket.%s" % ctl)
            os.unlink("/var/run/tgtd/socket.%s.lock" % ctl)
        except (OSError, NameError):
            pass


main()
