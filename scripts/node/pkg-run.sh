#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pkg-run.sh [options]
#
# cgtrack's Debian package on booted Debian nodes (make node-pkg): the
# images of scripts/node/build-image.sh (run unchanged, from a copy next to
# a package list of our own, so that its cache and ours never mix), booted
# in qemu (TCG), cgtrack installed INSIDE the VM by pkg-scenario.sh with
# dpkg -i from the .debs built here (make deb, and DEB_REVISION=1~prev as the
# previous package), never by make install. Cells:
#   systemd   bookworm, systemd 252 as PID 1 (cgroup v2), docker, the real
#             prometheus-node-exporter
#   sysvinit  bookworm with sysvinit-core as PID 1 in place of
#             systemd-sysv, cron, prometheus-node-exporter; cgroup2 in
#             /etc/fstab (bookworm's initscripts mount no cgroup hierarchy)
# Each cell boots a fresh disk twice (pkg-scenario.sh says what each boot
# checks). Prints a table and exits 0 only if every required check passed.
#
# Options:
#   --cells a,b        systemd,sysvinit (default both)
#   --jobs N           cells at once (default 2)
#   --cache DIR        images and logs (default <repo>/build/node-pkg)
#   --debs DIR         the current .debs (default: built into <repo>/build/deb)
#   --prev-debs DIR    the previous .debs (default: built, revision 1~prev, into
#                      <repo>/build/deb-prev)
#   --boot-timeout S   seconds until the scenario must have begun (400)
#   --timeout S        seconds for a whole boot (900)
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
CELLS=systemd,sysvinit
JOBS=2
CACHE=$REPO_DIR/build/node-pkg
DEBS=
PREV=
BOOT_TIMEOUT=400
TIMEOUT=900
MAXBOOTS=2

usage() { sed -n '2,/^set -/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
log() { printf 'node-pkg: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--cells) CELLS=${2:?}; shift 2 ;;
	--jobs) JOBS=${2:?}; shift 2 ;;
	--cache) CACHE=${2:?}; shift 2 ;;
	--debs) DEBS=${2:?}; shift 2 ;;
	--prev-debs) PREV=${2:?}; shift 2 ;;
	--boot-timeout) BOOT_TIMEOUT=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive integer"
for c in ${CELLS//,/ }; do
	case $c in systemd | sysvinit) ;; *) die "unknown cell $c (systemd, sysvinit)" ;; esac
done
[ "$(id -u)" = 0 ] || die "needs root"
for t in qemu-system-x86_64 mmdebstrap mke2fs jq timeout flock dpkg-deb; do
	command -v "$t" >/dev/null || die "$t missing (make node-deps)"
done

START=$(date +%s)
mkdir -p "$CACHE/results"
CACHE=$(cd "$CACHE" && pwd)
find "$CACHE/results" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | sort | head -n -4 |
	while read -r old; do rm -rf "$old"; done
RES=$(mktemp -d "$CACHE/results/$(date +%Y%m%d-%H%M%S)-XXXX")
ln -sfn "$(basename "$RES")" "$CACHE/results/latest"
WORK=$(mktemp -d "$CACHE/run.XXXXXX")

