#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run-fuzzers.sh - run each libFuzzer binary for a bounded time on its seed
# corpus (tests/fuzz/corpus/NAME for build-fuzz/fuzz_NAME), print one line
# per fuzzer and the closing line "N passed, N failed".  New corpus entries
# go to a scratch directory, crash inputs to build-fuzz/artifacts/.
#   tests/fuzz/run-fuzzers.sh SECONDS BIN...
set -u
if [ $# -lt 1 ]; then
    echo "usage: $0 SECONDS BIN..." >&2
    exit 2
fi
seconds=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
n=0
for bin in "$@"; do
    n=$((n + 1))
    name=$(basename "$bin")
    seeds="$here/corpus/${name#fuzz_}"
    work=$(mktemp -d)
    artifacts="$(dirname "$bin")/artifacts/$name/"
    mkdir -p "$artifacts"
    log="$work/log"
    set -- "$work"
    [ -d "$seeds" ] && set -- "$work" "$seeds"
    if [ ! -x "$bin" ]; then
        echo "not ok $n - $name: no such binary"
        fail=$((fail + 1))
    elif "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$artifacts" "$@" \
            > "$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "ok $n - $name (${runs:-?} runs in ${seconds}s)"
        pass=$((pass + 1))
    else
        echo "not ok $n - $name: see below; inputs in $artifacts"
        tail -n 40 "$log" | sed 's/^/#   /'
        fail=$((fail + 1))
    fi
    rm -rf "$work"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
