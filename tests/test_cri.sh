#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Kubernetes for real: pods through containerd's built-in CRI plugin, driven
# over its gRPC socket like a kubelet (tests/cri/: Debian's api.proto,
# python3-grpcio), cgroupfs driver, host network, a local pause-like sandbox
# image. For each QoS class, the kubelet's cgroup parent
# (/kubepods/pod<uid>, /kubepods/burstable/pod<uid>,
# /kubepods/besteffort/pod<uid>) is passed in the LinuxPodSandboxConfig;
# `cgtrack run` tracks one hierarchy (v2 = the unified one on this hybrid
# host, then v1 cpuset) and must show, through `cgtrack list --json`,
# `cgtrack get` and the pinned info map:
#  - the sandbox: tracked (root, containerd, its id, the pod UID from the
#    path), marked as a sandbox in info;
#  - each container: its id, the pod UID, CREATED then STARTED, name,
#    image, pod name, namespace and UID as containerd itself wrote them
#    into the task bundle (and as the CRI's status reports them);
#  - containers of one pod share the pod UID;
#  - a restart (same name, attempt 1, new id) is a new entry; the old one
#    is dead;
#  - after StopPodSandbox/RemovePodSandbox every entry is dead at once and
#    swept (with its info) after the expiry.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/runtimes/lib.sh"
source "$TESTS_DIR/cri/lib.sh"
t_init cri

if ! cri_install >"$T_TMP/install.log" 2>&1; then
	t_skip "CRI" "could not install containerd / python3-grpcio: $(tail -3 "$T_TMP/install.log" | tr '\n' ' ')"
	exit 0
fi
rt_init
trap 'cri_cleanup; rt_cleanup; t_cleanup' EXIT
if ! cri_start_containerd >"$T_TMP/start.log" 2>&1; then
	t_fail "containerd with its CRI plugin, sandbox image imported" \
		"$(tail -5 "$T_TMP/start.log" | tr '\n' ' ')"
	exit 1
fi
t_ok "containerd $(jq -r .runtime_version "$RT_TMP/cri/version") answers CRI $(jq -r .runtime_api_version "$RT_TMP/cri/version"); $CRI_PAUSE_IMAGE imported as the sandbox image"
BUNDLES=$RT_TMP/cri/state/io.containerd.runtime.v2.task/k8s.io

# The root entry of a container id, as JSON ("" if none).
entry_of() {
	cgt list --json | jq -c --arg id "$1" \
		'[.[] | select(.container_id == $id and .root)] | first // empty'
}
field_is() { [ "$(entry_of "$1" | jq -r ".$2")" = "$3" ]; }	# ID FIELD VALUE
gone() { [ -z "$(entry_of "$1")" ]; }
# The info map's own value for a key (the pod UID there is containerd's).
info_of() {
	bpftool -j map dump pinned "$T_PIN/info" |
		jq -c --argjson k "$1" '[.[] | select(.formatted.key == $k) | .formatted.value] | first // empty'
}
created_then_started() {	# ID: "+ containerd ID" then "started containerd ID"
	awk -v a="+ containerd $1 " -v b="started containerd $1 " 'index($0, a) == 1 { s = 1 }
		index($0, b) == 1 && s { ok = 1 } END { exit !ok }' "$T_TMP/daemon.out"
}
# the map says started and the daemon has printed both events (it may print
# the "started" line up to a collection period after the map changed)
started_and_said() { field_is "$1" state started && created_then_started "$1"; }
ann() { jq -r --arg k "$2" '.annotations[$k] // ""' "$BUNDLES/$1/config.json"; }	# ID KEY

