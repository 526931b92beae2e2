# SPDX-License-Identifier: GPL-2.0-or-later
"""-netdev user (libslirp) with the e1000 NIC, against real peers on
127.0.0.1: Debian's generic kernel with its e1000 driver and a busybox
initramfs (scripts/build-demo-guest.sh DIR net) gets 10.0.2.15 from
slirp's DHCP server (busybox udhcpc), fetches a file from an HTTP server
on the host through 10.0.2.2 and one from tftp= (busybox tftp) and checks
their md5; the host fetches a file from the guest's busybox httpd through
hostfwd= and through a rule added with HMP hostfwd_add; filter-dump writes
a pcap with the guest's DHCP request; the monitor shows the network
(info network, query-rx-filter, set_link).  One boot checks all of it;
a second boot does the same through virtio-net-pci (-nic model=virtio)."""
import functools
import hashlib
import http.server
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, QMP, ROOT, Fail, TempDir, check,  # noqa: E402
                      check_eq, connect_unix, free_port, run_tests, test, demo_guest)

GUEST = os.path.join(ROOT, "build", "demo")
BOOT_TIMEOUT = 600


def guest():
    return demo_guest("net")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def serve(directory):
    srv = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=directory))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


class Console:
    """hemu's stdout (the serial console), collected by a thread."""

    def __init__(self, proc):
        self.proc = proc
        self.text = ""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            b = self.proc.stdout.read1(4096)
            if not b:
                return
            with self.lock:
                self.text += b.decode(errors="replace")

    def values(self):
        out = {}
        with self.lock:
            for line in self.text.splitlines():
                i = line.find("HEMU-NET: ")
                if i >= 0:
                    k, _, v = line[i + 10:].partition("=")
                    out[k.strip()] = v.strip()
        return out

    def wait(self, key, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if key in self.values():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise Fail("no 'HEMU-NET: %s' from the guest; console tail %r"
                   % (key, self.text[-1500:]))


def fetch(port, path, timeout=60):
    with urllib.request.urlopen("http://127.0.0.1:%d/%s" % (port, path),
                                timeout=timeout) as r:
        return r.read()


def hmp(q, line):
    return q.cmd("human-monitor-command", {"command-line": line})


RESULTS = {}


def nic_args(kind, www, fwd):
    """e1000: -netdev + -device; virtio: the -nic shorthand with QEMU's
    model=virtio name for virtio-net-pci."""
    if kind == "virtio":
        return ["-nic", "user,id=n0,model=virtio,mac=52:54:00:12:34:99,"
                "tftp=%s,hostfwd=tcp:127.0.0.1:%d-:8080" % (www, fwd)]
    return ["-netdev", "user,id=n0,tftp=%s,hostfwd=tcp:127.0.0.1:%d-:8080"
            % (www, fwd),
            "-device", "e1000,netdev=n0,mac=52:54:00:12:34:99"]


def boot_once(kind="e1000"):
    """Boot the guest once per NIC; the tests below read what it found."""
    if kind in RESULTS:
        return RESULTS[kind]
    kernel, initrd = guest()
    tmp = TempDir()
    www = tmp("www")
    os.mkdir(www)
    payload = os.urandom(300 * 1024 + 17)
    with open(os.path.join(www, "f.bin"), "wb") as f:
        f.write(payload)
    srv = serve(www)
    fwd, fwd2 = free_port(), free_port()
    qmp_path, pcap = tmp("qmp.sock"), tmp("dump.pcap")
    args = [HEMU, "-nographic", "-m", "256", "-kernel", kernel,
            "-initrd", initrd, "-append",
            "console=ttyS0 quiet hemu.net=1 hemu.http=%d hemu.file=f.bin"
            % srv.server_address[1]] + nic_args(kind, www, fwd) + [
            "-object", "filter-dump,id=f0,netdev=n0,file=%s" % pcap,
            "-qmp", "unix:%s,server=on,wait=off" % qmp_path]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    con = Console(proc)
    r = RESULTS[kind] = {}
    r["md5"] = hashlib.md5(payload).hexdigest()
    try:
        q = QMP(connect_unix(qmp_path))
        q.cmd("qmp_capabilities")
        con.wait("httpd-ready", BOOT_TIMEOUT)
        r["values"] = con.values()
        r["hostfwd"] = hashlib.md5(fetch(fwd, "guest.bin")).hexdigest()
        r["info_network"] = hmp(q, "info network")
        r["rx_filter"] = q.cmd("query-rx-filter")
        r["hostfwd_add"] = hmp(q, "hostfwd_add n0 tcp:127.0.0.1:%d-:8080"
                               % fwd2)
        r["hostfwd2"] = hashlib.md5(fetch(fwd2, "guest.bin")).hexdigest()
        r["hostfwd_remove"] = hmp(q, "hostfwd_remove n0 tcp:127.0.0.1:%d"
                                  % fwd2)
        try:
            socket.create_connection(("127.0.0.1", fwd2), timeout=5).close()
            r["removed_refused"] = False
        except OSError:
            r["removed_refused"] = True
        # The link goes down and up again: the guest's STATUS.LU follows.
        q.cmd("set_link", {"name": "n0", "up": False})
        r["link_down_info"] = hmp(q, "info network")
        q.cmd("set_link", {"name": "n0", "up": True})
        r["bad_link"] = q.cmd_raw("set_link", {"name": "nope", "up": True})
        open(os.path.join(www, "done"), "w").close()
        con.wait("done", 120)
        try:
            r["rc"] = proc.wait(120)
        except subprocess.TimeoutExpired:
            r["rc"] = None
        q.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        srv.shutdown()
        r["stderr"] = proc.stderr.read().decode(errors="replace")
        with open(pcap, "rb") as f:
            r["pcap"] = f.read()
        tmp.__exit__()
    return r


@test
def dhcp_lease_on_e1000():
    v = boot_once()["values"]
    check_eq(v.get("ip"), "10.0.2.15", "guest address from slirp's DHCP")
    check_eq(v.get("driver"), "e1000", "Linux driver bound to the NIC")


@test
def http_from_host_through_10_0_2_2():
    r = boot_once()
    check_eq(r["values"].get("http-md5"), r["md5"], "md5 of the HTTP fetch")


@test
def tftp_from_tftp_dir():
    r = boot_once()
    check_eq(r["values"].get("tftp-md5"), r["md5"], "md5 of the TFTP fetch")


@test
def hostfwd_reaches_guest_httpd():
    r = boot_once()
    want = r["values"].get("guest-md5")
    check(want, "guest did not report its file's md5")
    check_eq(r["hostfwd"], want, "md5 through hostfwd=")
    check_eq(r["hostfwd_add"], "", "hostfwd_add output")
    check_eq(r["hostfwd2"], want, "md5 through the hostfwd_add rule")
    check_eq(r["hostfwd_remove"], "", "hostfwd_remove output")
    check(r["removed_refused"], "the removed rule still accepts connections")


@test
def monitor_shows_network():
    r = boot_once()
    info = r["info_network"]
    check("e1000.0: index=0,type=nic,model=e1000,macaddr=52:54:00:12:34:99"
          in info, "info network: %r" % info)
    check(" \\ n0: index=0,type=user,net=10.0.2.0,restrict=off" in info,
          "info network: %r" % info)
    check("[link=down]" in r["link_down_info"], "set_link off not shown: %r"
          % r["link_down_info"])
    rx = r["rx_filter"]
    check_eq(len(rx), 1, "query-rx-filter entries")
    check_eq(rx[0]["main-mac"], "52:54:00:12:34:99", "main-mac")
    check_eq(rx[0]["broadcast-allowed"], True, "broadcast-allowed (Linux "
             "sets RCTL.BAM)")
    check_eq(r["bad_link"].get("error", {}).get("class"), "DeviceNotFound",
             "set_link on an unknown name")


@test
def virtio_net_dhcp_http_tftp():
    r = boot_once("virtio")
    v = r["values"]
    check_eq(v.get("ip"), "10.0.2.15", "guest address from slirp's DHCP")
    check_eq(v.get("driver"), "virtio_net", "Linux driver bound to the NIC")
    check_eq(v.get("http-md5"), r["md5"], "md5 of the HTTP fetch")
    check_eq(v.get("tftp-md5"), r["md5"], "md5 of the TFTP fetch")


@test
def virtio_net_hostfwd_and_monitor():
    r = boot_once("virtio")
    want = r["values"].get("guest-md5")
    check(want, "guest did not report its file's md5")
    check_eq(r["hostfwd"], want, "md5 through hostfwd=")
    check_eq(r["hostfwd2"], want, "md5 through the hostfwd_add rule")
    info = r["info_network"]
    check("virtio-net-pci.0: index=0,type=nic,model=virtio-net-pci,"
          "macaddr=52:54:00:12:34:99" in info, "info network: %r" % info)
    rx = r["rx_filter"]
    check_eq(len(rx), 1, "query-rx-filter entries")
    check_eq(rx[0]["main-mac"], "52:54:00:12:34:99", "main-mac")
    # Linux's virtio_net turns promiscuous mode off over the control queue.
    check_eq(rx[0]["promiscuous"], False, "promiscuous after the driver")
    check_eq(r["rc"], 0, "hemu exit status; stderr %r" % r["stderr"][-500:])


@test
def filter_dump_pcap_has_dhcp():
    data = boot_once()["pcap"]
    check(len(data) > 24, "pcap is empty")
    magic, major, minor, _, _, snap, link = struct.unpack("<IHHiIII",
                                                          data[:24])
    check_eq((magic, major, minor, link), (0xa1b2c3d4, 2, 4, 1),
             "pcap header")
    off, frames, dhcp = 24, 0, False
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        frames += 1
        # Ethernet, IPv4, UDP to port 67 from the guest's MAC.
        if (frame[6:12] == bytes.fromhex("525400123499") and
                frame[12:14] == b"\x08\x00" and frame[23] == 17 and
                frame[14 + (frame[14] & 15) * 4 + 2:
                      14 + (frame[14] & 15) * 4 + 4] == b"\x00\x43"):
            dhcp = True
    check_eq(off, len(data), "pcap records fill the file exactly")
    check(frames > 20, "only %d frames dumped" % frames)
    check(dhcp, "no DHCP request from the guest in the pcap")


@test
def guest_powers_off_cleanly():
    r = boot_once()
    check_eq(r["rc"], 0, "hemu exit status; stderr %r" % r["stderr"][-500:])


if __name__ == "__main__":
    run_tests()
