# SPDX-License-Identifier: GPL-2.0-or-later
"""-netdev socket on 127.0.0.1 with QEMU's wire format, checked by a Python
peer that speaks it: a TCP stream (listen= and connect=) carries each
frame after a 4-byte big-endian length, UDP (udp=/localaddr=, mcast=)
one frame per datagram.  The peer sends a DHCP DISCOVER into hemu, whose
socket back end is joined through hub 0 to -netdev user, and must get
slirp's DHCP OFFER for 10.0.2.15 back the same way.  A peer that sends a
length beyond any frame is dropped, and a new one accepted."""
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (Hemu, check, check_eq, free_port,  # noqa: E402
                      run_tests, test, wait_for)

MAC = bytes.fromhex("525400123456")


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def dhcp_discover(xid):
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0,
                        0x8000, b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4,
                        MAC + b"\0" * 10, b"", b"")
    bootp += bytes.fromhex("63825363") + bytes([53, 1, 1, 255])
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17,
                     0, b"\0" * 4, b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return b"\xff" * 6 + MAC + b"\x08\x00" + ip + udp


def offer_for(frame, xid):
    """The yiaddr if frame is a DHCP reply to xid, else None."""
    if len(frame) < 14 + 20 + 8 + 240 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 15) * 4
    if frame[23] != 17:
        return None
    udp = frame[14 + ihl:]
    sport, dport = struct.unpack("!HH", udp[:4])
    bootp = udp[8:]
    if (sport, dport) != (67, 68) or struct.unpack("!I", bootp[4:8])[0] != xid:
        return None
    return socket.inet_ntoa(bootp[16:20])


def hub_with_user(backend):
    return ["-S", "-display", "none", "-nodefaults", "-machine", "none",
            "-netdev", backend, "-netdev", "user,id=u0",
            "-netdev", "hubport,id=p0,hubid=0,netdev=s0",
            "-netdev", "hubport,id=p1,hubid=0,netdev=u0"]


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise ConnectionError("closed")
        b += d
    return b


def stream_dhcp(s, xid):
    f = dhcp_discover(xid)
    s.sendall(struct.pack("!I", len(f)) + f)
    end = time.time() + 20
    s.settimeout(20)
    while time.time() < end:
        n = struct.unpack("!I", recv_exact(s, 4))[0]
        check(n <= 65536, "frame length %d" % n)
        ip = offer_for(recv_exact(s, n), xid)
        if ip:
            return ip
    return None


def connect_retry(port):
    def attempt():
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=5)
        except OSError:
            return None
    return wait_for(attempt, 10, "hemu's listen socket")


@test
def listen_stream_framing():
    port = free_port()
    with Hemu(hub_with_user("socket,id=s0,listen=127.0.0.1:%d" % port)):
        s = connect_retry(port)
        check_eq(stream_dhcp(s, 0x1234), "10.0.2.15", "offer over listen=")
        # A length no frame has: hemu drops the peer...
        s.sendall(struct.pack("!I", 0x7fffffff))
        s.settimeout(10)
        check_eq(s.recv(100), b"", "connection closed after a bad length")
        s.close()
        # ... and takes the next one.
        s = connect_retry(port)
        check_eq(stream_dhcp(s, 0x5678), "10.0.2.15", "offer after reconnect")
        s.close()


@test
def connect_stream_framing():
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    with Hemu(hub_with_user("socket,id=s0,connect=127.0.0.1:%d" % port)):
        srv.settimeout(20)
        s, _ = srv.accept()
        check_eq(stream_dhcp(s, 0x4321), "10.0.2.15", "offer over connect=")
        s.close()
    srv.close()


def dgram_dhcp(sock, dst, xid):
    # Sent again each second: a hemu slow to start (a loaded host) has
    # not bound its port yet and the datagram is lost.
    sock.settimeout(1)
    end = time.time() + 30
    while time.time() < end:
        sock.sendto(dhcp_discover(xid), dst)
        try:
            data, _ = sock.recvfrom(65536)
        except socket.timeout:
            continue
        ip = offer_for(data, xid)
        if ip:
            return ip
    return None


