#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `cgtrack watch` shows containers come, start and go from the map, beside
# a running daemon, without taking the daemon's events: both see the same
# container, and the daemon's ring-buffer records stay its own.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init watch
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
command -v unshare >/dev/null || { t_skip all "no unshare"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

t_daemon_start --cgroup-mode v2 --no-enrich --expiry 60m || { t_fail run "did not start"; exit 1; }
cgt watch --json --interval 100ms --duration 6s >"$T_TMP/watch.out" 2>"$T_TMP/watch.err" &
w=$!
T_PIDS+=("$w")
sleep 0.5
id=$(printf 'watch-%s' "$$" | sha256sum | cut -c1-64)
d=$(t_mkdir v2 "docker/$id")
# a process in the container's own mount namespace: STARTED
( echo $BASHPID >"$d/cgroup.procs" && exec unshare -m /bin/true ) 
sleep 0.5
rmdir "$d"
wait "$w"
t_eq "watch --duration ends by itself, exit 0" 0 "$?"
events=$(jq -r --arg id "$id" 'select(.container_id == $id) | .event' "$T_TMP/watch.out" | xargs)
t_eq "watch saw the container come, start and go, in order" "added started removed" "$events"
t_true "every line is JSON" jq -e . "$T_TMP/watch.out"
t_true "the daemon saw it too (its events were not taken)" grep -q "^+ docker $id" "$T_TMP/daemon.out"
t_true "including its removal" grep -q "^- docker $id" "$T_TMP/daemon.out"
out=$(cgt watch extra 2>&1)
t_eq "watch takes no arguments" 2 "$?"
