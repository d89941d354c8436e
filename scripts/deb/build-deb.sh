#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# build-deb.sh [-a ARCH] OUT_DIR [REVISION]
#
# Builds cgtrack's Debian packages with Debian's tooling
# (dpkg-buildpackage -us -uc -b, debhelper) from a copy of the working tree
# (the files git tracks or would track), so that the build touches neither
# build/ nor the tree, and puts the .deb, .ddeb, .buildinfo and .changes
# files in OUT_DIR, then runs lintian on the .changes (fails on an error or
# a warning; overrides live in debian/*.lintian-overrides).
#
# REVISION (optional) builds another Debian revision of the same source,
# e.g. 1~prev for "0.3.0-1~prev", an older package to test upgrades with (a
# revision 0 is a lintian error): the copy's
# top changelog entry gets that version.
#
# -a ARCH (e.g. arm64; `make deb-arm64`) cross-builds cgtrack for ARCH on
# this host: dpkg-buildpackage -a ARCH -Pcross,nocheck, with the ARCH
# libraries of Build-Depends installed through multiarch (`make
# cross-deps`); debian/rules hands the project's Makefile the cross
# compiler and pkg-config. The same copy of the tree, the same lintian.
#
# Fails, saying so, when VERSION and debian/changelog disagree, or when a
# build dependency is missing (dpkg-checkbuilddeps names it; `make
# deb-deps` installs them).
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
log() { printf 'deb: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

HOST_ARCH=""
if [ "${1:-}" = -a ]; then
	[ $# -ge 2 ] || die "usage: build-deb.sh [-a ARCH] OUT_DIR [REVISION]"
	HOST_ARCH=$2
	shift 2
	[[ $HOST_ARCH =~ ^[a-z0-9]+$ ]] || die "bad architecture '$HOST_ARCH'"
	[ "$HOST_ARCH" != "$(dpkg --print-architecture)" ] || HOST_ARCH=""
fi
[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: build-deb.sh [-a ARCH] OUT_DIR [REVISION]"
OUT=$1
REV=${2:-}
for t in dpkg-buildpackage dpkg-checkbuilddeps dh git; do
	command -v "$t" >/dev/null || die "$t is missing: make deb-deps installs the build tools (debhelper, dpkg-dev, lintian)"
done

cd "$REPO"
version=$(cat VERSION)
chver=$(dpkg-parsechangelog -l debian/changelog -S Version)
[ "${chver%-*}" = "$version" ] ||
	die "debian/changelog is at $chver but VERSION says $version: add a changelog entry (dch -v $version-1) or fix VERSION"
if [ -n "$REV" ]; then
	[[ $REV =~ ^[0-9A-Za-z.+~]+$ ]] || die "bad revision '$REV'"
	debver=$version-$REV
else
	debver=$chver
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "$OUT/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SRC=$WORK/cgtrack-$version
mkdir -p "$SRC"
# what git tracks or would track (not build outputs, not ignored files),
# as it is in the working tree
git ls-files -z --cached --others --exclude-standard -- \
	Makefile VERSION LICENSE LICENSES README.md bpf loader include examples mk man scripts debian |
	tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$SRC" -xf -
[ -f "$SRC/debian/rules" ] || die "no debian/rules copied"
if [ -n "$REV" ]; then
	sed -i "1s/^cgtrack ([^)]*)/cgtrack ($debver)/" "$SRC/debian/changelog"
fi

BUILD=(dpkg-buildpackage -us -uc -b)
deps="make deb-deps installs them"
if [ -n "$HOST_ARCH" ]; then
	BUILD+=(-a "$HOST_ARCH" -Pcross,nocheck)
	# dpkg-architecture checks the compiler against the target (debian/rules
	# hands the same one to the Makefile)
	export CC
	CC=$(dpkg-architecture -a "$HOST_ARCH" -qDEB_HOST_GNU_TYPE 2>/dev/null)-gcc
	# the nocheck profile's option too (else dh warns that it copies it)
	export DEB_BUILD_OPTIONS="nocheck${DEB_BUILD_OPTIONS:+ $DEB_BUILD_OPTIONS}"
	deps="make deb-deps and make cross-deps install them"
fi
log "${BUILD[*]}: cgtrack $debver (log: $OUT/build-$debver.log)"
start=$(date +%s)
if ! (cd "$SRC" && "${BUILD[@]}") >"$OUT/build-$debver.log" 2>&1; then
	if grep -q 'Unmet build dependencies' "$OUT/build-$debver.log"; then
		grep 'Unmet build dependencies' "$OUT/build-$debver.log" | sed 's/^/  /' >&2
		die "build dependencies missing: $deps"
	fi
	grep -v -e '^ *cc ' -e '^ *clang ' "$OUT/build-$debver.log" | tail -n 12 | sed 's/^/  /' >&2
	die "dpkg-buildpackage failed (log: $OUT/build-$debver.log)"
fi
log "built in $(($(date +%s) - start)) s"
arch=$(dpkg-architecture ${HOST_ARCH:+-a "$HOST_ARCH"} -qDEB_HOST_ARCH 2>/dev/null)
changes=cgtrack_${debver}_$arch.changes
files=$(sed -n '/^Files:/,/^[^ ]/p' "$WORK/$changes" | awk 'NF == 5 { print $5 }')
for f in $files "$changes"; do
	mv -f "$WORK/$f" "$OUT/"
done
for f in $files; do log "  $OUT/$f"; done

if command -v lintian >/dev/null; then
	log "lintian $changes"
	# lintian leaves mldbm-* files in $TMPDIR: the work directory, removed at exit
	if ! TMPDIR=$WORK lintian --fail-on error,warning --info "$OUT/$changes" \
		>"$OUT/lintian-$debver.log" 2>&1; then
		sed 's/^/  /' "$OUT/lintian-$debver.log" >&2
		die "lintian: errors or warnings (log: $OUT/lintian-$debver.log)"
	fi
	sed 's/^/  /' "$OUT/lintian-$debver.log" >&2
	log "lintian: no errors, no warnings"
else
	log "lintian is not installed (make deb-deps): packages not checked"
fi
