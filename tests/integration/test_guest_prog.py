# SPDX-License-Identifier: GPL-2.0-or-later
"""A static C program (tests/guest-progs/cpubench.c: integer, x87, SSE
floating-point and SSE integer kernels) runs in the demo guest's
initramfs under hemu (hemu.prog=1) and prints the same results as the
same binary run on the host."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import HEMU, ROOT, Fail, check, check_eq, run_tests, test  # noqa: E402

GUEST = os.path.join(ROOT, "build", "demo")


def results(text, prefix):
    # lines may start after the firmware's terminal escapes
    return dict(re.findall(r"%sresult (\w+) ([0-9a-f]+)\r?$" % prefix, text,
                           re.M))


@test
def cpubench_in_guest_matches_host():
    r = subprocess.run([os.path.join(ROOT, "scripts", "build-demo-guest.sh"),
                        GUEST], capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise Fail("build-demo-guest.sh failed: %s" % r.stderr)
    host = subprocess.run([os.path.join(GUEST, "cpubench"), "1"],
                          capture_output=True, text=True, timeout=60).stdout
    want = results(host, "")
    check_eq(sorted(want), ["int", "ssefp", "sseint", "x87"],
             "kernels the host run printed")
    try:
        p = subprocess.run([HEMU, "-nographic", "-m", "256", "-kernel",
                            os.path.join(GUEST, "vmlinuz"), "-initrd",
                            os.path.join(GUEST, "initrd.gz"), "-append",
                            "console=ttyS0 quiet hemu.prog=1"],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=300)
    except subprocess.TimeoutExpired as e:
        raise Fail("hemu did not finish: %r" % (e.stdout or b"")[-600:])
    out = p.stdout.decode(errors="replace")
    check("HEMU-PROG: done" in out, "the program did not finish: %r"
          % out[-800:])
    check_eq(results(out, "HEMU-PROG: "), want, "results in the guest")
    check_eq(p.returncode, 0, "hemu's exit status after poweroff -f")
    for name, ms in re.findall(r"HEMU-PROG: time (\w+) (\d+)", out):
        print("# %s: %s ms in the guest" % (name, ms))


run_tests()
