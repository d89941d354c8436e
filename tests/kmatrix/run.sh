#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cgtrack in a kmatrix VM (busybox sh, run as /payload/run.sh by the
# initramfs of scripts/kmatrix/build-initramfs.sh; `make kmatrix-payload`
# puts it next to the static cgtrack, kmx-verifier and example consumers).
#
# For each cgroup mode the layout offers (v2: auto, v2; v1: auto, v1 on the
# cpu hierarchy; hybrid: auto, v1 on cpu, v2 on the unified hierarchy):
# `cgtrack run` loads, container cgroups of every runtime layout get the
# right entries, non-containers none, rmdir marks dead and the daemon's
# sweep deletes, an exec in a new mount namespace starts a container, the
# query commands and the example consumers agree. Cgroups are made at the
# hierarchy root, where the runtimes make them; the VM is thrown away.
#
# Once per boot: without BTF, `cgtrack load` must say so (kernel_check_no_btf).
#
# Result lines: KMATRIX: PASS <mode>.<case> | KMATRIX: FAIL <mode>.<case> <why>
# Every wait is bounded (a load gets KMATRIX_LOAD_WAIT s, the rest seconds);
# a boot that hangs anyway is cut by run-matrix.sh --timeout.

# shellcheck disable=SC3043  # `local`: busybox ash has it
P=${KMATRIX_PAYLOAD_DIR:-/payload}
CGT=$P/cgtrack
PIN=/sys/fs/bpf/cgtrack-kmx
W=/tmp/kmx
LOAD_WAIT=${KMATRIX_LOAD_WAIT:-90}	# seconds for `cgtrack run` to be ready (TCG)
layout=${KMATRIX_LAYOUT:-$(cat /run/kmatrix/layout 2>/dev/null || echo v2)}
# run-matrix.sh --append kmatrix.verifier_raw=1: the raw verifier statistics
case " $(cat /proc/cmdline) " in *" kmatrix.verifier_raw=1 "*) KMX_VERIFIER_RAW=1 ;; esac

I=5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
J=84e9ffffe97fea4c5a0f01d401611cbafbf7e559fc6190ed74abfc2b25e889d4
K=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
E=e1e2e3e4e5e6e7e8e9e0e1e2e3e4e5e6e7e8e9e0e1e2e3e4e5e6e7e8e9e0abcd
T=8a28a84664034325be01ca46b33d1dd3
PU=26ab26cd-6409-443f-a13c-fd6c231207c8
PS=26ab26cd_6409_443f_a13c_fd6c231207c8
KB=kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$PS.slice
KU=kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod$PS.slice

# case <TAB> path <TAB> container id <TAB> runtime <TAB> root <TAB> pod uid (- none)
LAYOUTS="docker	docker/$I	$I	docker	true	-
docker_scope	system.slice/docker-$J.scope	$J	docker	true	-
docker_scope_sub	system.slice/docker-$K.scope/init.scope	$K	docker	false	-
docker_scope_root	system.slice/docker-$K.scope	$K	docker	true	-
k8s_cgroupfs	kubepods/besteffort/pod$PU/$J	$J	containerd	true	$PU
k8s_systemd_containerd	$KB/cri-containerd-$I.scope	$I	containerd	true	$PU
k8s_systemd_crio	$KU/crio-$K.scope	$K	crio	true	$PU
podman_scope	machine.slice/libpod-$I.scope	$I	podman	true	-
podman_container	machine.slice/libpod-$I.scope/container	$I	podman	false	-
lxc	lxc.payload.web01	web01	lxc	true	-
ecs	ecs/$T/$T-1	$T-1	ecs	true	-
containerd_default	default/$I	$I	containerd	true	-"

# never containers: each must have no entry
NONE="system.slice/foo.service
$KU/crio-conmon-$K.scope
machine.slice/libpod-conmon-$J.scope
kubepods/besteffort/pod$PU
$KB
docker
system.slice
kubepods.slice"

