#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Real container runtimes end to end (tests/runtimes/lib.sh: runc, containerd
# through ctr in namespaces default and k8s.io, docker, podman), in cgroup v2
# and in v1 (cpuset), with `cgtrack run` tracking and enriching:
#  - containers started before `cgtrack run` are EXISTED and get names too;
#  - a new container is CREATED, then STARTED once its process runs (runc
#    create/start shows CREATED held until start);
#  - id, runtime (what the path says), root flag; name, image and pod from
#    the runtime (Kubernetes labels on docker/podman, CRI annotations in
#    containerd's bundle), sandbox flag, and the answering runtime when the
#    path could not tell it;
#  - stop and remove mark dead at once; the sweep deletes the entry and its
#    info after the expiry.
# One set of runtime daemons for both modes.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/runtimes/lib.sh"
t_init rttrack

if ! rt_install >"$T_TMP/install.log" 2>&1; then
	t_skip "real runtimes" "could not install them: $(tail -3 "$T_TMP/install.log" | tr '\n' ' ')"
	exit 0
fi
rt_init
trap 'rt_cleanup; t_cleanup' EXIT
if ! { rt_start_containerd && rt_start_dockerd && rt_start_podman_service; } \
	>"$T_TMP/start.log" 2>&1; then
	t_fail "runtime daemons start" "$(tail -5 "$T_TMP/start.log" | tr '\n' ' ')"
	exit 1
fi

ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
# The root entry of a container id, as JSON ("" if none).
entry_of() {
	cgt list --json | jq -c --arg id "$1" \
		'[.[] | select(.container_id == $id and .root)] | first // empty'
}
state_is() { [ "$(entry_of "$1" | jq -r '.state')" = "$2" ]; }	# ID STATE
alive_is() { [ "$(entry_of "$1" | jq -r '.alive')" = "$2" ]; }	# ID true|false
named_by() { [ "$(entry_of "$1" | jq -r '.info_runtime')" = "$2" ]; }	# ID RUNTIME
gone() { [ -z "$(entry_of "$1")" ]; }
# "+ RT ID" (added: CREATED) and later "started RT ID" in the daemon's output.
created_then_started() {
	awk -v a="+ $1 $2 " -v b="started $1 $2 " 'index($0, a) == 1 { s = 1 }
		index($0, b) == 1 && s { ok = 1 } END { exit !ok }' "$T_TMP/daemon.out"
}
info_keys() { bpftool -j map dump pinned "$T_PIN/info" | jq -c '[.[].formatted.key]'; }
info_has() { info_keys | jq -e --argjson k "$1" 'index($k) != null' >/dev/null; }

# runtime|root|state|info_runtime|name|image|pod namespace/name|pod uid|sandbox
FIELDS='"\(.runtime)|\(.root)|\(.state)|\(.info_runtime)|\(.name)|\(.image)|\(.pod_namespace)/\(.pod_name)|\(.pod_uid)|\(.sandbox)"'
check_entry() {	# MODE WHAT ID EXPECTED
	local got
	got=$(entry_of "$3" | jq -r "$FIELDS")
	t_eq "$1: $2" "$4" "$got"
}

# runc create without start: the container's cgroup exists, its process
# waits in runc init (no exec yet).
runc_create() {	# ID
	local b=$RT_TMP/runc/bundles/$1
	mkdir -p "$b"
	runc spec --bundle "$b" &&
	jq --arg root "$(rt_rootfs)" '.root = {path: $root, readonly: true}
		| .process.terminal = false | .process.args = ["/bin/sleep", "3600"]' \
		"$b/config.json" >"$b/c.json" && mv "$b/c.json" "$b/config.json" &&
	rt_runc create --bundle "$b" --pid-file "$b/pid" "$1" </dev/null >"$b/log" 2>&1
}

removed_line() { grep -q "^- $1 $2 " "$T_TMP/daemon.out"; }	# RT ID
dead_or_swept() { alive_is "$1" false || gone "$1"; }
stop_check() {	# MODE RT STOP_FUNCTION [ARGS... ID]
	local m=$1 rt=$2 id=${*: -1}
	shift 2
	if ! "$@"; then
		t_fail "$m: $rt: stop" "$* failed"
	elif t_wait_for "removed" 3 removed_line "$rt" "$id" && dead_or_swept "$id"; then
		t_ok "$m: $rt: stop marks dead"
	else
		t_fail "$m: $rt: stop marks dead" "entry: $(entry_of "$id")"
	fi
}

