# SPDX-License-Identifier: GPL-2.0-or-later
"""test_good_options.py - command lines hemu must accept, and what they do:
-version/--version, -h, the "help" forms (-machine, -accel, -d, -chardev,
-device, -cpu, -netdev, -object, -L, -display), -machine accel=kvm:tcg
falling back with a warning, and each implemented option's accepted forms
starting hemu (-S -machine none -display none -nodefaults with a QMP
socket), checked through QMP (query-name, query-uuid, query-status,
query-machines, query-kvm...) and ended with quit; -daemonize with
-pidfile; -S and cont; -no-shutdown; -object secret.
"""
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import hemutest  # noqa: E402
from hemutest import (QMP, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_tcp, connect_unix, free_port, run_tests, test,
                      wait_for)

BASE = ["-S", "-machine", "none", "-display", "none", "-nodefaults"]


def run(args, timeout=10):
    """Run hemu to completion; (status, stdout, stderr)."""
    try:
        p = subprocess.run([hemutest.HEMU] + args, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Fail("hemu %s did not exit within %ds" % (" ".join(args), timeout))
    return (p.returncode, p.stdout.decode(errors="replace"),
            p.stderr.decode(errors="replace"))


def run_ok(args):
    st, out, err = run(args)
    check(st == 0, "hemu %s: exit %d, stderr %r" % (" ".join(args), st, err))
    return out, err


class Session:
    """hemu BASE + args with a QMP socket, capabilities negotiated."""

    def __init__(self, args, base=BASE):
        self.tmp = TempDir()
        self.sock = self.tmp("qmp.sock")
        self.hemu = Hemu(base + ["-qmp", "unix:%s,server=on,wait=off" % self.sock]
                         + list(args))
        try:
            s = wait_for(lambda: self._connect(), 10, "QMP socket")
            self.qmp = QMP(s)
            check("QMP" in self.qmp.greeting, "bad greeting %r" % self.qmp.greeting)
            self.qmp.cmd("qmp_capabilities")
        except Exception:
            self.close()
            raise

    def _connect(self):
        if self.hemu.proc.poll() is not None:
            raise Fail("hemu exited with %d: %s"
                       % (self.hemu.proc.returncode, self.hemu.stderr()))
        if not os.path.exists(self.sock):
            return None
        try:
            return connect_unix(self.sock, timeout=0.5)
        except Fail:
            return None

    def cmd(self, name, args=None):
        return self.qmp.cmd(name, args)

    def quit(self):
        """quit over QMP; the process must end with status 0."""
        r = self.qmp.cmd_raw("quit")
        check("return" in r, "quit: %r" % r)
        st = self.hemu.wait(10)
        check_eq(st, 0, "exit status after quit")
        return self.hemu.stderr()

    def close(self):
        try:
            self.hemu.__exit__()
        finally:
            self.tmp.__exit__()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


def starts(args, base=BASE):
    """hemu starts with args, answers QMP, quits cleanly; returns stderr."""
    with Session(args, base) as s:
        s.cmd("query-status")
        return s.quit()


# --- -version, -h -----------------------------------------------------------

@test
def version():
    for opt in ("-version", "--version"):
        out, _ = run_ok([opt])
        first = out.splitlines()[0]
        check(first.startswith("QEMU emulator version 6.2.0"),
              "%s first line %r" % (opt, first))
        check("hemu" in out, "%s does not mention hemu: %r" % (opt, out))


@test
def version_ignores_later_options():
    out, _ = run_ok(["-version", "-machine", "none"])
    check(out.startswith("QEMU emulator version 6.2.0"), out[:80])


@test
def help_options():
    for opt in ("-h", "-help", "--help"):
        out, _ = run_ok([opt])
        check(out.startswith("QEMU emulator version 6.2.0"), out[:80])
        check("usage:" in out, "%s has no usage line" % opt)
        for name in ("-machine", "-m ", "-smp", "-qmp", "-chardev", "-object"):
            check(name in out, "%s does not list %s" % (opt, name))


# --- help forms --------------------------------------------------------------

@test
def machine_help():
    for args in (["-machine", "help"], ["-M", "help"], ["-machine", "?"]):
        out, _ = run_ok(args)
        check(out.startswith("Supported machines are:"), "%s: %r" % (args, out[:80]))
        check(re.search(r"^none\s+empty machine", out, re.M),
              "%s does not list none: %r" % (args, out))


@test
def machine_type_equals_help():
    # QEMU 6.2 parses -machine with keyval: "type=help" is the same as "help".
    out, _ = run_ok(["-machine", "type=help"])
    check(out.startswith("Supported machines are:"), out[:80])


@test
def accel_help():
    for args in (["-accel", "help"], ["-accel", "?"], ["-machine", "accel=help"]):
        out, _ = run_ok(args)
        check("tcg" in out.split(), "%s: %r" % (args, out))


@test
def d_help():
    out, _ = run_ok(["-d", "help"])
    for item in ("in_asm", "int", "cpu", "guest_errors", "unimp"):
        check(re.search(r"^%s\s" % item, out, re.M), "-d help lacks %s" % item)


@test
def chardev_help():
    out, _ = run_ok(["-chardev", "help"])
    for be in ("null", "socket", "file", "pipe", "pty", "stdio", "udp", "ringbuf"):
        check(be in out.split(), "-chardev help lacks %s: %r" % (be, out))


@test
def other_help_forms_exit_zero():
    for args in (["-device", "help"], ["-device", "?"], ["-cpu", "help"],
                 ["-cpu", "?"], ["-netdev", "help"], ["-display", "help"]):
        out, err = run_ok(args)
        check(out.strip(), "%s printed nothing" % args)


@test
def object_help():
    out, _ = run_ok(["-object", "help"])
    check("secret" in out.split(), "-object help: %r" % out)


@test
def display_help():
    out, _ = run_ok(["-display", "help"])
    check("none" in out.split(), "-display help: %r" % out)


@test
def L_help():
    out, _ = run_ok(["-L", "help"])
    check("/usr/share/seabios" in out.split(), "-L help: %r" % out)
    with TempDir() as t:
        out, _ = run_ok(["-L", t.path, "-L", "help"])
        check_eq(out.split()[0], t.path, "first -L help directory")


# --- -machine, -accel --------------------------------------------------------

@test
def machine_none_forms():
    for args in (["-machine", "none"], ["-M", "none"],
                 ["-machine", "type=none"], ["-machine", "none,accel=tcg"],
                 ["-M", "none", "-machine", "accel=tcg"]):
        starts(args, base=["-S", "-display", "none", "-nodefaults"])


@test
def query_machines_lists_none():
    with Session([]) as s:
        ms = s.cmd("query-machines")
        names = [m.get("name") for m in ms]
        check("none" in names, "query-machines: %r" % ms)
        s.quit()


@test
def accel_kvm_tcg_falls_back_with_warning():
    with Session(["-machine", "none,accel=kvm:tcg"]) as s:
        kvm = s.cmd("query-kvm")
        check_eq(kvm.get("enabled"), False, "query-kvm enabled")
        err = s.quit()
    check(re.search(r"^hemu: .*warning: .*kvm", err, re.M),
          "no warning about kvm: %r" % err)


@test
def accel_forms():
    for args in (["-accel", "tcg"], ["-accel", "accel=tcg"],
                 ["-accel", "tcg,thread=single"], ["-accel", "tcg,thread=multi"],
                 ["-accel", "tcg,tb-size=64"], ["-accel", "tcg,split-wx=off"]):
        starts(args)


@test
def msg_timestamp_prefixes_warnings():
    with Session(["-msg", "timestamp=on", "-machine", "none,accel=kvm:tcg"]) as s:
        err = s.quit()
    line = [l for l in err.splitlines() if "warning" in l]
    check(line, "no warning: %r" % err)
    check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z hemu: ", line[0]),
          "not timestamped: %r" % line[0])


