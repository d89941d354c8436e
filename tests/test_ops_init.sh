#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Boot integration and installation, for real but private:
#  - scripts/cgtrack.init run with its paths overridden (a private pin dir,
#    pidfile, log and defaults file): start, status 0, start again 0, stop,
#    status 3; a killed daemon (status 1); an upgrade (binary replaced under
#    the running daemon); a failing start; with and without
#    start-stop-daemon;
#  - the daemon's sd_notify: READY=1, STOPPING=1, ERRNO= on failure;
#  - scripts/cgtrack.service passes `systemd-analyze verify`;
#  - `make install DESTDIR=` installs exactly the expected files and
#    `make uninstall` removes them.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init ops_init
# a private copy: a build running meanwhile may relink build/cgtrack
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack

ROOT=$(cd "$(dirname "$0")/.." && pwd)
INIT=$ROOT/scripts/cgtrack.init

# The init script's settings, from a private defaults file.
mkdir -p "$T_TMP/bin"
cp "$CGTRACK" "$T_TMP/bin/cgtrack"
cat >"$T_TMP/defaults" <<EOF
DAEMON=$T_TMP/bin/cgtrack
PIN_DIR=$T_PIN
PIDFILE=$T_TMP/cgtrack.pid
LOGFILE=$T_TMP/cgtrack.log
CGTRACK_ARGS="--cgroup-mode v2 --no-enrich --expiry 1"
START_TIMEOUT=20
EOF
export CGTRACK_DEFAULTS=$T_TMP/defaults

# init ACTION...: run the script; prints its output, sets RC
init() {
	OUT=$(sh "$INIT" "$@" 2>&1)
	RC=$?
	INIT_PID=$(cat "$T_TMP/cgtrack.pid" 2>/dev/null)
	[ -n "$INIT_PID" ] && T_PIDS+=("$INIT_PID")	# stopped by pid at cleanup
	return 0
}

