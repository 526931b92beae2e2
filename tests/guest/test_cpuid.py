# SPDX-License-Identifier: GPL-2.0-or-later
"""CPU models against QEMU, the reference: tests/guest/cpuid/cpuid.asm
dumps CPUID leaves 0, 1, 7, 0DH and 80000000H-80000008H, features.asm
runs one instruction or MSR access per optional feature.  Both boot as
-bios under QEMU (-accel tcg) and hemu with the same -cpu; the outputs
must be equal except for the bits and lines listed below, each with the
reason hemu differs.  Also: -cpu warnings as QEMU's, -cpu help, the
errors for unknown models and for host, and the -d in_asm,int,cpu_reset
log of a guest."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from hemutest import HEMU, TempDir, check, check_eq, run_tests, test  # noqa: E402

QEMU = "qemu-system-x86_64"

# CPUID bits hemu leaves out because it does not implement them:
# (leaf, register index 0-3 = EAX..EDX) -> mask.
SVM = 1 << 2            # 80000001H:ECX AMD virtualization
LACKS = {(0x80000001, 2): SVM}

# features.asm lines where hemu answers as the hardware and QEMU's TCG
# does not: MSRs of features the model lacks are #GP on a real CPU (QEMU
# reads and writes them anyway), without CPUID.01H:EDX.MSR RDMSR and
# WRMSR themselves are #UD, and so is SYSENTER without SEP (QEMU's TCG
# does not check SEP and raises the real-mode #GP).
NO_MSR = {k: "#UD" for k in ("tsc_aux", "efer.nxe", "mtrrcap", "mcg_cap",
                             "misc_enable", "pat", "mtrr_deftype")}
HW_ONLY = {
    "qemu64": {"tsc_aux": "#GP"},
    "kvm32": {"tsc_aux": "#GP", "efer.nxe": "#GP"},
    "pentium": {"tsc_aux": "#GP", "efer.nxe": "#GP", "mtrrcap": "#GP",
                "mcg_cap": "#GP", "mtrr_deftype": "#GP",
                "sysenter-real": "#UD"},
    "486": dict(NO_MSR, **{"sysenter-real": "#UD"}),
    "max": {},
}


def build(t, name):
    image = t(name + ".bin")
    r = subprocess.run(["nasm", "-I", HERE + "/", "-f", "bin", "-o", image,
                        os.path.join(HERE, "cpuid", name + ".asm")],
                       capture_output=True)
    check_eq(r.returncode, 0, "nasm: %s" % r.stderr.decode())
    return image


def boot(emu, image, args):
    cmd = [emu] + (["-accel", "tcg"] if "qemu" in emu else []) + args + [
        "-machine", "pc", "-nodefaults", "-display", "none", "-m", "32",
        "-bios", image, "-chardev", "stdio,id=dbg",
        "-device", "isa-debugcon,iobase=0xe9,chardev=dbg",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode(errors="replace")


def leaves(out):
    """{(leaf, subleaf): [eax, ebx, ecx, edx]} from cpuid.asm's lines."""
    d = {}
    for line in out.splitlines():
        m = re.match(r"([0-9a-f]{8})\.([0-9a-f]{2}) (.*)", line)
        if m:
            d[(int(m.group(1), 16), int(m.group(2), 16))] = [
                int(x, 16) for x in m.group(3).split()]
    return d


def both(image, args):
    qrc, qout, qerr = boot(QEMU, image, args)
    check_eq(qrc, 1, "QEMU %s (the reference) must PASS: %s" % (args, qerr))
    hrc, hout, herr = boot(HEMU, image, args)
    check_eq(hrc, 1, "hemu %s must PASS: %s" % (args, herr))
    return qout, hout, qerr, herr


def compare_leaves(args, lacks=LACKS):
    with TempDir() as t:
        image = build(t, "cpuid")
        qout, hout, _, _ = both(image, args)
        q, h = leaves(qout), leaves(hout)
        check(q, "QEMU printed no leaves for %s" % args)
        check_eq(sorted(h), sorted(q), "%s: the leaves present" % args)
        for key in q:
            for r in range(4):
                mask = lacks.get((key[0], r), 0)
                check_eq("%08x" % (h[key][r] & ~mask),
                         "%08x" % (q[key][r] & ~mask),
                         "%s: CPUID %08x.%d reg %d" % (args, key[0], key[1], r))
                check_eq(h[key][r] & mask, 0,
                         "%s: hemu must not advertise %08x.%d reg %d bits %x"
                         % (args, key[0], key[1], r, mask))


def make_model_test(model):
    def fn():
        compare_leaves(["-cpu", model] if model else [])
    fn.__name__ = "cpuid_" + (model or "default").replace("-", "_")
    return fn


for model in (None, "qemu64", "qemu64-v1", "kvm64", "kvm32", "qemu32",
              "486", "pentium", "pentium2", "pentium3", "base"):
    test(make_model_test(model))


@test
def cpuid_modifiers_and_warnings():
    # avx512f: neither QEMU's TCG nor hemu has it, both warn
    args = ["-cpu", "qemu64,+popcnt,-sse2,sse4.2=on,+avx512f,pdpe1gb=on,"
                    "abm=on,lahf_lm=off,+sse4_1,-cx16"]
    compare_leaves(args)
    with TempDir() as t:
        image = build(t, "cpuid")
        _, _, qerr, herr = both(image, args)
        warn = [l.split("warning: ", 1)[1] for l in qerr.splitlines()
                if "warning: " in l]
        check_eq([l.split("warning: ", 1)[1] for l in herr.splitlines()
                  if "warning: " in l], warn, "warnings as QEMU's")
        check(any("CPUID.07H:EBX.avx512f [bit 16]" in w for w in warn),
              "QEMU warned about avx512f: %r" % warn)


