#!/bin/sh
# run-suites.sh - runs every test suite of `make check` in order (unit,
# command line, integration), prints each suite's output, and ends with the
# summed closing line "N passed, N failed".  Exit status 1 if any failed.
#   tests/run-suites.sh --build DIR --asan ASANDIR
set -u
build=build
asan=build-asan
while [ $# -gt 0 ]; do
    case "$1" in
        --build) build=$2; shift 2 ;;
        --asan) asan=$2; shift 2 ;;
        *) echo "run-suites: unknown argument $1" >&2; exit 2 ;;
    esac
done

total_pass=0
total_fail=0
bad_suites=""
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run NAME CMD...: run one suite, add its closing line to the totals.
run() {
    name=$1; shift
    echo "=== $name"
    "$@" > "$log" 2>&1
    rc=$?
    cat "$log"
    line=$(grep -E '^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "run-suites: $name printed no closing line (exit $rc): counted as 1 failure"
        total_fail=$((total_fail + 1))
        bad_suites="$bad_suites $name"
        return
    fi
    p=$(echo "$line" | sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\2/')
    f=$(echo "$line" | sed -E 's/^([A-Za-z-]+: )?([0-9]+) passed, ([0-9]+) failed.*/\3/')
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        echo "run-suites: $name exited $rc with no failure counted: counted as 1 failure"
        total_fail=$((total_fail + 1))
    fi
    [ "$rc" != 0 ] || [ "$f" != 0 ] && bad_suites="$bad_suites $name"
}

for t in "$build"/tests/unit/*_test; do
    [ -x "$t" ] && run "unit/$(basename "$t")" "$t"
done
# The bad command-line corpus runs against the sanitizer build.
run cmdline/bad-options env HEMU="$asan/hemu" python3 tests/cmdline/test_bad_options.py
for t in tests/cmdline/test_*.py; do
    case "$t" in */test_bad_options.py) continue ;; esac
    run "cmdline/$(basename "$t" .py)" env HEMU="$build/hemu" python3 "$t"
done
for t in tests/guest/test_*.py tests/integration/test_*.py; do
    run "integration/$(basename "$t" .py)" env HEMU="$build/hemu" python3 "$t"
done

echo "==="
[ -n "$bad_suites" ] && echo "failing suites:$bad_suites"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
