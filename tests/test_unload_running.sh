#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `cgtrack unload` under a running daemon: the daemon notices that its
# link pins are gone (tracking stopped) and exits non-zero with a message
# that says so, within its once-a-second check, instead of staying up
# tracking nothing while its service manager thinks all is well. The same
# when another cgtrack replaces the pins (`load --replace`).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init unload_running
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

exited() { ! kill -0 "$T_DAEMON_PID" 2>/dev/null; }

t_daemon_start --cgroup-mode v2 --no-enrich || { t_fail run "did not start"; exit 1; }
out=$(cgt unload 2>&1)
t_eq "unload under a running daemon succeeds" 0 "$?"
if t_wait_for "daemon exit" 5 exited; then
	t_ok "the daemon exits once its links are gone"
	wait "$T_DAEMON_PID"
	t_eq "with a non-zero status (so systemd restarts it)" 1 "$?"
else
	t_fail "the daemon exits once its links are gone" "still running after 5 s"
fi
t_true "and says why" grep -q "links/cgroup_mkdir is gone: the programs this daemon adopted are detached" "$T_TMP/daemon.err"
claims=$(grep -c "pinned programs keep tracking" "$T_TMP/daemon.err")
t_eq "without claiming that tracking goes on" 0 "$claims"

t_daemon_start --cgroup-mode v2 --no-enrich || { t_fail run "did not start"; exit 1; }
cgt load --cgroup-mode v2 --replace >/dev/null 2>&1
if t_wait_for "daemon exit" 5 exited; then
	t_ok "a daemon whose pins another cgtrack replaced exits too"
else
	t_fail "a daemon whose pins another cgtrack replaced exits too" "still running after 5 s"
fi
t_true "saying its pin is gone or another one now" grep -Eq "cgroup_mkdir is (gone|another pin now).*exiting" "$T_TMP/daemon.err"

# --unload-on-exit (what `make run` passes): a stop detaches
t_daemon_start --cgroup-mode v2 --no-enrich --unload-on-exit || { t_fail run "did not start"; exit 1; }
kill -INT "$T_DAEMON_PID"
t_wait_gone "$T_DAEMON_PID"
wait "$T_DAEMON_PID"
t_eq "run --unload-on-exit stopped by SIGINT exits 0" 0 "$?"
t_true "and removed the pins" test ! -e "$T_PIN/links/cgroup_mkdir" -a ! -e "$T_PIN/containers"
# every pin of CGTRACK_MAPS and CGTRACK_LINKS (include/cgtrack/abi.h)
npins=$(grep -cE '^[[:space:]]*X\(CGTRACK_PIN_' "$TESTS_DIR/../include/cgtrack/abi.h")
t_true "saying so ($npins pins)" grep -q "removed $npins pins from $T_PIN (--unload-on-exit)" "$T_TMP/daemon.err"

# a stop during the load (a start timeout): the daemon ends promptly, and
# the next start loads, whatever the load had pinned by then
cgt unload >/dev/null 2>&1
setsid "$CGTRACK" run --pin-dir "$T_PIN" --cgroup-mode v2 --no-enrich \
	>>"$T_TMP/daemon.out" 2>>"$T_TMP/daemon.err" &
T_DAEMON_PID=$!
T_PIDS+=("$T_DAEMON_PID")
sleep 0.05
kill -TERM "$T_DAEMON_PID"
if t_wait_for "stopped" 5 exited; then
	t_ok "a daemon stopped during its load ends within 5 s"
else
	t_fail "a daemon stopped during its load ends within 5 s" "still running"
fi
out=$(cgt load --cgroup-mode v2 2>&1)
t_eq "the next start loads (exit 0)" 0 "$?"
t_true "and the programs are attached" test -e "$T_PIN/links/cgroup_mkdir"
