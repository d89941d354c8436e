#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What the maps cost follows what they hold, not their capacity (map ABI 4):
# `containers` is allocated on insert, so its kernel memory (bpftool's
# bytes_memlock) grows with the containers made and falls back when the
# sweep deletes them; `mntns_pids` has CGTRACK_MNTNS_MAX entries whatever
# --max-entries says; `containers_map`, unless kept (--containers-map), has
# room for one. A preallocated `containers` of 100,000 entries would cost
# about 21 MB from the start.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init map_memory
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }
command -v bpftool >/dev/null || { t_skip all "no bpftool"; exit 0; }

base=$(t_base v2) || { t_fail setup "cannot make the private cgroup parent"; exit 1; }
mkdir -p "$base/docker"
cid() { printf '%s' "$1-$$" | sha256sum | cut -c1-64; }
memlock() { bpftool -j map show pinned "$T_PIN/$1" | jq .bytes_memlock; }
entries() { bpftool -j map show pinned "$T_PIN/$1" | jq .max_entries; }
rel=$(t_rel v2 "$base")
# our entries in the map (the host's own containers may be there too)
ours() { cgt list --json | jq --arg r "$rel/" '[.[] | select(.path | startswith($r))] | length'; }
N=300

t_daemon_start --cgroup-mode v2 --max-entries 100000 --expiry 1 --no-enrich ||
	{ t_fail run "did not start"; exit 1; }
t_eq "containers has the capacity asked" 100000 "$(entries containers)"
t_eq "mntns_pids has its own, fixed capacity" 4096 "$(entries mntns_pids)"
# not kept (no --containers-map): tracee's twin is pinned, with no room
t_eq "containers_map, not kept, has one entry of room" 1 "$(entries containers_map)"
t_true "... and costs under 4 KB ($(memlock containers_map) bytes; 8.5 MB preallocated)" \
	test "$(memlock containers_map)" -lt 4096
value_size=$(bpftool -j map show pinned "$T_PIN/containers" | jq .bytes_value)
m0=$(memlock containers)
t_true "containers, nearly empty, costs less than 4 MB at a capacity of 100,000 ($m0 bytes)" \
	test "$m0" -lt 4000000

for ((i = 0; i < N; i++)); do mkdir "$base/docker/$(cid c$i)"; done
t_wait_eq "tracked" 10 "$N" ours
t_eq "the $N containers are tracked" "$N" "$(ours)"
m1=$(memlock containers)
t_true "its memory grew by at least $N values ($m0 -> $m1 bytes)" \
	test $((m1 - m0)) -ge $((N * value_size))

# removed cgroups have no path any more: count them by key
keys=$(for ((i = 0; i < N; i++)); do t_ino "$base/docker/$(cid c$i)"; done | jq -s -c .)
ours() { cgt list --json | jq --argjson k "$keys" '[.[] | select(.key as $x | $k | index($x))] | length'; }
t_eq "all $N are found by key" "$N" "$(ours)"
for ((i = 0; i < N; i++)); do rmdir "$base/docker/$(cid c$i)"; done
t_wait_eq "swept" 15 0 ours
t_eq "the sweep deleted them after the expiry" 0 "$(ours)"
m2=$(memlock containers)
t_true "and their memory went with them ($m1 -> $m2 bytes)" \
	test $((m1 - m2)) -ge $((N * value_size))

t_daemon_stop
t_cleanup
