#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The arm64 Debian package (make deb-arm64): cross-built on this host by
# scripts/deb/build-deb.sh -a arm64 (dpkg-buildpackage -a arm64
# -Pcross,nocheck) into a temporary directory, beside the amd64 packages
# built from the same tree, unless CGTRACK_DEB_ARM64_DIR and
# CGTRACK_DEB_DIR name directories holding them. Checks: lintian clean;
# Architecture arm64; /usr/sbin/cgtrack an aarch64 ELF, dynamically linked,
# NEEDing libbpf, libcurl and libjson-c, and Depends naming their packages;
# the same files as the amd64 package (same modes, and the same contents
# for everything but the binary); and, under qemu-user
# (qemu-aarch64-static -L /, the :arm64 libraries through multiarch), the
# binary says its version and `cgtrack parse --json` of every path of
# tests/data/parser-cases.tsv prints what the amd64 build prints. Needs
# make deb-deps and make cross-deps; skips when they are missing. Leaves
# nothing behind.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init deb_arm64
# lintian (MLDBM) and the build leave temporary files in $TMPDIR: ours
export TMPDIR=$T_TMP/tmp
mkdir -p "$TMPDIR"
REPO=$(cd "$TESTS_DIR/.." && pwd)
DEBVER=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
NATIVE=$(dpkg --print-architecture)

for t in dpkg-buildpackage dh lintian readelf aarch64-linux-gnu-gcc; do
	command -v "$t" >/dev/null || { t_skip all "$t is missing (make deb-deps, make cross-deps)"; exit 0; }
done
if [ "$NATIVE" = arm64 ]; then
	t_skip all "this host is arm64: make deb builds the arm64 package natively (tests/test_deb.sh)"
	exit 0
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64 ||
	! (cd "$REPO" && dpkg-checkbuilddeps -a arm64 -P cross,nocheck) >"$T_TMP/deps" 2>&1; then
	t_skip all "the arm64 build dependencies are missing (make cross-deps): $(tr '\n' ' ' <"$T_TMP/deps" 2>/dev/null)"
	exit 0
fi

# --- the packages -----------------------------------------------------------------
build() {	# WHAT DIR [-a ARCH]
	local what=$1 dir=$2 t0
	shift 2
	t0=$(date +%s)
	if "$REPO/scripts/deb/build-deb.sh" "$@" "$dir" >"$T_TMP/build-$what.log" 2>&1; then
		t_ok "$what package: dpkg-buildpackage and lintian pass ($(($(date +%s) - t0)) s)"
	else
		t_fail "$what package" "$(tail -n 8 "$T_TMP/build-$what.log" | tr '\n' ' ')"
		exit 1
	fi
}
ARM=${CGTRACK_DEB_ARM64_DIR:-}
if [ -z "$ARM" ]; then
	ARM=$T_TMP/deb-arm64
	build arm64 "$ARM" -a arm64
fi
AMD=${CGTRACK_DEB_DIR:-}
if [ -z "$AMD" ]; then
	AMD=$T_TMP/deb
	build "$NATIVE" "$AMD"
fi
DEB=$ARM/cgtrack_${DEBVER}_arm64.deb
NDEB=$AMD/cgtrack_${DEBVER}_$NATIVE.deb
for f in "$DEB" "$NDEB" "$ARM/cgtrack-dev_${DEBVER}_all.deb"; do
	[ -f "$f" ] || { t_fail "packages" "no $f"; exit 1; }
done
t_ok "cgtrack ${DEBVER} arm64 and $NATIVE built"

if lintian --fail-on error,warning "$ARM/cgtrack_${DEBVER}_arm64.changes" >"$T_TMP/lintian" 2>&1; then
	t_ok "lintian (arm64): no error, no warning ($(grep -c '^[IPX]:' "$T_TMP/lintian") info/pedantic tags)"
else
	t_fail "lintian (arm64)" "$(grep -E '^[EW]:' "$T_TMP/lintian" | tr '\n' ' ')"
fi

