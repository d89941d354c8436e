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
# (the daemon tracks the whole hierarchy: others' containers may count too)
n=$(failed)
t_true "enrich_failed counts them ($n >= ${#ids[@]})" test "$n" -ge "${#ids[@]}"
t_true "cgtrack list still answers" cgt list --json
t_daemon_stop
