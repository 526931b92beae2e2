# SPDX-License-Identifier: GPL-2.0-or-later
"""QMP over real sockets: greeting, capabilities negotiation, every
implemented command, QEMU's error classes and messages, events with
timestamps, several monitors at once, and `quit` ending hemu with status 0.
Protocol: QEMU's "QEMU Machine Protocol Specification"; reply shapes: the
qemu-6.2 QMP reference."""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (Fail, Hemu, QMP, TempDir, check, check_eq,  # noqa: E402
                      connect_tcp, connect_unix, free_port, run_tests, test)

BASE = ["-S", "-display", "none", "-nodefaults", "-machine", "none"]

COMMANDS = {
    "qmp_capabilities", "query-version", "query-target", "query-commands",
    "query-status", "query-name", "query-uuid", "query-chardev", "query-kvm",
    "query-machines", "query-cpus-fast", "stop", "cont", "system_reset",
    "query-cpu-definitions", "query-cpu-model-expansion",
    "system_powerdown", "quit", "human-monitor-command",
    # the network commands (emu/monitor/net-cmds.c, tests in test_net_qmp.py)
    "netdev_add", "netdev_del", "set_link", "query-rx-filter",
    # block devices (tests/integration/test_block_guest.py)
    "query-block", "query-blockstats", "eject", "blockdev-change-medium",
    "block_resize",
    # block jobs (tests/integration/test_block_commit.py)
    "block-commit", "query-block-jobs", "block-job-cancel",
    "block-job-complete", "block-job-set-speed",
    # display and VNC
    "screendump", "query-vnc", "query-vnc-servers", "set_password",
    "expire_password", "change-vnc-password",
    # SPICE (tests in test_spice.py)
    "query-spice",
}


def start(tmp, extra=(), sockets=("qmp.sock",), pretty=False):
    """hemu with one -qmp unix socket per name; returns (hemu, [paths])."""
    args = list(BASE) + list(extra)
    paths = []
    for name in sockets:
        paths.append(tmp(name))
        args += ["-qmp-pretty" if pretty else "-qmp",
                 "unix:%s,server=on,wait=off" % paths[-1]]
    return Hemu(args), paths


def session(path):
    q = QMP(connect_unix(path))
    check_eq(q.cmd("qmp_capabilities"), {}, "qmp_capabilities")
    return q


def check_error(r, cls, desc=None):
    check("error" in r, "expected an error, got %r" % r)
    check_eq(r["error"]["class"], cls, "error class")
    if desc is not None:
        check_eq(r["error"]["desc"], desc, "error desc")


def quit_and_wait(h, q):
    check_eq(q.cmd("quit"), {}, "quit reply")
    ev = q.event("SHUTDOWN")
    check_eq(ev["data"], {"guest": False, "reason": "host-qmp-quit"},
             "SHUTDOWN data")
    check_eq(h.wait(), 0, "exit status after quit")


def check_timestamp(ev):
    ts = ev.get("timestamp")
    check(isinstance(ts, dict), "event without timestamp: %r" % ev)
    check(isinstance(ts["seconds"], int) and isinstance(ts["microseconds"], int),
          "timestamp types: %r" % ts)
    check(0 <= ts["microseconds"] < 1000000, "microseconds range: %r" % ts)
    check(abs(ts["seconds"] + ts["microseconds"] / 1e6 - time.time()) < 60,
          "timestamp is not the wall clock: %r" % ts)


@test
def greeting_and_negotiation():
    with TempDir() as tmp:
        h, (path,) = start(tmp)
        with h:
            q = QMP(connect_unix(path))
            check_eq(q.greeting, {"QMP": {
                "version": {"qemu": {"micro": 0, "minor": 2, "major": 6},
                            "package": "hemu 0.1.0"},
                "capabilities": []}}, "greeting")
            check_error(q.cmd_raw("query-status"), "CommandNotFound",
                        "Expecting capabilities negotiation with "
                        "'qmp_capabilities'")
            check_error(q.cmd_raw("qmp_capabilities", {"enable": ["oob"]}),
                        "GenericError", "Capability 'oob' not available")
            check_eq(q.cmd_raw("qmp_capabilities", id="neg"),
                     {"return": {}, "id": "neg"}, "negotiation")
            check_error(q.cmd_raw("qmp_capabilities"), "CommandNotFound",
                        "Capabilities negotiation is already complete, "
                        "command ignored")
            quit_and_wait(h, q)


