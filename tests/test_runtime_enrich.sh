#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Enrichment against fake runtime sockets (tests/fakes/fake_runtime.py):
#  - cri-o, which cannot run here, answered with the bytes its inspect
#    endpoint sends (tests/fakes/crio, see tests/fakes/README.md), for a
#    container and its pod's sandbox in crio-<id>.scope cgroups;
#  - a bare id (runtime "unknown" from the path) that docker knows;
#  - bad peers: a socket that never answers, one that sends 10 MB (with
#    and without Content-Length), one that closes mid-response, invalid
#    JSON, and one that answers about another container. Each is tracked;
#    each failure is retried, logged and counted once; meanwhile a new
#    container is tracked and named, `cgtrack list` answers, and SIGTERM
#    stops the daemon at once.
source "$(dirname "$0")/lib.sh"
t_init rtenrich

FAKES=$TESTS_DIR/fakes
# Fixture ids (the file names under tests/fakes/{crio,docker}).
C=8d3b6f0e2a7c4f19b5e1d0c9a8f7e6d5c4b3a29180f7e6d5c4b3a2918d7e6f50	# cri-o container
SB=1f2e3d4c5b6a79880f1e2d3c4b5a69788f9e0d1c2b3a49586f7e8d9c0b1a2f3e	# its sandbox
UID_=6e0a9f3c-2b1d-4c5e-8f7a-9b0c1d2e3f4a
POD=kp.slice/kubepods-besteffort-pod${UID_//-/_}.slice
GOOD=a0a0000000000000000000000000000000000000000000000000000000000001
HANG=b1b1000000000000000000000000000000000000000000000000000000000001
HUGE=b2b2000000000000000000000000000000000000000000000000000000000001
STREAM=b3b3000000000000000000000000000000000000000000000000000000000001
CLOSE=b4b4000000000000000000000000000000000000000000000000000000000001
BADJSON=b5b5000000000000000000000000000000000000000000000000000000000001
LIE=c0c0000000000000000000000000000000000000000000000000000000000001
CHUNKED=a1a1000000000000000000000000000000000000000000000000000000000001	# answered in chunks
BADCHUNK=b6b6000000000000000000000000000000000000000000000000000000000001	# malformed chunks
STAT_ENRICH_FAILED=10	# enum cgtrack_stat in include/cgtrack/abi.h

if ! command -v python3 >/dev/null; then
	t_skip "fake runtimes" "python3 is not installed"
	exit 0
fi

# fake NAME STYLE DIR: a fake runtime on $T_TMP/NAME.sock answering from DIR
fake() {
	local i
	setsid python3 "$FAKES/fake_runtime.py" --socket "$T_TMP/$1.sock" --style "$2" \
		--dir "$3" --log "$T_TMP/$1.log" >"$T_TMP/$1.out" 2>&1 &
	T_PIDS+=("$!")
	for i in $(seq 1 100); do
		[ -S "$T_TMP/$1.sock" ] && return 0
		sleep 0.05
	done
	echo "fake $1 did not start: $(cat "$T_TMP/$1.out")" >&2
	return 1
}

failed() {	# the ENRICH_FAILED counter, summed over CPUs
	bpftool -j map lookup pinned "$T_PIN/stats" key "$STAT_ENRICH_FAILED" 0 0 0 |
		jq '[.formatted.values[].value] | add'
}
ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
key_of() { t_ino "$(t_base v2)/$1"; }
info() { t_field "$(key_of "$1")" "$2"; }	# REL FIELD
has_info() { [ "$(info "$1" info_runtime)" = "$2" ]; }	# REL RUNTIME
requests() { grep -c "^GET /containers/$2" "$T_TMP/$1.log" 2>/dev/null; }

# The fixtures with fresh random ids in names and bytes: the daemon tracks
# the whole hierarchy, so a run beside this one must not share containers.
declare -A NEW=()
for f in "$FAKES"/crio/* "$FAKES"/docker/*; do
	b=${f##*/}
	NEW[${b%%.*}]=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
