# SPDX-License-Identifier: GPL-2.0-or-later
"""hemu-img against Debian's qemu-img, both ways: images made and written
by hemu-img pass qemu-img check and compare equal to their source; images
made by qemu-img (backing chains, compressed and zero clusters, snapshots,
version 2) read back identically through hemu-img; info/map/check/compare
print what qemu-img prints."""
import json
import os
import subprocess
import tempfile

from hemutest import ROOT, Fail, check, check_eq, run_tests, test

HEMU_IMG = os.path.join(os.path.dirname(os.environ.get(
    "HEMU", os.path.join(ROOT, "build", "hemu"))), "hemu-img")
TMP = tempfile.mkdtemp(prefix="hemu-img-test.")


def p(name):
    return os.path.join(TMP, name)


def run(*args, ok=(0,)):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=300)
    if r.returncode not in ok:
        raise Fail("%s exited %d: %s%s" % (" ".join(args), r.returncode,
                                           r.stdout, r.stderr))
    return r


def himg(*args, ok=(0,)):
    return run(HEMU_IMG, *args, ok=ok)


def qimg(*args, ok=(0,)):
    return run("qemu-img", *args, ok=ok)


def qio(img, *cmds, fmt="qcow2"):
    args = ["qemu-io", "-f", fmt]
    for c in cmds:
        args += ["-c", c]
    run(*(args + [img]))


def make_source():
    """A 40 MiB raw image: random data, zero areas, a hole, a small tail."""
    src = p("src.raw")
    if os.path.exists(src):
        return src
    with open(src, "wb") as f:
        f.write(os.urandom(6 << 20))
        f.write(bytes(4 << 20))
        f.seek(20 << 20)
        f.write(b"abc" * 100000)
        f.seek((40 << 20) - 5000)
        f.write(os.urandom(5000))
    return src


@test
def hemu_convert_raw_to_qcow2_passes_qemu_check():
    src = make_source()
    for opts in ([], ["-o", "cluster_size=4096"], ["-o", "compat=0.10"],
                 ["-c"], ["-o", "cluster_size=512,refcount_bits=8"]):
        dst = p("h.qcow2")
        himg("convert", "-f", "raw", "-O", "qcow2", *opts, src, dst)
        qimg("check", dst)
        qimg("compare", "-f", "raw", "-F", "qcow2", src, dst)
        os.unlink(dst)


@test
def hemu_reads_qemu_images():
    src = make_source()
    for opts in ([], ["-c"], ["-o", "compat=0.10"],
                 ["-o", "cluster_size=2M"], ["-o", "refcount_bits=1"]):
        q = p("q.qcow2")
        qimg("convert", "-f", "raw", "-O", "qcow2", *opts, src, q)
        out = p("back.raw")
        himg("convert", "-f", "qcow2", "-O", "raw", q, out)
        with open(src, "rb") as a, open(out, "rb") as b:
            check(a.read() == b.read(), "content differs for %r" % (opts,))
        himg("compare", src, q)
        himg("check", q)


@test
def backing_chain_zero_clusters_and_snapshots_from_qemu():
    base, top = p("base.qcow2"), p("top.qcow2")
    qimg("create", "-q", "-f", "qcow2", base, "16M")
    qio(base, "write -P 0x11 0 4M", "write -P 0x22 8M 1M")
    qimg("snapshot", "-c", "snap1", base)
    qio(base, "write -P 0x55 0 64k")
    qimg("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", top)
    qio(top, "write -P 0x33 1M 64k", "write -z 2M 1M", "write -P 0x44 3M 1000",
        "discard 8M 64k")
    ref, mine = p("ref.raw"), p("mine.raw")
    qimg("convert", "-O", "raw", top, ref)
    himg("convert", "-O", "raw", top, mine)
    with open(ref, "rb") as a, open(mine, "rb") as b:
        check(a.read() == b.read(), "backing chain content differs")
    # map --output=json: the same extents as qemu-img
    hm = json.loads(himg("map", "--output=json", top).stdout)
    qm = json.loads(qimg("map", "--output=json", top).stdout)
    strip = lambda m: [{k: v for k, v in e.items() if k != "offset"} for e in m]
    check_eq(strip(hm), strip(qm), "map")
    # snapshot -l lists qemu's snapshot
    out = himg("snapshot", "-l", base).stdout
    check("snap1" in out and out.startswith("Snapshot list:"), out)
    # info --output=json: qemu-img's field names and values
    hi = json.loads(himg("info", "--output=json", top).stdout)
    qi = json.loads(qimg("info", "--output=json", top).stdout)
    for k in ("virtual-size", "cluster-size", "format", "format-specific",
              "backing-filename", "backing-filename-format", "dirty-flag"):
        check_eq(hi.get(k), qi.get(k), "info field " + k)
    # hemu writes on top of the chain: still consistent for qemu-img
    dst = p("w.qcow2")
    himg("convert", "-O", "qcow2", "-B", "base.qcow2", "-F", "qcow2", top, dst)
    qimg("check", dst)
    qimg("compare", top, dst)


