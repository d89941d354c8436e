#!/usr/bin/env bash
# run-matrix.sh [options]
#
# Boots every cached Debian kernel x cgroup layout in qemu with a kmatrix
# initramfs, collects the payload's `KMATRIX: PASS|FAIL` lines from the
# serial console and prints a markdown table. Exit status: 0 if every boot
# finished and every case passed, 1 otherwise, 2 on usage/setup errors.
#
# Options:
#   --kernels a,b       kernel labels (default: all in CACHE/kernels.tsv)
#   --layouts v2,v1     cgroup layouts (default: v2,v1,hybrid)
#   --payload DIR       payload dir with run.sh (default: demo payload with
#                       the static bpf_probe built in)
#   --jobs N            VMs at once (default 2)
#   --smp N             vCPUs per VM (default 1: faster overall under TCG)
#   --mem SIZE          memory per VM (default 1G)
#   --timeout S         seconds per boot before it counts as TIMEOUT (default 120)
#   --accel auto|kvm|tcg  (default auto: a quick KVM probe, else TCG -cpu max)
#   --boot auto|pvh|bzimage  kernel image to boot (default auto: the
#                       uncompressed PVH vmlinux when cached, ~2x faster
#                       under TCG, else the bzImage vmlinuz)
#   --append "ARGS"     extra kernel command line
#   --cache DIR         kernel cache (default: <repo>/build/kmatrix, or $KMATRIX_CACHE)
#   --results DIR       where logs go (default: CACHE/results/<timestamp>);
#                       summary.md is the table, failed-cells.txt one line
#                       per failed cell ("<kernel>/<layout>: <what failed>")
#   --no-fetch          do not run fetch-kernels.sh, use kernels.tsv as is
#   --offline           run fetch-kernels.sh --offline (cache only)
set -Eeuo pipefail
trap 'printf "run-matrix: error: line %s: %s (exit %s)\n" "$LINENO" "$BASH_COMMAND" "$?" >&2' ERR

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)

KERNELS=""
LAYOUTS="v2,v1,hybrid"
PAYLOAD=""
JOBS=2
SMP=1
MEM=1G
BOOT_TIMEOUT=120
ACCEL=auto
BOOT=auto
KEEP_RESULTS=${KMATRIX_KEEP_RESULTS:-10}
APPEND=""
CACHE=${KMATRIX_CACHE:-$REPO_DIR/build/kmatrix}
RESULTS=""
FETCH=1
OFFLINE=0
KVM_PROBE_TIMEOUT=${KMATRIX_KVM_PROBE_TIMEOUT:-30}   # whole probe boot under KVM
KVM_BANNER_TIMEOUT=${KMATRIX_KVM_BANNER_TIMEOUT:-5}  # until "Linux version" shows

usage() { sed -n '2,/^set -/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
log() { printf 'run-matrix: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }
need_arg() { [ $# -ge 2 ] || die "$1 needs an argument"; }

while [ $# -gt 0 ]; do
    case $1 in
        --kernels) need_arg "$@"; KERNELS=$2; shift 2 ;;
        --layouts) need_arg "$@"; LAYOUTS=$2; shift 2 ;;
        --payload) need_arg "$@"; PAYLOAD=$2; shift 2 ;;
        --jobs) need_arg "$@"; JOBS=$2; shift 2 ;;
        --smp) need_arg "$@"; SMP=$2; shift 2 ;;
        --mem) need_arg "$@"; MEM=$2; shift 2 ;;
        --timeout) need_arg "$@"; BOOT_TIMEOUT=$2; shift 2 ;;
        --accel) need_arg "$@"; ACCEL=$2; shift 2 ;;
        --boot) need_arg "$@"; BOOT=$2; shift 2 ;;
        --append) need_arg "$@"; APPEND=$2; shift 2 ;;
        --cache) need_arg "$@"; CACHE=$2; shift 2 ;;
        --results) need_arg "$@"; RESULTS=$2; shift 2 ;;
        --no-fetch) FETCH=0; shift ;;
        --offline) OFFLINE=1; shift ;;
        --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}" ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive integer"
