#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-node.sh [options]
#
# cgtrack on a real node: Debian images with systemd as PID 1 and the
# container runtimes (build-image.sh, cached), cgtrack installed with
# `make install DESTDIR=<root> PREFIX=/usr/local` and cgtrack.service
# enabled as shipped, booted in qemu (TCG) per cgroup layout. Each cell boots
# the same disk twice: boot 1 runs scenario.sh, boot 2 checks the docker
# container left with --restart=always. Prints a markdown table (check group
# x image/layout) and exits 0 only if every check of every cell passed.
#
# Options:
#   --suites a,b        images (default bookworm; packages.<suite> must exist)
#   --layouts a,b       v2, hybrid (default v2,hybrid; hybrid needs systemd < 256)
#   --jobs N            cells at once (default 2)
#   --smp N             vCPUs of each VM (default 2)
#   --cache DIR         images and run logs (default <repo>/build/node)
#   --output DIR        cgtrack's build directory (default <repo>/build/node-out)
#   --boot-timeout S    seconds until the scenario must have begun (600)
#   --timeout S         seconds for a whole boot (1800)
#   --no-install        do not rebuild/reinstall cgtrack into the images
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)
SUITES=bookworm
LAYOUTS=v2,hybrid
JOBS=2
SMP=2
CACHE=$REPO_DIR/build/node
OUT=$REPO_DIR/build/node-out
BOOT_TIMEOUT=600
TIMEOUT=1800
INSTALL=1

usage() { sed -n '2,/^set -/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
log() { printf 'node: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--suites) SUITES=${2:?}; shift 2 ;;
	--layouts) LAYOUTS=${2:?}; shift 2 ;;
	--jobs) JOBS=${2:?}; shift 2 ;;
	--smp) SMP=${2:?}; shift 2 ;;
	--cache) CACHE=${2:?}; shift 2 ;;
	--output) OUT=${2:?}; shift 2 ;;
	--boot-timeout) BOOT_TIMEOUT=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--no-install) INSTALL=0; shift ;;
	-h | --help) usage; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "--jobs must be a positive integer"
[[ $SMP =~ ^[1-9][0-9]*$ ]] || die "--smp must be a positive integer"
for l in ${LAYOUTS//,/ }; do
	case $l in v2 | hybrid) ;; *) die "unknown layout $l (v2, hybrid)" ;; esac
done
[ "$(id -u)" = 0 ] || die "needs root"
for t in qemu-system-x86_64 mmdebstrap mke2fs jq timeout flock; do
	command -v "$t" >/dev/null || die "$t missing (make node-deps)"
done

START=$(date +%s)
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
mkdir -p "$CACHE/results"
find "$CACHE/results" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | sort | head -n -4 |
	while read -r old; do rm -rf "$old"; done
RES=$(mktemp -d "$CACHE/results/$(date +%Y%m%d-%H%M%S)-XXXX")
ln -sfn "$(basename "$RES")" "$CACHE/results/latest"
WORK=$(mktemp -d "$CACHE/run.XXXXXX")	# the disks (GBs, sparse): removed at exit

# --- cleanup: every qemu is killed by pid, whatever happens ---------------------
declare -A CELLPID=()	# cell subshell pid -> cell
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

