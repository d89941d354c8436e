#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cgtrack's benchmark (`make bench`, `make bench QUICK=1`). Needs root.
#
# Every figure is measured against a baseline of the same run:
#   1. per-event kernel cost (run_time_ns / run_cnt, the statistics of
#      kernel.bpf_stats_enabled, switched on by the driver) of each
#      program in mkdir/rmdir storms (container and other names, nested or
#      not, each its own storm) and exec storms, vs. empty programs on the
#      same tracepoints (the floor) and a bpftrace one-liner (alt.bt);
#   2. mkdir+rmdir and fork+exec throughput with cgtrack running vs. not
#      (and vs. bpftrace), rounds interleaved, medians;
#   3. start-up (`cgtrack load`, which exits when ready) on trees of
#      cgroups vs. `find -type d` on the same tree;
#   4. one sweep (the loader's sweep_once, timed alone) of full maps, in
#      the kernel and with the fallback's batched syscalls, vs. one batched
#      read of the map; and the idle daemon's CPU time and wakeups;
#   5. the daemon's peak RSS and the maps' kernel memory;
#   6. a burst of container cgroups by two creators, and that none was
#      missed;
#   7. the consumer lookup: what a third-party program pays on sys_enter
#      for cgtrack_current() and cgtrack_info_of() (consumer.bpf.c) in v2
#      and v1, inside a tracked container cgroup, vs. an empty program,
#      bpf_get_current_cgroup_id() alone and a bare hash lookup;
#   8. names before the first exec (scripts/bench/names.sh): containers
#      started back to back with docker, podman, ctr and the CRI, the share
#      whose info entry was there at their first exec, mkdir -> info time
#      (quick: 10 containers with ctr, if containerd is installed);
#   9. a workload (scripts/bench/workload.sh, full runs only): fork+exec
#      on the host while docker starts and stops containers one after
#      another, with nothing attached, cgtrack and the bpftrace one-liner.
# All cgroups are made in a private named v1 hierarchy (nothing else on
# the host makes cgroups there) or, for exec in a container, in a private
# cgroup2 directory. Prints one markdown table; raw numbers in
# $OUTPUT/bench/raw.jsonl, results in $OUTPUT/bench/results.json and .md
# ($OUTPUT/bench/quick/ for a quick run).
# QUICK reports the same way on fewer and smaller runs; it fails only when
# a driver breaks, never because of a timing.
#
# usage: run.sh [--quick] [--sections LIST] [--out DIR]
#   --sections: some of event,throughput,burst,idle,startup,sweep,consumer,names,workload
#     (default all)
#   --out: where raw.jsonl and the results go (default $OUTPUT/bench)
#   CGTRACK=PATH measures another build of cgtrack (e.g. a variant of the BPF
#   programs made by scripts/bench/variant.sh under build/bench-variants/);
#   its sweep is timed with the sweeptime beside it, if there is one.
set -u -o pipefail
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
BENCH_SRC=$ROOT/scripts/bench
OUTPUT=${OUTPUT:-build}
case $OUTPUT in /*) ;; *) OUTPUT=$ROOT/$OUTPUT ;; esac
OUT=$OUTPUT/bench
QUICK=0
SECTIONS=event,throughput,burst,idle,startup,sweep,consumer,names,workload
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 ;;
	--sections) SECTIONS=$2; shift ;;
	--out) OUT=$2; shift ;;
	*) echo "usage: run.sh [--quick] [--sections LIST] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done
want() { case ",$SECTIONS," in *",$1,"*) return 0 ;; esac; return 1; }
# a quick run does not overwrite a full run's results
[ "$QUICK" = 1 ] && [ "$OUT" = "$OUTPUT/bench" ] && OUT=$OUTPUT/bench/quick
CGTRACK=${CGTRACK:-$OUTPUT/cgtrack}
SWEEPTIME=${SWEEPTIME:-$(dirname "$CGTRACK")/sweeptime}
[ -x "$SWEEPTIME" ] || SWEEPTIME=$OUTPUT/bench/bin/sweeptime

# shellcheck source=scripts/bench/lib.sh
source "$BENCH_SRC/lib.sh"

if [ "$QUICK" = 1 ]; then
	EV_ROUNDS=1 EV_N=1000 EX_N=300
	TP_ROUNDS=3 TP_N=2000 TP_BT_ROUNDS=1 TX_ROUNDS=3 TX_N=300
	BURST_ROUNDS=1 BURST_N=2000
	SU_SIZES="1000 10000" SU_RUNS=2 SW_SIZES="1000 16384" IDLE_S=20
	CO_ROUNDS=1 CO_N=200000
else
	EV_ROUNDS=5 EV_N=5000 EX_N=2000
	TP_ROUNDS=11 TP_N=5000 TP_BT_ROUNDS=5 TX_ROUNDS=11 TX_N=1500
	BURST_ROUNDS=3 BURST_N=10000
	SU_SIZES="1000 10000 50000" SU_RUNS=5 SW_SIZES="1000 16384 100000" IDLE_S=60
	CO_ROUNDS=7 CO_N=1000000
fi
# any of these can be overridden from the environment as BENCH_<NAME>
for v in EV_ROUNDS EV_N EX_N TP_ROUNDS TP_N TP_BT_ROUNDS TX_ROUNDS TX_N BURST_ROUNDS \
	 BURST_N SU_SIZES SU_RUNS SW_SIZES IDLE_S CO_ROUNDS CO_N; do
	o=BENCH_$v
	[ -n "${!o:-}" ] && printf -v "$v" '%s' "${!o}"
done
KINDS="docker nested sub plain plain-nested"

[ "$(id -u)" = 0 ] || b_die "the benchmark needs root (BPF, cgroups, mounts)"
[ -x "$CGTRACK" ] || b_die "$CGTRACK is missing: run \`make bench\`"
for f in bench/bin/cgbench bench/bin/floorload bench/bin/floor.bpf.o \
	 bench/bin/sweeptime bench/bin/consumer; do
	[ -e "$OUTPUT/$f" ] || b_die "$OUTPUT/$f is missing: run \`make bench\`"
done
for t in bpftool jq find; do
	command -v "$t" >/dev/null || b_die "$t is needed"
done
b_init
# BENCH_WAIT_QUIET=SECONDS: first wait (that long at most) for the 1-minute
# load average to fall under 1 (other work on the machine skews timings)
if [ -n "${BENCH_WAIT_QUIET:-}" ]; then
	for ((i = 0; i < BENCH_WAIT_QUIET; i += 10)); do
		awk '{ exit !($1 < 1) }' /proc/loadavg && break
		[ $((i % 60)) = 0 ] && b_log "waiting for a quiet machine (load $(cut -d' ' -f1 /proc/loadavg))"
		sleep 10
	done
fi
# Snapshots: a rebuild during the run must not change what is measured.
mkdir -p "$B_TMP/bin"
cp "$CGTRACK" "$B_TMP/cgtrack"
cp "$OUTPUT"/bench/bin/* "$B_TMP/bin/"
cp "$SWEEPTIME" "$B_TMP/bin/sweeptime"
CGT=$B_TMP/cgtrack
BIN=$B_TMP/bin
RAW=$B_TMP/raw.jsonl	# copied to $OUT at the end (a `make clean` meanwhile is no harm)
: >"$RAW"
T_START=$(date +%s%N)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
DATE_START=$(date -u +%Y-%m-%dT%H:%M:%SZ)

V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$V2" ] || b_die "no cgroup2 mount (the exec benchmark tracks cgroup2)"
b_reap_stale

# bpftrace: Debian's package; the bench reports "n/a" without it.
HAVE_BT=""
if ! command -v bpftrace >/dev/null && [ -z "${CI_NO_INSTALL:-}" ]; then
	b_log "installing bpftrace (Debian package) for the comparison"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bpftrace >/dev/null 2>&1; }
fi
if command -v bpftrace >/dev/null; then
	if [ ! -d /sys/kernel/tracing/events ] && [ ! -d /sys/kernel/debug/tracing/events ]; then
		mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null && B_MOUNTS+=(/sys/kernel/tracing)
	fi
	HAVE_BT=1
else
	b_log "no bpftrace: its column says n/a"
fi

PIN_V1=/sys/fs/bpf/cgtrack-bench-$$-v1
PIN_V2=/sys/fs/bpf/cgtrack-bench-$$-v2
PIN_SU=/sys/fs/bpf/cgtrack-bench-$$-load
PIN_IDLE=/sys/fs/bpf/cgtrack-bench-$$-idle
PIN_CO=/sys/fs/bpf/cgtrack-bench-$$-consumer
HIER_NAME=cgtbench$$
HIER=$B_TMP/hier
b_hier "$HIER_NAME" "$HIER"
B_PINS+=("$PIN_SU")
V2BASE=$V2/cgtrack-bench-$$
mkdir "$V2BASE" || b_die "cannot make $V2BASE"
B_TREES+=("$V2BASE")

hex64() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
rotate() {	# N WORDS...: the words rotated left by N
	local n=$1
	shift
	local a=("$@") i
	for ((i = 0; i < ${#a[@]}; i++)); do echo "${a[(i + n) % ${#a[@]}]}"; done
}
storm() {	# KIND N [ARGS...]: one storm in the private hierarchy (programs: B_PROGS)
	local k=$1 n=$2
	shift 2
	b_drv "$BIN/cgbench" storm --root "$HIER" --kind "$k" --n "$n" "$@" "${B_PROGS[@]}"
}
# exec_container ARGS...: the exec driver inside a fresh container cgroup
exec_container() {
	local dir out i
	dir=$V2BASE/docker/$(hex64)
	{ mkdir -p "$V2BASE/docker" && mkdir "$dir"; } || b_die "cannot make $dir"
	out=$(b_drv "$BIN/cgbench" exec --cgroup "$dir" --start "$@") || exit 1
	for i in $(seq 1 50); do rmdir "$dir" 2>/dev/null && break; sleep 0.02; done
	echo "$out"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- 1. per-event kernel cost ------------------------------------------------
# event_block CONTENDER ROUND: the storms one contender is measured on
event_block() {
	local c=$1 r=$2 k s0 s1
	if [ "$c" != cgtrack-v2 ]; then
		for k in $KINDS; do
			storm "$k" "$EV_N" | b_rec event "$c" "$r" || return 1
		done
		# one container at a time, 1 ms apart: every record finds the
		# daemon waiting (a storm's back-to-back ones mostly do not)
		storm docker "$((EV_N / 10))" --gap-us 1000 |
			b_rec event "$c" "$r" kind=docker-apart || return 1
	fi
	if [ "$c" = floor ] || [ "$c" = cgtrack-v2 ]; then
		b_drv "$BIN/cgbench" exec --n "$EX_N" "${B_PROGS[@]}" |
			b_rec event "$c" "$r" kind=exec-host || return 1
		[ "$c" = cgtrack-v2 ] && s0=$(b_pinstats "$PIN_V2")
		exec_container --n "$EX_N" "${B_PROGS[@]}" |
			b_rec event "$c" "$r" kind=exec-container || return 1
		if [ "$c" = cgtrack-v2 ]; then
			s1=$(b_pinstats "$PIN_V2")
			jq -cn --argjson a "$s0" --argjson b "$s1" \
				'{started: ($b.started - $a.started)}' | b_rec check "$c" "$r"
		fi
	fi
	if [ "$c" = cgtrack ] && [ "$r" = 1 ]; then
		for k in mkdir rmdir exec exit; do
			bpftool -j prog show id "$(b_link_prog "$PIN_V1" "$(b_tp "$k")")" |
				jq -c --arg k "$k" '{prog: $k, xlated: .bytes_xlated,
					jited: .bytes_jited}' | b_rec progsize cgtrack 0
		done
	fi
}

section_event() {
	local r c
	b_log "1. per-event cost: $EV_ROUNDS round(s) of $EV_N mkdir+rmdir per kind, $EX_N execs"
	for ((r = 1; r <= EV_ROUNDS; r++)); do
		for c in $(rotate "$r" floor cgtrack bpftrace cgtrack-v2); do
			[ "$c" = bpftrace ] && [ -z "$HAVE_BT" ] && continue
			b_start "$c"
			if ! event_block "$c" "$r"; then
				# on a shared machine, someone else's cleanup may take our
				# programs away: once, start again
				b_why "$c"
				b_log "retrying $c once"
				b_stop "$c"
				b_start "$c"
				event_block "$c" "$r" || b_die "the $c storms failed twice"
			fi
			b_stop "$c"
		done
	done
}

# ---- 2. throughput --------------------------------------------------------------
section_throughput() {
	local r c conds
	b_log "2. throughput: $TP_ROUNDS rounds of $TP_N mkdir+rmdir, $TX_ROUNDS of $TX_N fork+exec"
	for ((r = 1; r <= TP_ROUNDS; r++)); do
		conds="none floor cgtrack"
		[ -n "$HAVE_BT" ] && [ "$r" -le "$TP_BT_ROUNDS" ] && conds="$conds bpftrace"
		# shellcheck disable=SC2086
		for c in $(rotate "$r" $conds); do
			b_start "$c"
			B_PROGS=()	# timed without statistics
			if ! storm docker "$TP_N" | b_rec tp-mkdir "$c" "$r" || ! b_alive "$c"; then
				b_why "$c"
				b_die "the $c mkdir+rmdir run failed"
			fi
			b_stop "$c"
		done
	done
	for ((r = 1; r <= TX_ROUNDS; r++)); do
		for c in $(rotate "$r" none floor cgtrack-v2); do
			b_start "$c"
			if ! b_drv "$BIN/cgbench" exec --n "$TX_N" | b_rec tp-exec "$c" "$r" ||
			   ! b_alive "$c"; then
				b_why "$c"
				b_die "the $c fork+exec run failed"
			fi
			b_stop "$c"
		done
	done
}

# ---- 6. burst (and the daemon's memory under it) --------------------------------
section_burst() {
	local r c s0 s1 out listed
	b_log "6. burst: $BURST_N container cgroups by two creators, $BURST_ROUNDS round(s)"
	for ((r = 1; r <= BURST_ROUNDS; r++)); do
		for c in $(rotate "$r" none cgtrack); do
			b_start "$c"
			[ "$c" = cgtrack ] && s0=$(b_pinstats "$PIN_V1")
			out=$(b_drv "$BIN/cgbench" burst --root "$HIER" --n "$BURST_N" --threads 2 \
				--out "$B_TMP/burst.ino") || exit 1
			if [ "$c" = cgtrack ]; then
				s1=$(b_pinstats "$PIN_V1")
				# every created cgroup has its live entry (keys: the inode numbers)
				listed=$("$CGT" list --json --pin-dir "$PIN_V1" |
					jq -r '.[] | select(.alive) | .key' | sort -u |
					comm -12 - <(sort -u "$B_TMP/burst.ino") | wc -l)
				out=$(jq -c --argjson a "$s0" --argjson b "$s1" --argjson l "$listed" \
					--argjson p "$(b_proc_sample "$B_CGT_PID")" \
					'. + {added: ($b.added - $a.added),
					      insert_failed: ($b.insert_failed - $a.insert_failed),
					      events_lost: ($b.events_lost - $a.events_lost),
					      listed_alive: $l, daemon: $p}' <<<"$out")
			fi
			b_rec burst "$c" "$r" <<<"$out"
			b_rmtree "$HIER/docker"
			rmdir "$HIER/docker"
			b_stop "$c"
		done
	done
}

# ---- 4b. idle: the daemon and bpftrace, measured while 3 and 4 run elsewhere ------
# Neither is woken by the other sections: the daemon's own hierarchy is left
# alone, and bpftrace's one-liner only writes a map.
IDLE_PID="" IDLE_S0="" IDLE_T0=0 IDLE_BT_S0=""
idle_start() {
	b_log "4. idle: ${IDLE_S}s; the daemon on its own untouched hierarchy (1,000 cgroups)"
	b_hier "${HIER_NAME}i" "$B_TMP/idle"
	b_drv "$BIN/cgbench" tree --root "$B_TMP/idle" --n 1000 >/dev/null || exit 1
	b_cgt_start "$PIN_IDLE" --cgroup-mode v1 --v1-controller "name=${HIER_NAME}i"
	IDLE_PID=$B_CGT_PID
	[ -n "$HAVE_BT" ] && b_start bpftrace
	sleep 2		# past the first sweep
	IDLE_S0=$(b_proc_sample "$IDLE_PID")
	[ -n "$HAVE_BT" ] && IDLE_BT_S0=$(b_proc_sample "${B_PID[bpftrace]}")
	IDLE_T0=$(now_ms)
}

idle_delta() {	# SAMPLE0 PID
	jq -cn --argjson a "$1" --argjson b "$(b_proc_sample "$2")" '
		($b.t_ns - $a.t_ns) as $dt
		| {seconds: ($dt / 1e9), cpu_ns: ($b.cpu_ns - $a.cpu_ns),
		   ticks: ($b.utime_stime_ticks - $a.utime_stime_ticks),
		   voluntary: ($b.vol - $a.vol), involuntary: ($b.invol - $a.invol),
		   hwm_kb: $b.hwm_kb, rss_kb: $b.rss_kb}'
}

idle_end() {
	local left=$((IDLE_T0 + IDLE_S * 1000 - $(now_ms)))
	[ "$left" -gt 0 ] && sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
	idle_delta "$IDLE_S0" "$IDLE_PID" | b_rec idle cgtrack 1
	if [ -n "$HAVE_BT" ]; then
		idle_delta "$IDLE_BT_S0" "${B_PID[bpftrace]}" | b_rec idle bpftrace 1
		b_maps_of_pid "${B_PID[bpftrace]}" | jq -c '{maps: .}' | b_rec memory bpftrace 0
		b_stop bpftrace
	fi
	b_kill "$IDLE_PID"
	"$CGT" unload --pin-dir "$PIN_IDLE" >/dev/null || b_die "cannot unload $PIN_IDLE"
	rss_socket
}

# ---- 4c. the daemon's memory once a runtime's API answered ---------------------------
# docker's bytes from a fake socket (tests/fakes/fake_runtime.py, the record
# directory out of reach): VmHWM once a container of the idle hierarchy was
# named by the API, so that the HTTP client and the JSON parser have run.
rss_socket() {
	local dir=$B_TMP/fakedocker pin=$PIN_IDLE-sock id fpid pid i
	local fixture=$ROOT/tests/fakes/docker/a0a0000000000000000000000000000000000000000000000000000000000001.json
	command -v python3 >/dev/null || { b_log "no python3: no memory row with a runtime socket"; return 0; }
	b_log "4c. the daemon's memory with docker's socket asked (a fake one)"
	id=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	mkdir -p "$dir/records"
	sed "s/a0a0000000000000000000000000000000000000000000000000000000000001/$id/g" \
		"$fixture" >"$dir/records/$id.json"
	setsid python3 "$ROOT/tests/fakes/fake_runtime.py" --socket "$dir/sock" --style docker \
		--dir "$dir/records" --log "$dir/log" >"$dir/out" 2>&1 </dev/null &
	fpid=$!
	B_PIDS+=("$fpid")
	for i in $(seq 1 100); do [ -S "$dir/sock" ] && break; sleep 0.05; done
	B_PINS+=("$pin")
	setsid "$CGT" run --pin-dir "$pin" --pidfile "$dir/pid" --cgroup-mode v1 \
		--v1-controller "name=${HIER_NAME}i" --runtime "docker:$dir/sock" \
		--runtime "docker-root:$dir/no-records" >"$dir/cgt.out" 2>"$dir/cgt.err" </dev/null &
	pid=$!
	B_PIDS+=("$pid")
	b_wait_file "$dir/pid" . 10 "$pid" || b_die "cgtrack run (docker socket) did not start"
	mkdir -p "$B_TMP/idle/docker/$id"
	for i in $(seq 1 200); do
		"$CGT" list --pin-dir "$pin" --json 2>/dev/null |
			jq -e 'any(.[]; .name == "fake-web")' >/dev/null && break
		sleep 0.05
	done
	[ "$i" -lt 200 ] || b_die "the fake docker socket's container was not named: $(tail -2 "$dir/cgt.err")"
	sleep 1
	b_proc_sample "$pid" | jq -c '{hwm_kb, rss_kb}' | b_rec memory cgtrack-socket 0
	b_kill "$pid"
	b_kill "$fpid"
	rmdir "$B_TMP/idle/docker/$id" "$B_TMP/idle/docker"
	"$CGT" unload --pin-dir "$pin" >/dev/null || b_die "cannot unload $pin"
}

# ---- 3. start-up -------------------------------------------------------------------
# load_once SIZE CAP RUN: `cgtrack load` until it exits (ready), then unload
load_once() {
	local t0 t1 err=$B_TMP/load.err
	t0=$(date +%s%N)
	"$CGT" load --pin-dir "$PIN_SU" --cgroup-mode v1 --v1-controller "name=$HIER_NAME" \
		--max-entries "$2" 2>"$err" >/dev/null || { cat "$err" >&2; b_die "cgtrack load failed"; }
	t1=$(date +%s%N)
	if [ "$1" = 0 ] && [ "$3" = 1 ]; then
		b_maps_memlock "$PIN_SU" | jq -c --argjson cap "$2" '{capacity: $cap, entries: 0, maps: .}' |
			b_rec memory maps 0
	fi
	"$CGT" unload --pin-dir "$PIN_SU" >/dev/null || b_die "cgtrack unload failed"
	sed -n 's/.* \([0-9]*\) cgroups walked, \([0-9]*\) in containers.*ready in \([0-9]*\) ms.*/\1 \2 \3/p' "$err" |
		{ read -r walked tracked ready
		  jq -cn --argjson us "$(((t1 - t0) / 1000))" --argjson w "${walked:-0}" \
			--argjson t "${tracked:-0}" --argjson rd "${ready:-0}" --argjson cap "$2" \
			'{ms: ($us / 1000), walked: $w, tracked: $t, ready_log_ms: $rd, capacity: $cap}'; }
}

