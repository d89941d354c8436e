#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# One daemon per pin directory: a second `cgtrack run` on the same pins is
# refused at once with a message (two would split the kernel's events
# between them, silently), leaves the first daemon and its pidfile alone,
# and works once the first has stopped (the lock dies with its holder,
# also after kill -9).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init second_daemon
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

t_daemon_start --cgroup-mode v2 --no-enrich || { t_fail run "did not start"; exit 1; }
first=$T_DAEMON_PID
out=$(timeout 20 "$CGTRACK" run --pin-dir "$T_PIN" --pidfile "$T_TMP/pid" \
	--cgroup-mode v2 --no-enrich 2>&1)
t_eq "a second daemon on the same pins exits 1" 1 "$?"
t_true "saying another cgtrack run holds the pins" \
	grep -q "another \`cgtrack run\` is tracking with the pins in $T_PIN" <<<"$out"
t_true "the first daemon still runs" kill -0 "$first"
t_eq "its pidfile is intact" "$first" "$(cat "$T_TMP/pid" 2>/dev/null)"
t_eq "status sees one daemon" "[$first]" "$(cgt status --json | jq -c .daemon_pids)"

t_daemon_stop KILL
t_daemon_start --cgroup-mode v2 --no-enrich
t_eq "after kill -9 of the first, a new daemon starts" 0 "$?"
