# SPDX-License-Identifier: GPL-2.0-or-later
"""-smp N on the pc machine: the demo guest (Debian's cloud kernel with a
busybox initramfs, scripts/build-demo-guest.sh) brings up every
application processor through INIT/SIPI and counts N online CPUs
(`nproc`), then powers off; before it runs, QMP query-cpus-fast, HMP
`info cpus` and `info registers -a` list every vCPU, each its own
thread.  The boot also sets the RTC with -rtc base=DATE and the guest's
`date` shows that day.  (-smp 2 boots are in test_powerdown.py and
test_dmesg_vs_qemu.py.)"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (ROOT, Fail, Hemu, QMP, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, run_tests, test, demo_guest)

GUEST = os.path.join(ROOT, "build", "demo")


def guest():
    return demo_guest()


def boot_smp(n, extra=(), date=None):
    kernel, initrd = guest()
    with TempDir() as tmp:
        sock = tmp("qmp.sock")
        args = ["-nographic", "-m", "256", "-smp", str(n), "-S",
                "-qmp", "unix:%s,server=on,wait=off" % sock,
                "-kernel", kernel, "-initrd", initrd,
                "-append", "console=ttyS0 quiet hemu.test=1"] + list(extra)
        with Hemu(args) as h:
            q = QMP(connect_unix(sock))
            q.cmd("qmp_capabilities")
            cpus = q.cmd("query-cpus-fast")
            check_eq([c["cpu-index"] for c in cpus], list(range(n)),
                     "query-cpus-fast cpu-index")
            tids = {c["thread-id"] for c in cpus}
            check_eq(len(tids), n, "distinct vCPU thread ids %r" % tids)
            info = q.cmd("human-monitor-command",
                         {"command-line": "info cpus"})
            lines = [l for l in info.splitlines() if "CPU #" in l]
            check_eq(len(lines), n, "info cpus lines %r" % info)
            check(lines[0].startswith("* CPU #0: thread_id="),
                  "info cpus marks CPU 0: %r" % lines[0])
            regs = q.cmd("human-monitor-command",
                         {"command-line": "info registers -a"})
            for i in range(n):
                check("CPU#%d" % i in regs, "info registers -a lacks CPU#%d"
                      % i)
            # The APs wait for SIPI: their RIP is the reset state's.
            check_eq(regs.count("EIP=0000fff0"), n,
                     "every CPU at the reset vector before the VM runs")
            q.cmd("cont")
            try:
                out, err = h.proc.communicate(timeout=240)
            except subprocess.TimeoutExpired:
                raise Fail("-smp %d: the guest did not power off" % n)
            out = out.decode(errors="replace")
            check("HEMU-TEST: done" in out,
                  "-smp %d: guest did not finish: %r" % (n, out[-800:]))
            m = re.search(r"HEMU-TEST: nproc=(\d+)", out)
            check_eq(m and int(m.group(1)), n, "-smp %d: nproc" % n)
            check_eq(h.proc.returncode, 0, "exit status after poweroff")
            if date:
                m = re.search(r"HEMU-TEST: date=(\S+)", out)
                check_eq(m and m.group(1), date, "guest date with -rtc base=")


@test
def seabios_counts_every_cpu():
    # SeaBIOS wakes the APs with INIT/SIPI and counts them on a shared
    # lock (LOCK BTS): every one must answer.
    with TempDir() as tmp:
        log = tmp("seabios.log")
        with Hemu(["-nographic", "-m", "64", "-smp", "3",
                   "-chardev", "file,id=dbg,path=%s" % log,
                   "-device", "isa-debugcon,iobase=0x402,chardev=dbg"]) as h:
            end = time.time() + 60
            text = b""
            while b"No bootable device" not in text and time.time() < end:
                time.sleep(0.2)
                # hemu creates the file once it has started: under load
                # that can be later than the first look.
                if os.path.exists(log):
                    text = open(log, "rb").read()
            check(b"Found 3 cpu(s) max supported 3 cpu(s)" in text,
                  "SeaBIOS's CPU count: %r" % text[-400:])


@test
def smp4_boots_with_four_cpus_and_rtc_base_date():
    # Noon: the date holds however long the boot takes.
    boot_smp(4, ["-rtc", "base=2020-06-15T12:00:00,clock=vm"], "2020-06-15")


run_tests()