# --- -m, -smp ----------------------------------------------------------------

@test
def m_forms():
    for arg in ("1G", "512", "512M", "size=256", "64m", "131072k", "1.5G",
                "size=1G,slots=2,maxmem=4G", "1G,maxmem=1G"):
        starts(["-m", arg])


@test
def smp_forms():
    for arg in ("1", "cpus=1", "1,maxcpus=1", "maxcpus=1", "sockets=1",
                "cores=1", "threads=1", "1,sockets=1,cores=1,threads=1",
                "1,dies=1", "cpus=1,sockets=1,dies=1,cores=1,threads=1,maxcpus=1"):
        starts(["-smp", arg])


@test
def smp_zero_is_deprecated_not_fatal():
    # QEMU 6.2: "parameter=0" is deprecated (a warning) and treated as
    # omitted; it became an error only in later releases.
    with Session(["-smp", "cpus=0"]) as s:
        err = s.quit()
    check("CPU topology" in err, "no deprecation warning: %r" % err)


# --- -name, -uuid ------------------------------------------------------------

@test
def name_forms():
    with Session([]) as s:
        check_eq(s.cmd("query-name"), {}, "query-name without -name")
        s.quit()
    with Session(["-name", "vm0"]) as s:
        check_eq(s.cmd("query-name"), {"name": "vm0"}, "query-name")
        s.quit()
    with Session(["-name", "guest=vm1,debug-threads=on"]) as s:
        check_eq(s.cmd("query-name"), {"name": "vm1"}, "query-name")
        s.quit()
    with Session(["-name", "a,,b"]) as s:
        check_eq(s.cmd("query-name"), {"name": "a,b"}, "query-name with ,,")
        s.quit()


