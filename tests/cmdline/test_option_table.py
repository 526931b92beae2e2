# SPDX-License-Identifier: GPL-2.0-or-later
"""test_option_table.py - walks every option of the QEMU 6.2 manual (the
"* -name" bullets of the sections "Standard options" through "Generic
object creation" of shared/reference/qemu-6.2-manpage.md, plus -M and
-help) and checks that hemu recognises each one: it is either accepted with
a valid example argument (hemu then starts with -machine none -S -display
none -nodefaults and a QMP socket, answers query-status and ends on quit;
the help/version forms exit 0 at once) or refused with exactly
"hemu: -NAME: not supported" and exit status 1, never "invalid option".
Also checks that -h lists every option and marks the refused ones
"[not supported]" and no others.
"""
import os
import re
import subprocess
import tempfile
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import hemutest  # noqa: E402
from hemutest import (QMP, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, run_tests, test, wait_for)

HERE = os.path.dirname(os.path.abspath(__file__))
MANUAL_CANDIDATES = [
    os.path.join(HERE, "..", "..", "..", "shared", "reference",
                 "qemu-6.2-manpage.md"),
    os.path.join(HERE, "..", "..", "shared", "reference", "qemu-6.2-manpage.md"),
    "/work/shared/reference/qemu-6.2-manpage.md",
]
FIRST_SECTION = "Standard options"
LAST_SECTION = "Generic object creation"
TIMEOUT = 10
BASE = ["-machine", "none", "-S", "-display", "none", "-nodefaults"]

# Valid examples for the options hemu implements: (arguments, how it ends).
#   "exit0": prints something and exits 0 at once
#   "run":   starts, is driven over QMP, ends on quit
#   "daemon": -daemonize; the parent exits 0, the daemon ends on quit
# {T} is replaced by a fresh temporary directory.
EXAMPLES = {
    "h": ([], "exit0"),
    "help": ([], "exit0"),
    "version": ([], "exit0"),
    "machine": (["none"], "run"),
    "M": (["none"], "run"),
    "cpu": (["help"], "exit0"),
    "accel": (["tcg"], "run"),
    "smp": (["1"], "run"),
    "numa": (["node,nodeid=0"], "run"),
    "rtc": (["base=utc,clock=host"], "run"),
    "boot": (["order=cd,menu=off"], "run"),
    "m": (["64M"], "run"),
    "device": (["help"], "exit0"),
    "global": (["isa-serial.chardev=none"], "run"),
    "name": (["vm0"], "run"),
    "uuid": (["12345678-1234-1234-1234-123456789abc"], "run"),
    "iscsi": (["initiator-name=iqn.2024-01.org.example:x,timeout=5"], "run"),
    "display": (["none"], "run"),
    "vga": (["none"], "run"),
    "vnc": (["none"], "run"),
    "spice": (["unix=on,addr={T}/spice.sock,disable-ticketing=on"], "run"),
    "k": (["de"], "run"),
    "nographic": ([], "run"),
    "netdev": (["help"], "exit0"),
    "net": (["user"], "run"),
    "nic": (["user,model=e1000", "-machine", "pc"], "run"),
    "usb": (["-machine", "pc"], "run"),
    "usbdevice": (["tablet", "-machine", "pc"], "run"),
    "chardev": (["null,id=c0"], "run"),
    "serial": (["null"], "run"),
    "parallel": (["none"], "run"),
    "debugcon": (["file:{T}/debugcon.txt", "-machine", "pc"], "run"),
    "monitor": (["null"], "run"),
    "qmp": (["unix:{T}/second.sock,server=on,wait=off"], "run"),
    "qmp-pretty": (["unix:{T}/pretty.sock,server=on,wait=off"], "run"),
    "mon": (["chardev=m0", "-chardev", "null,id=m0"], "run"),
    "pidfile": (["{T}/hemu.pid"], "run"),
    "S": ([], "run"),
    "d": (["int"], "run"),
    "D": (["{T}/log.txt"], "run"),
    "L": (["{T}"], "run"),
    "bios": (["{T}/bios.bin"], "run"),
    # -machine none loads no kernel (the pc machine's tests are in
    # tests/guest/test_multiboot.py and tests/integration/test_kernel_boot.py)
    # A multiboot test kernel (tests/guest/multiboot), on the pc machine
    # (-S: it is loaded, not run).
    "kernel": (["{MB}", "-machine", "pc"], "run"),
    "initrd": (["{T}/module", "-kernel", "{MB}", "-machine", "pc"], "run"),
    "append": (["console=ttyS0", "-kernel", "{MB}", "-machine", "pc"], "run"),
    "no-reboot": ([], "run"),
    "no-shutdown": ([], "run"),
    "singlestep": ([], "run"),
    "action": (["reboot=shutdown"], "run"),
    "daemonize": (["-pidfile", "{T}/daemon.pid"], "daemon"),
    "echr": (["0x14"], "run"),
    "nodefaults": ([], "run"),
    "no-user-config": ([], "run"),
    "msg": (["timestamp=on"], "run"),
    "object": (["secret,id=s0,data=x"], "run"),
    # Block devices ({IMG}: a fresh 1 MiB raw image), on the pc machine.
    "hda": (["{IMG}", "-machine", "pc"], "run"),
    "hdb": (["{IMG}", "-machine", "pc"], "run"),
    "hdc": (["{IMG}", "-machine", "pc"], "run"),
    "hdd": (["{IMG}", "-machine", "pc"], "run"),
    "cdrom": (["{IMG}", "-machine", "pc"], "run"),
    "fda": (["{IMG}", "-machine", "pc"], "run"),
    "fdb": (["{IMG}", "-machine", "pc"], "run"),
    "drive": (["file={IMG},format=raw,if=ide,cache=none", "-machine", "pc"], "run"),
    "blockdev": (["driver=raw,node-name=n0,file.driver=file,file.filename={IMG}"],
                 "run"),
    "snapshot": (["-hda", "{IMG}", "-machine", "pc"], "run"),
}


