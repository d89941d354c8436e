#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The rmdir and exec programs' filter (`filter` pin, struct cgtrack_filter)
# stays exact: each slot counts the `containers` entries whose key falls in
# it, whoever inserts or deletes (the kernel's mkdir, populate, the sweep in
# the kernel and the batched fallback), also while containers come and go
# during sweeps. A slot at 0 with an entry in it would make the rmdir skip
# that container: it would never be marked dead. So: every key's slot is
# above 0, the counts sum to the entries, and every container removed
# during the churn was marked dead and swept.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init filter
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }
command -v bpftool >/dev/null || { t_skip all "no bpftool"; exit 0; }
command -v setpriv >/dev/null || { t_skip all "no setpriv (util-linux)"; exit 0; }

base=$(t_base v2) || { t_fail setup "cannot make the private cgroup parent"; exit 1; }
mkdir -p "$base/docker"
cid() { printf '%s' "$1-$$" | sha256sum | cut -c1-64; }
counts() { bpftool -j map lookup pinned "$T_PIN/filter" key 0 0 0 0 | jq -c .formatted.value.count; }
# "<sum of the slots> <entries in containers>"
sum_entries() {
	echo "$(counts | jq add) $(bpftool -j map dump pinned "$T_PIN/containers" | jq length)"
}
exact() { local s; s=$(sum_entries); [ "${s% *}" = "${s#* }" ] && echo yes || echo "$s"; }
# keys (JSON array) whose slot is 0: none may be
zero_slots() { counts | jq -c --argjson k "$1" '. as $c | [$k[] | select($c[. % 65536] == 0)]'; }

# populate counts too: these exist before the load
for i in 1 2 3; do mkdir -p "$base/docker/$(cid pre$i)/sub"; done
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich ||
	{ t_fail run "did not start"; exit 1; }
t_eq "the pinned filter: one value of 65536 slots" "1 262144" \
	"$(bpftool -j map show pinned "$T_PIN/filter" | jq -r '"\(.max_entries) \(.bytes_value)"')"
pre=$(for i in 1 2 3; do t_ino "$base/docker/$(cid pre$i)"; t_ino "$base/docker/$(cid pre$i)/sub"; done |
	jq -s -c .)
t_eq "populate raised the slots of what it inserted" "[]" "$(zero_slots "$pre")"

for i in $(seq 1 100); do mkdir -p "$base/docker/$(cid c$i)/init.scope"; done
keys=$(for i in $(seq 1 100); do t_ino "$base/docker/$(cid c$i)"; t_ino "$base/docker/$(cid c$i)/init.scope"; done |
	jq -s -c .)
t_wait_eq "counted" 10 "[]" zero_slots "$keys"
t_eq "the kernel raised the slot of each container and sub-cgroup it inserted" "[]" \
	"$(zero_slots "$keys")"
t_wait_eq "exact" 10 yes exact
t_eq "the slots sum to the entries" yes "$(exact)"

# churn: containers made and removed while sweeps run in the kernel (the
# daemon's, and `cgtrack sweep`'s) and by batched syscalls (no CAP_BPF)
churn() {
	local r i d
	for r in 1 2 3 4 5; do
		for i in $(seq 1 60); do mkdir -p "$base/docker/$(cid r$r-$i)/sub"; done
		for i in $(seq 1 60); do
			d=$base/docker/$(cid r$r-$i)
			t_ino "$d" >>"$T_TMP/churned"
			rmdir "$d/sub" "$d"
		done
	done
}
sweeps() {
	local n
	for n in $(seq 1 40); do
		cgt sweep --expiry 0s >/dev/null 2>&1
		setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- \
			"$CGTRACK" sweep --pin-dir "$T_PIN" --expiry 0s >/dev/null 2>&1
	done
}
: >"$T_TMP/churned"
sweeps &
sweeper=$!
T_PIDS+=("$sweeper")
churn
wait "$sweeper"
churned=$(jq -s -c . "$T_TMP/churned")
t_eq "300 containers came and went" 300 "$(jq length <<<"$churned")"
left() { cgt list --json | jq --argjson k "$churned" '[.[] | select(.key as $x | $k | index($x))] | length'; }
t_wait_eq "swept" 15 0 left
t_eq "each was marked dead at its rmdir and swept" 0 "$(left)"
t_wait_eq "exact" 10 yes exact
t_eq "after the churn the slots still sum to the entries" yes "$(exact)"
t_eq "and no slot of a live entry is 0" "[]" "$(zero_slots "$keys")"

# the rest removed: the slots go back down
for i in $(seq 1 100); do rmdir "$base/docker/$(cid c$i)/init.scope" "$base/docker/$(cid c$i)"; done
for i in 1 2 3; do rmdir "$base/docker/$(cid pre$i)/sub" "$base/docker/$(cid pre$i)"; done
all=$(jq -c -s 'add' <<<"$keys $pre")
gone() { counts | jq --argjson k "$all" '. as $c | [$k[] | $c[. % 65536]] | add'; }
t_wait_eq "down" 15 0 gone
t_eq "once swept, their slots are back to 0" 0 "$(gone)"

t_daemon_stop
t_cleanup
