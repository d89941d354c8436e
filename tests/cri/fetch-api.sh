#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Fetch the CRI API definition (api.proto) as Debian packages it, in
# golang-k8s-cri-api-dev (only in sid/unstable), WITHOUT touching the
# system's apt configuration: a private apt (own sources.list, lists, cache;
# /etc/apt is not read) points at the host's own mirror (from its apt
# sources, scripts/lib/host-mirror.sh; no address is written in the
# repository), downloads just that .deb and extracts it with dpkg-deb -x.
#
#   tests/cri/fetch-api.sh CACHE_DIR     prints the path of api.proto
#
# CACHE_DIR/api.proto is reused when present. Environment: CRI_API_MIRROR
# (default: the host's mirror), CRI_API_SUITE (default sid),
# CRI_API_PACKAGE (default golang-k8s-cri-api-dev).
set -euo pipefail

die() { echo "fetch-api.sh: $*" >&2; exit 1; }

cache=${1:-}
[ -n "$cache" ] || die "usage: fetch-api.sh CACHE_DIR"
here=$(cd "$(dirname "$0")" && pwd)
suite=${CRI_API_SUITE:-sid}
pkg=${CRI_API_PACKAGE:-golang-k8s-cri-api-dev}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

if [ -s "$cache/api.proto" ]; then
	echo "$cache/api.proto"
	exit 0
fi
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

mirror=${CRI_API_MIRROR:-}
if [ -z "$mirror" ]; then
	mirror=$("$here/../../scripts/lib/host-mirror.sh") ||
		die "no Debian mirror in the host's apt sources (set CRI_API_MIRROR)"
fi
[ -r "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"

d=$cache/apt
source "$here/../../scripts/lib/private-apt.sh"
private_apt_conf "$d" amd64 tests/cri/fetch-api.sh
mkdir -p "$d/dl"
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$d/etc/sources.list"

if ! timeout -k 10 300 "${apt[@]}" apt-get -q update >"$d/update.log" 2>&1 ||
	grep -qE '^(W|E): (Failed|Some index files failed)' "$d/update.log"; then
	tail -5 "$d/update.log" >&2
	die "apt-get update of $suite (private configuration) failed"
fi
rm -f "$d"/dl/*.deb
if ! (cd "$d/dl" && timeout -k 10 300 "${apt[@]}" apt-get -q download "$pkg") >"$d/download.log" 2>&1; then
	tail -5 "$d/download.log" >&2
	die "apt-get download $pkg from $suite failed"
fi
deb=$(ls "$d"/dl/"${pkg}"_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "no $pkg .deb after download"
rm -rf "$d/x"
dpkg-deb -x "$deb" "$d/x" || die "dpkg-deb -x $deb failed"
# the Go package's source tree: .../k8s.io/cri-api/pkg/apis/runtime/v1/api.proto
proto=$(find "$d/x" -path '*/cri-api/pkg/apis/runtime/v1/api.proto' -type f | head -1)
[ -n "$proto" ] || die "no runtime/v1/api.proto in $deb"
cp "$proto" "$cache/api.proto.part"
dpkg-deb -f "$deb" Package Version >"$cache/api.proto.source"
# only the definition is kept; lists and the .deb go
rm -rf "$d/x" "$d/dl" "$d/state/lists" "$d/cache"
mv "$cache/api.proto.part" "$cache/api.proto"
echo "$cache/api.proto"
