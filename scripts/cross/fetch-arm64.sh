#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# fetch-arm64.sh CACHE_DIR
#
# Fetches, from Debian's arm64 archive, what building and booting cgtrack
# for arm64 needs from that architecture, WITHOUT installing anything: a
# private apt configuration (own sources.list, lists, cache; /etc/apt is not
# read; APT::Architecture arm64) points at the host's own mirror
# (scripts/lib/host-mirror.sh; no address is written in the repository) and
# downloads the .debs, which dpkg-deb unpacks:
#
#   CACHE_DIR/kernel/vmlinuz     the kernel linux-image-arm64 points at
#   CACHE_DIR/kernel/Image       the same, decompressed (qemu -kernel)
#   CACHE_DIR/kernel/btf         its BTF (.BTF section, raw), cut out of
#                                Image: `bpftool btf dump file btf format c`
#                                is the arm64 vmlinux.h
#   CACHE_DIR/kernel/{config,release,pkgversion,package,suite}
#   CACHE_DIR/busybox            busybox-static's arm64 /bin/busybox (for the
#                                kmatrix initramfs)
#
# The BTF is that of the kernel the package boots: Debian builds it with
# CONFIG_DEBUG_INFO_BTF=y, and the Image carries it as one contiguous blob
# (magic 0xeB9F, version 1, a 24-byte header): found by its header, its
# length is hdr_len + str_off + str_len; bpftool must then parse it and
# find task_struct, else this fails. (The same bytes as
# /sys/kernel/btf/vmlinux in a boot of that kernel.)
#
# A second run reuses the cache (lists younger than a day are not
# refreshed; a kernel already extracted at the candidate version is kept).
# Environment: CROSS_MIRROR (default: the host's mirror), CROSS_SUITE
# (default bookworm), CROSS_KEYRING.
set -Eeuo pipefail
trap 'printf "fetch-arm64: error: line %s: %s (exit %s)\n" "$LINENO" "$BASH_COMMAND" "$?" >&2' ERR