find_once() {
	local t0 t1 n
	t0=$(date +%s%N)
	n=$(find "$HIER" -type d | wc -l)
	t1=$(date +%s%N)
	jq -cn --argjson us "$(((t1 - t0) / 1000))" --argjson n "$n" '{ms: ($us / 1000), dirs: $n}'
}

section_startup() {
	local size r tree tracked cap c
	b_log "3. start-up: trees of $SU_SIZES cgroups, $SU_RUNS run(s) each"
	for ((r = 1; r <= SU_RUNS; r++)); do
		load_once 0 16384 "$r" | b_rec startup cgtrack "$r" size=0 || exit 1
		find_once | b_rec startup find "$r" size=0
	done
	for size in $SU_SIZES; do
		tree=$(b_drv "$BIN/cgbench" tree --root "$HIER" --n "$size") || exit 1
		tracked=$(jq .tracked <<<"$tree")
		# the default capacity where it fits, else a power of two with room
		cap=16384
		while [ $((tracked * 5 / 4)) -gt "$cap" ]; do cap=$((cap * 2)); done
		b_rec tree tree 0 size="$size" capacity="$cap" <<<"$tree"
		# warm the dentries once, then alternate who goes first
		find "$HIER" -type d >/dev/null
		for ((r = 1; r <= SU_RUNS; r++)); do
			for c in $(rotate "$r" find cgtrack); do
				if [ "$c" = find ]; then
					find_once | b_rec startup find "$r" size="$size"
				else
					load_once "$size" "$cap" "$r" | b_rec startup cgtrack "$r" size="$size" ||
						exit 1
				fi
			done
		done
		b_rmtree "$HIER"
	done
}