# check_one MODE WHAT ID POD_UID SANDBOX(true|false) PARENT
check_one() {
	local m=$1 what=$2 id=$3 uid=$4 sb=$5 parent=$6 e got want key inf
	if ! t_wait_for "$id named" 3 field_is "$id" info_runtime containerd; then
		t_fail "$m: $what: named by containerd" "entry: $(entry_of "$id")"
		return
	fi
	e=$(entry_of "$id")
	# the cgroup: <hierarchy><parent>/<id>, its inode is the key
	key=$(t_ino "$(t_hier "$m")$parent/$id")
	KEYS+=("$key")
	t_eq "$m: $what: key, path, runtime, root, pod UID from the path" \
		"$key|$parent/$id|containerd|true|$uid" \
		"$(jq -r '"\(.key)|\(.path)|\(.runtime)|\(.root)|\(.pod_uid)"' <<<"$e")"
	if t_wait_for "started" 3 started_and_said "$id"; then
		t_ok "$m: $what: CREATED, then STARTED"
	else
		t_fail "$m: $what: CREATED, then STARTED" "state $(jq -r .state <<<"$e"); daemon said: $(grep -F "$id" "$T_TMP/daemon.out" | tr '\n' ' ')"
	fi
	# what containerd wrote in the task bundle, not what this test chose
	want="$(ann "$id" io.kubernetes.cri.container-name)|$(ann "$id" io.kubernetes.cri.image-name)|$(ann "$id" io.kubernetes.cri.sandbox-name)|$(ann "$id" io.kubernetes.cri.sandbox-namespace)|$sb"
	got=$(jq -r '"\(.name)|\(.image)|\(.pod_name)|\(.pod_namespace)|\(.sandbox)"' <<<"$e")
	t_eq "$m: $what: name|image|pod|namespace|sandbox as containerd wrote them" "$want" "$got"
	inf=$(info_of "$key")
	t_eq "$m: $what: info's pod UID is containerd's sandbox-uid" \
		"$(ann "$id" io.kubernetes.cri.sandbox-uid)" "$(jq -r '.pod_uid' <<<"$inf")"
	got=$(cgt get --json "$(jq -r .cgroup_id <<<"$e")" 2>&1)
	t_eq "$m: $what: cgtrack get (64-bit id) finds the same container" "$id" \
		"$(jq -r '.container_id' <<<"$got" 2>/dev/null || echo "$got")"
}

# the CRI's own view of a container: name|image|pod name|namespace|uid
cri_view() {
	local s p
	s=$(cri status "$1") || return 1
	p=$(cri podstatus "$(jq -r '.info.info.sandboxID // empty' <<<"$s")") || return 1
	echo "$(jq -r '.metadata.name' <<<"$s")|$(jq -r '.image.image' <<<"$s")|$(jq -r '"\(.metadata.name)|\(.metadata.namespace)|\(.metadata.uid)"' <<<"$p")"
}