prog_ids() {
	local l
	for l in "$T_PIN"/links/*; do
		bpftool -j link show pinned "$l" 2>/dev/null | jq -r .prog_id
	done | sort | tr '\n' ' '
}

t_true "LSB header" grep -Pzq '### BEGIN INIT INFO\n# Provides: +cgtrack\n(.*\n)*# Default-Start: +2 3 4 5\n(.*\n)*### END INIT INFO' "$INIT"
t_true "init script: sh -n" sh -n "$INIT"
if command -v shellcheck >/dev/null; then
	t_true "init script: shellcheck -s sh" shellcheck -s sh "$INIT"
fi

sysv_cycle() {	# LABEL: the start/status/stop cycle
	local l=$1 pid1

	init status
	t_eq "$l: status before start: 3 (not running)" 3 "$RC"
	init start
	t_eq "$l: start" "0" "$RC"
	pid1=$INIT_PID
	t_true "$l: the pidfile names a running cgtrack" \
		test "$(cat "/proc/$pid1/comm" 2>/dev/null)" = cgtrack
	t_true "$l: start returns once ready (programs pinned)" test -e "$T_PIN/links"
	init status
	t_eq "$l: status while running: 0" 0 "$RC"
	init start
	t_eq "$l: start again: 0" 0 "$RC"
	t_true "$l: start again says already running, same pid" \
		grep -q "already running (pid $pid1)" <<<"$OUT"
	init stop
	t_eq "$l: stop" 0 "$RC"
	t_true "$l: stop ended the daemon" t_wait_for gone 5 sh -c "! kill -0 $pid1"
	t_true "$l: stop removed the pidfile" test ! -e "$T_TMP/cgtrack.pid"
	init status
	t_eq "$l: status after stop: 3" 3 "$RC"
	t_true "$l: status says the pins still track" grep -q "still track" <<<"$OUT"
	init stop
	t_eq "$l: stop again: 0" 0 "$RC"
}

if command -v start-stop-daemon >/dev/null; then
	USE_START_STOP_DAEMON=yes sysv_cycle "sysv (start-stop-daemon)"
else
	t_skip "sysv (start-stop-daemon)" "no start-stop-daemon"
fi
USE_START_STOP_DAEMON=no sysv_cycle "sysv (plain sh)"

# tracking goes on while stopped; the next start adopts
ids=$(prog_ids)
d=$(t_mkdir v2 "docker/$(printf '%064x' $$)")
t_eq "stopped: the pinned programs still track" true "$(t_field "$(t_ino "$d")" alive)"
init start
t_eq "start after stop adopts the same programs" "$ids" "$(prog_ids)"
t_true "the log says adopted" grep -q "adopted the pinned programs" "$T_TMP/cgtrack.log"

# killed: status 1 (dead, pidfile left), start recovers
kill -KILL "$INIT_PID"
t_wait_gone "$INIT_PID"
init status
t_eq "killed daemon: status 1 (pidfile left)" 1 "$RC"
init start
t_eq "start after a kill" 0 "$RC"

# upgrade: a new binary replaces the running one (new inode)
cp "$CGTRACK" "$T_TMP/bin/cgtrack.new"
mv -f "$T_TMP/bin/cgtrack.new" "$T_TMP/bin/cgtrack"
init status
t_eq "upgrade: status still sees the old daemon (its binary deleted)" 0 "$RC"
old=$INIT_PID
init restart
t_eq "upgrade: restart" 0 "$RC"
t_true "upgrade: a new daemon runs" test -n "$INIT_PID" -a "$INIT_PID" != "$old"
t_eq "upgrade: it adopted the pinned programs" "$ids" "$(prog_ids)"
init force-reload
t_eq "force-reload restarts" 0 "$RC"

UNLOAD_ON_STOP=yes init stop
t_eq "stop with UNLOAD_ON_STOP=yes" 0 "$RC"
t_true "UNLOAD_ON_STOP=yes removed the pins" test ! -e "$T_PIN"

# a start that fails says why, quickly (the defaults file has the last word)
sed 's/^CGTRACK_ARGS=.*/CGTRACK_ARGS="--cgroup-mode v1 --v1-controller nosuch"/' \
	"$T_TMP/defaults" >"$T_TMP/defaults.bad"
for ssd in yes no; do
	s=$SECONDS
	USE_START_STOP_DAEMON=$ssd CGTRACK_DEFAULTS=$T_TMP/defaults.bad init start
	t_eq "failing start (start-stop-daemon=$ssd): exit 1" 1 "$RC"
	t_true "failing start (start-stop-daemon=$ssd): quick, and shows the daemon's error" \
		test $((SECONDS - s)) -lt 10 -a -n "$(grep "nosuch" <<<"$OUT")"
done
init bogus
t_eq "unknown action: exit 2" 2 "$RC"
init reload
t_eq "reload: exit 3 (unimplemented)" 3 "$RC"

# ---- sd_notify ---------------------------------------------------------------
# notify_listen SOCKET SECONDS OUT: collect datagrams (one line each)
notify_listen() {
	python3 - "$@" <<'EOF'
import socket, sys, time
path, secs, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
end = time.time() + secs
with open(out, "a") as f:
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            d = s.recv(4096)
        except socket.timeout:
            break
        f.write(d.decode().replace("\n", " ") + "\n")
        f.flush()
EOF
}
if command -v python3 >/dev/null; then
	sock=$T_TMP/notify.sock
	notify_listen "$sock" 15 "$T_TMP/notify.out" &
	lpid=$!
	T_PIDS+=("$lpid")
	t_wait_for socket 5 test -S "$sock"
	NOTIFY_SOCKET=$sock t_daemon_start --cgroup-mode v2 --no-enrich
	t_wait_for ready 5 grep -q READY=1 "$T_TMP/notify.out"
	t_true "sd_notify: READY=1 once ready" grep -q "^READY=1" "$T_TMP/notify.out"
	t_daemon_stop TERM
	t_wait_for stopping 5 grep -q STOPPING=1 "$T_TMP/notify.out"
	t_true "sd_notify: STOPPING=1 on SIGTERM" grep -q "^STOPPING=1" "$T_TMP/notify.out"
	NOTIFY_SOCKET=$sock "$CGTRACK" run --pin-dir "$T_PIN" --cgroup-mode bogus 2>/dev/null
	NOTIFY_SOCKET=$sock "$CGTRACK" run --pin-dir "$T_PIN" --cgroup-mode v1 \
		--v1-controller nosuch 2>/dev/null
	t_wait_for errno 5 grep -q ERRNO=125 "$T_TMP/notify.out"
	t_eq "sd_notify: ERRNO= for bad usage, then for a failed start" "ERRNO=22 ERRNO=125" \
		"$(grep ERRNO "$T_TMP/notify.out" | tr '\n' ' ' | sed 's/ $//')"
	kill "$lpid" 2>/dev/null
	cgt unload >/dev/null 2>&1
else
	t_skip "sd_notify" "no python3"
fi

# ---- make install / uninstall -----------------------------------------------
dest=$T_TMP/destdir
if ! make -s -C "$ROOT" install DESTDIR="$dest" >"$T_TMP/install.out" 2>&1; then
	t_fail "make install DESTDIR=" "$(tail -3 "$T_TMP/install.out")"
else
	t_ok "make install DESTDIR="
	want=$( {
		echo "0755 /etc/init.d/cgtrack"
		echo "0755 /usr/local/sbin/cgtrack"
		echo "0644 /usr/local/lib/systemd/system/cgtrack.service"
		for h in "$ROOT"/include/cgtrack/*.h; do
			echo "0644 /usr/local/include/cgtrack/$(basename "$h")"
		done
		[ -f "$ROOT/man/cgtrack.8" ] && echo "0644 /usr/local/share/man/man8/cgtrack.8"
		echo "0644 /usr/local/share/bash-completion/completions/cgtrack"
	} | sort)
	got=$(cd "$dest" && find . -type f -printf '%#m /%P\n' | sort)
	t_eq "install: exactly the binary, headers, unit, init script, man page, completion" "$want" "$got"
	t_true "install: the installed binary runs" "$dest/usr/local/sbin/cgtrack" --help
	t_true "install: headers identical" diff -r "$ROOT/include/cgtrack" "$dest/usr/local/include/cgtrack"
	t_true "install: the unit runs the installed binary" \
		grep -q "^ExecStart=/usr/local/sbin/cgtrack run" "$dest/usr/local/lib/systemd/system/cgtrack.service"

	# systemd-analyze verify wants ExecStart to exist: point it into DESTDIR
	if command -v systemd-analyze >/dev/null; then
		mkdir -p "$T_TMP/verify"
		sed "s|/usr/local/sbin/cgtrack|$dest/usr/local/sbin/cgtrack|g" \
			"$dest/usr/local/lib/systemd/system/cgtrack.service" >"$T_TMP/verify/cgtrack.service"
		out=$(systemd-analyze verify --man=no "$T_TMP/verify/cgtrack.service" 2>&1)
		rc=$?
		t_eq "systemd-analyze verify: no error, no warning" "0 ''" "$rc '$out'"
		# (and it does complain about a broken unit)
		sed -i 's/^ProtectSystem=/ProtectSistem=/' "$T_TMP/verify/cgtrack.service"
		out=$(systemd-analyze verify --man=no "$T_TMP/verify/cgtrack.service" 2>&1)
		t_true "systemd-analyze verify: a broken unit is reported" grep -q "ProtectSistem" <<<"$out"
	else
		t_skip "systemd-analyze verify" "no systemd-analyze (apt-get install systemd)"
	fi
	u=$dest/usr/local/lib/systemd/system/cgtrack.service
	t_true "unit: Type=notify" grep -qx "Type=notify" "$u"
	t_true "unit: only /sys/fs/bpf writable" grep -qx "ReadWritePaths=/sys/fs/bpf" "$u"
	t_true "unit: bounded capabilities incl. CAP_BPF and CAP_PERFMON" \
		grep -Eqx "CapabilityBoundingSet=.*CAP_BPF.*CAP_PERFMON.*" "$u"
	t_true "unit: pins kept on stop (ExecStopPost commented)" grep -q "^#ExecStopPost=.*unload" "$u"

	make -s -C "$ROOT" uninstall DESTDIR="$dest" >/dev/null 2>&1
	t_eq "uninstall removes every installed file" "" "$(cd "$dest" && find . -type f)"
	t_true "uninstall removes include/cgtrack" test ! -e "$dest/usr/local/include/cgtrack"

	make -s -C "$ROOT" install DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
	t_true "install PREFIX=/usr: binary in /usr/sbin, unit and init script point at it" \
		sh -c "test -x '$dest/usr/sbin/cgtrack' &&
			grep -q '^ExecStart=/usr/sbin/cgtrack ' '$dest/usr/lib/systemd/system/cgtrack.service' &&
			grep -q '^DAEMON=\${DAEMON:-/usr/sbin/cgtrack}' '$dest/etc/init.d/cgtrack'"
	make -s -C "$ROOT" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1
	t_eq "uninstall PREFIX=/usr removes every installed file" "" "$(cd "$dest" && find . -type f)"
fi
exit 0
