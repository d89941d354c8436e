#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `cgtrack status --prometheus` is valid Prometheus text (parsed by the
# Prometheus project's own Python client) and carries the truth: health,
# capacity, entries, counters, programs; with no pins it still answers
# (cgtrack_up 0), as `status --json` does (one object, healthy false).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init status_metrics
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
PY=/usr/bin/python3
$PY -c 'import prometheus_client' 2>/dev/null ||
	{ t_skip all "no python3-prometheus-client (scripts/setup.sh installs it)"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

# metrics FILE -> "name{labels} value" lines, as the client parses them
metrics() {
	$PY -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in fam.samples:
        lab = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
        print("%s{%s} %g" % (s.name, lab, s.value))' "$1"
}
val() { awk -v k="$1" '$1 == k { print $2 }' "$T_TMP/parsed"; }

cgt status --prometheus >"$T_TMP/none.prom"
t_eq "no pins: --prometheus exits 1" 1 "$?"
metrics "$T_TMP/none.prom" >"$T_TMP/parsed" || t_fail "no pins: metrics parse" "$(cat "$T_TMP/none.prom")"
t_eq "no pins: cgtrack_up 0, healthy 0" "0 0" "$(val 'cgtrack_up{}') $(val 'cgtrack_healthy{}')"
out=$(cgt status --json 2>/dev/null)
t_eq "no pins: --json still prints one object, healthy false" false "$(jq -r .healthy <<<"$out")"

base=$(t_base v2) || { t_fail setup "cannot make the private cgroup parent"; exit 1; }
cgt load --cgroup-mode v2 --max-entries 1000 >/dev/null 2>&1 || { t_fail load "failed"; exit 1; }
id=$(printf 'prom-%s' "$$" | sha256sum | cut -c1-64)
mkdir -p "$base/docker/$id"
# the host may make cgroups meanwhile: the metrics must lie between two
# JSON snapshots taken around them
j1=$(cgt status --json)
cgt status --prometheus >"$T_TMP/up.prom"
rc=$?
j2=$(cgt status --json)
if metrics "$T_TMP/up.prom" >"$T_TMP/parsed"; then
	t_ok "the exposition parses with the Prometheus client"
else
	t_fail "the exposition parses" "$(head -20 "$T_TMP/up.prom")"
fi
between() {	# WHAT JQ VALUE
	local a b
	a=$(jq "$2" <<<"$j1")
	b=$(jq "$2" <<<"$j2")
	if [ -n "$3" ] && { [ "$3" -ge "$a" ] && [ "$3" -le "$b" ] ||
				 [ "$3" -le "$a" ] && [ "$3" -ge "$b" ]; }; then
		t_ok "$1 ($3)"
	else
		t_fail "$1" "$3, not between $a and $b"
	fi
}
t_eq "cgtrack_healthy matches status's exit" "$([ $rc = 0 ] && echo 1 || echo 0)" "$(val 'cgtrack_healthy{}')"
t_eq "cgtrack_up 1" 1 "$(val 'cgtrack_up{}')"
t_eq "capacity" 1000 "$(val 'cgtrack_map_capacity{}')"
between "live entries as status counts them" .live "$(val 'cgtrack_map_entries{state=live}')"
between "the added counter as status counts it" .counters.added \
	"$(val 'cgtrack_events_total{counter=added}')"
t_true "our container counts (added >= 1)" test "$(val 'cgtrack_events_total{counter=added}')" -ge 1
t_eq "four programs attached" 4 \
	"$(grep -c '^cgtrack_program_attached{.*} 1$' "$T_TMP/parsed")"
out=$(cgt status --json --prometheus 2>&1)
t_eq "--json with --prometheus is bad usage" 2 "$?"
out=$(cgt list --prometheus 2>&1)
t_eq "--prometheus is status's only" 2 "$?"
