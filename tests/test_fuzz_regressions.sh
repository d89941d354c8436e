#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Replays what the fuzzers found (tests/data/regressions/<target>/) and
# their seed corpora through each fuzz target's checks, built without
# libFuzzer but with ASan and UBSan (`make fuzz-replay`). A crash, a
# sanitizer report or a violated property (the kernel simulation and
# cgpath_parse() disagree, an id escapes its name...) fails.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${BUILD_DIR:-$ROOT/build}
cd "$ROOT" || exit 1
log=$(mktemp /tmp/cgtrack-replay.XXXXXX)
trap 'rm -f "$log"' EXIT

if ! make -s OUTPUT="$OUT" fuzz-replay >"$log" 2>&1; then
	echo "not ok - fuzz regressions: build of the replay programs failed (clang," \
		"libclang-rt-14-dev: make hardening-setup)"
	tail -20 "$log" >&2
	exit 1
fi
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for t in parser proc json; do
	n=$(ls "tests/data/regressions/$t" 2>/dev/null | wc -l)
	if "$OUT/fuzz/replay_$t" "tests/data/regressions/$t" "$OUT/fuzz/seeds/$t" >"$log" 2>&1; then
		echo "ok - fuzz regressions: $t: $n kept inputs and $(ls "$OUT/fuzz/seeds/$t" | wc -l) seeds pass"
	else
		echo "not ok - fuzz regressions: $t: $(grep -m1 -E 'property violated|ERROR|runtime error' "$log")"
		tail -30 "$log" >&2
	fi
done
