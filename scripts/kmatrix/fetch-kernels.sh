#!/usr/bin/env bash
# fetch-kernels.sh [options] [CACHE_DIR]
#
# Downloads the Debian kernel that `linux-image-amd64` points at in each
# suite of the matrix and extracts its vmlinuz (and config) into
#   CACHE_DIR/kernels/<label>/{vmlinuz,config,release,pkgversion,package}
#
# apt runs with a PRIVATE configuration under CACHE_DIR/apt/<label>/ (own
# sources.list, state, lists, cache, no /etc/apt/apt.conf.d): the system's
# apt sources and lists are never read or written.
#
# A second run reuses the cache: package lists younger than --max-age are
# not refreshed, and a kernel whose version is already extracted is not
# downloaded again. Without network, cached kernels are used and missing
# ones are reported (exit 1 only if none at all is usable, or with --strict).
#
# Options:
#   --kernels a,b     only these labels (default: all of KMATRIX_SUITES)
#   --offline         never touch the network, use what is cached
#   --refresh         refresh package lists even if they are fresh
#   --max-age HOURS   lists younger than this are not refreshed (default 24)
#   --strict          exit 1 if any requested kernel is unavailable
#
# Environment:
#   KMATRIX_MIRROR    Debian mirror (default: the host's own, from its apt
#                     sources, by scripts/lib/host-mirror.sh)
#   KMATRIX_SUITES    space-separated "label=suite" or "suite" words
#                     (default: bullseye bookworm bookworm-backports trixie sid)
#   KMATRIX_KEYRING   keyring for Signed-By
#                     (default /usr/share/keyrings/debian-archive-keyring.gpg)
set -Eeuo pipefail
trap 'printf "fetch-kernels: error: line %s: %s (exit %s)\n" "$LINENO" "$BASH_COMMAND" "$?" >&2' ERR

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)

# The mirror: KMATRIX_MIRROR, else the one the host's apt uses (no address
# is written in the repository). Looked up after the options (--offline).
MIRROR=${KMATRIX_MIRROR:-}
SUITES=${KMATRIX_SUITES:-"bullseye bookworm bookworm-backports trixie sid"}
KEYRING=${KMATRIX_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
UPDATE_TIMEOUT=${KMATRIX_UPDATE_TIMEOUT:-180}     # seconds, whole `apt-get update`
DOWNLOAD_TIMEOUT=${KMATRIX_DOWNLOAD_TIMEOUT:-600} # seconds, one .deb

CACHE=""
ONLY=""
OFFLINE=0
REFRESH=0
MAX_AGE_H=24
STRICT=0

usage() { sed -n '2,/^set -/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
log() { printf 'fetch-kernels: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

while [ $# -gt 0 ]; do
    case $1 in
        --kernels) ONLY=${2:?}; shift 2 ;;
        --kernels=*) ONLY=${1#*=}; shift ;;
        --offline) OFFLINE=1; shift ;;
        --refresh) REFRESH=1; shift ;;
        --max-age) MAX_AGE_H=${2:?}; shift 2 ;;
        --strict) STRICT=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) [ -z "$CACHE" ] || die "only one CACHE_DIR"; CACHE=$1; shift ;;
    esac
done
CACHE=${CACHE:-$REPO_DIR/build/kmatrix}
if [ -z "$MIRROR" ]; then
    MIRROR=$("$REPO_DIR/scripts/lib/host-mirror.sh" 2>/dev/null) || MIRROR=""
    if [ -z "$MIRROR" ] && [ "$OFFLINE" = 0 ]; then
        log "no Debian mirror in the host's apt sources and KMATRIX_MIRROR unset: using the cache only"
        OFFLINE=1
    fi
fi
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

for tool in apt-get apt-cache dpkg-deb tar timeout; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
[ -r "$KEYRING" ] || die "keyring $KEYRING not readable (install debian-archive-keyring)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmatrix-fetch.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# --- private apt ------------------------------------------------------------
source "$(dirname "${BASH_SOURCE[0]}")/../lib/private-apt.sh"

# setup_apt LABEL SUITE -> writes CACHE/apt/LABEL/apt.conf, prints its path
# (scripts/lib/private-apt.sh: compressed lists, a stale but signed Release
# accepted, as some mirrors serve sid/testing frozen past Valid-Until)
setup_apt() {
    local label=$1 suite=$2 d=$CACHE/apt/$1
    private_apt_conf "$d" amd64 scripts/kmatrix/fetch-kernels.sh
    # without a mirror (offline) the cached lists keep the sources they came from
    if [ -n "$MIRROR" ] || [ ! -s "$d/etc/sources.list" ]; then
        printf 'deb [signed-by=%s] %s %s main\n' "$KEYRING" "${MIRROR:-file:/nonexistent}" "$suite" \
            > "$d/etc/sources.list"
    fi
    printf '%s\n' "$d/apt.conf"
}

