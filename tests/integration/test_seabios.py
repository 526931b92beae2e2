# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's SeaBIOS on hemu's pc machine and software CPU: -nographic shows
its banner and, with nothing to boot, "No bootable device" on the serial
console, as under QEMU; the firmware's debug log (port 0x402) shows it
found the i440FX and fw_cfg; a QMP system_reset boots it again."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (HEMU, QMP, Fail, Hemu, TempDir, check, check_eq,
                      connect_unix, run_tests, test, wait_for)

BANNER = b"SeaBIOS (version"
NOBOOT = b"No bootable device."


def read_until(f, marker, timeout, got=b""):
    """Read f (a pipe) until marker appears; returns everything read."""
    os.set_blocking(f.fileno(), False)
    end = time.time() + timeout
    while marker not in got:
        if time.time() > end:
            raise Fail("no %r within %ds; got %r" % (marker, timeout, got[-400:]))
        try:
            chunk = f.read()
        except BlockingIOError:
            chunk = None
        if chunk:
            got += chunk
        else:
            time.sleep(0.05)
    return got


@test
def qemu_reference_prints_the_markers():
    # What hemu is held to: QEMU's own run of the same firmware.
    p = subprocess.Popen(["qemu-system-x86_64", "-accel", "tcg", "-nographic",
                          "-nodefaults", "-serial", "stdio", "-m", "64"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    try:
        out = read_until(p.stdout, NOBOOT, 60)
        check(BANNER in out, "QEMU banner")
    finally:
        p.kill()
        p.wait()


@test
def nographic_banner_and_no_bootable_device():
    with TempDir() as t:
        sock = t("qmp.sock")
        with Hemu(["-nographic", "-m", "64",
                   "-qmp", "unix:%s,server=on,wait=off" % sock,
                   "-chardev", "file,id=dbg,path=%s" % t("seabios.log"),
                   "-device", "isa-debugcon,iobase=0x402,chardev=dbg"]) as h:
            out = read_until(h.proc.stdout, NOBOOT, 60)
            check(BANNER in out, "banner on the serial console: %r" % out[:300])
            log = open(t("seabios.log"), "rb").read()
            for want in (b"Running on QEMU (i440fx)", b"Found QEMU fw_cfg",
                         b"QEMU fw_cfg DMA interface supported",
                         b"init bdf=00:00.0 id=8086:1237",
                         b"init bdf=00:01.0 id=8086:7000",
                         b"init bdf=00:01.3 id=8086:7113",
                         b"Using pmtimer, ioport 0x608",
                         # bios-256k.bin, as QEMU's pc: it finds hemu's
                         # ACPI tables and parses the DSDT.
                         b"(via xsdt)", b"ACPI: parse DSDT at"):
                check(want in log, "SeaBIOS debug log lacks %r" % want)
            # RAM from 1 MiB up to -m, less the top pages SeaBIOS keeps for
            # the ACPI tables (QEMU's SeaBIOS keeps 128 KiB, hemu's 4 KiB).
            import re
            m = re.search(rb"0000000000100000 - 0000000003f([0-9a-f]{5}) = 1 RAM", log)
            check(m is not None, "e820 RAM above 1 MiB up to ~64 MiB: %r"
                  % re.findall(rb".*= 1 RAM", log))

            q = QMP(connect_unix(sock))
            q.cmd("qmp_capabilities")
            check_eq(q.cmd("query-status")["status"], "running", "status")
            cpus = q.cmd("query-cpus-fast")
            check_eq(len(cpus), 1, "one vCPU")
            check_eq(cpus[0]["target"], "x86_64", "target")
            # A reset boots the firmware again from the reset vector.
            q.cmd("system_reset")
            q.event("RESET")
            again = read_until(h.proc.stdout, NOBOOT, 60, b"")
            check(BANNER in again, "banner after system_reset: %r" % again[:300])
            regs = q.cmd("human-monitor-command",
                         {"command-line": "info registers"})
            check("RIP=" in regs or "EIP=" in regs, "info registers: %r" % regs[:200])
            q.cmd("quit")
            check_eq(h.wait(), 0, "exit status after quit")


@test
def halted_guest_costs_no_cpu():
    # SeaBIOS waits in HLT between its retries: hemu must sleep too.
    with Hemu(["-nographic", "-m", "64"]) as h:
        read_until(h.proc.stdout, NOBOOT, 60)
        time.sleep(0.5)
        def cpu_ticks():
            with open("/proc/%d/stat" % h.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        t0 = cpu_ticks()
        time.sleep(2)
        used = cpu_ticks() - t0
        hz = os.sysconf("SC_CLK_TCK")
        check(used < hz * 0.5, "used %.2fs of CPU in 2s while the guest "
              "waits" % (used / hz))


run_tests()
