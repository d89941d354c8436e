#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The package scenario (make node-pkg, scripts/node/pkg-run.sh): runs INSIDE
# the VM at the end of each boot (pkg-scenario.service under systemd, the
# pkg-scenario init script under sysvinit), its output on the serial
# console. cgtrack is NOT in the image: this scenario installs it from the
# .debs that pkg-run.sh put in /opt/pkg/{prev,cur}/, with dpkg -i, as a user
# does. Prints
#   PKG: BEGIN boot=N init=systemd|sysv ...
#   PKG: PASS <check>      PKG: FAIL <check>: <why>      PKG: INFO <...>
#   PKG: DONE boot=N       (then PKG: END after the last boot)
# and powers the VM off.
#
# Boot 1: install the previous package (0.3.0-1~prev) while a container runs
# (EXISTED); enabled and started by the package's maintainer scripts;
# a --restart=always container (STARTED); metrics written by the timer
# (systemd) or cron (sysvinit) and served by the real node_exporter;
# upgrade to the current package while containers run (no entry lost,
# same program ids, daemon restarted); under sysvinit, stop/start through
# the init script. Power off (sysvinit: the shutdown stops cgtrack).
# Boot 2: started at boot, healthy, the container that came back with the
# boot is tracked, a later one STARTED; `apt-get purge` with the daemon
# stopped leaves nothing; (systemd) reinstalled while containers run they
# come back EXISTED, and a purge with the daemon running leaves nothing.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
CG=/usr/sbin/cgtrack
PIN=/sys/fs/bpf/cgtrack
STATE=/var/lib/pkg-scenario
PROM=/var/lib/prometheus/node-exporter/cgtrack.prom
IMG=local/busybox:pkg
CUR=$(ls /opt/pkg/cur/cgtrack_*.deb | head -n 1)
CURDEV=$(ls /opt/pkg/cur/cgtrack-dev_*.deb | head -n 1)
PREV=$(ls /opt/pkg/prev/cgtrack_*.deb | head -n 1)
PREVDEV=$(ls /opt/pkg/prev/cgtrack-dev_*.deb | head -n 1)
CURV=$(dpkg-deb -f "$CUR" Version)
PREVV=$(dpkg-deb -f "$PREV" Version)
mkdir -p "$STATE"
BOOT=$(( $(cat "$STATE/boot" 2>/dev/null || echo 0) + 1 ))
echo "$BOOT" >"$STATE/boot"
if [ -d /run/systemd/system ]; then INIT=systemd; else INIT=sysv; fi
ip link set lo up 2>/dev/null

NPASS=0 NFAIL=0
pass() { echo "PKG: PASS $1"; NPASS=$((NPASS + 1)); }
fail() { echo "PKG: FAIL $1: $(printf '%s' "$2" | tr '\n' ' ' | cut -c1-400)"; NFAIL=$((NFAIL + 1)); }
info() { echo "PKG: INFO $*" | cut -c1-600; }
check() { local n=$1 why=$2; shift 2; if "$@" >/dev/null 2>&1; then pass "$n"; else fail "$n" "$why"; fi; }
wait_until() {
	local end=$(( $(date +%s) + $1 )); shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.5
	done
}
finish() {	# next|end
	echo "PKG: DONE boot=$BOOT pass=$NPASS fail=$NFAIL"
	[ "$1" = end ] && echo "PKG: END"
	sync
	if [ "$INIT" = systemd ]; then systemctl --no-block poweroff; else poweroff; fi
	exit 0
}

echo "PKG: BEGIN boot=$BOOT init=$INIT kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime) prev=$PREVV cur=$CURV"
info "mounts: $(awk '$3 ~ /^(cgroup2?|bpf)$/ { printf "%s %s; ", $3, $2 }' /proc/mounts)"

