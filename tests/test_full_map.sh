#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A full map loses no container for good. With --max-entries 5, containers
# made while the map is full are not inserted by the kernel; `status` is
# unhealthy and counts them; once the sweep frees entries, the daemon
# re-walks the hierarchy and inserts them (sub-cgroups too), the counters
# tell failures from recoveries, and `status` is healthy again. Then a user
# with a delegated subtree fills the map with look-alike cgroups: status
# names the user's uid.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init full_map
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
command -v setpriv >/dev/null || { t_skip all "no setpriv (util-linux)"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

base=$(t_base v2) || { t_fail setup "cannot make the private cgroup parent"; exit 1; }
mkdir -p "$base/docker"
cid() { printf '%s' "$1-$$" | sha256sum | cut -c1-64; }
present() { [ "$(t_field "$(t_ino "$1")" alive)" = true ]; }
counter() { cgt status --json | jq ".counters.$1"; }

t_daemon_start --cgroup-mode v2 --max-entries 5 --expiry 1 --no-enrich ||
	{ t_fail run "did not start"; exit 1; }
for i in 1 2 3 4 5; do mkdir "$base/docker/$(cid c$i)"; done
# the map is full now: these three are not inserted by the kernel
c6=$base/docker/$(cid c6)
mkdir "$c6" "$c6/sub" "$base/docker/$(cid c7)"
# (the kernel counts the two containers; a sub-cgroup of a container that
# is not in the map is not known to be one in the kernel: only a walk sees it)
# (other containers the host makes meanwhile only add to the counts)
t_true "the kernel could not insert them" test "$(counter insert_failed)" -ge 2
out=$(cgt status 2>&1)
t_eq "status is unhealthy while live containers are missing" 1 "$?"
t_true "and says how many" grep -Eq "[0-9]+ live container cgroups are not in the map" <<<"$out"
t_true "status --json counts them (3 of ours)" test "$(cgt status --json | jq .missing)" -ge 3

# room again: four removed, swept after the 1 s expiry; the daemon re-walks
for i in 1 2 3 4; do rmdir "$base/docker/$(cid c$i)"; done
if t_wait_for "recovered" 15 present "$base/docker/$(cid c7)"; then
	t_ok "a container made while the map was full is inserted once there is room"
else
	t_fail "a container made while the map was full is inserted once there is room" \
		"$(cgt list --json | jq -c '[.[] | {cgroup_id, alive}]')"
fi
t_eq "so is the other one" true "$(t_field "$(t_ino "$c6")" alive)"
t_eq "and its sub-cgroup" true "$(t_field "$(t_ino "$c6/sub")" alive)"
t_eq "recovered entries are CREATED (younger than the load)" created \
	"$(t_field "$(t_ino "$c6")" state)"
t_true "the counters tell recoveries from failures" test "$(counter recovered)" -ge 3
t_true "the daemon logged the recovery" grep -q "cgroups recovered" "$T_TMP/daemon.err"
out=$(cgt status 2>&1)
t_eq "status is healthy again" 0 "$?"
t_true "and still mentions the earlier failures" grep -q "inserts failed since loading" <<<"$out"

# ---- a delegated subtree filling the map ---------------------------------
mkdir "$base/deleg"
chown 65534:65534 "$base/deleg"
for i in 1 2 3; do
	setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		mkdir -p "$base/deleg/docker/$(cid fake$i)"
done
out=$(cgt status 2>&1)
t_eq "status is unhealthy when a user's cgroups fill the map" 1 "$?"
t_true "and names the user's uid" grep -Eq "uid 65534 owns 3 of the [0-9]+ container cgroups.*cgroup.max.descendants" <<<"$out"
