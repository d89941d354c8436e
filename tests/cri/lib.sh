# shellcheck shell=bash
# tests/cri/lib.sh - containerd's built-in CRI plugin, driven like a kubelet
# (tests/cri/cri.py over its gRPC socket), on top of tests/runtimes/lib.sh:
# a PRIVATE containerd (config, root, state, socket under $RT_TMP/cri) with
# the CRI plugin on, host-network pods only (no CNI), and a local
# pause-like sandbox image built from the busybox rootfs and imported with
# `ctr -n k8s.io images import` (no registry).
#
#   source tests/runtimes/lib.sh; source tests/cri/lib.sh
#   cri_install; rt_init; trap 'cri_cleanup; rt_cleanup' EXIT
#   cri_start_containerd
#   pod=$(cri runp --name web --namespace ns --uid "$uid" --cgroup-parent /kubepods/pod$uid)
#   id=$(cri create "$pod" --name app --image "$CRI_IMAGE"); cri start "$id"
#
# The CRI API's Python code is compiled from Debian's api.proto into
# $CRI_API_CACHE (default build/cri-api, kept between runs).

[[ -n ${_CRI_LIB_SOURCED:-} ]] && return 0
_CRI_LIB_SOURCED=1

_CRI_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CRI_API_CACHE:=$_CRI_DIR/../../build/cri-api}"
: "${CRI_PAUSE_IMAGE:=docker.io/local/pause:test}"
: "${CRI_IMAGE:=docker.io/local/busybox:test}"
CRI_PY=/usr/bin/python3		# Debian's python, where python3-grpcio lives
CRI_PKGS=(python3-grpcio python3-grpc-tools)

_cri_err() { printf 'cri: %s\n' "$*" >&2; }

# cri_install: what rt_install installs, and the gRPC packages.
cri_install() {
    local p
    for p in "${CRI_PKGS[@]}"; do
        [[ " ${RT_PKGS[*]} " == *" $p "* ]] || RT_PKGS+=("$p")
    done
    rt_install || return 1
    "$CRI_PY" -c 'import grpc, grpc_tools' 2>/dev/null ||
        { _cri_err "cri_install: $CRI_PY cannot import grpc/grpc_tools"; return 1; }
}

# cri_api: compile Debian's api.proto (fetching it once) into the cache.
cri_api() {
    mkdir -p "$CRI_API_CACHE" || return 1
    CRI_API_CACHE=$(cd "$CRI_API_CACHE" && pwd)
    export CRI_API_CACHE
    "$CRI_PY" -c "import sys; sys.path.insert(0, '$_CRI_DIR'); import cri; cri.load_api('$CRI_API_CACHE')" \
        >"$RT_TMP/cri/api.log" 2>&1 ||
        { _cri_err "cri_api: cannot build the CRI client: $(tail -3 "$RT_TMP/cri/api.log")"; return 1; }
}

# cri ARGS...: the CRI client on our socket.
cri() {
    "$CRI_PY" "$_CRI_DIR/cri.py" --sock "$RT_TMP/cri.sock" --cache "$CRI_API_CACHE" \
        --state "$RT_TMP/cri/client" "$@"
}

_cri_conf() {	# DIR SOCK
    cat <<CONF
version = 2
root = "$1/root"
state = "$1/state"
temp = "$1/tmp"

[grpc]
  address = "$2"

[ttrpc]
  address = "$2.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$1/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$CRI_PAUSE_IMAGE"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  # root without CAP_SYS_RESOURCE cannot lower oom_score_adj (sandboxes get -998)
  restrict_oom_score_adj = true
  disable_cgroup = false
  tolerate_missing_hugetlb_controller = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$1/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$1/cni/bin"
    conf_dir = "$1/cni/conf"
CONF
}

# cri_images: build the sandbox (pause-like) and container images from the
# busybox rootfs and import both into namespace k8s.io. A failed import is
# an error (the caller's cleanup stops containerd).
cri_images() {
    local root d=$RT_TMP/cri out
    root=$(rt_rootfs) || return 1
    "$CRI_PY" "$_CRI_DIR/mkimage.py" "$root" "$d/pause.tar" "$CRI_PAUSE_IMAGE" \
        --entrypoint '["/bin/sleep"]' --cmd '["2147483647"]' ||
        { _cri_err "cri_images: building $CRI_PAUSE_IMAGE failed"; return 1; }
    "$CRI_PY" "$_CRI_DIR/mkimage.py" "$root" "$d/busybox.tar" "$CRI_IMAGE" \
        --cmd '["sh"]' --label org.example.test=cgtrack ||
        { _cri_err "cri_images: building $CRI_IMAGE failed"; return 1; }
    for out in pause busybox; do
        if ! ctr -a "$RT_TMP/cri.sock" --timeout 60s -n k8s.io images import \
            "$d/$out.tar" >"$d/import-$out.log" 2>&1; then
            _cri_err "cri_images: ctr -n k8s.io images import $d/$out.tar failed: $(tail -3 "$d/import-$out.log")"
            return 1
        fi
    done
    ctr -a "$RT_TMP/cri.sock" -n k8s.io images ls -q | grep -qxF "$CRI_PAUSE_IMAGE" ||
        { _cri_err "cri_images: $CRI_PAUSE_IMAGE is not listed after the import"; return 1; }
}

# cri_start_containerd: private containerd with the CRI plugin, images in.
cri_start_containerd() {
    local d pid
    _rt_need_init || return 1
    d=$RT_TMP/cri
    mkdir -p "$d"/{tmp,runc,cni/bin,cni/conf,client}
    if ! _rt_daemon_pid cri-containerd >/dev/null; then
        command -v containerd >/dev/null || { _cri_err "containerd not installed (cri_install)"; return 1; }
        _cri_conf "$d" "$RT_TMP/cri.sock" >"$d/config.toml"
        _rt_spawn cri-containerd "$d/log" containerd --config "$d/config.toml"
        pid=$_RT_SPAWNED
        _rt_wait_ready cri-containerd "$pid" "$d/log" ctr -a "$RT_TMP/cri.sock" version || return 1
    fi
    cri_api || return 1
    # the CRI plugin may start a moment after the socket answers
    local i
    for i in $(seq 1 100); do
        cri version >/dev/null 2>&1 && break
        sleep 0.1
    done
    cri version >"$d/version" 2>"$d/version.err" ||
        { _cri_err "cri_start_containerd: the CRI plugin does not answer: $(cat "$d/version.err"; tail -5 "$d/log")"; return 1; }
    cri_images
}

# cri_track_pod CGROUP_PARENT: the pod cgroup dirs runc will make, for
# rt_cleanup (it removes only dirs that did not exist before rt_init).
cri_track_pod() { _rt_track_rel "$1"; }

# cri_cleanup: stop and remove every pod sandbox (and its containers)
# through the CRI, before rt_cleanup stops containerd by pid and sweeps.
cri_cleanup() {
    local p ids
    [[ -n ${RT_TMP:-} && -S $RT_TMP/cri.sock ]] || return 0
    _rt_daemon_pid cri-containerd >/dev/null || return 0
    ids=$(cri --timeout 20 pods 2>/dev/null | jq -r '.[].id' 2>/dev/null) || ids=
    for p in $ids; do
        _rt_track_container containerd k8s.io "$p"
        cri --timeout 20 stopp "$p" >/dev/null 2>&1
        cri --timeout 20 rmp "$p" >/dev/null 2>&1
    done
    return 0
}