# --- cgtrack -------------------------------------------------------------------
list() { "$CG" list --json 2>/dev/null; }
entry() { list | jq -c --arg id "$1" '[.[] | select(.container_id == $id and .root)] | first // empty'; }
field() { jq -r ".$2 | tostring" <<<"$1"; }
has_entry() { [ -n "$(entry "$1")" ]; }
is_state() { [ "$(field "$(entry "$1")" state)" = "$2" ]; }
prog_ids() { "$CG" status --json 2>/dev/null | jq -c '[.programs[].prog_id] | sort'; }
root_keys() { list | jq -c '[.[] | select(.root and .alive) | .key] | sort'; }
svc_running() {
	if [ "$INIT" = systemd ]; then systemctl is-active -q cgtrack.service
	else service cgtrack status >/dev/null 2>&1; fi
}
daemon_pid() {
	if [ "$INIT" = systemd ]; then systemctl show -P MainPID cgtrack.service
	else cat /run/cgtrack.pid 2>/dev/null || echo 0; fi
}
why_down() {
	if [ "$INIT" = systemd ]; then
		# the daemon's own last lines, then systemd's
		echo "$(systemctl is-active cgtrack.service) daemon: $(journalctl -b _SYSTEMD_UNIT=cgtrack.service -n 3 --no-pager -o cat 2>&1 | tr '\n' '|') systemd: $(journalctl -b -u cgtrack.service -n 3 --no-pager -o cat 2>&1 | tr '\n' '|')"
	else
		echo "$(service cgtrack status 2>&1) $(tail -n 6 /var/log/cgtrack.log 2>&1 | tr '\n' '|')"
	fi
}
# healthy NAME: the service runs (60 s) and `cgtrack status` exits 0 (30 s)
healthy() {
	if ! wait_until 60 svc_running; then
		fail "$1.running" "$(why_down)"
		return 1
	fi
	pass "$1.running"
	if wait_until 30 "$CG" status >/dev/null 2>&1; then pass "$1.status"
	else fail "$1.status" "cgtrack status: $("$CG" status 2>&1 | tail -n 4)"; fi
}
# tracked NAME ID STATE...: the container's own cgroup is tracked, alive,
# in one of the states, within 15 s
tracked() {
	local n=$1 id=$2 e st; shift 2
	if ! wait_until 15 has_entry "$id"; then
		fail "$n" "no entry for ${id:0:12}; entries: $(list | jq -c '[.[] | {container_id, state}]' | cut -c1-300)"
		return 1
	fi
	for st in "$@"; do
		if wait_until 10 is_state "$id" "$st"; then
			e=$(entry "$id")
			if [ "$(field "$e" alive)" = true ]; then pass "$n"
			else fail "$n" "not alive: $e"; fi
			info "$n: $(jq -c '{state, alive, path, name}' <<<"$e")"
			return 0
		fi
	done
	fail "$n" "state $(field "$(entry "$id")" state), not $*"
}

# --- docker --------------------------------------------------------------------
docker_up() { wait_until 120 docker info >/dev/null 2>&1; }
drun() {	# NAME [docker run options]: prints the id
	local n=$1; shift
	docker rm -f "$n" >/dev/null 2>&1
	docker run -d --network none --name "$n" "$@" "$IMG" sleep 3600 2>&1 | tail -n 1
}
docker_ok=0
# under sysvinit dockerd starts its own containerd and gives up waiting for
# it on a slow (TCG) boot, every time: run Debian's containerd (it has no
# init script) and point dockerd at it
if [ "$INIT" = sysv ] && ! docker_up; then
	info "dockerd not up after 120 s ($(tail -n 1 /var/log/docker.log 2>/dev/null | cut -c1-160)): starting containerd, dockerd uses it"
	if [ ! -S /run/containerd/containerd.sock ]; then
		setsid containerd </dev/null >>/var/log/containerd.log 2>&1 &
		wait_until 120 test -S /run/containerd/containerd.sock
	fi
	mkdir -p /etc/docker
	echo '{ "containerd": "/run/containerd/containerd.sock" }' >/etc/docker/daemon.json
	service docker restart >/dev/null 2>&1
fi
if docker_up; then
	docker_ok=1
	docker image inspect "$IMG" >/dev/null 2>&1 ||
		docker import -c 'CMD ["sh"]' /opt/node/busybox.tar "$IMG" >/dev/null 2>&1 ||
		fail docker.import "docker import failed"
else
	fail docker "dockerd is not up after 120 s: $(tail -n 3 /var/log/docker.log 2>/dev/null | tr '\n' '|')"
