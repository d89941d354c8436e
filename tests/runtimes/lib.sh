# shellcheck shell=bash
# tests/runtimes/lib.sh - drive REAL container runtimes (runc, containerd/ctr,
# docker, podman) with private state under a per-run temp dir.
#
#   source tests/runtimes/lib.sh
#   rt_install                      # apt-get what is missing (quick if present)
#   rt_init                         # creates $RT_TMP, snapshots cgroups
#   trap rt_cleanup EXIT            # safe even if nothing was started / twice
#   rt_start_containerd; id=$(rt_ctr_run default "$(rt_new_id)")
#
# Every function works under `set -euo pipefail`, prints errors to stderr as
# "rt: <function>: <what failed>" and returns non-zero on failure.  All state
# (pids, tracked cgroups, containers) is kept in files under $RT_TMP, so the
# run/stop functions may be called inside $(...).  rt_init and rt_start_* must
# run in the main shell (they set RT_TMP / start children).  See README.md.

[[ -n ${_RT_LIB_SOURCED:-} ]] && return 0
_RT_LIB_SOURCED=1

# python3-grpcio, python3-grpc-tools: the CRI client (tests/cri/)
RT_PKGS=(runc containerd docker.io podman busybox-static curl jq python3-grpcio python3-grpc-tools)
: "${RT_WAIT_SECS:=30}"      # bound for a daemon to answer on its socket
: "${RT_STOP_SECS:=10}"      # SIGTERM grace before SIGKILL
: "${RT_DOCKER_IMAGE:=local/busybox:test}"
: "${RT_PODMAN_IMAGE:=localhost/busybox:test}"
: "${RT_K8S_IMAGE:=docker.io/library/busybox:test}"
RT_TMP=${RT_TMP:-}

# Host paths the runtimes write outside $RT_TMP whatever their configuration
# (see README.md).  rt_cleanup removes the files listed in _RT_HOST_FILES and
# empty dirs under _RT_HOST_DIRS, but only those that did not exist at rt_init.
_RT_HOST_DIRS=(/run/containerd /run/docker /run/runc /etc/docker /var/lib/containers)
_RT_HOST_FILES=(/etc/docker/key.json /var/lib/containers/cache/blob-info-cache-v1.boltdb)

# ---------------------------------------------------------------- helpers --

_rt_err() { printf 'rt: %s\n' "$*" >&2; }
# RT_DEBUG=1: timestamped progress of rt_cleanup on stderr.
_rt_dbg() { [[ -z ${RT_DEBUG:-} ]] || printf 'rt: debug %s ms: %s\n' "$(_rt_now_ms)" "$*" >&2; }

_rt_need_init() {
    if [[ -z $RT_TMP || ! -d $RT_TMP ]]; then
        _rt_err "${FUNCNAME[1]}: rt_init has not been called (RT_TMP unset)"
        return 1
    fi
}

# Fields of /proc/PID/stat after "(comm)": [0]=state ... [19]=starttime.
_rt_stat() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    printf '%s\n' "${s##*) }"
}

_rt_starttime() {
    local -a f
    read -r -a f <<<"$(_rt_stat "$1")" || return 1
    printf '%s\n' "${f[19]:-}"
}

