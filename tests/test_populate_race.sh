#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Start-up under cgroup churn: populate never overwrites what the kernel
# wrote for the same cgroup id. Containers are made and removed quickly
# while the programs are attached, and `cgtrack load` (adopt + populate)
# runs again and again meanwhile: a cgroup that populate listed and the
# kernel then marked dead must stay CREATED and dead, never become a live
# EXISTED entry (a review caught 5 of 12 starts doing that).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init populate_race
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
command -v python3 >/dev/null || { t_skip all "no python3"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

base=$(t_base v2) || { t_fail setup "cannot make the private cgroup parent"; exit 1; }
mkdir -p "$base/docker"
out=$(cgt load --cgroup-mode v2 --expiry 60m 2>&1) || { t_fail load "$out"; exit 1; }

# Churn: about 300 live containers (8000 at most), each removed soon after it appeared,
# in a random order, for a bounded time; ids start with "c0ffee".
cat >"$T_TMP/churn.py" <<'PY'
import os, random, sys, time
d, secs = sys.argv[1], float(sys.argv[2])
live, n, end = [], 0, time.time() + secs
while time.time() < end and n < 8000:
    p = os.path.join(d, "c0ffee%058x" % n)
    n += 1
    os.mkdir(p)
    live.append(p)
    if len(live) > 300:
        os.rmdir(live.pop(random.randrange(len(live))))
for p in live:
    os.rmdir(p)
PY
python3 "$T_TMP/churn.py" "$base/docker" 8 &
churn=$!
T_PIDS+=("$churn")
loads=0
while kill -0 "$churn" 2>/dev/null; do
	cgt load --cgroup-mode v2 --expiry 60m >/dev/null 2>&1 && loads=$((loads + 1))
done
wait "$churn"
t_true "populate ran during the churn ($loads times)" test "$loads" -ge 5

# Every churned container was created after the programs were attached:
# the kernel saw it (CREATED); populate may only have found it alive.
list=$(cgt list --json)
n=$(jq '[.[] | select(.container_id | startswith("c0ffee"))] | length' <<<"$list")
t_true "the churned containers are in the map ($n)" test "$n" -ge 100
bad=$(jq -c '[.[] | select((.container_id | startswith("c0ffee")) and .state != "created")]
	| .[0:3]' <<<"$list")
t_eq "no churned container's entry was overwritten as existed" "[]" "$bad"
alive=$(jq '[.[] | select((.container_id | startswith("c0ffee")) and .alive)] | length' <<<"$list")
t_eq "every churned container is marked dead (all were removed)" 0 "$alive"