fi

# --- nothing left after a purge ----------------------------------------------------
leftovers() {
	{
		find / -xdev \( -path /opt/pkg -o -path /proc -o -path /var/lib/dpkg -o -path /var/cache/apt \) -prune \
			-o -name '*cgtrack*' -print 2>/dev/null
		find /run /etc /lib/systemd /var/lib/systemd -name '*cgtrack*' 2>/dev/null
		[ -e "$PIN" ] && echo "$PIN"
		bpftool prog show 2>/dev/null | grep -o 'name cgtrack_[a-z]*'
		[ -e "$PROM" ] && echo "$PROM"
		dpkg-query -W -f '${Package} ${db:Status-Abbrev}\n' cgtrack cgtrack-dev 2>/dev/null | grep -v ' pn *$' | grep -v ' un *$'
	} | grep -v "^$STATE" | sort -u
}
purge() {	# NAME
	local n=$1 out left
	if out=$(apt-get purge -y cgtrack cgtrack-dev 2>&1); then pass "$n.apt_purge"
	else fail "$n.apt_purge" "$(tail -n 4 <<<"$out")"; fi
	info "$n: $(grep -i -e cgtrack -e unload <<<"$out" | tail -n 4 | tr '\n' '|')"
	[ "$INIT" = systemd ] && systemctl daemon-reload
	left=$(leftovers)
	if [ -z "$left" ]; then pass "$n.nothing_left"
	else fail "$n.nothing_left" "$(paste -sd ' ' <<<"$left")"; fi
	if [ "$INIT" = systemd ]; then
		check "$n.no_units" "$(systemctl list-unit-files 'cgtrack*' --no-legend)" \
			test -z "$(systemctl list-unit-files 'cgtrack*' --no-legend 2>/dev/null)"
	fi
}

# --- install, metrics, upgrade (boot 1) ----------------------------------------------
install_prev() {
	local id0 out
	[ "$docker_ok" = 1 ] && id0=$(drun pkg-before)
	if out=$(dpkg -i "$PREV" "$PREVDEV" 2>&1); then pass install.dpkg
	else fail install.dpkg "$(tail -n 5 <<<"$out")"; fi
	healthy install
	if [ "$INIT" = systemd ]; then
		check install.enabled "cgtrack.service is $(systemctl is-enabled cgtrack.service 2>&1)" \
			systemctl is-enabled -q cgtrack.service
		check install.timer "cgtrack-metrics.timer: $(systemctl is-enabled cgtrack-metrics.timer 2>&1) $(systemctl is-active cgtrack-metrics.timer 2>&1)" \
			sh -c 'systemctl is-enabled -q cgtrack-metrics.timer && systemctl is-active -q cgtrack-metrics.timer'
	else
		check install.enabled "no S link in /etc/rc2.d: $(ls /etc/rc2.d | tr '\n' ' ')" \
			sh -c 'ls /etc/rc2.d | grep -q "^S[0-9][0-9]cgtrack$"'
		check install.k_links "no K link in /etc/rc0.d, rc6.d" \
			sh -c 'ls /etc/rc0.d | grep -q "^K[0-9][0-9]cgtrack$" && ls /etc/rc6.d | grep -q "^K[0-9][0-9]cgtrack$"'
	fi
	check install.version "cgtrack --version: $("$CG" --version 2>&1 | head -n 1)" \
		sh -c "$CG --version | grep -qF '$PREVV'"
	check install.headers "/usr/include/cgtrack/consumer.bpf.h missing" test -f /usr/include/cgtrack/consumer.bpf.h
	check install.bpffs "bpffs not mounted on /sys/fs/bpf" \
		sh -c "awk '\$2 == \"/sys/fs/bpf\" && \$3 == \"bpf\"' /proc/mounts | grep -q ."
	[ -n "${id0:-}" ] && tracked install.existed "$id0" existed
}