# _rt_alive PID [STARTTIME]: running (not a zombie) and not a reused pid.
_rt_alive() {
    local -a f
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    read -r -a f <<<"$(_rt_stat "$1")" || return 1
    [[ ${#f[@]} -gt 19 ]] || return 1
    [[ ${f[0]} != Z && ${f[0]} != X ]] || return 1
    [[ -z ${2:-} || ${f[19]} == "$2" ]]
}

_rt_now_ms() { local t=${EPOCHREALTIME/./}; printf '%s\n' "$((t / 1000))"; }

# _rt_kill_pid PID [STARTTIME] [GRACE_SECS]: SIGTERM, bounded wait, SIGKILL.
_rt_kill_pid() {
    local pid=$1 st=${2:-} grace=${3:-$RT_STOP_SECS} end
    _rt_alive "$pid" "$st" || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    end=$(($(_rt_now_ms) + grace * 1000))
    while _rt_alive "$pid" "$st" && (($(_rt_now_ms) < end)); do sleep 0.05; done
    if _rt_alive "$pid" "$st"; then
        kill -KILL "$pid" 2>/dev/null || true
        end=$(($(_rt_now_ms) + 5000))
        while _rt_alive "$pid" "$st" && (($(_rt_now_ms) < end)); do sleep 0.05; done
    fi
    wait "$pid" 2>/dev/null || true    # reap if it is our child
    ! _rt_alive "$pid" "$st"
}

# _rt_spawn NAME LOG CMD...: start a daemon in its own session, record its pid.
_rt_spawn() {
    local name=$1 log=$2 pid jobctl=
    shift 2
    # With job control on, the job would lead its process group and setsid(1)
    # would fork, so $! would not be the daemon.
    if [[ $- == *m* ]]; then jobctl=1; set +m; fi
    setsid "$@" </dev/null >>"$log" 2>&1 &
    pid=$!
    if [[ -n $jobctl ]]; then set -m; fi
    printf '%s %s %s\n' "$name" "$pid" "$(_rt_starttime "$pid")" >>"$RT_TMP/pids"
    _RT_SPAWNED=$pid
}

# _rt_daemon_pid NAME: pid of a running daemon started under NAME (or fail).
_rt_daemon_pid() {
    local n p s
    [[ -f $RT_TMP/pids ]] || return 1
    while read -r n p s; do
        if [[ $n == "$1" ]] && _rt_alive "$p" "$s"; then
            printf '%s\n' "$p"
            return 0
        fi
    done <"$RT_TMP/pids"
    return 1
}

# _rt_wait_ready NAME PID LOG CMD...: poll CMD until it succeeds (bounded).
_rt_wait_ready() {
    local name=$1 pid=$2 log=$3 end
    shift 3
    end=$(($(_rt_now_ms) + RT_WAIT_SECS * 1000))
    until timeout 10 "$@" >/dev/null 2>&1; do
        if ! _rt_alive "$pid"; then
            _rt_err "$name (pid $pid) exited before answering; last lines of $log:"
            tail -n 15 "$log" >&2
            return 1
        fi
        if (($(_rt_now_ms) >= end)); then
            _rt_err "$name (pid $pid) did not answer within ${RT_WAIT_SECS}s (rt_cleanup stops it); last lines of $log:"
            tail -n 15 "$log" >&2
            return 1
        fi
        sleep 0.05
    done
}

_rt_cgroup_mounts() { awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/self/mounts; }

# rt_pid_cgroups PID: the cgroup dir (absolute path) of PID in every hierarchy.
rt_pid_cgroups() {
    local pid=$1 _ ctrls path mnt
    [[ -r /proc/$pid/cgroup ]] || { _rt_err "rt_pid_cgroups: no such pid $pid"; return 1; }
    while IFS=: read -r _ ctrls path; do
        if [[ -z $ctrls ]]; then
            mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
        else
            mnt=$(awk -v c="$ctrls" '$3 == "cgroup" {
                    split("", h); n = split($4, o, ","); for (i = 1; i <= n; i++) h[o[i]] = 1
                    m = split(c, w, ","); ok = 1; for (j = 1; j <= m; j++) if (!(w[j] in h)) ok = 0
                    if (ok) { print $2; exit } }' /proc/self/mounts)
        fi
        [[ -n $mnt ]] && printf '%s%s\n' "$mnt" "${path%/}"
    done <"/proc/$pid/cgroup"
    return 0
}

# rt_cgroup_dirs ID: every cgroup dir, in every hierarchy, named ID, *-ID or
# *-ID.scope (docker/containerd/runc: ID, podman: libpod-ID).
rt_cgroup_dirs() {
    local mnt id=${1:-}
    [[ $id =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || { _rt_err "rt_cgroup_dirs: bad container id '$id'"; return 1; }
    while read -r mnt; do
        find "$mnt" -mindepth 1 -type d \( -name "$id" -o -name "*-$id" -o -name "*-$id.scope" \) \
            2>/dev/null || true
    done < <(_rt_cgroup_mounts) | sort
}

# _rt_reap_cgroups WHO ID: after a container is stopped/removed, wait (<= 3 s)
# for the dirs named after ID to go, rmdir-ing those left empty: podman rm
# leaves them behind about half the time here (its rmdir races the exiting
# task).  rmdir never removes a cgroup that still has tasks or children.
_rt_reap_cgroups() {
    local who=$1 id=$2 d left end
    end=$(($(_rt_now_ms) + 3000))
    while :; do
        left=
        while read -r d; do
            [[ -n $d ]] || continue
            rmdir "$d" 2>/dev/null || left+="$d "
        done < <(rt_cgroup_dirs "$id" 2>/dev/null)
        [[ -z $left ]] && return 0
        if (($(_rt_now_ms) >= end)); then
            _rt_err "$who: cgroup dirs of $id still present: $left"
            return 1
        fi
        sleep 0.05
    done
}

# Remember DIR (and its ancestors below the hierarchy root) for rt_cleanup.
_rt_track_dir() {
    local d=$1 mnt
    [[ -n $RT_TMP && -d $RT_TMP ]] || return 0
    while read -r mnt; do
        [[ $d == "$mnt"/* ]] || continue
        while [[ $d != "$mnt" && $d == "$mnt"/* ]]; do
            printf '%s\n' "$d" >>"$RT_TMP/cgroups.tracked"
            d=${d%/*}
        done
        return 0
    done < <(_rt_cgroup_mounts)
}

# Parent cgroups a runtime is expected to create, tracked before it runs so a
# half-failed start is cleaned up too.  REL is relative to each hierarchy root.
_rt_track_rel() {
    local mnt rel
    while read -r mnt; do
        for rel in "$@"; do _rt_track_dir "$mnt/${rel#/}"; done
    done < <(_rt_cgroup_mounts)
}

# _rt_track_container RUNTIME NS ID PID: remember the container, its cgroups
# and those of its supervisor (shim / conmon = parent of PID).
_rt_track_container() {
    local rt=$1 ns=$2 id=$3 pid=${4:-} ppid d
    [[ $id =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]] || return 0
    printf '%s %s %s\n' "$rt" "${ns:--}" "$id" >>"$RT_TMP/containers"
    while read -r d; do _rt_track_dir "$d"; done < <(rt_cgroup_dirs "$id")
    if [[ $pid =~ ^[0-9]+$ ]]; then
        ppid=$(awk '/^PPid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || ppid=
        while read -r d; do _rt_track_dir "$d"; done < <(rt_pid_cgroups "$pid" 2>/dev/null)
        if [[ -n $ppid && $ppid != 1 ]]; then
            while read -r d; do _rt_track_dir "$d"; done < <(rt_pid_cgroups "$ppid" 2>/dev/null)
        fi
    fi
    return 0
}

_rt_untrack_container() {
    [[ -f $RT_TMP/containers ]] || return 0
    awk -v r="$1" -v n="${2:--}" -v i="$3" '!($1 == r && $2 == n && $3 == i)' \
        "$RT_TMP/containers" >"$RT_TMP/containers.new"
    mv "$RT_TMP/containers.new" "$RT_TMP/containers"
}

# rt_new_id: a random 64-hex container id.
rt_new_id() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; echo; }

# ---------------------------------------------------------------- install --

_rt_pkg_installed() {
    [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# rt_install: apt-get install whatever of RT_PKGS is missing, never starting
# daemons.  A no-op (~50 ms) when everything is installed.
rt_install() {
    local p missing=() log rc=0 policy=/usr/sbin/policy-rc.d own_policy=
    for p in "${RT_PKGS[@]}"; do _rt_pkg_installed "$p" || missing+=("$p"); done
    ((${#missing[@]})) || return 0
    if [[ $EUID -ne 0 ]]; then _rt_err "rt_install: need root to install ${missing[*]}"; return 1; fi
    log=$(mktemp /tmp/rt-install.XXXXXX.log)
    # Packages must not start daemons: make sure policy-rc.d denies (exit 101).
    if [[ ! -x $policy ]] || { "$policy" x start >/dev/null 2>&1; [[ $? -ne 101 ]]; }; then
        if [[ -e $policy ]]; then mv "$policy" "$policy.rt-saved"; fi
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
        own_policy=1
    fi
    local -a apt=(apt-get -q -y -o DPkg::Lock::Timeout=600
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" update >>"$log" 2>&1 || rc=$?
    fi
    if ((rc == 0)); then
        DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 "${apt[@]}" install --no-install-recommends \
            "${missing[@]}" >>"$log" 2>&1 || rc=$?
    fi
    if [[ -n $own_policy ]]; then
        rm -f "$policy"
        if [[ -e $policy.rt-saved ]]; then mv "$policy.rt-saved" "$policy"; fi
    fi
    if ((rc != 0)); then
        _rt_err "rt_install: apt-get install ${missing[*]} failed (rc=$rc); last lines of $log:"
        tail -n 20 "$log" >&2
        return 1
    fi
    rm -f "$log"
    for p in "${missing[@]}"; do
        _rt_pkg_installed "$p" || { _rt_err "rt_install: $p still not installed"; return 1; }
    done
}

# ------------------------------------------------------------- init/image --

# rt_init [BASE]: create RT_TMP (mktemp under BASE, default /tmp; exported)
# and record which cgroup dirs and host paths existed before.
# shellcheck disable=SC2120  # optional argument
rt_init() {
    local base=${1:-/tmp} mnt
    if [[ -n $RT_TMP && -f $RT_TMP/.rt && $(cat "$RT_TMP/.rt" 2>/dev/null) == "$$" ]]; then
        _rt_err "rt_init: already initialised ($RT_TMP); call rt_cleanup first"
        return 1
    fi
    RT_TMP=$(mktemp -d "$base/rt.XXXXXX") || { _rt_err "rt_init: mktemp in $base failed"; return 1; }
    export RT_TMP
    # Short, private paths: unix socket paths must stay below 108 bytes.
    mkdir -p "$RT_TMP"/{ctd,dk,dkctd,pm,runc/bundles}
    : >"$RT_TMP/pids"
    : >"$RT_TMP/containers"
    : >"$RT_TMP/cgroups.tracked"
    while read -r mnt; do find "$mnt" -type d 2>/dev/null || true; done < <(_rt_cgroup_mounts) \
        | sort >"$RT_TMP/cgroups.before"
    for mnt in "${_RT_HOST_DIRS[@]}"; do
        if [[ -e $mnt ]]; then find "$mnt" -maxdepth 3 2>/dev/null || true; fi
    done | sort >"$RT_TMP/host.before"
    echo "$$" >"$RT_TMP/.rt"   # the owner: only this shell's rt_cleanup acts
}

# rt_make_rootfs DIR: busybox-static rootfs with applet symlinks.
rt_make_rootfs() {
    local dir=${1:-}
    [[ -n $dir ]] || { _rt_err "rt_make_rootfs: missing DIR"; return 1; }
    [[ -x /bin/busybox ]] || { _rt_err "rt_make_rootfs: /bin/busybox missing (rt_install)"; return 1; }
    mkdir -p "$dir"/{bin,proc,sys,dev,etc,tmp,root,run,var} || { _rt_err "rt_make_rootfs: mkdir $dir"; return 1; }
    cp /bin/busybox "$dir/bin/busybox" || { _rt_err "rt_make_rootfs: cp busybox to $dir failed"; return 1; }
    chroot "$dir" /bin/busybox --install -s /bin || { _rt_err "rt_make_rootfs: busybox --install in $dir failed"; return 1; }
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$dir/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
    : >"$dir/etc/hosts"; : >"$dir/etc/resolv.conf"; : >"$dir/etc/hostname"
    chmod 1777 "$dir/tmp"
}

# rt_rootfs: print the shared rootfs ($RT_TMP/rootfs), building it on first use.
rt_rootfs() {
    _rt_need_init || return 1
    if [[ ! -x $RT_TMP/rootfs/bin/sleep ]]; then rt_make_rootfs "$RT_TMP/rootfs" || return 1; fi
    printf '%s\n' "$RT_TMP/rootfs"
}

# rt_image_tar [ROOTFS [TAR]]: tar of a rootfs; prints the tar path.
# shellcheck disable=SC2120  # optional arguments
rt_image_tar() {
    local root=${1:-} tar=${2:-}
    if [[ -z $root ]]; then root=$(rt_rootfs) || return 1; fi
    if [[ -z $tar ]]; then _rt_need_init || return 1; tar=$RT_TMP/busybox.tar; fi
    if [[ ! -s $tar ]]; then
        if ! tar -C "$root" -cf "$tar.part" . || ! mv "$tar.part" "$tar"; then
            _rt_err "rt_image_tar: tar of $root failed"
            return 1
        fi
    fi
    printf '%s\n' "$tar"
}

# ------------------------------------------------------------- containerd --

_rt_ctd_conf() {   # DIR SOCK
    cat <<EOF
version = 2
root = "$1/root"
state = "$1/state"
temp = "$1/tmp"
# CRI is not used (ctr only); it would listen on a port and use /etc/cni.
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "$2"

[ttrpc]
  address = "$2.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$1/opt"
EOF
}

# _rt_start_ctd NAME DIR SOCK: start (or reuse) a private containerd.
_rt_start_ctd() {
    local name=$1 dir=$2 sock=$3 pid
    _rt_need_init || return 1
    if _rt_daemon_pid "$name" >/dev/null; then return 0; fi
    command -v containerd >/dev/null || { _rt_err "$name: containerd not installed (rt_install)"; return 1; }
    mkdir -p "$dir/tmp" "$dir/runc"
    _rt_ctd_conf "$dir" "$sock" >"$dir/config.toml"
    _rt_spawn "$name" "$dir/log" containerd --config "$dir/config.toml"
    pid=$_RT_SPAWNED
    _rt_wait_ready "$name" "$pid" "$dir/log" ctr -a "$sock" version
}

# rt_start_containerd: containerd with root/state/socket under $RT_TMP/ctd,
# socket $RT_TMP/containerd.sock.
rt_start_containerd() {
    _rt_start_ctd containerd "$RT_TMP/ctd" "$RT_TMP/containerd.sock"
}

# rt_ctr [ctr args...]: ctr talking to our containerd (bounded by RT_CTR_TIMEOUT).
rt_ctr() { ctr -a "$RT_TMP/containerd.sock" --timeout "${RT_CTR_TIMEOUT:-60s}" "$@"; }

# rt_ctr_run NAMESPACE ID [ctr run args...]: detached /bin/sleep 3600 on the
# busybox rootfs (--rootfs, absolute path; no image needed).  Extra args go to
# `ctr run` (e.g. --label k=v, --annotation k=v, --cgroup /x/ID).  Prints ID.
rt_ctr_run() {
    local ns=${1:-} id=${2:-} root pid
    [[ -n $ns && -n $id ]] || { _rt_err "rt_ctr_run: usage: rt_ctr_run NAMESPACE ID [ctr run args]"; return 1; }
    shift 2
    _rt_daemon_pid containerd >/dev/null || { _rt_err "rt_ctr_run: containerd not started (rt_start_containerd)"; return 1; }
    root=$(rt_rootfs) || return 1
    _rt_track_rel "/$ns"
    printf 'containerd %s %s\n' "$ns" "$id" >>"$RT_TMP/containers"
    if ! rt_ctr -n "$ns" run -d --null-io --runc-root "$RT_TMP/ctd/runc" "$@" \
        --rootfs "$root" "$id" /bin/sleep 3600 >"$RT_TMP/ctd/run-$id.log" 2>&1; then
        _rt_err "rt_ctr_run: ctr -n $ns run $id failed:"
        cat "$RT_TMP/ctd/run-$id.log" >&2
        _rt_ctr_rm_quiet "$ns" "$id" || true
        return 1
    fi
    pid=$(rt_ctr_pid "$ns" "$id") || return 1
    _rt_track_container containerd "$ns" "$id" "$pid"
    printf '%s\n' "$id"
}

# rt_ctr_run_k8s ID POD_NS POD_NAME CONTAINER_NAME [ctr run args...]: like
# rt_ctr_run in namespace k8s.io with the CRI annotations a kubelet-created
# container has (they end up in the task bundle's config.json).  Later
# `--annotation k=v` args override these defaults.
rt_ctr_run_k8s() {
    local id=${1:-} pns=${2:-} pname=${3:-} cname=${4:-} uid sbid
    [[ -n $id && -n $pns && -n $pname && -n $cname ]] || {
        _rt_err "rt_ctr_run_k8s: usage: rt_ctr_run_k8s ID POD_NS POD_NAME CONTAINER_NAME [ctr run args]"
        return 1
    }
    shift 4
    uid=$(cat /proc/sys/kernel/random/uuid)
    sbid=$(rt_new_id)
    rt_ctr_run k8s.io "$id" \
        --annotation "io.kubernetes.cri.container-type=container" \
        --annotation "io.kubernetes.cri.container-name=$cname" \
        --annotation "io.kubernetes.cri.sandbox-id=$sbid" \
        --annotation "io.kubernetes.cri.sandbox-name=$pname" \
        --annotation "io.kubernetes.cri.sandbox-namespace=$pns" \
        --annotation "io.kubernetes.cri.sandbox-uid=$uid" \
        --annotation "io.kubernetes.cri.image-name=$RT_K8S_IMAGE" \
        --label "io.cri-containerd.kind=container" \
        "$@"
}

# rt_ctr_pid NAMESPACE ID: host pid of the task.
rt_ctr_pid() {
    local pid
    pid=$(rt_ctr -n "$1" task ls 2>/dev/null | awk -v id="$2" '$1 == id { print $2 }')
    [[ $pid =~ ^[1-9][0-9]*$ ]] || { _rt_err "rt_ctr_pid: no running task $1/$2"; return 1; }
    printf '%s\n' "$pid"
}

# rt_ctr_bundle NAMESPACE ID: the running task's bundle dir (has config.json).
rt_ctr_bundle() { printf '%s\n' "$RT_TMP/ctd/state/io.containerd.runtime.v2.task/$1/$2"; }

# _rt_ctr_rm_quiet NS ID [SOCK]: kill + delete, silently; SOCK defaults to ours.
_rt_ctr_rm_quiet() {
    local ns=$1 id=$2 end
    local -a c=(ctr -a "${3:-$RT_TMP/containerd.sock}" --timeout 20s -n "$ns")
    "${c[@]}" task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    end=$(($(_rt_now_ms) + 5000))
    while "${c[@]}" task ls 2>/dev/null | awk -v id="$id" '$1 == id && $3 == "RUNNING" { f = 1 } END { exit !f }'; do
        (($(_rt_now_ms) < end)) || break
        sleep 0.05
    done
    "${c[@]}" task delete -f "$id" >/dev/null 2>&1 || true
    "${c[@]}" container delete "$id" >/dev/null 2>&1 || true
    ! "${c[@]}" container info "$id" >/dev/null 2>&1
}

# rt_ctr_stop NAMESPACE ID: SIGKILL the task and delete it (the container
# record stays; rt_ctr_rm removes it).
rt_ctr_stop() {
    local ns=${1:-} id=${2:-} end
    [[ -n $ns && -n $id ]] || { _rt_err "rt_ctr_stop: usage: rt_ctr_stop NAMESPACE ID"; return 1; }
    rt_ctr -n "$ns" task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    end=$(($(_rt_now_ms) + 5000))
    while rt_ctr -n "$ns" task ls 2>/dev/null | awk -v id="$id" '$1 == id && $3 == "RUNNING" { f = 1 } END { exit !f }'; do
        (($(_rt_now_ms) < end)) || { _rt_err "rt_ctr_stop: task $ns/$id still running"; return 1; }
        sleep 0.05
    done
    rt_ctr -n "$ns" task delete -f "$id" >/dev/null 2>&1 || true
    _rt_reap_cgroups rt_ctr_stop "$id"
}

# rt_ctr_rm NAMESPACE ID: SIGKILL the task, delete task and container.
rt_ctr_rm() {
    [[ -n ${1:-} && -n ${2:-} ]] || { _rt_err "rt_ctr_rm: usage: rt_ctr_rm NAMESPACE ID"; return 1; }
    _rt_ctr_rm_quiet "$1" "$2" || { _rt_err "rt_ctr_rm: could not remove $1/$2"; return 1; }
    _rt_untrack_container containerd "$1" "$2"
    _rt_reap_cgroups rt_ctr_rm "$2"
}

# ----------------------------------------------------------------- docker --

# rt_start_dockerd: dockerd with data/exec roots under $RT_TMP/dk, socket
# $RT_TMP/docker.sock, no iptables/bridge, and its OWN private containerd
# ($RT_TMP/dkctd, socket $RT_TMP/dkctd.sock, namespace moby) so it neither
# uses a system containerd nor the one from rt_start_containerd.
rt_start_dockerd() {
    local d pid
    _rt_need_init || return 1
    d=$RT_TMP/dk
    if _rt_daemon_pid dockerd >/dev/null; then return 0; fi
    command -v dockerd >/dev/null || { _rt_err "rt_start_dockerd: dockerd not installed (rt_install)"; return 1; }
    _rt_start_ctd docker-containerd "$RT_TMP/dkctd" "$RT_TMP/dkctd.sock" || return 1
    echo '{}' >"$d/daemon.json"
    _rt_spawn dockerd "$d/log" dockerd \
        --config-file "$d/daemon.json" \
        --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/docker.pid" \
        -H "unix://$RT_TMP/docker.sock" \
        --containerd "$RT_TMP/dkctd.sock" \
        --iptables=false --ip-forward=false --ip-masq=false --bridge=none \
        --exec-opt native.cgroupdriver=cgroupfs
    pid=$_RT_SPAWNED
    _rt_wait_ready dockerd "$pid" "$d/log" \
        curl -sf --max-time 2 --unix-socket "$RT_TMP/docker.sock" http://localhost/_ping
}

_rt_docker_cmd() { _RT_DOCKER=(env "DOCKER_CONFIG=$RT_TMP/dk/cli" docker -H "unix://$RT_TMP/docker.sock"); }

# rt_docker [docker args...]: docker CLI talking to our dockerd.
rt_docker() { _rt_docker_cmd; "${_RT_DOCKER[@]}" "$@"; }

# rt_docker_api PATH: GET on the docker API (e.g. /containers/ID/json).
rt_docker_api() { curl -sf --max-time 10 --unix-socket "$RT_TMP/docker.sock" "http://localhost$1"; }

# rt_docker_import [TAG]: import the busybox tar as TAG (default RT_DOCKER_IMAGE).
# shellcheck disable=SC2120  # optional arguments
rt_docker_import() {
    local tag=${1:-$RT_DOCKER_IMAGE} tar
    tar=$(rt_image_tar) || return 1
    rt_docker import -c 'CMD ["sh"]' "$tar" "$tag" >/dev/null \
        || { _rt_err "rt_docker_import: docker import $tag failed"; return 1; }
}

# rt_docker_run NAME [docker run args...]: detached /bin/sleep 3600; prints id.
rt_docker_run() {
    local name=${1:-} id pid
    [[ -n $name ]] || { _rt_err "rt_docker_run: usage: rt_docker_run NAME [docker run args]"; return 1; }
    shift
    _rt_daemon_pid dockerd >/dev/null || { _rt_err "rt_docker_run: dockerd not started (rt_start_dockerd)"; return 1; }
    if ! rt_docker image inspect "$RT_DOCKER_IMAGE" >/dev/null 2>&1; then rt_docker_import || return 1; fi
    _rt_track_rel /docker
    if ! id=$(rt_docker run -d --name "$name" "$@" "$RT_DOCKER_IMAGE" /bin/sleep 3600 2>"$RT_TMP/dk/run.err"); then
        _rt_err "rt_docker_run: docker run $name failed: $(cat "$RT_TMP/dk/run.err")"
        rt_docker rm -f "$name" >/dev/null 2>&1 || true
        return 1
    fi
    pid=$(rt_docker_pid "$id") || return 1
    _rt_track_container docker - "$id" "$pid"
    printf '%s\n' "$id"
}

# rt_docker_pid ID|NAME: host pid of the container.
rt_docker_pid() {
    local pid
    pid=$(rt_docker inspect -f '{{.State.Pid}}' "$1" 2>/dev/null)
    [[ $pid =~ ^[1-9][0-9]*$ ]] || { _rt_err "rt_docker_pid: $1 is not running"; return 1; }
    printf '%s\n' "$pid"
}

# rt_docker_stop ID|NAME: docker stop -t 0.
rt_docker_stop() {
    local id
    id=$(rt_docker inspect -f '{{.Id}}' "$1" 2>/dev/null) || id=$1
    rt_docker stop -t 0 "$1" >/dev/null || { _rt_err "rt_docker_stop: docker stop $1 failed"; return 1; }
    _rt_reap_cgroups rt_docker_stop "$id"
}

# rt_docker_rm ID|NAME: docker rm -f (kills if running).
rt_docker_rm() {
    local id
    id=$(rt_docker inspect -f '{{.Id}}' "$1" 2>/dev/null) || id=$1
    rt_docker rm -f "$1" >/dev/null || { _rt_err "rt_docker_rm: docker rm -f $1 failed"; return 1; }
    _rt_untrack_container docker - "$id"
    _rt_reap_cgroups rt_docker_rm "$id"
}

# ----------------------------------------------------------------- podman --

# Private containers.conf + storage.conf (storage, locks, events, network
# config all under $RT_TMP/pm), ulimits within this machine's hard limits.
_rt_podman_setup() {
    local d=$RT_TMP/pm nofile nproc ul=()
    _rt_need_init || return 1
    [[ -f $d/containers.conf ]] && return 0
    command -v podman >/dev/null || { _rt_err "podman not installed (rt_install)"; return 1; }
    mkdir -p "$d"/{root,run,runc,tmp,net,volumes}
    # Both must be given (podman fills in nofile=1048576 / nproc=4194304 for
    # a missing one, which runc cannot set without CAP_SYS_RESOURCE), within
    # the hard limits podman itself runs with: it lowers its own RLIMIT_NPROC
    # to 32768 when it cannot raise it (measured).
    nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
    if [[ $nofile == unlimited ]] || { [[ $nofile =~ ^[0-9]+$ ]] && ((nofile > 1048576)); }; then nofile=1048576; fi
    if [[ $nproc == unlimited ]] || { [[ $nproc =~ ^[0-9]+$ ]] && ((nproc > 32768)); }; then nproc=32768; fi
    [[ $nofile =~ ^[0-9]+$ ]] && ul+=("\"nofile=$nofile:$nofile\"")
    [[ $nproc =~ ^[0-9]+$ ]] && ul+=("\"nproc=$nproc:$nproc\"")
    cat >"$d/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$d/root"
runroot = "$d/run"
EOF
    cat >"$d/containers.conf" <<EOF
[containers]
default_ulimits = [$(IFS=,; printf '%s' "${ul[*]}")]
netns = "none"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
lock_type = "file"
tmp_dir = "$d/tmp"
static_dir = "$d/root/libpod"
volume_path = "$d/volumes"
conmon_env_vars = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "CONTAINERS_CONF=$d/containers.conf", "CONTAINERS_STORAGE_CONF=$d/storage.conf"]

[network]
network_config_dir = "$d/net"
EOF
}

# runc's state for podman containers goes to $RT_TMP/pm/runc (not /run/runc);
# podman hands --runtime-flag on to conmon's exit command.
_rt_podman_cmd() {
    _RT_PODMAN=(env "CONTAINERS_CONF=$RT_TMP/pm/containers.conf"
        "CONTAINERS_STORAGE_CONF=$RT_TMP/pm/storage.conf"
        podman --runtime-flag "root=$RT_TMP/pm/runc")
}

# rt_podman [podman args...]: podman with our private configuration.
rt_podman() {
    _rt_podman_setup || return 1
    _rt_podman_cmd
    "${_RT_PODMAN[@]}" "$@"
}

# rt_start_podman_service: `podman system service --time=0` on $RT_TMP/podman.sock.
rt_start_podman_service() {
    local pid
    _rt_podman_setup || return 1
    if _rt_daemon_pid podman-service >/dev/null; then return 0; fi
    _rt_podman_cmd
    _rt_spawn podman-service "$RT_TMP/pm/service.log" \
        "${_RT_PODMAN[@]}" system service --time=0 "unix://$RT_TMP/podman.sock"
    pid=$_RT_SPAWNED
    _rt_wait_ready podman-service "$pid" "$RT_TMP/pm/service.log" \
        curl -sf --max-time 2 --unix-socket "$RT_TMP/podman.sock" http://localhost/_ping
}

# rt_podman_api PATH: GET on the podman (docker-compatible) API.
rt_podman_api() { curl -sf --max-time 10 --unix-socket "$RT_TMP/podman.sock" "http://localhost$1"; }

# rt_podman_import [TAG]: import the busybox tar as TAG (default RT_PODMAN_IMAGE).
# shellcheck disable=SC2120  # optional arguments
rt_podman_import() {
    local tag=${1:-$RT_PODMAN_IMAGE} tar
    tar=$(rt_image_tar) || return 1
    rt_podman import --change 'CMD ["sh"]' "$tar" "$tag" >/dev/null 2>"$RT_TMP/pm/import.err" \
        || { _rt_err "rt_podman_import: podman import $tag failed: $(cat "$RT_TMP/pm/import.err")"; return 1; }
}

# rt_podman_run NAME [podman run args...]: detached /bin/sleep 3600; prints id.
rt_podman_run() {
    local name=${1:-} id pid
    [[ -n $name ]] || { _rt_err "rt_podman_run: usage: rt_podman_run NAME [podman run args]"; return 1; }
    shift
    _rt_podman_setup || return 1
    if ! rt_podman image exists "$RT_PODMAN_IMAGE"; then rt_podman_import || return 1; fi
    _rt_track_rel /libpod_parent /libpod_parent/conmon
    if ! id=$(rt_podman run -d --name "$name" "$@" "$RT_PODMAN_IMAGE" /bin/sleep 3600 2>"$RT_TMP/pm/run.err"); then
        _rt_err "rt_podman_run: podman run $name failed: $(cat "$RT_TMP/pm/run.err")"
        rt_podman rm -f -t 0 "$name" >/dev/null 2>&1 || true   # a failed run leaves a Created container
        return 1
    fi
    id=${id##*$'\n'}
    pid=$(rt_podman_pid "$id") || return 1
    _rt_track_container podman - "$id" "$pid"
    printf '%s\n' "$id"
}

# rt_podman_pid ID|NAME: host pid of the container.
rt_podman_pid() {
    local pid
    pid=$(rt_podman inspect -f '{{.State.Pid}}' "$1" 2>/dev/null)
    [[ $pid =~ ^[1-9][0-9]*$ ]] || { _rt_err "rt_podman_pid: $1 is not running"; return 1; }
    printf '%s\n' "$pid"
}

# rt_podman_conmon_pid ID|NAME: pid of the container's conmon.
rt_podman_conmon_pid() {
    local pid
    pid=$(rt_podman inspect -f '{{.State.ConmonPid}}' "$1" 2>/dev/null)
    [[ $pid =~ ^[1-9][0-9]*$ ]] || { _rt_err "rt_podman_conmon_pid: no conmon for $1"; return 1; }
    printf '%s\n' "$pid"
}

# rt_podman_stop ID|NAME: podman stop -t 0.
rt_podman_stop() {
    local id
    id=$(rt_podman inspect -f '{{.Id}}' "$1" 2>/dev/null) || id=$1
    rt_podman stop -t 0 "$1" >/dev/null || { _rt_err "rt_podman_stop: podman stop $1 failed"; return 1; }
    _rt_reap_cgroups rt_podman_stop "$id"
}

# rt_podman_rm ID|NAME: podman rm -f -t 0.
rt_podman_rm() {
    local id
    id=$(rt_podman inspect -f '{{.Id}}' "$1" 2>/dev/null) || id=$1
    rt_podman rm -f -t 0 "$1" >/dev/null || { _rt_err "rt_podman_rm: podman rm $1 failed"; return 1; }
    _rt_untrack_container podman - "$id"
    _rt_reap_cgroups rt_podman_rm "$id"
}

# ------------------------------------------------------------------- runc --

# rt_runc [runc args...]: runc with state in $RT_TMP/runc/state.
rt_runc() { runc --root "$RT_TMP/runc/state" "$@"; }

# rt_runc_run ID [CGROUPS_PATH]: plain runc, detached /bin/sleep 3600, bundle
# $RT_TMP/runc/bundles/ID (config.json from `runc spec`, read-only shared
# rootfs).  Without CGROUPS_PATH runc picks its default (see README).  Prints ID.
rt_runc_run() {
    local id=${1:-} cg=${2:-} b root pid
    [[ -n $id ]] || { _rt_err "rt_runc_run: usage: rt_runc_run ID [CGROUPS_PATH]"; return 1; }
    _rt_need_init || return 1
    command -v runc >/dev/null || { _rt_err "rt_runc_run: runc not installed (rt_install)"; return 1; }
    root=$(rt_rootfs) || return 1
    b=$RT_TMP/runc/bundles/$id
    mkdir -p "$b"
    rm -f "$b/config.json"
    runc spec --bundle "$b" || { _rt_err "rt_runc_run: runc spec failed"; return 1; }
    if ! jq --arg root "$root" --arg id "$id" --arg cg "$cg" '
        .root = {path: $root, readonly: true}
        | .hostname = ($id | .[0:12])
        | .process.terminal = false
        | .process.args = ["/bin/sleep", "3600"]
        | if $cg != "" then .linux.cgroupsPath = $cg else . end' \
        "$b/config.json" >"$b/config.json.new" || ! mv "$b/config.json.new" "$b/config.json"; then
        _rt_err "rt_runc_run: editing $b/config.json failed"
        return 1
    fi
    _rt_track_rel "/$id"
    printf 'runc - %s\n' "$id" >>"$RT_TMP/containers"
    if ! rt_runc run -d --bundle "$b" --pid-file "$b/pid" "$id" </dev/null >"$b/log" 2>&1; then
        _rt_err "rt_runc_run: runc run $id failed: $(cat "$b/log")"
        rt_runc delete -f "$id" >/dev/null 2>&1 || true
        return 1
    fi
    pid=$(rt_runc_pid "$id") || return 1
    _rt_track_container runc - "$id" "$pid"
    printf '%s\n' "$id"
}

# rt_runc_pid ID: host pid of the container.
rt_runc_pid() {
    local pid
    pid=$(rt_runc state "$1" 2>/dev/null | jq -r '.pid // empty')
    [[ $pid =~ ^[1-9][0-9]*$ ]] || { _rt_err "rt_runc_pid: $1 is not running"; return 1; }
    printf '%s\n' "$pid"
}

# rt_runc_stop ID: SIGKILL the container process (state "stopped" remains).
rt_runc_stop() {
    local id=${1:-} end
    [[ -n $id ]] || { _rt_err "rt_runc_stop: usage: rt_runc_stop ID"; return 1; }
    rt_runc kill "$id" KILL 2>/dev/null || true
    end=$(($(_rt_now_ms) + 5000))
    until [[ $(rt_runc state "$id" 2>/dev/null | jq -r .status) == stopped ]]; do
        (($(_rt_now_ms) < end)) || { _rt_err "rt_runc_stop: $id did not stop"; return 1; }
        sleep 0.05
    done
}

# rt_runc_rm ID: runc delete -f (SIGKILL), remove the bundle.
rt_runc_rm() {
    local id=${1:-}
    [[ -n $id ]] || { _rt_err "rt_runc_rm: usage: rt_runc_rm ID"; return 1; }
    if rt_runc state "$id" >/dev/null 2>&1; then
        rt_runc delete -f "$id" >/dev/null || { _rt_err "rt_runc_rm: runc delete -f $id failed"; return 1; }
    fi
    rm -rf "${RT_TMP:?}/runc/bundles/$id"
    _rt_untrack_container runc - "$id"
    _rt_reap_cgroups rt_runc_rm "$id"
}

# ---------------------------------------------------------------- cleanup --

# rt_daemon_pids: "NAME PID" for every daemon started (alive or not).
rt_daemon_pids() {
    [[ -n $RT_TMP && -f $RT_TMP/pids ]] || return 0
    awk '{ print $1, $2 }' "$RT_TMP/pids"
}

# rt_created_cgroups: tracked cgroup dirs that did not exist before rt_init
# (whether or not they still exist), deepest first.
rt_created_cgroups() {
    [[ -n $RT_TMP && -f $RT_TMP/cgroups.tracked ]] || return 0
    sort -u "$RT_TMP/cgroups.tracked" | { grep -vxF -f "$RT_TMP/cgroups.before" || true; } \
        | awk -F/ '{ print NF "\t" $0 }' | sort -k1,1nr -k2 | cut -f2-
    return 0
}

# rt_procs_mentioning DIR: pids whose command line contains DIR/, except this
# shell and its ancestors (pure bash: no helper process can match itself).
rt_procs_mentioning() {
    local c p q
    local -a a
    local -A skip=()
    q=$BASHPID
    while [[ $q =~ ^[1-9][0-9]*$ && $q != 1 && -z ${skip[$q]:-} ]]; do
        skip[$q]=1
        q=$(awk '/^PPid:/ { print $2 }' "/proc/$q/status" 2>/dev/null) || break
    done
    skip[$$]=1
    for c in /proc/[0-9]*/cmdline; do
        p=${c#/proc/}; p=${p%/cmdline}
        [[ -n ${skip[$p]:-} ]] && continue
        mapfile -d '' -t a 2>/dev/null <"$c" || continue
        [[ " ${a[*]} " == *"$1/"* ]] && printf '%s\n' "$p"
    done
    return 0
}

# Mount points under $RT_TMP, deepest first.
_rt_mounts_under() {
    awk -v p="$1/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo \
        | awk -F/ '{ print NF "\t" $0 }' | sort -k1,1nr | cut -f2-
}

_rt_cleanup_body() {
    local t=$RT_TMP rt ns id n p s d end left mnt c i
    local -a a
    [[ -n $t && -d $t && -f $t/.rt ]] || return 0
    # RT_TMP is exported so child processes can use the wrappers; only the
    # shell (or its subshells) that ran rt_init cleans up.
    [[ $(cat "$t/.rt" 2>/dev/null) == "$$" ]] || return 0

    # 1. Containers, through their runtimes (all state is private to $t).
    #    Every container any runtime knows is tracked first (also those made
    #    with the raw rt_docker/rt_podman/rt_ctr/rt_runc wrappers), so its
    #    processes and cgroup dirs are swept below even if removal fails.
    _rt_dbg "cleanup step 1"
    if _rt_daemon_pid dockerd >/dev/null; then
        _rt_docker_cmd
        for id in $(timeout 20 "${_RT_DOCKER[@]}" ps -aq --no-trunc 2>/dev/null); do
            _rt_track_container docker - "$id"
            timeout 20 "${_RT_DOCKER[@]}" rm -f "$id" >/dev/null 2>&1
        done
    fi
    if [[ -f $t/pm/containers.conf ]]; then
        _rt_podman_cmd
        _rt_track_rel /libpod_parent /libpod_parent/conmon
        for id in $(timeout 20 "${_RT_PODMAN[@]}" ps -aq --no-trunc 2>/dev/null); do
            _rt_track_container podman - "$id"
        done
        timeout 60 "${_RT_PODMAN[@]}" rm -a -f -t 0 >/dev/null 2>&1
    fi
    # The private containerds: docker's (namespace moby) matters when
    # dockerd itself is already gone; tests/cri/lib.sh's has the CRI plugin.
    for n in containerd:containerd.sock docker-containerd:dkctd.sock cri-containerd:cri.sock; do
        _rt_daemon_pid "${n%%:*}" >/dev/null || continue
        c=$t/${n#*:}
        for ns in $(ctr -a "$c" --timeout 10s namespaces ls -q 2>/dev/null); do
            for id in $(ctr -a "$c" --timeout 10s -n "$ns" containers ls -q 2>/dev/null); do
                _rt_track_container containerd "$ns" "$id"
                _rt_ctr_rm_quiet "$ns" "$id" "$c"
            done
        done
    done
    if [[ -d $t/runc/state ]]; then
        for id in $(timeout 10 runc --root "$t/runc/state" list -q 2>/dev/null); do
            _rt_track_container runc - "$id"
            timeout 20 runc --root "$t/runc/state" delete -f "$id" >/dev/null 2>&1
        done
    fi

    # 2. Daemons, newest first, by recorded pid.
    _rt_dbg "cleanup step 2"
    if [[ -f $t/pids ]]; then
        while read -r n p s; do
            _rt_kill_pid "$p" "$s" || _rt_err "rt_cleanup: could not stop $n (pid $p)"
        done < <(tac "$t/pids")
    fi

    # 3. Stragglers: processes still running in cgroups named after our
    #    containers, or whose command line names our temp dir (shims, conmon;
    #    their "-id ID" / "-c ID" names a container to sweep as well).
    _rt_dbg "cleanup step 3"
    for p in $(rt_procs_mentioning "$t"); do
        while read -r d; do _rt_track_dir "$d"; done < <(rt_pid_cgroups "$p" 2>/dev/null)
        mapfile -d '' -t a 2>/dev/null <"/proc/$p/cmdline" || continue
        ns=-
        for ((i = 0; i + 1 < ${#a[@]}; i++)); do
            [[ ${a[i]} == -namespace ]] && ns=${a[i + 1]}
        done
        for ((i = 0; i + 1 < ${#a[@]}; i++)); do
            [[ ${a[i]} == -id || ${a[i]} == -c ]] && _rt_track_container straggler "$ns" "${a[i + 1]}"
        done
    done
    while read -r rt ns id; do
        while read -r d; do
            [[ -f $d/cgroup.procs ]] || continue
            grep -qxF -- "$d" "$t/cgroups.before" && continue   # not one of ours
            while read -r p; do kill -KILL "$p" 2>/dev/null; done <"$d/cgroup.procs"
        done < <(rt_cgroup_dirs "$id" 2>/dev/null)
    done < <(cat "$t/containers" 2>/dev/null)
    for p in $(rt_procs_mentioning "$t"); do
        _rt_dbg "straggler pid $p"
        _rt_kill_pid "$p" "" 3 || _rt_err "rt_cleanup: could not kill pid $p"
    done

    # 4. Mounts left under the temp dir (overlay, netns, shm, ...).
    _rt_dbg "cleanup step 4"
    for _ in 1 2 3 4 5; do
        left=$(_rt_mounts_under "$t")
        [[ -z $left ]] && break
        while read -r mnt; do
            umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
        done <<<"$left"
    done
    left=$(_rt_mounts_under "$t")
    [[ -z $left ]] || _rt_err "rt_cleanup: still mounted: $(tr '\n' ' ' <<<"$left")"

    # 5. cgroup dirs our containers created (never ones that existed before
    #    rt_init; rmdir only removes empty cgroups).  Retry while tasks exit.
    _rt_dbg "cleanup step 5"
    end=$(($(_rt_now_ms) + 5000))
    while :; do
        left=
        while read -r d; do
            [[ -d $d ]] || continue
            rmdir "$d" 2>/dev/null || left+="$d "
        done < <(rt_created_cgroups)
        [[ -z $left ]] && break
        (($(_rt_now_ms) < end)) || { _rt_err "rt_cleanup: cgroup dirs not removed: $left"; break; }
        sleep 0.1
    done

    # 6. What the runtimes wrote on the host outside $t (only new entries).
    #    A task whose containerd died keeps its runc state in
    #    /run/containerd/runc/NS/ID unless it ran with our --runc-root.
    _rt_dbg "cleanup step 6"
    if [[ -f $t/host.before ]]; then
        while read -r rt ns id; do
            for d in /run/containerd/runc/*/"$id"; do
                [[ -d $d ]] && ! grep -qxF -- "$d" "$t/host.before" && rm -rf "$d"
            done
        done < <(cat "$t/containers" 2>/dev/null)
        for d in "${_RT_HOST_FILES[@]}"; do
            [[ -f $d ]] && ! grep -qxF -- "$d" "$t/host.before" && rm -f "$d"
        done
        for mnt in "${_RT_HOST_DIRS[@]}"; do
            [[ -d $mnt ]] || continue
            while read -r d; do
                grep -qxF -- "$d" "$t/host.before" || rmdir "$d" 2>/dev/null
            done < <(find "$mnt" -maxdepth 3 -depth -type d 2>/dev/null)   # depth as recorded
        done
    fi

    # 7. The temp dir (never crossing into a mount that is still there).
    _rt_dbg "cleanup step 7"
    rm -rf --one-file-system "$t" 2>/dev/null
    [[ ! -e $t ]] || _rt_err "rt_cleanup: could not remove $t"
}

# rt_cleanup: remove every container, stop every daemon (by pid), unmount,
# remove created cgroups and $RT_TMP.  Idempotent; safe from an EXIT trap.
rt_cleanup() {
    local errexit=
    [[ $- == *e* ]] && errexit=1
    set +e
    _rt_cleanup_body
    [[ -n $errexit ]] && set -e
    return 0
}
