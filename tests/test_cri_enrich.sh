#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Enrichment paths added for Kubernetes nodes and names before the first
# exec (issue 14), without real runtimes:
#  - a container whose path names no runtime is asked of each runtime in
#    turn; when the first one fails for good and the next fails too, the
#    job waits for its retry instead of being freed while queued (the
#    daemon used to die of a use-after-free: "corrupted size vs.
#    prev_size"); each failure is counted once.
source "$(dirname "$0")/lib.sh"
t_init crienrich

STAT_ENRICH_FAILED=10	# enum cgtrack_stat in include/cgtrack/abi.h
failed() {
	bpftool -j map lookup pinned "$T_PIN/stats" key "$STAT_ENRICH_FAILED" 0 0 0 |
		jq '[.formatted.values[].value] | add'
}
new_id() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

# --- two runtimes that fail in turn, for ids whose path names no runtime
t_daemon_start --cgroup-mode v2 --expiry 1 \
	--runtime "docker:$T_TMP/no-docker.sock" --runtime "podman:$T_TMP/no-podman.sock" \
	--runtime "containerd-state:$T_TMP/no-containerd" --runtime "crio:$T_TMP/no-crio.sock" ||
	{ t_fail "daemon start" "see log"; exit 1; }
ids=()
for i in $(seq 1 12); do
	ids+=("$(new_id)")
	t_mkdir v2 "x$i.slice/${ids[-1]}" >/dev/null
done
gave_up() {	# every id given up by docker, podman and cri-o
	local id
	for id in "${ids[@]}"; do
		[ "$(grep -c "about container $id failed 3 times" "$T_TMP/daemon.err")" = 3 ] || return 1
	done
}
if t_wait_for "all given up" 15 gave_up; then
	t_ok "unknown ids: docker, podman and cri-o each given up after 3 attempts"
else
	t_fail "unknown ids given up by every runtime" "$(grep -c 'failed 3 times' "$T_TMP/daemon.err") of $((3 * ${#ids[@]})) give-ups logged"
fi
t_true "the daemon survives runtimes failing in turn (no use-after-free)" kill -0 "$T_DAEMON_PID"
# HTTP is our own client (loader/rt_http.c): no libcurl, no TLS library
nolibs() { grep -c -E 'libcurl|libssl|libcrypto|libgnutls|libnghttp' "/proc/$T_DAEMON_PID/maps"; }
t_eq "the daemon maps no libcurl and no TLS library" 0 "$(nolibs)"
# (the daemon tracks the whole hierarchy: others' containers may count too)
n=$(failed)
t_true "enrich_failed counts them ($n >= ${#ids[@]})" test "$n" -ge "${#ids[@]}"
t_true "cgtrack list still answers" cgt list --json
t_daemon_stop

# --- docker's own record, read before the API can answer
#  - <data-root>/containers/<id>/config.v2.json names a new container at
#    once (the kernel wakes the daemon for a new container's own cgroup):
#    info's updated_ns - the entry's created_ns < 200 ms for each of 5
#    (the batched collection took up to 1 s: 5 in a row under 200 ms fail
#    by chance with p > 0.99);
#  - no symlink is followed (the file, or the id's directory), a FIFO, a
#    file over 1 MiB and a record of another id are not used, and none of
#    them holds up the daemon.
DR=$T_TMP/dockerroot
record() {	# ID NAME IMAGE [RECORD_ID]
	mkdir -p "$DR/containers/$1"
	jq -n --arg id "${4:-$1}" --arg n "/$2" --arg i "$3" \
		'{ID: $id, Name: $n, Config: {Image: $i, Labels: {"org.example": "x"}}, State: {Running: false}}' \
		>"$DR/containers/$1/config.v2.json"
}
t_daemon_start --cgroup-mode v2 --expiry 1 --runtime "docker-root:$DR" \
	--runtime "docker:$T_TMP/absent-docker.sock" ||
	{ t_fail "daemon start (docker-root)" "see log"; exit 1; }
