#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Static analysis of every C source: clang-tidy (.clang-tidy) and cppcheck
# (.cppcheck-suppressions), userspace files with the loader's flags, BPF
# files with the BPF target's. Exits 1 on any finding, 2 if a tool is
# missing (make hardening-setup). Needs a build first (`make`): the loader
# includes the generated skeleton and the BPF side vmlinux.h.
#   scripts/lint.sh                every file
#   scripts/lint.sh FILE...        only these
#   LINT_TOOLS=tidy|cppcheck       only one tool
set -u
cd "$(dirname "$0")/.." || exit 2
OUTPUT=${OUTPUT:-build}
TIDY=${CLANG_TIDY:-$(command -v clang-tidy-14 || command -v clang-tidy)}
CPPCHECK=${CPPCHECK:-cppcheck}
TOOLS=${LINT_TOOLS:-tidy cppcheck}
ARCH=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
JOBS=$(nproc 2>/dev/null || echo 2)

for t in $TOOLS; do
	case $t in
	tidy) [ -n "$TIDY" ] || { echo "lint: clang-tidy is not installed (make hardening-setup)" >&2; exit 2; } ;;
	cppcheck) command -v "$CPPCHECK" >/dev/null || { echo "lint: cppcheck is not installed (make hardening-setup)" >&2; exit 2; } ;;
	esac
done
[ -f "$OUTPUT/cgtrack.skel.h" ] && [ -f "$OUTPUT/vmlinux.h" ] ||
	{ echo "lint: run make first ($OUTPUT/cgtrack.skel.h, $OUTPUT/vmlinux.h)" >&2; exit 2; }

# Generated headers are system headers: no finding is reported in them.
USER_FLAGS=(-std=gnu11 -D_GNU_SOURCE -Iinclude -isystem "$OUTPUT" -isystem "$OUTPUT/examples"
	    -Iloader -Itests/fuzz)
BPF_FLAGS=(-target bpf "-D__TARGET_ARCH_$ARCH" -O2 -isystem "$OUTPUT" -Iinclude -Ibpf)

if [ $# -gt 0 ]; then
	files=("$@")
else
	mapfile -t files < <(ls loader/*.c tests/*.c tests/tools/*.c tests/fuzz/*.c \
		bpf/*.bpf.c examples/*/*.c 2>/dev/null)
fi

out=$(mktemp -d /tmp/cgtrack-lint.XXXXXX)
trap 'rm -rf "$out"' EXIT

tidy_one() {	# FILE: findings to $out/tidy.<n>
	local f=$1 log
	log="$out/tidy.$(echo "$f" | tr '/' '_')"
	case $f in
	# BPF helpers hand back pointers as u64 (bpf_get_current_task())
	*.bpf.c) "$TIDY" --quiet \
			--checks=-performance-no-int-to-ptr "$f" -- "${BPF_FLAGS[@]}" >"$log" 2>&1 ;;
	*) "$TIDY" --quiet "$f" -- "${USER_FLAGS[@]}" >"$log" 2>&1 ;;
	esac
	# only diagnostics count, one line each; none in generated files (the
	# analyzer follows calls into the skeletons, whose allocations libbpf
	# frees out of its sight)
	grep -E '(warning|error): ' "$log" | grep -vE "^(/[^:]*/)?$OUTPUT/" |
		sed "s|^$PWD/||" | sort -u >"$log.f"
	mv "$log.f" "$log"
	[ -s "$log" ] || rm -f "$log"
}

fail=0
if [[ " $TOOLS " == *" tidy "* ]]; then
	export -f tidy_one
	export TIDY out OUTPUT
	export USER_FLAGS_S="${USER_FLAGS[*]}" BPF_FLAGS_S="${BPF_FLAGS[*]}"
	# arrays do not cross `export`: rebuild them in each worker
	printf '%s\n' "${files[@]}" | xargs -P "$JOBS" -I{} bash -c '
		USER_FLAGS=($USER_FLAGS_S); BPF_FLAGS=($BPF_FLAGS_S); tidy_one "$1"' _ {}
	if ls "$out"/tidy.* >/dev/null 2>&1; then
		sort -u "$out"/tidy.*
		n=$(sort -u "$out"/tidy.* | wc -l)
		echo "lint: clang-tidy: $n findings in $(ls "$out"/tidy.* | wc -l) files"
		fail=1
	else
		echo "lint: clang-tidy: ${#files[@]} files, no finding"
	fi
fi

if [[ " $TOOLS " == *" cppcheck "* ]]; then
	user=() bpf=()
	for f in "${files[@]}"; do
		case $f in *.bpf.c) bpf+=("$f") ;; *) user+=("$f") ;; esac
	done
	common=(--quiet --error-exitcode=1 --inline-suppr --std=c11
		--enable=warning,style,performance,portability
		--suppressions-list=.cppcheck-suppressions
		--template='{file}:{line}: {severity}: {message} [{id}]'
		-D__linux__ -D__x86_64__ -Iinclude -Iloader -Itests/fuzz -j "$JOBS")
	rc=0
	# libbpf's macros (LIBBPF_OPTS, SEC, __uint...) from its small headers
	if [ ${#user[@]} -gt 0 ]; then
		"$CPPCHECK" "${common[@]}" -D_GNU_SOURCE --include=/usr/include/bpf/libbpf_common.h \
			"${user[@]}" 2>"$out/cppcheck" || rc=1
	fi
	# BPF: the parser and the programs, without vmlinux.h (cppcheck cannot
	# take 100k lines of kernel types; missing types are not findings)
	if [ ${#bpf[@]} -gt 0 ]; then
		"$CPPCHECK" "${common[@]}" -D__bpf__ -D__VMLINUX_H__ -Ibpf \
			--include=/usr/include/bpf/bpf_helpers.h "${bpf[@]}" 2>>"$out/cppcheck" || rc=1
	fi
	if [ -s "$out/cppcheck" ] || [ $rc -ne 0 ]; then
		cat "$out/cppcheck"
		echo "lint: cppcheck: $(grep -c ': ' "$out/cppcheck") findings"
		fail=1
	else
		echo "lint: cppcheck: ${#files[@]} files, no finding"
	fi
fi
exit $fail
