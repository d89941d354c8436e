# SPDX-License-Identifier: Apache-2.0
# Helpers of scripts/bench/run.sh: what the benchmark starts and makes is
# registered here and undone by b_cleanup (an EXIT trap), even on failure:
# processes (by pid), pins (`cgtrack unload`), cgroups and mounts (tracefs
# too, if we mounted it). The run-time statistics of BPF programs are
# switched on by the driver that reads them (BPF_ENABLE_STATS, for as long
# as it runs), so the kernel.bpf_stats_enabled sysctl is left alone.
#
# Contenders: "none", "floor" (empty tp_btf programs), "cgtrack" (the
# daemon on the private v1 hierarchy), "cgtrack-v2" (the daemon on cgroup2,
# for exec), "bpftrace" (scripts/bench/alt.bt). b_start NAME / b_stop NAME;
# after b_start, B_PROGS holds the --prog LABEL=ID arguments for cgbench.

B_PIDS=()		# processes we started (killed by pid)
B_PINS=()		# pin dirs (cgtrack unload)
B_TREES=()		# cgroup dirs: everything below is removed, then the dir
B_MOUNTS=()		# our mounts, unmounted last
B_PROGS=()
declare -A B_PID=()	# contender -> pid

b_log() { printf '# %s\n' "$*" >&2; }
b_die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

b_init() {
	B_TMP=$(mktemp -d /tmp/cgtrack-bench.XXXXXX)
	trap b_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	grep -qs " /sys/fs/bpf bpf " /proc/mounts || mount -t bpf bpf /sys/fs/bpf ||
		b_die "bpffs is not mounted on /sys/fs/bpf"
}

# b_wait_gone PID: bounded wait, then SIGKILL
b_wait_gone() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

b_kill() {	# PID
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	b_wait_gone "$1"
}

