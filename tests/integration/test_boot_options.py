# SPDX-License-Identifier: GPL-2.0-or-later
"""-boot as Debian's SeaBIOS sees it on hemu's pc machine: menu=on shows
"Press ESC for boot menu." on the serial console and ESC (typed on the
serial line) opens the menu listing the -kernel loader; without it there
is no prompt; reboot-timeout= makes SeaBIOS retry (and reboot) when
nothing boots, the default never does; the fw_cfg bootorder SeaBIOS
prints in its debug log (port 0x402) ends with HALT under strict=on and
starts with the -kernel loader ROM."""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (ROOT, Fail, Hemu, TempDir, check, run_tests,  # noqa: E402
                      test, demo_guest)

NOBOOT = b"No bootable device."
GUEST = os.path.join(ROOT, "build", "demo")


def read_until(h, marker, timeout, got=b""):
    f = h.proc.stdout
    os.set_blocking(f.fileno(), False)
    end = time.time() + timeout
    while marker not in got:
        if time.time() > end:
            raise Fail("no %r within %ds; got %r" % (marker, timeout,
                                                      got[-400:]))
        chunk = f.read()
        if chunk:
            got += chunk
        else:
            time.sleep(0.05)
    return got


def guest():
    return demo_guest()


@test
def menu_prompt_and_escape_with_kernel_and_strict_bootorder():
    kernel, initrd = guest()
    with TempDir() as t:
        log = t("seabios.log")
        with Hemu(["-nographic", "-m", "256",
                   "-boot", "menu=on,splash-time=5000,strict=on",
                   "-kernel", kernel, "-initrd", initrd,
                   "-chardev", "file,id=dbg,path=%s" % log,
                   "-device", "isa-debugcon,iobase=0x402,chardev=dbg"],
                  stdin=subprocess.PIPE) as h:
            out = read_until(h, b"Press ESC for boot menu.", 60)
            h.proc.stdin.write(b"\x1b")
            h.proc.stdin.flush()
            out = read_until(h, b"1. Linux loader", 30, out)
            check(b"Select boot device:" in out, "menu: %r" % out[-300:])
            text = open(log, "rb").read()
            check(b"boot order:\n1: /rom@genroms/linuxboot.bin\n2: HALT\n"
                  in text, "SeaBIOS's bootorder: %r"
                  % text[text.find(b"boot order"):][:200])


@test
def no_prompt_by_default_and_reboot_timeout():
    with Hemu(["-nographic", "-m", "64"]) as h:
        out = read_until(h, NOBOOT, 60)
        check(b"Press ESC" not in out, "no boot menu prompt: %r" % out)
        # The default (-1) never retries.
        time.sleep(1.5)
        out += h.proc.stdout.read() or b""
        check(b"Retrying" not in out and out.count(b"SeaBIOS (version") == 1,
              "no reboot after %r" % out[-200:])
    with Hemu(["-nographic", "-m", "64", "-boot", "reboot-timeout=500"]) as h:
        out = read_until(h, b"Retrying in 0 seconds.", 60)
        # SeaBIOS reboots: its banner comes again.
        out = read_until(h, b"SeaBIOS (version", 30,
                         out[out.find(b"Retrying"):])


run_tests()
