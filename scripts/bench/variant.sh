#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Build cgtrack with a changed copy of its BPF programs, to measure an
# alternative without touching bpf/ or include/:
#
#   scripts/bench/variant.sh NAME [PATCH|SCRIPT[:ARG]]...
#       copies bpf/ include/ loader/ and the Makefile to
#       $OUTPUT/bench-variants/NAME/src, applies each PATCH (patch -p1) or
#       runs each SCRIPT (an executable, in src/, with ARG if given),
#       builds, and prints the path of the variant's cgtrack (and builds
#       its sweeptime next to it). scripts/bench/variants/ has the scripts
#       of the analysis in the benchmark's report, e.g.
#         variant.sh fast scripts/bench/variants/direct.sh \
#                         scripts/bench/variants/nowakeup.sh
#         variant.sh no-pending scripts/bench/variants/drop.sh:pending
#   CGTRACK=$(scripts/bench/variant.sh NAME x.patch) \
#       scripts/bench/run.sh --sections event --out $OUTPUT/bench-variants/NAME
#   SRC=DIR takes bpf/ include/ loader/ Makefile from DIR instead of the
#   work tree (a snapshot, so that variants made at different times compare).
#
# No hardware PMU on a VM like this one (so no `bpftool prog profile`),
# and a timer can't sample with interrupts off: removing a part and
# measuring again is how a program's cost is split.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUTPUT=${OUTPUT:-build}
case $OUTPUT in /*) ;; *) OUTPUT=$ROOT/$OUTPUT ;; esac
[ $# -ge 1 ] || { echo "usage: variant.sh NAME [PATCH|SCRIPT]..." >&2; exit 2; }
name=$1
shift
dir=$OUTPUT/bench-variants/$name
src=${SRC:-$ROOT}
rm -rf "$dir"
mkdir -p "$dir/src"
(cd "$src" && cp -r bpf include loader Makefile VERSION "$dir/src/")
for p in "$@"; do
	arg=()
	case $p in *.sh:*) arg=("${p#*.sh:}"); p=${p%%.sh:*}.sh ;; esac
	case $p in /*) ;; *) p=$ROOT/$p ;; esac
	if [ -x "$p" ] && [ "${p%.patch}" = "$p" ]; then
		(cd "$dir/src" && "$p" "${arg[@]}") >&2
	else
		patch -s -d "$dir/src" -p1 <"$p" >&2
	fi
done
# the variant reuses the main build's vmlinux.h
mkdir -p "$dir/build"
[ -f "$OUTPUT/vmlinux.h" ] && cp "$OUTPUT/vmlinux.h" "$dir/build/"
make -s -C "$dir/src" OUTPUT="$dir/build" >&2
# its own sweep, timed (scripts/bench/sweeptime.c on this variant's loader)
objs=()
for o in "$dir"/build/loader/*.o; do [ "${o##*/}" = main.o ] || objs+=("$o"); done
read -ra libs <<<"$(pkg-config --libs libbpf json-c 2>/dev/null ||
	echo -lbpf -lelf -lz -ljson-c)"
${CC:-cc} -O2 -g -std=gnu11 -D_GNU_SOURCE -I"$dir/src/include" -I"$dir/build" \
	-I"$dir/src/loader" "$ROOT/scripts/bench/sweeptime.c" "${objs[@]}" "${libs[@]}" \
	-o "$dir/build/sweeptime" >&2
echo "$dir/build/cgtrack"
