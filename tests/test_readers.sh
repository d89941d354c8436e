#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Readers of the pins, in v1 and v2: the example consumer (execs counted
# per container in the kernel), both with the helper that points its maps
# at the pins and without it (libbpf's pin_root_path: the header's map
# definitions must equal the pinned ones), the tracee-style containers_map reader,
# bpftool's BTF-formatted dump, and `cgtrack get/find/pid/status`.
source "$(dirname "$0")/lib.sh"
t_init readers

EXAMPLES=${EXAMPLES_DIR:-$(dirname "$CGTRACK")/examples}

rand_id() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }

# run_in DIR CMD...: a child joins DIR, then execs CMD; waits for it
run_in() {
	local dir=$1
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}

# start_bg OUT CMD...: a background reader; waits for its first line
start_bg() {
	local out=$1
	shift
	# emptied here: the child's own redirection may come too late for the wait
	: >"$out"
	setsid "$@" >"$out" 2>"$out.err" &
	T_PIDS+=($!)
	BG_PID=$!
	t_wait_for "reader start" 5 test -s "$out"
}

stop_bg() {	# PID: SIGINT makes the examples print their tables
	kill -INT "$1" 2>/dev/null
	t_wait_gone "$1"
}

# A process with a second thread; prints "PID TID" once both run.
build_threader() {
	[ -x "$T_TMP/threader" ] && return 0
	cat >"$T_TMP/threader.c" <<'EOF'
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *worker(void *arg)
{
	printf("%d %d\n", getpid(), gettid());
	fflush(stdout);
	pause();
	return arg;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, worker, NULL);
	pause();
	return 0;
}
EOF
	cc -pthread -o "$T_TMP/threader" "$T_TMP/threader.c"
}

check_consumers() {	# MODE E C S: execcount and tracee_compat
	local mode=$1 e=$2 c=$3 s=$4 ec tc nh x
	start_bg "$T_TMP/execcount.out" "$EXAMPLES/execcount" --pin-dir "$T_PIN" ||
		{ t_fail "$mode: execcount starts" "$(cat "$T_TMP/execcount.out.err")"; return; }
	ec=$BG_PID
	start_bg "$T_TMP/tracee.out" "$EXAMPLES/tracee_compat" --pin-dir "$T_PIN" ||
		{ t_fail "$mode: tracee_compat starts" "$(cat "$T_TMP/tracee.out.err")"; return; }
	tc=$BG_PID
	start_bg "$T_TMP/nohelper.out" "$EXAMPLES/execcount" --no-helper --pin-dir "$T_PIN" ||
		{ t_fail "$mode: execcount --no-helper starts" "$(cat "$T_TMP/nohelper.out.err")"; return; }
	nh=$BG_PID

	run_in "$e" /bin/true
	run_in "$c" /bin/true
	run_in "$c" /bin/true
	run_in "$c" /bin/true
	/bin/true
	/bin/true
	# two execs in a new mount namespace: the first starts it
	run_in "$s" unshare -m /bin/sh -c 'exec /bin/true'

	stop_bg "$ec"
	stop_bg "$tc"
	stop_bg "$nh"
	t_eq "$mode: execcount: 3 execs in container C" "3" \
		"$(awk -v id="$C_ID" '$2 == id { print $1 }' "$T_TMP/execcount.out")"
	t_eq "$mode: execcount: 1 exec in container E" "1" \
		"$(awk -v id="$E_ID" '$2 == id { print $1 }' "$T_TMP/execcount.out")"
	# unshare, then sh in the new mount namespace, then true
	t_eq "$mode: execcount: 3 execs in container S" "3" \
		"$(awk -v id="$S_ID" '$2 == id { print $1 }' "$T_TMP/execcount.out")"
	t_eq "$mode: execcount: host execs counted as the host" "yes" \
		"$(awk '$2 == "(host)" && $1 >= 2 { print "yes" }' "$T_TMP/execcount.out")"
	# without the helper: the same counts (the README's by-hand route)
	for x in "C 3 $C_ID" "E 1 $E_ID" "S 3 $S_ID"; do
		set -- $x
		t_eq "$mode: execcount --no-helper: $2 exec(s) in container $1" "$2" \
			"$(awk -v id="$3" '$2 == id { print $1 }' "$T_TMP/nohelper.out")"
	done

	t_eq "$mode: tracee-style reader: EXISTED" "CONTAINER_EXISTED" \
		"$(awk -v k="$(t_ino "$e")" '$1 == k { print $2 }' "$T_TMP/tracee.out")"
	t_eq "$mode: tracee-style reader: CREATED" "CONTAINER_CREATED" \
		"$(awk -v k="$(t_ino "$c")" '$1 == k { print $2 }' "$T_TMP/tracee.out")"
	t_eq "$mode: tracee-style reader: STARTED" "CONTAINER_STARTED" \
		"$(awk -v k="$(t_ino "$s")" '$1 == k { print $2 }' "$T_TMP/tracee.out")"
	# for a failure's log (run.sh shows stderr)
	{ echo "$mode: keys E $(t_ino "$e") C $(t_ino "$c") S $(t_ino "$s")"
	  cat "$T_TMP/execcount.out" "$T_TMP/tracee.out" "$T_TMP/nohelper.out" \
		"$T_TMP/nohelper.out.err"; } >&2
	t_eq "$mode: no pin appeared for the readers' own maps" "" \
		"$(ls "$T_PIN" | grep -v -x -e config -e containers -e containers_map \
			-e events -e filter -e info -e links -e mntns_pids -e pending -e stats)"
}

