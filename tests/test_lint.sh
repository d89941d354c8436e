#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Static analysis as a test: scripts/lint.sh (clang-tidy with .clang-tidy,
# cppcheck with .cppcheck-suppressions) finds nothing in any C file.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp /tmp/cgtrack-lint-test.XXXXXX)
trap 'rm -f "$out"' EXIT

for tool in tidy cppcheck; do
	LINT_TOOLS=$tool "$ROOT/scripts/lint.sh" >"$out" 2>&1
	rc=$?
	case $rc in
	0) echo "ok - lint: $tool: $(tail -1 "$out" | sed 's/^lint: //')" ;;
	2) echo "not ok - lint: $tool: cannot run: $(tail -1 "$out")" ;;
	*) echo "not ok - lint: $tool: $(tail -1 "$out" | sed 's/^lint: //')"
	   head -60 "$out" >&2 ;;
	esac
done
