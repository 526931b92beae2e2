# SPDX-License-Identifier: GPL-2.0-or-later
"""Guest programs (tests/guest/*.asm) run under hemu and under QEMU, the
reference: each is assembled with nasm, booted as -bios with the debug
console and isa-debug-exit, and must PASS (exit status 1) under hemu with
exactly the output QEMU's run of the same image prints."""
import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from hemutest import HEMU, Fail, TempDir, check, check_eq, run_tests, test  # noqa: E402

QEMU = "qemu-system-x86_64"
RUN = os.path.join(HERE, "run-guest.sh")


def boot_both(image):
    """Boot image under QEMU and hemu at the same time (the suite stays
    fast on two cores); returns (rc, stdout, stderr) of each."""
    procs = [subprocess.Popen([RUN, emu, image], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for emu in (QEMU, HEMU)]
    out = []
    for p in procs:
        o, e = p.communicate(timeout=60)
        out.append((p.returncode, o, e.decode(errors="replace")))
    return out


def make_test(src):
    name = os.path.splitext(os.path.basename(src))[0]

    def fn():
        with TempDir() as t:
            image = t(name + ".bin")
            r = subprocess.run(["nasm", "-I", HERE + "/", "-f", "bin", "-o",
                                image, src], capture_output=True)
            check_eq(r.returncode, 0, "nasm: %s" % r.stderr.decode())
            (qrc, qout, qerr), (hrc, hout, herr) = boot_both(image)
            check_eq(qrc, 1, "QEMU's run (the reference) must PASS: %r %s"
                     % (qout, qerr))
            check_eq(hout, qout, "debug console output against QEMU's")
            check_eq(hrc, 1, "hemu's exit status (1 = PASS; stderr %r)" % herr)
    fn.__name__ = name
    return fn


for src in sorted(glob.glob(os.path.join(HERE, "*.asm"))):
    test(make_test(src))

run_tests()
