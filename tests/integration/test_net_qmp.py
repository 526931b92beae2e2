# SPDX-License-Identifier: GPL-2.0-or-later
"""The network side of the monitor and the command line, without a guest:
netdev_add/netdev_del (QMP and HMP), hostfwd rules that really listen on
127.0.0.1, set_link, query-rx-filter, info network for -netdev/-device,
the legacy -net hub and the -nic shorthand, and QEMU's default NIC
(-net nic -net user) on the pc machine unless -nodefaults.  Messages and
error classes as QEMU 6.2's."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (Hemu, QMP, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, free_port, run_tests, test)


def start(tmp, extra):
    path = tmp("qmp.sock")
    h = Hemu(["-S", "-display", "none", "-qmp",
              "unix:%s,server=on,wait=off" % path] + list(extra))
    q = QMP(connect_unix(path))
    q.cmd("qmp_capabilities")
    return h, q


def hmp(q, line):
    return q.cmd("human-monitor-command", {"command-line": line})


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        return True
    except OSError:
        return False


@test
def netdev_add_and_del():
    with TempDir() as tmp:
        h, q = start(tmp, ["-nodefaults", "-machine", "none"])
        with h:
            port = free_port()
            q.cmd("netdev_add", {"type": "user", "id": "u1",
                                 "hostfwd": [{"str": "tcp:127.0.0.1:%d-:22"
                                              % port}],
                                 "dnssearch": [{"str": "example.org"}],
                                 "ipv6": False, "restrict": "off"})
            check(listening(port), "hostfwd from netdev_add does not listen")
            r = q.cmd_raw("netdev_add", {"type": "user", "id": "u1"})
            check_eq(r["error"]["desc"], "Duplicate ID 'u1' for netdev",
                     "duplicate id")
            r = q.cmd_raw("netdev_add", {"type": "vhost-vdpa", "id": "t0"})
            check_eq(r["error"]["desc"],
                     "network backend 'vhost-vdpa': not supported",
                     "unsupported back end")
            r = q.cmd_raw("netdev_add", {"type": "user", "id": "u2",
                                         "bogus": 1})
            check_eq(r["error"]["desc"], "Invalid parameter 'bogus'",
                     "unknown member")
            r = q.cmd_raw("netdev_add", {"id": "u3"})
            check_eq(r["error"]["desc"], "Parameter 'type' is missing",
                     "missing type")
            info = hmp(q, "info network")
            check("u1: index=0,type=user,net=10.0.2.0,restrict=off" in info,
                  "info network: %r" % info)
            r = q.cmd_raw("query-rx-filter", {"name": "u1"})
            check_eq(r["error"]["desc"], "net client(u1) isn't a NIC",
                     "query-rx-filter on a back end")
            check_eq(q.cmd("query-rx-filter"), [], "no NICs")
            q.cmd("netdev_del", {"id": "u1"})
            check(not listening(port), "hostfwd still listens after del")
            r = q.cmd_raw("netdev_del", {"id": "u1"})
            check_eq(r["error"]["class"], "DeviceNotFound", "del twice")
            # HMP forms
            check_eq(hmp(q, "netdev_add user,id=h1,net=192.168.7.0/24"), "",
                     "HMP netdev_add")
            check("h1: index=0,type=user,net=192.168.7.0" in
                  hmp(q, "info network"), "HMP-added netdev not listed")
            p2 = free_port()
            check_eq(hmp(q, "hostfwd_add tcp:127.0.0.1:%d-:80" % p2), "",
                     "hostfwd_add without a netdev id")
            check(listening(p2), "hostfwd_add does not listen")
            check_eq(hmp(q, "hostfwd_remove h1 tcp:127.0.0.1:%d" % p2), "",
                     "hostfwd_remove")
            check(not listening(p2), "removed rule still listens")
            check("not found" in hmp(q, "hostfwd_remove h1 tcp:127.0.0.1:%d"
                                     % p2), "removing twice")
            check("Duplicate ID" in hmp(q, "netdev_add user,id=h1"),
                  "HMP duplicate")
            check_eq(hmp(q, "netdev_del h1"), "", "HMP netdev_del")
            check("not found" in hmp(q, "netdev_del h1"), "HMP del twice")
            check("Usage" in hmp(q, "set_link h1 sideways"), "set_link usage")
            q.cmd("quit")
            h.wait()


@test
def legacy_hub_and_nic_shorthand():
    with TempDir() as tmp:
        h, q = start(tmp, ["-nodefaults", "-machine", "pc",
                           "-net", "nic,model=e1000,macaddr=52:54:00:aa:bb:01",
                           "-net", "user,name=slirp0",
                           "-nic", "user,model=e1000,mac=52:54:00:aa:bb:02",
                           "-netdev", "hubport,id=hp1,hubid=1"])
        with h:
            info = hmp(q, "info network")
            for want in (
                    "hub 0\n",
                    "slirp0: index=0,type=user,net=10.0.2.0,restrict=off",
                    "e1000.0: index=0,type=nic,model=e1000,macaddr="
                    "52:54:00:aa:bb:01",
                    "hub 1\n",
                    " \\ hp1: (no peer)",
                    "e1000.1: index=0,type=nic,model=e1000,macaddr="
                    "52:54:00:aa:bb:02",
                    " \\ __org.qemu.nic0: index=0,type=user"):
                check(want.replace("\n", "\r\n") in info or want in info,
                      "info network lacks %r: %r" % (want, info))
            names = sorted(r["name"] for r in q.cmd("query-rx-filter"))
            check_eq(names, ["e1000.0", "e1000.1"], "NICs in query-rx-filter")
            q.cmd("set_link", {"name": "e1000.1", "up": False})
            check("[link=down]" in hmp(q, "info network"), "link down shown")
            q.cmd("quit")
            h.wait()


@test
def default_nic_unless_nodefaults():
    with TempDir() as tmp:
        h, q = start(tmp, ["-machine", "pc"])
        with h:
            info = hmp(q, "info network")
            check("e1000.0: index=0,type=nic,model=e1000,macaddr="
                  "52:54:00:12:34:56" in info, "default NIC: %r" % info)
            check("type=user" in info, "default user back end: %r" % info)
            q.cmd("quit")
            h.wait()
        h, q = start(tmp, ["-machine", "pc", "-nodefaults"])
        with h:
            check_eq(hmp(q, "info network"), "", "-nodefaults: no network")
            q.cmd("quit")
            h.wait()
        h, q = start(tmp, ["-machine", "pc", "-nic", "none"])
        with h:
            check_eq(hmp(q, "info network"), "", "-nic none: no network")
            q.cmd("quit")
            h.wait()


@test
def help_lists():
    import subprocess
    from hemutest import HEMU
    out = subprocess.run([HEMU, "-netdev", "help"], capture_output=True,
                         text=True, timeout=30).stdout
    check(out.startswith("Available netdev backend types:\n"), out)
    for t in ("user", "hubport", "socket", "tap", "l2tpv3"):
        check(t + "\n" in out, "-netdev help lacks %s: %r" % (t, out))
    out = subprocess.run([HEMU, "-net", "nic,model=help"],
                         capture_output=True, text=True, timeout=30).stdout
    check("e1000" in out, "-net nic,model=help: %r" % out)
    out = subprocess.run([HEMU, "-device", "e1000,help"],
                         capture_output=True, text=True, timeout=30).stdout
    for p in ("netdev=", "mac=", "romfile=", "bootindex=", "addr="):
        check(p in out, "-device e1000,help lacks %s: %r" % (p, out))


if __name__ == "__main__":
    run_tests()
