# SPDX-License-Identifier: GPL-2.0-or-later
"""-singlestep: the software CPU runs one instruction per block.  The guest
programs that switch modes (modes.asm) and rewrite their own code or load
it by DMA (smcdma.asm) must PASS with it exactly as without it, and QMP's
query-status reports the mode."""
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from hemutest import HEMU, TempDir, check, check_eq, run_tests, test  # noqa: E402

RUN = os.path.join(HERE, "run-guest.sh")


def assemble(t, name):
    image = t(name + ".bin")
    r = subprocess.run(["nasm", "-I", HERE + "/", "-f", "bin", "-o", image,
                        os.path.join(HERE, name + ".asm")], capture_output=True)
    check_eq(r.returncode, 0, "nasm: %s" % r.stderr.decode())
    return image


def run(image, *extra):
    p = subprocess.run([HEMU, "-machine", "pc", "-nodefaults", "-display",
                        "none", "-m", "32", "-bios", image, "-chardev",
                        "stdio,id=dbg", "-device",
                        "isa-debugcon,iobase=0xe9,chardev=dbg", "-device",
                        "isa-debug-exit,iobase=0xf4,iosize=0x04"] + list(extra),
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return p.returncode, p.stdout


@test
def guests_pass_the_same_with_singlestep():
    with TempDir() as t:
        for name in ("modes", "smc", "smcdma"):
            image = assemble(t, name)
            rc, out = run(image)
            check_eq(rc, 1, "%s without -singlestep: %r" % (name, out))
            src, sout = run(image, "-singlestep")
            check_eq(src, 1, "%s with -singlestep: %r" % (name, sout))
            check_eq(sout, out, "%s: output with -singlestep" % name)


@test
def query_status_reports_singlestep():
    with TempDir() as t:
        image = assemble(t, "hello")
        sock = t("qmp.sock")
        p = subprocess.Popen([HEMU, "-machine", "pc", "-nodefaults",
                              "-display", "none", "-m", "32", "-bios", image,
                              "-S", "-singlestep", "-qmp",
                              "unix:%s,server=on,wait=off" % sock],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 10
            while not os.path.exists(sock) and time.time() < deadline:
                time.sleep(0.05)
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock)
            f = s.makefile("rw")
            json.loads(f.readline())
            for cmd in ("qmp_capabilities", "query-status"):
                f.write(json.dumps({"execute": cmd}) + "\n")
                f.flush()
                reply = json.loads(f.readline())
            check_eq(reply["return"].get("singlestep"), True,
                     "query-status: %r" % reply)
            s.close()
        finally:
            p.kill()
            p.wait()


run_tests()