key_of() { t_ino "$(t_base v2)/$1"; }
ns_of() {	# MAP KEY FIELD: a raw field of a pinned map's value
	bpftool -j map lookup pinned "$T_PIN/$1" key $(printf '0x%02x 0x%02x 0x%02x 0x%02x' \
		$(($2 & 255)) $(($2 >> 8 & 255)) $(($2 >> 16 & 255)) $(($2 >> 24 & 255))) |
		jq -r ".formatted.value.$3"
}
slow=""
for i in 1 2 3 4 5; do
	id=$(new_id)
	record "$id" "web-$i" "registry.example/web:$i"
	t_mkdir v2 "docker/$id" >/dev/null
	k=$(key_of "docker/$id")
	if ! t_wait_eq "named" 3 "web-$i" t_field "$k" name; then
		t_fail "docker record $i: named from config.v2.json" "$(t_entry "$k")"
		continue
	fi
	d=$(( ($(ns_of info "$k" updated_ns) - $(ns_of containers "$k" created_ns)) / 1000000 ))
	[ "$d" -lt 200 ] || slow="$slow $i:${d}ms"
	t_eq "docker record $i: name, image, runtime from config.v2.json" \
		"web-$i|registry.example/web:$i|docker" \
		"$(t_entry "$k" | jq -r '"\(.name)|\(.image)|\(.info_runtime)"')"
done
t_eq "each named under 200 ms after its mkdir (kernel times)" "" "$slow"

real=$(new_id)
record "$real" secret registry.example/secret:1
bad_link=$(new_id) bad_dir=$(new_id) bad_fifo=$(new_id) bad_big=$(new_id) bad_other=$(new_id)
mkdir -p "$DR/containers/$bad_link"
ln -s "$DR/containers/$real/config.v2.json" "$DR/containers/$bad_link/config.v2.json"
ln -s "$DR/containers/$real" "$DR/containers/$bad_dir"
mkdir -p "$DR/containers/$bad_fifo"; mkfifo "$DR/containers/$bad_fifo/config.v2.json"
# made whole elsewhere, then moved in (as docker writes its records): the
# daemon watches the directories and would read a valid small file at once
jq -n --arg id "$bad_big" '{ID: $id, Name: "/big", Config: {Image: "registry.example/big:1"}}' \
	>"$T_TMP/big.json"
head -c 1100000 /dev/zero | tr '\0' ' ' >>"$T_TMP/big.json"
mkdir -p "$DR/containers/$bad_big"
mv -f "$T_TMP/big.json" "$DR/containers/$bad_big/config.v2.json"
record "$bad_other" other registry.example/other:1 "$real"
for id in $bad_link $bad_dir $bad_fifo $bad_big $bad_other; do
	t_mkdir v2 "docker/$id" >/dev/null
done
good=$(new_id)
record "$good" after registry.example/after:1
t_mkdir v2 "docker/$good" >/dev/null
t_wait_eq "the next one named" 3 after t_field "$(key_of "docker/$good")" name &&
	t_ok "a container after the bad records is named (none held the daemon up)" ||
	t_fail "named after bad records" "$(t_entry "$(key_of "docker/$good")")"
sleep 0.5
for what in link:$bad_link dir:$bad_dir fifo:$bad_fifo big:$bad_big other:$bad_other; do
	t_eq "docker record: ${what%%:*}: not used" "||" \
		"$(t_entry "$(key_of "docker/${what#*:}")" | jq -r '"\(.name)|\(.image)|\(.info_runtime)"')"
done
t_true "the daemon is alive" kill -0 "$T_DAEMON_PID"
t_daemon_stop

# --- the API stays the authority: with docker's socket there (a fake that
# answers from files), a container named from its record is asked about
# too, and the API's answer replaces the record's; one the API does not
# know keeps the record's names and is not counted as failed
mkdir -p "$T_TMP/api"
setsid python3 "$TESTS_DIR/fakes/fake_runtime.py" --socket "$T_TMP/docker.sock" --style docker \
	--dir "$T_TMP/api" --log "$T_TMP/docker.log" >"$T_TMP/fake.out" 2>&1 &