done
subst=()
for k in "${!NEW[@]}"; do subst+=(-e "s/$k/${NEW[$k]}/g"); done
for f in "$FAKES"/crio/* "$FAKES"/docker/*; do
	d=${f%/*}; d=$T_TMP/${d##*/}; b=${f##*/}
	mkdir -p "$d"
	sed "${subst[@]}" "$f" >"$d/${NEW[${b%%.*}]}.${b#*.}"
done
C=${NEW[$C]} SB=${NEW[$SB]} GOOD=${NEW[$GOOD]} HANG=${NEW[$HANG]} HUGE=${NEW[$HUGE]}
STREAM=${NEW[$STREAM]} CLOSE=${NEW[$CLOSE]} BADJSON=${NEW[$BADJSON]} LIE=${NEW[$LIE]}
CHUNKED=${NEW[$CHUNKED]} BADCHUNK=${NEW[$BADCHUNK]}
# More hung containers than requests a runtime may have in flight (8).
HANGS=()
for i in $(seq 1 9); do
	HANGS+=("$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')")
	: >"$T_TMP/docker/${HANGS[-1]}.hang"
done

fake crio crio "$T_TMP/crio" && fake docker docker "$T_TMP/docker" ||
	{ t_fail "fake runtimes" "could not start"; exit 1; }

# The sandbox exists before the daemon: enriched as an existing entry.
t_mkdir v2 "$POD/crio-$SB.scope" >/dev/null
t_daemon_start --cgroup-mode v2 --expiry 1 --enrich-timeout 500ms \
	--runtime "crio:$T_TMP/crio.sock" --runtime "docker:$T_TMP/docker.sock" \
	--runtime "containerd-state:$T_TMP/no-containerd" ||
	{ t_fail "daemon start" "see log"; exit 1; }

# Bad peers first: their requests hang or fail while the rest goes on.
t0=$(ms)
for id in $HANG "${HANGS[@]}" $HUGE $STREAM $CLOSE $BADJSON $BADCHUNK $LIE; do
	t_mkdir v2 "docker/$id" >/dev/null
done
sleep 0.2
t_mkdir v2 "$POD/crio-$C.scope" "u.slice/$GOOD" "docker/$CHUNKED" >/dev/null
t1=$(ms)
list=$(cgt list --json)
t2=$(ms)
t_eq "list answers at once while peers hang ($((t2 - t1)) ms < 1000)" 1 $((t2 - t1 < 1000))
t_eq "a new container is tracked while peers hang" "crio created true" \
	"$(jq -r --arg id "$C" '.[] | select(.container_id == $id) | "\(.runtime) \(.state) \(.alive)"' <<<"$list")"

gave_up() { grep -c "about container $1 failed 3 times" "$T_TMP/daemon.err"; }
if t_wait_for "crio named" 3 has_info "$POD/crio-$C.scope" crio; then
	t_ok "cri-o container named while 10 docker requests hang ($(($(ms) - t1)) ms)"
else
	t_fail "cri-o container named while peers hang" "$(t_entry "$(key_of "$POD/crio-$C.scope")")"
fi
t_eq "... before the hung request was given up" 0 "$(gave_up "$HANG")"
e=$(t_entry "$(key_of "$POD/crio-$C.scope")")
t_eq "cri-o: name, image, pod, uid, sandbox (replayed answer)" \
	"nginx|docker.io/library/nginx:1.25.3|web-0|shop|$UID_|false|crio" \
	"$(jq -r '[.name, .image, .pod_name, .pod_namespace, .pod_uid, .sandbox, .info_runtime] | map(tostring) | join("|")' <<<"$e")"
t_eq "cri-o: asked GET /containers/<id> once" 1 "$(requests crio "$C\$")"
t_wait_for "sandbox named" 2 has_info "$POD/crio-$SB.scope" crio
e=$(t_entry "$(key_of "$POD/crio-$SB.scope")")
t_eq "cri-o sandbox found at start: existed, name, image, pod, sandbox" \
	"existed|POD|registry.k8s.io/pause:3.9|shop/web-0|true" \
	"$(jq -r '[.state, .name, .image, "\(.pod_namespace)/\(.pod_name)", .sandbox] | map(tostring) | join("|")' <<<"$e")"
t_wait_for "unknown named" 2 has_info "u.slice/$GOOD" docker
t_eq "a bare id (runtime unknown) that docker knows: runtime docker (the path's kept as path_runtime), info from docker" \
	"docker|unknown|docker|fake-web|fake/web:1" \
	"$(t_entry "$(key_of "u.slice/$GOOD")" | jq -r '[.runtime, .path_runtime, .info_runtime, .name, .image] | join("|")')"
t_wait_for "chunked named" 2 has_info "docker/$CHUNKED" docker
t_eq "an answer in chunks (sizes 1, 7, 300, then 4 KiB; an extension, a trailer) is read whole" \
	"fake-chunked|fake/web:1" \
	"$(t_entry "$(key_of "docker/$CHUNKED")" | jq -r '[.name, .image] | join("|")')"
row=$(cgt list | awk -v id="${C:0:12}" '$2 == id')
[[ $row == *" crio "*" nginx "*" docker.io/library/nginx:1.25.3 "*" shop/web-0 "* ]] &&
	t_ok "list (table) shows runtime, name, image and pod" ||
	t_fail "list (table) shows runtime, name, image and pod" "row: $row"

# Five bad peers fail (3 attempts each, 0.5 s timeout, backoff 0.5 s then 1 s).
# Other tests' containers may be asked too (the whole hierarchy is tracked):
# the counter must equal the number of containers logged as failed.
all_gave_up() {
	local id
	for id in $HANG "${HANGS[@]}" $HUGE $STREAM $CLOSE $BADJSON $BADCHUNK; do
		[ "$(gave_up "$id")" -ge 1 ] || return 1
	done
}
if t_wait_for "failures logged" 15 all_gave_up; then
	t_ok "15 bad peers given up after $(($(ms) - t0)) ms"
else
	t_fail "15 bad peers given up" "counter $(failed); log: $(grep -c 'failed 3 times' "$T_TMP/daemon.err") lines"
fi
sleep 0.2
n=0
for id in $HANG "${HANGS[@]}" $HUGE $STREAM $CLOSE $BADJSON $BADCHUNK; do
	[ "$(gave_up "$id")" = 1 ] || n=$((n + 1))
done
t_eq "each bad peer logged once" 0 "$n"
t_eq "a wrong answer (another container's) is not a failure" 0 "$(gave_up "$LIE")"
t_eq "counted: one per container that got no answer" \
	"$(grep -o 'about container [0-9a-f]* failed 3 times' "$T_TMP/daemon.err" | sort -u | wc -l)" \
	"$(failed)"
err=$(cat "$T_TMP/daemon.err")
check_log() {	# WHAT ID PATTERN
	if grep -q "asking docker at $T_TMP/docker.sock about container $2 failed 3 times: .*$3" <<<"$err"; then
		t_ok "logged with runtime and socket: $1"
	else
		t_fail "logged with runtime and socket: $1" "no '$3' for $2"
	fi
}
check_log "never answers" "$HANG" "no complete answer within 500 ms"
check_log "10 MB with Content-Length" "$HUGE" "larger than 1048576 bytes"
check_log "10 MB without Content-Length" "$STREAM" "larger than 1048576 bytes"
check_log "closes mid-response" "$CLOSE" "partial file\\|closed"
check_log "invalid JSON" "$BADJSON" "invalid JSON"
check_log "malformed chunks" "$BADCHUNK" "a malformed chunked answer"
t_eq "bounded retries: 3 requests for the hung container" 3 "$(requests docker "$HANG")"
t_eq "a wrong answer is a \"not found\": asked once more, 1 s later" 2 "$(requests docker "$LIE")"
n=0
for id in $HANG $HUGE $STREAM $CLOSE $BADJSON $BADCHUNK $LIE; do
	got=$(info "docker/$id" state)/$(info "docker/$id" runtime)/$(info "docker/$id" name)/$(info "docker/$id" info_runtime)
	[ "$got" = "created/docker//" ] || { t_fail "bad peer $id tracked, unnamed" "$got"; n=1; }
done
[ $n = 0 ] && t_ok "the 7 containers of bad peers are tracked, without names"

# Removal: the sweep deletes the entry and its info after the expiry (1 s).
key=$(key_of "$POD/crio-$C.scope")
rmdir "$(t_base v2)/$POD/crio-$C.scope"
info_keys() { bpftool -j map dump pinned "$T_PIN/info" | jq -c '[.[].formatted.key]'; }
if t_wait_for "swept" 5 bash -c "! bpftool -j map dump pinned $T_PIN/info | jq -e 'any(.[]; .formatted.key == $key)'"; then
	t_ok "info entry deleted with the swept container entry"
else
	t_fail "info entry deleted with the swept container entry" "info keys: $(info_keys)"
fi
t_eq "container entry swept" absent "$(t_field "$key" state)"

# SIGTERM while a request hangs: a new cgroup for the hung id.
rmdir "$(t_base v2)/docker/$HANG"
t_mkdir v2 "docker/$HANG" >/dev/null
t_wait_for "asked again" 2 bash -c "[ \$(grep -c $HANG $T_TMP/docker.log) -ge 4 ]"
t0=$(ms)
kill -TERM "$T_DAEMON_PID"
t_wait_gone "$T_DAEMON_PID"
t1=$(ms)
t_eq "SIGTERM with a request hanging: exits within 1 s ($((t1 - t0)) ms)" 1 $((t1 - t0 < 1000))
T_DAEMON_PID=""
grep -q "stopping" "$T_TMP/daemon.err" && t_ok "stopped cleanly" ||
	t_fail "stopped cleanly" "no 'stopping' in the log"