@test
def cpuid_max_is_a_subset_of_qemus():
    with TempDir() as t:
        image = build(t, "cpuid")
        qout, hout, _, _ = both(image, ["-cpu", "max"])
        q, h = leaves(qout), leaves(hout)
        for key, regs in ((0, (0, 1, 2, 3)), (0x80000000, (1, 2, 3)),
                          (0x80000002, (0, 1, 2, 3))):
            for r in regs:
                check_eq(h[(key, 0)][r], q[(key, 0)][r], "max %08x" % key)
        for key, regs in (((1, 0), (2, 3)), ((7, 0), (1, 2, 3)),
                          ((0x80000001, 0), (2, 3))):
            for r in regs:
                extra = h[key][r] & ~q[key][r]
                check_eq(extra, 0, "max %08x reg %d: bits QEMU's max lacks"
                         % (key[0], r))
        # what max adds over qemu64 in hemu: SSSE3..POPCNT, XSAVE
        check_eq(h[(1, 0)][2] & 0x04d80200, 0x04d80200, "max 01H:ECX")
        check_eq(h[(0xd, 0)][0], 3, "XSAVE: x87 and SSE state")


def make_feature_test(model):
    def fn():
        with TempDir() as t:
            image = build(t, "features")
            qout, hout, _, _ = both(image, ["-cpu", model])
            ql, hl = qout.splitlines(), hout.splitlines()
            check(len(ql) > 10, "QEMU's run printed %r" % qout)
            check_eq(len(hl), len(ql), "lines: %r" % hout)
            for q, h in zip(ql, hl):
                name, qv = q.split(": ", 1)
                hv = h.split(": ", 1)[1] if ": " in h else h
                if name in HW_ONLY[model]:
                    check_eq(hv, HW_ONLY[model][name], "%s %s" % (model, name))
                    continue
                if model == "max" and name == "misc_enable":
                    # QEMU's max has MONITOR/MWAIT (bit 18), hemu does not
                    qv = "%08x:%08x" % (0, int(qv.split(":")[1], 16) &
                                        ~(1 << 18))
                check_eq(h, "%s: %s" % (name, qv), "%s %s" % (model, name))
    fn.__name__ = "features_" + model
    return fn


for model in ("qemu64", "max", "kvm32", "pentium", "486"):
    test(make_feature_test(model))


@test
def cpu_errors_and_help():
    p = subprocess.run([HEMU, "-cpu", "foo"], capture_output=True, text=True)
    check_eq(p.returncode, 1, "unknown model exits 1")
    check("unable to find CPU model 'foo'" in p.stderr, p.stderr)
    p = subprocess.run([HEMU, "-cpu", "host"], capture_output=True, text=True)
    check_eq(p.returncode, 1, "host exits 1")
    check("CPU model 'host' requires KVM or HVF" in p.stderr, p.stderr)
    p = subprocess.run([HEMU, "-cpu", "qemu64,sse4.2=maybe"],
                       capture_output=True, text=True)
    check_eq(p.returncode, 1, "bad value exits 1")
    check("Parameter 'sse4.2' expects 'on' or 'off'" in p.stderr, p.stderr)
    p = subprocess.run([HEMU, "-cpu", "help"], capture_output=True, text=True)
    check_eq(p.returncode, 0, "-cpu help exits 0")
    for line in ("x86 qemu64                (alias configured by machine type)",
                 "x86 qemu64-v1             QEMU Virtual CPU version 2.5+",
                 "x86 max                   Enables all features supported by "
                 "the accelerator in the current host"):
        check(line in p.stdout.splitlines(), "-cpu help lacks %r" % line)
    check("Recognized CPUID flags:" in p.stdout, "flags heading")
    for flag in ("sse4.2", "popcnt", "lm", "nx", "pdpe1gb", "xsave"):
        check(flag in p.stdout.split(), "-cpu help lacks flag %s" % flag)


@test
def debug_log():
    with TempDir() as t:
        image = build(t, "features")
        log = t("log")
        rc, out, err = boot(HEMU, image, ["-cpu", "qemu64", "-d",
                                          "in_asm,int,cpu_reset", "-D", log])
        check_eq(rc, 1, "guest PASS with the log on: %s" % err)
        text = open(log).read()
        check(text.startswith("CPU Reset (CPU 0)\nEAX=00000000"),
              "cpu_reset first: %r" % text[:80])
        check("----------------\nIN: \n0xfffffff0:  ea " in text,
              "in_asm starts at the reset vector: %r" % text[:2000])
        # the popcnt that qemu64 refuses: disassembled, then its #UD
        m = re.search(r"^0x000f([0-9a-f]{4}):  f3 0f b8 c3 +(\S.*)$", text,
                      re.M)
        check(m, "POPCNT in the in_asm log")
        cfg = os.path.join(os.path.dirname(os.path.abspath(HEMU)), "config.h")
        if "CONFIG_CAPSTONE" in open(cfg).read():
            # capstone 4 does not know POPCNT in 16-bit code ("(bad)"), but
            # the far jump at the reset vector it does
            check(re.search(r"^0xfffffff0:  ea .. .. 00 f0 +ljmpw +\$0xf000:"
                            r"\$0x", text, re.M), "capstone's AT&T text")
        ip = int(m.group(1), 16)
        check(re.search(r"^ +\d+: v=06 e=0000 i=0 cpl=0 IP=f000:%016x "
                        r"pc=%016x SP=0000:" % (ip, 0xf0000 + ip), text, re.M),
              "-d int line for the #UD at %x" % ip)
        check(re.search(r"v=0d e=0000 i=0 cpl=0", text), "#GP logged")
        check("\nEAX=" in text.split("v=06", 1)[1][:400],
              "registers after the -d int line")


run_tests()
