#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What an operator asks of a busy node: list filtered by runtime, state,
# pod and name, in a stable order; find by the container's name when no id
# starts with the argument (ambiguous names fail, listing the candidates).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init list_filters
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
command -v bpftool >/dev/null || { t_skip all "no bpftool"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

cgt load --cgroup-mode v2 --expiry 60m >/dev/null 2>&1 || { t_fail load "failed"; exit 1; }
hex() { printf '%s-%s' "$1" "$$" | sha256sum | cut -c1-64; }
web=$(hex web); db=$(hex db); old=$(hex old); twin1=$(hex twin1); twin2=$(hex twin2)
dweb=$(t_mkdir v2 "docker/$web")
mkdir "$dweb/sub"
ddb=$(t_mkdir v2 "crio-$db.scope")
dold=$(t_mkdir v2 "docker/$old")
dt1=$(t_mkdir v2 "docker/$twin1")
dt2=$(t_mkdir v2 "docker/$twin2")
# names as the runtimes give them (2: docker, 4: cri-o)
t_write_info "$(t_ino "$dweb")" 2 "web-$$" busybox frontend-abc prod
t_write_info "$(t_ino "$ddb")" 4 "db-$$" postgres backend-xyz prod
t_write_info "$(t_ino "$dt1")" 2 "twin-$$" busybox "" ""
t_write_info "$(t_ino "$dt2")" 2 "twin-$$" busybox "" ""
rmdir "$dold"

ids() { jq -r '[.[] | .container_id] | unique | sort | join(" ")'; }
ours() { jq -c --arg s "$$" '[.[] | select(.path | contains("cgt-list_filters-" + $s)
	or (.alive | not))]'; }
t_eq "--runtime crio: only the cri-o container" "$db" \
	"$(cgt list --json --runtime crio | ids)"
t_eq "--pod prod/frontend-abc: that pod's container and its sub-cgroup" "$web $web" \
	"$(cgt list --json --pod prod/frontend-abc | jq -r '[.[] | .container_id] | join(" ")')"
t_eq "--pod by name alone" "$db" "$(cgt list --json --pod backend-xyz | ids)"
t_eq "--name" "$web" "$(cgt list --json --name "web-$$" | ids)"
t_eq "--state dead: the removed one" "$old" "$(cgt list --json --state dead | ids | tr ' ' '\n' | grep -x "$old")"
alive_dead=$(cgt list --json --state alive | jq --arg o "$old" '[.[] | select(.container_id == $o)] | length')
t_eq "--state alive leaves it out" 0 "$alive_dead"
t_eq "filters combine (docker and prod: web only)" "$web" \
	"$(cgt list --json --runtime docker --pod prod/frontend-abc | ids)"
a=$(cgt list --json | jq -c '[.[] | .key]')
b=$(cgt list --json | jq -c '[.[] | .key]')
t_eq "the order is stable" "$a" "$b"
t_eq "and sorted by container id, own cgroup first" "$a" \
	"$(cgt list --json | jq -c 'sort_by(.container_id, (.root | not), .cgroup_id) | [.[] | .key]')"

out=$(cgt find "db-$$")
t_eq "find by name: exit 0" 0 "$?"
t_true "find by name prints that container" grep -q "$(t_ino "$ddb")" <<<"$out"
out=$(cgt find --json "web-$$")
t_eq "find by name: all its cgroups" 2 "$(jq length <<<"$out")"
cgt find "twin-$$" >/dev/null 2>"$T_TMP/err"
t_eq "a name two containers share is ambiguous: exit 1" 1 "$?"
t_true "and says so" grep -q "is ambiguous: 2 containers" "$T_TMP/err"
long=$(printf 'n%.0s' $(seq 1 80))
cgt find "$long" >/dev/null 2>&1
t_eq "an argument longer than any id is looked up as a name (exit 1, not found)" 1 "$?"