@test
def udp_datagrams():
    mine, theirs = free_port(), free_port()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", mine))
    with Hemu(hub_with_user("socket,id=s0,udp=127.0.0.1:%d,localaddr="
                            "127.0.0.1:%d" % (mine, theirs))):
        time.sleep(1)
        check_eq(dgram_dhcp(u, ("127.0.0.1", theirs), 0x9999), "10.0.2.15",
                 "offer over udp=")
    u.close()


@test
def mcast_datagrams():
    group, port = "230.0.0.1", free_port()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind(("", port))
    u.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(group) + socket.inet_aton("127.0.0.1"))
    u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 socket.inet_aton("127.0.0.1"))
    u.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
    with Hemu(hub_with_user("socket,id=s0,mcast=%s:%d,localaddr=127.0.0.1"
                            % (group, port))):
        time.sleep(1)
        check_eq(dgram_dhcp(u, (group, port), 0x7777), "10.0.2.15",
                 "offer over mcast=")
    u.close()


def l2tp_dhcp(u, dst, header, xid, want_header_len, check_reply, secs=15):
    """Send DISCOVER xid behind header (again each second: hemu may not
    have bound its port yet); the OFFER's address, or None."""
    u.settimeout(1)
    end = time.time() + secs
    while time.time() < end:
        u.sendto(header + dhcp_discover(xid), dst)
        try:
            data, _ = u.recvfrom(65536)
        except socket.timeout:
            continue
        ip = offer_for(data[want_header_len:], xid)
        if ip:
            check_reply(data[:want_header_len])
            return ip
    return None


def l2tp_case(extra, rx_header, tx_check, hdr_len):
    mine, theirs = free_port(), free_port()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", mine))
    nd = ("l2tpv3,id=s0,udp=on,src=127.0.0.1,srcport=%d,dst=127.0.0.1,"
          "dstport=%d,txsession=0x10,rxsession=0x20,%s" % (theirs, mine,
                                                           extra))
    with Hemu(hub_with_user(nd)):
        time.sleep(1)
        ip = l2tp_dhcp(u, ("127.0.0.1", theirs), rx_header, 0x2468,
                       hdr_len, tx_check)
        check_eq(ip, "10.0.2.15", "offer over l2tpv3 (%s)" % extra)
        # The same frame with a wrong cookie is dropped.
        bad = bytearray(rx_header)
        bad[8] ^= 0xff
        check_eq(l2tp_dhcp(u, ("127.0.0.1", theirs), bytes(bad), 0x1357,
                           hdr_len, tx_check, 4), None,
                 "a wrong cookie must get no answer")
        # And a wrong session too.
        bad = bytearray(rx_header)
        bad[7] ^= 0x01
        check_eq(l2tp_dhcp(u, ("127.0.0.1", theirs), bytes(bad), 0x1358,
                           hdr_len, tx_check, 4), None,
                 "a wrong session must get no answer")
    u.close()


@test
def l2tpv3_udp_cookie32_counter():
    def tx_check(h):
        check_eq(h[:12], struct.pack("!III", 0x30000, 0x10, 0x11223344),
                 "L2TPv3 header from hemu")
        check(struct.unpack("!I", h[12:16])[0] >= 1, "counter counts")
    l2tp_case("counter=on,txcookie=0x11223344,rxcookie=0x55667788",
              struct.pack("!IIII", 0x30000, 0x20, 0x55667788, 0), tx_check,
              16)


@test
def l2tpv3_udp_cookie64_offset():
    def tx_check(h):
        check_eq(h, struct.pack("!IIQ", 0x30000, 0x10, 0x0102030405060708)
                 + b"\0" * 4, "L2TPv3 header with 64-bit cookie, offset 4")
    l2tp_case("cookie64=on,offset=4,txcookie=0x0102030405060708,"
              "rxcookie=0x1112131415161718",
              struct.pack("!IIQ", 0x30000, 0x20, 0x1112131415161718)
              + b"\0" * 4, tx_check, 20)


