# SPDX-License-Identifier: GPL-2.0-or-later
"""hemu-img measure, amend and rebase -U against Debian's qemu-img:
measure prints the same numbers and errors for raw and qcow2 inputs and
outputs (--size, -O, -o, --output=json); amend changes compat (with zero
clusters, compressed clusters, snapshots and a backing file) and
lazy_refcounts exactly as qemu-img amend does to a copy of the same image
(same qemu-img info, qemu-img check clean, same content, same snapshot
content) and refuses what qemu-img refuses; rebase -U opens a new backing
file that another process is writing."""
import os
import shutil
import subprocess
import tempfile
import time

from hemutest import ROOT, Fail, check, check_eq, run_tests, test

HEMU_IMG = os.path.abspath(os.path.join(os.path.dirname(os.environ.get(
    "HEMU", os.path.join(ROOT, "build", "hemu"))), "hemu-img"))
TMP = tempfile.mkdtemp(prefix="hemu-img-amend.")


def p(name):
    return os.path.join(TMP, name)


def run(*args, ok=(0,)):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=120,
                       cwd=TMP)
    if ok is not None and r.returncode not in ok:
        raise Fail("%s exited %d: %s%s" % (" ".join(args), r.returncode,
                                           r.stdout, r.stderr))
    return r


def qio(img, *cmds):
    args = ["qemu-io", "-f", "qcow2"]
    for c in cmds:
        args += ["-c", c]
    run(*(args + [img]))


def same_as_qemu(tool_args):
    """Run qemu-img and hemu-img with the same arguments; their exit code,
    stdout and stderr (program name aside) must be equal."""
    q = run("qemu-img", *tool_args, ok=None)
    h = run(HEMU_IMG, *tool_args, ok=None)
    check_eq((h.returncode, h.stdout, h.stderr.replace("hemu-img", "qemu-img")),
             (q.returncode, q.stdout, q.stderr), " ".join(tool_args))


def inputs():
    if os.path.exists(p("in.qcow2")):
        return
    with open(p("in.raw"), "wb") as f:
        f.truncate(100 << 20)
        f.seek(4096 * 3 + 100)          # data starting inside a cluster
        f.write(os.urandom(70000))
        f.seek(40 << 20)
        f.write(os.urandom(3 << 20))
    run("qemu-img", "create", "-q", "-f", "qcow2", p("in.qcow2"), "64M")
    qio(p("in.qcow2"), "write -P 1 0 1M", "write -z 2M 1M",
        "write -c -P 3 4M 64k", "write -P 4 30M 100k")
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "in.qcow2", "-F",
        "qcow2", p("top.qcow2"))
    qio(p("top.qcow2"), "write -P 5 8M 1M")


@test
def measure_matches_qemu_img():
    inputs()
    cases = [
        ["in.raw"], ["-O", "qcow2", "in.raw"], ["-O", "qcow2", "in.qcow2"],
        ["-O", "raw", "in.qcow2"], ["-O", "qcow2", "top.qcow2"],
        ["--output=json", "-O", "qcow2", "in.qcow2"],
        ["--output=json", "--size", "1G"],
        ["--size", "10G", "-O", "qcow2"], ["--size", "1000", "-O", "raw"],
        ["--size", "1000", "-O", "qcow2", "--output=json"],
        ["-O", "qcow2", "-o", "cluster_size=4k", "--size", "1G"],
        ["-O", "qcow2", "-o", "cluster_size=2M", "in.qcow2"],
        ["-O", "qcow2", "-o", "cluster_size=512", "in.raw"],
        ["-O", "qcow2", "-o", "refcount_bits=64,cluster_size=512", "--size",
         "100G"],
        ["-O", "qcow2", "-o", "refcount_bits=1", "--size", "1G"],
        ["-O", "qcow2", "-o", "compat=0.10", "in.qcow2"],
        ["-O", "qcow2", "-o", "preallocation=full", "--size", "1G"],
        ["-O", "qcow2", "-o", "preallocation=metadata", "--size", "1G"],
        ["-O", "qcow2", "-o", "backing_file=in.qcow2", "in.raw"],
        ["-O", "qcow2", "-o", "extended_l2=on,cluster_size=32k", "--size",
         "7G"],
        ["-O", "raw", "-o", "preallocation=full", "--size", "1G"],
        ["-f", "raw", "in.raw"],
        # errors
        [], ["--size", "1G", "in.raw"], ["--size", "1G", "a", "b"],
        ["--size", "foo"], ["--size", "-5"], ["--output=xml", "--size", "1G"],
        ["-O", "qcow2", "-o", "cluster_size=3k", "--size", "1G"],
        ["-O", "qcow2", "-o", "compat=0.10,refcount_bits=8", "--size", "1G"],
        ["-O", "qcow2", "-o", "preallocation=foo", "--size", "1G"],
        ["-O", "qcow2", "-o", "foo=bar", "--size", "1G"],
        ["-O", "raw", "-o", "cluster_size=4k", "--size", "1G"],
        ["-f", "qcow2", "in.raw"],
    ]
    for c in cases:
        same_as_qemu(["measure"] + c)