metrics() {
	local t0 m0
	if [ ! -d "$(dirname "$PROM")" ]; then
		fail metrics "no $(dirname "$PROM") (prometheus-node-exporter not installed?)"
		return
	fi
	# written by the timer (systemd, every 30 s) or cron (every minute)
	if wait_until 90 test -s "$PROM"; then pass metrics.written
	else fail metrics.written "no $PROM after 90 s ($INIT)"; return; fi
	m0=$(stat -c %Y "$PROM")
	if wait_until 90 sh -c "[ \$(stat -c %Y $PROM) -gt $m0 ]"; then pass metrics.rewritten
	else fail metrics.rewritten "$PROM not rewritten within 90 s"; fi
	check metrics.mode "$(stat -c '%a %U' "$PROM")" test "$(stat -c %a "$PROM")" = 644
	check metrics.up "$(grep -E '^cgtrack_(up|healthy) ' "$PROM" | tr '\n' ' ')" \
		sh -c "grep -qx 'cgtrack_up 1' $PROM && grep -qx 'cgtrack_healthy 1' $PROM"
	# the real node_exporter serves them (textfile collector)
	t0=$(date +%s)
	if wait_until 60 sh -c 'curl -sf http://127.0.0.1:9100/metrics | grep -q "^cgtrack_up 1"'; then
		pass metrics.scraped
		info "scraped: $(curl -sf http://127.0.0.1:9100/metrics | grep -E '^cgtrack_(up|healthy|entries|capacity)' | tr '\n' ' ')"
	else
		fail metrics.scraped "node_exporter on 127.0.0.1:9100 serves no cgtrack_up 1 after $(($(date +%s) - t0)) s: $(curl -s http://127.0.0.1:9100/metrics 2>&1 | grep -c . ) lines; textfile errors: $(curl -s http://127.0.0.1:9100/metrics 2>/dev/null | grep textfile | tr '\n' ' ' | cut -c1-200)"
	fi
}

upgrade() {
	local ids0 keys0 pid0 out ids1 keys1 pid1 k missing idd=
	ids0=$(prog_ids) keys0=$(root_keys) pid0=$(daemon_pid)
	info "before the upgrade: programs $ids0, daemon pid $pid0, $(jq length <<<"$keys0") container entries"
	# a container started while dpkg replaces the package
	( sleep 1; drun pkg-during >"$STATE/during-id" ) &
	local during=$!
	if out=$(dpkg -i "$CUR" "$CURDEV" 2>&1); then pass upgrade.dpkg
	else fail upgrade.dpkg "$(tail -n 5 <<<"$out")"; fi
	# that container only: a bare `wait` also waited for the containerd
	# started in the background under sysvinit, forever
	wait "$during"
	healthy upgrade
	ids1=$(prog_ids) keys1=$(root_keys)
	for _ in $(seq 40); do [ "$(daemon_pid)" != "$pid0" ] && break; sleep 0.5; done
	pid1=$(daemon_pid)
	check upgrade.version "cgtrack --version: $("$CG" --version 2>&1 | head -n 1)" \
		sh -c "$CG --version | grep -qF '$CURV'"
	check upgrade.restarted "daemon pid $pid0 before, $pid1 after" \
		sh -c "[ '$pid1' != '$pid0' ] && [ '$pid1' != 0 ]"
	check upgrade.same_programs "program ids $ids0 before, $ids1 after" test "$ids0" = "$ids1"
	missing=""
	for k in $(jq -r '.[]' <<<"$keys0"); do
		jq -e --argjson k "$k" 'index($k)' <<<"$keys1" >/dev/null || missing+=" $k"
	done
	check upgrade.no_entry_lost "entries lost:$missing" test -z "$missing"
	idd=$(cat "$STATE/during-id" 2>/dev/null)
	[[ $idd =~ ^[0-9a-f]{64}$ ]] && tracked upgrade.during "$idd" started created
	check upgrade.one_program "$(bpftool prog show | grep -c 'name cgtrack_mkdir') cgtrack_mkdir programs" \
		test "$(bpftool prog show | grep -c 'name cgtrack_mkdir')" = 1
	if [ "$INIT" = systemd ]; then
		journalctl -b -u cgtrack.service --no-pager -o cat -n 4 | sed 's/^/PKG: INFO journal: /'
	else
		tail -n 4 /var/log/cgtrack.log | sed 's/^/PKG: INFO log: /'
	fi
}

