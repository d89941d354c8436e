#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The loader under AddressSanitizer, LeakSanitizer and UBSan (`make asan`:
# build-asan/): the parser table test, then a daemon session with
# containers coming and going and every command run against it. Any
# sanitizer report fails the test (reports go to files, checked at the end).
source "$(dirname "$0")/lib.sh"
t_init asan
ROOT=$(cd "$TESTS_DIR/.." && pwd)
ASAN_DIR=${ASAN_OUTPUT:-$ROOT/build-asan}
I=5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
J=84e9ffffe97fea4c5a0f01d401611cbafbf7e559fc6190ed74abfc2b25e889d4
P=26ab26cd-6409-443f-a13c-fd6c231207c8

if ! make -s -C "$ROOT" asan >"$T_TMP/build.log" 2>&1; then
	t_fail "build" "make asan failed (clang and libclang-rt-14-dev: make hardening-setup)"
	tail -20 "$T_TMP/build.log" >&2
	exit 1
fi
CGTRACK=$ASAN_DIR/cgtrack
mkdir -p "$T_TMP/san"
export ASAN_OPTIONS="log_path=$T_TMP/san/asan:detect_leaks=1:halt_on_error=1:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$T_TMP/san/ubsan:halt_on_error=1:print_stacktrace=1:exitcode=87"

# reports not shown yet, printed to stderr; their names on stdout
SHOWN=" "
reports() {
	local f names=""
	for f in "$T_TMP"/san/*; do
		[ -e "$f" ] || continue
		names="$names $(basename "$f")"
		case "$SHOWN" in *" $f "*) continue ;; esac
		SHOWN="$SHOWN$f "
		echo "# $f:" >&2
		head -20 "$f" >&2
	done
	echo "${names# }"
}

# t_clean WHAT CMD...: the command exits 0 or 1 (not a sanitizer's code) and
# adds no report
t_clean() {
	local what=$1 rc before after
	shift
	before=$(ls "$T_TMP/san" | wc -l)
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	rc=$?
	after=$(ls "$T_TMP/san" | wc -l)
	if [ "$after" != "$before" ] || [ $rc -gt 2 ]; then
		t_fail "$what" "exit $rc, sanitizer reports: $(reports)"
		tail -5 "$T_TMP/err" >&2
	else
		t_ok "$what"
	fi
}

t_clean "parser table test" "$ASAN_DIR/tests/test_parser" "$ROOT"
for t in "$ASAN_DIR"/tests/test_*; do
	[ "$(basename "$t")" = test_parser ] && continue
	t_clean "$(basename "$t")" "$t" "$ROOT"
done

t_daemon_start --cgroup-mode v2 --expiry 1 || { t_fail "daemon start" "$(reports)"; exit 1; }
base=$(t_base v2)
rel=$(t_rel v2 "$base")
t_mkdir v2 "docker/$I/sub" "kubepods/besteffort/pod$P/$J" "lxc/web01" \
	"machine.slice/machine-lxc\\x2dweb\\x2f..\\x01.scope" "x/lxc.payload..." >/dev/null
for n in $(seq 1 20); do
	mkdir -p "$base/churn/docker-$(printf '%064x' "$n").scope/init.scope"
done
sleep 0.3
for n in $(seq 1 10); do
	rmdir "$base/churn/docker-$(printf '%064x' "$n").scope/init.scope" \
		"$base/churn/docker-$(printf '%064x' "$n").scope"
done
key=$(t_ino "$base/docker/$I")
t_clean "list" cgt list
t_clean "list --json" cgt list --json
t_clean "get" cgt get "$key"
t_clean "get --json" cgt get --json "$key"
t_clean "find" cgt find "${I:0:12}"
t_clean "find --json (none)" cgt find --json ffffffffffff
t_clean "pid" cgt pid $$
t_clean "resolve" cgt resolve "$(stat -L -c %i /proc/self/ns/mnt)" /etc/os-release
t_clean "status" cgt status
t_clean "status --json" cgt status --json
t_clean "parse" "$CGTRACK" parse "$rel/docker/$I/sub" "0::$rel/lxc/web01" \
	"12:cpuset:/kubepods/besteffort/pod$P/$J" "/lxc.payload.$(printf 'a%.0s' $(seq 1 250))"
t_clean "parse --json (bad input)" "$CGTRACK" parse --json "" "x" "0:"$'\n'"x:/docker/$I" \
	"/$(printf 'a%.0s' $(seq 1 300))"
# an empty map (a pin of the same layout, nothing in it)
vsize=$(bpftool -j map show pinned "$T_PIN/containers" | jq .bytes_value)
mkdir -p "$T_PIN-empty"
bpftool map create "$T_PIN-empty/containers" type hash key 4 value "$vsize" entries 16 \
	name containers
t_clean "list (empty map)" "$CGTRACK" list --pin-dir "$T_PIN-empty"
t_clean "list --json (empty map)" "$CGTRACK" list --json --pin-dir "$T_PIN-empty"
t_clean "find (empty map)" "$CGTRACK" find "${I:0:12}" --pin-dir "$T_PIN-empty"
rm -rf "$T_PIN-empty"
t_clean "load (adopt)" "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2
t_clean "unknown option" cgt list --bogus
sleep 2.2		# past the expiry: the daemon's sweep deletes
t_clean "sweep" cgt sweep --json
t_rm_cgroup_tree "$base/churn"

# the daemon exits on SIGTERM; LeakSanitizer checks at exit
dpid=$T_DAEMON_PID
kill -TERM "$dpid"
wait "$dpid"
rc=$?
T_DAEMON_PID=""
if [ $rc -eq 0 ] && [ -z "$(find "$T_TMP/san" -name "*.$dpid")" ]; then
	t_ok "daemon session: exit 0, no sanitizer report"
else
	t_fail "daemon session" "exit $rc, reports: $(reports)"
fi
t_clean "unload" cgt unload

# The kernel-side tests of other areas, with the sanitized binary: population,
# the readers (get/find/pid/resolve and its symlink walks), and enrichment
# against hostile runtime peers (hangs, 10 MB answers, cut-off and invalid
# JSON, lies).
for t in test_populate.sh test_readers.sh test_readers_resolve.sh test_runtime_enrich.sh; do
	[ -f "$TESTS_DIR/$t" ] || continue
	before=$(ls "$T_TMP/san" | wc -l)
	CGTRACK=$CGTRACK bash "$TESTS_DIR/$t" >"$T_TMP/sub.out" 2>"$T_TMP/sub.err"
	rc=$?
	after=$(ls "$T_TMP/san" | wc -l)
	ok=$(grep -c '^ok - ' "$T_TMP/sub.out")
	bad=$(grep -c '^not ok - ' "$T_TMP/sub.out")
	if [ $rc -eq 0 ] && [ "$bad" = 0 ] && [ "$after" = "$before" ] && [ "$ok" -gt 0 ]; then
		t_ok "$t under ASan and UBSan: $ok cases pass, no report"
	else
		t_fail "$t under ASan and UBSan" "exit $rc, $bad failing cases, sanitizer reports: $(reports)"
		grep '^not ok' "$T_TMP/sub.out" | head -5 >&2
	fi
done