@test
def name_process_sets_comm():
    with Session(["-name", "vm2,process=hemu-vm2"]) as s:
        check_eq(s.cmd("query-name"), {"name": "vm2"}, "query-name")
        with open("/proc/%d/comm" % s.hemu.proc.pid) as f:
            check_eq(f.read().strip(), "hemu-vm2", "process name")
        s.quit()


@test
def uuid_forms():
    with Session([]) as s:
        check_eq(s.cmd("query-uuid"),
                 {"UUID": "00000000-0000-0000-0000-000000000000"}, "default")
        s.quit()
    u = "12345678-9abc-def0-1234-56789abcdef0"
    with Session(["-uuid", u]) as s:
        check_eq(s.cmd("query-uuid"), {"UUID": u}, "query-uuid")
        s.quit()
    with Session(["-uuid", u.upper()]) as s:
        check_eq(s.cmd("query-uuid"), {"UUID": u}, "query-uuid (upper case)")
        s.quit()


# --- run control -------------------------------------------------------------

@test
def S_stays_in_prelaunch_until_cont():
    with Session([]) as s:
        st = s.cmd("query-status")
        check_eq((st["status"], st["running"]), ("prelaunch", False), "with -S")
        time.sleep(0.3)
        check_eq(s.cmd("query-status")["status"], "prelaunch", "still")
        s.cmd("cont")
        s.qmp.event("RESUME")
        st = s.cmd("query-status")
        check_eq((st["status"], st["running"]), ("running", True), "after cont")
        s.quit()


@test
def without_S_runs():
    base = ["-machine", "none", "-display", "none", "-nodefaults"]
    with Session([], base=base) as s:
        st = s.cmd("query-status")
        check_eq((st["status"], st["running"]), ("running", True), "without -S")
        s.quit()


@test
def rtc_forms():
    for arg in ("base=utc", "base=localtime", "base=2006-06-17",
                "base=2006-06-17T16:01:21,clock=vm",
                "clock=rt,driftfix=none", "clock=host"):
        starts(["-rtc", arg])


@test
def boot_forms():
    for arg in ("c", "order=dc", "once=d", "menu=on,splash-time=100",
                "reboot-timeout=-1,strict=on", "order=n,strict=off"):
        starts(["-boot", arg])


@test
def no_shutdown_and_no_reboot_accepted():
    starts(["-no-shutdown"])
    starts(["-no-reboot"])
    starts(["-action", "reboot=shutdown,shutdown=pause"])
    starts(["-action", "reboot=reset", "-action", "shutdown=poweroff"])


