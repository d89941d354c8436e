# SPDX-License-Identifier: Apache-2.0
# Shared by the shell tests: a private pin directory, a private cgroup
# subtree in each hierarchy used, daemons tracked by pid, and assertions
# that print both sides. Everything is undone by t_cleanup (an EXIT trap).
#
#   source "$(dirname "$0")/lib.sh"; t_init NAME
#   t_daemon_start --cgroup-mode v2 ...; t_mkdir v2 docker/<id>; ...
#   t_eq "docker id" "$want" "$got"

set -u
TESTS_DIR=${TESTS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
CGTRACK=${CGTRACK:-$TESTS_DIR/../build/cgtrack}
T_NAME=""
T_PIN=""
T_TMP=""
T_PIDS=()	# processes we started
T_DAEMON_PID=""
T_FAILED=0

t_init() {	# NAME
	T_NAME=$1
	T_TMP=$(mktemp -d "/tmp/cgtrack-$T_NAME.XXXXXX")
	T_PIN="/sys/fs/bpf/cgtrack-test-$T_NAME-$$"
	grep -qs " /sys/fs/bpf bpf " /proc/mounts || mount -t bpf bpf /sys/fs/bpf
	trap t_cleanup EXIT
	trap 'exit 130' INT TERM
}

t_ok() { echo "ok - $T_NAME: $1"; }
t_skip() { echo "skip - $T_NAME: $1: $2"; }
t_fail() { echo "not ok - $T_NAME: $1: $2"; T_FAILED=1; }

t_eq() {	# WHAT EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then
		t_ok "$1"
	else
		t_fail "$1" "expected '$2', got '$3'"
	fi
}

t_true() {	# WHAT CMD...: ok if the command succeeds
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then t_ok "$what"; else t_fail "$what" "failed: $*"; fi
}

# Hierarchy mount for a mode: v2 (cgroup2) or a v1 controller name.
t_hier() {
	case "$1" in
	v2) awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts ;;
	*) awk -v c="$1" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") { print $2; exit }' /proc/mounts ;;
	esac
}

# t_base HIER: our private parent in that hierarchy (created on first use)
t_base() {
	local root base
	root=$(t_hier "$1")
	[ -n "$root" ] || { echo "no $1 hierarchy mounted" >&2; return 1; }
	base="$root/cgt-$T_NAME-$$"
	if [ ! -d "$base" ]; then
		mkdir "$base"
		# (a file, not an array: we are often in a $(...) subshell)
		echo "$base" >>"$T_TMP/subtrees"
		# v1 cpuset: children need cpus and mems before tasks can join
		[ -f "$base/cpuset.cpus" ] && {
			cat "$root/cpuset.cpus" >"$base/cpuset.cpus"
			cat "$root/cpuset.mems" >"$base/cpuset.mems"
			echo 1 >"$base/cgroup.clone_children"
		}
	fi
	echo "$base"
}

# t_mkdir HIER REL...: mkdir -p under our parent; prints the last full path
t_mkdir() {
	local hier=$1 base p
	shift
	base=$(t_base "$hier") || return 1
	for p in "$@"; do mkdir -p "$base/$p"; done
	echo "$base/$p"
}

# t_rel HIER FULLPATH: the path relative to the hierarchy root
t_rel() { local root; root=$(t_hier "$1"); echo "${2#"$root"}"; }

t_ino() { stat -c %i "$1"; }

# t_daemon_start ARGS...: cgtrack run on our pin dir, waits until ready
t_daemon_start() {
	local i
	rm -f "$T_TMP/pid"
	setsid "$CGTRACK" run --pin-dir "$T_PIN" --pidfile "$T_TMP/pid" "$@" \
		>>"$T_TMP/daemon.out" 2>>"$T_TMP/daemon.err" &
	T_DAEMON_PID=$!
	T_PIDS+=("$T_DAEMON_PID")
	for i in $(seq 1 300); do
		[ -s "$T_TMP/pid" ] && return 0
		kill -0 "$T_DAEMON_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "cgtrack run did not become ready:" >&2
	tail -5 "$T_TMP/daemon.err" >&2
	return 1
}

t_daemon_stop() {	# [SIGNAL]
	[ -n "$T_DAEMON_PID" ] || return 0
	kill "-${1:-TERM}" "$T_DAEMON_PID" 2>/dev/null
	t_wait_gone "$T_DAEMON_PID"
	T_DAEMON_PID=""
}