# --- control fields ------------------------------------------------------------------
t_eq "Architecture: arm64" arm64 "$(dpkg-deb -f "$DEB" Architecture)"
t_eq "Version" "$DEBVER" "$(dpkg-deb -f "$DEB" Version)"
t_eq "cgtrack-dev of the cross build: Architecture all" all \
	"$(dpkg-deb -f "$ARM/cgtrack-dev_${DEBVER}_all.deb" Architecture)"
deps=$(dpkg-deb -f "$DEB" Depends)
names() { grep -qE "(^|, )$1( |,|$)" <<<"$2"; }
for p in libbpf1 libjson-c5 libc6; do
	if names "$p" "$deps"; then t_ok "Depends names $p"
	else t_fail "Depends names $p" "Depends: $deps"; fi
done
t_eq "Depends: the same packages as $NATIVE's" \
	"$(dpkg-deb -f "$NDEB" Depends | tr ',' '\n' | awk '{ print $1 }' | sort | paste -sd ' ')" \
	"$(tr ',' '\n' <<<"$deps" | awk '{ print $1 }' | sort | paste -sd ' ')"

# --- the binary ------------------------------------------------------------------------
R=$T_TMP/root-arm64
N=$T_TMP/root-$NATIVE
mkdir -p "$R" "$N" "$T_TMP/ctl-arm64" "$T_TMP/ctl-$NATIVE"
dpkg-deb -x "$DEB" "$R"
dpkg-deb -x "$NDEB" "$N"
dpkg-deb -e "$DEB" "$T_TMP/ctl-arm64"
dpkg-deb -e "$NDEB" "$T_TMP/ctl-$NATIVE"
BIN=$R/usr/sbin/cgtrack
readelf -h "$BIN" >"$T_TMP/elfh" 2>&1
readelf -lW "$BIN" >"$T_TMP/elfl" 2>&1
readelf -d "$BIN" >"$T_TMP/elfd" 2>&1
t_eq "/usr/sbin/cgtrack: ELF64, machine AArch64" "ELF64 AArch64" \
	"$(awk -F: '/Class:/ { gsub(/ /, "", $2); c = $2 } /Machine:/ { gsub(/ /, "", $2); m = $2 } END { print c, m }' "$T_TMP/elfh")"
t_eq "dynamically linked: interpreter /lib/ld-linux-aarch64.so.1" /lib/ld-linux-aarch64.so.1 \
	"$(sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p' "$T_TMP/elfl")"
needed=$(sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' "$T_TMP/elfd" | sort | paste -sd ' ')
for l in libbpf.so.1 libjson-c.so.5; do
	case " $needed " in *" $l "*) t_ok "NEEDED $l" ;;
	*) t_fail "NEEDED $l" "NEEDED: $needed" ;; esac
done
# enrichment's HTTP is cgtrack's own (loader/rt_http.c): no libcurl, linked
# or loaded, and the package does not pull it in
t_eq "no libcurl: neither NEEDED nor named for dlopen" "" \
	"$(grep -oaE 'libcurl[-a-z]*\.so[.0-9]*' "$BIN" | sort -u | paste -sd ' ')"
t_true "the enrichment's client is built in (its request line is in the binary)" \
	grep -qaF "User-Agent: cgtrack" "$BIN"
if names libcurl4 "$deps"; then t_fail "Depends does not name libcurl4" "Depends: $deps"
else t_ok "Depends does not name libcurl4 ($deps)"; fi
if command -v file >/dev/null; then
	f=$(file -b "$BIN")
	case "$f" in *"ARM aarch64"*"dynamically linked"*) t_ok "file: $(cut -d, -f1-2,4 <<<"$f")" ;;
	*) t_fail "file" "$f" ;; esac
fi

# --- the same files as the native package ---------------------------------------------------
# (mode and path; a multiarch triplet in a path would be the architecture's own)
list() { dpkg-deb -c "$1" | awk '{ print $1, $6 }' | sed "s/$2/TRIPLET/g" | sort; }
list "$DEB" aarch64-linux-gnu >"$T_TMP/list-arm64"
list "$NDEB" "$(dpkg-architecture -qDEB_HOST_MULTIARCH)" >"$T_TMP/list-$NATIVE"
if diff "$T_TMP/list-$NATIVE" "$T_TMP/list-arm64" >"$T_TMP/list.diff"; then
	t_ok "the same $(wc -l <"$T_TMP/list-arm64") paths and modes as the $NATIVE package"
