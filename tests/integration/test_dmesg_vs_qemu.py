# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo guest's kernel log (scripts/build-demo-guest.sh, hemu.dmesg=1)
under hemu and under qemu-system-x86_64 -accel tcg with the same -m and
-smp: hemu's log may not hold an error or warning line about the platform
(APIC, IRQ, ACPI, clocksource, timer, TSC, PCI, HPET, RTC, firmware...)
that QEMU's does not.  Lines are compared with numbers and addresses
masked.  Both boots run at once to keep the test short."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, check, run_tests, test, demo_guest  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")

# Words that make a line a complaint...
TROUBLE = re.compile(r"firmware bug|fail|error|warn|bug|broken|not working|"
                     r"unstable|mismatch|invalid|timed? ?out|can't|cannot|"
                     r"unable|bogus|spurious|unexpected|not supported|"
                     r"disabled due|ignoring|overlap|not consistent|"
                     r"inconsistent", re.I)
# ... and words that make it one about the platform hemu models.
PLATFORM = re.compile(r"apic|irq|interrupt|acpi|clocksource|clock|timer|tsc|"
                      r"pit|hpet|rtc|cmos|pci|pnp|firmware|bios|e820|dmi|"
                      r"smp|cpu|nmi|mtrr|pat|numa|srat|madt|dsdt|fadt|sci|"
                      r"gsi|8259|i8042|serial|ttys", re.I)
# Lines that depend on how busy the host is, not on the platform: each
# names why.  They are tolerated, any other new complaint fails the test.
HOST_TIMING = [
    # Linux polls the PIT's MSB through port 0x42 and needs more than five
    # reads per 256 PIT ticks (214 us); a vCPU thread that the host
    # deschedules misses that, and Linux calibrates with the HPET instead
    # (the next lines of the log, as under QEMU).
    "tsc: Fast TSC calibration failed",
    # The slower PIT calibration that follows needs the PIT and the TSC
    # read back to back over 10 ms windows without a gap the host makes;
    # QEMU's boots show it too, or not, depending on the load.  Linux
    # then takes the HPET reference, as the next line says.
    "tsc: Unable to calibrate against PIT",
    # How long the host took to run the timer interrupt handler.
    "hrtimer: interrupt took",
    # Linux samples the PM timer in two timer-tick interrupts 100 ms
    # apart; a tick taken late because the host ran something else shows
    # as a shorter or longer PM-timer delta (the APIC, HPET, PIT and PM
    # timer all count the same guest clock in hemu).  Linux then uses the
    # PM timer's figure.
    "APIC calibration not consistent with PM-Timer",
]


def guest():
    return demo_guest()


def start(emu):
    kernel, initrd = guest()
    args = [emu, "-nographic", "-m", "256", "-smp", "2",
            "-kernel", kernel, "-initrd", initrd,
            "-append", "console=ttyS0 quiet hemu.dmesg=1"]
    if "qemu-system" in emu:
        args[1:1] = ["-accel", "tcg"]
    return subprocess.Popen(args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kernel_log(p, who):
    try:
        out, _ = p.communicate(timeout=400)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Fail("%s: the guest did not finish" % who)
    text = out.decode(errors="replace")
    m = re.search(r"HEMU-DMESG-BEGIN\r?\n(.*)HEMU-DMESG-END", text, re.S)
    if not m:
        raise Fail("%s: no kernel log in %r" % (who, text[-600:]))
    return [re.sub(r"^\[ *[0-9.]+\] ", "", l.rstrip("\r"))
            for l in m.group(1).splitlines()]


def masked(line):
    line = re.sub(r"0x[0-9a-fA-F]+", "#", line)
    line = re.sub(r"\b[0-9a-fA-F]{4,}\b", "#", line)
    return re.sub(r"\d+", "#", line)


def complaints(lines):
    return {masked(l): l for l in lines
            if TROUBLE.search(l) and PLATFORM.search(l)}


@test
def no_platform_complaints_that_qemu_does_not_have():
    q = start("qemu-system-x86_64")
    h = start(HEMU)
    hemu_log = kernel_log(h, "hemu")
    qemu_log = kernel_log(q, "QEMU")
    check(any("smp: Brought up 1 node, 2 CPUs" in l for l in hemu_log),
          "hemu's guest did not bring up both CPUs")
    ours, theirs = complaints(hemu_log), complaints(qemu_log)
    new = [line for key, line in sorted(ours.items()) if key not in theirs
           and not any(t in line for t in HOST_TIMING)]
    for line in new:
        print("# hemu only: %s" % line)
    check(not new, "%d platform complaint(s) in hemu's dmesg that QEMU's "
          "has not: %r" % (len(new), new))


run_tests()