def amend_image(name):
    """A qcow2 image with a backing file, data, zero clusters (plain and
    preallocated), a compressed cluster and an internal snapshot."""
    base = p(name + ".base")
    run("qemu-img", "create", "-q", "-f", "qcow2", base, "16M")
    qio(base, "write -P 7 0 16M")
    img = p(name)
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", name + ".base",
        "-F", "qcow2", img)
    qio(img, "write -P 1 0 1M", "write -z 2M 1M", "write -z -u 4M 128k",
        "write -c -P 3 6M 64k")
    run("qemu-img", "snapshot", "-c", "s1", img)
    qio(img, "write -z 8M 64k", "write -P 9 0 64k", "write -z 10M 64k")
    return img


def info_lines(img):
    out = run("qemu-img", "info", img).stdout.splitlines()
    return [l for l in out if not l.startswith(("image:", "disk size:"))]


@test
def amend_compat_and_lazy_refcounts_like_qemu_img():
    q = amend_image("am.q")
    h = p("am.h")
    shutil.copyfile(q, h)     # same backing file name and snapshot dates
    for opts in ("compat=0.10", "compat=1.1,lazy_refcounts=on",
                 "lazy_refcounts=off", "compat=v2", "compat=v3"):
        run("qemu-img", "amend", "-o", opts, q)
        run(HEMU_IMG, "amend", "-o", opts, h)
        check_eq(info_lines(h), info_lines(q), "info after amend " + opts)
        run("qemu-img", "check", "-q", h)
        run("qemu-img", "compare", "-q", q, h)
        for img, out in ((q, p("sq.raw")), (h, p("sh.raw"))):
            run("qemu-img", "convert", "-l", "s1", "-O", "raw", img, out)
        with open(p("sq.raw"), "rb") as a, open(p("sh.raw"), "rb") as b:
            check(a.read() == b.read(), "snapshot content differs after " +
                  opts)
        # hemu reads its own result too
        run(HEMU_IMG, "compare", "-q", q, h)


@test
def amend_refuses_what_qemu_img_refuses():
    base = p("ar.base")
    run("qemu-img", "create", "-q", "-f", "qcow2", base, "64M")
    for opts in ("cluster_size=4k", "backing_file=/nonexistent",
                 "backing_fmt=raw", "backing_file=ar.base",
                 "backing_file=ar.base,backing_fmt=qcow2",
                 "preallocation=full", "compression_type=zstd", "foo=1",
                 "compat=2", "compat=0.10,lazy_refcounts=on",
                 "lazy_refcounts=maybe", "encrypt.format=luks", "size=128M",
                 "compat=0.10,size=96M", "refcount_bits=16"):
        for tool in ("qemu-img", HEMU_IMG):
            run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "ar.base",
                "-F", "qcow2", p("ar." + os.path.basename(tool)))
        q = run("qemu-img", "amend", "-o", opts, p("ar.qemu-img"), ok=None)
        h = run(HEMU_IMG, "amend", "-o", opts, p("ar.hemu-img"), ok=None)
        check_eq((h.returncode, h.stderr.replace("hemu-img", "qemu-img")),
                 (q.returncode, q.stderr), "amend -o " + opts)
        check_eq(info_lines(p("ar.hemu-img")), info_lines(p("ar.qemu-img")),
                 "image after amend -o " + opts)
    run("qemu-img", "create", "-q", "-f", "raw", p("ar.raw"), "1M")
    same_as_qemu(["amend", "-f", "raw", "-o", "size=2M", "ar.raw"])
    same_as_qemu(["amend", "ar.hemu-img"])
    # A width qemu-img converts and hemu-img does not: a clear refusal.
    r = run(HEMU_IMG, "amend", "-o", "refcount_bits=8", p("ar.hemu-img"),
            ok=(1,))
    check("not supported" in r.stderr, r.stderr)


@test
def rebase_force_share():
    newb = p("rb.new")
    run("qemu-img", "create", "-q", "-f", "qcow2", newb, "16M")
    run("qemu-img", "create", "-q", "-f", "qcow2", p("rb.old"), "16M")
    qio(p("rb.old"), "write -P 2 0 1M")
    img = p("rb.top")
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "rb.old", "-F",
        "qcow2", img)
    proc = subprocess.Popen(["qemu-io", "-f", "qcow2", newb],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        proc.stdin.write("write -P 6 0 64k\n")
        proc.stdin.flush()
        deadline = time.time() + 30
        while True:   # qemu-io holds its write lock once it is up
            r = run(HEMU_IMG, "info", newb, ok=None)
            if r.returncode or time.time() > deadline:
                break
            time.sleep(0.2)
        r = run(HEMU_IMG, "rebase", "-b", "rb.new", "-F", "qcow2", img,
                ok=(1,))
        check("lock" in r.stderr, r.stderr)
        run(HEMU_IMG, "rebase", "-U", "-b", "rb.new", "-F", "qcow2", img)
    finally:
        proc.communicate("quit\n", timeout=10)
    run("qemu-img", "check", "-q", img)
    # The old backing content was copied into the image.
    with open(p("rb.out"), "wb"):
        pass
    run("qemu-img", "convert", "-O", "raw", img, p("rb.out"))
    with open(p("rb.out"), "rb") as f:
        check(f.read(1 << 20) == b"\x02" * (1 << 20), "rebase lost data")


run_tests()