@test
def l2tpv3_and_socket_interoperate_with_qemu():
    """Python --stream--> hemu socket --hub--> hemu l2tpv3 ==UDP==> QEMU
    l2tpv3 --hub--> QEMU slirp, and the OFFER all the way back; then the
    same with QEMU's socket back end listening and hemu's connecting."""
    a, b, s1, s2 = free_port(), free_port(), free_port(), free_port()
    qemu = subprocess.Popen(
        ["qemu-system-x86_64", "-M", "none", "-display", "none",
         "-nodefaults", "-accel", "tcg",
         "-netdev", "l2tpv3,id=l0,udp=on,src=127.0.0.1,srcport=%d,"
         "dst=127.0.0.1,dstport=%d,txsession=0x20,rxsession=0x10,"
         "txcookie=0xabcdef01,rxcookie=0x12345678" % (a, b),
         "-netdev", "socket,id=q1,listen=127.0.0.1:%d" % s2,
         "-netdev", "user,id=u0",
         "-netdev", "hubport,id=p0,hubid=0,netdev=l0",
         "-netdev", "hubport,id=p1,hubid=0,netdev=u0",
         "-netdev", "user,id=u1,net=10.0.9.0/24",
         "-netdev", "hubport,id=p2,hubid=1,netdev=q1",
         "-netdev", "hubport,id=p3,hubid=1,netdev=u1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    try:
        time.sleep(2)
        hemu_args = ["-display", "none", "-nodefaults", "-machine", "none",
                     "-netdev", "socket,id=s0,listen=127.0.0.1:%d" % s1,
                     "-netdev", "l2tpv3,id=l0,udp=on,src=127.0.0.1,"
                     "srcport=%d,dst=127.0.0.1,dstport=%d,txsession=0x10,"
                     "rxsession=0x20,txcookie=0x12345678,rxcookie=0xabcdef01"
                     % (b, a),
                     "-netdev", "hubport,id=p0,hubid=0,netdev=s0",
                     "-netdev", "hubport,id=p1,hubid=0,netdev=l0",
                     "-netdev", "socket,id=c1,connect=127.0.0.1:%d" % s2]
        # hub 1 in hemu: a second listen socket for the Python peer and
        # the connection to QEMU's socket back end.
        s4 = free_port()
        hemu_args += ["-netdev", "socket,id=s3,listen=127.0.0.1:%d" % s4,
                      "-netdev", "hubport,id=p2,hubid=1,netdev=c1",
                      "-netdev", "hubport,id=p3,hubid=1,netdev=s3"]
        with Hemu(hemu_args):
            c = connect_retry(s1)
            check_eq(stream_dhcp(c, 0xabc1), "10.0.2.15",
                     "QEMU's slirp answered through hemu's l2tpv3")
            c.close()
            c = connect_retry(s4)
            check_eq(stream_dhcp(c, 0xabc2), "10.0.9.15",
                     "QEMU's slirp answered through QEMU's socket back end")
            c.close()
    finally:
        qemu.kill()
        qemu.wait()


@test
def bad_socket_options():
    import subprocess
    from hemutest import HEMU
    port = free_port()
    cases = [
        ("socket,id=s0", "exactly one of listen=, connect=, mcast= or udp="),
        ("socket,id=s0,listen=:1,connect=:2", "exactly one of"),
        ("socket,id=s0,connect=127.0.0.1:%d" % port, "can't connect socket"),
        ("socket,id=s0,listen=127.0.0.1", "doesn't contain ':'"),
        ("socket,id=s0,mcast=10.0.0.1:1234", "does not contain a multicast"),
        ("socket,id=s0,udp=127.0.0.1:5", "localaddr= is mandatory"),
        ("socket,id=s0,fd=99999", "not a valid socket file descriptor"),
    ]
    for nd, want in cases:
        p = subprocess.run([HEMU, "-M", "none", "-netdev", nd],
                           capture_output=True, text=True, timeout=30)
        check_eq(p.returncode, 1, "exit status for %s" % nd)
        check(want in p.stderr, "%s: %r lacks %r" % (nd, p.stderr, want))


if __name__ == "__main__":
    run_tests()