else
	t_fail "file list" "$(tr '\n' ' ' <"$T_TMP/list.diff" | cut -c1-400)"
fi
# every file but the binary has the same contents (unit, init script, man
# page, the completion made under qemu-user, ...)
same=$(grep -v ' usr/sbin/cgtrack$' "$T_TMP/ctl-arm64/md5sums" | sort)
t_eq "the same contents for every file but usr/sbin/cgtrack ($(wc -l <<<"$same") files)" \
	"$(grep -v ' usr/sbin/cgtrack$' "$T_TMP/ctl-$NATIVE/md5sums" | sort)" "$same"
t_eq "the same conffiles" "$(sort "$T_TMP/ctl-$NATIVE/conffiles")" "$(sort "$T_TMP/ctl-arm64/conffiles")"
for s in preinst postinst prerm postrm; do
	t_true "$s: the same as the $NATIVE package's" cmp "$T_TMP/ctl-$NATIVE/$s" "$T_TMP/ctl-arm64/$s"
done

# --- it runs on arm64 (qemu-user) -------------------------------------------------------------
QEMU=$(command -v qemu-aarch64-static || true)
if [ -z "$QEMU" ]; then
	t_skip "runs under qemu-user" "no qemu-aarch64-static (make cross-deps installs qemu-user-static)"
	exit 0
fi
run() { "$QEMU" -L / "$BIN" "$@"; }
if ! v=$(run --version 2>"$T_TMP/qemu.err"); then
	t_fail "qemu-aarch64-static -L / cgtrack --version" "$(head -c 300 "$T_TMP/qemu.err")"
	exit 0
fi
case "$v" in *"$DEBVER"*) t_ok "under qemu-aarch64: $v" ;; *) t_fail "--version under qemu" "'$v' does not name $DEBVER" ;; esac

mapfile -t paths < <(grep -v '^#' "$TESTS_DIR/data/parser-cases.tsv" | cut -f1 | grep -v '^$')
run parse --json "${paths[@]}" >"$T_TMP/parse-arm64.json" 2>"$T_TMP/parse-arm64.err"
rc=$?
"$N/usr/sbin/cgtrack" parse --json "${paths[@]}" >"$T_TMP/parse-$NATIVE.json" 2>/dev/null
t_eq "cgtrack parse --json under qemu-aarch64: exit as $NATIVE's" "$?" "$rc"
docker=$(jq -c 'select(.runtime == "docker")' "$T_TMP/parse-arm64.json" 2>/dev/null | wc -l)
t_true "arm64 parse: ${#paths[@]} paths, one JSON object each, $docker of them docker" \
	test "$(jq -c . "$T_TMP/parse-arm64.json" 2>/dev/null | wc -l)" = "${#paths[@]}" -a "$docker" -gt 0
if cmp -s "$T_TMP/parse-$NATIVE.json" "$T_TMP/parse-arm64.json"; then
	t_ok "arm64 parse: the same JSON as the $NATIVE package's binary ($(wc -c <"$T_TMP/parse-arm64.json") bytes)"
else
	t_fail "arm64 parse vs $NATIVE" "$(diff "$T_TMP/parse-$NATIVE.json" "$T_TMP/parse-arm64.json" | head -n 6 | tr '\n' ' ')"
fi
# and as build/cgtrack (the tree's own build), when there is one
if [ -x "$CGTRACK" ]; then
	if "$CGTRACK" parse --json "${paths[@]}" 2>/dev/null | cmp -s - "$T_TMP/parse-arm64.json"; then
		t_ok "arm64 parse: the same JSON as $CGTRACK"
	else
		t_fail "arm64 parse vs $CGTRACK" "differs (is $CGTRACK built from this tree? make)"
	fi
else
	t_skip "arm64 parse vs build/cgtrack" "$CGTRACK is not built"
fi
exit 0