# top-level directories we make (removed between modes)
TOPS="docker system.slice kubepods kubepods.slice machine.slice lxc.payload.web01 ecs default"

TAB=$(printf '\t')

pass() { echo "KMATRIX: PASS $1"; }
fail() { c=$1; shift; echo "KMATRIX: FAIL $c $*" | tr '\n' ' ' | cut -c1-400; echo; }
info() { echo "KMATRIX: INFO $*"; }
now_ms() { awk '{ printf "%d", $1 * 1000 }' /proc/uptime; }

# wait_for TENTHS CMD...: retry CMD every 0.1 s, at most TENTHS times
wait_for() {
	local left="$1"
	shift
	while [ "$left" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		left=$((left - 1))
	done
	return 1
}

# cmd_get's condition: the entry of KEY is STARTED (the exec program ran)
# shellcheck disable=SC2317  # called through wait_for
web01_started() {
	timeout 20 "$CGT" get --json --pin-dir "$PIN" "$1" 2>/dev/null |
		grep -q '"state":"started"'
}

# cmd_resolve's condition: mntns_pids holds a process of MNTNS
# shellcheck disable=SC2317  # called through wait_for
resolved_by_map() {
	timeout 20 "$CGT" resolve --json --pin-dir "$PIN" "$1" / 2>/dev/null |
		grep -q '"pid_from":"map"'
}

# the mount of a hierarchy: "cgroup2" or a v1 controller
hier_mount() {
	if [ "$1" = cgroup2 ]; then
		awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts
	else
		awk -v c="$1" '$3 == "cgroup" && ("," $4 ",") ~ ("," c ",") { print $2; exit }' /proc/mounts
	fi
}

v1_has() { grep -qx "$1" /run/kmatrix/v1-mounted 2>/dev/null; }

# last lines of a file on one line, for a FAIL reason
tail_of() { tail -n "${2:-4}" "$1" 2>/dev/null | tr '\n' '|' | sed 's/|$//'; }

# entries: `cgtrack list --json`, one object per line
entries() {
	timeout 20 "$CGT" list --json --pin-dir "$PIN" 2>"$W/list.err" |
		sed -e 's/^\[//' -e 's/\]$//' -e 's/},{"key"/}\n{"key"/g'
}
# entry LIST KEY: the object with that key
entry() { printf '%s\n' "$1" | grep "^{\"key\":$2,"; }
# jget OBJECT FIELD: a field's value (strings unquoted)
jget() {
	printf '%s\n' "$1" | sed -nE "s/.*\"$2\":(\"[^\"]*\"|[^,}]*).*/\\1/p" | sed 's/^"\(.*\)"$/\1/'
}

# run_in DIR CMD...: a child joins DIR, then execs CMD; waits for it
run_in() {
	local dir="$1"
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}

start_daemon() {	# LABEL ARGS...
	local lbl="$1" t0
	shift
	rm -f "$W/pid"
	"$CGT" run --pin-dir "$PIN" --pidfile "$W/pid" --expiry 3 --no-enrich --containers-map "$@" \
		>"$W/$lbl.out" 2>"$W/$lbl.err" &
	DPID=$!
	t0=$(now_ms)
	if wait_for $((LOAD_WAIT * 10)) test -s "$W/pid"; then
		READY_MS=$(($(now_ms) - t0))
		return 0
	fi
	if kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		echo "not ready after ${LOAD_WAIT}s" >>"$W/$lbl.err"
	fi
	wait "$DPID" 2>/dev/null
	DPID=""
	return 1
}

stop_daemon() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	wait_for 100 eval "! kill -0 $DPID" || kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=""
}

