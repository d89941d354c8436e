#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Runs every test: the C unit tests, then tests/test_*.sh, each of which
# prints "ok - NAME", "not ok - NAME: WHY" or "skip - NAME: WHY" lines.
# Ends with "N passed, N failed, N skipped". TESTS="glob..." selects tests
# (space-separated globs on their names).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
export CGTRACK="${CGTRACK:-$ROOT/build/cgtrack}"
export TESTS_DIR="$ROOT/tests"
export BUILD_DIR="$ROOT/build"

pass=0 fail=0 skip=0
failed_names=()
LOG_DIR=$(mktemp -d /tmp/cgtrack-tests.XXXXXX)

count() {	# count the result lines of one test program's output
	local line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"ok - "*) pass=$((pass + 1)) ;;
		"not ok - "*) fail=$((fail + 1)); failed_names+=("${line#not ok - }") ;;
		"skip - "*) skip=$((skip + 1)) ;;
		esac
	done
}

run_one() {	# NAME CMD...: run, count, and fail if it died without saying so
	local name=$1 rc out="$LOG_DIR/$(basename "$1").out"
	shift
	echo "# $name"
	"$@" >"$out" 2>"$out.err"
	rc=$?
	count <"$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok - ' "$out"; then
		echo "not ok - $name: exited $rc without a failing case"
		fail=$((fail + 1))
		failed_names+=("$name: exit $rc")
		tail -20 "$out.err" | sed 's/^/#   /'
	fi
	if grep -q '^not ok - ' "$out"; then
		tail -30 "$out.err" | sed 's/^/#   /'
	fi
}

make -s -C "$ROOT" test-progs >/dev/null || { echo "not ok - build of test programs"; echo "0 passed, 1 failed"; exit 1; }

selected() {	# NAME: does one of the TESTS globs match it?
	local g globs
	# split on spaces without expanding the globs against this directory
	read -r -a globs <<<"${TESTS:-*}"
	for g in "${globs[@]}"; do
		# shellcheck disable=SC2254
		case "$1" in $g) return 0 ;; esac
	done
	return 1
}

for t in "$BUILD_DIR"/tests/test_*; do
	[ -x "$t" ] || continue
	selected "$(basename "$t")" || continue
	run_one "$(basename "$t")" "$t"
done
for t in "$TESTS_DIR"/test_*.sh; do
	selected "$(basename "$t")" || continue
	run_one "$(basename "$t")" bash "$t"
done

if [ ${#failed_names[@]} -gt 0 ]; then
	echo "# failed:"
	printf '#   %s\n' "${failed_names[@]}"
fi
echo "# logs: $LOG_DIR"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
