#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A node's day, measured (issue 16): containers started and stopped
# through docker one after another (`docker run --rm IMAGE /bin/true`,
# the churn) while a fork+exec load runs on the host (cgbench exec of
# /bin/true, the load), SECS seconds a round. Contenders, rotated each
# round: nothing attached; cgtrack as on a node (cgroup2 tracked, docker's
# socket and records for names); the bpftrace one-liner
# (scripts/bench/alt.bt). Reported: the load's fork+exec rate and the
# churn's containers a second, medians of rounds, against nothing attached.
#
# usage: workload.sh --out DIR [--rounds N] [--secs S]
# Environment: OUTPUT, CGTRACK, CGBENCH ($OUTPUT/bench/bin/cgbench).
# Writes DIR/workload.json and DIR/workload.md (table rows). Root; starts
# its own dockerd and containerd (tests/runtimes/lib.sh) and stops them.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
OUTPUT=${OUTPUT:-build}
case $OUTPUT in /*) ;; *) OUTPUT=$ROOT/$OUTPUT ;; esac
CGTRACK=${CGTRACK:-$OUTPUT/cgtrack}
CGBENCH=${CGBENCH:-$OUTPUT/bench/bin/cgbench}
OUT="" ROUNDS=3 SECS=20
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--secs) SECS=$2; shift ;;
	*) echo "usage: workload.sh --out DIR [--rounds N] [--secs S]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$OUT" ] || { echo "workload.sh: --out DIR is needed" >&2; exit 2; }
mkdir -p "$OUT"
log() { printf '# workload: %s\n' "$*" >&2; }
die() { printf 'workload.sh: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$CGTRACK" ] || die "no $CGTRACK (make)"
[ -x "$CGBENCH" ] || die "no $CGBENCH (make bench-progs)"

# shellcheck source=tests/runtimes/lib.sh
source "$ROOT/tests/runtimes/lib.sh"
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"	# b_kill, b_wait_file

PIN=/sys/fs/bpf/cgtrack-bench-workload-$$
W=$(mktemp -d /tmp/cgtrack-workload.XXXXXX)
DAEMON="" BT="" CHURN=""
cleanup() {
	trap - EXIT
	touch "$W/stop"
	b_kill "$CHURN"
	b_kill "$DAEMON"
	b_kill "$BT"
	"$CGTRACK" unload --pin-dir "$PIN" >/dev/null 2>&1
	rt_cleanup
	[ -n "${TRACEFS:-}" ] && umount "$TRACEFS"
	rm -rf "$W"
}
rt_init
trap cleanup EXIT
rt_install >"$W/install.log" 2>&1 || die "installing docker failed: $(tail -3 "$W/install.log")"
{ rt_start_dockerd && { rt_docker image inspect "$RT_DOCKER_IMAGE" >/dev/null 2>&1 ||
	rt_docker_import; }; } >"$W/start.log" 2>&1 ||
	die "docker: could not start: $(tail -3 "$W/start.log")"
HAVE_BT="" TRACEFS=""
if command -v bpftrace >/dev/null; then
	HAVE_BT=1
	# bpftrace finds tracepoints in tracefs (mounted here if it is not)
	if [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
		mount -t tracefs tracefs /sys/kernel/tracing && TRACEFS=/sys/kernel/tracing
	fi
fi

start() {	# CONTENDER
	case $1 in
	none) ;;
	cgtrack)
		rm -f "$W/pid"
		setsid "$CGTRACK" run --pin-dir "$PIN" --pidfile "$W/pid" --cgroup-mode v2 \
			--runtime "docker:$RT_TMP/docker.sock" \
			--runtime "docker-root:$RT_TMP/dk/data" \
			>>"$W/daemon.out" 2>>"$W/daemon.err" </dev/null &
		DAEMON=$!
		b_wait_file "$W/pid" . 10 "$DAEMON" ||
			die "cgtrack run did not become ready: $(tail -3 "$W/daemon.err")" ;;
	bpftrace)
		bpftrace "$ROOT/scripts/bench/alt.bt" >"$W/bt.out" 2>"$W/bt.err" </dev/null &
		BT=$!
		b_wait_file "$W/bt.out" '^ready' 60 "$BT" ||
			die "bpftrace did not start: $(tail -3 "$W/bt.err")" ;;
	esac
}

stop() {	# CONTENDER
	case $1 in
	cgtrack)
		kill -0 "$DAEMON" 2>/dev/null || die "the daemon died: $(tail -3 "$W/daemon.err")"
		b_kill "$DAEMON"; DAEMON=""
		"$CGTRACK" unload --pin-dir "$PIN" >/dev/null || die "cgtrack unload failed" ;;
	bpftrace) b_kill "$BT"; BT="" ;;
	esac
}

# churn: containers one after another until $W/stop; their count in $W/churn.n
churn() {
	local n=0
	while [ ! -e "$W/stop" ]; do
		rt_docker run --rm --network none "$RT_DOCKER_IMAGE" /bin/true >/dev/null 2>>"$W/churn.err" &&
			n=$((n + 1))
	done
	echo "$n" >"$W/churn.n"
}

# round CONTENDER ROUND: one window; a JSON line
round() {
	local c=$1 r=$2 t0 c0 c1 execs=0 ns=0 out n e
	start "$c"
	rm -f "$W/stop" "$W/churn.n"
	c0=$(date +%s%N)
	churn & CHURN=$!
	sleep 1	# the churn under way
	t0=$(date +%s%N)
	while [ $(($(date +%s%N) - t0)) -lt $((SECS * 1000000000)) ]; do
		out=$("$CGBENCH" exec --n 200) || die "cgbench exec failed"
		n=$(jq .n <<<"$out") e=$(jq .elapsed_ns <<<"$out")
		execs=$((execs + n)) ns=$((ns + e))
	done
	touch "$W/stop"
	wait "$CHURN"; CHURN=""
	c1=$(date +%s%N)
	stop "$c"
	jq -cn --arg c "$c" --argjson r "$r" --argjson execs "$execs" --argjson ns "$ns" \
		--argjson n "$(cat "$W/churn.n")" --argjson win "$((c1 - c0))" \
		'{contender: $c, round: $r, exec_per_s: ($execs / ($ns / 1e9)),
		  containers_per_s: ($n / ($win / 1e9)), containers: $n}'
}

conds="none cgtrack"
[ -n "$HAVE_BT" ] && conds="$conds bpftrace"
: >"$OUT/workload.jsonl"
log "$ROUNDS rounds of ${SECS}s: docker run --rm one after another, fork+exec of /bin/true beside it; $conds"
for ((r = 1; r <= ROUNDS; r++)); do
	# shellcheck disable=SC2086
	set -- $conds
	for ((i = 0; i < $#; i++)); do
		k=$(( (i + r) % $# + 1 ))
		round "${!k}" "$r" >"$W/line"
		cat "$W/line" >>"$OUT/workload.jsonl"
		cat "$W/line" >&2
	done
done
[ -s "$W/churn.err" ] && log "docker run errors: $(sort "$W/churn.err" | uniq -c | head -3)"
jq -s '
	def median: sort | length as $n | if $n == 0 then null
		elif $n % 2 == 1 then .[($n - 1) / 2] else (.[$n / 2 - 1] + .[$n / 2]) / 2 end;
	group_by(.contender) | map({key: .[0].contender, value: {
		exec_per_s: (map(.exec_per_s) | median),
		containers_per_s: (map(.containers_per_s) | median),
		rounds: length}}) | from_entries' "$OUT/workload.jsonl" >"$OUT/workload.json"
jq -r --argjson secs "$SECS" '
	def r1: (. * 10 | round) / 10;
	def pct: "\(. * 1000 | round / 10)%";
	. as $w | $w.none as $n |
	"| workload: fork+exec of /bin/true while docker starts and stops containers one after another (\($w.cgtrack.rounds) rounds of \($secs) s) | \($w.cgtrack.exec_per_s | r1)/s, \($w.cgtrack.containers_per_s | r1) containers/s | nothing attached \($n.exec_per_s | r1)/s, \($n.containers_per_s | r1) containers/s" +
	(if $w.bpftrace then " · bpftrace \($w.bpftrace.exec_per_s | r1)/s, \($w.bpftrace.containers_per_s | r1) containers/s" else "" end) +
	" | \($w.cgtrack.exec_per_s / $n.exec_per_s | pct) of fork+exec, \($w.cgtrack.containers_per_s / $n.containers_per_s | pct) of containers" +
	(if $w.bpftrace then " (bpftrace \($w.bpftrace.exec_per_s / $n.exec_per_s | pct), \($w.bpftrace.containers_per_s / $n.containers_per_s | pct))" else "" end) +
	" | — | — |"' "$OUT/workload.json" >"$OUT/workload.md"
cat "$OUT/workload.md"
