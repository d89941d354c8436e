#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# valgrind memcheck on a short `cgtrack run` session with containers coming
# and going (container-shaped cgroup directories made and removed, swept
# after the expiry), enrichment on: no error, no definite or indirect leak.
# (libbpf and libelf keep still-reachable blocks: not counted.)
source "$(dirname "$0")/lib.sh"
t_init valgrind

command -v valgrind >/dev/null || { t_fail "valgrind" "not installed (make hardening-setup)"; exit 1; }
VG=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --suppressions="$TESTS_DIR/valgrind.supp" --log-file="$T_TMP/vg.%p")

# the daemon under valgrind: start is slow (BPF load, populate), so wait long
rm -f "$T_TMP/pid"
setsid "${VG[@]}" "$CGTRACK" run --pin-dir "$T_PIN" --pidfile "$T_TMP/pid" \
	--cgroup-mode v2 --expiry 1 >"$T_TMP/daemon.out" 2>"$T_TMP/daemon.err" &
T_DAEMON_PID=$!
T_PIDS+=("$T_DAEMON_PID")
t_wait_for "ready" 60 test -s "$T_TMP/pid" || { t_fail "daemon start under valgrind" "not ready in 60 s"; exit 1; }
t_ok "daemon ready under valgrind"

base=$(t_base v2)
for round in 1 2 3; do
	for n in $(seq 1 15); do
		id=$(printf '%056x%08x' "$round" "$n")
		mkdir -p "$base/system.slice/docker-$id.scope/init.scope" "$base/docker/$id" \
			"$base/kubepods/besteffort/pod26ab26cd-6409-443f-a13c-fd6c231207c8/$id"
	done
	sleep 0.5
	for n in $(seq 1 15); do
		id=$(printf '%056x%08x' "$round" "$n")
		rmdir "$base/system.slice/docker-$id.scope/init.scope" \
			"$base/system.slice/docker-$id.scope" "$base/docker/$id" \
			"$base/kubepods/besteffort/pod26ab26cd-6409-443f-a13c-fd6c231207c8/$id"
	done
done
# past the expiry: the daemon's sweep deletes what was removed
if t_wait_for "swept" 15 bash -c "[ \"\$($CGTRACK list --json --pin-dir $T_PIN | jq --arg b $(t_rel v2 "$base") '[.[] | select(.alive == false)] | length')\" = 0 ]"; then
	t_ok "removed containers swept while under valgrind"
else
	t_fail "sweep under valgrind" "dead entries left: $(cgt list | grep -c dead)"
fi

kill -TERM "$T_DAEMON_PID"
wait "$T_DAEMON_PID"
rc=$?
T_DAEMON_PID=""
log=$(ls "$T_TMP"/vg.* | head -1)
summary=$(grep -E 'ERROR SUMMARY|definitely lost|indirectly lost' "$log" | sed 's/^==[0-9]*== *//' | tr '\n' ';')
if [ $rc -eq 0 ]; then
	t_ok "memcheck: no error, no leak ($summary)"
else
	t_fail "memcheck" "exit $rc: $summary"
	grep -A25 -E 'Invalid|uninitialised|definitely lost in|indirectly lost in|Syscall param' "$log" | head -80 >&2
fi
