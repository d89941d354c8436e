#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Build cgtrack with a changed copy of its BPF programs, to measure an
# alternative without touching bpf/ or include/:
#
#   scripts/bench/variant.sh NAME [PATCH|SCRIPT]...
#       copies bpf/ include/ loader/ and the Makefile to
#       $OUTPUT/bench-variants/NAME/src, applies each PATCH (patch -p1) or
#       runs each SCRIPT (an executable, in src/), builds, and prints the
#       path of the variant's cgtrack.
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
(cd "$src" && cp -r bpf include loader Makefile "$dir/src/")
for p in "$@"; do
	case $p in /*) ;; *) p=$ROOT/$p ;; esac
	if [ -x "$p" ] && [ "${p%.patch}" = "$p" ]; then
		(cd "$dir/src" && "$p") >&2
	else
		patch -s -d "$dir/src" -p1 <"$p" >&2
	fi
done
# the variant reuses the main build's vmlinux.h
mkdir -p "$dir/build"
[ -f "$OUTPUT/vmlinux.h" ] && cp "$OUTPUT/vmlinux.h" "$dir/build/"
make -s -C "$dir/src" OUTPUT="$dir/build" >&2
echo "$dir/build/cgtrack"