def manual_path():
    for p in MANUAL_CANDIDATES:
        if os.path.exists(p):
            return p
    raise Fail("qemu-6.2-manpage.md not found")


def manual_options():
    """{name: takes_argument} for every "* -name" bullet in the sections
    FIRST_SECTION..LAST_SECTION, plus -M and -help."""
    opts = {}
    inside = False
    with open(manual_path()) as f:
        for line in f:
            m = re.match(r"^(#+)\s+(.*?)\s*$", line)
            if m and len(m.group(1)) <= 3:
                title = m.group(2)
                if title == FIRST_SECTION:
                    inside = True
                elif inside and len(m.group(1)) <= 2:
                    break
                continue
            if not inside:
                continue
            m = re.match(r"^\* (--?)([A-Za-z0-9][-A-Za-z0-9_]*)(.*)$", line)
            if not m:
                continue
            name, rest = m.group(2), m.group(3).strip()
            opts[name] = opts.get(name, False) or bool(rest)
    opts.setdefault("M", True)
    opts.setdefault("help", False)
    return opts


def dash(name):
    return ("--" if name == "preconfig" else "-") + name


def run(args, timeout=TIMEOUT, cwd=None):
    try:
        p = subprocess.run([os.path.abspath(hemutest.HEMU)] + args,
                           stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise Fail("%s did not exit within %ds" % (" ".join(args), timeout))
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))


SENTINEL = "-hemu-test-sentinel-option"


def is_refused(name, takes_arg):
    """Run the option with a dummy argument; True if hemu refuses it as
    unsupported, False if it went on (the handler looked at the argument,
    or the walk reached the sentinel unknown option that follows)."""
    args = [dash(name)] + (["x"] if takes_arg else []) + [SENTINEL]
    # in a directory of its own: "-D x" and the like create files
    with tempfile.TemporaryDirectory() as d:
        st, out, err = run(BASE + args, cwd=d)
    check(not re.search(r"-%s: invalid option" % re.escape(name), err),
          "-%s is not recognised: %r" % (name, err))
    exact = "hemu: -%s: not supported\n" % name
    if err == exact or (name == "preconfig" and
                        err == "hemu: --%s: not supported\n" % name):
        check_eq(st, 1, "-%s exit status" % name)
        return True
    check(not err.startswith(exact.rstrip()),
          "-%s: refused, but not with exactly %r: %r" % (name, exact, err))
    return False