run_mode() {	# MODE
	local m=$1 qos parent uid pod a b a2 id e pa pb
	local -a all=()
	KEYS=()
	local -a mode=(--cgroup-mode "$m")
	[ "$m" = v2 ] || mode=(--cgroup-mode v1 --v1-controller "$m")
	t_daemon_start "${mode[@]}" --expiry 1 \
		--runtime "containerd-state:$RT_TMP/cri/state" ||
		{ t_fail "$m: daemon start" "see log"; return; }
	for qos in guaranteed burstable besteffort; do
		uid=$(cat /proc/sys/kernel/random/uuid)
		case $qos in
		guaranteed) parent=/kubepods/pod$uid ;;
		*) parent=/kubepods/$qos/pod$uid ;;
		esac
		cri_track_pod "$parent"
		if ! pod=$(cri runp --name "web-$qos-$m" --namespace "shop-$qos" --uid "$uid" \
			--cgroup-parent "$parent" 2>"$T_TMP/cri.err"); then
			t_fail "$m: $qos: RunPodSandbox" "$(cat "$T_TMP/cri.err")"
			continue
		fi
		a=$(cri create "$pod" --name app --image "$CRI_IMAGE" 2>"$T_TMP/cri.err") &&
			cri start "$a" 2>>"$T_TMP/cri.err" &&
			b=$(cri create "$pod" --name sidecar --image "$CRI_IMAGE" 2>>"$T_TMP/cri.err") &&
			cri start "$b" 2>>"$T_TMP/cri.err" ||
			{ t_fail "$m: $qos: CreateContainer/StartContainer" "$(cat "$T_TMP/cri.err")"; continue; }
		all+=("$pod" "$a" "$b")
		check_one "$m" "$qos: sandbox" "$pod" "$uid" true "$parent"
		check_one "$m" "$qos: container app" "$a" "$uid" false "$parent"
		check_one "$m" "$qos: container sidecar" "$b" "$uid" false "$parent"
		t_eq "$m: $qos: the CRI reports the same names (status, podstatus)" \
			"app|$CRI_IMAGE|web-$qos-$m|shop-$qos|$uid" "$(cri_view "$a")"
		t_eq "$m: $qos: containerd's annotations name the pod and the sandbox id" \
			"web-$qos-$m|shop-$qos|$uid|$pod" \
			"$(ann "$a" io.kubernetes.cri.sandbox-name)|$(ann "$a" io.kubernetes.cri.sandbox-namespace)|$(ann "$a" io.kubernetes.cri.sandbox-uid)|$(ann "$a" io.kubernetes.cri.sandbox-id)"
		pa=$(entry_of "$a" | jq -r .pod_uid)
		pb=$(entry_of "$b" | jq -r .pod_uid)
		t_eq "$m: $qos: the pod's containers and sandbox share the pod UID" \
			"$uid $uid $uid" "$pa $pb $(entry_of "$pod" | jq -r .pod_uid)"

		# a restart, as the kubelet does it: stop, create the same name
		# with attempt 1 (a new id), start
		if cri stop "$a" 2>"$T_TMP/cri.err" &&
			a2=$(cri create "$pod" --name app --attempt 1 --image "$CRI_IMAGE" 2>>"$T_TMP/cri.err") &&
			cri start "$a2" 2>>"$T_TMP/cri.err"; then
			all+=("$a2")
			t_true "$m: $qos: restart: a new id" test "$a2" != "$a"
			check_one "$m" "$qos: restarted app (attempt 1)" "$a2" "$uid" false "$parent"
			if t_wait_for "old dead" 3 field_is "$a" alive false || gone "$a"; then
				t_ok "$m: $qos: restart: the old container's entry is dead, a separate entry"
			else
				t_fail "$m: $qos: restart: old entry dead" "$(entry_of "$a")"
			fi
		else
			t_fail "$m: $qos: restart" "$(cat "$T_TMP/cri.err")"
		fi

		# teardown, as the kubelet does it
		if cri stop "$b" && cri stopp "$pod" && cri rmp "$pod"; then
			for id in "$pod" "$b" "${a2:-}"; do
				[ -n "$id" ] || continue
				e=$(entry_of "$id")
				[ -z "$e" ] || [ "$(jq -r .alive <<<"$e")" = false ] ||
					t_wait_for "dead" 2 field_is "$id" alive false ||
					t_fail "$m: $qos: dead after RemovePodSandbox" "$e"
			done
			t_ok "$m: $qos: StopPodSandbox, RemovePodSandbox: entries dead"
		else
			t_fail "$m: $qos: teardown" "StopContainer/StopPodSandbox/RemovePodSandbox failed"
		fi
	done
	# swept after the expiry (1 s), info entries with them
	local left=0 k
	sleep 2.5
	for id in "${all[@]}"; do
		t_wait_for "swept" 3 gone "$id" || { left=$((left + 1)); echo "# not swept: $(entry_of "$id")" >&2; }
	done
	t_eq "$m: all ${#all[@]} entries (sandboxes, containers, restarts) swept" 0 "$left"
	local ik
	ik=$(bpftool -j map dump pinned "$T_PIN/info" | jq -c '[.[].formatted.key]')
	t_eq "$m: their info entries are deleted with them" 0 \
		"$(jq --argjson mine "$(printf '%s\n' "${KEYS[@]}" | jq -sc .)" \
			'[.[] | select(. as $k | $mine | index($k))] | length' <<<"$ik")"
	t_daemon_stop
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null 2>&1
}

# CRI_MODES: which hierarchies (default both)
for m in ${CRI_MODES:-v2 cpuset}; do
	run_mode "$m"
done