check_bpftool() {	# MODE C: BTF makes bpftool print names and strings
	local mode=$1 c=$2 v
	v=$(bpftool -j map dump pinned "$T_PIN/containers" |
		jq -c --argjson k "$(t_ino "$c")" '.[] | select(.formatted.key == $k) | .formatted.value')
	t_eq "$mode: bpftool: container_id is a string" "$C_ID" "$(jq -r .container_id <<<"$v")"
	t_eq "$mode: bpftool: runtime enum by name" "CGTRACK_RT_DOCKER" "$(jq -r .runtime <<<"$v")"
	t_eq "$mode: bpftool: state enum by name" "CGTRACK_STATE_CREATED" "$(jq -r .state <<<"$v")"
	t_eq "$mode: bpftool: field names" \
		"cgroup_id container_id created_ns hierarchy_id pod_uid removed_ns root root_cgroup_id" \
		"$(jq -r '[keys[] | select(startswith("__") | not)] - ["runtime","state"] | join(" ")' <<<"$v")"
	t_true "$mode: bpftool: plain dump shows the id" \
		grep -q "\"container_id\": \"$C_ID\"" <(bpftool map dump pinned "$T_PIN/containers")
}

check_get() {	# MODE C
	local mode=$1 key out rc
	key=$(t_ino "$2")
	out=$(cgt get "$key" --json)
	t_eq "$mode: get KEY" "$C_ID" "$(jq -r .container_id <<<"$out")"
	# the same low 32 bits with other high bits: another cgroup
	out=$(cgt get $(( (1 << 32) + key )) 2>&1)
	rc=$?
	t_eq "$mode: get of a 64-bit id whose key holds another cgroup" "1 not tracked" \
		"$rc $(grep -o 'not tracked' <<<"$out")"
	cgt get 1 >/dev/null 2>&1
	t_eq "$mode: get of an untracked cgroup exits 1" "1" "$?"
	cgt get abc >/dev/null 2>&1
	t_eq "$mode: get of a non-number exits 2" "2" "$?"
}

