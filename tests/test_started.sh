#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# STARTED: a process in a CREATED container cgroup that execs in a new
# mount namespace (unshare -m) flips the entry to STARTED in both maps; one
# that execs in its parent's mount namespace does not. In v2 and v1.
# containers_map is kept only with --containers-map: without it the map
# stays empty (the entries and their states do not change), and a run that
# asks for it refuses to adopt programs loaded without it. Not kept, the
# map is pinned with one entry of room, not the capacity's preallocated
# elements; a load into those maps with the option replaces it at capacity
# and populate fills it.
source "$(dirname "$0")/lib.sh"
t_init started

I=5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
J=84e9ffffe97fea4c5a0f01d401611cbafbf7e559fc6190ed74abfc2b25e889d4
K=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# run_in DIR CMD...: a child joins DIR, then execs CMD; waits for it
run_in() {
	local dir=$1
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}

# tracee's u8 map must agree: bpftool prints the value as a hex byte
u8_state() {
	bpftool -j map lookup pinned "$T_PIN/containers_map" key $(printf '0x%02x 0x%02x 0x%02x 0x%02x' \
		$(( $1 & 255 )) $(( ($1 >> 8) & 255 )) $(( ($1 >> 16) & 255 )) $(( ($1 >> 24) & 255 ))) |
		jq -r '.value[0] // .formatted.value' | xargs printf '%d'
}
cmap_len() { bpftool -j map dump pinned "$T_PIN/containers_map" | jq length; }
cmap_cap() { bpftool -j map show pinned "$T_PIN/containers_map" | jq .max_entries; }

check_mode() {	# MODE HIER
	local mode=$1 hier=$2 a b c c_root ka n
	t_daemon_start --cgroup-mode "$mode" --no-enrich --containers-map ||
		{ t_fail "$mode: start" "see log"; return; }
	a=$(t_mkdir "$hier" "docker/$I")
	b=$(t_mkdir "$hier" "docker/$J")
	c=$(t_mkdir "$hier" "system.slice/docker-$K.scope/init.scope")
	c_root=$(dirname "$c")

	run_in "$a" unshare -m /bin/true
	t_eq "$mode: exec in a new mount namespace: STARTED" "started" "$(t_field "$(t_ino "$a")" state)"
	t_eq "$mode: containers_map agrees (3)" "3" "$(u8_state "$(t_ino "$a")")"
	t_eq "$mode: kept, containers_map has the capacity of containers" \
		"$(cgt status --json | jq .capacity)" "$(cmap_cap)"

	run_in "$b" /bin/true
	t_eq "$mode: exec in the parent's mount namespace: still CREATED" "created" \
		"$(t_field "$(t_ino "$b")" state)"
	t_eq "$mode: containers_map agrees (2)" "2" "$(u8_state "$(t_ino "$b")")"

	run_in "$c" unshare -m /bin/true
	t_eq "$mode: exec in a sub-cgroup starts the sub-cgroup and its container" \
		"started started" "$(t_field "$(t_ino "$c")" state) $(t_field "$(t_ino "$c_root")" state)"
	t_daemon_stop
	# the sweep deletes a removed container's twin too
	ka=$(t_ino "$a") n=$(cmap_len)
	rmdir "$a"
	cgt sweep --expiry 0 >/dev/null
	t_eq "$mode: swept with its entry, the container's containers_map twin goes" \
		"$((n - 1)) absent" "$(cmap_len) $(t_field "$ka" state)"
	cgt unload >/dev/null
	t_rm_cgroup_tree "$(t_base "$hier")/docker"
	t_rm_cgroup_tree "$(t_base "$hier")/system.slice"
}

# MODE HIER: without --containers-map
check_no_cmap() {
	local mode=$1 hier=$2 a b out
	t_daemon_start --cgroup-mode "$mode" --no-enrich || { t_fail "$mode: start" "see log"; return; }
	b=$(t_mkdir "$hier" "docker/$J")	# not started
	a=$(t_mkdir "$hier" "docker/$I")
	run_in "$a" unshare -m /bin/true
	t_eq "$mode, no --containers-map: entries and states as with it" "started created" \
		"$(t_field "$(t_ino "$a")" state) $(t_field "$(t_ino "$b")" state)"
	t_eq "$mode, no --containers-map: containers_map empty, one entry of room, status says so" \
		"0 1 false" "$(cmap_len) $(cmap_cap) $(cgt status --json | jq -r .containers_map)"
	out=$(cgt load --cgroup-mode "$mode" --containers-map 2>&1)
	t_eq "$mode: --containers-map refuses to adopt programs that do not keep it" "1 yes" \
		"$? $(grep -q 'do not keep containers_map' <<<"$out" && echo yes)"
	t_daemon_stop
	# maps without programs (a load that died before pinning its links):
	# a load that keeps the map replaces the one-entry pin and fills it
	rm -f "$T_PIN"/links/*
	out=$(cgt load --cgroup-mode "$mode" --containers-map 2>&1)
	t_eq "$mode: loading into maps pinned without the option: containers_map replaced" \
		"0 yes $(cgt status --json | jq .capacity)" \
		"$? $(grep -q 'replaced .*containers_map' <<<"$out" && echo yes) $(cmap_cap)"
	t_eq "$mode: ... and filled from the entries (started, created)" "3 2 true" \
		"$(u8_state "$(t_ino "$a")") $(u8_state "$(t_ino "$b")") $(cgt status --json | jq -r .containers_map)"
	cgt unload >/dev/null
	t_rm_cgroup_tree "$(t_base "$hier")/docker"
}

check_mode v2 v2
check_mode v1 cpuset
check_no_cmap v2 v2
check_no_cmap v1 cpuset