@test
def every_command():
    uuid = "12345678-9abc-def0-1234-56789abcdef0"
    with TempDir() as tmp:
        h, (path,) = start(tmp, ["-name", "guest1", "-uuid", uuid])
        with h:
            q = session(path)
            check_eq(q.cmd("query-version"),
                     {"qemu": {"major": 6, "minor": 2, "micro": 0},
                      "package": "hemu 0.1.0"}, "query-version")
            check_eq(q.cmd("query-target"), {"arch": "x86_64"}, "query-target")
            names = [c["name"] for c in q.cmd("query-commands")]
            check_eq(sorted(names), sorted(COMMANDS), "query-commands")
            check_eq(q.cmd("query-status"),
                     {"running": False, "singlestep": False,
                      "status": "prelaunch"}, "query-status")
            check_eq(q.cmd("query-name"), {"name": "guest1"}, "query-name")
            check_eq(q.cmd("query-uuid"), {"UUID": uuid}, "query-uuid")
            check_eq(q.cmd("query-kvm"), {"enabled": False, "present": False},
                     "query-kvm")
            check_eq(q.cmd("query-cpus-fast"), [], "query-cpus-fast")
            chardevs = q.cmd("query-chardev")
            check_eq(len(chardevs), 1, "one chardev")
            check_eq(chardevs[0]["frontend-open"], True, "frontend-open")
            check(chardevs[0]["filename"].startswith("unix:" + path),
                  "chardev filename %r" % chardevs[0]["filename"])
            check(isinstance(chardevs[0]["label"], str), "chardev label")
            machines = q.cmd("query-machines")
            check("none" in [m["name"] for m in machines], "machine none")
            for m in machines:
                for k in ("name", "cpu-max", "hotpluggable-cpus",
                          "numa-mem-supported", "deprecated"):
                    check(k in m, "query-machines entry lacks %s: %r" % (k, m))
                check(m.get("is-default", True) is True,
                      "is-default present only when true: %r" % m)
            out = q.cmd("human-monitor-command",
                        {"command-line": "info version"})
            check_eq(out, "6.2.0 (hemu 0.1.0)\r\n", "info version")
            out = q.cmd("human-monitor-command",
                        {"command-line": "info status"})
            check_eq(out, "VM status: paused (prelaunch)\r\n", "info status")
            check_eq(q.cmd("human-monitor-command", {"command-line": "info name"}),
                     "guest1\r\n", "info name")
            check_error(q.cmd_raw("human-monitor-command",
                                  {"command-line": "info registers",
                                   "cpu-index": 0}), "GenericError",
                        "Parameter 'cpu-index' expects a CPU number")
            quit_and_wait(h, q)


@test
def unnamed_vm_defaults():
    with TempDir() as tmp:
        h, (path,) = start(tmp)
        with h:
            q = session(path)
            check_eq(q.cmd("query-name"), {}, "query-name without -name")
            check_eq(q.cmd("query-uuid"),
                     {"UUID": "00000000-0000-0000-0000-000000000000"},
                     "query-uuid without -uuid")
            quit_and_wait(h, q)


@test
def errors_keep_the_connection():
    with TempDir() as tmp:
        h, (path,) = start(tmp)
        with h:
            q = session(path)
            check_error(q.cmd_raw("no-such-command"), "CommandNotFound",
                        "The command no-such-command has not been found")
            q.send_raw('{"execute": }\n')
            r = q.reply()
            check_error(r, "GenericError")
            check(r["error"]["desc"].startswith("JSON parse error"),
                  "parse error desc %r" % r)
            check("id" not in r, "no id on a parse error")
            q.send_raw("[1, 2]")
            check_error(q.reply(), "GenericError",
                        "QMP input must be a JSON object")
            q.send_raw('{"id": 5}')
            check_eq(q.reply(), {"error": {"class": "GenericError", "desc":
                     "QMP input lacks member 'execute'"}, "id": 5},
                     "missing execute")
            q.send_raw('{"execute": "stop", "arguments": 1}')
            check_error(q.reply(), "GenericError",
                        "QMP input member 'arguments' must be an object")
            q.send_raw('{"execute": "stop", "bogus": 1}')
            check_error(q.reply(), "GenericError",
                        "QMP input member 'bogus' is unexpected")
            check_error(q.cmd_raw("query-status", {"x": 1}), "GenericError",
                        "Parameter 'x' is unexpected")
            check_error(q.cmd_raw("human-monitor-command",
                                  {"command-line": 1}), "GenericError",
                        "Invalid parameter type for 'command-line', "
                        "expected: string")
            check_error(q.cmd_raw("human-monitor-command"), "GenericError",
                        "Parameter 'command-line' is missing")
            # Garbage, an unterminated string, then the resync byte 0xFF.
            q.send_raw(b'{"execute": "query-')
            time.sleep(0.1)
            q.send_raw(b'\xff')
            check_error(q.reply(), "GenericError")
            # Single quotes are accepted as by QEMU's parser.
            q.send_raw("{'execute': 'query-target', 'id': 'sq'}")
            check_eq(q.reply(), {"return": {"arch": "x86_64"}, "id": "sq"},
                     "single-quoted request")
            check_eq(q.cmd("query-status")["status"], "prelaunch",
                     "alive after errors")
            quit_and_wait(h, q)


