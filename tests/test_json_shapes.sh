#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# One JSON shape per command, always valid JSON, errors as JSON with --json:
# get prints an object, or null when not tracked; find an array, [] when
# nothing matches or the prefix is ambiguous (then stderr's JSON error lists
# the candidates, and the exit status is 1); the table's STATE and ALIVE
# say what the JSON's state and alive say.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init json_shapes
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

cgt load --cgroup-mode v2 --expiry 60m >/dev/null 2>&1 || { t_fail load "failed"; exit 1; }
a=$(printf 'ab-%s' "$$" | sha256sum | cut -c1-60)
d1=$(t_mkdir v2 "docker/f00d${a}")
d2=$(t_mkdir v2 "docker/f00e${a}")

out=$(cgt get --json 1 2>"$T_TMP/err")
t_eq "get --json, not tracked: exit 1" 1 "$?"
t_eq "get --json, not tracked: stdout is null" null "$out"
t_eq "and stderr is a JSON error" get "$(jq -r .command "$T_TMP/err")"
out=$(cgt get --json "$(t_ino "$d1")")
t_eq "get --json, tracked: one object" object "$(jq -r type <<<"$out")"

out=$(cgt find --json ffffffffffff 2>"$T_TMP/err")
t_eq "find --json, no match: exit 1" 1 "$?"
t_eq "find --json, no match: []" "[]" "$out"
t_true "and a JSON error" jq -e '.msg | test("no tracked container")' "$T_TMP/err"
out=$(cgt find --json f00 2>"$T_TMP/err")
t_eq "find --json, ambiguous: exit 1" 1 "$?"
t_eq "find --json, ambiguous: stdout [] (no match is claimed)" "[]" "$out"
t_eq "the JSON error lists both candidates" 2 "$(jq '.candidates | length' "$T_TMP/err")"
out=$(cgt find --json f00d)
t_eq "find --json, one container: an array of its cgroups" 1 "$(jq length <<<"$out")"

rmdir "$d2"
key=$(t_ino "$d1")
k2=$(cgt list --json | jq --arg id "f00e${a}" '.[] | select(.container_id == $id) | .key')
row=$(cgt get "$k2" | tail -1)
json=$(cgt get --json "$k2")
t_eq "a removed entry: the table's STATE and ALIVE are the JSON's state and alive" \
	"$(jq -r '"\(.state) \(if .alive then "yes" else "no" end)"' <<<"$json")" \
	"$(awk '{ print $4, $5 }' <<<"$row")"
