#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Burst: 5,000 container cgroups created by two parallel creators, half of
# them removed again, while tracking. Afterwards the map holds exactly the
# live ones and the kernel's counters agree: nothing lost.
source "$(dirname "$0")/lib.sh"
t_init burst

N=5000

# stat NAME: a counter summed over CPUs (index from enum cgtrack_stat)
stat() {
	local idx
	case $1 in
	mkdir) idx=0 ;; added) idx=1 ;; rmdir) idx=2 ;; dead) idx=3 ;; swept) idx=4 ;;
	failed) idx=5 ;; lost) idx=8 ;;
	esac
	bpftool -j map lookup pinned "$T_PIN/stats" key $idx 0 0 0 |
		jq '[.formatted.values[].value] | add'
}

# A private named v1 hierarchy: nothing else on the host makes cgroups in
# it, so the kernel's counters must match ours exactly.
H=name=cgt$$
mkdir -p "$T_TMP/hier"
mount -t cgroup -o "none,$H" cgroup "$T_TMP/hier" || { t_fail "mount $H" "cannot mount"; exit 1; }
trap 'cgt unload >/dev/null 2>&1; t_rm_cgroup_tree "$T_TMP/hier/default"; umount "$T_TMP/hier"; t_cleanup' EXIT
t_daemon_start --cgroup-mode v1 --v1-controller "$H" --expiry 1 --no-enrich ||
	{ t_fail "start" "see log"; exit 1; }
base=$T_TMP/hier/default
mkdir "$base"

# Two creators make N container cgroups in parallel, then two removers
# take away the odd ones, in parallel too.
make_dirs() { local i; for ((i = $1; i <= $2; i++)); do printf '%s/%064x\n' "$base" "$i"; done | xargs mkdir; }
remove_odd() { local i; for ((i = $1; i <= $2; i += 2)); do printf '%s/%064x\n' "$base" "$i"; done | xargs rmdir; }
parallel() {	# FUNCTION: run on both halves at once
	"$1" 1 $((N / 2)) &
	local p1=$!
	"$1" $((N / 2 + 1)) $N &
	local p2=$!
	T_PIDS+=("$p1" "$p2")
	wait "$p1" "$p2"
}
parallel make_dirs
find "$base" -mindepth 1 -maxdepth 1 -type d -printf '%i\n' | sort >"$T_TMP/all"
parallel remove_odd

live=$(find "$base" -mindepth 1 -maxdepth 1 -type d | wc -l)
find "$base" -mindepth 1 -maxdepth 1 -type d -printf '%i\n' | sort >"$T_TMP/live"
comm -23 "$T_TMP/all" "$T_TMP/live" >"$T_TMP/removed"
t_eq "the creators made N and left half of them" "$N $((N / 2))" "$(wc -l <"$T_TMP/all") $live"
t_eq "kernel: added == created" "$N" "$(stat added)"
t_eq "kernel: marked dead == removed" "$((N / 2))" "$(stat dead)"
t_eq "kernel: no insert failure, no lost event" "0 0" "$(stat failed) $(stat lost)"

# After the expiry (1 s) and a sweep (every second): every removed one is
# gone, every live one is there and alive. (The host's other containers are
# in the map too; only ours are compared.)
gone() { cgt list --json | jq -r '.[].key' | sort | comm -12 - "$T_TMP/removed" | wc -l; }
t_wait_for "sweep" 10 bash -c "[ \"\$(source $TESTS_DIR/lib.sh; T_PIN=$T_PIN; $(declare -f gone); T_TMP=$T_TMP; gone)\" = 0 ]"
list=$(cgt list --json)
jq -r '.[] | select(.alive) | .key' <<<"$list" | sort >"$T_TMP/alive"
t_eq "every live container cgroup has its entry" "0" "$(comm -23 "$T_TMP/live" "$T_TMP/alive" | wc -l)"
t_eq "every removed one was swept" "0" "$(jq -r '.[].key' <<<"$list" | sort | comm -12 - "$T_TMP/removed" | wc -l)"
t_eq "swept == removed" "$((N / 2))" "$(stat swept)"
