#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Names in the kernel at the container cgroup's mkdir (issue 14): the daemon
# watches the runtimes' records (docker's config.v2.json, podman's
# containers.json, containerd's bundle) and puts each new container's names
# in the pinned `pending` map before its cgroup exists; the mkdir program
# moves them into `info`. With real docker, podman and containerd (ctr,
# CRI annotations), 3 containers each:
#  - the info entry's updated_ns equals the entry's created_ns: written in
#    the mkdir itself, by the kernel, not later by the daemon;
#  - its name, image (and pod) are the record's;
#  - the pending entry is gone (moved, not copied), and the kernel counted
#    each one (named_at_mkdir);
#  - without the daemon's watch (--no-enrich) nothing is named at mkdir.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/runtimes/lib.sh"
t_init atmkdir

if ! rt_install >"$T_TMP/install.log" 2>&1; then
	t_skip "real runtimes" "could not install them: $(tail -3 "$T_TMP/install.log" | tr '\n' ' ')"
	exit 0
fi
rt_init
trap 'rt_cleanup; t_cleanup' EXIT
if ! { rt_start_containerd && rt_start_dockerd; } >"$T_TMP/start.log" 2>&1; then
	t_fail "runtime daemons start" "$(tail -5 "$T_TMP/start.log" | tr '\n' ' ')"
	exit 1
fi
{ rt_docker_import && rt_podman_import; } >"$T_TMP/import.log" 2>&1 ||
	{ t_fail "image import" "$(tail -3 "$T_TMP/import.log")"; exit 1; }
GRAPH=$(rt_podman info --format '{{.Store.GraphRoot}}')

entry_of() {	# ID: its own cgroup's entry
	cgt list --json | jq -c --arg id "$1" \
		'[.[] | select(.container_id == $id and .root)] | first // empty'
}
raw() {	# MAP KEY FIELD: a raw field of a pinned map's value
	bpftool -j map lookup pinned "$T_PIN/$1" key $(printf '0x%02x 0x%02x 0x%02x 0x%02x' \
		$(($2 & 255)) $(($2 >> 8 & 255)) $(($2 >> 16 & 255)) $(($2 >> 24 & 255))) 2>/dev/null |
		jq -r ".formatted.value.$3"
}
STAT_NAMED_AT_MKDIR=12	# enum cgtrack_stat
at_mkdir() {
	bpftool -j map lookup pinned "$T_PIN/stats" key "$STAT_NAMED_AT_MKDIR" 0 0 0 |
		jq '[.formatted.values[].value] | add'
}
pending_n() { bpftool -j map dump pinned "$T_PIN/pending" | jq length; }

ARGS=(--runtime "docker:$RT_TMP/docker.sock" --runtime "docker-root:$RT_TMP/dk/data"
	--runtime "podman:$T_TMP/no-podman.sock" --runtime "podman-root:$GRAPH"
	--runtime "containerd-state:$RT_TMP/ctd/state")

# check RUNTIME ID NAME IMAGE: named in the mkdir, from the record
check() {
	local rt=$1 id=$2 name=$3 image=$4 e k
	e=$(entry_of "$id")
	[ -n "$e" ] || { t_fail "$rt $name: tracked" "no entry"; return; }
	k=$(jq -r .key <<<"$e")
	t_eq "$rt $name: info written at the mkdir (updated_ns == created_ns)" \
		"$(raw containers "$k" created_ns)" "$(raw info "$k" updated_ns)"
	t_eq "$rt $name: name and image from its record" "$name|$image|$rt" \
		"$(jq -r '"\(.name)|\(.image)|\(.info_runtime)"' <<<"$e")"
}

t_daemon_start --cgroup-mode v2 --expiry 1 "${ARGS[@]}" ||
	{ t_fail "daemon start" "see log"; exit 1; }
n0=$(at_mkdir)
sleep 0.5	# the watches are set up by the daemon's prefetch thread
ids=()
for i in 1 2 3; do
	id=$(rt_docker_run "mk-d$i") && check docker "$id" "mk-d$i" local/busybox:test
	id=$(rt_podman_run "mk-p$i") && check podman "$id" "mk-p$i" localhost/busybox:test
	id=$(rt_ctr_run_k8s "$(rt_new_id)" shop "web-$i" "app$i") &&
		check containerd "$id" "app$i" docker.io/library/busybox:test
done
t_eq "the kernel counted 9 named at mkdir" 9 $(($(at_mkdir) - n0))
t_eq "the pending entries were moved, none left" 0 "$(pending_n)"
t_true "status shows the counter" sh -c "'$CGTRACK' status --pin-dir '$T_PIN' | grep -q named_at_mkdir"
t_daemon_stop

# without enrichment nobody watches the records: named later or never
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich ||
	{ t_fail "daemon start (--no-enrich)" "see log"; exit 1; }
n0=$(at_mkdir)
id=$(rt_docker_run "mk-none")
t_eq "--no-enrich: nothing named at mkdir" "0|" \
	"$(($(at_mkdir) - n0))|$(entry_of "$id" | jq -r .name)"
t_daemon_stop
