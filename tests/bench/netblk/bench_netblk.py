# SPDX-License-Identifier: GPL-2.0-or-later
"""bench_netblk.py BUILDDIR [PROTO...] - hemu against QEMU (Debian's
qemu-block-extra drivers) on network storage, the same servers in one run,
all on loopback: tgtd serving a 256 MiB file-backed LUN over iSCSI,
lighttpd serving the same file over HTTP and qemu-nbd exporting it over
NBD.  PROTO picks rows among file, iscsi, http, nbd (default: all; `make
bench-nbd` runs nbd alone).

For each protocol and emulator: the block bench's guest
(tests/bench/block/guest.py: the demo initramfs with randread.c) with the
URL as a read-only virtio-blk disk reads it sequentially (dd 256 MiB,
bs=1M, O_DIRECT), then makes BENCH_NETBLK_RAND (2000) 4 KiB O_DIRECT
reads at random offsets, one at a time (queue depth 1): what each request
costs on the way guest -> device -> driver -> server and back.  The host
times each phase between the guest's serial markers; best of
BENCH_RUNS (1) boots.  Then hemu-img convert vs qemu-img convert from
each URL to a local raw file, best of three.  The "file" rows are the same
guest on the image file itself: the part of a ratio that is not the
network (the guest's driver under the CPU emulation).  Prints times and
the ratio hemu/QEMU (lower is better for hemu).  Not a test: nothing is
asserted."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench", "block"))
import guest  # noqa: E402  (the block bench's guest: build_initrd, time_phases)

BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build")
PROTOS = sys.argv[2:] or ["file", "iscsi", "http", "nbd"]
HEMU = os.path.join(BUILD, "hemu")
HEMU_IMG = os.path.join(BUILD, "hemu-img")
QEMU = os.environ.get("QEMU", "qemu-system-x86_64")
SIZE_MB = 256
RAND = int(os.environ.get("BENCH_NETBLK_RAND", "2000"))
RUNS = int(os.environ.get("BENCH_RUNS", "1"))
EMUS = os.environ.get("BENCH_EMUS", "hemu,QEMU").split(",")
IQN = "iqn.2024-01.org.hemu.bench:disk"

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
for m in $(cat /lib/storage/order); do insmod /lib/storage/$m.ko 2>/dev/null; done
i=0
while [ $i -lt 200 ] && [ ! -b /dev/vda ]; do sleep 0.1; i=$((i + 1)); done
echo "BLKBENCH begin seq"
dd if=/dev/vda of=/dev/null bs=1M count=%d iflag=direct 2>/dev/null ||
    echo "BLKBENCH fail seq"
echo "BLKBENCH end seq"
echo "BLKBENCH begin rand"
/bin/randread /dev/vda %d %d || echo "BLKBENCH fail rand"
echo "BLKBENCH end rand"
echo "BLKBENCH done"
poweroff -f
""" % (SIZE_MB, SIZE_MB, RAND)


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


def guest_run(emu, initrd, url):
    cmd = [emu, "-nographic", "-nodefaults", "-serial", "stdio", "-m", "256",
           "-kernel", os.path.join(guest.GUEST, "vmlinuz"), "-initrd", initrd,
           "-append", "console=ttyS0 quiet rdinit=/netblkbench.sh",
           "-drive", "file=%s,format=raw,if=none,id=vd0,readonly=on" % url,
           "-device", "virtio-blk-pci,drive=vd0"]
    if emu != HEMU:
        cmd[1:1] = ["-accel", "tcg"]
    times, text = guest.time_phases(cmd)
    if ("BLKBENCH done" not in text or "BLKBENCH fail" in text or
            sorted(times) != ["rand", "seq"]):
        sys.exit("bench: %s on %s: the guest failed: %r" % (emu, url,
                                                             text[-1500:]))
    return times


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


def row(name, h, q, work=None, unit=""):
    """Times h and q (None: failed or not run); with work, also the rate."""
    def cell(t):
        if t is None:
            return "%17s" % "-"
        if work:
            return "%7.2f s %5.0f %-3s" % (t, work / t, unit)
        return "%15.2f s" % t
    ratio = "%6.2fx" % (h / q) if h and q else "%7s" % "-"
    print("%-38s %s %s %s" % (name, cell(h), cell(q), ratio), flush=True)