@test
def id_is_echoed_verbatim():
    with TempDir() as tmp:
        h, (path,) = start(tmp)
        with h:
            q = session(path)
            for ident in (1, "abc", None, [1, {"x": "y"}], {"a": {"b": [True]}},
                          1.5, "\u00e9\U0001F600"):
                r = q.cmd_raw("query-kvm", id=ident) if ident is not None else None
                if ident is None:
                    q.send_raw('{"execute": "query-kvm", "id": null}')
                    r = q.reply()
                check("id" in r and r["id"] == ident,
                      "id %r echoed as %r" % (ident, r))
            r = q.cmd_raw("nope", id={"n": 1})
            check_eq(r.get("id"), {"n": 1}, "id on an error reply")
            quit_and_wait(h, q)


@test
def split_and_batched_input():
    with TempDir() as tmp:
        h, (path,) = start(tmp)
        with h:
            q = session(path)
            msg = b'{"execute": "query-target", "id": "split"}'
            for i in range(len(msg)):
                q.send_raw(msg[i:i + 1])
                if i % 7 == 0:
                    time.sleep(0.005)
            check_eq(q.reply(), {"return": {"arch": "x86_64"}, "id": "split"},
                     "byte-by-byte request")
            q.send_raw(b'{"execute": "query-kvm", "id": 1}'
                       b'{"execute": "query-target", "id": 2}\r\n'
                       b'{"execute": "query-name", "id": 3}')
            check_eq([q.reply()["id"] for _ in range(3)], [1, 2, 3],
                     "replies in request order")
            quit_and_wait(h, q)


@test
def input_limits():
    with TempDir() as tmp:
        h, (path,) = start(tmp)
        with h:
            q = session(path)
            q.send_raw("[" * 1100 + "]" * 1100)
            check_error(q.reply(), "GenericError",
                        "JSON nesting depth limit exceeded")
            check_eq(q.cmd("query-target"), {"arch": "x86_64"},
                     "alive after deep nesting")
            q.send_raw('{"execute": "' + "a" * (17 << 20) + '"}')
            check_error(q.reply(), "GenericError",
                        "JSON token size limit exceeded")
            check_eq(q.cmd("query-target"), {"arch": "x86_64"},
                     "alive after a 17 MiB request")
            quit_and_wait(h, q)


@test
def run_control_and_events():
    with TempDir() as tmp:
        h, (path,) = start(tmp)
        with h:
            q = session(path)
            # stop in prelaunch keeps prelaunch, as in QEMU.
            check_eq(q.cmd("stop"), {}, "stop in prelaunch")
            check_eq(q.cmd("query-status")["status"], "prelaunch",
                     "state after stop in prelaunch")
            check_eq(q.cmd("cont"), {}, "cont")
            ev = q.event("RESUME")
            check_timestamp(ev)
            check("data" not in ev, "RESUME has no data")
            check_eq(q.cmd("query-status"),
                     {"running": True, "singlestep": False, "status": "running"},
                     "running")
            check_eq(q.cmd("stop"), {}, "stop")
            check_timestamp(q.event("STOP"))
            check_eq(q.cmd("query-status")["status"], "paused", "paused")
            check_eq(q.cmd("human-monitor-command",
                           {"command-line": "info status"}),
                     "VM status: paused\r\n", "info status paused")
            check_eq(q.cmd("cont"), {}, "cont again")
            q.event("RESUME")
            check_eq(q.cmd("system_reset"), {}, "system_reset")
            ev = q.event("RESET")
            check_timestamp(ev)
            check_eq(ev["data"], {"guest": False,
                                  "reason": "host-qmp-system-reset"}, "RESET data")
            check_eq(q.cmd("system_powerdown"), {}, "system_powerdown")
            check_timestamp(q.event("POWERDOWN"))
            check_eq(q.cmd("query-status")["status"], "running",
                     "powerdown without ACPI leaves the VM running")
            q.cmd("quit")
            ev = q.event("SHUTDOWN")
            check_timestamp(ev)
            check_eq(h.wait(), 0, "exit status")


