#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `cgtrack resolve` and the mntns_pids map behind it: a busybox root in its
# own mount namespace (pivot_root, as a container runtime does), files and
# hostile symlinks inside it, the map's pid gone (a /proc scan finds
# another), a thread's exit that must not forget the process, and a
# namespace with nobody left. --read and --stat act on the confined
# descriptor: a directory swapped for a symlink to the host after the
# path was printed makes the printed path read the host's file (the race
# the docs describe), never --read.
source "$(dirname "$0")/lib.sh"
t_init resolve

ROOTFS=$T_TMP/rootfs

make_rootfs() {
	mkdir -p "$ROOTFS"/{bin,dev,etc,proc,tmp,old,data}
	cp /bin/busybox "$ROOTFS/bin/" || return 1
	# the shell gives background jobs /dev/null
	mknod -m 666 "$ROOTFS/dev/null" c 1 3 || return 1
	echo "inside" >"$ROOTFS/etc/hello"
	echo "the container's shadow" >"$ROOTFS/etc/shadow"
	ln -s ../../../../etc/shadow "$ROOTFS/evil"
	ln -s /etc/shadow "$ROOTFS/evil-abs"
	ln -s /proc/1/root/etc/shadow "$ROOTFS/evil-magic"
	mkdir -p "$ROOTFS/data" "$T_TMP/hostdir"
	echo "container data" >"$ROOTFS/data/file"
	echo "HOST SECRET" >"$T_TMP/hostdir/file"
}

# start_ns NAME CMD: CMD (busybox sh syntax) as the "init" of a new mount
# namespace whose root is the rootfs; NS_PID: the init's pid, once ready
start_ns() {
	local name=$1 cmd=$2 i pid cg
	# a container's cgroup: cgtrack keeps mntns_pids for containers only
	cg=$(t_mkdir v2 "docker/$(printf '%064x' "$((RANDOM * 65536 + $$))")")
	setsid sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
		unshare -m --propagation private /bin/sh -c '
		mount --bind "$0" "$0" && cd "$0" && pivot_root . old &&
		exec /bin/busybox sh -c "umount -l /old; echo > /tmp/$1.ready; $2"' \
		"$ROOTFS" "$name" "$cmd" </dev/null >/dev/null 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	for i in $(seq 1 100); do
		[ -e "$ROOTFS/tmp/$name.ready" ] && { NS_PID=$pid; return 0; }
		sleep 0.05
	done
	return 1
}

mntns_of() { stat -L -c %i "/proc/$1/ns/mnt"; }
task_count() { ls "/proc/$1/task" | wc -l; }

le32() { printf '0x%02x 0x%02x 0x%02x 0x%02x' $(( $1 & 255 )) $(( ($1 >> 8) & 255 )) \
	$(( ($1 >> 16) & 255 )) $(( ($1 >> 24) & 255 )); }

# the pid the map holds for a namespace, or "none"
map_pid() {
	local out
	out=$(bpftool -j map lookup pinned "$T_PIN/mntns_pids" key $(le32 "$1") 2>/dev/null) &&
		jq -r '.formatted.value // .value' <<<"$out" || echo none
}

build_threader() {	# a process whose second thread exits at once
	cat >"$T_TMP/threader.c" <<'EOF'
#include <pthread.h>
#include <unistd.h>

static void *worker(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_t t;

	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	pause();
	return 0;
}
EOF
	cc -pthread -static -o "$ROOTFS/bin/threader" "$T_TMP/threader.c"
}

make_rootfs || { t_fail "rootfs" "cannot copy /bin/busybox or make dev/null"; exit 1; }
t_daemon_start --cgroup-mode v2 --no-enrich || { t_fail "start" "see log"; exit 1; }

start_ns a "/bin/busybox sleep 1000 & exec /bin/busybox sleep 1001" ||
	{ t_fail "namespace a" "did not start"; exit 1; }
pid=$NS_PID
ns=$(mntns_of "$pid")
t_eq "exec in a new mount namespace records its pid" "$pid" "$(map_pid "$ns")"

out=$(cgt resolve "$ns" /etc/hello --json)
t_eq "a file inside: found through the namespace's process" "$pid map" \
	"$(jq -r '"\(.pid) \(.pid_from)"' <<<"$out")"
t_eq "a file inside: its content" "inside" "$(cat "$(jq -r .host_path <<<"$out")")"
t_eq "a file inside: its path in the namespace" "/etc/hello" "$(jq -r .container_path <<<"$out")"
t_eq "mnt:[N] is accepted too" "$(jq -r .host_path <<<"$out")" \
	"$(cgt resolve "mnt:[$ns]" /etc/hello)"

for link in evil evil-abs; do
	out=$(cgt resolve "$ns" "/$link" --json)
	t_eq "symlink /$link stays inside the root" "/etc/shadow the container's shadow" \
		"$(jq -r .container_path <<<"$out") $(cat "$(jq -r .host_path <<<"$out")")"
	t_true "symlink /$link never names the host's /etc/shadow" \
		test "$(stat -c %d:%i "$(jq -r .host_path <<<"$out")")" != "$(stat -c %d:%i /etc/shadow)"
