# SPDX-License-Identifier: GPL-2.0-or-later
"""QMP block-commit and the block job commands on a running VM (SeaBIOS
idle, no bootable disk): the active layer committed into its base
(BLOCK_JOB_READY, block-job-complete, BLOCK_JOB_COMPLETED, JOB_STATUS_CHANGE
in QEMU's order; the drive then runs on the base image); an intermediate
layer committed (the top then names the base); a rate-limited job
cancelled (BLOCK_JOB_CANCELLED); the errors.  Images come from qemu-img and
qemu-io; afterwards qemu-img check finds them clean and qemu-img compare
finds the committed content."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (QMP, Fail, Hemu, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, run_tests, test, wait_for)


def run(*args):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=120)
    if r.returncode:
        raise Fail("%s exited %d: %s%s" % (" ".join(args), r.returncode,
                                           r.stdout, r.stderr))
    return r.stdout


def qio(img, *cmds):
    args = ["qemu-io", "-f", "qcow2"]
    for c in cmds:
        args += ["-c", c]
    run(*(args + [img]))


def chain(t, layers):
    """qcow2 images, each over the one before, written by qemu-io."""
    prev = None
    for name, cmds in layers:
        if prev:
            run("qemu-img", "create", "-q", "-f", "qcow2", "-b", prev, "-F",
                "qcow2", t(name))
        else:
            run("qemu-img", "create", "-q", "-f", "qcow2", t(name), "24M")
        qio(t(name), *cmds)
        prev = t(name)
    return prev


def vm(t, top):
    sock = t("qmp.sock")
    h = Hemu(["-nographic", "-nodefaults", "-m", "32",
              "-qmp", "unix:%s,server=on,wait=off" % sock,
              "-drive", "file=%s,format=qcow2,if=virtio,id=d0" % top])
    wait_for(lambda: os.path.exists(sock), 10, "QMP socket")
    m = QMP(connect_unix(sock), timeout=60)
    m.cmd("qmp_capabilities")
    return h, m


def statuses(m, job):
    return [e["data"]["status"] for e in m.events
            if e["event"] == "JOB_STATUS_CHANGE" and e["data"]["id"] == job]


def quit_vm(h, m):
    m.cmd_raw("quit")
    h.wait(30)


@test
def active_commit_ready_complete():
    with TempDir() as t:
        top = chain(t, [("base.qcow2", ["write -P 1 0 24M"]),
                        ("top.qcow2", ["write -P 2 1M 3M", "write -z 8M 1M",
                                       "write -P 3 20M 64k"])])
        run("qemu-img", "convert", "-O", "raw", top, t("want.raw"))
        h, m = vm(t, top)
        with h:
            r = m.cmd_raw("block-job-complete", {"device": "d0"})
            check("error" in r, "complete without a job: %r" % r)
            m.cmd("block-commit", {"device": "d0"})
            ready = m.event("BLOCK_JOB_READY", 60)
            check_eq(ready["data"]["type"], "commit", "READY type")
            check_eq(ready["data"]["device"], "d0", "READY device")
            jobs = m.cmd("query-block-jobs")
            check_eq(len(jobs), 1, "jobs")
            check_eq((jobs[0]["ready"], jobs[0]["status"], jobs[0]["len"],
                      jobs[0]["offset"]), (True, "ready", 24 << 20, 24 << 20),
                     "query-block-jobs")
            r = m.cmd_raw("block-commit", {"device": "d0"})
            check("error" in r, "second job on a busy drive: %r" % r)
            m.cmd("block-job-complete", {"device": "d0"})
            done = m.event("BLOCK_JOB_COMPLETED", 60)
            check("error" not in done["data"], "completed: %r" % done)
            check_eq(done["data"]["offset"], done["data"]["len"], "progress")
            check_eq(statuses(m, "d0"),
                     ["created", "running", "ready", "waiting", "pending",
                      "concluded", "null"], "JOB_STATUS_CHANGE order")
            check_eq(m.cmd("query-block-jobs"), [], "jobs after completion")
            info = [b for b in m.cmd("query-block") if b["device"] == "d0"][0]
            check_eq(info["inserted"]["file"], t("base.qcow2"),
                     "drive after the pivot")
            quit_vm(h, m)
        run("qemu-img", "check", "-q", t("base.qcow2"))
        run("qemu-img", "compare", "-q", t("want.raw"), t("base.qcow2"))


@test
def intermediate_commit_and_cancel():
    with TempDir() as t:
        top = chain(t, [("base.qcow2", ["write -P 1 0 24M"]),
                        ("mid.qcow2", ["write -P 4 2M 5M", "write -z 12M 2M"]),
                        ("top.qcow2", ["write -P 5 3M 64k"])])
        run("qemu-img", "convert", "-O", "raw", top, t("want.raw"))
        h, m = vm(t, top)
        with h:
            # A job at 1 byte/s stays running until cancelled.
            m.cmd("block-commit", {"device": "d0", "job-id": "slow",
                                   "speed": 1})
            jobs = m.cmd("query-block-jobs")
            check_eq((jobs[0]["device"], jobs[0]["status"], jobs[0]["speed"]),
                     ("slow", "running", 1), "slow job")
            r = m.cmd_raw("block-job-complete", {"device": "slow"})
            check("cannot accept command verb 'complete'" in
                  r.get("error", {}).get("desc", ""), "complete early: %r" % r)
            m.cmd("block-job-cancel", {"device": "slow"})
            ev = m.event("BLOCK_JOB_CANCELLED", 30)
            check_eq(ev["data"]["device"], "slow", "cancelled job")
            r = m.cmd_raw("block-job-cancel", {"device": "slow"})
            check_eq(r.get("error", {}).get("class"), "DeviceNotActive",
                     "cancel of a finished job")
            # Now the middle layer into the base.
            m.cmd("block-commit", {"device": "d0", "top": t("mid.qcow2"),
                                   "base": t("base.qcow2")})
            done = m.event("BLOCK_JOB_COMPLETED", 60)
            check("error" not in done["data"], "completed: %r" % done)
            check(not any(e["event"] == "BLOCK_JOB_READY" for e in m.events),
                  "READY for an intermediate commit")
            r = m.cmd_raw("block-commit", {"device": "nosuch"})
            check("error" in r, "unknown device: %r" % r)
            quit_vm(h, m)
        info = run("qemu-img", "info", top)
        check("backing file: " + t("base.qcow2") in info, info)
        for img in ("base.qcow2", "top.qcow2"):
            run("qemu-img", "check", "-q", t(img))
        run("qemu-img", "compare", "-q", t("want.raw"), top)


run_tests()
