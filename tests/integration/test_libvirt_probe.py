# SPDX-License-Identifier: GPL-2.0-or-later
"""The start-up libvirt uses to probe an emulator
(shared/reference/management-stacks.md): the exact command line, with
-daemonize returning only once the QMP socket exists, then the first QMP
queries of the probe sequence that hemu implements so far."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, QMP, TempDir, check, check_eq, connect_unix,
                      run_tests, test, wait_for)


def probe_cmdline(d):
    return [HEMU, "-S", "-no-user-config", "-nodefaults", "-nographic",
            "-machine", "none,accel=kvm:tcg",
            "-qmp", "unix:%s,server=on,wait=off" % d("qmp.sock"),
            "-pidfile", d("hemu.pid"), "-daemonize"]


def pid_alive(pid):
    """True while pid runs; a zombie waiting for its reaper counts as gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except OSError:
        return False


@test
def daemonize_returns_after_qmp_socket_exists():
    with TempDir() as d:
        r = subprocess.run(probe_cmdline(d), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=20)
        check_eq(r.returncode, 0, "exit status of the foreground process")
        # The socket must be there the moment the parent has exited.
        check(os.path.exists(d("qmp.sock")), "QMP socket missing after -daemonize returned")
        pid = int(open(d("hemu.pid")).read().strip())
        check(pid_alive(pid), "daemon pid %d not alive" % pid)
        try:
            q = QMP(connect_unix(d("qmp.sock")))
            check_eq(q.greeting["QMP"]["version"]["qemu"],
                     {"major": 6, "minor": 2, "micro": 0}, "greeting version")
            check_eq(q.cmd("qmp_capabilities"), {}, "qmp_capabilities")
            v = q.cmd("query-version")
            check((v["qemu"]["major"], v["qemu"]["minor"]) >= (6, 2),
                  "libvirt refuses versions below 6.2: %r" % v)
            check("hemu" in v["package"], "package names hemu: %r" % v)
            check_eq(q.cmd("query-target"), {"arch": "x86_64"}, "query-target")
            check_eq(q.cmd("query-kvm"), {"enabled": False, "present": False}, "query-kvm")
            names = [m["name"] for m in q.cmd("query-machines")]
            check("none" in names, "machine none listed: %r" % names)
            check_eq(q.cmd("query-status")["status"], "prelaunch", "status with -S")
            q.send_raw('{"execute": "quit"}')
            q.reply()
            wait_for(lambda: not pid_alive(pid), 10, "daemon to exit")
            check(not os.path.exists(d("hemu.pid")), "pid file left behind")
        finally:
            if pid_alive(pid):
                os.kill(pid, 9)


@test
def daemon_failure_is_reported_by_the_parent():
    with TempDir() as d:
        args = probe_cmdline(d)
        # A QMP socket in a directory that does not exist: the child fails
        # after forking and the parent must exit non-zero with its message.
        args[args.index("-qmp") + 1] = "unix:%s,server=on,wait=off" % d("missing/qmp.sock")
        r = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=20)
        check_eq(r.returncode, 1, "exit status")
        check(b"hemu:" in r.stderr, "an error message: %r" % r.stderr)


run_tests()
