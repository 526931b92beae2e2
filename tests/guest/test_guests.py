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


def boot(emu, image):
    p = subprocess.run([RUN, emu, image], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def make_test(src):
    name = os.path.splitext(os.path.basename(src))[0]

    def fn():
        with TempDir() as t:
            image = t(name + ".bin")
            r = subprocess.run(["nasm", "-I", HERE + "/", "-f", "bin", "-o",
                                image, src], capture_output=True)
            check_eq(r.returncode, 0, "nasm: %s" % r.stderr.decode())
            qrc, qout, qerr = boot(QEMU, image)
            check_eq(qrc, 1, "QEMU's run (the reference) must PASS: %r %s"
                     % (qout, qerr))
            hrc, hout, herr = boot(HEMU, image)
            check_eq(hout, qout, "debug console output against QEMU's")
            check_eq(hrc, 1, "hemu's exit status (1 = PASS; stderr %r)" % herr)
    fn.__name__ = name
    return fn


for src in sorted(glob.glob(os.path.join(HERE, "*.asm"))):
    test(make_test(src))

run_tests()