# ---- 4. sweep ------------------------------------------------------------------------
# sweep_fill SIZE: a fresh cgtrack (1 h expiry) whose map holds SIZE dead
# entries (prints how many were added)
sweep_fill() {
	local size=$1 left n s0 s1
	"$CGT" load --pin-dir "$PIN_SU" --cgroup-mode v1 --v1-controller "name=$HIER_NAME" \
		--max-entries "$size" --expiry 3600s >/dev/null 2>"$B_TMP/load.err" ||
		{ cat "$B_TMP/load.err" >&2; b_die "cgtrack load failed"; }
	s0=$(b_pinstats "$PIN_SU")
	# dead entries stay until swept: make and remove in chunks
	for ((left = size; left > 0; left -= n)); do
		n=$((left < 5000 ? left : 5000))
		b_drv "$BIN/cgbench" burst --root "$HIER" --n "$n" --threads 1 >/dev/null || exit 1
		b_rmtree "$HIER/docker"
	done
	rmdir "$HIER/docker"
	s1=$(b_pinstats "$PIN_SU")
	jq -n --argjson a "$s0" --argjson b "$s1" '$b.added - $a.added'
}

section_sweep() {
	local size filled t0 t1
	b_log "4. sweep: maps of $SW_SIZES entries, all dead; in the kernel, then the fallback"
	for size in $SW_SIZES; do
		filled=$(sweep_fill "$size") || exit 1
		# with the map full: what allocated-on-insert maps cost at capacity
		[ "$size" != 1000 ] && b_maps_memlock "$PIN_SU" |
			jq -c --argjson cap "$size" --argjson n "$filled" \
				'{capacity: $cap, entries: $n, maps: .}' | b_rec memory maps 0
		# scan only (all still within the expiry), as the CLI, then delete all
		t0=$(date +%s%N)
		"$CGT" sweep --pin-dir "$PIN_SU" --expiry 3600s >/dev/null || b_die "cgtrack sweep failed"
		t1=$(date +%s%N)
		jq -cn --argjson us "$(((t1 - t0) / 1000))" '{ms: ($us / 1000)}' |
			b_rec sweep cli 1 size="$size" filled="$filled"
		# the baseline: one batched read of the map (the fallback's scan)
		b_drv "$BIN/sweeptime" "$PIN_SU" 3600000 user |
			b_rec sweep scan 1 size="$size" filled="$filled" || exit 1
		b_drv "$BIN/sweeptime" "$PIN_SU" 3600000 |
			b_rec sweep scan-kernel 1 size="$size" filled="$filled" || exit 1
		b_drv "$BIN/sweeptime" "$PIN_SU" 0 | b_rec sweep delete 1 size="$size" filled="$filled" ||
			exit 1
		"$CGT" unload --pin-dir "$PIN_SU" >/dev/null || b_die "cgtrack unload failed"
		# the fallback (kernels before 5.14/6.1, `cgtrack sweep` without CAP_BPF)
		filled=$(sweep_fill "$size") || exit 1
		b_drv "$BIN/sweeptime" "$PIN_SU" 0 user |
			b_rec sweep delete-user 1 size="$size" filled="$filled" || exit 1
		"$CGT" unload --pin-dir "$PIN_SU" >/dev/null || b_die "cgtrack unload failed"
	done
	if ! grep -q '"capacity":100000,"entries":0' "$RAW"; then
		"$CGT" load --pin-dir "$PIN_SU" --cgroup-mode v1 --v1-controller "name=$HIER_NAME" \
			--max-entries 100000 >/dev/null 2>&1 || b_die "cgtrack load failed"
		b_maps_memlock "$PIN_SU" | jq -c '{capacity: 100000, entries: 0, maps: .}' |
			b_rec memory maps 0
		"$CGT" unload --pin-dir "$PIN_SU" >/dev/null || b_die "cgtrack unload failed"
	fi
}