done
check_read_stat() {	# NS: --read and --stat on the confined descriptor
	local ns=$1 out rc hp
	out=$(cgt resolve --read "$ns" /data/file 2>&1)
	t_eq "--read prints the file" "0 container data" "$? $out"
	out=$(cgt resolve "$ns" --read /evil 2>&1)
	t_eq "--read of a symlink out of the root: the container's file" \
		"the container's shadow" "$out"
	out=$(cgt resolve --stat "$ns" /data/file --json)
	t_eq "--stat --json: the file's type, size, inode" \
		"regular 15 $(stat -c %i "$ROOTFS/data/file") $(stat -c %a "$ROOTFS/data/file")" \
		"$(jq -r '.stat | "\(.type) \(.size) \(.inode) \(.mode | ltrimstr("0"))"' <<<"$out")"
	out=$(cgt resolve --stat "$ns" /evil)
	t_eq "--stat of a symlink out of the root: the container's file" \
		"$(stat -c %i "$ROOTFS/etc/shadow")" "$(grep -o 'inode [0-9]*' <<<"$out" | cut -d' ' -f2)"
	chmod 0640 "$ROOTFS/data/file"
	t_true "--stat text: type, mode, size" grep -q '^type regular mode 0640 size 15 ' \
		<(cgt resolve --stat "$ns" /data/file)
	cgt resolve --read "$ns" /etc >/dev/null 2>&1
	t_eq "--read of a directory exits 1" 1 "$?"
	cgt resolve --read --json "$ns" /data/file >/dev/null 2>&1
	t_eq "--read with --json: exit 2" 2 "$?"
	cgt resolve --read --stat "$ns" /data/file >/dev/null 2>&1
	t_eq "--read with --stat: exit 2" 2 "$?"

	# the container swaps /data for a symlink to a host directory after
	# the path was printed
	hp=$(cgt resolve "$ns" /data/file)
	mv "$ROOTFS/data" "$ROOTFS/data.old"
	ln -s "$T_TMP/hostdir" "$ROOTFS/data"
	t_eq "the race: the printed path now reads the host's file (documented)" \
		"HOST SECRET" "$(cat "$hp" 2>&1)"
	out=$(cgt resolve --read "$ns" /data/file 2>&1)
	rc=$?
	t_true "--read after the swap: not the host's file (exit $rc: $out)" \
		test "$out" != "HOST SECRET" -a "$rc" = 1
	out=$(cgt resolve --stat "$ns" /data/file 2>&1)
	t_eq "--stat after the swap: not the host's file" 1 "$?"
	rm "$ROOTFS/data"
	ln -s "../../../../../../..$T_TMP/hostdir" "$ROOTFS/data"
	out=$(cgt resolve --read "$ns" /data/file 2>&1)
	t_true "--read after a swap for a relative symlink: not the host's file" \
		test "$out" != "HOST SECRET"
	rm "$ROOTFS/data"
	mv "$ROOTFS/data.old" "$ROOTFS/data"
}
check_read_stat "$ns"

cgt resolve "$ns" /evil-magic >/dev/null 2>&1
t_eq "a magic link (/proc/1/root/...) is refused" "1" "$?"
cgt resolve "$ns" /nonexistent >/dev/null 2>&1
t_eq "a missing file exits 1" "1" "$?"
out=$(cgt resolve "$ns" etc/hello 2>&1)
t_eq "a relative path: exit 2, says absolute" "2 yes" "$? $(grep -q absolute <<<"$out" && echo yes)"
out=$(cgt resolve "$ns" "" 2>&1)
t_eq "an empty path: exit 2, says empty" "2 yes" "$? $(grep -q empty <<<"$out" && echo yes)"
cgt resolve abc /etc/hello >/dev/null 2>&1
t_eq "a namespace that is not a number exits 2" "2" "$?"

# the recorded process exits; another one of the namespace remains
kill -KILL "$pid"
t_wait_gone "$pid"
t_eq "its exit forgets it" "none" "$(map_pid "$ns")"
out=$(cgt resolve "$ns" /etc/hello --json)
t_eq "resolve falls back to a /proc scan" "scan inside" \
	"$(jq -r .pid_from <<<"$out") $(cat "$(jq -r .host_path <<<"$out")")"
# the last process goes: nothing to resolve against
for p in $(jq -r .pid <<<"$out"); do kill -KILL "$p"; t_wait_gone "$p"; done
out=$(cgt resolve "$ns" /etc/hello 2>&1)
t_eq "a namespace without a live process: exit 1, says so" "1 yes" \
	"$? $(grep -q 'no live process' <<<"$out" && echo yes)"

# threads: a thread's exit is not its process's
if build_threader; then
	start_ns b "exec /bin/threader" || t_fail "namespace b" "did not start"
	pid=$NS_PID
	ns=$(mntns_of "$pid")
	t_wait_eq "threader's thread" 5 1 task_count "$pid"
	sleep 0.2
	t_eq "a thread's exit keeps the process's entry" "$pid" "$(map_pid "$ns")"
	kill -KILL "$pid"
	t_wait_gone "$pid"
	t_eq "the process's exit removes it" "none" "$(map_pid "$ns")"
else
	t_skip "threads" "cannot build a static test program"
fi

# without cgtrack loaded, resolve still answers by scanning /proc
start_ns c "exec /bin/busybox sleep 1002" || t_fail "namespace c" "did not start"
pid=$NS_PID
ns=$(mntns_of "$pid")
cgt unload >/dev/null
out=$(cgt resolve "$ns" /etc/hello --json)
t_eq "resolve without pins: by scan" "scan inside" \
	"$(jq -r .pid_from <<<"$out") $(cat "$(jq -r .host_path <<<"$out")")"