check_find() {	# MODE C SUB
	local mode=$1 out rc
	out=$(cgt find "$C_ID" --json)
	t_eq "$mode: find full id: own cgroup first, then the sub-cgroup" \
		"$(t_ino "$2") $(t_ino "$3")" "$(jq -r 'map(.cgroup_id) | join(" ")' <<<"$out")"
	out=$(cgt find "$(tr a-f A-F <<<"${C_ID:0:12}")" --json)
	t_eq "$mode: find short id, upper case" "$C_ID" \
		"$(jq -r 'map(.container_id) | unique | join(" ")' <<<"$out")"
	out=$(cgt find "$AMB" --json 2>"$T_TMP/find.err")
	rc=$?
	t_eq "$mode: find ambiguous prefix: exit 1, [] and the candidates in the JSON error" \
		"1 [] $A1_ID $A2_ID" "$rc $out $(jq -r '.candidates | sort | join(" ")' "$T_TMP/find.err")"
	t_true "$mode: find ambiguous prefix says so" grep -q "ambiguous: 2 containers" "$T_TMP/find.err"
	cgt find "${A1_ID:0:14}" >/dev/null 2>&1
	t_eq "$mode: find a longer prefix: unique" "0" "$?"
	cgt find "ffffffff$(rand_id | cut -c1-20)" >/dev/null 2>&1
	t_eq "$mode: find missing id exits 1" "1" "$?"
}

check_pid() {	# MODE HIER C
	local mode=$1 hier=$2 c=$3 sp out rc pt
	sleep 1000 &
	sp=$!
	T_PIDS+=("$sp")
	echo "$sp" >"$c/cgroup.procs"
	out=$(cgt pid "$sp" --json)
	t_eq "$mode: pid of a process in a container" "$C_ID true" \
		"$(jq -r '"\(.container_id) \(.tracked)"' <<<"$out")"
	cgt pid $$ >/dev/null 2>&1
	t_eq "$mode: pid of a host process exits 1" "1" "$?"
	cgt pid 999999999 >/dev/null 2>&1
	t_eq "$mode: pid of no process exits 1" "1" "$?"
	kill "$sp"

	build_threader || { t_fail "$mode: build the thread helper" "cc failed"; return; }
	: >"$T_TMP/threader.out"
	setsid "$T_TMP/threader" >"$T_TMP/threader.out" &
	T_PIDS+=($!)
	t_wait_for "threader" 5 test -s "$T_TMP/threader.out"
	read -r sp pt <"$T_TMP/threader.out"
	if [ "$mode" = v1 ]; then
		# v1: a thread may live in another cgroup than its process
		echo "$pt" >"$c/tasks"
		out=$(cgt pid "$sp" "$pt" --json)
		t_eq "$mode: pid PID TID: the thread's container" "$C_ID" \
			"$(jq -r .container_id <<<"$out")"
		cgt pid "$sp" >/dev/null 2>&1
		t_eq "$mode: pid PID: the process stays on the host" "1" "$?"
	else
		echo "$sp" >"$c/cgroup.procs"
		out=$(cgt pid "$sp" "$pt" --json)
		t_eq "$mode: pid PID TID" "$C_ID $pt" "$(jq -r '"\(.container_id) \(.tid)"' <<<"$out")"
	fi
	cgt pid "$sp" 1 >/dev/null 2>&1
	t_eq "$mode: pid with a TID of another process exits 1" "1" "$?"
	kill "$sp"
}

check_status() {	# MODE
	local mode=$1 out rc
	out=$(cgt status --json)
	rc=$?
	t_eq "$mode: status: healthy, exit 0" "0 true" "$rc $(jq -r .healthy <<<"$out")"
	t_eq "$mode: status: mode" "$mode" "$(jq -r .mode <<<"$out")"
	t_eq "$mode: status: the daemon is found" "$T_DAEMON_PID" "$(jq -r '.daemon_pids[0]' <<<"$out")"
	t_eq "$mode: status: four programs attached" "4" \
		"$(jq '[.programs[] | select(.attached)] | length' <<<"$out")"
	t_eq "$mode: status: counters" "yes" \
		"$(jq -r 'if .counters.added >= 4 and .counters.existed_added >= 1 then "yes" else .counters end' <<<"$out")"
	t_eq "$mode: status: entries" "yes" \
		"$(jq -r 'if .entries >= 5 and .capacity == 16384 then "yes" else "\(.entries)/\(.capacity)" end' <<<"$out")"
	t_true "$mode: status: text output" grep -q "^health: *ok" <(cgt status)
}

