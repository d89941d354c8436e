#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# --log-format json means JSON everywhere on stderr: the daemon's log, a
# command's error, a usage error (even one about an option before
# --log-format); and the daemon's event lines on stdout become objects with
# the time, the event, the full id and, once known, the name.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init logging
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

all_json() { [ -s "$1" ] && jq -e . "$1" >/dev/null 2>&1; }

t_daemon_start --cgroup-mode v2 --no-enrich --expiry 1 --log-format json ||
	{ t_fail run "did not start"; exit 1; }
id=$(printf 'log-%s' "$$" | sha256sum | cut -c1-64)
d=$(t_mkdir v2 "docker/$id")
added() { grep -q "\"event\":\"added\".*\"container_id\":\"$id\"" "$T_TMP/daemon.out"; }
t_wait_for "event" 5 added
t_true "the daemon's event line is a JSON object with the full id" added
rmdir "$d"
removed() { grep -q "\"event\":\"removed\".*\"container_id\":\"$id\"" "$T_TMP/daemon.out"; }
t_wait_for "event" 5 removed
t_true "removal too" removed
t_true "every stdout line is JSON" all_json "$T_TMP/daemon.out"
t_true "events carry the time" jq -e 'select(.event) | .time | test("^[0-9-]+T[0-9:.]+Z$")' "$T_TMP/daemon.out"
t_true "every log line on stderr is JSON" all_json "$T_TMP/daemon.err"

"$CGTRACK" get 1 --pin-dir "$T_PIN" --log-format json 2>"$T_TMP/e1" >/dev/null
t_eq "a command's error: exit 1" 1 "$?"
t_true "is JSON with the log's fields and the command" \
	jq -e '.level == "error" and .command == "get" and (.time | length > 0) and (.msg | test("not tracked"))' "$T_TMP/e1"
"$CGTRACK" list --expiry 5s --log-format json 2>"$T_TMP/e2" >/dev/null
t_eq "a usage error before --log-format: exit 2" 2 "$?"
t_true "is JSON too" jq -e '.command == "list" and (.msg | test("--expiry"))' "$T_TMP/e2"
"$CGTRACK" get 1 --pin-dir "$T_PIN" 2>"$T_TMP/e3" >/dev/null
t_true "without it, a plain line" grep -q "^cgtrack get: cgroup 1 is not tracked$" "$T_TMP/e3"