b_cleanup() {
	local p d m rc=$?
	trap - EXIT
	for p in "${B_PIDS[@]}"; do b_kill "$p"; done
	for d in "${B_PINS[@]}"; do
		[ -e "$d" ] && "$CGT" unload --pin-dir "$d" >/dev/null 2>&1
	done
	for ((p = ${#B_TREES[@]} - 1; p >= 0; p--)); do
		d=${B_TREES[p]}
		[ -d "$d" ] || continue
		b_rmtree "$d"
		[ -n "$(b_mount_of "$d")" ] || rmdir "$d" 2>/dev/null
	done
	for ((p = ${#B_MOUNTS[@]} - 1; p >= 0; p--)); do
		m=${B_MOUNTS[p]}
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	# what a failed run had measured, for whoever looks into it
	if [ "$rc" != 0 ] && [ -s "${RAW:-}" ] && [ -n "${OUT:-}" ] && mkdir -p "$OUT"; then
		cp "$RAW" "$OUT/raw.partial.jsonl" && b_log "partial results: $OUT/raw.partial.jsonl"
	fi
	[ -n "${B_TMP:-}" ] && rm -rf "$B_TMP"
	return $rc
}

# Is DIR a mount point of ours? (prints it)
b_mount_of() { local m; for m in "${B_MOUNTS[@]}"; do [ "$m" = "$1" ] && echo "$m"; done; }

# Remove every cgroup below DIR (killing what still runs in them).
b_rmtree() {
	local d p
	[ -d "$1" ] || return 0
	"$BIN/cgbench" rmtree "$1" 2>/dev/null && return 0
	find "$1" -mindepth 1 -depth -type d 2>/dev/null | while read -r d; do
		if [ -s "$d/cgroup.procs" ]; then
			while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$d/cgroup.procs"
			sleep 0.1
		fi
		rmdir "$d" 2>/dev/null
	done
}

# A private named v1 hierarchy: nothing else on the host makes cgroups in
# it. b_hier NAME DIR
b_hier() {
	mkdir -p "$2"
	mount -t cgroup -o "none,name=$1" cgroup "$2" || b_die "cannot mount a named cgroup hierarchy"
	B_MOUNTS+=("$2")
	B_TREES+=("$2")
}

# Pins and cgroup2 dirs left by a bench that was killed (its pid is gone).
b_reap_stale() {
	local d pid
	for d in /sys/fs/bpf/cgtrack-bench-*; do
		[ -e "$d" ] || continue
		pid=${d#/sys/fs/bpf/cgtrack-bench-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		b_log "removing the pins of a killed benchmark: $d"
		"$CGT" unload --pin-dir "$d" >/dev/null 2>&1
	done
	for d in "$V2"/cgtrack-bench-*; do
		[ -d "$d" ] || continue
		pid=${d#"$V2"/cgtrack-bench-}
		kill -0 "$pid" 2>/dev/null && continue
		b_rmtree "$d"
		rmdir "$d" 2>/dev/null
	done
}

# ---- contenders -------------------------------------------------------------

# b_prog_ids_of_pid PID: "ID NAME" of the BPF programs a process holds
b_prog_ids_of_pid() {
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		id=$(awk '$1 == "prog_id:" { print $2 }' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		echo "$id $(bpftool -j prog show id "$id" | jq -r .name)"
	done | sort -u
}

b_link_prog() {	# PIN_DIR LINK: the program id behind a pinned link
	bpftool -j link show pinned "$1/links/$2" | jq -r .prog_id
}

# b_wait_file FILE PATTERN SECONDS PID: until FILE has PATTERN
b_wait_file() {
	local i n=$(($3 * 20))
	for ((i = 0; i < n; i++)); do
		grep -qs "$2" "$1" && return 0
		kill -0 "$4" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# The cgtrack daemon: b_cgt_start PIN_DIR ARGS... (pid in B_CGT_PID; its
# output in $B_TMP/<pin dir name>.out and .err)
b_cgt_start() {
	local pin=$1 log=$B_TMP/${1##*/} i
	shift
	local pidfile=$B_TMP/${pin##*/}.pid
	rm -f "$pidfile"
	B_PINS+=("$pin")
	setsid "$CGT" run --pin-dir "$pin" --pidfile "$pidfile" --no-enrich "$@" \
		>>"$log.out" 2>>"$log.err" </dev/null &
	B_CGT_PID=$!
	B_PIDS+=("$B_CGT_PID")
	for i in $(seq 1 400); do
		[ -s "$pidfile" ] && return 0
		kill -0 "$B_CGT_PID" 2>/dev/null || break
		sleep 0.025
	done
	tail -5 "$log.err" >&2
	b_die "cgtrack run did not become ready"
}

b_cgt_stop() {	# PIN_DIR
	kill -0 "$B_CGT_PID" 2>/dev/null ||
		b_log "the cgtrack daemon on $1 had died: $(tail -2 "$B_TMP/${1##*/}.err" 2>/dev/null)"
	b_kill "$B_CGT_PID"
	B_CGT_PID=""
	"$CGT" unload --pin-dir "$1" >/dev/null || b_die "cgtrack unload --pin-dir $1 failed"
}

b_start() {	# CONTENDER
	local id name i
	B_PROGS=()
	case $1 in
	none) ;;
	floor)
		"$BIN/floorload" "$BIN/floor.bpf.o" >"$B_TMP/floor.out" 2>&1 </dev/null &
		B_PID[floor]=$!
		B_PIDS+=("$!")
		b_wait_file "$B_TMP/floor.out" '^ready' 10 "${B_PID[floor]}" ||
			b_die "floorload: $(cat "$B_TMP/floor.out")"
		while read -r name id; do
			[ "$name" = ready ] && continue
			B_PROGS+=(--prog "${name#floor_}=$id")
		done <"$B_TMP/floor.out"
		;;
	cgtrack)
		# shellcheck disable=SC2086
		b_cgt_start "$PIN_V1" --cgroup-mode v1 \
			--v1-controller "name=$HIER_NAME" --expiry 0 ${BENCH_CGTRACK_ARGS:-}
		B_PID[cgtrack]=$B_CGT_PID
		for name in mkdir rmdir exec exit; do
			id=$(b_link_prog "$PIN_V1" "$(b_tp "$name")") || b_die "no link pin"
			B_PROGS+=(--prog "$name=$id")
		done
		;;
	cgtrack-v2)
		b_cgt_start "$PIN_V2" --cgroup-mode v2 --expiry 0
		B_PID[cgtrack-v2]=$B_CGT_PID
		for name in mkdir rmdir exec exit; do
			id=$(b_link_prog "$PIN_V2" "$(b_tp "$name")") || b_die "no link pin"
			B_PROGS+=(--prog "$name=$id")
		done
		;;
	bpftrace)
		bpftrace "$BENCH_SRC/alt.bt" >"$B_TMP/bt.out" 2>"$B_TMP/bt.err" </dev/null &
		B_PID[bpftrace]=$!
		B_PIDS+=("$!")
		b_wait_file "$B_TMP/bt.out" '^ready' 60 "${B_PID[bpftrace]}" ||
			b_die "bpftrace did not start: $(tail -3 "$B_TMP/bt.err")"
		# its programs, from the fds it holds (a moment after "ready" at most)
		for i in $(seq 1 50); do
			B_PROGS=()
			while read -r id name; do
				case $name in
				cgroup_mkdir|cgroup_rmdir)
					case " ${B_PROGS[*]} " in *" ${name#cgroup_}="*) continue ;; esac
					B_PROGS+=(--prog "${name#cgroup_}=$id") ;;
				esac
			done < <(b_prog_ids_of_pid "${B_PID[bpftrace]}")
			[ ${#B_PROGS[@]} = 4 ] && break
			sleep 0.1
		done
		[ ${#B_PROGS[@]} = 4 ] || b_die "cannot find bpftrace's programs"
		;;
	*) b_die "unknown contender $1" ;;
	esac
}

b_stop() {	# CONTENDER
	case $1 in
	none) ;;
	floor|bpftrace) b_kill "${B_PID[$1]}" ;;
	cgtrack) b_cgt_stop "$PIN_V1" ;;
	cgtrack-v2) b_cgt_stop "$PIN_V2" ;;
	esac
	B_PROGS=()
}

# b_alive CONTENDER: is it still there (process, and for cgtrack its link pins)?
b_alive() {
	case $1 in
	floor|bpftrace) kill -0 "${B_PID[$1]}" 2>/dev/null ;;
	cgtrack) [ -e "$PIN_V1/links/cgroup_mkdir" ] ;;
	cgtrack-v2) [ -e "$PIN_V2/links/sched_process_exec" ] ;;
	esac
}

# b_why CONTENDER: what became of it (after a driver failed), for the log
b_why() {
	local pid rc
	case $1 in
	floor|bpftrace) pid=${B_PID[$1]} ;;
	cgtrack|cgtrack-v2) pid=$B_CGT_PID ;;
	*) return 0 ;;
	esac
	if kill -0 "$pid" 2>/dev/null; then
		b_log "$1 (pid $pid) still runs; its programs: $(bpftool prog show 2>/dev/null |
			grep -c " name \(floor\|cgtrack\)_")"
	else
		wait "$pid" 2>/dev/null
		rc=$?
		b_log "$1 (pid $pid) is gone, exit status $rc$([ "$rc" -gt 128 ] &&
			echo " (signal $((rc - 128)))")"
	fi
	case $1 in cgtrack) ls "$PIN_V1/links" >&2 ;; cgtrack-v2) ls "$PIN_V2/links" >&2 ;; esac
}