# consumer_start NAME READY-REGEX: an example consumer on our pins, output
# in $W/$m.NAME; consumer_stop DONE-REGEX: TERM, wait for its last print
consumer_start() {
	"$P/$1" --pin-dir "$PIN" >"$W/$m.$1" 2>&1 &
	CPID=$! COUT=$W/$m.$1
	wait_for 300 grep -q "$2" "$COUT" && return 0
	kill -KILL "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	return 1
}
consumer_stop() {
	kill -TERM "$CPID" 2>/dev/null
	wait_for 100 grep -q "$1" "$COUT" || kill -KILL "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
}

# remove our cgroup trees in a hierarchy, deepest first
rm_trees() {
	local top
	for top in $TOPS; do
		[ -d "$1/$top" ] || continue
		find "$1/$top" -depth -type d 2>/dev/null | while read -r dir; do rmdir "$dir" 2>/dev/null; done
	done
}

# test_mode LABEL CONTROLLER ARGS...: the whole sequence in one mode;
# CONTROLLER is what it must track ("cgroup2" or a v1 controller)
test_mode() {
	m=$1 want_ctrl=$2 t_mode=$(now_ms)
	shift 2
	H=$(hier_mount "$want_ctrl")
	if [ -z "$H" ]; then
		fail "$m.load" "no $want_ctrl hierarchy mounted"
		return
	fi
	rm_trees "$H"
	[ -f "$H/cpuset.cpus" ] && echo 1 >"$H/cgroup.clone_children"
	# a container that exists before the start: populate adds it as existed
	mkdir -p "$H/docker/$E"

	# --- load -----------------------------------------------------------
	info "$m: cgtrack run $* (want $want_ctrl at $H)"
	if ! start_daemon "$m" "$@"; then
		why=$(grep -E 'error:|not ready' "$W/$m.err" | tail -n 3 | tr '\n' '|')
		fail "$m.load" "cgtrack run $*: ${why:-$(tail_of "$W/$m.err" 3)}"
		sed "s/^/KMATRIX: INFO $m: /" "$W/$m.err" | tail -n 60
		if [ -x "$P/kmx-verifier" ]; then
			case $want_ctrl in
			cgroup2) "$P/kmx-verifier" v2 ;;
			*) "$P/kmx-verifier" v1 "$(awk -v c="$want_ctrl" '!/^#/ { if ($1 == c) { print i; exit } i++ }' /proc/cgroups)" \
				"$(awk -v c="$want_ctrl" '$1 == c { print $2 }' /proc/cgroups)" ;;
			esac
		fi
		"$CGT" unload --pin-dir "$PIN" >/dev/null 2>&1
		rm_trees "$H"
		return
	fi
	pass "$m.load"
	line=$(grep -m1 -E 'info: (loaded|adopted the pinned programs); tracking ' "$W/$m.err")
	info "$m: ready in $READY_MS ms: ${line#*info: }"
	grep -i 'warn' "$W/$m.err" | sed "s/^/KMATRIX: INFO $m: /"

	# --- which hierarchy, said in the log ---------------------------------
	case $want_ctrl in
	cgroup2) want="tracking cgroup2 (v2, hierarchy 0) at $H" ;;
	*) want="tracking $want_ctrl (v1, hierarchy " ;;
	esac
	case $line in
	*"$want"*)
		if [ "$m" = auto ] && [ "$want_ctrl" != cgroup2 ] && [ "$want_ctrl" != cpuset ] &&
		   ! grep -q "cpuset has no hierarchy here; tracking the '$want_ctrl' hierarchy instead" "$W/$m.err"; then
			fail "$m.hierarchy" "no warning that cpuset is missing: $(tail_of "$W/$m.err")"
		else
			pass "$m.hierarchy"
		fi
		;;
	*) fail "$m.hierarchy" "want '$want...', log says '$line'" ;;
	esac

	if [ -x "$P/kmx-verifier" ] && [ "$m" = auto ]; then
		KMX_VERIFIER_RAW=${KMX_VERIFIER_RAW:-} "$P/kmx-verifier" "$PIN" || info "kmx-verifier exit $?"
	fi

	# --- populate: the container that was there before ---------------------
	list=$(entries)
	e=$(entry "$list" "$(stat -c %i "$H/docker/$E")")
	got="$(jget "$e" container_id) $(jget "$e" runtime) $(jget "$e" state)"
	if [ "$got" = "$E docker existed" ]; then pass "$m.populate_existed"
	else fail "$m.populate_existed" "want '$E docker existed', got '$got'"; fi

	# --- every layout: mkdir, then the entry ---------------------------------
	printf '%s\n' "$LAYOUTS" | while IFS="$TAB" read -r c rel id rt root pod; do
		mkdir -p "$H/$rel"
	done
	printf '%s\n' "$NONE" | while read -r rel; do mkdir -p "$H/$rel"; done
	list=$(entries)
	keys=" $(stat -c %i "$H/docker/$E") "
	printf '%s\n' "$LAYOUTS" >"$W/layouts"
	while IFS="$TAB" read -r c rel id rt root pod; do
		[ "$pod" = - ] && pod=""
		key=$(stat -c %i "$H/$rel")
		keys="$keys$key "
		e=$(entry "$list" "$key")
		want="$id $rt $root [$pod] created true /$rel"
		got="$(jget "$e" container_id) $(jget "$e" runtime) $(jget "$e" root) [$(jget "$e" pod_uid)] $(jget "$e" state) $(jget "$e" alive) $(jget "$e" path)"
		if [ "$got" = "$want" ]; then pass "$m.$c"
		else fail "$m.$c" "want '$want', got '${e:+$got}${e:-no entry}'"; fi
	done <"$W/layouts"

	# --- nothing else has an entry -------------------------------------------
	extra=""
	for key in $(printf '%s\n' "$list" | sed -n 's/^{"key":\([0-9]*\),.*/\1/p'); do
		case $keys in *" $key "*) ;; *) extra="$extra $(jget "$(entry "$list" "$key")" path)" ;; esac
	done
	if [ -z "$extra" ] && [ -s "$W/layouts" ]; then pass "$m.not_containers"
	else fail "$m.not_containers" "entries for non-containers:$extra"; fi

	# --- the ring buffer reached the daemon ------------------------------------
	if wait_for 50 grep -q "^+ docker $I cgroup=" "$W/$m.out"; then pass "$m.events"
	else fail "$m.events" "no '+ docker $I' line from the daemon: $(tail_of "$W/$m.out")"; fi

	# --- STARTED -----------------------------------------------------------------
	run_in "$H/docker/$I" unshare -m /bin/true
	run_in "$H/system.slice/docker-$J.scope" /bin/true
	run_in "$H/system.slice/docker-$K.scope/init.scope" unshare -m /bin/true
	list=$(entries)
	s1=$(jget "$(entry "$list" "$(stat -c %i "$H/docker/$I")")" state)
	s2=$(jget "$(entry "$list" "$(stat -c %i "$H/system.slice/docker-$J.scope")")" state)
	s3=$(jget "$(entry "$list" "$(stat -c %i "$H/system.slice/docker-$K.scope/init.scope")")" state)
	s4=$(jget "$(entry "$list" "$(stat -c %i "$H/system.slice/docker-$K.scope")")" state)
	if [ "$s1" = started ]; then pass "$m.started"
	else fail "$m.started" "exec under unshare -m in docker/<id>: state '$s1', want started"; fi
	if [ "$s2" = created ]; then pass "$m.same_mntns_not_started"
	else fail "$m.same_mntns_not_started" "exec in the parent's mount namespace: state '$s2', want created"; fi
	if [ "$s3 $s4" = "started started" ]; then pass "$m.started_sub"
	else fail "$m.started_sub" "exec in init.scope: sub '$s3', container '$s4', want started started"; fi
	if wait_for 50 grep -q "^started docker $I " "$W/$m.out"; then pass "$m.started_event"
	else fail "$m.started_event" "no 'started docker $I' line: $(tail_of "$W/$m.out")"; fi

	# --- the query commands: pid, get, status, resolve --------------------------
	d=$H/lxc.payload.web01
	key=$(stat -c %i "$d")
	sh -c 'echo $$ > "$0/cgroup.procs" && exec unshare -m sleep 30' "$d" &
	bg=$!
	# Wait for what cmd_get and cmd_resolve assert, not for a proxy: the
	# kernel sets /proc/PID/comm during exec, before sched_process_exec
	# runs cgtrack's program, so comm reading "sleep" proved nothing.
	wait_for 100 web01_started "$key"
	mntns=$(stat -L -c %i "/proc/$bg/ns/mnt")
	wait_for 100 resolved_by_map "$mntns"
	out=$(timeout 20 "$CGT" pid --json --pin-dir "$PIN" "$bg" 2>&1)
	case $out in
	*'"container_id":"web01"'*) pass "$m.cmd_pid" ;;
	*) fail "$m.cmd_pid" "cgtrack pid $bg: $out" ;;
	esac
	out=$(timeout 20 "$CGT" get --json --pin-dir "$PIN" "$key" 2>&1)
	case $out in
	*'"container_id":"web01"'*'"state":"started"'*) pass "$m.cmd_get" ;;
	*) fail "$m.cmd_get" "cgtrack get $key: $out" ;;
	esac
	out=$(timeout 20 "$CGT" resolve --json --pin-dir "$PIN" "$mntns" /payload/run.sh 2>&1)
	case $out in
	*'"pid_from":"map"'*'"host_path":"'*) pass "$m.cmd_resolve" ;;
	*) fail "$m.cmd_resolve" "cgtrack resolve $mntns /payload/run.sh (want pid_from map): $out" ;;
	esac
	kill -TERM "$bg" 2>/dev/null
	wait "$bg" 2>/dev/null
	if out=$(timeout 20 "$CGT" status --pin-dir "$PIN" 2>&1); then pass "$m.cmd_status"
	else fail "$m.cmd_status" "$(printf '%s\n' "$out" | grep -iE 'fail|error|warn|not ' | head -n 3 | tr '\n' '|')"; fi

	# --- the example consumers read the pinned maps in their own programs ---------
	if [ -x "$P/execcount" ]; then
		if consumer_start execcount '^counting execs'; then
			for _ in 1 2 3; do run_in "$H/$KB/cri-containerd-$I.scope" /bin/true; done
			consumer_stop '^EXECS'
			got=$(awk -v id="$I" '$2 == id { print $1 }' "$W/$m.execcount")
			if [ "${got:-0}" -ge 3 ] 2>/dev/null; then pass "$m.consumer_execcount"
			else fail "$m.consumer_execcount" "want >= 3 execs for $I, got '$got': $(tail_of "$W/$m.execcount" 6)"; fi
		else
			fail "$m.consumer_execcount" "execcount did not start: $(tail_of "$W/$m.execcount")"
		fi
	fi
	if [ -x "$P/tracee_compat" ]; then
		if consumer_start tracee_compat '^reading '; then
			run_in "$H/docker/$I" /bin/true
			run_in "$H/system.slice/docker-$J.scope" /bin/true
			consumer_stop '^CGROUP_ID'
			k1=$(stat -c %i "$H/docker/$I")
			k2=$(stat -c %i "$H/system.slice/docker-$J.scope")
			got="$(awk -v k="$k1" '$1 == k { print $2 }' "$W/$m.tracee_compat") $(awk -v k="$k2" '$1 == k { print $2 }' "$W/$m.tracee_compat")"
			if [ "$got" = "CONTAINER_STARTED CONTAINER_CREATED" ]; then pass "$m.consumer_tracee_compat"
			else fail "$m.consumer_tracee_compat" "want 'CONTAINER_STARTED CONTAINER_CREATED', got '$got': $(tail_of "$W/$m.tracee_compat" 6)"; fi
		else
			fail "$m.consumer_tracee_compat" "tracee_compat did not start: $(tail_of "$W/$m.tracee_compat")"
		fi
	fi

	# --- rmdir: dead at once, swept after the expiry ------------------------------
	# (--expiry 3: a TCG guest on a busy host took over 1 s to list the
	# entry after the rmdir, which the sweep had already taken)
	key=$(stat -c %i "$H/default/$I")
	rmdir "$H/default/$I"
	e=$(entry "$(entries)" "$key")
	if [ "$(jget "$e" alive)" = false ] && [ -n "$(jget "$e" removed)" ]; then pass "$m.rmdir_dead"
	else fail "$m.rmdir_dead" "after rmdir: '${e:-no entry}'"; fi
	t0=$(now_ms)
	if wait_for 150 eval "! entries | grep -q '^{\"key\":$key,'"; then
		pass "$m.swept"
		info "$m: swept $(($(now_ms) - t0)) ms after rmdir (--expiry 3)"
	else
		fail "$m.swept" "entry $key still there 15 s after rmdir"
	fi

	# --- stop, unload ---------------------------------------------------------------
	stop_daemon
	if out=$(timeout 20 "$CGT" unload --pin-dir "$PIN" 2>&1) && [ ! -e "$PIN" ]; then pass "$m.unload"
	else fail "$m.unload" "$out"; fi
	rm_trees "$H"
	info "$m: took $(($(now_ms) - t_mode)) ms"
}

