#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-arm64.sh [--layouts v2,hybrid] [--timeout S] [--label NAME] [--busybox F] CACHE PAYLOAD RESULTS
#
# The kernel matrix's payload on arm64: boots the Debian arm64 kernel that
# scripts/cross/fetch-arm64.sh put in CACHE (CACHE/kernel/Image, direct
# kernel boot) in qemu-system-aarch64 (-machine virt, TCG -cpu max with
# pauth-impdef=on, the cheap pointer-authentication hash: the architected
# one costs much more under TCG; 1 vCPU, 1 GiB) with the kmatrix initramfs
# (scripts/kmatrix/build-initramfs.sh, CACHE/busybox: busybox-static:arm64,
# its applet list taken from the host's busybox of the same version, so a
# newer suite's kernel boots with --busybox of bookworm's cache), one
# boot per layout, one at a time (make cross-kmatrix runs two suites side
# by side, one VM each). PAYLOAD is a kmatrix payload directory
# (run.sh + static aarch64 binaries). Prints one line per boot and a
# table; the logs are RESULTS/<label>-<layout>.log. Each qemu is bounded by
# --timeout (default 600 s) and killed by its pid on any exit.
# Exit 0 only if every boot finished and every case passed.
set -euo pipefail

LAYOUTS=v2,hybrid
TIMEOUT=600
LABEL=bookworm-arm64
BB=""
while [ $# -gt 3 ]; do
    case $1 in
        --layouts) LAYOUTS=$2; shift 2 ;;
        --timeout) TIMEOUT=$2; shift 2 ;;
        --label) LABEL=$2; shift 2 ;;
        --busybox) BB=$2; shift 2 ;;
        *) break ;;
    esac
done
[ $# -eq 3 ] || { sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
CACHE=$1 PAYLOAD=$2 RESULTS=$3
here=$(cd "$(dirname "$0")" && pwd)
log() { printf 'run-arm64: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 missing (make cross-deps)"
[ -s "$CACHE/kernel/Image" ] || die "no $CACHE/kernel/Image (scripts/cross/fetch-arm64.sh $CACHE)"
BB=${BB:-$CACHE/busybox}
[ -x "$BB" ] || die "no $BB (scripts/cross/fetch-arm64.sh $CACHE)"
[ -f "$PAYLOAD/run.sh" ] || die "no $PAYLOAD/run.sh"
host_bb=$( { /bin/busybox 2>&1 || true; } | head -1 | sed 's/ multi-call.*//')
arm_bb=$(grep -aom1 'BusyBox v[^)]*)' "$BB" || true)
[ "$host_bb" = "$arm_bb" ] || die "host busybox '$host_bb' and arm64 '$arm_bb' differ: the applet list would not match"
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)

# per label: suites may boot side by side into one RESULTS
/bin/busybox --list >"$RESULTS/$LABEL.applets"
BUSYBOX=$BB BUSYBOX_APPLETS=$RESULTS/$LABEL.applets \
    "$here/../kmatrix/build-initramfs.sh" "$RESULTS/$LABEL.cpio.gz" "$PAYLOAD"

qpid=""
# shellcheck disable=SC2317  # invoked from the trap
cleanup() { if [ -n "$qpid" ]; then kill -KILL "$qpid" 2>/dev/null || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

bad=0
rows=""
release=$(cat "$CACHE/kernel/release")
for layout in ${LAYOUTS//,/ }; do
    id=$LABEL-$layout
    cmdline="console=ttyAMA0 panic=-1 cgtrack.layout=$layout"
    [ "$layout" = v2 ] && cmdline+=" cgroup_no_v1=all"
    rm -f "$RESULTS/$id.pid"
    t0=$(date +%s)
    timeout -k 5 "$TIMEOUT" qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on \
        -accel tcg -m 1G -smp 1 -nographic -nodefaults -no-user-config -serial stdio \
        -kernel "$CACHE/kernel/Image" -initrd "$RESULTS/$LABEL.cpio.gz" -append "$cmdline" \
        -no-reboot -pidfile "$RESULTS/$id.pid" </dev/null >"$RESULTS/$id.log" 2>&1 &
    wpid=$!
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -s "$RESULTS/$id.pid" ] && break; sleep 0.5; done
    qpid=$(cat "$RESULTS/$id.pid" 2>/dev/null || true)
    rc=0; wait "$wpid" || rc=$?
    qpid=""
    secs=$(( $(date +%s) - t0 ))
    tr -d '\r' <"$RESULTS/$id.log" | grep -E '^KMATRIX: (PASS|FAIL) ' >"$RESULTS/$id.results" || true
    npass=$(grep -c ' PASS ' "$RESULTS/$id.results" || true)
    total=$(grep -c . "$RESULTS/$id.results" || true)
    fails=$(awk '$2 == "FAIL" { printf "%s%s", sep, $3; sep = ", " }' "$RESULTS/$id.results")
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then cell="TIMEOUT after ${TIMEOUT}s ($npass/$total pass before)"; bad=1
    elif ! tr -d '\r' <"$RESULTS/$id.log" | grep -q '^KMATRIX-DONE'; then cell="BOOT-FAIL ($npass/$total pass)"; bad=1
    elif [ "$total" = 0 ]; then cell=NO-RESULTS; bad=1
    elif [ -n "$fails" ]; then cell="$npass/$total pass; FAIL: $fails"; bad=1
    else cell="$npass/$total pass"; fi
    log "$(printf '%-28s %4ss  %s' "$id" "$secs" "$cell")"
    rows+="| $LABEL | $release | $layout | $cell | $secs s |"$'\n'
done
printf '| kernel | release | layout | result | boot |\n|---|---|---|---|---|\n%s' "$rows"
exit "$bad"