# ---- 7. the consumer lookup ----------------------------------------------------------
# A v1 hierarchy with a controller (the consumer kit reads the task's css
# of it): one of the host's, else net_cls mounted here (v1 only, so free).
# Sets CO_V1 (its mount) and CO_CTL (the controller).
co_v1_mount() {
	local c
	for c in pids cpuset memory devices freezer blkio net_cls; do
		CO_V1=$(awk -v c="$c" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") { print $2; exit }' \
			/proc/mounts)
		[ -n "$CO_V1" ] && { CO_CTL=$c; return 0; }
	done
	mkdir -p "$B_TMP/netcls"
	mount -t cgroup -o net_cls cgroup "$B_TMP/netcls" 2>/dev/null || return 1
	B_MOUNTS+=("$B_TMP/netcls")
	CO_V1=$B_TMP/netcls CO_CTL=net_cls
}

section_consumer() {
	local ctl="" base1="" dir1 dir2 mode modes=v2
	b_log "7. consumer lookup: $CO_ROUNDS round(s) of $CO_N syscalls per program, v2 and v1"
	# without a v1 controller to be had (a pure cgroup2 host whose kernel
	# has no net_cls), v2 only: a missing row, not a failed benchmark
	if co_v1_mount; then
		modes="v2 v1"
		ctl=$CO_CTL
		base1=$CO_V1/cgtrack-bench-$$
		mkdir -p "$base1/docker" || b_die "cannot make $base1"
		B_TREES+=("$base1")
	else
		b_log "no cgroup v1 controller to track: the consumer lookup in v2 only"
	fi
	mkdir -p "$V2BASE/docker" || b_die "cannot make $V2BASE/docker"
	for mode in $modes; do
		if [ "$mode" = v2 ]; then
			b_cgt_start "$PIN_CO" --cgroup-mode v2 --expiry 0
		else
			b_cgt_start "$PIN_CO" --cgroup-mode v1 --v1-controller "$ctl" --expiry 0
		fi
		# the driver's container: in both hierarchies, made while tracked
		dir2=$V2BASE/docker/$(hex64)
		dir1=$dir2
		[ -n "$base1" ] && dir1=$base1/docker/$(hex64)
		mkdir -p "$dir1" "$dir2" || b_die "cannot make the container cgroups"
		b_drv "$BIN/consumer" --pin-dir "$PIN_CO" --cgroup "$dir2" --cgroup "$dir1" \
			--n "$CO_N" --rounds "$CO_ROUNDS" |
			b_rec consumer "$mode" 0 controller="${ctl:-none}" || exit 1
		rmdir "$dir1" "$dir2" 2>/dev/null
		b_cgt_stop "$PIN_CO"
	done
}

# ---- run ------------------------------------------------------------------------------
want event && section_event
want throughput && section_throughput
want burst && section_burst
want idle && idle_start
want startup && section_startup
want sweep && section_sweep
want consumer && section_consumer
want idle && idle_end
# real runtimes, after the idle window (their containers are not in the
# idle daemon's hierarchy, but their daemons would load the machine)
NAMES_DONE=""
if want names; then
	if OUTPUT=$OUTPUT CGTRACK=$CGTRACK FIRSTEXEC=${FIRSTEXEC:-$OUTPUT/bench/bin/firstexec} \
		"$BENCH_SRC/names.sh" --out "$OUT" $([ "$QUICK" = 1 ] && echo --quick) \
		${BENCH_NAMES_N:+--n "$BENCH_NAMES_N"} \
		${BENCH_NAMES_BASELINE_N:+--baseline-n "$BENCH_NAMES_BASELINE_N"}; then
		NAMES_DONE=1
	else
		b_die "the names section failed (scripts/bench/names.sh)"
	fi
fi
# docker's churn and a fork+exec load (too long for a quick run)
WORKLOAD_DONE=""
if want workload && [ "$QUICK" != 1 ]; then
	OUTPUT=$OUTPUT CGTRACK=$CGT CGBENCH=$BIN/cgbench "$BENCH_SRC/workload.sh" --out "$OUT" \
		${BENCH_WORKLOAD_ROUNDS:+--rounds "$BENCH_WORKLOAD_ROUNDS"} ||
		b_die "the workload section failed (scripts/bench/workload.sh)"
	WORKLOAD_DONE=1
fi

# the environment, for whoever reads the numbers
others=$(bpftool -j link show 2>/dev/null | jq '[.[] | select(.tp_name? == "cgroup_mkdir")] | length')
META=$(jq -cn --arg kernel "$(uname -r)" --argjson quick "$QUICK" \
	--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--argjson ncpu "$(nproc)" --arg date "$DATE_START" \
	--arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$ROOT" diff --quiet HEAD -- bpf include loader 2>/dev/null || echo +changes)" \
	--arg bpftrace "$([ -n "$HAVE_BT" ] && bpftrace --version 2>/dev/null)" \
	--argjson others "${others:-0}" --argjson secs "$((($(date +%s%N) - T_START) / 1000000000))" \
	--arg load0 "$LOAD_START" --arg load1 "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--arg binary "$CGTRACK" --arg sections "$SECTIONS" \
	--argjson stats_sysctl "$(cat /proc/sys/kernel/bpf_stats_enabled)" \
	'{kernel: $kernel, cpu: $cpu, ncpu: $ncpu, date: $date, quick: ($quick == 1),
	  commit: $commit, binary: $binary, sections: $sections, bpftrace: $bpftrace,
	  seconds: $secs, loadavg_start: $load0, loadavg_end: $load1,
	  bpf_stats_sysctl: $stats_sysctl, other_mkdir_programs_attached: $others}')
mkdir -p "$OUT" || b_die "cannot make $OUT"
cp "$RAW" "$OUT/raw.jsonl"
jq -s --argjson meta "$META" -f "$BENCH_SRC/aggregate.jq" "$RAW" >"$OUT/results.json" ||
	b_die "cannot aggregate $RAW"
jq -r -f "$BENCH_SRC/table.jq" "$OUT/results.json" >"$OUT/results.md" ||
	b_die "cannot print the table"
# add_part NAME TITLE: OUT/NAME.json into results.json, NAME.md as a table
add_part() {
	[ -s "$OUT/$1.json" ] || return 0
	jq --arg k "$1" --slurpfile v "$OUT/$1.json" '. + {($k): $v[0]}' "$OUT/results.json" \
		>"$OUT/results.json.tmp" && mv "$OUT/results.json.tmp" "$OUT/results.json"
	{ echo; echo "$2:"; echo
	  echo "| Measure | cgtrack | Baseline (same run) | Ratio | Target | Result |"
	  echo "|---|---:|---:|---:|---|---|"
	  cat "$OUT/$1.md"; } >>"$OUT/results.md"
}
[ -n "$NAMES_DONE" ] && add_part names "Names at first exec (scripts/bench/names.sh)"
[ -n "$WORKLOAD_DONE" ] && add_part workload "Workload (scripts/bench/workload.sh)"
cat "$OUT/results.md"
b_log "raw: $OUT/raw.jsonl; results: $OUT/results.json, $OUT/results.md"