run_mode() {	# MODE
	local m=$1 t0 id k
	local -A ids=() uid=()
	uid[pre]=$(cat /proc/sys/kernel/random/uuid)
	uid[live]=$(cat /proc/sys/kernel/random/uuid)
	k8s_labels() {	# POD_NS POD NAME UID
		echo --label "io.kubernetes.pod.namespace=$1" --label "io.kubernetes.pod.name=$2" \
			--label "io.kubernetes.container.name=$3" --label "io.kubernetes.pod.uid=$4"
	}

	# Before tracking starts.
	t0=$(ms)
	ids[pre_docker]=$(rt_docker_run "cgt-pre-d-$m" $(k8s_labels shop web-0 nginx "${uid[pre]}"))
	ids[pre_podman]=$(rt_podman_run "cgt-pre-p-$m")
	ids[pre_ctr]=$(rt_ctr_run default "$(rt_new_id)")
	ids[pre_k8s]=$(rt_ctr_run_k8s "$(rt_new_id)" shop web-1 app \
		--annotation "io.kubernetes.cri.sandbox-uid=${uid[pre]}")
	ids[pre_runc]=$(rt_runc_run "$(rt_new_id)")
	for k in "${!ids[@]}"; do
		[ -n "${ids[$k]}" ] || { t_fail "$m: start $k" "no id"; return; }
	done
	echo "# $m: 5 containers started before tracking in $(($(ms) - t0)) ms"

	t_daemon_start --cgroup-mode "$m" --expiry 1 \
		--runtime "docker:$RT_TMP/docker.sock" --runtime "podman:$RT_TMP/podman.sock" \
		--runtime "containerd-state:$RT_TMP/ctd/state" ||
		{ t_fail "$m: daemon start" "see log"; return; }

	local -A rt=([pre_docker]=docker [pre_podman]=podman [pre_ctr]=containerd
		     [pre_k8s]=containerd [docker]=docker [docker_u]=unknown [podman]=podman
		     [ctr]=containerd [k8s]=containerd [runc]=unknown [pre_runc]=unknown)
	for k in pre_docker pre_podman pre_ctr pre_k8s; do
		t_wait_for "$k named" 5 named_by "${ids[$k]}" "${rt[$k]}" || true
	done
	local P=local/busybox:test PP=localhost/busybox:test K=docker.io/library/busybox:test
	check_entry "$m" "docker, before: EXISTED, k8s labels" "${ids[pre_docker]}" \
		"docker|true|existed|docker|nginx|$P|shop/web-0|${uid[pre]}|false"
	check_entry "$m" "podman, before: EXISTED, named" "${ids[pre_podman]}" \
		"podman|true|existed|podman|cgt-pre-p-$m|$PP|/||false"
	check_entry "$m" "ctr default, before: EXISTED, containerd knows it" "${ids[pre_ctr]}" \
		"containerd|true|existed|containerd|||/||false"
	check_entry "$m" "ctr k8s.io, before: EXISTED, CRI annotations" "${ids[pre_k8s]}" \
		"containerd|true|existed|containerd|app|$K|shop/web-1|${uid[pre]}|false"
	check_entry "$m" "runc /<id>, before: EXISTED, unknown (a bare id), nobody knows it" \
		"${ids[pre_runc]}" "unknown|true|existed||||/||false"

	# While tracking: CREATED, then STARTED.
	t0=$(ms)
	ids[docker]=$(rt_docker_run "cgt-d-$m" $(k8s_labels shop web-2 POD "${uid[live]}") \
		--label io.kubernetes.docker.type=podsandbox)
	ids[docker_u]=$(rt_docker_run "cgt-u-$m" --cgroup-parent "/cgt-rt-$$.slice")
	ids[podman]=$(rt_podman_run "cgt-p-$m" $(k8s_labels shop web-3 redis "${uid[live]}"))
	ids[ctr]=$(rt_ctr_run default "$(rt_new_id)")
	ids[k8s]=$(rt_ctr_run_k8s "$(rt_new_id)" kube-system coredns-0 coredns \
		--annotation "io.kubernetes.cri.sandbox-uid=${uid[live]}" \
		--annotation io.kubernetes.cri.container-type=sandbox)
	echo "# $m: 5 containers started while tracking in $(($(ms) - t0)) ms"
	ids[runc]=$(rt_new_id)
	if runc_create "${ids[runc]}" && t_wait_for "runc created" 3 state_is "${ids[runc]}" created; then
		sleep 0.3
		t_eq "$m: runc create: CREATED while runc init waits" created \
			"$(entry_of "${ids[runc]}" | jq -r .state)"
		rt_runc start "${ids[runc]}"
	else
		t_fail "$m: runc create" "$(cat "$RT_TMP/runc/bundles/${ids[runc]}/log" 2>/dev/null) $(entry_of "${ids[runc]}")"
	fi
	for k in docker docker_u podman ctr k8s runc; do
		id=${ids[$k]}
		# the daemon prints what the ring buffer tells it, within a second
		if t_wait_for "$k started" 5 state_is "$id" started &&
		   t_wait_for "$k lines" 3 created_then_started "${rt[$k]}" "$id"; then
			t_ok "$m: $k: CREATED, then STARTED when its process ran"
		else
			t_fail "$m: $k: CREATED, then STARTED" "entry $(entry_of "$id"); output: $(grep "$id" "$T_TMP/daemon.out" | tr '\n' ' ')"
		fi
	done
	for k in docker docker_u podman ctr k8s; do
		t_wait_for "$k named" 5 named_by "${ids[$k]}" "${rt[$k]/unknown/docker}" || true
	done
	check_entry "$m" "docker sandbox (dockershim labels)" "${ids[docker]}" \
		"docker|true|started|docker|POD|$P|shop/web-2|${uid[live]}|true"
	check_entry "$m" "docker in /cgt-rt.slice: path says unknown, docker answers (the runtime shown)" \
		"${ids[docker_u]}" "docker|true|started|docker|cgt-u-$m|$P|/||false"
	t_eq "$m: and the path's runtime stays visible" unknown \
		"$(entry_of "${ids[docker_u]}" | jq -r .path_runtime)"
	check_entry "$m" "podman with k8s labels" "${ids[podman]}" \
		"podman|true|started|podman|redis|$PP|shop/web-3|${uid[live]}|false"
	check_entry "$m" "ctr default" "${ids[ctr]}" "containerd|true|started|containerd|||/||false"
	check_entry "$m" "ctr k8s.io sandbox" "${ids[k8s]}" \
		"containerd|true|started|containerd|coredns|$K|kube-system/coredns-0|${uid[live]}|true"
	check_entry "$m" "runc create/start: unknown" "${ids[runc]}" "unknown|true|started||||/||false"

	# Stop marks dead at once (the daemon prints "- RT ID"; the entry is dead,
	# or already swept if the stop took longer than the expiry); runc's
	# cgroup stays until delete.
	local -A keys=()
	for k in "${!ids[@]}"; do keys[$k]=$(entry_of "${ids[$k]}" | jq -r .key); done
	t0=$(ms)
	stop_check "$m" docker rt_docker_stop "${ids[docker]}"
	stop_check "$m" podman rt_podman_stop "${ids[podman]}"
	stop_check "$m" containerd rt_ctr_stop default "${ids[ctr]}"
	rt_runc_stop "${ids[runc]}" || t_fail "$m: runc stop" "failed"
	t_eq "$m: runc: stopped, not deleted: its cgroup and entry stay" true \
		"$(entry_of "${ids[runc]}" | jq -r .alive)"
	rt_docker_rm "${ids[docker]}"; rt_docker_rm "${ids[docker_u]}"; rt_docker_rm "${ids[pre_docker]}"
	rt_podman_rm "${ids[podman]}"; rt_podman_rm "${ids[pre_podman]}"
	rt_ctr_rm default "${ids[ctr]}"; rt_ctr_rm default "${ids[pre_ctr]}"
	rt_ctr_rm k8s.io "${ids[k8s]}"; rt_ctr_rm k8s.io "${ids[pre_k8s]}"
	rt_runc_rm "${ids[runc]}"; rt_runc_rm "${ids[pre_runc]}"
	echo "# $m: 11 containers stopped/removed in $(($(ms) - t0)) ms"
	local bad=""
	for k in "${!ids[@]}"; do
		t_wait_for "$k removed" 3 removed_line "${rt[$k]}" "${ids[$k]}" || bad+="$k "
	done
	t_eq "$m: remove marks the other 8 dead too (\"- RT ID\" from the daemon)" "" "$bad"
	bad=""
	for k in "${!ids[@]}"; do
		t_wait_for "$k gone" 5 gone "${ids[$k]}" || bad+="$k "
	done
	t_eq "$m: all 11 entries swept after the expiry" "" "$bad"
	bad=""
	for k in "${!keys[@]}"; do
		[ -n "${keys[$k]}" ] && [ "${keys[$k]}" != null ] && info_has "${keys[$k]}" && bad+="$k "
	done
	t_eq "$m: their info entries deleted with them" "" "$bad"
	t_daemon_stop
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null
}

run_mode v2
run_mode v1
