#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Names before the first exec (issue 14), measured with real runtimes.
#
# For each runtime (docker, podman, containerd through ctr, containerd's
# CRI plugin through tests/cri/cri.py), N containers are started back to
# back while `cgtrack run` tracks cgroup v2 with a private pin directory
# and a consumer BPF program (firstexec, built on include/cgtrack/
# consumer.bpf.h like examples/execcount) records, at the first exec in
# each container's own cgroup, whether the `info` entry was already there.
# Reported per runtime:
#   - present: the share of containers whose info entry was in the map at
#     the exec of their entrypoint (the first exec in the cgroup that is not
#     runc's re-exec of itself, `/proc/self/exe init`, which runc may do
#     after moving its child into the cgroup); also at the first exec of
#     anything; a container whose exec was not seen counts as absent;
#   - mkdir -> info: the info entry's updated_ns (its first write: the
#     kernel's, at the mkdir, when the daemon had put the runtime's record
#     in `pending` before; else the daemon's; an identical later answer
#     does not rewrite it) minus the container entry's created_ns (the
#     kernel's cgroup_mkdir), both CLOCK_BOOTTIME; p50 and p99 (nearest
#     rank) over the containers named.
# Runtimes run with private state (tests/runtimes/lib.sh, tests/cri/lib.sh),
# one at a time, their containers removed before the next; everything is
# stopped by pid at the end, even on failure.
#
# The baseline, in the same run: the same with a build whose kernel side
# does not wake the daemon for a new container (scripts/bench/variants/
# batched.sh: names wait for the once-a-second collection, as before issue
# 14), on --baseline-n containers per runtime; and for docker, cgtrack with
# docker's records out of reach (its API alone).
#
# usage: names.sh --out DIR [--n N] [--baseline-n N] [--runtimes "docker podman ctr cri"] [--quick]
#   --quick: N=10, ctr only, only runtimes already installed (no apt), no baseline
# Environment: CGTRACK (default build/cgtrack), FIRSTEXEC (default
# $OUTPUT/bench/bin/firstexec), NAMES_DAEMON_NICE (the daemon's nice
# value, default 0).
# Writes DIR/names.json (one object per runtime), DIR/names.md (table rows)
# and DIR/names-<runtime>.jsonl (one line per container, in start order).
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
OUTPUT=${OUTPUT:-build}
case $OUTPUT in /*) ;; *) OUTPUT=$ROOT/$OUTPUT ;; esac
CGTRACK=${CGTRACK:-$OUTPUT/cgtrack}
FIRSTEXEC=${FIRSTEXEC:-$OUTPUT/bench/bin/firstexec}
OUT="" N=200 NB=30 RUNTIMES="docker podman ctr cri" QUICK=0
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift ;;
	--n) N=$2; shift ;;
	--baseline-n) NB=$2; shift ;;
	--runtimes) RUNTIMES=$2; shift ;;
	--quick) QUICK=1 ;;
	*) echo "usage: names.sh --out DIR [--n N] [--runtimes LIST] [--quick]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$OUT" ] || { echo "names.sh: --out DIR is needed" >&2; exit 2; }
if [ "$QUICK" = 1 ]; then
	N=${BENCH_NAMES_N:-10}
	RUNTIMES=${BENCH_NAMES_RUNTIMES:-ctr}
	NB=0
fi
mkdir -p "$OUT"
log() { printf '# names: %s\n' "$*" >&2; }
# on failure, what the daemon and the consumer said stays in OUT
die() {
	printf 'names.sh: %s\n' "$*" >&2
	if [ -n "${W:-}" ] && [ -d "${OUT:-}" ]; then
		for f in daemon.err firstexec.err run.err containers.json info.json; do
			[ -f "$W/$f" ] && cp "$W/$f" "$OUT/failed-$f"
		done
	fi
	exit 1
}
[ "$(id -u)" = 0 ] || die "needs root"
[ -x "$CGTRACK" ] || die "no $CGTRACK (make)"
[ -x "$FIRSTEXEC" ] || die "no $FIRSTEXEC (make bench-progs)"
BASELINE=${NAMES_BASELINE_CGTRACK:-}
if [ "$NB" -gt 0 ] && [ -z "$BASELINE" ]; then
	BASELINE=$(OUTPUT=$OUTPUT scripts/bench/variant.sh batched scripts/bench/variants/batched.sh) ||
		die "cannot build the baseline (scripts/bench/variant.sh batched)"
fi

# shellcheck source=tests/runtimes/lib.sh
source "$ROOT/tests/runtimes/lib.sh"
# shellcheck source=tests/cri/lib.sh
source "$ROOT/tests/cri/lib.sh"

if [ "$QUICK" = 1 ]; then
	have=""
	for r in $RUNTIMES; do
		case $r in
		docker) command -v dockerd ;; podman) command -v podman ;;
		ctr) command -v containerd ;;
		cri) command -v containerd && /usr/bin/python3 -c 'import grpc' ;;
		esac >/dev/null 2>&1 && have="$have $r"
	done
	[ "$RUNTIMES" = "${have# }" ] || log "quick: not installed, skipped: $(comm -23 <(tr ' ' '\n' <<<"$RUNTIMES" | sort) <(tr ' ' '\n' <<<"${have# }" | sort) | tr '\n' ' ')"
	RUNTIMES=${have# }
else
	cri_install >"$OUT/names-install.log" 2>&1 || die "installing the runtimes failed: $(tail -3 "$OUT/names-install.log")"
fi
: >"$OUT/names.json.part"
if [ -z "$RUNTIMES" ]; then
	log "no runtime to measure"
	echo "[]" >"$OUT/names.json"; : >"$OUT/names.md"
	rm -f "$OUT/names.json.part"
	exit 0
fi

PIN=/sys/fs/bpf/cgtrack-bench-names-$$
DAEMON="" CONSUMER="" BIN=$CGTRACK
stop_pid() {	# PID: TERM, bounded wait, KILL
	local i
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || return 0
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
cleanup() {
	trap - EXIT
	stop_pid "$CONSUMER"
	stop_pid "$DAEMON"
	"$BIN" unload --pin-dir "$PIN" >/dev/null 2>&1
	cri_cleanup
	rt_cleanup
}
rt_init
trap cleanup EXIT
trap 'exit 130' INT TERM
W=$RT_TMP/names
mkdir -p "$W"

daemon_start() {	# ARGS...
	local i
	rm -f "$W/pid"
	setsid nice -n "${NAMES_DAEMON_NICE:-0}" "$BIN" run --pin-dir "$PIN" --pidfile "$W/pid" --cgroup-mode v2 \
		--expiry 5 "$@" >>"$W/daemon.out" 2>>"$W/daemon.err" </dev/null &
	DAEMON=$!
	for i in $(seq 1 200); do
		[ -s "$W/pid" ] && return 0
		kill -0 "$DAEMON" 2>/dev/null || break
		sleep 0.05
	done
	die "cgtrack run did not start: $(tail -3 "$W/daemon.err")"
}
consumer_start() {
	local i
	: >"$W/firstexec.out"
	"$FIRSTEXEC" --pin-dir "$PIN" >"$W/firstexec.out" 2>"$W/firstexec.err" &
	CONSUMER=$!
	for i in $(seq 1 200); do
		grep -qx ready "$W/firstexec.out" && return 0
		kill -0 "$CONSUMER" 2>/dev/null || break
		sleep 0.05
	done
	die "firstexec did not start: $(cat "$W/firstexec.err")"
}
consumer_stop() {	# -> $W/first.jsonl
	stop_pid "$CONSUMER"
	CONSUMER=""
	grep '^{' "$W/firstexec.out" >"$W/first.jsonl" || :
}

# start_many RUNTIME N: N containers back to back; ids to $W/ids
start_many() {
	local r=$1 N=$2 i id root uid
	: >"$W/ids"
	case $r in
	docker)
		for i in $(seq 1 "$N"); do
			rt_docker run -d --name "nb-$i" "$RT_DOCKER_IMAGE" /bin/sleep 3600 >>"$W/ids" 2>>"$W/run.err" || return 1
		done ;;
	podman)
		for i in $(seq 1 "$N"); do
			rt_podman run -d --name "nb-$i" "$RT_PODMAN_IMAGE" /bin/sleep 3600 >>"$W/ids" 2>>"$W/run.err" || return 1
		done ;;
	ctr)
		root=$(rt_rootfs) || return 1
		_rt_track_rel /bench
		for i in $(seq 1 "$N"); do
			id=$(rt_new_id)
			echo "$id" >>"$W/ids"
			rt_ctr -n bench run -d --null-io --runc-root "$RT_TMP/ctd/runc" --rootfs "$root" \
				"$id" /bin/sleep 3600 >>"$W/run.err" 2>&1 || return 1
		done ;;
	cri)
		uid=$(cat /proc/sys/kernel/random/uuid)
		cri_track_pod "/kubepods/besteffort/pod$uid"
		cri burst --count "$N" --image "$CRI_IMAGE" --name bench --namespace bench \
			--uid "$uid" --cgroup-parent "/kubepods/besteffort/pod$uid" >"$W/burst.jsonl" 2>>"$W/run.err" || return 1
		jq -r 'select(.id) | .id' "$W/burst.jsonl" >"$W/ids" ;;
	esac
}

remove_all() {	# RUNTIME
	local id
	case $1 in
	docker) rt_docker rm -f $(cat "$W/ids") >/dev/null 2>&1 ;;
	podman) rt_podman rm -f -t 0 $(cat "$W/ids") >/dev/null 2>&1 ;;
	ctr) while read -r id; do _rt_ctr_rm_quiet bench "$id"; done <"$W/ids" ;;
	cri) cri_cleanup ;;
	esac
}

measure() {	# RUNTIME VARIANT BINARY N
	local r=$1 variant=$2 N=$4 args=() t0 t1 rows
	BIN=$3
	case $r in
	docker)
		rt_start_dockerd && { rt_docker image inspect "$RT_DOCKER_IMAGE" >/dev/null 2>&1 || rt_docker_import; } ||
			die "docker: could not start"
		args=(--runtime "docker:$RT_TMP/docker.sock" --runtime "docker-root:$RT_TMP/dk/data")
		# the API alone: docker's records out of reach
		[ "$variant" = api ] && args=(--runtime "docker:$RT_TMP/docker.sock" --runtime "docker-root:$W/no-records") ;;
	podman)
		rt_start_podman_service && { rt_podman image exists "$RT_PODMAN_IMAGE" || rt_podman_import; } ||
			die "podman: could not start"
		args=(--runtime "podman:$RT_TMP/podman.sock" --runtime "podman-root:$RT_TMP/pm/root")
		# the API alone: podman's records out of reach
		[ "$variant" = api ] && args=(--runtime "podman:$RT_TMP/podman.sock" --runtime "podman-root:$W/no-records") ;;
	ctr)
		rt_start_containerd || die "containerd: could not start"
		args=(--runtime "containerd-state:$RT_TMP/ctd/state") ;;
	cri)
		cri_start_containerd >"$W/cri-start.log" 2>&1 || die "containerd (CRI): could not start: $(tail -3 "$W/cri-start.log")"
		args=(--runtime "containerd-state:$RT_TMP/cri/state") ;;
	esac
	daemon_start "${args[@]}"
	consumer_start
	t0=$(date +%s%N)
	start_many "$r" "$N" || die "$r: starting containers failed: $(tail -3 "$W/run.err")"
	t1=$(date +%s%N)
	sleep 3		# late names (retries) still count in mkdir -> info
	consumer_stop
	bpftool -j map dump pinned "$PIN/containers" >"$W/containers.json"
	bpftool -j map dump pinned "$PIN/info" >"$W/info.json"
	rows=$(jq -n --arg rt "$r" --arg variant "$variant" --argjson n "$N" --argjson secs "$(( (t1 - t0) / 1000000 ))" \
		--rawfile ids "$W/ids" --slurpfile first "$W/first.jsonl" \
		--slurpfile ct "$W/containers.json" --slurpfile inf "$W/info.json" '
		def pct(p): if length == 0 then null else sort | .[(((p * length) | ceil) - 1)] end;
		# (an element bpftool could not read, deleted meanwhile, is left out)
		def vals: if type == "array" then map(select(type == "object" and .formatted) | .formatted.value) else [] end;
		($ids | split("\n") | map(select(length > 0))) as $want
		| ($first | map({key: .id, value: .}) | from_entries) as $fe
		| ($ct[0] | vals | map(select(.root)) | map({key: .container_id, value: .}) | from_entries) as $ce
		| ($inf[0] | vals | map({key: (.cgroup_id | tostring), value: .}) | from_entries) as $ie
		| [ $want[] as $id
		    | ($fe[$id] // null) as $f
		    | ($ce[$id] // null) as $c
		    | (if $f and $f.present then $f.info_ns
		       elif $f and $f.app_present then $f.app_info_ns
		       elif $c and $ie[$c.cgroup_id | tostring] then $ie[$c.cgroup_id | tostring].updated_ns
		       else null end) as $ins
		    | { id: $id, exec_seen: ($f != null), present: ($f != null and $f.present),
		        app_seen: ($f != null and $f.app_exec_ns > 0),
		        app_present: ($f != null and $f.app_present),
		        tracked: ($c != null or $f != null),
		        ms: (if $ins and ($c // $f) then (($ins - ($c // $f).created_ns) / 1e6) else null end),
		        exec_ms: (if $f then (($f.exec_ns - $f.created_ns) / 1e6) else null end),
		        app_exec_ms: (if $f and $f.app_exec_ns > 0 then (($f.app_exec_ns - $f.created_ns) / 1e6) else null end) } ] as $rows
		| ($rows | map(select(.ms != null) | .ms)) as $lat
		| { runtime: $rt, variant: $variant, n: $n, start_ms_each: ($secs / $n),
		    tracked: ($rows | map(select(.tracked)) | length),
		    first_exec_seen: ($rows | map(select(.exec_seen)) | length),
		    present: ($rows | map(select(.present)) | length),
		    app_exec_seen: ($rows | map(select(.app_seen)) | length),
		    app_present: ($rows | map(select(.app_present)) | length),
		    named: ($lat | length),
		    present_pct: ((($rows | map(select(.present)) | length) * 1000 / $n | round) / 10),
		    app_present_pct: ((($rows | map(select(.app_present)) | length) * 1000 / $n | round) / 10),
		    p50_ms: ($lat | pct(0.5)), p99_ms: ($lat | pct(0.99)), max_ms: ($lat | max),
		    exec_p50_ms: ($rows | map(select(.exec_ms != null) | .exec_ms) | pct(0.5)),
		    app_exec_p50_ms: ($rows | map(select(.app_exec_ms != null) | .app_exec_ms) | pct(0.5)),
		    rows: $rows }') ||
		die "$r: could not compute the results"
	jq -c '.rows[]' <<<"$rows" >"$OUT/names-$r-$variant.jsonl"
	rows=$(jq -c 'del(.rows)' <<<"$rows")
	echo "$rows" >>"$OUT/names.json.part"
	log "$r: $(jq -c . <<<"$rows")"
	remove_all "$r"
	stop_pid "$DAEMON"
	DAEMON=""
	# the next run loads its own programs
	"$BIN" unload --pin-dir "$PIN" >/dev/null 2>&1
}

for r in $RUNTIMES; do
	measure "$r" cgtrack "$CGTRACK" "$N"
	[ "$NB" -gt 0 ] && measure "$r" batched "$BASELINE" "$NB"
	[ "$NB" -gt 0 ] && [ "$r" = docker ] && measure docker api "$CGTRACK" "$NB"
done
jq -s . "$OUT/names.json.part" >"$OUT/names.json" && rm -f "$OUT/names.json.part"
jq -r '
	def r2: if . == null then "-" else (. * 100 | round / 100 | tostring) end;
	def desc: "\(.app_present_pct)% present · mkdir→info p50 \(.p50_ms | r2) ms, p99 \(.p99_ms | r2) ms";
	(map(select(.variant == "batched")) | map({key: .runtime, value: .}) | from_entries) as $b
	| (map(select(.variant == "api")) | map({key: .runtime, value: .}) | from_entries) as $api
	| .[] | select(.variant == "cgtrack")
	| "| names at the entrypoint'"'"'s first exec, \(.runtime) (\(.n) containers back to back, \(.start_ms_each | floor) ms each; entrypoint exec \(.app_exec_p50_ms | r2) ms after mkdir, p50) | \(desc) (\(.present_pct)% at the first exec of anything) | \(if $b[.runtime] then "batched wakeups (\($b[.runtime].n) containers): \($b[.runtime] | desc)" else "—" end) | — | ≥ 99%, p99 < 20 ms | \(if .app_present_pct >= 99 and .p99_ms != null and .p99_ms < 20 then "met" else "missed" end) |",
	  (if $api[.runtime] then "| names at the entrypoint'"'"'s first exec, docker, its API alone (records out of reach; \($api[.runtime].n) containers) | \($api[.runtime] | desc) | — | — | — | (shows why the record is read) |" else empty end)' \
	"$OUT/names.json" >"$OUT/names.md"
cat "$OUT/names.md"