# lists_fresh LABEL: true if the lists were fetched for the current
# sources.list less than MAX_AGE_H hours ago
lists_fresh() {
    local d=$CACHE/apt/$1 stamp=$CACHE/apt/$1/state/lists/.kmatrix-updated
    [ -e "$stamp" ] || return 1
    cmp -s "$stamp" "$d/etc/sources.list" || return 1
    [ -n "$(find "$stamp" -mmin "-$((MAX_AGE_H * 60))" 2>/dev/null)" ]
}

# --- per-kernel ---------------------------------------------------------------

NET_DOWN=0
declare -a ROWS=()
declare -a MISSING=()

record_row() { # label release pkgversion vmlinuz note
    ROWS+=("$1|$2|$3|$4|$5")
}

use_cached() { # use_cached LABEL NOTE -> 0 if a cached kernel exists
    local k=$CACHE/kernels/$1
    if [ -s "$k/vmlinuz" ] && [ -s "$k/release" ]; then
        record_row "$1" "$(cat "$k/release")" "$(cat "$k/pkgversion" 2>/dev/null || echo '?')" \
            "$k/vmlinuz" "$2"
        return 0
    fi
    return 1
}

fetch_one() {
    local label=$1 suite=$2 conf k=$CACHE/kernels/$1
    conf=$(setup_apt "$label" "$suite")
    local -a APT=(env APT_CONFIG="$conf" LC_ALL=C)

    if [ "$OFFLINE" = 1 ] || [ "$NET_DOWN" = 1 ]; then
        local why="--offline given" note="offline"
        if [ "$NET_DOWN" = 1 ]; then why="mirror unreachable"; note=$why; fi
        use_cached "$label" "cached ($note)" && return 0
        MISSING+=("$label: not cached and $why"); return 1
    fi

    if [ "$REFRESH" = 1 ] || ! lists_fresh "$label"; then
        log "$label: apt-get update ($suite from $MIRROR)"
        if timeout -k 10 "$UPDATE_TIMEOUT" "${APT[@]}" apt-get -q update \
                >"$TMP/$label.update" 2>&1 \
           && ! grep -qE '^(W|E): (Failed|Some index files failed)' "$TMP/$label.update"; then
            cp "$CACHE/apt/$label/etc/sources.list" "$CACHE/apt/$label/state/lists/.kmatrix-updated"
        else
            log "$label: apt-get update failed:"
            grep -E '^(W|E):' "$TMP/$label.update" | head -5 | sed 's/^/    /' >&2 || true
            # no network: do not wait for the same timeouts on every suite
            if grep -qiE 'Could not (connect|resolve)|Connection failed|Temporary failure resolving|timed out|Unable to connect' \
                    "$TMP/$label.update" || ! grep -q . "$TMP/$label.update"; then
                NET_DOWN=1
                log "mirror unreachable: using the cache for the remaining kernels"
            fi
            # stale lists are still usable to tell what is cached; the
            # download below will fail cleanly if the network is gone
            if use_cached "$label" "cached (update failed)"; then return 0; fi
            if ! ls "$CACHE/apt/$label/state/lists/"*Packages* >/dev/null 2>&1; then
                MISSING+=("$label: no package lists (update failed) and no cached kernel")
                return 1
            fi
        fi
    fi

    # linux-image-amd64 -> linux-image-<abi>-amd64
    local dep pkg
    dep=$("${APT[@]}" apt-cache show --no-all-versions linux-image-amd64 2>/dev/null \
          | sed -n 's/^Depends: //p' | head -1 || true)
    pkg=$(printf '%s\n' "$dep" | tr ',|' '\n' | sed 's/^ *//; s/ .*//' \
          | grep -E '^linux-image-[0-9].*-amd64$' | head -1 || true)
    if [ -z "$pkg" ]; then
        use_cached "$label" "cached (could not resolve linux-image-amd64)" && return 0
        MISSING+=("$label: linux-image-amd64 not resolvable in $suite (Depends: ${dep:-none})")
        return 1
    fi
    local release=${pkg#linux-image-}   # e.g. 6.1.0-41-amd64, 7.2.13+deb14-amd64

    # Which binary package holds the image? Up to trixie (6.12) it is
    # linux-image-R(-unsigned) with /boot/vmlinuz-R; from 2026 sid (7.x)
    # linux-image-R is a stub depending on linux-binary(-unsigned)-R with
    # /usr/lib/modules/R/vmlinuz(.unsigned) and linux-base-R with the config.
    local cand want="" ver="" base=""
    # one apt-cache call (no pkgcache.bin is kept, each call parses the lists)
    "${APT[@]}" apt-cache policy "linux-binary-unsigned-$release" "linux-image-$release-unsigned" \
        "linux-binary-$release" "linux-image-$release" "linux-base-$release" 2>/dev/null \
        | awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
               $1 == "Candidate:" && $2 != "(none)" { print p, $2 }' > "$TMP/$label.policy" || true
    for cand in "linux-binary-unsigned-$release" "linux-image-$release-unsigned" \
                "linux-binary-$release" "linux-image-$release"; do
        ver=$(awk -v p="$cand" '$1 == p { print $2 }' "$TMP/$label.policy")
        if [ -n "$ver" ]; then want=$cand; break; fi
    done
    [ -n "$(awk -v p="linux-base-$release" '$1 == p' "$TMP/$label.policy")" ] && base=linux-base-$release
    if [ -z "$want" ]; then
        use_cached "$label" "cached (no image package for $release)" && return 0
        MISSING+=("$label: no image package found for $release"); return 1
    fi

    if [ -s "$k/vmlinuz" ] && [ "$(cat "$k/release" 2>/dev/null)" = "$release" ] \
       && [ "$(cat "$k/pkgversion" 2>/dev/null)" = "$ver" ]; then
        record_row "$label" "$release" "$ver" "$k/vmlinuz" "cached"
        return 0
    fi

    local dl=$TMP/dl-$label x=$TMP/x-$label
    mkdir -p "$dl" "$x"
    local -a pkgs=("$want")
    [ -n "$base" ] && pkgs+=("$base")
    log "$label: downloading ${pkgs[*]} ($ver)"
    local p ok=1
    for p in "${pkgs[@]}"; do
        if ! (cd "$dl" && timeout -k 10 "$DOWNLOAD_TIMEOUT" "${APT[@]}" \
                apt-get -q download "$p" >"$TMP/$label.download" 2>&1); then
            log "$label: download of $p failed:"
            tail -3 "$TMP/$label.download" | sed 's/^/    /' >&2
            ok=0; break
        fi
    done
    if [ "$ok" = 0 ]; then
        use_cached "$label" "cached (older; download of $ver failed)" && return 0
        MISSING+=("$label: download of $want=$ver failed")
        return 1
    fi
    # extract only the image and the config, not the modules
    local deb member rel_re
    rel_re=$(printf '%s' "$release" | sed 's/[]+.*^$[]/\\&/g')
    for deb in "$dl"/*.deb; do
        dpkg-deb -c "$deb" | awk '{print $NF}' \
            | grep -E "^\./(boot/(vmlinuz|config)-$rel_re|(usr/)?lib/modules/$rel_re/(vmlinuz|vmlinuz\.unsigned|config))\$" \
            > "$TMP/$label.members" || true
        [ -s "$TMP/$label.members" ] || continue
        dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" -T "$TMP/$label.members"
    done
    rm -rf "$k.new"
    mkdir -p "$k.new"
    for member in boot/vmlinuz-$release usr/lib/modules/$release/vmlinuz \
                  usr/lib/modules/$release/vmlinuz.unsigned lib/modules/$release/vmlinuz; do
        [ -s "$x/$member" ] && { mv "$x/$member" "$k.new/vmlinuz"; break; }
    done
    for member in boot/config-$release usr/lib/modules/$release/config lib/modules/$release/config; do
        [ -s "$x/$member" ] && { mv "$x/$member" "$k.new/config"; break; }
    done
    if [ ! -s "$k.new/vmlinuz" ]; then
        rm -rf "$k.new"
        MISSING+=("$label: ${pkgs[*]} hold no vmlinuz for $release")
        return 1
    fi
    printf '%s\n' "$release" > "$k.new/release"
    printf '%s\n' "$ver" > "$k.new/pkgversion"
    printf '%s\n' "${pkgs[*]}" > "$k.new/package"
    printf '%s\n' "$suite" > "$k.new/suite"
    rm -rf "$k" && mv "$k.new" "$k"
    rm -rf "$dl" "$x"
    record_row "$label" "$release" "$ver" "$k/vmlinuz" "downloaded ($want)"
}

# extract_vmlinux DIR: DIR/vmlinuz (bzImage) -> DIR/vmlinux (uncompressed
# ELF) if it carries the PVH entry note: qemu boots that directly (-kernel
# vmlinux), skipping the firmware's bzImage loader and the in-guest
# decompression, which under TCG halves the boot time (~2.4 s vs ~4.5 s).
# Like the kernel's scripts/extract-vmlinux: try every compressed stream.
extract_vmlinux() {
    local d=$1 magic tool off out=$1/vmlinux.tmp
    [ -s "$d/vmlinuz" ] || return 1
    [ -s "$d/vmlinux" ] && [ "$d/vmlinux" -nt "$d/vmlinuz" ] && return 0
    for magic in $'\xfd7zXZ\x00':xz $'\x28\xb5\x2f\xfd':zstd $'\x1f\x8b\x08':gzip; do
        tool=${magic##*:}; magic=${magic%:*}
        command -v "$tool" >/dev/null || continue
        # (no match is no error: `|| true` keeps the ERR trap quiet)
        for off in $(LC_ALL=C grep -abo "$magic" "$d/vmlinuz" 2>/dev/null | cut -d: -f1 | head -5 || true); do
            # trailing bytes after the stream make the tools complain; the
            # output is complete all the same and is checked below
            tail -c "+$((off + 1))" "$d/vmlinuz" | timeout 60 "$tool" -dc > "$out" 2>/dev/null || true
            if [ "$(head -c 4 "$out" 2>/dev/null)" = $'\x7fELF' ] \
               && LC_ALL=C readelf -n "$out" 2>/dev/null | grep -qE '\(0x00000012\)|PHYS32_ENTRY'; then
                mv "$out" "$d/vmlinux"
                return 0
            fi
        done
    done
    rm -f "$out"
    return 1
}

# --- main ---------------------------------------------------------------------

requested=()
for w in $SUITES; do
    label=${w%%=*}; suite=${w#*=}
    if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$label,"* ]]; then continue; fi
    requested+=("$label=$suite")
done
[ ${#requested[@]} -gt 0 ] || die "no kernel selected (--kernels '$ONLY', suites '$SUITES')"

for w in "${requested[@]}"; do
    fetch_one "${w%%=*}" "${w#*=}" || true
done

if [ "${KMATRIX_EXTRACT_VMLINUX:-1}" = 1 ]; then
    for w in "${requested[@]}"; do
        k=$CACHE/kernels/${w%%=*}
        [ -s "$k/vmlinuz" ] || continue
        extract_vmlinux "$k" || log "${w%%=*}: no PVH-bootable vmlinux extracted; will boot the bzImage"
    done
fi

# index for run-matrix.sh:
#   label<TAB>release<TAB>pkgversion<TAB>vmlinuz<TAB>vmlinux-or-empty
: > "$CACHE/kernels.tsv.new"
for w in $SUITES; do
    label=${w%%=*}; k=$CACHE/kernels/$label
    if [ -s "$k/vmlinuz" ] && [ -s "$k/release" ]; then
        vmlinux=""
        [ -s "$k/vmlinux" ] && vmlinux=$k/vmlinux
        printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$(cat "$k/release")" \
            "$(cat "$k/pkgversion" 2>/dev/null || echo '?')" "$k/vmlinuz" "$vmlinux" \
            >> "$CACHE/kernels.tsv.new"
    fi
done
mv "$CACHE/kernels.tsv.new" "$CACHE/kernels.tsv"

printf '\n| kernel | release | package version | vmlinuz | PVH vmlinux | source |\n'
printf '|---|---|---|---|---|---|\n'
for r in "${ROWS[@]}"; do
    IFS='|' read -r a b c d e <<<"$r"
    pvh=no
    [ -s "$(dirname "$d")/vmlinux" ] && pvh=yes
    printf '| %s | %s | %s | %s | %s | %s |\n' "$a" "$b" "$c" "$d" "$pvh" "$e"
done
if [ ${#MISSING[@]} -gt 0 ]; then
    printf '\nMISSING (%d):\n' "${#MISSING[@]}"
    printf '  - %s\n' "${MISSING[@]}"
fi

if [ ${#ROWS[@]} -eq 0 ]; then
    log "no kernel available"; exit 1
fi
if [ "$STRICT" = 1 ] && [ ${#MISSING[@]} -gt 0 ]; then exit 1; fi
exit 0
