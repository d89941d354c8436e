#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Kernel vs userspace: every path of the corpus (and of our parser cases)
# created as real directories; the kernel's entry for each directory equals
# what `cgtrack parse` says of its path. One parser, two places: they must
# never disagree.
source "$(dirname "$0")/lib.sh"
t_init kvsp

CORPUS=$TESTS_DIR/../../shared/corpus/cgroup-paths.tsv
[ -r "$CORPUS" ] || CORPUS=$TESTS_DIR/data/cgroup-paths.tsv

t_daemon_start --cgroup-mode v2 --no-enrich || { t_fail "daemon start" "see log"; exit 1; }
base=$(t_base v2)
relbase=$(t_rel v2 "$base")

# Creatable paths: not the root, no "..", not a /proc line.
paths=$(cat "$CORPUS" "$TESTS_DIR/data/parser-cases.tsv" | grep -v '^#' | cut -f1 |
	grep '^/.' | grep -v '/\.\.' | sort -u)
while read -r p; do mkdir -p "$base$p"; done <<<"$paths"

# Every directory below our base, parent and all: the kernel decided each.
root=$(t_hier v2)
mapfile -t dirs < <(find "$base" -mindepth 1 -type d)
keys=$(for d in "${dirs[@]}"; do t_ino "$d"; done | jq -s .)
rels=("${dirs[@]#"$root"}")
cgt list --json >"$T_TMP/list.json"
"$CGTRACK" parse --json "${rels[@]}" | jq -s . >"$T_TMP/parse.json"
# pair the i-th directory's kernel entry (or none) with the i-th parse
jq -n --argjson keys "$keys" --slurpfile list "$T_TMP/list.json" \
	--slurpfile parse "$T_TMP/parse.json" '
	def norm: {container_id, runtime, root, pod_uid};
	($list[0] | map({key: (.key | tostring), value: norm}) | from_entries) as $k |
	[range(0; $keys | length) as $i |
	 { path: $parse[0][$i].path,
	   kernel: ($k[$keys[$i] | tostring] //
		    {container_id: "", runtime: "", root: false, pod_uid: ""}),
	   parse: ($parse[0][$i] | norm) }]' >"$T_TMP/pairs.json"
checked=$(jq length "$T_TMP/pairs.json")
tracked=$(jq '[.[] | select(.kernel.container_id != "")] | length' "$T_TMP/pairs.json")
jq -r '.[] | select(.kernel != .parse) | "# \(.path): kernel \(.kernel), parse \(.parse)"' \
	"$T_TMP/pairs.json" >&2
mismatch=$(jq '[.[] | select(.kernel != .parse)] | length' "$T_TMP/pairs.json")
if [ "$checked" -eq "${#dirs[@]}" ] && [ "$mismatch" -eq 0 ] && [ "$tracked" -gt 50 ]; then
	t_ok "$checked directories ($tracked in containers): kernel entry == cgtrack parse"
else
	t_fail "kernel == parse" "$mismatch of $checked differ ($tracked tracked)"
fi