if [ "$BOOT" = 1 ]; then
	check preinstalled.none "cgtrack is in the image" test ! -e "$CG"
	install_prev
	if [ "$docker_ok" = 1 ]; then
		id=$(drun pkg-keep --restart=always)
		echo "$id" >"$STATE/keep-id"
		[[ $id =~ ^[0-9a-f]{64}$ ]] && tracked later.started "$id" started ||
			fail later.started "docker run: $id"
	fi
	metrics
	upgrade
	if [ "$INIT" = sysv ]; then
		# the init script: stop keeps the pins, start adopts them
		ids0=$(prog_ids)
		out=$(service cgtrack stop 2>&1)
		check sysv.stop "rc $?: $out" test $? = 0
		service cgtrack status >/dev/null 2>&1
		check sysv.status_stopped "service cgtrack status exit $? after stop (LSB: 3)" test $? = 3
		check sysv.pins_kept "no links in $PIN after stop" test -d "$PIN/links"
		out=$(service cgtrack start 2>&1)
		check sysv.start "$out" test $? = 0
		check sysv.status_running "$(service cgtrack status 2>&1)" service cgtrack status
		check sysv.adopted "program ids $ids0 before, $(prog_ids) after" test "$ids0" = "$(prog_ids)"
	fi
	finish next
fi

# --- boot 2: started at boot --------------------------------------------------------------
healthy boot
if [ "$INIT" = systemd ]; then
	info "cgtrack.service: $(systemctl show -p NRestarts -p MainPID -p ActiveEnterTimestampMonotonic cgtrack.service | tr '\n' ' ')"
	check boot.no_restarts "NRestarts $(systemctl show -P NRestarts cgtrack.service)" \
		test "$(systemctl show -P NRestarts cgtrack.service)" = 0
else
	check boot.bpffs "bpffs not mounted on /sys/fs/bpf" \
		sh -c "awk '\$2 == \"/sys/fs/bpf\" && \$3 == \"bpf\"' /proc/mounts | grep -q ."
	# the previous boot's shutdown stopped the daemon (SIGTERM, its last line)
	check shutdown.clean "last lines of /var/log/cgtrack.log: $(grep -v '^$' /var/log/cgtrack.log | tail -n 3 | tr '\n' '|')" \
		grep -q 'stopping; the pinned programs keep tracking' /var/log/cgtrack.log
	grep -v '^$' /var/log/cgtrack.log | tail -n 6 | sed 's/^/PKG: INFO log: /' | cut -c1-300
fi
keep=$(cat "$STATE/keep-id" 2>/dev/null)
if [ "$docker_ok" = 1 ] && [[ $keep =~ ^[0-9a-f]{64}$ ]]; then
	if wait_until 90 sh -c "[ \"\$(docker inspect -f '{{.State.Running}}' $keep 2>/dev/null)\" = true ]"; then
		# cgtrack starts before docker (unit and init script order it so):
		# the kernel sees the container's cgroup made again at boot
		tracked reboot.back "$keep" started created existed
	else
		fail reboot.back "the --restart=always container did not come back: $(docker ps -a 2>&1 | tail -n 2)"
	fi
	id=$(drun pkg-later)
	[[ $id =~ ^[0-9a-f]{64}$ ]] && tracked reboot.later "$id" started || fail reboot.later "docker run: $id"
fi

# purge with the daemon stopped: the pins go all the same
if [ "$INIT" = systemd ]; then systemctl stop cgtrack.service; else service cgtrack stop >/dev/null; fi
check purge_stopped.pins_before "no pins while stopped" test -d "$PIN/links"
purge purge_stopped
if [ "$INIT" = systemd ] && [ "$docker_ok" = 1 ]; then
	# installed again while containers run: they are EXISTED; then a purge
	# with the daemon running
	if out=$(dpkg -i "$CUR" "$CURDEV" 2>&1); then pass reinstall.dpkg
	else fail reinstall.dpkg "$(tail -n 5 <<<"$out")"; fi
	healthy reinstall
	[[ $keep =~ ^[0-9a-f]{64}$ ]] && tracked reinstall.existed "$keep" existed
	purge purge_running
fi
finish end