log() { printf 'fetch-arm64: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -eq 1 ] || { sed -n '3,32p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=${CROSS_SUITE:-bookworm}
keyring=${CROSS_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
BPFTOOL=${BPFTOOL:-bpftool}
mkdir -p "$1"
cache=$(cd "$1" && pwd)
for tool in apt-get apt-cache dpkg-deb gzip od grep "$BPFTOOL"; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -r "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"
mirror=${CROSS_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$("$here/../lib/host-mirror.sh") ||
        die "no Debian mirror in the host's apt sources (set CROSS_MIRROR)"
fi

d=$cache/apt
source "$here/../lib/private-apt.sh"
private_apt_conf "$d" arm64 scripts/cross/fetch-arm64.sh
printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$suite" >"$d/etc/sources.list.new"

stamp=$d/state/lists/.updated
if ! cmp -s "$d/etc/sources.list.new" "$stamp" 2>/dev/null \
   || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    mv "$d/etc/sources.list.new" "$d/etc/sources.list"
    log "apt-get update ($suite, arm64)"
    if ! timeout -k 10 300 "${apt[@]}" apt-get -q update >"$d/update.log" 2>&1 ||
        grep -qE '^(W|E): (Failed|Some index files failed)' "$d/update.log"; then
        tail -5 "$d/update.log" >&2
        die "apt-get update of $suite (arm64, private configuration) failed"
    fi
    cp "$d/etc/sources.list" "$stamp"
else
    rm -f "$d/etc/sources.list.new"
fi

# linux-image-arm64 -> linux-image-<R>; the -unsigned package when there is
# one (same image, no signature), else the signed one
dep=$("${apt[@]}" apt-cache show --no-all-versions linux-image-arm64 | sed -n 's/^Depends: //p' | head -1)
kpkg=$(printf '%s\n' "$dep" | tr ',|' '\n' | sed 's/^ *//; s/ .*//' |
       grep -E '^linux-image-[0-9].*-arm64$' | head -1 || true)
[ -n "$kpkg" ] || die "linux-image-arm64 in $suite: no linux-image-<release>-arm64 in Depends: '$dep'"
release=${kpkg#linux-image-}
pick=""
for p in "linux-image-$release-unsigned" "$kpkg"; do
    v=$("${apt[@]}" apt-cache policy "$p" | awk '$1 == "Candidate:" && $2 != "(none)" { print $2 }')
    if [ -n "$v" ]; then pick=$p; ver=$v; break; fi
done
[ -n "$pick" ] || die "no package holds the image of $release in $suite"

k=$cache/kernel
if [ -s "$k/btf" ] && [ "$(cat "$k/release" 2>/dev/null)" = "$release" ] \
   && [ "$(cat "$k/pkgversion" 2>/dev/null)" = "$ver" ] && [ -x "$cache/busybox" ]; then
    log "cached: $release ($ver), busybox"
    exit 0
fi

dl=$d/dl
rm -rf "$d/x"
mkdir -p "$dl" "$d/x"
log "downloading $pick ($ver), busybox-static"
# (a .deb left by an interrupted run is not fetched again)
if ! (cd "$dl" && { ls "${pick}_"*.deb >/dev/null 2>&1 ||
        timeout -k 10 900 "${apt[@]}" apt-get -q download "$pick"; } &&
        { ls busybox-static_*.deb >/dev/null 2>&1 ||
        timeout -k 10 300 "${apt[@]}" apt-get -q download busybox-static; }) \
        >"$d/download.log" 2>&1; then
    tail -5 "$d/download.log" >&2
    die "apt-get download $pick busybox-static ($suite, arm64) failed"
fi
for deb in "$dl"/*.deb; do
    # only the image, the config and busybox, not the modules
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$d/x" --wildcards \
        "./boot/vmlinuz-$release" "./boot/config-$release" './bin/busybox' './usr/bin/busybox' \
        2>/dev/null || true
done
# bookworm: /bin/busybox; trixie on (merged /usr): /usr/bin/busybox
[ -x "$d/x/bin/busybox" ] || { [ -x "$d/x/usr/bin/busybox" ] && mkdir -p "$d/x/bin" &&
    mv "$d/x/usr/bin/busybox" "$d/x/bin/busybox"; } || true
[ -s "$d/x/boot/vmlinuz-$release" ] || die "$pick holds no /boot/vmlinuz-$release"
[ -x "$d/x/bin/busybox" ] || die "busybox-static (arm64) holds no /bin/busybox"

rm -rf "$k.new"
mkdir -p "$k.new"
mv "$d/x/boot/vmlinuz-$release" "$k.new/vmlinuz"
[ -s "$d/x/boot/config-$release" ] && mv "$d/x/boot/config-$release" "$k.new/config"
# Debian's arm64 vmlinuz is a gzip'ed Image (a signed one is a plain Image)
if [ "$(head -c 2 "$k.new/vmlinuz" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
    gzip -dc <"$k.new/vmlinuz" >"$k.new/Image"
else
    ln "$k.new/vmlinuz" "$k.new/Image"
fi
# arm64 Image header: "ARM\x64" at offset 56
[ "$(tail -c +57 "$k.new/Image" | head -c 4 | od -An -tx1 | tr -d ' ')" = 41524d64 ] ||
    die "$k.new/Image is not an arm64 Image"

# the BTF blob: magic 9f eb, version 1, flags 0, hdr_len 24
found=""
for off in $(LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$k.new/Image" | cut -d: -f1 | head -20); do
    # type_off type_len str_off str_len (u32, little endian)
    read -r _ _ str_off str_len < <(od -An -t u4 --endian=little -j $((off + 8)) -N 16 "$k.new/Image")
    len=$((24 + str_off + str_len))
    [ "$len" -gt 1000000 ] || continue       # a kernel's BTF is megabytes
    dd if="$k.new/Image" of="$k.new/btf" iflag=skip_bytes,count_bytes skip="$off" count="$len" \
        bs=1M status=none
    # (to a file: grep -q would end the pipe early, and pipefail fail it)
    "$BPFTOOL" btf dump file "$k.new/btf" >"$d/btf.txt" 2>/dev/null || true
    if grep -q "STRUCT 'task_struct'" "$d/btf.txt"; then
        found=$off; break
    fi
done
[ -n "$found" ] || die "no BTF (.BTF, magic 0xeB9F) found in the Image of $release"
log "BTF at offset $found of Image, $(stat -c %s "$k.new/btf") bytes"
printf '%s\n' "$release" >"$k.new/release"
printf '%s\n' "$ver" >"$k.new/pkgversion"
printf '%s\n' "$pick" >"$k.new/package"
printf '%s\n' "$suite" >"$k.new/suite"
cp "$d/x/bin/busybox" "$cache/busybox.new"
mv "$cache/busybox.new" "$cache/busybox"
rm -rf "$k" && mv "$k.new" "$k"
# keep the lists (a day), not the .debs
rm -rf "$dl" "$d/x" "$d/btf.txt"
log "$release ($ver, $pick) -> $k"
