# SPDX-License-Identifier: GPL-2.0-or-later
"""The demo guest (scripts/build-demo-guest.sh: Debian's cloud kernel and a
busybox initramfs from Debian packages) boots on hemu's pc machine with
-kernel/-initrd/-append to its test marker: the guest sees one CPU, the
memory -m gives, the host's date through the RTC, computes the same sha256
as the host (integer and SIMD code in busybox), and `poweroff -f` ends
hemu with status 0; `reboot -f` with -no-reboot ends it too.  The same
boot under qemu-system-x86_64 -accel tcg is the reference."""
import datetime
import hashlib
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, check, check_eq, run_tests, test, demo_guest  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")
MEM_MB = 256


def guest():
    return demo_guest()


def boot(emu, extra_append="", extra_args=(), timeout=240):
    kernel, initrd = guest()
    args = [emu, "-nographic", "-m", str(MEM_MB), "-kernel", kernel,
            "-initrd", initrd,
            "-append", "console=ttyS0 quiet hemu.test=1 " + extra_append]
    if "qemu-system" in emu:
        args[1:1] = ["-accel", "tcg"]
    args += list(extra_args)
    t0 = time.time()
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise Fail("%s did not finish in %ds; output %r"
                   % (os.path.basename(emu), timeout, (e.stdout or b"")[-600:]))
    out = p.stdout.decode(errors="replace")
    values = {}
    # Lines may start after the firmware's terminal escapes.
    for m in re.finditer(r"HEMU-TEST: (\w+)=([^\r\n]*)", out):
        values[m.group(1)] = m.group(2).strip()
    return p.returncode, out, values, time.time() - t0


def check_markers(out, values, who):
    check("HEMU-TEST: done" in out, "%s: the guest did not finish its test; "
          "output %r" % (who, out[-800:]))
    check_eq(values.get("nproc"), "1", "%s: nproc" % who)
    mem = int(values.get("memtotal", "0"))
    check(MEM_MB * 1024 * 0.75 < mem <= MEM_MB * 1024,
          "%s: MemTotal %d KiB for -m %d" % (who, mem, MEM_MB))
    check_eq(values.get("sha"), hashlib.sha256(b"hemu\n").hexdigest(),
             "%s: sha256 computed in the guest" % who)
    today = datetime.datetime.utcnow().date()
    dates = {str(today), str(today - datetime.timedelta(days=1))}
    check(values.get("date") in dates, "%s: guest date %r, host %s"
          % (who, values.get("date"), today))


@test
def qemu_reference_boot():
    rc, out, values, secs = boot("qemu-system-x86_64")
    check_markers(out, values, "QEMU")
    print("# QEMU: %.1fs" % secs)


@test
def boots_to_marker_and_powers_off():
    rc, out, values, secs = boot(HEMU)
    check_markers(out, values, "hemu")
    check_eq(rc, 0, "hemu's exit status after poweroff -f")
    print("# hemu: %.1fs" % secs)


@test
def reboot_with_no_reboot_exits():
    rc, out, values, secs = boot(HEMU, "hemu.reboot=1", ["-no-reboot"])
    check("HEMU-TEST: done" in out, "guest did not finish: %r" % out[-600:])
    check_eq(rc, 0, "exit status after reboot -f with -no-reboot")


run_tests()