@test
def internal_snapshots_create_apply_delete_with_qemu():
    """hemu-img snapshot -c/-a/-d: qemu-img lists the snapshots, finds the
    image consistent after each step and reads every snapshot's data
    after -a; qemu-img's own snapshots are applied and deleted by hemu-img,
    hemu's by qemu-img."""
    img = p("snap.qcow2")
    himg("create", "-q", "-f", "qcow2", img, "16M")
    qio(img, "write -P 0x11 0 4M")
    himg("snapshot", "-c", "s1", img)
    qio(img, "write -P 0x22 1M 2M", "write -c -P 0x33 8M 64k")
    himg("snapshot", "-c", "s2", img)
    qio(img, "write -P 0x44 0 64k")
    qimg("check", "-q", img)
    out = qimg("snapshot", "-l", img).stdout
    check("s1" in out and "s2" in out, "qemu-img snapshot -l: %r" % out)
    check_eq(himg("snapshot", "-c", "s1", img, ok=(1,)).returncode, 1,
             "a duplicate name is refused")
    himg("snapshot", "-a", "s1", img)
    qimg("check", "-q", img)
    qio(img, "read -P 0x11 0 4M", "read -P 0 8M 64k")
    himg("snapshot", "-a", "2", img)        # by id
    qimg("check", "-q", img)
    qio(img, "read -P 0x11 0 1M", "read -P 0x22 1M 2M", "read -P 0x33 8M 64k")
    himg("snapshot", "-d", "s1", img)
    qimg("check", "-q", img)
    out = qimg("snapshot", "-l", img).stdout
    check("s1" not in out and "s2" in out, "after -d s1: %r" % out)
    # qemu-img's snapshot, applied and deleted by hemu-img; hemu's by qemu-img
    qio(img, "write -P 0x55 0 64k")
    qimg("snapshot", "-c", "q1", img)
    qio(img, "write -P 0x66 0 64k")
    himg("snapshot", "-a", "q1", img)
    qio(img, "read -P 0x55 0 64k", "read -P 0x22 1M 2M")
    himg("snapshot", "-d", "q1", img)
    qimg("check", "-q", img)
    qimg("snapshot", "-a", "s2", img)
    qimg("snapshot", "-d", "s2", img)
    qimg("check", "-q", img)
    qio(img, "read -P 0x11 0 1M", "read -P 0x22 1M 2M")
    check_eq(himg("snapshot", "-l", img).stdout, "", "no snapshots left")
    r = himg("snapshot", "-a", "nope", img, ok=(1,))
    check("snapshot not found" in r.stderr, r.stderr)
    raw = p("snap.raw")
    himg("create", "-q", "-f", "raw", raw, "1M")
    r = himg("snapshot", "-c", "x", raw, ok=(1,))
    check("does not support internal snapshots" in r.stderr, r.stderr)


@test
def commit_into_the_backing_file():
    """hemu-img commit: data and zero clusters of the overlay reach the
    backing file (qemu-img compare against qemu-img's view before), both
    images pass qemu-img check, the overlay is empty afterwards (-d keeps
    it); a raw backing file; an image without backing file is refused."""
    base, top = p("cbase.qcow2"), p("ctop.qcow2")
    qimg("create", "-q", "-f", "qcow2", base, "8M")
    qio(base, "write -P 0x11 0 8M")
    qimg("create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", top)
    qio(top, "write -P 0x22 1M 1M", "write -z 4M 64k", "write -P 0x33 7M 4k")
    want = p("cwant.raw")
    qimg("convert", "-O", "raw", top, want)
    out = himg("commit", top).stdout
    check("Image committed." in out, out)
    qimg("check", "-q", base)
    qimg("check", "-q", top)
    qimg("compare", "-q", want, base)
    qimg("compare", "-q", want, top)
    m = json.loads(qimg("map", "--output=json", top).stdout)
    check(all(e["depth"] >= 1 for e in m if e["data"] or e["zero"]),
          "the overlay is not empty after commit: %r" % m[:4])
    rb, t2 = p("cbase.raw"), p("ctop2.qcow2")
    qimg("create", "-q", "-f", "raw", rb, "8M")
    qimg("create", "-q", "-f", "qcow2", "-b", rb, "-F", "raw", t2)
    qio(t2, "write -P 0x44 0 1M")
    himg("commit", "-q", "-d", "-b", rb, t2)
    qio(rb, "read -P 0x44 0 1M", fmt="raw")
    qio(t2, "read -P 0x44 0 1M")
    m = json.loads(qimg("map", "--output=json", t2).stdout)
    check(any(e["depth"] == 0 and e["data"] for e in m), "-d emptied the image")
    r = himg("commit", base, ok=(1,))
    check("does not have a backing file" in r.stderr, r.stderr)