@test
def no_shutdown_host_signal_still_ends():
    # QEMU: a host signal switches the shutdown action to poweroff.
    with Session(["-no-shutdown"]) as s:
        s.hemu.proc.send_signal(signal.SIGTERM)
        st = s.hemu.wait(10)
        check_eq(st, 0, "exit status after SIGTERM")
        err = s.hemu.stderr()
        check("terminating on signal 15 from pid %d" % os.getpid() in err,
              "stderr %r" % err)


# --- daemon ------------------------------------------------------------------

def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


@test
def daemonize_pidfile():
    with TempDir() as t:
        sock, pidf = t("qmp.sock"), t("hemu.pid")
        args = BASE + ["-daemonize", "-pidfile", pidf,
                       "-qmp", "unix:%s,server=on,wait=off" % sock]
        st, out, err = run(args)
        check_eq(st, 0, "parent exit status (stderr %r)" % err)
        # The parent returns only once the daemon is ready.
        check(os.path.exists(sock), "QMP socket missing when the parent returned")
        check(os.path.exists(pidf), "pid file missing when the parent returned")
        with open(pidf) as f:
            pid = int(f.read().strip())
        try:
            check(pid_alive(pid), "pid %d from the pid file is not alive" % pid)
            exe = os.path.realpath("/proc/%d/exe" % pid)
            check_eq(exe, os.path.realpath(hemutest.HEMU), "pid file process")
            # A second instance with the same pid file must fail.
            st2, _, err2 = run(BASE + ["-pidfile", pidf])
            check_eq(st2, 1, "second hemu exit status")
            check("Cannot lock pid file" in err2, "second hemu: %r" % err2)
            with open(pidf) as f:
                check_eq(int(f.read().strip()), pid, "pid file after 2nd run")
            q = QMP(connect_unix(sock))
            q.cmd("qmp_capabilities")
            check_eq(q.cmd("query-status")["status"], "prelaunch", "status")
            q.cmd_raw("quit")
            q.close()
            wait_for(lambda: not pid_alive(pid), 10, "daemon to exit")
            check(not os.path.exists(pidf), "pid file left behind after quit")
        finally:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


@test
def daemonize_nographic_with_every_default_redirected():
    # QEMU refuses -nographic with -daemonize only while a default serial,
    # parallel or monitor would go to stdio; with -nodefaults it is fine.
    with TempDir() as t:
        sock, pidf = t("qmp.sock"), t("hemu.pid")
        st, _, err = run(BASE + ["-nographic", "-daemonize", "-pidfile", pidf,
                                 "-qmp", "unix:%s,server=on,wait=off" % sock])
        check_eq(st, 0, "exit status (stderr %r)" % err)
        with open(pidf) as f:
            pid = int(f.read().strip())
        q = QMP(connect_unix(sock))
        q.cmd("qmp_capabilities")
        q.cmd_raw("quit")
        wait_for(lambda: not pid_alive(pid), 10, "daemon to exit")


@test
def pidfile_without_daemonize():
    with TempDir() as t:
        pidf = t("p.pid")
        with Session(["-pidfile", pidf]) as s:
            with open(pidf) as f:
                check_eq(int(f.read()), s.hemu.proc.pid, "pid in pid file")
            s.quit()
        check(not os.path.exists(pidf), "pid file left behind")


# --- monitors and chardevs ---------------------------------------------------

@test
def qmp_over_tcp():
    port = free_port()
    h = Hemu(BASE + ["-qmp", "tcp:127.0.0.1:%d,server=on,wait=off" % port])
    with h:
        q = QMP(connect_tcp(port))
        q.cmd("qmp_capabilities")
        check_eq(q.cmd("query-status")["status"], "prelaunch", "status")
        q.cmd_raw("quit")
        check_eq(h.wait(10), 0, "exit status")


@test
def qmp_pretty():
    with TempDir() as t:
        sock = t("p.sock")
        with Hemu(BASE + ["-qmp-pretty", "unix:%s,server=on,wait=off" % sock]) as h:
            s = connect_unix(sock)
            s.settimeout(10)
            data = b""
            while b"\n}" not in data:
                chunk = s.recv(4096)
                check(chunk, "connection closed")
                data += chunk
            check(b"\n    " in data, "greeting not pretty: %r" % data[:200])
            q = QMP.__new__(QMP)
            q.sock, q.buf, q.events = s, b"", []
            q.cmd_raw("qmp_capabilities")
            q.cmd_raw("quit")
            check_eq(h.wait(10), 0, "exit status")