t_wait_gone() {	# PID: bounded wait for a process to exit
	local i
	for i in $(seq 1 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null
	sleep 0.1
}

cgt() { "$CGTRACK" "$@" --pin-dir "$T_PIN"; }

# t_entry KEY: the entry (JSON, from cgtrack list) with that key, or ""
t_entry() { cgt list --json | jq -c --argjson k "$1" '.[] | select(.key == $k)'; }
# t_field KEY FIELD: one field of an entry ("absent" if no entry)
t_field() {
	local e
	e=$(t_entry "$1")
	[ -n "$e" ] && jq -r ".$2" <<<"$e" || echo absent
}

# t_wait_for WHAT TIMEOUT_S CMD...: retry until CMD succeeds
t_wait_for() {
	local what=$1 n=$(( $2 * 20 )) i
	shift 2
	for i in $(seq 1 "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# t_wait_eq WHAT SECS EXPECTED CMD...: wait until CMD prints EXPECTED.
# (`t_wait_for ... test "$(cmd)" = x` would expand cmd once, before waiting.)
t_wait_eq() {
	local what=$1 n=$(( $2 * 20 )) want=$3 i
	shift 3
	for i in $(seq 1 "$n"); do
		[ "$("$@" 2>/dev/null)" = "$want" ] && return 0
		sleep 0.05
	done
	return 1
}

# Remove a cgroup subtree depth-first, moving stray tasks to the parent.
t_rm_cgroup_tree() {
	local top=$1 d p
	[ -d "$top" ] || return 0
	# stray tasks first (a cgroup with tasks cannot go)
	find "$top" -type f -name cgroup.procs -print0 2>/dev/null |
		while IFS= read -r -d '' d; do
			while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$d"
		done
	# -delete works relative to each directory: names with any bytes, and
	# trees deeper than PATH_MAX, go too
	find "$top" -depth -type d -delete 2>/dev/null ||
		{ sleep 0.2; find "$top" -depth -type d -delete 2>/dev/null; }
	return 0
}

t_cleanup() {
	local p s
	trap - EXIT
	for p in "${T_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null && t_wait_gone "$p"
	done
	[ -n "$T_PIN" ] && "$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null 2>&1
	if [ -f "$T_TMP/subtrees" ]; then
		while read -r s; do t_rm_cgroup_tree "$s"; done <"$T_TMP/subtrees"
	fi
	[ -n "$T_TMP" ] && [ "$T_FAILED" = 1 ] && [ -f "$T_TMP/daemon.err" ] &&
		tail -20 "$T_TMP/daemon.err" >&2
	[ -n "$T_TMP" ] && rm -rf "$T_TMP"
	return 0
}

# t_hexbytes N STRING: STRING as bpftool hex words, NUL-padded to N bytes
t_hexbytes() {
	local have
	printf '%s' "$2" | head -c "$1" | od -An -v -tx1 | tr -s ' \n' ' '
	have=$(printf '%s' "$2" | head -c "$1" | wc -c)
	[ "$have" -lt "$1" ] && printf ' 00%.0s' $(seq 1 $(( $1 - have )))
}
# t_le N VALUE: VALUE as N little-endian bytes
t_le() {
	local i
	for i in $(seq 0 $(( $1 - 1 ))); do printf ' %02x' $(( ($2 >> (8 * i)) & 255 )); done
}
# t_write_info CGROUP_ID RUNTIME_ENUM NAME IMAGE POD_NAME POD_NS: an `info`
# entry as the daemon writes it (struct cgtrack_info), keyed by the low
# 32 bits of the cgroup id; the container's own cgroup id
t_write_info() {
	local v
	v="$(t_le 8 "$1") $(t_le 8 1) $(t_le 4 "$2") 00 00 00 00 $(t_hexbytes 128 "$3")
	$(t_hexbytes 256 "$4") $(t_hexbytes 128 "$5") $(t_hexbytes 64 "$6")
	$(t_hexbytes 37 "") 00 00 00"
	# shellcheck disable=SC2086
	bpftool map update pinned "$T_PIN/info" key hex $(t_le 4 $(( $1 & 0xffffffff ))) \
		value hex $v
}