@test
def rebase_safe_and_unsafe():
    """hemu-img rebase: onto another backing file (the clusters that differ
    are copied in, the guest-visible content stays: qemu-img compare),
    onto none (-b ""), and -u (only the name changes, qemu-img info shows
    it); qemu-img check stays clean."""
    b1, b2, top = p("rb1.qcow2"), p("rb2.qcow2"), p("rtop.qcow2")
    qimg("create", "-q", "-f", "qcow2", b1, "8M")
    qio(b1, "write -P 0x11 0 8M")
    qimg("create", "-q", "-f", "qcow2", b2, "8M")
    qio(b2, "write -P 0x11 0 4M", "write -P 0x77 4M 4M")
    qimg("create", "-q", "-f", "qcow2", "-b", b1, "-F", "qcow2", top)
    qio(top, "write -P 0x22 1M 1M")
    want = p("rwant.raw")
    qimg("convert", "-O", "raw", top, want)
    himg("rebase", "-b", b2, "-F", "qcow2", top)
    qimg("check", "-q", top)
    info = json.loads(qimg("info", "--output=json", top).stdout)
    check_eq(info.get("backing-filename"), b2, "new backing file")
    check_eq(info.get("backing-filename-format"), "qcow2", "new backing format")
    qimg("compare", "-q", want, top)
    himg("rebase", "-b", "", top)
    info = json.loads(qimg("info", "--output=json", top).stdout)
    check("backing-filename" not in info, "backing file left: %r" % info)
    qimg("compare", "-q", want, top)
    himg("rebase", "-u", "-b", b1, "-F", "qcow2", top)
    info = json.loads(qimg("info", "--output=json", top).stdout)
    check_eq(info.get("backing-filename"), b1, "-u backing file")
    qimg("check", "-q", top)
    r = himg("rebase", top, ok=(1,))
    check("Must specify backing file" in r.stderr, r.stderr)


@test
def info_human_matches_qemu_img():
    img = p("i.qcow2")
    himg("create", "-q", "-f", "qcow2", img, "1G")
    strip = lambda s: [l for l in s.splitlines() if not l.startswith("disk size")]
    check_eq(strip(himg("info", img).stdout), strip(qimg("info", img).stdout),
             "info")
    raw = p("i.raw")
    himg("create", "-q", "-f", "raw", raw, "10M")
    check_eq(strip(himg("info", "-f", "raw", raw).stdout),
             strip(qimg("info", "-f", "raw", raw).stdout), "raw info")


@test
def check_reports_and_repairs_leaks():
    img = p("leak.qcow2")
    himg("create", "-q", "-f", "qcow2", img, "8M")
    qio(img, "write -P 1 0 1M")
    # Raise a free cluster's refcount behind the driver's back: a leak.
    with open(img, "r+b") as f:
        f.seek(0x20000 + 2 * 40)
        f.write(b"\x00\x01")
        f.truncate(41 << 16)
    r = himg("check", img, ok=(3,))
    check("1 leaked clusters were found" in r.stdout, r.stdout)
    qimg("check", img, ok=(3,))
    r = himg("check", "-r", "leaks", img)
    check("No errors were found" in r.stdout, r.stdout)
    qimg("check", img)
    j = json.loads(himg("check", "--output=json", img).stdout)
    check_eq(j["check-errors"], 0, "check-errors")
    check_eq(j["format"], "qcow2", "format")


@test
def compare_resize_and_errors():
    a, b = p("a.raw"), p("b.qcow2")
    himg("create", "-q", "-f", "raw", a, "4M")
    himg("convert", "-O", "qcow2", a, b)
    check("Images are identical." in himg("compare", a, b).stdout)
    qio(b, "write -P 7 1536 512")
    r = himg("compare", a, b, ok=(1,))
    check_eq(r.stdout.strip(), "Content mismatch at offset 1536!", "compare")
    himg("resize", b, "+4M")
    check_eq(json.loads(qimg("info", "--output=json", b).stdout)["virtual-size"],
             8 << 20, "resized size")
    qimg("check", b)
    r = himg("resize", b, "1M", ok=(1,))
    check("--shrink" in r.stderr, r.stderr)
    r = himg("info", p("missing.qcow2"), ok=(1,))
    check("Could not open" in r.stderr, r.stderr)


@test
def locks_shared_with_qemu():
    img = p("l.qcow2")
    himg("create", "-q", "-f", "qcow2", img, "8M")
    # qemu-io holds the image open for writing while hemu-img tries.
    proc = subprocess.Popen(["qemu-io", "-f", "qcow2", img],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        import time
        time.sleep(0.5)
        r = himg("resize", img, "+1M", ok=(1,))
        check("lock" in r.stderr, r.stderr)
        himg("info", "-U", img)
    finally:
        proc.communicate("quit\n", timeout=10)


run_tests()