declare -A CELLPID=()
cleanup() {
	local pid f q
	for f in "$WORK"/*.qemu.pid; do
		[ -s "$f" ] || continue
		q=$(cat "$f" 2>/dev/null || true)
		[ -n "$q" ] && kill -KILL "$q" 2>/dev/null || true
	done
	for pid in "${!CELLPID[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${!CELLPID[@]}"; do wait "$pid" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM HUP

# --- the packages ---------------------------------------------------------------------
T0=$(date +%s)
if [ -z "$DEBS" ]; then
	DEBS=$REPO_DIR/build/deb
	"$REPO_DIR/scripts/deb/build-deb.sh" "$DEBS" >"$RES/deb.log" 2>&1 ||
		{ tail -n 15 "$RES/deb.log" >&2; die "make deb failed (log: $RES/deb.log)"; }
fi
if [ -z "$PREV" ]; then
	PREV=$REPO_DIR/build/deb-prev
	"$REPO_DIR/scripts/deb/build-deb.sh" "$PREV" "1~prev" >"$RES/deb-prev.log" 2>&1 ||
		{ tail -n 15 "$RES/deb-prev.log" >&2; die "make deb DEB_REVISION=1~prev failed (log: $RES/deb-prev.log)"; }
fi
DEBVER=$(dpkg-parsechangelog -l "$REPO_DIR/debian/changelog" -S Version)
ARCH=$(dpkg --print-architecture)
pick() {	# DIR PACKAGE: the newest .deb of PACKAGE in DIR
	find "$1" -maxdepth 1 -name "$2_*.deb" | sort -V | tail -n 1
}
CUR_DEB=$(pick "$DEBS" cgtrack) CUR_DEV=$(pick "$DEBS" cgtrack-dev)
PREV_DEB=$(pick "$PREV" cgtrack) PREV_DEV=$(pick "$PREV" cgtrack-dev)
for f in CUR_DEB CUR_DEV PREV_DEB PREV_DEV; do
	[ -n "${!f}" ] || die "no $f .deb (in $DEBS / $PREV)"
done
dpkg --compare-versions "$(dpkg-deb -f "$PREV_DEB" Version)" lt "$(dpkg-deb -f "$CUR_DEB" Version)" ||
	die "the previous package $(basename "$PREV_DEB") is not older than $(basename "$CUR_DEB")"
log "packages ($(($(date +%s) - T0)) s): $(basename "$PREV_DEB") -> $(basename "$CUR_DEB")"

# --- images: build-image.sh, unchanged, beside our package lists -------------------------
# variant PACKAGES-FILE-CONTENT -> image dir
declare -A IMG=()
image() {	# VARIANT
	local v=$1 farm=$CACHE/$1/src base=$SCRIPT_DIR/packages.bookworm
	mkdir -p "$farm/scripts/node" "$farm/scripts/lib"
	cp "$SCRIPT_DIR/build-image.sh" "$farm/scripts/node/build-image.sh"
	cp "$REPO_DIR/scripts/lib/host-mirror.sh" "$farm/scripts/lib/host-mirror.sh"
	{
		echo "# generated by scripts/node/pkg-run.sh from scripts/node/packages.bookworm ($v)"
		# (uidmap, dbus-user-session: make node's rootless podman only)
		case $v in
		systemd) grep -v -e '^#' -e '^uidmap$' -e '^dbus-user-session$' "$base" ;;
		# systemd stays installed (not as PID 1): build-image.sh asks its version
		sysvinit) grep -v -e '^#' -e '^systemd-sysv$' -e '^systemd-container$' \
			-e '^uidmap$' -e '^dbus-user-session$' "$base"
			printf '%s\n' sysvinit-core systemd cron ;;
		esac
		printf '%s\n' prometheus-node-exporter curl
	} >"$farm/scripts/node/packages.bookworm.new"
	cmp -s "$farm/scripts/node/packages.bookworm.new" "$farm/scripts/node/packages.bookworm" ||
		mv "$farm/scripts/node/packages.bookworm.new" "$farm/scripts/node/packages.bookworm"
	rm -f "$farm/scripts/node/packages.bookworm.new"
	"$farm/scripts/node/build-image.sh" bookworm "$CACHE/$v/images"
}
for c in ${CELLS//,/ }; do
	IMG[$c]=$(image "$c") || die "image $c could not be built"
done

# --- staging: the .debs and the scenario into each image's root --------------------------
stage() {	# CELL
	local c=$1 root=${IMG[$1]}/root
	rm -rf "$root/opt/pkg" "$root/var/lib/pkg-scenario"
	install -d "$root/opt/pkg/cur" "$root/opt/pkg/prev"
	cp "$CUR_DEB" "$CUR_DEV" "$root/opt/pkg/cur/"
	cp "$PREV_DEB" "$PREV_DEV" "$root/opt/pkg/prev/"
	install -m 0755 "$SCRIPT_DIR/pkg-scenario.sh" "$root/opt/pkg/scenario.sh"
	case $c in
	systemd)
		cat >"$root/etc/systemd/system/pkg-scenario.service" <<-'EOF'
		# cgtrack package scenario (scripts/node/pkg-run.sh)
		[Unit]
		Description=cgtrack package scenario
		After=multi-user.target docker.service prometheus-node-exporter.service
		[Service]
		Type=oneshot
		ExecStart=/opt/pkg/scenario.sh
		StandardOutput=tty
		StandardError=tty
		TTYPath=/dev/ttyS0
		TTYReset=no
		TTYVHangup=no
		TimeoutStartSec=infinity
		[Install]
		WantedBy=multi-user.target
		EOF
		ln -sfn /etc/systemd/system/pkg-scenario.service \
			"$root/etc/systemd/system/multi-user.target.wants/pkg-scenario.service"
		;;
	sysvinit)
		cat >"$root/etc/init.d/pkg-scenario" <<-'EOF'
		#!/bin/sh
		### BEGIN INIT INFO
		# Provides:          pkg-scenario
		# Required-Start:    $all
		# Required-Stop:
		# Default-Start:     2 3 4 5
		# Default-Stop:
		# Short-Description: cgtrack package scenario (scripts/node/pkg-run.sh)
		### END INIT INFO
		# in the background: the scenario powers the VM off when done
		[ "$1" = start ] || exit 0
		setsid /opt/pkg/scenario.sh </dev/null >/dev/ttyS0 2>&1 &
		exit 0
		EOF
		chmod 0755 "$root/etc/init.d/pkg-scenario"
		chroot "$root" update-rc.d pkg-scenario defaults >/dev/null 2>&1 ||
			die "update-rc.d pkg-scenario in the sysvinit image failed"
		grep -q '^cgroup2 ' "$root/etc/fstab" ||
			echo 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0' >>"$root/etc/fstab"
		# a serial login is not needed; inittab's gettys on tty1-6 are harmless
		;;
	esac
}
for c in ${CELLS//,/ }; do stage "$c"; done

# --- one boot -----------------------------------------------------------------------------
boot() {	# CELL N: sets BOOT_STATUS; log in RES/CELL.bootN.log
	local cell=$1 n=$2 log=$RES/$1.boot$2.log append qpid t0 began=0 el
	local pidf=$WORK/$cell.qemu.pid
	# no_timer_check: under a loaded host TCG's timer check fails ("IO-APIC +
	# timer doesn't work") and the kernel panics before it boots
	# apparmor=0: loading every AppArmor profile took minutes under TCG on a
	# loaded host; docker runs without it when the kernel has it off, and
	# AppArmor is not what these cells test
	append="console=ttyS0 root=/dev/vda rw panic=-1 no_timer_check apparmor=0 systemd.unified_cgroup_hierarchy=1"
	rm -f "$pidf"
	t0=$(date +%s)
	qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 2048 -smp 2 \
		-nodefaults -no-user-config -nographic -serial stdio -no-reboot \
		-kernel "${IMG[$cell]}/vmlinuz" -initrd "${IMG[$cell]}/initrd.img" -append "$append" \
		-drive "file=$WORK/$cell.img,if=virtio,format=raw,cache=unsafe" -nic none \
		-pidfile "$pidf" </dev/null >"$log" 2>&1 &
	qpid=$!
	BOOT_STATUS=
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 1
		el=$(($(date +%s) - t0))
		if [ "$began" = 0 ] && grep -a -q 'PKG: BEGIN' "$log"; then began=1; fi
		if [ "$began" = 0 ] && [ "$el" -ge "$BOOT_TIMEOUT" ]; then
			BOOT_STATUS="did not boot in time: no scenario ${BOOT_TIMEOUT}s after qemu started"
			break
		fi
		if [ "$el" -ge "$TIMEOUT" ]; then
			BOOT_STATUS="boot did not end in ${TIMEOUT}s"
			break
		fi
	done
	if [ -n "$BOOT_STATUS" ]; then
		kill -TERM "$qpid" 2>/dev/null || true
		sleep 2
		kill -KILL "$qpid" 2>/dev/null || true
	fi
	wait "$qpid" 2>/dev/null || true
	rm -f "$pidf"
	echo "$(($(date +%s) - t0))" >"$RES/$cell.boot$n.secs"
	# printable text only (the console has escape sequences and binary bytes)
	tr -d '\r' <"$log" | tr -cd '\11\12\40-\176' >"$log.clean"
	if [ -z "$BOOT_STATUS" ] && ! grep -q "^PKG: DONE boot=$n" "$log.clean"; then
		if grep -q "^PKG: BEGIN boot=$n" "$log.clean"; then BOOT_STATUS="scenario stopped before its end"
		else BOOT_STATUS="the scenario never ran (boot $n)"; fi
	fi
	if [ -n "$BOOT_STATUS" ]; then
		BOOT_STATUS+=" (last console line: $(grep -v '^[[:space:]]*$' "$log.clean" | tail -n 1 | cut -c1-120 | tr '|' '/'))"
	fi
}

run_cell() {	# CELL
	local cell=$1 n
	trap 'exit 1' TERM
	: >"$RES/$cell.results"
	if ! mke2fs -q -t ext4 -L noderoot -E root_owner=0:0 -d "${IMG[$cell]}/root" \
		"$WORK/$cell.img" 8G >"$RES/$cell.mke2fs.log" 2>&1; then
		echo "PKG: FAIL disk: mke2fs -d failed: $(tail -n1 "$RES/$cell.mke2fs.log")" >>"$RES/$cell.results"
		return
	fi
	for n in $(seq "$MAXBOOTS"); do
		boot "$cell" "$n"
		{ grep -a -E '^PKG: (PASS|FAIL) ' "$RES/$cell.boot$n.log.clean" || true; } |
			if [ "$n" = 1 ]; then cat; else sed -E 's/^(PKG: (PASS|FAIL) )/\1boot2:/'; fi >>"$RES/$cell.results"
		if [ -n "$BOOT_STATUS" ]; then
			echo "PKG: FAIL boot$n: $BOOT_STATUS" >>"$RES/$cell.results"
			break
		fi
		# sysvinit: the shutdown ending boot 1 stopped cgtrack (its init
		# script's line on the console)
		if [ "$cell" = sysvinit ] && [ "$n" = 1 ]; then
			# (grep reads it all: with -q it quit at the match, sed died of
			# SIGPIPE and pipefail made the check fail with the line there)
			if sed -n '/^PKG: DONE boot=1/,$p' "$RES/$cell.boot1.log.clean" |
				grep -a 'cgtrack: stopped (pid' >/dev/null; then
				echo "PKG: PASS shutdown.init_stop" >>"$RES/$cell.results"
			else
				echo "PKG: FAIL shutdown.init_stop: no 'cgtrack: stopped' on the console after the scenario" >>"$RES/$cell.results"
			fi
		fi
		grep -q '^PKG: END' "$RES/$cell.boot$n.log.clean" && break
	done
	rm -f "$WORK/$cell.img"
	log "$(printf '%-9s boots %s s, %s pass, %s fail' "$cell" \
		"$(cat "$RES/$cell".boot*.secs 2>/dev/null | paste -sd+)" \
		"$(grep -c '^PKG: PASS' "$RES/$cell.results")" "$(grep -c '^PKG: FAIL' "$RES/$cell.results")")"
}

CL=(${CELLS//,/ })
log "${#CL[@]} cells (${CELLS}), $JOBS at once; logs: $RES"
for c in "${CL[@]}"; do
	while [ ${#CELLPID[@]} -ge "$JOBS" ]; do
		for pid in "${!CELLPID[@]}"; do
			kill -0 "$pid" 2>/dev/null && continue
			wait "$pid" 2>/dev/null || true
			unset "CELLPID[$pid]"
		done
		sleep 1
	done
	run_cell "$c" &
	CELLPID[$!]=$c
done
for pid in "${!CELLPID[@]}"; do wait "$pid" 2>/dev/null || true; done
CELLPID=()

# --- the table ------------------------------------------------------------------------------
REQ_COMMON="install.dpkg install.running install.status install.enabled install.version install.existed later.started metrics.written metrics.rewritten metrics.up metrics.scraped upgrade.dpkg upgrade.running upgrade.status upgrade.version upgrade.restarted upgrade.same_programs upgrade.no_entry_lost upgrade.during boot2:boot.running boot2:boot.status boot2:reboot.back boot2:reboot.later boot2:purge_stopped.apt_purge boot2:purge_stopped.nothing_left"
REQ_systemd="install.timer boot2:reinstall.existed boot2:purge_running.nothing_left"
REQ_sysvinit="sysv.stop sysv.status_stopped sysv.start sysv.adopted shutdown.init_stop boot2:shutdown.clean boot2:boot.bpffs"
bad=0 tpass=0 tfail=0
for c in "${CL[@]}"; do
	req="REQ_$c"
	for r in $REQ_COMMON ${!req}; do
		grep -qE "^PKG: (PASS|FAIL) $r(:|\$)" "$RES/$c.results" ||
			echo "PKG: FAIL $r: no result" >>"$RES/$c.results"
	done
done
group() { sed -E 's/^PKG: (PASS|FAIL) ([^ :.]+(:[^ :.]+)?).*/\2/'; }
GROUPS_=$(for c in "${CL[@]}"; do group <"$RES/$c.results"; done | awk '!seen[$0]++')
{
	printf '| check |'
	for c in "${CL[@]}"; do printf ' %s (bookworm, %s) |' "$c" "$(cat "${IMG[$c]}/release")"; done
	printf '\n|---|'
	for _ in "${CL[@]}"; do printf -- '---|'; done
	printf '\n'
	for g in $GROUPS_; do
		printf '| %s |' "$g"
		for c in "${CL[@]}"; do
			lines=$(grep -E "^PKG: (PASS|FAIL) $g([.:]|\$)" "$RES/$c.results" || true)
			np=$(grep -c '^PKG: PASS' <<<"$lines" || true)
			nf=$(grep -c '^PKG: FAIL' <<<"$lines" || true)
			if [ -z "$lines" ]; then printf ' - |'
			elif [ "$nf" = 0 ]; then printf ' %s/%s pass |' "$np" "$np"
			else printf ' %s/%s pass; FAIL: %s |' "$np" "$((np + nf))" \
				"$(grep '^PKG: FAIL' <<<"$lines" | sed -E 's/^PKG: FAIL ([^ :]+(:[^ :]+)?)(:.*)?$/\1/' | paste -sd, | sed 's/,/, /g')"
			fi
		done
		printf '\n'
	done
	for c in "${CL[@]}"; do
		tpass=$((tpass + $(grep -c '^PKG: PASS' "$RES/$c.results" || true)))
		tfail=$((tfail + $(grep -c '^PKG: FAIL' "$RES/$c.results" || true)))
	done
	printf '\n%d cells, %d at once, qemu TCG -smp 2 -m 2048; boots (s): %s; wall time %d s. Logs: %s\n' \
		"${#CL[@]}" "$JOBS" \
		"$(for c in "${CL[@]}"; do printf '%s %s; ' "$c" "$(cat "$RES/$c".boot*.secs 2>/dev/null | paste -sd+)"; done)" \
		"$(($(date +%s) - START))" "$RES"
	printf '\nnode-pkg: %d passed, %d failed\n' "$tpass" "$tfail"
} >"$RES/summary.md"
[ "$tfail" = 0 ] || bad=1
if [ "$bad" = 1 ]; then
	echo "failures:" >>"$RES/summary.md"
	for c in "${CL[@]}"; do grep '^PKG: FAIL' "$RES/$c.results" | sed "s/^PKG: FAIL /  $c: /" >>"$RES/summary.md" || true; done
fi
cat "$RES/summary.md"
exit "$bad"