T_PIDS+=("$!")
t_wait_for "fake docker" 5 test -S "$T_TMP/docker.sock" ||
	{ t_fail "fake docker" "did not start: $(cat "$T_TMP/fake.out")"; exit 1; }
t_daemon_start --cgroup-mode v2 --expiry 1 --runtime "docker-root:$DR" \
	--runtime "docker:$T_TMP/docker.sock" ||
	{ t_fail "daemon start (docker-root and API)" "see log"; exit 1; }
f0=$(failed)
both=$(new_id) reconly=$(new_id)
record "$both" web registry.example/web:record
jq -n --arg id "$both" '{Id: $id, Name: "/web", Config: {Image: "registry.example/web:api", Labels: {}}}' \
	>"$T_TMP/api/$both.json"
record "$reconly" lonely registry.example/lonely:1
t_mkdir v2 "docker/$both" "docker/$reconly" >/dev/null
kb=$(key_of "docker/$both") kr=$(key_of "docker/$reconly")
if t_wait_eq "API answer" 5 registry.example/web:api t_field "$kb" image; then
	t_ok "record first, then the API's answer replaces it (image from the API)"
else
	t_fail "the API's answer replaces the record's" "$(t_entry "$kb"); requests: $(cat "$T_TMP/docker.log" 2>/dev/null)"
fi
t_eq "a runtime socket asked: still no libcurl, no TLS library" 0 "$(nolibs)"
t_eq "the API was asked about the recorded container" 1 \
	"$(grep -c "^GET /containers/$both/json" "$T_TMP/docker.log")"
sleep 2.5	# the API's 404 for the other one, and its recheck
t_eq "a container the API does not know keeps its record's names" \
	"lonely|registry.example/lonely:1|docker" \
	"$(t_entry "$kr" | jq -r '"\(.name)|\(.image)|\(.info_runtime)"')"
t_eq "... and is not counted as failed" "$f0" "$(failed)"
t_daemon_stop

# --- names from the API alone, containers made in pairs 0.3 ms apart: the
# kernel wakes the daemon for a new container it could not name, but each
# CPU at most once a millisecond (bpf/cgtrack.bpf.c), so the second of a
# pair is not announced; the daemon, woken by the first, looks again 2 ms
# later (loader/daemon.c). Each is named within 300 ms of its mkdir
# (kernel times). The pairs are 400 ms apart, on one CPU: without the
# second look, each second one waits for the next wakeup or the
# once-a-second poll; without the wakeup, all of them do.
burst=()
for i in $(seq 1 12); do
	burst+=("$(new_id)")
	jq -n --arg id "${burst[-1]}" --arg n "/burst-$i" \
		'{Id: $id, Name: $n, Config: {Image: "registry.example/burst:1", Labels: {}}}' \
		>"$T_TMP/api/${burst[-1]}.json"
done
t_daemon_start --cgroup-mode v2 --expiry 1 --runtime "docker:$T_TMP/docker.sock" ||
	{ t_fail "daemon start (docker API alone)" "see log"; exit 1; }
base=$(t_base v2)
mkdir -p "$base/docker"
python3 -c 'import os, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
p = sys.argv[1:]
for i in range(0, len(p), 2):
	os.mkdir(p[i])
	time.sleep(0.0003)
	os.mkdir(p[i + 1])
	time.sleep(0.4)' "${burst[@]/#/$base/docker/}"
slow=""
for i in $(seq 1 12); do
	k=$(key_of "docker/${burst[i - 1]}")
	if ! t_wait_eq "burst $i named" 5 "burst-$i" t_field "$k" name; then
		slow="$slow $i:unnamed"
		continue
	fi
	d=$(( ($(ns_of info "$k" updated_ns) - $(ns_of containers "$k" created_ns)) / 1000000 ))
	[ "$d" -lt 300 ] || slow="$slow $i:${d}ms"
done
t_eq "6 pairs of containers 0.3 ms apart, named by the API alone, each under 300 ms after its mkdir" \
	"" "$slow"
t_daemon_stop