@test
def two_monitors_at_once():
    with TempDir() as tmp:
        h, paths = start(tmp, sockets=("a.sock", "b.sock"))
        with h:
            a = session(paths[0])
            b = QMP(connect_unix(paths[1]))
            # b has not negotiated: events are not sent to it.
            check_eq(a.cmd("cont"), {}, "cont on a")
            a.event("RESUME")
            check_error(b.cmd_raw("query-status"), "CommandNotFound")
            check_eq(b.events, [], "no events before negotiation")
            check_eq(b.cmd("qmp_capabilities"), {}, "negotiate b")
            check_eq(b.cmd("stop"), {}, "stop on b")
            b.event("STOP")
            a.event("STOP")
            check_eq(len(a.cmd("query-chardev")), 2, "two chardevs")
            # Closing one monitor does not disturb the other.
            b.close()
            check_eq(a.cmd("query-status")["status"], "paused", "a still works")
            # A new connection on the same socket starts over.
            b = QMP(connect_unix(paths[1]))
            check("QMP" in b.greeting, "greeting on reconnect")
            check_error(b.cmd_raw("query-status"), "CommandNotFound",
                        "Expecting capabilities negotiation with "
                        "'qmp_capabilities'")
            check_eq(b.cmd("qmp_capabilities"), {}, "negotiate again")
            b.cmd("quit")
            a.event("SHUTDOWN")
            b.event("SHUTDOWN")
            check_eq(h.wait(), 0, "exit status")


@test
def over_tcp():
    port = free_port()
    args = BASE + ["-qmp", "tcp:127.0.0.1:%d,server=on,wait=off" % port]
    with Hemu(args) as h:
        q = QMP(connect_tcp(port))
        check("QMP" in q.greeting, "greeting over tcp")
        check_eq(q.cmd("qmp_capabilities"), {}, "negotiate")
        check_eq(q.cmd("query-version")["qemu"],
                 {"major": 6, "minor": 2, "micro": 0}, "version over tcp")
        check_error(q.cmd_raw("frobnicate"), "CommandNotFound")
        q.send_raw("{,}\n")
        check_error(q.reply(), "GenericError")
        check_eq(q.cmd("cont"), {}, "cont")
        q.event("RESUME")
        quit_and_wait(h, q)


@test
def pretty_output():
    with TempDir() as tmp:
        h, (path,) = start(tmp, pretty=True)
        with h:
            s = connect_unix(path)
            s.settimeout(10)
            buf = b""
            while not buf.endswith(b"}\r\n"):
                buf += s.recv(65536)
            check(buf.startswith(b'{\r\n    "QMP": {\r\n        "version": {'),
                  "pretty greeting %r" % buf[:60])
            s.sendall(b'{"execute": "qmp_capabilities"}')
            buf = b""
            while not buf.endswith(b"}\r\n"):
                buf += s.recv(65536)
            check_eq(buf, b'{\r\n    "return": {\r\n    }\r\n}\r\n',
                     "pretty empty return")
            q = QMP.__new__(QMP)
            q.sock, q.buf, q.events = s, b"", []
            check_eq(q.cmd("query-target"), {"arch": "x86_64"}, "pretty parses")
            quit_and_wait(h, q)


@test
def mon_option_control_mode():
    with TempDir() as tmp:
        path = tmp("mon.sock")
        args = BASE + ["-chardev", "socket,id=qmp0,path=%s,server=on,wait=off"
                       % path, "-mon", "chardev=qmp0,mode=control"]
        with Hemu(args) as h:
            q = session(path)
            check_eq([c["label"] for c in q.cmd("query-chardev")], ["qmp0"],
                     "chardev label")
            quit_and_wait(h, q)


run_tests()