[[ $SMP =~ ^[1-9][0-9]*$ ]] || die "--smp must be a positive integer"
[[ $BOOT_TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive integer"
[[ $KEEP_RESULTS =~ ^[1-9][0-9]*$ ]] || die "KMATRIX_KEEP_RESULTS must be a positive integer"
case $ACCEL in auto|kvm|tcg) ;; *) die "--accel must be auto, kvm or tcg" ;; esac
case $BOOT in auto|pvh|bzimage) ;; *) die "--boot must be auto, pvh or bzimage" ;; esac
for l in ${LAYOUTS//,/ }; do
    case $l in v2|v1|hybrid) ;; *) die "unknown layout $l (v2, v1, hybrid)" ;; esac
done
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (apt-get install qemu-system-x86)"

START=$(date +%s)
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# --- cleanup: every qemu we start is killed by pid, whatever happens --------
declare -A RUNNING=()   # timeout-wrapper pid -> case id
declare -A PIDFILE=()   # case id -> qemu pidfile
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kmatrix-run.XXXXXX")
# stop_vm WRAPPER_PID: TERM its `timeout` child (found by parent pid; it
# passes the TERM on to qemu) and KILL qemu by the pid in its pidfile. The
# wrapper subshell then exits by itself.
stop_vm() {
    local pid=$1 id=${RUNNING[$1]} qpid
    pkill -TERM -P "$pid" 2>/dev/null || true
    if [ -s "${PIDFILE[$id]:-/nonexistent}" ]; then
        qpid=$(cat "${PIDFILE[$id]}" 2>/dev/null || true)
        if [ -n "$qpid" ]; then kill -KILL "$qpid" 2>/dev/null || true; fi
    fi
}
# shellcheck disable=SC2317  # invoked from the traps
cleanup() {
    local pid
    for pid in "${!RUNNING[@]}"; do stop_vm "$pid"; done
    # each wrapper subshell exits once its timeout child is gone
    for pid in "${!RUNNING[@]}"; do wait "$pid" 2>/dev/null || true; done
    RUNNING=()
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# --- kernels -------------------------------------------------------------------
if [ "$FETCH" = 1 ]; then
    fetch_args=("$CACHE")
    [ -n "$KERNELS" ] && fetch_args+=(--kernels "$KERNELS")
    [ "$OFFLINE" = 1 ] && fetch_args+=(--offline)
    "$SCRIPT_DIR/fetch-kernels.sh" "${fetch_args[@]}" >&2 || log "fetch-kernels.sh failed; using what is cached"
fi
[ -s "$CACHE/kernels.tsv" ] || die "no kernels in $CACHE/kernels.tsv (run fetch-kernels.sh $CACHE)"

declare -A KREL=() KPATH=() KBOOT=()
declare -a KLIST=()
while IFS=$'\t' read -r label rel _ vmlinuz vmlinux; do
    [ -n "$label" ] || continue
    if [ -n "$KERNELS" ] && [[ ",$KERNELS," != *",$label,"* ]]; then continue; fi
    if [ "$BOOT" != bzimage ] && [ -n "${vmlinux:-}" ] && [ -s "$vmlinux" ]; then
        KPATH[$label]=$vmlinux; KBOOT[$label]=pvh
    elif [ "$BOOT" = pvh ]; then
        die "$label: no PVH vmlinux cached (re-run fetch-kernels.sh; needs xz-utils, zstd, binutils)"
    elif [ -s "$vmlinuz" ]; then
        KPATH[$label]=$vmlinuz; KBOOT[$label]=bzImage
    else
        continue
    fi
    KLIST+=("$label"); KREL[$label]=$rel
done < "$CACHE/kernels.tsv"
declare -a KMISSING=()
if [ -n "$KERNELS" ]; then
    for label in ${KERNELS//,/ }; do
        [ -n "${KPATH[$label]:-}" ] || KMISSING+=("$label")
    done
fi
[ ${#KLIST[@]} -gt 0 ] || die "none of the requested kernels is cached (${KERNELS:-all})"

# --- payload + initramfs -----------------------------------------------------
if [ -z "$RESULTS" ]; then
    mkdir -p "$CACHE/results"
    # keep the newest KEEP_RESULTS-1 runs, this one makes KEEP_RESULTS
    find "$CACHE/results" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*-[0-9]*' | sort \
        | head -n "-$((KEEP_RESULTS - 1))" | while read -r old; do rm -rf "$old"; done
    RESULTS=$(mktemp -d "$CACHE/results/$(date +%Y%m%d-%H%M%S)-XXXX")
    ln -sfn "$(basename "$RESULTS")" "$CACHE/results/latest"
fi
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)

if [ -z "$PAYLOAD" ]; then
    PAYLOAD=$TMP/payload
    mkdir -p "$PAYLOAD"
    cp -a "$SCRIPT_DIR/demo-payload/." "$PAYLOAD/"
    if make -s -C "$SCRIPT_DIR/probe" OUT="$CACHE/probe" >"$TMP/probe-build.log" 2>&1; then
        cp "$CACHE/probe/bpf_probe" "$PAYLOAD/"
    else
        log "warning: static bpf_probe did not build (libbpf-dev libelf-dev zlib1g-dev libzstd-dev?); running without it"
        sed 's/^/    /' "$TMP/probe-build.log" | tail -5 >&2
    fi
fi
[ -f "$PAYLOAD/run.sh" ] || die "payload $PAYLOAD has no run.sh"
INITRD=$RESULTS/initramfs.cpio.gz
"$SCRIPT_DIR/build-initramfs.sh" "$INITRD" "$PAYLOAD" 2>"$TMP/initrd.log" \
    || { cat "$TMP/initrd.log" >&2; die "initramfs build failed"; }

# --- accelerator -----------------------------------------------------------------
# qemu_cmd KERNEL LAYOUT PIDFILE -> fills array QEMU
QEMU_ACCEL=(-accel tcg -cpu max)
qemu_cmd() {
    local kernel=$1 layout=$2 pidfile=$3 cmdline
    # no_timer_check: under TCG on a busy host the kernel's IO-APIC timer
    # check can miss its ticks and panic at boot ("IO-APIC + timer doesn't
    # work", seen on 5.10); the check is for broken hardware, not VMs
    cmdline="console=ttyS0 panic=-1 no_timer_check cgtrack.layout=$layout"
    [ "$layout" = v2 ] && cmdline+=" cgroup_no_v1=all"
    [ -n "$APPEND" ] && cmdline+=" $APPEND"
    QEMU=(qemu-system-x86_64 "${QEMU_ACCEL[@]}" -nographic -nodefaults -no-user-config
          -serial stdio -m "$MEM" -smp "$SMP" -kernel "$kernel" -initrd "$INITRD"
          -append "$cmdline" -no-reboot -pidfile "$pidfile")
}

# start_vm ID KERNEL LAYOUT TIMEOUT: background VM, output in RESULTS/ID.log
start_vm() {
    local id=$1 kernel=$2 layout=$3 t=$4
    PIDFILE[$id]=$TMP/$id.pid
    qemu_cmd "$kernel" "$layout" "${PIDFILE[$id]}"
    printf '%s\n' "${QEMU[*]}" > "$RESULTS/$id.cmd"
    date +%s > "$TMP/$id.start"
    # The subshell keeps bash's "Aborted"-style notice for a crashing qemu in
    # the log instead of the terminal (`; exit` stops bash from exec'ing).
    # timeout runs in its own process group, so a ^C reaches only this
    # script; cleanup() kills the wrapper, its timeout child and qemu by pid.
    ( trap - ERR; timeout -k 5 "$t" "${QEMU[@]}"; exit $? ) </dev/null >"$RESULTS/$id.log" 2>&1 &
    RUNNING[$!]=$id
}

# wait_one -> sets FIN_ID and FIN_RC for the next VM to finish.
# Polls instead of `wait -n`: a job that ended (and was reported) before
# `wait -n PID` is called makes bash say "no such job".
wait_one() {
    local pid rc
    while :; do
        for pid in "${!RUNNING[@]}"; do
            kill -0 "$pid" 2>/dev/null && continue
            rc=0
            wait "$pid" 2>/dev/null || rc=$?
            FIN_ID=${RUNNING[$pid]}
            FIN_RC=$rc
            unset "RUNNING[$pid]"
            echo $(( $(date +%s) - $(cat "$TMP/$FIN_ID.start") )) > "$RESULTS/$FIN_ID.secs"
            return 0
        done
        sleep 0.2
    done
}

if [ "$ACCEL" != tcg ]; then
    kvm_ok=0
    if [ -w /dev/kvm ]; then
        QEMU_ACCEL=(-accel kvm -cpu "${KMATRIX_KVM_CPU:-host}")
        probe_kernel=${KLIST[0]}
        start_vm kvm-probe "${KPATH[$probe_kernel]}" v2 "$KVM_PROBE_TIMEOUT"
        # a hung KVM guest prints nothing at all: give up after a few seconds
        # without a kernel banner instead of waiting for the whole timeout
        for _ in $(seq 1 $((KVM_BANNER_TIMEOUT * 4))); do
            grep -q 'Linux version' "$RESULTS/kvm-probe.log" 2>/dev/null && break
            kill -0 "${!RUNNING[@]}" 2>/dev/null || break
            sleep 0.25
        done
        if ! grep -q 'Linux version' "$RESULTS/kvm-probe.log" 2>/dev/null; then
            for pid in "${!RUNNING[@]}"; do stop_vm "$pid"; done
        fi
        wait_one
        if tr -d '\r' < "$RESULTS/kvm-probe.log" | grep -q '^KMATRIX-DONE'; then
            kvm_ok=1
        fi
    fi
    if [ "$kvm_ok" = 1 ]; then
        log "KVM works (probe boot of $probe_kernel: $(cat "$RESULTS/kvm-probe.secs") s)"
    elif [ "$ACCEL" = kvm ]; then
        die "KVM requested but the probe boot failed (see $RESULTS/kvm-probe.log)"
    else
        why="no usable /dev/kvm"
        if [ -s "$RESULTS/kvm-probe.log" ]; then
            why=$(tr -d '\r' < "$RESULTS/kvm-probe.log" | grep -m1 -i 'error' || true)
            [ -n "$why" ] || why="probe boot printed nothing or did not finish"
        fi
        log "KVM unusable ($why); using TCG -cpu max"
        QEMU_ACCEL=(-accel tcg -cpu max)
    fi
fi
ACCEL_DESC="${QEMU_ACCEL[*]}"

# --- run the matrix --------------------------------------------------------------
declare -a CASES=()
for k in "${KLIST[@]}"; do
    for l in ${LAYOUTS//,/ }; do CASES+=("$k:$l"); done
done
BOOT_DESC=$(for k in "${KLIST[@]}"; do echo "${KBOOT[$k]}"; done | sort -u | paste -sd/)
log "${#CASES[@]} boots (${#KLIST[@]} kernels x layouts $LAYOUTS), $JOBS at once, -smp $SMP, $ACCEL_DESC, $BOOT_DESC boot, timeout ${BOOT_TIMEOUT}s"
log "logs: $RESULTS"

declare -A STATUS=()
record() { # record ID RC
    local id=$1 rc=$2 clean=$TMP/$1.clean
    tr -d '\r' < "$RESULTS/$id.log" > "$clean"
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        STATUS[$id]=TIMEOUT
    elif ! grep -q '^KMATRIX-DONE' "$clean"; then
        STATUS[$id]="BOOT-FAIL"
    else
        STATUS[$id]=DONE
    fi
    grep -E '^KMATRIX: (PASS|FAIL) ' "$clean" > "$RESULTS/$id.results" || true
    log "$(printf '%-28s %-9s %3ss  %s pass, %s fail' "$id" "${STATUS[$id]}" \
        "$(cat "$RESULTS/$id.secs")" "$(grep -c ' PASS ' "$RESULTS/$id.results" || true)" \
        "$(grep -c ' FAIL ' "$RESULTS/$id.results" || true)")"
}

for c in "${CASES[@]}"; do
    while [ ${#RUNNING[@]} -ge "$JOBS" ]; do wait_one; record "$FIN_ID" "$FIN_RC"; done
    k=${c%%:*}; l=${c#*:}
    start_vm "$k-$l" "${KPATH[$k]}" "$l" "$BOOT_TIMEOUT"
done
while [ ${#RUNNING[@]} -gt 0 ]; do wait_one; record "$FIN_ID" "$FIN_RC"; done

# --- report ------------------------------------------------------------------------
ELAPSED=$(( $(date +%s) - START ))
: >"$RESULTS/failed-cells.txt"
bad=0
npass_total=0
nfail_total=0
{
    printf '| kernel | release |'
    for l in ${LAYOUTS//,/ }; do printf ' %s |' "$l"; done
    printf '\n|---|---|'
    for l in ${LAYOUTS//,/ }; do printf -- '---|'; done
    printf '\n'
    for k in "${KLIST[@]}"; do
        printf '| %s | %s |' "$k" "${KREL[$k]}"
        for l in ${LAYOUTS//,/ }; do
            id=$k-$l
            total=$(grep -c . "$RESULTS/$id.results" || true)
            npass=$(grep -c ' PASS ' "$RESULTS/$id.results" || true)
            fails=$(awk '$2 == "FAIL" { printf "%s%s", sep, $3; sep = ", " }' "$RESULTS/$id.results")
            npass_total=$((npass_total + npass))
            nfail_total=$((nfail_total + total - npass))
            case ${STATUS[$id]} in
                TIMEOUT|BOOT-FAIL)
                    bad=1; cell=${STATUS[$id]}
                    nfail_total=$((nfail_total + 1))
                    why=$(grep -v 'terminating on signal' "$TMP/$id.clean" \
                          | grep -m1 -oE '(Kernel panic.*|Oops: .*|BUG: .*|qemu-system-x86_64: .*)' \
                          | cut -c1-90 | tr '|' '/' || true)
                    [ "${STATUS[$id]}" = TIMEOUT ] && cell+=" after ${BOOT_TIMEOUT}s"
                    if [ -n "$why" ]; then cell+=": $why"; fi
                    [ "$total" -gt 0 ] && cell+=" ($npass/$total pass before)"
                    ;;
                *)
                    if [ "$total" = 0 ]; then bad=1; cell="NO-RESULTS"; nfail_total=$((nfail_total + 1))
                    elif [ -n "$fails" ]; then bad=1; cell="$npass/$total pass; FAIL: $fails"
                    else cell="$npass/$total pass"; fi
                    ;;
            esac
            printf ' %s |' "$cell"
            # the failed cells by name, for a retry to report (.ci/run)
            case $cell in *pass) ;; *) echo "$k/$l: $cell" >>"$RESULTS/failed-cells.txt" ;; esac
        done
        printf '\n'
    done
    for k in "${KMISSING[@]}"; do
        bad=1
        nfail_total=$((nfail_total + 1))
        echo "$k: not cached" >>"$RESULTS/failed-cells.txt"
        printf '| %s | not cached |' "$k"
        for l in ${LAYOUTS//,/ }; do printf ' MISSING |'; done
        printf '\n'
    done

    # which v1 controllers the init could mount, per kernel (from v1/hybrid boots)
    v1rows=""
    for k in "${KLIST[@]}"; do
        for l in v1 hybrid; do
            [ -s "$TMP/$k-$l.clean" ] || continue
            line=$(grep -m1 '^kmatrix-init: kernel ' "$TMP/$k-$l.clean" || true)
            [ -n "$line" ] || continue
            m=$(sed -n 's/.*v1-mounted=\[\([^]]*\)\].*/\1/p' <<<"$line")
            s=$(sed -n 's/.*v1-skipped=\[\([^]]*\)\].*/\1/p' <<<"$line")
            v1rows+="| $k | ${m:-none} | ${s:-none} |"$'\n'
            break
        done
    done
    if [ -n "$v1rows" ]; then
        printf '\n| kernel | v1 controllers mounted | not mountable on v1 |\n|---|---|---|\n%s' "$v1rows"
    fi
    printf '\n%d boots, %d at once, -smp %s, %s, %s boot; wall time %d s. Logs: %s\n' \
        "${#CASES[@]}" "$JOBS" "$SMP" "$ACCEL_DESC" "$BOOT_DESC" "$ELAPSED" "$RESULTS"
    # one closing line CI runners understand: result lines, plus 1 failure
    # for every boot that failed, timed out, reported nothing or is missing
    printf '\nkmatrix: %d passed, %d failed\n' "$npass_total" "$nfail_total"
} > "$RESULTS/summary.md"
cat "$RESULTS/summary.md"
exit "$bad"