# --- images --------------------------------------------------------------------
declare -A IMG=()
for s in ${SUITES//,/ }; do
	IMG[$s]=$("$SCRIPT_DIR/build-image.sh" "$s" "$CACHE") || die "image $s could not be built"
done

# --- cgtrack into the images, as a user installs it ---------------------------
# The CRI client's Python code (tests/cri), compiled here from Debian's
# api.proto: the images get the result, not the compiler.
CRI_API_CACHE=${CRI_API_CACHE:-$REPO_DIR/build/cri-api}
cri_api() {
	mkdir -p "$CRI_API_CACHE" &&
	/usr/bin/python3 -c "import sys; sys.path.insert(0, '$REPO_DIR/tests/cri'); import cri; cri.load_api('$CRI_API_CACHE')" \
		>"$RES/cri-api.log" 2>&1 ||
		die "the CRI client cannot be built (python3-grpc-tools; make node-deps): $(tail -n 3 "$RES/cri-api.log")"
}
# containerd as a kubeadm node configures it: the CRI plugin with runc's
# systemd cgroup driver; the sandbox image is local (imported by the
# scenario: no registry here). Debian's own config.toml plus those keys.
containerd_conf() {
	cat <<'CONF'
version = 2

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "docker.io/local/pause:node"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = "/etc/cni/net.d"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = true
  [plugins."io.containerd.internal.v1.opt"]
    path = "/var/lib/containerd/opt"
CONF
}
if [ "$INSTALL" = 1 ]; then
	cri_api
	log "building cgtrack (make OUTPUT=$OUT)"
	make -s -C "$REPO_DIR" OUTPUT="$OUT" all >"$RES/make.log" 2>&1 ||
		{ tail -n 20 "$RES/make.log" >&2; die "cgtrack does not build (log: $RES/make.log)"; }
	for s in ${SUITES//,/ }; do
		root=${IMG[$s]}/root
		make -s -C "$REPO_DIR" OUTPUT="$OUT" install DESTDIR="$root" PREFIX=/usr/local \
			>>"$RES/make.log" 2>&1 ||
			{ tail -n 20 "$RES/make.log" >&2; die "make install DESTDIR=$root failed"; }
		# enabled as `systemctl enable cgtrack` does it
		mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
		ln -sfn /usr/local/lib/systemd/system/cgtrack.service \
			"$root/etc/systemd/system/multi-user.target.wants/cgtrack.service"
		install -D -m 0755 "$SCRIPT_DIR/scenario.sh" "$root/opt/node/scenario.sh"
		rm -rf "$root/opt/node/cri"
		install -D -m 0644 -t "$root/opt/node/cri" "$REPO_DIR/tests/cri/cri.py" "$REPO_DIR/tests/cri/mkimage.py"
		install -D -m 0644 -t "$root/opt/node/cri/py" "$CRI_API_CACHE"/py/api_pb2.py "$CRI_API_CACHE"/py/api_pb2_grpc.py
		containerd_conf >"$root/etc/containerd/config.toml"
		install -D -m 0644 "$SCRIPT_DIR/node-scenario.service" \
			"$root/etc/systemd/system/node-scenario.service"
		ln -sfn /etc/systemd/system/node-scenario.service \
			"$root/etc/systemd/system/multi-user.target.wants/node-scenario.service"
		rm -rf "$root/var/lib/node"
		# the journal's warnings on the console log (ttyS0), for the
		# diagnosis of a boot that fails before the scenario runs
		mkdir -p "$root/etc/systemd/journald.conf.d"
		printf '[Journal]\nForwardToConsole=yes\nTTYPath=/dev/ttyS0\nMaxLevelConsole=warning\n' \
			>"$root/etc/systemd/journald.conf.d/node-console.conf"
		# no first-boot ConditionNeedsUpdate= jobs (hwdb, ldconfig, catalog):
		# the image is made up to date when it is built
		touch "$root/etc/.updated" "$root/var/.updated"
		# podman's boot-time units, for containers no scenario makes:
		# auto-update and restart took 36-41 s of the 2 vCPUs at boot
		for u in podman-auto-update.timer podman-auto-update.service podman-restart.service; do
			ln -sfn /dev/null "$root/etc/systemd/system/$u"
		done
	done
fi

# --- one cell: a fresh disk, booted twice -----------------------------------------
# boot CELL N: runs qemu (bounded), sets BOOT_STATUS; log in RES/CELL.bootN.log
boot() {
	local cell=$1 n=$2 suite=${1%%-*} layout=${1#*-} log=$RES/$1.boot$2.log append qpid t0 began=0
	local out=$RES/$1.boot$2.node	# the scenario's own serial port (ttyS1)
	local done_t=
	local pidf=$WORK/$cell.qemu.pid
	# no_timer_check: TCG on a loaded host can fail the IO-APIC timer check.
	# apparmor=0: loading Debian's AppArmor profiles took 50 s of every
	# boot under TCG on an idle host (apparmor.service runs before
	# sysinit.target, so everything waited), 1 to 3 min on a loaded one;
	# docker, podman and LXC run unconfined without it (as the issue allows)
	append="console=ttyS0 root=/dev/vda rw panic=-1 no_timer_check apparmor=0"
	case $layout in
	v2) append+=" systemd.unified_cgroup_hierarchy=1" ;;
	hybrid) append+=" systemd.unified_cgroup_hierarchy=0" ;;
	esac
	rm -f "$pidf" "$out"
	t0=$(date +%s)
	qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 2048 -smp "$SMP" \
		-nodefaults -no-user-config -nographic -serial stdio -serial "file:$out" -no-reboot \
		-kernel "${IMG[$suite]}/vmlinuz" -initrd "${IMG[$suite]}/initrd.img" -append "$append" \
		-drive "file=$WORK/$cell.img,if=virtio,format=raw,cache=unsafe" -nic none \
		-pidfile "$pidf" </dev/null >"$log" 2>&1 &
	qpid=$!
	BOOT_STATUS=
	while kill -0 "$qpid" 2>/dev/null; do
		sleep 1
		el=$(($(date +%s) - t0))
		if [ "$began" = 0 ] && grep -qs 'NODE: BEGIN' "$out"; then began=1; fi
		if [ "$began" = 0 ] && [ "$el" -ge "$BOOT_TIMEOUT" ]; then
			BOOT_STATUS="did not boot in time: no scenario ${BOOT_TIMEOUT}s after qemu started"
			break
		fi
		# the scenario is done: the shutdown gets 180 s, then qemu is
		# stopped (the results are in; ext4 recovers its journal at boot 2)
		if [ -z "$done_t" ] && grep -qs "NODE: DONE boot=$n" "$out"; then done_t=$el; fi
		if [ -n "$done_t" ] && [ $((el - done_t)) -ge 180 ]; then
			log "$cell boot $n: scenario done, the VM did not power off within 180 s: stopping it"
			kill -TERM "$qpid" 2>/dev/null || true
			sleep 2
			kill -KILL "$qpid" 2>/dev/null || true
			break
		fi
		if [ "$el" -ge "$TIMEOUT" ]; then
			BOOT_STATUS="scenario did not finish in ${TIMEOUT}s"
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
	tr -d '\r' <"$log" >"$log.clean"
	tr -d '\r' <"$out" >"$out.clean" 2>/dev/null || : >"$out.clean"
	if [ -z "$BOOT_STATUS" ] && ! grep -q "^NODE: DONE boot=$n" "$out.clean"; then
		if grep -q "^NODE: BEGIN boot=$n" "$out.clean"; then BOOT_STATUS="scenario stopped before its end"
		else BOOT_STATUS="the scenario never ran (boot $n)"; fi
	fi
	if [ -n "$BOOT_STATUS" ]; then
		BOOT_STATUS+=" (last console line: $(grep -av '^[[:space:]]*$' "$log.clean" | tail -n 1 | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' | cut -c1-120 | tr '|' '/'))"
	fi
}

# early_panic CELL N: the kernel panicked before the scenario began (the
# disk untouched: root was not mounted, or was mounted and left)
early_panic() {
	[ -n "$BOOT_STATUS" ] && ! grep -q "^NODE: BEGIN boot=$2" "$RES/$1.boot$2.node.clean" &&
		grep -aq 'Kernel panic - not syncing' "$RES/$1.boot$2.log.clean"
}

run_cell() {
	local cell=$1 n
	trap 'exit 1' TERM
	: >"$RES/$cell.results"
	if ! mke2fs -q -t ext4 -L noderoot -E root_owner=0:0 -d "${IMG[${cell%%-*}]}/root" \
		"$WORK/$cell.img" 8G >"$RES/$cell.mke2fs.log" 2>&1; then
		echo "NODE: FAIL disk: mke2fs -d failed: $(tail -n1 "$RES/$cell.mke2fs.log")" >>"$RES/$cell.results"
		return
	fi
	for n in 1 2; do
		boot "$cell" "$n"
		if early_panic "$cell" "$n"; then
			# qemu TCG's cross-modified code, with 2 vCPUs, has faulted
			# a kernel at boot (an int3 left by its jump-label patching,
			# 1.5 s in): not cgtrack's, which had not run. Once again.
			log "$cell boot $n: the kernel died before the scenario began" \
				"($(grep -a -m1 -E 'Oops|Kernel panic' "$RES/$cell.boot$n.log.clean" | cut -c1-80)); booting again"
			mv "$RES/$cell.boot$n.log.clean" "$RES/$cell.boot$n.panic.log"
			boot "$cell" "$n"
		fi
		# (no result lines at all is not an error here: counted below)
		{ grep -E '^NODE: (PASS|FAIL) ' "$RES/$cell.boot$n.node.clean" || true; } |
			if [ "$n" = 1 ]; then cat; else sed -E 's/^(NODE: (PASS|FAIL) )/\1boot2:/'; fi >>"$RES/$cell.results"
		if [ -n "$BOOT_STATUS" ]; then
			echo "NODE: FAIL boot$n: $BOOT_STATUS" >>"$RES/$cell.results"
			break
		fi
	done
	rm -f "$WORK/$cell.img"
	log "$(printf '%-16s boots %s s, %s pass, %s fail' "$cell" \
		"$(cat "$RES/$cell".boot*.secs 2>/dev/null | paste -sd+)" \
		"$(grep -c '^NODE: PASS' "$RES/$cell.results")" "$(grep -c '^NODE: FAIL' "$RES/$cell.results")")"
}

CELLS=()
for s in ${SUITES//,/ }; do for l in ${LAYOUTS//,/ }; do CELLS+=("$s-$l"); done; done
log "${#CELLS[@]} cells (${SUITES} x ${LAYOUTS}), $JOBS at once; logs: $RES"
for c in "${CELLS[@]}"; do
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

# --- the table ----------------------------------------------------------------------
# every cell must report these checks (a missing result is a failure)
REQUIRED="boot.active boot.status docker podman podman_pod containerd cri cri_guaranteed cri_burstable cri_besteffort lxc restart.active kill9.restarted only_containers boot2:reboot.always boot2:reboot.existed"
bad=0 tpass=0 tfail=0
for c in "${CELLS[@]}"; do
	req=$REQUIRED
	# rootless podman's systemd cgroups exist on cgroup v2 only
	[ "${c#*-}" = v2 ] && req+=" podman_rootless"
	for r in $req; do
		grep -qE "^NODE: (PASS|FAIL) $r(:|\$)" "$RES/$c.results" ||
			echo "NODE: FAIL $r: no result" >>"$RES/$c.results"
	done
done
group() { sed -E 's/^NODE: (PASS|FAIL) ([^ :.]+(:[^ :.]+)?).*/\2/'; }
GROUPS_=$(for c in "${CELLS[@]}"; do group <"$RES/$c.results"; done | awk '!seen[$0]++')
{
	printf '| check |'
	for c in "${CELLS[@]}"; do printf ' %s (%s, systemd %s) |' "${c%%-*} ${c#*-}" "$(cat "${IMG[${c%%-*}]}/release")" "$(cut -d- -f1 "${IMG[${c%%-*}]}/systemd")"; done
	printf '\n|---|'
	for _ in "${CELLS[@]}"; do printf -- '---|'; done
	printf '\n'
	for g in $GROUPS_; do
		printf '| %s |' "$g"
		for c in "${CELLS[@]}"; do
			lines=$(grep -E "^NODE: (PASS|FAIL) $g([.:]|\$)" "$RES/$c.results" || true)
			np=$(grep -c '^NODE: PASS' <<<"$lines" || true)
			nf=$(grep -c '^NODE: FAIL' <<<"$lines" || true)
			if [ -z "$lines" ]; then printf ' - |'
			elif [ "$nf" = 0 ]; then printf ' %s/%s pass |' "$np" "$np"
			else printf ' %s/%s pass; FAIL: %s |' "$np" "$((np + nf))" \
				"$(grep '^NODE: FAIL' <<<"$lines" | sed -E 's/^NODE: FAIL ([^ :]+(:[^ :]+)?)(:.*)?$/\1/' | paste -sd, | sed 's/,/, /g')"
			fi
		done
		printf '\n'
	done
	for c in "${CELLS[@]}"; do
		tpass=$((tpass + $(grep -c '^NODE: PASS' "$RES/$c.results" || true)))
		tfail=$((tfail + $(grep -c '^NODE: FAIL' "$RES/$c.results" || true)))
	done
	printf '\n%d cells, %d at once, qemu TCG -smp %d -m 2048; boots (s): %s; wall time %d s. Logs: %s\n' \
		"${#CELLS[@]}" "$JOBS" "$SMP" \
		"$(for c in "${CELLS[@]}"; do printf '%s %s; ' "$c" "$(cat "$RES/$c".boot*.secs 2>/dev/null | paste -sd+)"; done)" \
		"$(($(date +%s) - START))" "$RES"
	printf '\nnode: %d passed, %d failed\n' "$tpass" "$tfail"
} >"$RES/summary.md"
[ "$tfail" = 0 ] || bad=1
if [ "$bad" = 1 ]; then
	echo "failures:" >>"$RES/summary.md"
	for c in "${CELLS[@]}"; do grep '^NODE: FAIL' "$RES/$c.results" | sed "s/^NODE: FAIL /  $c: /" >>"$RES/summary.md" || true; done
fi
cat "$RES/summary.md"
exit "$bad"
