#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Kernel end to end: cgtrack run tracks real cgroup directories of every
# layout, in cgroup v2 and in v1 (cpuset); removal marks dead at once and
# the sweep deletes after the expiry.
source "$(dirname "$0")/lib.sh"
t_init track

I=5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
J=84e9ffffe97fea4c5a0f01d401611cbafbf7e559fc6190ed74abfc2b25e889d4
P=26ab26cd-6409-443f-a13c-fd6c231207c8
PS=${P//-/_}
M1=5d2f0a9c-6e1b-4c47-9a0e-2f3b8c1d7e64	# Mesos container ids (UUIDs)
M2=a7e3c2b1-0f4d-4e8a-b6c5-9d2e1f3a4b50
A=f3b1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d	# a Nomad allocation id
F=34dc0b5e626f2c5c4c5170e34b10e765	# a Fargate task id
U=15aa6e53-b09a-40c7-8558-c6c31e36c88a	# a CRI container named by a UUID

# relative dir <TAB> runtime <TAB> id <TAB> root|sub <TAB> pod uid (- none)
LAYOUTS="docker/$I	docker	$I	root	-
docker/$I/sub	docker	$I	sub	-
system.slice/docker-$J.scope	docker	$J	root	-
system.slice/docker-$J.scope/init.scope	docker	$J	sub	-
sysd/system.slice:docker:$I	docker	$I	root	-
actions_job/$J	docker	$J	root	-
kp.slice/kubepods-besteffort-pod$PS.slice/docker-$I.scope	docker	$I	root	$P
kp.slice/kubepods-besteffort-pod$PS.slice/cri-containerd-$J.scope	containerd	$J	root	$P
cc/kubepods-burstable-pod$PS.slice:cri-containerd:$I	containerd	$I	root	$P
system.slice/nerdctl-$I.scope	containerd	$I	root	-
kubepods/besteffort/pod$P/$J	containerd	$J	root	$P
default/$I	containerd	$I	root	-
k8s.io/$J	containerd	$J	root	-
kubepods/burstable/pod$P/crio-$I	crio	$I	root	$P
kp.slice/kubepods-besteffort-pod$PS.slice/crio-$J.scope	crio	$J	root	$P
machine.slice/libpod-$I.scope	podman	$I	root	-
machine.slice/libpod-$I.scope/container	podman	$I	sub	-
libpod_parent/libpod-$J	podman	$J	root	-
ceph.service/libpod-payload-$I	podman	$I	root	-
garden/6c7d8e9f-a1b2-c3d4-e5f6-a7b8	garden	6c7d8e9f-a1b2-c3d4-e5f6-a7b8	root	-
lxc.payload.web01	lxc	web01	root	-
lxc.payload/web02	lxc	web02	root	-
lxc/web03	lxc	web03	root	-
machine.slice/machine-lxc\\x2d2293906\\x2dlibvirt\\x2dcontainer.scope	libvirt-lxc	lxc-2293906-libvirt-container	root	-
machine/web04.libvirt-lxc	libvirt-lxc	web04	root	-
ecs/8a28a84664034325be01ca46b33d1dd3/8a28a84664034325be01ca46b33d1dd3-4092616770	ecs	8a28a84664034325be01ca46b33d1dd3-4092616770	root	-
docker/buildkit/8vnh0ra0fgxs1vjmwkwikxjn5	buildkit	8vnh0ra0fgxs1vjmwkwikxjn5	root	-
system.slice/$I	unknown	$I	root	-
kubepods/besteffort/pod$P/kata_$I	kata	$I	root	$P
kubepods/besteffort/pod$P/$U	unknown	$U	root	$P
mesos/$M1	mesos	$M1	root	-
mesos/$M1/mesos	mesos	$M1	sub	-
mesos/$M1/mesos/$M2	mesos	$M2	root	-
mesos/$M1/kubepods	mesos	$M1	sub	-
mesos/$M1/kubepods/besteffort	mesos	$M1	sub	-
mesos/$M1/kubepods/besteffort/pod$P	mesos	$M1	sub	-
mesos/$M1/kubepods/besteffort/pod$P/$J	containerd	$J	root	$P
nomad.slice/share.slice/$A.web.scope	nomad	$A.web	root	-
nomad.slice/reserve.slice/$A.db.scope	nomad	$A.db	root	-
nomad/$A.api	nomad	$A.api	root	-
nomad/share/$A.api	nomad	$A.api	root	-
machine.slice/machine-web05.scope	nspawn	web05	root	-
machine.slice/machine-web05.scope/payload	nspawn	web05	sub	-
machine.slice/machine-my\\x2dweb.scope	nspawn	my-web	root	-
machine.slice/systemd-nspawn@web06.service	nspawn	web06	root	-
ecs/$F-1234567890	ecs	$F-1234567890	root	-"

# Never containers (checked absent).
NONE="kp.slice/kubepods-besteffort-pod$PS.slice/crio-conmon-$I.scope
machine.slice/libpod-conmon-$J.scope
libpod_parent/conmon
system.slice/docker-$I.scope.mount
system.slice/docker-${I:0:63}.scope
system.slice/cups.service
kubepods/besteffort/pod$P
init.scope
docker/${I}a
kata_overhead/$I
kubepods/besteffort/pod$P/kata_${I:0:63}
system.slice/kata_$I
kubepods/besteffort/$U
system.slice/$M1
mesos/not-a-uuid
nomad.slice/share.slice/$A.web
system.slice/share.slice/$A.web.scope
machine.slice/machine-qemu\\x2d1\\x2dvm.scope
machine.slice/machine-ch\\x2d2\\x2dvm.scope
machine.slice/machine-libpod_pod_$I.slice
machine/qemu-1-vm.libvirt-qemu
system.slice/machine-web07.scope
system.slice/container@web08.service
ecs/$F"

run_mode() {	# MODE HIER
	local mode=$1 hier=$2 rel runtime id root pod dir key e got want n rt
	t_daemon_start --cgroup-mode "$mode" --expiry 1 --no-enrich || {
		t_fail "$mode: daemon start" "see log"; return; }
	local -A keys=()
	while IFS=$'\t' read -r rel runtime id root pod; do
		dir=$(t_mkdir "$hier" "$rel")
		keys[$rel]=$(t_ino "$dir")
	done <<<"$LAYOUTS"
	while read -r rel; do t_mkdir "$hier" "$rel" >/dev/null; done <<<"$NONE"

	local list dump
	list=$(cgt list --json)
	dump=$(bpftool -j map dump pinned "$T_PIN/containers")
	n=0
	while IFS=$'\t' read -r rel runtime id root pod; do
		key=${keys[$rel]}
		e=$(jq -c --argjson k "$key" '.[] | select(.key == $k)' <<<"$list")
		[ "$pod" = - ] && pod=""
		want="$id $runtime $root $pod created true"
		got=$(jq -r '"\(.container_id) \(.runtime) \(if .root then "root" else "sub" end) \(.pod_uid) \(.state) \(.alive)"' <<<"${e:-null}" 2>/dev/null)
		[ "$got" == "$want" ] || { t_fail "$mode: $rel" "expected '$want', got '$got'"; n=$((n + 1)); continue; }
		# the same through bpftool: id string, enum names
		got=$(jq -r --argjson k "$key" '.[].formatted | select(.key == $k) | .value | "\(.container_id) \(.runtime) \(.state)"' <<<"$dump")
		rt=${runtime^^}
		want="$id CGTRACK_RT_${rt//-/_} CGTRACK_STATE_CREATED"
		[ "$got" == "$want" ] || { t_fail "$mode: bpftool $rel" "expected '$want', got '$got'"; n=$((n + 1)); }
	done <<<"$LAYOUTS"
	[ $n -eq 0 ] && t_ok "$mode: $(wc -l <<<"$LAYOUTS") container layouts: id, runtime, root, pod, CREATED (list and bpftool)"

	# nothing else was entered: exactly the container cgroups
	local want_keys got_keys base
	base=$(t_base "$hier")
	want_keys=$(printf '%s\n' "${keys[@]}" | sort -n | uniq | tr '\n' ' ')
	got_keys=$(jq -r --arg b "$(t_rel "$hier" "$base")" '.[] | select(.path | startswith($b + "/")) | .key' <<<"$list" | sort -n | tr '\n' ' ')
	t_eq "$mode: non-container directories have no entry" "$want_keys" "$got_keys"

	# rmdir: dead at once, gone after the expiry (1 s) and a sweep (1 s)
	dir=$base/default/$I
	key=$(t_ino "$dir")
	rmdir "$dir"
	t_eq "$mode: rmdir marks dead at once" "false" "$(t_field "$key" alive)"
	if t_wait_for "swept" 5 bash -c "[ \"\$($CGTRACK list --json --pin-dir $T_PIN | jq --argjson k $key 'map(select(.key == \$k)) | length')\" = 0 ]"; then
		t_ok "$mode: swept after the expiry"
	else
		t_fail "$mode: swept after the expiry" "entry $key still there: $(t_entry "$key")"
	fi
	t_daemon_stop
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null
	t_rm_cgroup_tree "$base"
}

run_mode v2 v2
run_mode v1 cpuset

# The pin directory is private; `parse` without --json is an aligned table.
t_daemon_start --cgroup-mode v2 --no-enrich || t_fail "pin dir: start" "see log"
t_eq "pin directory mode 0700" "700" "$(stat -c %a "$T_PIN")"
t_daemon_stop
out=$("$CGTRACK" parse "/docker/$I" "/system.slice/cron.service")
t_eq "parse table: a header and one row per path" "3" "$(wc -l <<<"$out")"
t_eq "parse table: the container row" "$I docker yes - /docker/$I" \
	"$(sed -n 2p <<<"$out" | tr -s ' ')"
t_eq "parse table: a non-container row" "- - no - /system.slice/cron.service" \
	"$(sed -n 3p <<<"$out" | tr -s ' ')"
t_eq "parse table: columns aligned (path starts at the same place)" "1" \
	"$(tail -n +2 <<<"$out" | awk '{ print index($0, "/") }' | sort -u | wc -l)"

# Ambiguous paths answered by a runtime: a bare id (unknown by its path)
# that docker answered for, and a pod-directory id (containerd by its
# path) whose info entry says "unknown" (no answer). list, get and find
# show the runtime that answered; path_runtime and info_runtime stay.
if command -v bpftool >/dev/null; then
	cgt load --cgroup-mode v2 --expiry 60m >/dev/null 2>&1 || t_fail "answered: load" "failed"
	K=$(printf 'answered-%s' "$$" | sha256sum | cut -c1-64)
	L=$(printf 'unanswered-%s' "$$" | sha256sum | cut -c1-64)
	dk=$(t_mkdir v2 "system.slice/$K")
	mkdir "$dk/sub"
	dl=$(t_mkdir v2 "kubepods/besteffort/pod$P/$L")
	t_write_info "$(t_ino "$dk")" 2 "web-$$" busybox "" "" >/dev/null
	t_write_info "$(t_ino "$dl")" 1 "" "" "" "" >/dev/null
	rts='"\(.runtime) \(.path_runtime) \(.info_runtime)"'
	t_eq "answered: list --json: runtime docker, path_runtime unknown, info_runtime docker" \
		"docker unknown docker" "$(t_entry "$(t_ino "$dk")" | jq -r "$rts")"
	t_eq "answered: its sub-cgroup too" \
		"docker unknown docker" "$(t_entry "$(t_ino "$dk/sub")" | jq -r "$rts")"
	t_eq "answered: get --json" "docker unknown docker" \
		"$(cgt get --json "$(t_ino "$dk")" | jq -r "$rts")"
	t_eq "answered: find --json (both cgroups)" "docker unknown docker,docker unknown docker" \
		"$(cgt find --json "${K:0:16}" | jq -r "[.[] | $rts] | join(\",\")")"
	t_eq "answered: the table's RUNTIME" "docker" \
		"$(cgt get "$(t_ino "$dk")" | tail -1 | awk '{ print $3 }')"
	t_eq "answered: list --runtime docker has it, --runtime unknown not" "2 0" \
		"$(cgt list --json --runtime docker | jq --arg k "$K" '[.[] | select(.container_id == $k)] | length') $(cgt list --json --runtime unknown | jq --arg k "$K" '[.[] | select(.container_id == $k)] | length')"
	t_eq "not answered (info runtime unknown): the path's runtime stays" \
		"containerd containerd unknown" "$(t_entry "$(t_ino "$dl")" | jq -r "$rts")"
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null
fi
