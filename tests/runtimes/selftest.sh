#!/usr/bin/env bash
# tests/runtimes/selftest.sh - exercise tests/runtimes/lib.sh against the real
# runtimes: one container per runtime (docker, podman, containerd in `default`
# and `k8s.io`, plain runc), print the cgroup dirs each created in every
# hierarchy and its host pid, check the docker/podman inspect API, then stop
# everything and verify nothing is left.  Needs root.  Ends with the line
# "selftest: N passed, N failed" and exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

pass=0 fail=0
ok() { pass=$((pass + 1)); printf 'ok   - %s\n' "$*"; }
bad() { fail=$((fail + 1)); printf 'FAIL - %s\n' "$*"; }
check() {   # check DESCRIPTION CMD...
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else bad "$desc"; fi
}
# Conditions for check.
is_hex64() { [[ $1 =~ ^[0-9a-f]{64}$ ]]; }
is_empty() { [[ -z $1 ]]; }
not_alive() { ! _rt_alive "$1"; }
no_cgroup_dirs() { is_empty "$(rt_cgroup_dirs "$1")"; }
not_mounted_under() { ! grep -qF " $1/" /proc/self/mountinfo; }
no_procs_mentioning() { is_empty "$(rt_procs_mentioning "$1")"; }
# no_new_parent NAME: /NAME exists in no hierarchy unless it did before.
no_new_parent() {
    local d
    for d in /sys/fs/cgroup/*/"$1"; do
        [[ -d $d && -z ${parents_before[$d]:-} ]] && return 1
    done
    return 0
}
docker_404() { ! rt_docker_api /containers/nonexistent/json >/dev/null 2>&1; }
ms() { local t=${EPOCHREALTIME/./}; printf '%s\n' "$((t / 1000))"; }
T0=$(ms)
lap=$T0
phase() {   # phase NAME: print time since the previous phase
    local now
    now=$(ms)
    printf '# %-28s %6d ms\n' "$1" "$((now - lap))"
    lap=$now
}

# show_cgroups LABEL PID: PID's cgroup in every hierarchy, grouped by path
# relative to the hierarchy root (hierarchy = mount dir name).
show_cgroups() {
    local label=$1 pid=$2
    rt_pid_cgroups "$pid" | awk -v label="$label" '{
            n = split($0, p, "/"); h = p[5]; rel = ""
            for (i = 6; i <= n; i++) rel = rel "/" p[i]
            if (rel == "") rel = "/"
            if (rel in hs) hs[rel] = hs[rel] "," h
            else { order[++k] = rel; hs[rel] = h }
        } END { for (i = 1; i <= k; i++) printf "    %-8s %-40s %s\n", label, hs[order[i]], order[i] }'
}

# Every dir named after ID must hold PID (ID-named dirs are the container's).
pid_in_id_cgroups() {
    local id=$1 pid=$2 d n=0
    while read -r d; do
        n=$((n + 1))
        grep -qx "$pid" "$d/cgroup.procs" || { echo "    $pid not in $d" >&2; return 1; }
    done < <(rt_cgroup_dirs "$id")
    ((n > 0))
}

trap 'exit 130' INT TERM
trap rt_cleanup EXIT

rt_install
phase install
# Host paths outside RT_TMP that the runtimes write (see README.md).
host_paths=(/etc/docker/key.json /var/lib/containers/cache /run/docker /run/containerd /run/runc /run/libpod)
declare -A host_before
for f in "${host_paths[@]}"; do
    host_before[$f]=
    if [[ -e $f ]]; then host_before[$f]=1; fi
done
declare -A parents_before
for d in /sys/fs/cgroup/*/{docker,libpod_parent,default,k8s.io}; do
    if [[ -d $d ]]; then parents_before[$d]=1; fi
done
rt_init /tmp
echo "# RT_TMP=$RT_TMP"
phase init

rt_start_containerd
phase "start containerd"
rt_start_dockerd
phase "start dockerd (+containerd)"
rt_start_podman_service
phase "start podman service"

declare -A id pid
id[docker]=$(rt_docker_run rt-selftest-docker --label rt.selftest=docker)
phase "docker run (incl. import)"
id[podman]=$(rt_podman_run rt-selftest-podman --label rt.selftest=podman)
phase "podman run (incl. import)"
id[ctr-default]=$(rt_ctr_run default "$(rt_new_id)" --label rt.selftest=ctr)
id[ctr-k8s]=$(rt_ctr_run_k8s "$(rt_new_id)" selftest-ns selftest-pod app)
phase "ctr run x2"
id[runc]=$(rt_runc_run "$(rt_new_id)")
phase "runc run"

pid[docker]=$(rt_docker_pid "${id[docker]}")
pid[podman]=$(rt_podman_pid "${id[podman]}")
pid[ctr-default]=$(rt_ctr_pid default "${id[ctr-default]}")
pid[ctr-k8s]=$(rt_ctr_pid k8s.io "${id[ctr-k8s]}")
pid[runc]=$(rt_runc_pid "${id[runc]}")

runtimes=(docker podman ctr-default ctr-k8s runc)
for r in "${runtimes[@]}"; do
    i=${id[$r]} p=${pid[$r]}
    check "$r: id is 64 hex" is_hex64 "$i"
    ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status")
    echo "  $r id=$i"
    echo "    host pid $p (/bin/$(cat "/proc/$p/comm")), parent $ppid ($(cat "/proc/$ppid/comm"))"
    echo "    cgroup dirs named after the id, per hierarchy:"
    rt_cgroup_dirs "$i" | sed 's|^|      |'
    echo "    /proc/PID/cgroup (container, then its parent):"
    show_cgroups container "$p"
    show_cgroups parent "$ppid"
    check "$r: container pid is in every cgroup dir named after its id" pid_in_id_cgroups "$i" "$p"
done
phase "inspect cgroups"

api_check() {   # api_check docker|podman
    local r=$1 json
    json=$("rt_${r}_api" "/containers/${id[$r]}/json") || return 1
    jq -e --arg id "${id[$r]}" --argjson pid "${pid[$r]}" --arg v "$r" \
        '.Id == $id and .State.Pid == $pid and .Config.Labels["rt.selftest"] == $v' <<<"$json" >/dev/null
}
check "docker API /containers/<id>/json (Id, State.Pid, label)" api_check docker
check "podman API /containers/<id>/json (Id, State.Pid, label)" api_check podman
check "docker API 404 for a missing id" docker_404
k8s_annotations() {
    jq -e '
    .annotations["io.kubernetes.cri.container-name"] == "app"
    and .annotations["io.kubernetes.cri.sandbox-name"] == "selftest-pod"
    and .annotations["io.kubernetes.cri.sandbox-namespace"] == "selftest-ns"
    and (.annotations["io.kubernetes.cri.sandbox-uid"] | test("^[0-9a-f-]{36}$"))
    and .annotations["io.kubernetes.cri.image-name"] == "docker.io/library/busybox:test"
    and .annotations["io.kubernetes.cri.container-type"] == "container"' \
        "$(rt_ctr_bundle k8s.io "${id[ctr-k8s]}")/config.json" >/dev/null
}
check "k8s.io task bundle config.json has the CRI annotations" k8s_annotations
ns_list() { ctr -a "$1" namespaces ls -q | sort | tr '\n' ' '; }
check "our containerd has namespaces default+k8s.io only (no moby)" \
    test "$(ns_list "$RT_TMP/containerd.sock")" = "default k8s.io "
check "docker's private containerd has namespace moby only" \
    test "$(ns_list "$RT_TMP/dkctd.sock")" = "moby "
check "default task bundle config.json exists" test -s "$(rt_ctr_bundle default "${id[ctr-default]}")/config.json"
phase "API checks"
echo "# host paths written outside RT_TMP while containers run:"
find /run/containerd /run/runc /run/docker /etc/docker /var/lib/containers 2>/dev/null | sed 's/^/    /' || true

# Remember what must be gone afterwards (rt_cleanup deletes RT_TMP).
tmp=$RT_TMP
daemons=$(rt_daemon_pids)
existing() { local d; while read -r d; do if [[ -n $d && -d $d ]]; then echo "$d"; fi; done; }
created=$(rt_created_cgroups | existing)
echo "# daemons: $(tr '\n' ' ' <<<"$daemons")"
echo "# cgroup dirs created: $(wc -l <<<"$created")"

rt_docker_rm "${id[docker]}"
rt_podman_rm "${id[podman]}"
rt_ctr_rm default "${id[ctr-default]}"
rt_ctr_rm k8s.io "${id[ctr-k8s]}"
rt_runc_rm "${id[runc]}"
phase "remove containers"
for r in "${runtimes[@]}"; do
    check "$r: container cgroup dirs gone after rm" no_cgroup_dirs "${id[$r]}"
    check "$r: container process gone" not_alive "${pid[$r]}"
done

rt_cleanup
phase cleanup
rt_cleanup   # a second call is a no-op

while read -r n p; do
    check "daemon $n (pid $p) stopped" not_alive "$p"
done <<<"$daemons"
left=$(existing <<<"$created")
check "no created cgroup dir left" is_empty "$left"
if [[ -n $left ]]; then printf '    left: %s\n' "${left//$'\n'/ }"; fi
check "no mounts under $tmp" not_mounted_under "$tmp"
check "$tmp removed" test ! -e "$tmp"
check "no process mentions $tmp" no_procs_mentioning "$tmp"
for f in "${host_paths[@]}"; do
    [[ -n ${host_before[$f]} ]] || check "$f not left behind" test ! -e "$f"
done
if [[ -d /run/containerd ]]; then
    echo "# /run/containerd after cleanup:"; find /run/containerd | sed 's/^/    /'
fi

phase "verify"

# --- Abrupt end: raw wrappers (untracked containers), daemons SIGKILLed, then
# a failing command under set -e; the EXIT trap alone must clean up.
crash_out=$(mktemp)
# shellcheck disable=SC2016  # expanded by the child shell
crash_script='
    set -euo pipefail
    source "$1"
    rt_init
    trap rt_cleanup EXIT
    echo "tmp $RT_TMP"
    rt_start_containerd; rt_start_dockerd; rt_start_podman_service
    rt_docker_import; rt_podman_import
    echo "id $(rt_docker run -d --name raw-d "$RT_DOCKER_IMAGE" /bin/sleep 3600)"
    echo "id $(rt_podman run -d --name raw-p "$RT_PODMAN_IMAGE" /bin/sleep 3600 | tail -n 1)"
    i=$(rt_new_id); rt_ctr -n default run -d --null-io --rootfs "$(rt_rootfs)" "$i" /bin/sleep 3600; echo "id $i"
    i=$(rt_new_id); rt_runc_run "$i" >/dev/null; echo "id $i"
    kill -KILL "$(_rt_daemon_pid dockerd)" "$(_rt_daemon_pid containerd)" "$(_rt_daemon_pid podman-service)"
    false'
rc=0
bash -c "$crash_script" _ "$here/lib.sh" >"$crash_out" 2>&1 || rc=$?
check "abrupt end: child failed as scripted (rc=$rc)" test "$rc" -eq 1
ctmp=$(awk '$1 == "tmp" { print $2 }' "$crash_out")
cids=$(awk '$1 == "id" { print $2 }' "$crash_out")
check "abrupt end: 4 containers were running" test "$(wc -w <<<"$cids")" -eq 4
leftover=$(for i in $cids; do rt_cgroup_dirs "$i"; done)
check "abrupt end: no container cgroup dir left" is_empty "$leftover"
for f in docker libpod_parent default; do
    check "abrupt end: no /$f parent left" no_new_parent "$f"
done
for f in "${host_paths[@]}"; do
    [[ -n ${host_before[$f]} ]] || check "abrupt end: $f not left behind" test ! -e "$f"
done
check "abrupt end: $ctmp removed" test -n "$ctmp" -a ! -e "$ctmp"
check "abrupt end: no mounts under $ctmp" not_mounted_under "$ctmp"
check "abrupt end: no process mentions $ctmp" no_procs_mentioning "$ctmp"
grep '^rt:' "$crash_out" | sed 's/^/    child: /' || true
rm -f "$crash_out"
phase "abrupt-end scenario"

# --- rt_cleanup with nothing started, twice, and without rt_init.
# shellcheck disable=SC2016
check "rt_cleanup with nothing started (twice)" bash -c '
    set -euo pipefail; source "$1"; rt_init; t=$RT_TMP; rt_cleanup; rt_cleanup; [[ ! -e $t ]]' _ "$here/lib.sh"
# A child process that inherits RT_TMP may use it but must not clean it up.
rt_init
# shellcheck disable=SC2016
check "rt_cleanup in a child process leaves the parent's RT_TMP alone" bash -c '
    set -euo pipefail; source "$1"; rt_cleanup; [[ -f $RT_TMP/.rt ]]' _ "$here/lib.sh"
rt_cleanup
# shellcheck disable=SC2016
check "rt_cleanup without rt_init" bash -c '
    set -euo pipefail; source "$1"; trap rt_cleanup EXIT; rt_cleanup' _ "$here/lib.sh"
phase "no-op cleanup"

echo "# total $(($(ms) - T0)) ms"
echo "selftest: $pass passed, $fail failed"
((fail == 0))