def try_example(name, takes_arg):
    if name not in EXAMPLES:
        raise Fail("-%s is implemented but has no example in "
                   "test_option_table.py (add one)" % name)
    extra, mode = EXAMPLES[name]
    with TempDir() as t:
        if any("{MB}" in a for a in extra):
            src = os.path.join(hemutest.ROOT, "tests", "guest", "multiboot",
                               "mbtest.asm")
            r = subprocess.run(["nasm", "-f", "bin", "-o", t("mb.bin"), src],
                               capture_output=True)
            check_eq(r.returncode, 0, "nasm: %s" % r.stderr.decode())
            with open(t("module"), "w") as f:
                f.write("module\n")
        if any("{IMG}" in a for a in extra):
            with open(t("disk.img"), "wb") as f:
                f.truncate(1 << 20)
        extra = [a.replace("{T}", t.path).replace("{MB}", t("mb.bin"))
                 .replace("{IMG}", t("disk.img")) for a in extra]
        if mode == "exit0":
            st, out, err = run([dash(name)] + extra)
            check_eq(st, 0, "-%s %s exit status (stderr %r)"
                     % (name, " ".join(extra), err))
            check(out.strip(), "-%s printed nothing" % name)
            return
        sock = t("qmp.sock")
        args = BASE + ["-qmp", "unix:%s,server=on,wait=off" % sock,
                       dash(name)] + extra
        if mode == "daemon":
            st, out, err = run(args)
            check_eq(st, 0, "-%s parent exit status (stderr %r)" % (name, err))
            pid = int(open(t("daemon.pid")).read())
            try:
                quit_over_qmp(sock)
                wait_for(lambda: not os.path.exists("/proc/%d" % pid)
                         or open("/proc/%d/stat" % pid).read().split()[2] == "Z",
                         10, "daemon to exit")
            finally:
                if os.path.exists("/proc/%d" % pid):
                    try:
                        os.kill(pid, 9)
                    except OSError:
                        pass
            return
        with Hemu(args) as h:
            def sock_ready():
                if h.proc.poll() is not None:
                    raise Fail("-%s %s: exited %d: %s" % (
                        name, " ".join(extra), h.proc.returncode, h.stderr()))
                return os.path.exists(sock)
            wait_for(sock_ready, TIMEOUT, "QMP socket with -%s" % name)
            quit_over_qmp(sock)
            st = h.wait(TIMEOUT)
            check_eq(st, 0, "-%s exit status after quit" % name)


def quit_over_qmp(sock):
    q = QMP(connect_unix(sock))
    q.cmd("qmp_capabilities")
    q.cmd("query-status")
    r = q.cmd_raw("quit")
    check("return" in r, "quit: %r" % r)
    q.close()


def make_option_test(name, takes_arg):
    def fn():
        if not is_refused(name, takes_arg):
            try_example(name, takes_arg)
    fn.__name__ = "option " + dash(name)
    return fn


@test
def manual_has_the_options():
    opts = manual_options()
    check(len(opts) > 110, "only %d options parsed from the manual" % len(opts))
    for n in ("h", "machine", "object", "chardev", "preconfig", "fw_cfg",
              "enable-sync-profile", "M", "help"):
        check(n in opts, "-%s not parsed from the manual" % n)


@test
def help_lists_every_option():
    st, out, err = run(["-h"])
    check_eq(st, 0, "-h exit status")
    missing = []
    for name in manual_options():
        if name == "M":
            continue    # QEMU's -h documents it under -machine too
        if not re.search(r"(^|[\s/])-{1,2}%s(?=[\s/,\[<]|$)" % re.escape(name),
                         out, re.M):
            missing.append(name)
    check(not missing, "-h does not list: %s" % ", ".join(missing))


def help_blocks(text):
    """{option name: its -h text} from the lines that start with '-'."""
    blocks, cur = {}, None
    for line in text.splitlines():
        if line.startswith("-"):
            cur = []
            for m in re.finditer(r"(?:^|[/ ]|or )-{1,2}([A-Za-z0-9][-A-Za-z0-9_]*)",
                                 line.split("  ")[0]):
                blocks.setdefault(m.group(1), cur)
            cur.append(line)
        elif cur is not None and line.startswith(" "):
            cur.append(line)
        else:
            cur = None
    return {k: "\n".join(v) for k, v in blocks.items()}


@test
def help_marks_unsupported_options():
    st, out, err = run(["-h"])
    blocks = help_blocks(out)
    wrong = []
    for name, takes_arg in sorted(manual_options().items()):
        if name not in blocks:
            continue    # help_lists_every_option reports it
        refused = is_refused(name, takes_arg)
        marked = "[not supported]" in blocks[name]
        if refused != marked:
            wrong.append("-%s (%s, %s)" % (name,
                         "refused" if refused else "accepted",
                         "marked" if marked else "not marked"))
    check(not wrong, "-h marks wrongly: %s" % "; ".join(wrong))


for _name, _arg in sorted(manual_options().items()):
    test(make_option_test(_name, _arg))

if __name__ == "__main__":
    run_tests()
