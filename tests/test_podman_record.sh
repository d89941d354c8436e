#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# podman's containers are named from its own record before its API could
# answer (issue 14): real podman, no API service at all, and cgtrack given
# only podman's graph root (--runtime podman-root:DIR). The record is
# containers/storage's <root>/overlay-containers/containers.json, written
# by `podman create`, before the container's cgroup exists:
#  - a container podman runs is named, with its image, by podman (info);
#  - the name was in the info map within 200 ms of the cgroup's mkdir
#    (kernel times), for each of 3 in a row;
#  - a record replaced by a symlink to a look-alike is not followed (the
#    container stays unnamed) and does not hold up the daemon.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/runtimes/lib.sh"
t_init pmrecord

if ! rt_install >"$T_TMP/install.log" 2>&1; then
	t_skip "real podman" "could not install it: $(tail -3 "$T_TMP/install.log" | tr '\n' ' ')"
	exit 0
fi
rt_init
trap 'rt_cleanup; t_cleanup' EXIT
rt_podman_import >"$T_TMP/import.log" 2>&1 ||
	{ t_fail "podman image import" "$(tail -3 "$T_TMP/import.log")"; exit 1; }
GRAPH=$(rt_podman info --format '{{.Store.GraphRoot}}')
RECORD=$GRAPH/overlay-containers/containers.json

entry_of() {	# ID: its own cgroup's entry
	cgt list --json | jq -c --arg id "$1" \
		'[.[] | select(.container_id == $id and .root)] | first // empty'
}
named() { [ "$(entry_of "$1" | jq -r .name)" = "$2" ]; }
ns_of() {	# MAP KEY FIELD: a raw field of a pinned map's value
	bpftool -j map lookup pinned "$T_PIN/$1" key $(printf '0x%02x 0x%02x 0x%02x 0x%02x' \
		$(($2 & 255)) $(($2 >> 8 & 255)) $(($2 >> 16 & 255)) $(($2 >> 24 & 255))) |
		jq -r ".formatted.value.$3"
}

t_daemon_start --cgroup-mode v2 --expiry 1 --runtime "podman-root:$GRAPH" \
	--runtime "podman:$T_TMP/no-podman.sock" ||
	{ t_fail "daemon start" "see log"; exit 1; }
t_true "the daemon says where podman's records are" \
	grep -qF "records $GRAPH" "$T_TMP/daemon.err"

slow=""
for i in 1 2 3; do
	id=$(rt_podman_run "rec-$i")
	[ -n "$id" ] || { t_fail "podman run $i" "no id"; continue; }
	if ! t_wait_for "named" 5 named "$id" "rec-$i"; then
		t_fail "podman $i: named from its record, without its API" "$(entry_of "$id")"
		continue
	fi
	t_eq "podman $i: name, image, answering runtime from containers.json" \
		"rec-$i|localhost/busybox:test|podman|podman" \
		"$(entry_of "$id" | jq -r '"\(.name)|\(.image)|\(.info_runtime)|\(.runtime)"')"
	k=$(entry_of "$id" | jq -r .key)
	d=$(( ($(ns_of info "$k" updated_ns) - $(ns_of containers "$k" created_ns)) / 1000000 ))
	[ "$d" -lt 200 ] || slow="$slow $i:${d}ms"
done
t_eq "each named under 200 ms after its cgroup's mkdir (kernel times)" "" "$slow"

# A record that is a symlink (to a look-alike naming the next container) is
# not read: the container stays unnamed, and the daemon goes on.
id=$(rt_podman create --name rec-link --ulimit nofile=20000:20000 \
	--ulimit nproc=32768:32768 localhost/busybox:test /bin/sleep 3600)
fake=$T_TMP/look-alike.json
jq -c --arg id "$id" 'map(if .id == $id then .names = ["forged"] else . end)' "$RECORD" >"$fake"
cp -p "$RECORD" "$T_TMP/record.saved"
ln -sf "$fake" "$RECORD"
rt_podman start "$id" >/dev/null 2>&1 || t_fail "podman start (record a symlink)" "exit $?"
_rt_track_container podman - "$id" "$(rt_podman_pid "$id" 2>/dev/null)"
sleep 1
# (the daemon may have read the real record, written by `podman create`
# before the symlink: then the name is the real one; never the forged one)
t_true "a symlinked containers.json is not followed (never the look-alike's name)" \
	test "$(entry_of "$id" | jq -r .name)" != forged
t_true "the container is tracked all the same" test -n "$(entry_of "$id")"
rm -f "$RECORD"
cp -p "$T_TMP/record.saved" "$RECORD"
t_true "the daemon is alive" kill -0 "$T_DAEMON_PID"
rt_podman_rm "$id" >/dev/null 2>&1
t_daemon_stop