check_mode() {	# MODE HIER [run options]
	local mode=$1 hier=$2 e c s sub out
	shift 2
	E_ID=$(rand_id) C_ID=$(rand_id) S_ID=$(rand_id)
	AMB=$(rand_id | cut -c1-10)
	A1_ID=${AMB}0$(rand_id | cut -c1-53) A2_ID=${AMB}1$(rand_id | cut -c1-53)
	e=$(t_mkdir "$hier" "docker/$E_ID")	# before loading: EXISTED
	t_daemon_start --cgroup-mode "$mode" --no-enrich --containers-map "$@" ||
		{ t_fail "$mode: start" "see log"; return; }
	c=$(t_mkdir "$hier" "docker/$C_ID")
	sub=$(t_mkdir "$hier" "docker/$C_ID/sub")
	s=$(t_mkdir "$hier" "docker/$S_ID")
	t_mkdir "$hier" "docker/$A1_ID" "docker/$A2_ID" >/dev/null

	check_consumers "$mode" "$e" "$c" "$s"
	check_bpftool "$mode" "$c"
	check_get "$mode" "$c"
	check_find "$mode" "$c" "$sub"
	check_pid "$mode" "$hier" "$c"
	check_status "$mode"

	t_daemon_stop
	out=$(cgt status --json)
	t_eq "$mode: status without the daemon: still healthy, warns" "0 true" \
		"$? $(jq -r '.warnings | any(test("no daemon"))' <<<"$out")"
	cgt unload >/dev/null
	cgt status >/dev/null 2>&1
	t_eq "$mode: status with nothing loaded exits 1" "1" "$?"
	t_rm_cgroup_tree "$(t_base "$hier")/docker"
}

# a full map: status fails, and says why
check_full() {
	local base out rc
	base=$(t_base v2)
	"$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 --max-entries 2 >/dev/null 2>&1 ||
		{ t_fail "full: load" "cgtrack load failed"; return; }
	t_mkdir v2 "docker/$(rand_id)" "docker/$(rand_id)" "docker/$(rand_id)" >/dev/null
	out=$(cgt status --json)
	rc=$?
	t_eq "full map: status exits 1, says full, counts the failed insert" "1 true true true" \
		"$rc $(jq -r '(.problems | any(test("full"))), (.problems | any(test("[0-9]+ inserts failed"))), (.missing >= 1)' <<<"$out" | xargs)"
	# another capacity than the header's default: both routes size to it
	out=$("$EXAMPLES/execcount" --pin-dir "$T_PIN" --duration 1 2>&1)
	t_eq "--max-entries 2: execcount (helper) loads" "0" "$?"
	out=$("$EXAMPLES/execcount" --no-helper --pin-dir "$T_PIN" --duration 1 2>&1)
	t_eq "--max-entries 2: execcount --no-helper loads" "0 " "$? $(grep libbpf <<<"$out" | head -1)"
	# loaded without --containers-map: the tracee-style reader is told why it gets nothing
	out=$("$EXAMPLES/tracee_compat" --pin-dir "$T_PIN" --duration 1 2>&1)
	t_eq "without --containers-map: tracee_compat exits 1, says to pass it" "1 yes" \
		"$? $(grep -q 'run it with --containers-map' <<<"$out" && echo yes)"
	cgt unload >/dev/null
	t_rm_cgroup_tree "$base/docker"
}

for x in execcount tracee_compat; do
	[ -x "$EXAMPLES/$x" ] || { t_fail "examples built" "no $EXAMPLES/$x (make)"; exit 1; }
done
if [ -n "$(t_hier cpuset)" ]; then
	check_mode v1 cpuset --v1-controller cpuset
else
	t_skip "v1" "no cpuset hierarchy mounted"
fi
check_mode v2 v2
check_full

# without cgtrack, consumers refuse to load and leave no pin behind
for x in execcount tracee_compat "execcount --no-helper"; do
	# shellcheck disable=SC2086
	out=$("$EXAMPLES/"$x --pin-dir "$T_PIN" --duration 1 2>&1)
	t_eq "$x without cgtrack: exit 1, says so, pins nothing" "1 yes no" \
		"$? $(grep -q 'is cgtrack loaded' <<<"$out" && echo yes) $([ -e "$T_PIN" ] && echo yes || echo no)"
done
