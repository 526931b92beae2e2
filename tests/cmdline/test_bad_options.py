# SPDX-License-Identifier: GPL-2.0-or-later
"""test_bad_options.py - runs every command line of bad-options.txt against
$HEMU (make check passes the ASan/UBSan build) and checks that each one
exits with status 1, names its culprit on stderr (the line's expected
substring), prints nothing that looks like a crash or a sanitizer report,
and finishes within a timeout.

Corpus format: "ARGUMENTS ::: EXPECTED", ARGUMENTS split with shlex; '#'
starts a comment line.
"""
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import hemutest  # noqa: E402
from hemutest import Fail, check, test, run_tests  # noqa: E402

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "bad-options.txt")
TIMEOUT = 20
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "AddressSanitizer:", "Segmentation fault")


def load_corpus():
    cases = []
    with open(CORPUS) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if " ::: " not in line:
                raise SystemExit("%s:%d: no ' ::: ' separator" % (CORPUS, lineno))
            args, want = line.split(" ::: ", 1)
            cases.append((lineno, shlex.split(args), want.strip()))
    return cases


def run_case(args, want):
    env = dict(os.environ)
    # Leaks at exit(1) are not what this corpus is about; crashes and
    # undefined behaviour are.
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    try:
        p = subprocess.run([hemutest.HEMU] + args, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        raise Fail("still running after %ds (the command line was accepted?)"
                   % TIMEOUT)
    err = p.stderr.decode(errors="replace")
    for mark in SANITIZER_MARKS:
        check(mark not in err, "sanitizer/crash report: %r" % err[:600])
    check(p.returncode >= 0, "killed by signal %d; stderr %r"
          % (-p.returncode, err[:300]))
    check(p.returncode == 1, "exit status %d, want 1; stderr %r"
          % (p.returncode, err[:300]))
    check(want in err, "stderr %r lacks %r" % (err[:400], want))
    check(err.startswith("hemu: ") or "\nhemu: " in err or
          err.startswith("hemu: warning"),
          "no 'hemu: ' message on stderr: %r" % err[:200])
    check("invalid option" not in err or "invalid option" in want,
          "option not recognised: %r" % err[:200])


def make_test(lineno, args, want):
    def fn():
        run_case(args, want)
    fn.__name__ = "line%d: %s" % (lineno, " ".join(shlex.quote(a) for a in args))
    return fn


@test
def corpus_is_large_enough():
    n = len(load_corpus())
    check(n >= 60, "only %d command lines in the corpus" % n)


@test
def binary_exists():
    check(os.access(hemutest.HEMU, os.X_OK), "%s is not built" % hemutest.HEMU)


for _lineno, _args, _want in load_corpus():
    test(make_test(_lineno, _args, _want))

if __name__ == "__main__":
    run_tests()