b_tp() {	# mkdir|rmdir|exec|exit: the link pin's name
	case $1 in
	mkdir) echo cgroup_mkdir ;; rmdir) echo cgroup_rmdir ;;
	exec) echo sched_process_exec ;; exit) echo sched_process_exit ;;
	esac
}

# ---- records ----------------------------------------------------------------

# b_rec SECTION CONTENDER ROUND [key=value...] < JSON: one line in raw.jsonl
b_rec() {
	local s=$1 c=$2 r=$3 extra='{}' kv
	shift 3
	for kv in "$@"; do
		extra=$(jq -c --arg k "${kv%%=*}" --arg v "${kv#*=}" \
			'. + {($k): ($v | tonumber? // $v)}' <<<"$extra")
	done
	jq -c --arg s "$s" --arg c "$c" --argjson r "$r" --argjson x "$extra" \
		'{section: $s, contender: $c, round: $r} + . + $x' >>"$RAW" ||
		b_die "a driver printed no JSON ($s/$c)"
}

# b_drv CMD...: a driver that must succeed; its JSON on stdout
b_drv() {
	local out
	out=$("$@") || b_die "driver failed: $*"
	[ -n "$out" ] || b_die "driver printed nothing: $*"
	printf '%s\n' "$out"
}

# b_pinstats PIN_DIR: cgtrack's counters (summed over CPUs) as one JSON
# object, named after enum cgtrack_stat in the ABI header (lower case).
b_pinstats() {
	local names
	names=$(awk '/^enum cgtrack_stat \{/ { on = 1; next } on && /^\};/ { exit }
		on && match($0, /CGTRACK_STAT_[A-Z_]+/) {
			n = tolower(substr($0, RSTART + 13, RLENGTH - 13))
			if (n != "max") printf "%s\"%s\"", (c++ ? "," : ""), n }' \
		"$ROOT/include/cgtrack/abi.h")
	bpftool -j map dump pinned "$1/stats" | jq -c --argjson n "[$names]" '
		map(.formatted | {key: $n[.key], value: (.values | map(.value) | add)})
		| map(select(.key != null)) | from_entries'
}

# b_proc_sample PID: {"t_ns","cpu_ns","vol","invol","hwm_kb","rss_kb"} over all threads
b_proc_sample() {
	local pid=$1 t cpu=0 vol=0 invol=0 f x
	t=$(date +%s%N)
	for f in /proc/"$pid"/task/*; do
		read -r x _ <"$f/schedstat" && cpu=$((cpu + x))
		x=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "$f/status") && vol=$((vol + x))
		x=$(awk '/^nonvoluntary_ctxt_switches/ { print $2 }' "$f/status") && invol=$((invol + x))
	done
	jq -cn --argjson t "$t" --argjson cpu "$cpu" --argjson vol "$vol" --argjson invol "$invol" \
		--argjson hwm "$(awk '/^VmHWM/ { print $2 }' /proc/"$pid"/status)" \
		--argjson rss "$(awk '/^VmRSS/ { print $2 }' /proc/"$pid"/status)" \
		--argjson ticks "$(awk '{ print $14 + $15 }' /proc/"$pid"/stat)" \
		'{t_ns: $t, cpu_ns: $cpu, vol: $vol, invol: $invol, hwm_kb: $hwm, rss_kb: $rss,
		  utime_stime_ticks: $ticks}'
}

# b_maps_of_pid PID: {"map name": bytes_memlock} of the maps a process holds
b_maps_of_pid() {
	local f id
	for f in /proc/"$1"/fdinfo/*; do
		id=$(awk '$1 == "map_id:" { print $2 }' "$f" 2>/dev/null)
		[ -n "$id" ] && bpftool -j map show id "$id"
	done | jq -sc 'unique_by(.id) | map({key: "\(.name)#\(.id)", value: .bytes_memlock})
		| from_entries'
}

# b_maps_memlock PIN_DIR: {"map": bytes_memlock, ...}
b_maps_memlock() {
	local m out='{}'
	for m in containers containers_map info config stats events mntns_pids pending filter; do
		[ -e "$1/$m" ] || continue
		out=$(jq -c --arg m "$m" --argjson b "$(bpftool -j map show pinned "$1/$m" |
			jq .bytes_memlock)" '. + {($m): $b}' <<<"$out")
	done
	echo "$out"
}
