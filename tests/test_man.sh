#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The man page renders without warnings and documents every command and
# every long option the binary knows.
source "$(dirname "$0")/lib.sh"
t_init man
export LC_ALL=C

PAGE=$TESTS_DIR/../man/cgtrack.8

t_eq "groff: no warnings" "" "$(groff -man -ww -z "$PAGE" 2>&1)"
t_true "man -l renders it" sh -c "MANWIDTH=80 man -l '$PAGE' 2>/dev/null | grep -q '^EXIT STATUS'"
text=$(MANWIDTH=200 man -l "$PAGE" 2>/dev/null)
missing=""
for c in $("$CGTRACK" --help | awk '/^  [a-z]/ { print $1 }'); do
	grep -qE "^       $c( |$)" <<<"$text" || missing="$missing $c"
done
t_eq "every command has an entry" "" "$missing"
missing=""
for o in $("$CGTRACK" --help 2>/dev/null | awk '/^  [a-z]/ { print $1 }' |
	while read -r c; do "$CGTRACK" "$c" --help; done | grep -oE -- '--[a-z0-9-]+' | sort -u); do
	grep -q -- "$o" <<<"$text" || missing="$missing $o"
done
t_eq "every option is described" "" "$missing"
t_true "SYNOPSIS is what the binary's help says (scripts/man-synopsis.sh --check)" \
	"$TESTS_DIR/../scripts/man-synopsis.sh" --check "$CGTRACK" "$PAGE"
