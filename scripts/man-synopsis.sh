#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The man page's SYNOPSIS, made from the binary's own help (whose synopses
# come from the option declarations in loader/options.c), so that the page
# cannot drift from what cgtrack accepts.
#
#   scripts/man-synopsis.sh CGTRACK PAGE          print the block
#   scripts/man-synopsis.sh --write CGTRACK PAGE  replace it in PAGE
#   scripts/man-synopsis.sh --check CGTRACK PAGE  exit 1 (and a diff) if stale
set -euo pipefail
mode=print
case ${1:-} in --write|--check) mode=${1#--}; shift ;; esac
[ $# -eq 2 ] || { echo "usage: $0 [--write|--check] CGTRACK PAGE" >&2; exit 2; }
bin=$1 page=$2
begin='.\" BEGIN SYNOPSIS: made by scripts/man-synopsis.sh from cgtrack CMD --help'
end='.\" END SYNOPSIS'

block() {
	local c
	echo "$begin"
	echo ".nf"
	for c in $("$bin" --help | awk '/^  [a-z]/ { print $1 }'); do
		# the usage line and its continuation lines (indented past "usage: ")
		"$bin" "$c" --help | awk '
			/^usage: / { on = 1; sub(/^usage: /, ""); print; next }
			on && /^        / { sub(/^       /, ""); print; next }
			{ on = 0 }'
	done | sed -e 's/\\/\\\\/g' -e 's/-/\\-/g' \
		-e 's/^cgtrack \([a-z]*\)/\\fBcgtrack \1\\fR/'
	echo ".fi"
	echo "$end"
}

# PAGE with the block between the markers replaced by the file $1
replaced() {
	# the markers through the environment: awk -v would eat their backslash
	NEW=$1 B=$begin E=$end awk '
		$0 == ENVIRON["B"] { while ((getline l < ENVIRON["NEW"]) > 0) print l
			skip = 1; found = 1; next }
		$0 == ENVIRON["E"] { skip = 0; next }
		!skip { print }
		END { if (!found) exit 3 }' "$page"
}

tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.page"' EXIT
block >"$tmp"
case $mode in
print) cat "$tmp" ;;
write)
	replaced "$tmp" >"$tmp.page" || { echo "$page: no '$begin' marker" >&2; exit 1; }
	cat "$tmp.page" >"$page" ;;
check)
	replaced "$tmp" >"$tmp.page" || { echo "$page: no '$begin' marker" >&2; exit 1; }
	diff -u "$page" "$tmp.page" || {
		echo "$page: SYNOPSIS differs from the binary's help: run $0 --write $bin $page" >&2
		exit 1
	} ;;
esac
