# SPDX-License-Identifier: GPL-2.0-or-later
"""Debian's netboot installer (debian-installer-12-netboot-amd64) over
PXE: SeaBIOS, iPXE on virtio-net-pci, slirp's DHCP and TFTP, Debian's
pxelinux, the installer's kernel and 40 MB initrd, to the installer's
first dialog (language selection) read on the serial console
(console=ttyS0).  It takes many minutes under TCG, so it is not named
test_*.py and make check does not run it:

    HEMU=build/hemu python3 tests/integration/pxe_debian_installer.py"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import TempDir, check, run_tests, test  # noqa: E402
import hemutest  # noqa: E402
from test_pxe import DI, Run, tftp_dir  # noqa: E402

# Importing test_pxe registered its cases: this file runs only its own.
hemutest._tests.clear()

TIMEOUT = int(os.environ.get("HEMU_DI_TIMEOUT", "1800"))


@test
def debian_installer_over_pxe_to_first_dialog():
    for f in ("linux", "initrd.gz"):
        check(os.path.exists(os.path.join(DI, f)), "%s/%s missing (install "
              "debian-installer-12-netboot-amd64)" % (DI, f))
    tmp = TempDir()
    d = tftp_dir(tmp, os.path.join(DI, "linux"), os.path.join(DI, "initrd.gz"),
                 "console=ttyS0 priority=high")
    r = Run(["-nographic", "-m", "1024",
             "-netdev", "user,id=n0,tftp=%s,bootfile=pxelinux.0" % d,
             "-device", "virtio-net-pci,netdev=n0", "-boot", "n"])
    try:
        # The installer's first question: the language.
        secs = r.wait("Choose the language", TIMEOUT)
        print("# debian-installer's first dialog after %.0fs" % secs)
    finally:
        r.stop()
        tmp.__exit__()



if __name__ == "__main__":
    run_tests()
