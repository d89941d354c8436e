#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Seed corpora for the fuzz targets, one input per file, from the real-paths
# corpus (../shared/corpus, else tests/data) and our parser cases.
#   tests/fuzz/seeds.sh OUTDIR [TARGET...]  -> OUTDIR/parser, OUTDIR/proc, OUTDIR/json
# Each target's directory is built aside and renamed into place, so that a
# fuzzer reading another target's seeds is never disturbed.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
shift
targets=${*:-parser proc json}
corpus=$root/../shared/corpus/cgroup-paths.tsv
[ -r "$corpus" ] || corpus=$root/tests/data/cgroup-paths.tsv
cases=$root/tests/data/parser-cases.tsv
tmp=$(mktemp -d "$out.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$out"; mktemp -d "$out.tmp.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out" "$tmp/parser" "$tmp/proc" "$tmp/json"
out_final=$out
out=$tmp
i=0
# the parser target prepends the leading '/' itself
grep -hv '^#' "$corpus" "$cases" | cut -f1 | grep '^/' | sort -u |
while IFS= read -r p; do
	i=$((i + 1))
	printf '%s' "${p#/}" >"$out/parser/seed-$i"
	printf '0::%s\n' "$p" >"$out/proc/seed-v2-$i"
	printf '12:cpuset:%s\n11:name=systemd:%s\n0::%s\n' "$p" "$p" "$p" >"$out/proc/seed-v1-$i"
done
# a whole /proc/<pid>/cgroup of a hybrid host, and garbage-shaped lines
cat >"$out/proc/hybrid" <<'X'
13:misc:/
12:cpuset:/docker/5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
11:cpu,cpuacct:/docker/5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
1:name=systemd:/docker/5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
0::/docker/5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
X
printf '0::/../../system.slice/docker-5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf.scope\n' >"$out/proc/cgns"
printf '::/\n:\n0:\n99999999999999999999:x:/a\n' >"$out/proc/garbage"
# runtime replies: docker inspect, containerd/cri-o CRI status, podman
for f in "$root"/tests/fuzz/json/*.json; do
	[ -f "$f" ] && cp "$f" "$out/json/"
done
for t in $targets; do
	rm -rf "$out_final/$t.old"
	[ -d "$out_final/$t" ] && mv "$out_final/$t" "$out_final/$t.old"
	mv "$out/$t" "$out_final/$t"
	rm -rf "$out_final/$t.old"
done
exit 0