def start_iscsi(d, disk, procs):
    ip, ctl = free_port(), str(1000 + os.getpid() % 31000)
    tgt = subprocess.Popen(["/usr/sbin/tgtd", "-f", "-C", ctl, "--iscsi",
                            "portal=127.0.0.1:%d" % ip],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append((tgt, ctl))
    wait_port(ip, tgt)
    for a in (["--op", "new", "--mode", "target", "--tid", "1", "-T", IQN],
              ["--op", "new", "--mode", "logicalunit", "--tid", "1",
               "--lun", "1", "-b", disk],
              ["--op", "bind", "--mode", "target", "--tid", "1", "-I",
               "ALL"]):
        subprocess.run(["tgtadm", "-C", ctl, "--lld", "iscsi"] + a,
                       check=True, capture_output=True)
    return "iscsi://127.0.0.1:%d/%s/1" % (ip, IQN)


def start_http(d, disk, procs):
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
                % (os.path.dirname(disk), hp))
    web = subprocess.Popen(["lighttpd", "-D", "-f", os.path.join(d, "l.conf")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append((web, None))
    wait_port(hp, web)
    return "http://127.0.0.1:%d/%s" % (hp, os.path.basename(disk))


def start_nbd(d, disk, procs):
    port = free_port()
    # As tests/integration/nbdserver.py: read-only, up to 8 clients (QEMU
    # and hemu may open several connections).
    nbd = subprocess.Popen(["qemu-nbd", "-f", "raw", "-t", "-e", "8", "-x",
                            "disk", "--cache=writeback", "-r", "-b",
                            "127.0.0.1", "-p", str(port), disk],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append((nbd, None))
    wait_port(port, nbd)
    return "nbd://127.0.0.1:%d/disk" % port


def main():
    d = tempfile.mkdtemp(prefix="hemu-bench-netblk.", dir="/var/tmp")
    procs = []
    try:
        os.makedirs(os.path.join(d, "www"))
        disk = os.path.join(d, "www", "disk.raw")
        subprocess.run(["dd", "if=/dev/urandom", "of=" + disk, "bs=1M",
                        "count=%d" % SIZE_MB, "status=none"], check=True)
        start = {"file": lambda *a: disk, "iscsi": start_iscsi,
                 "http": start_http, "nbd": start_nbd}
        urls = [(p, start[p](d, disk, procs)) for p in PROTOS]
        initrd = guest.build_initrd(d, INIT, "netblkbench.sh")
        emus = [e for e in (("hemu", HEMU), ("QEMU", QEMU)) if e[0] in EMUS]
        print("%-38s %17s %17s %7s" % ("netblk (loopback, best of %d)" % RUNS,
                                       "hemu", "QEMU", "ratio"), flush=True)
        for proto, url in urls:
            best = {}
            for _ in range(RUNS):
                for name, emu in emus:
                    for k, v in guest_run(emu, initrd, url).items():
                        best.setdefault(name, {})
                        best[name][k] = min(v, best[name].get(k, v))
            h, q = best.get("hemu", {}), best.get("QEMU", {})
            row("%s: guest seq read %d MiB" % (proto, SIZE_MB), h.get("seq"),
                q.get("seq"), SIZE_MB, "MB/s")
            row("%s: guest %d x 4 KiB random QD1" % (proto, RAND),
                h.get("rand"), q.get("rand"), RAND, "IOPS")
        for proto, url in urls:
            if proto == "file":
                continue
            out = os.path.join(d, "out.raw")
            row("%s: convert %d MiB (best of 3)" % (proto, SIZE_MB),
                best_convert(HEMU_IMG, url, out) if "hemu" in EMUS else None,
                best_convert("qemu-img", url, out) if "QEMU" in EMUS else None)
    finally:
        for p, ctl in procs:
            p.kill()
            p.wait()
            if ctl:
                for f in ("/var/run/tgtd/socket.%s" % ctl,
                          "/var/run/tgtd/socket.%s.lock" % ctl):
                    try:
                        os.unlink(f)
                    except OSError:
                        pass
        shutil.rmtree(d, ignore_errors=True)


main()