# Without BTF cgtrack must stop at once and say why (the real kernels here
# all have it: /sys/kernel/btf is hidden under a tmpfs in a private mount
# namespace). Nothing may stay attached.
kernel_check_no_btf() {
	# shellcheck disable=SC2016  # expanded by the inner sh
	out=$(unshare -m --propagation private sh -c \
		'mount -t tmpfs none /sys/kernel/btf && exec "$0" load --pin-dir "$1"' \
		"$CGT" "$PIN-nobtf" 2>&1)
	rc=$?
	case $rc:$out in
	1:*"this kernel has no BTF (/sys/kernel/btf/vmlinux): cgtrack needs CONFIG_DEBUG_INFO_BTF=y"*)
		if [ -e "$PIN-nobtf/links" ]; then
			fail kernel_check_no_btf "links pinned although the load failed"
		else
			pass kernel_check_no_btf
			info "no BTF: cgtrack load says: $(printf '%s\n' "$out" | tr '\n' '|')"
		fi
		;;
	*) fail kernel_check_no_btf "exit $rc (want 1 and the no-BTF message): $out" ;;
	esac
	"$CGT" unload --pin-dir "$PIN-nobtf" >/dev/null 2>&1
}

mkdir -p "$W"
info "cgtrack payload: kernel $(uname -r), layout $layout"
info "/proc/cgroups: $(awk '!/^#/ { printf "%s%s", s, $1; s = " " }' /proc/cgroups)"
t_start=$(now_ms)
if [ ! -x "$CGT" ]; then
	fail cgtrack_binary "no $CGT in the payload"
	exit 0
fi

kernel_check_no_btf

case $layout in
v2)
	test_mode auto cgroup2 --cgroup-mode auto
	test_mode v2 cgroup2 --cgroup-mode v2
	;;
v1|hybrid)
	# auto: cpuset where the kernel has it on v1, else the next fallback
	if v1_has cpuset; then want=cpuset; else want=pids; fi
	test_mode auto "$want" --cgroup-mode auto
	test_mode v1 cpu --cgroup-mode v1 --v1-controller cpu
	[ "$layout" = hybrid ] && test_mode v2 cgroup2 --cgroup-mode v2
	;;
*)
	fail layout "unknown layout '$layout'"
	;;
esac
stop_daemon
"$CGT" unload --pin-dir "$PIN" >/dev/null 2>&1
info "payload took $(($(now_ms) - t_start)) ms"
exit 0
