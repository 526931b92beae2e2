# SPDX-License-Identifier: GPL-2.0-or-later
"""QMP system_powerdown on the demo guest (scripts/build-demo-guest.sh,
hemu.acpid=1: busybox acpid with the kernel's ACPI button driver): the
ACPI power button raises an SCI, the guest sees the press, runs its
handler and powers off through the PIIX4 PM, and hemu exits 0.  The boot
is an -smp 2 one: the guest counts two online CPUs (`nproc`).  With
-no-shutdown hemu stays alive instead: QMP query-status says "shutdown",
the SHUTDOWN event names a guest shutdown, and quit ends it."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (ROOT, Fail, Hemu, QMP, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, run_tests, test, demo_guest)

GUEST = os.path.join(ROOT, "build", "demo")


def guest():
    return demo_guest()


def read_until(h, marker, timeout, got=b""):
    f = h.proc.stdout
    os.set_blocking(f.fileno(), False)
    end = time.time() + timeout
    while marker not in got:
        if time.time() > end:
            raise Fail("no %r within %ds; got %r" % (marker, timeout,
                                                      got[-600:]))
        chunk = f.read()
        if chunk:
            got += chunk
        else:
            time.sleep(0.1)
    return got


def boot_acpid(tmp, extra):
    kernel, initrd = guest()
    sock = tmp("qmp.sock")
    h = Hemu(["-nographic", "-m", "256", "-smp", "2",
              "-qmp", "unix:%s,server=on,wait=off" % sock,
              "-kernel", kernel, "-initrd", initrd,
              "-append", "console=ttyS0 quiet hemu.acpid=1"] + extra)
    out = read_until(h, b"HEMU-TEST: acpid-ready", 300)
    q = QMP(connect_unix(sock))
    q.cmd("qmp_capabilities")
    q.cmd("system_powerdown")
    q.event("POWERDOWN")
    return h, q, out


@test
def powerdown_shuts_the_guest_down_through_acpi():
    with TempDir() as tmp:
        h, q, out = boot_acpid(tmp, [])
        with h:
            check(b"HEMU-TEST: nproc=2\r\n" in out or
                  b"HEMU-TEST: nproc=2\n" in out,
                  "-smp 2: nproc in %r" % out[-300:])
            out = read_until(h, b"HEMU-TEST: power-button", 120, out)
            try:
                rc = h.proc.wait(120)
            except subprocess.TimeoutExpired:
                raise Fail("hemu still runs after the guest's poweroff")
            check_eq(rc, 0, "exit status after the ACPI power-off")


@test
def no_shutdown_stays_alive_paused():
    with TempDir() as tmp:
        h, q, out = boot_acpid(tmp, ["-no-shutdown"])
        with h:
            q.sock.settimeout(180)
            ev = q.event("SHUTDOWN", 180)
            check_eq(ev["data"], {"guest": True, "reason": "guest-shutdown"},
                     "SHUTDOWN event")
            time.sleep(0.5)
            check(h.proc.poll() is None, "hemu exited despite -no-shutdown")
            st = q.cmd("query-status")
            check_eq((st["status"], st["running"]), ("shutdown", False),
                     "query-status after the guest's poweroff")
            q.cmd("quit")
            check_eq(h.wait(30), 0, "exit status after quit")


run_tests()
