# SPDX-License-Identifier: GPL-2.0-or-later
"""Multiboot v1 direct boot (-kernel/-initrd/-append): the test kernel
tests/guest/multiboot/mbtest.asm, built as an a.out-kludge flat image and as
a hand-made ELF32, runs under QEMU (the reference) and hemu with two
modules ("file args,file") and a command line.  It checks the machine
state, the bss, module alignment and that mem_upper matches the memory map,
prints the boot information on the debug console and must PASS under both,
with the same output.  The memory map above 1 MiB (and mem_upper, taken
from it) comes from the platform's e820 and SeaBIOS's ACPI reservation,
not from the loader, so those lines are compared only below 1 MiB."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from hemutest import HEMU, TempDir, check, check_eq, run_tests, test  # noqa: E402

HEMU = os.path.abspath(HEMU)

QEMU = "qemu-system-x86_64"
SRC = os.path.join(HERE, "multiboot", "mbtest.asm")


def boot(emu, cwd, kernel, initrd=None, append=None):
    args = [emu]
    if "qemu-system" in emu:
        args += ["-accel", "tcg"]
    args += ["-machine", "pc", "-nodefaults", "-display", "none", "-m", "32",
             "-kernel", kernel,
             "-chardev", "stdio,id=dbg",
             "-device", "isa-debugcon,iobase=0xe9,chardev=dbg",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if initrd is not None:
        args += ["-initrd", initrd]
    if append is not None:
        args += ["-append", append]
    p = subprocess.run(args, cwd=cwd, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=60)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")


def comparable(out):
    """The lines that depend on the loader, not on the platform's e820."""
    keep = []
    for line in out.splitlines():
        if line.startswith("mem_upper "):
            continue
        if line.startswith("mmap ") and int(line.split()[1], 16) >= 0x100000:
            continue
        keep.append(line)
    return keep


def build(t, elf):
    out = t("mbtest.elf" if elf else "mbtest.bin")
    cmd = ["nasm", "-f", "bin", "-o", out, SRC]
    if elf:
        cmd.insert(1, "-DELF")
    r = subprocess.run(cmd, capture_output=True)
    check_eq(r.returncode, 0, "nasm: %s" % r.stderr.decode())
    return os.path.basename(out)


def compare(elf, initrd, append):
    with TempDir() as t:
        kernel = build(t, elf)
        with open(t("mod1.txt"), "w") as f:
            f.write("first module line\nsecond line\n")
        with open(t("mod,2.txt"), "w") as f:
            f.write("x" * 5000)
        cwd = os.path.dirname(t("mod1.txt"))
        qrc, qout, qerr = boot(QEMU, cwd, kernel, initrd, append)
        check_eq(qrc, 1, "QEMU's run (the reference) must PASS: %r %s"
                 % (qout, qerr))
        hrc, hout, herr = boot(HEMU, cwd, kernel, initrd, append)
        check_eq(comparable(hout), comparable(qout),
                 "debug console output against QEMU's")
        check_eq(hrc, 1, "hemu's exit status (1 = PASS; stderr %r)" % herr)
        check("PASS" in hout, "the kernel's own checks: %r" % hout)
        return hout


@test
def aout_kludge_with_modules():
    out = compare(False, "mod1.txt arg1 arg2,mod,,2.txt", "hello world")
    check('module "mod1.txt arg1 arg2" size 30 first "first module line"'
          in out, out)
    check('module "mod,2.txt" size 5000' in out, out)
    check('cmdline "mbtest.bin hello world"' in out, out)


@test
def elf_with_modules():
    out = compare(True, "mod1.txt,mod,,2.txt x", "a=1 b=2")
    check("mods_count 2" in out, out)


@test
def no_modules_no_append():
    out = compare(False, None, None)
    check("mods_count 0" in out, out)
    check('cmdline "mbtest.bin "' in out, out)


@test
def missing_module_refused():
    with TempDir() as t:
        kernel = build(t, False)
        cwd = os.path.dirname(t(kernel))
        rc, out, err = boot(HEMU, cwd, kernel, "nonexistent.mod")
        check_eq(rc, 1, err)
        check("could not open multiboot module file 'nonexistent.mod'" in err,
              err)


run_tests()