@test
def mon_on_a_chardev():
    with TempDir() as t:
        sock = t("m.sock")
        args = BASE + ["-chardev", "socket,id=c0,path=%s,server=on,wait=off" % sock,
                       "-mon", "chardev=c0,mode=control"]
        with Hemu(args) as h:
            q = QMP(connect_unix(sock))
            q.cmd("qmp_capabilities")
            chs = q.cmd("query-chardev")
            check(any(c.get("label") == "c0" for c in chs), "query-chardev %r" % chs)
            q.cmd_raw("quit")
            check_eq(h.wait(10), 0, "exit status")


@test
def hmp_monitor():
    with TempDir() as t:
        sock = t("h.sock")
        with Hemu(BASE + ["-monitor", "unix:%s,server=on,wait=off" % sock]) as h:
            s = connect_unix(sock)
            s.settimeout(10)
            data = b""
            while b"(qemu)" not in data:
                chunk = s.recv(4096)
                check(chunk, "connection closed: %r" % data)
                data += chunk
            check(b"QEMU 6.2.0 monitor" in data, "banner %r" % data)
            s.sendall(b"quit\n")
            check_eq(h.wait(10), 0, "exit status")


@test
def serial_parallel_forms():
    starts(["-serial", "null"])
    starts(["-serial", "none"])
    starts(["-parallel", "none"])
    starts(["-debugcon", "none"])
    starts(["-debugcon", "null", "-machine", "pc"])
    starts(["-chardev", "null,id=c0", "-serial", "chardev:c0"])
    starts(["-chardev", "ringbuf,id=r0,size=1024"])


# --- misc implemented options ------------------------------------------------

@test
def misc_options_accepted():
    with TempDir() as t:
        starts(["-nodefaults"])
        starts(["-no-user-config"])
        starts(["-L", t.path])
        starts(["-bios", t("bios.bin")])
        starts(["-echr", "0x14"])
        starts(["-echr", "20"])
        starts(["-msg", "timestamp=off,guest-name=on"])
        starts(["-d", "int,guest_errors", "-D", t("log.txt")])
        check(os.path.exists(t("log.txt")), "-D did not create the log file")
        starts(["-d", "all"])
        starts(["-display", "none"])
        starts(["-nographic"])


@test
def object_secret_accepted():
    with TempDir() as t:
        with open(t("pw"), "w") as f:
            f.write("letmein")
        starts(["-object", "secret,id=s0,data=letmein"])
        starts(["-object", "secret,id=s0,data=bGV0bWVpbg==,format=base64"])
        starts(["-object", "secret,id=s0,file=%s,format=raw" % t("pw")])
        starts(["-object", "secret,id=s0,data=a",
                "-object", "secret,id=s1,data=b"])


@test
def object_secret_aes_from_manual():
    # The manual's recipe, with fixed key and iv: "letmein" encrypted with
    # openssl enc -aes-256-cbc under key 0x00..0x1f and iv 0x00..0x0f.
    key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    iv = "AAECAwQFBgcICQoLDA0ODw=="
    ct = aes_cbc_letmein()
    if ct is None:
        return   # no openssl command to make the ciphertext
    starts(["-object", "secret,id=sec0,data=%s,format=base64" % key,
            "-object", "secret,id=sec1,data=%s,format=base64,keyid=sec0,iv=%s"
            % (ct, iv)])


def aes_cbc_letmein():
    try:
        p = subprocess.run(
            ["openssl", "enc", "-aes-256-cbc", "-a", "-A",
             "-K", "".join("%02x" % i for i in range(32)),
             "-iv", "".join("%02x" % i for i in range(16))],
            input=b"letmein", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return p.stdout.decode().strip() if p.returncode == 0 else None


if __name__ == "__main__":
    run_tests()
