#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Operations on the pins: tracking outlives the daemon.
#  - `cgtrack load` (one shot) leaves the kernel tracking with no daemon;
#    `cgtrack sweep` (one shot) deletes what expired;
#  - a restarted daemon adopts the pinned programs: same program and link
#    ids, no second copy;
#  - kill -9 of the daemon in the middle of a burst of container mkdir and
#    rmdir: the kernel keeps tracking, and after a restart and one expiry
#    the map equals the cgroupfs exactly (populate reconciles what changed
#    behind its back: an entry deleted, a stale one added);
#  - incompatible pins are refused with a message that says what to do,
#    and --replace replaces them;
#  - `cgtrack unload` detaches the programs and removes every pin;
#  - a stale entry found at start is swept even when the kernel never saw
#    a removal (a private named v1 hierarchy, where nothing else happens).
# Works in the cgroup2 hierarchy under a private parent, with private pin
# directories. Not `set -e`: every check reports and the test goes on.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init ops_pins
# a private copy: a build running meanwhile may relink build/cgtrack
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack

command -v bpftool >/dev/null || { t_skip all "no bpftool"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

P2="$T_PIN-b"	# a second pin directory, for incompatible pins
HIER=$T_TMP/hier	# a private named v1 hierarchy, mounted at the end
on_exit() {
	"$CGTRACK" unload --pin-dir "$P2" >/dev/null 2>&1
	if mountpoint -q "$HIER"; then
		t_daemon_stop TERM
		"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null 2>&1
		umount "$HIER"
	fi
	t_cleanup
}
trap on_exit EXIT

# Program and link ids behind our link pins: "prog:link ..." sorted.
pinned_ids() {
	local l
	for l in "$T_PIN"/links/*; do
		[ -e "$l" ] || continue
		bpftool -j link show pinned "$l" | jq -r '"\(.prog_id):\(.id)"'
	done | sort | tr '\n' ' '
}

# Links attached to one of these programs, system-wide (a second copy of
# ours would be attached through other links).
links_to() {	# PROG_ID...
	bpftool -j link show | jq --argjson ids "$(printf '%s\n' "$@" | jq -s .)" \
		'[.[] | select(.prog_id as $p | $ids | index($p))] | length'
}

cid() { printf '%s' "$1-$$" | sha256sum | cut -c1-64; }
n_links() { find "$T_PIN/links" -mindepth 1 2>/dev/null | wc -l; }

# Map entries (cgroup_id:alive) for the cgroup ids listed in FILE, sorted.
entries_of() {	# FILE
	cgt list --json | jq -r --slurpfile ids <(jq -R 'tonumber' "$1") \
		'.[] | select(.cgroup_id as $c | $ids | index($c)) |
		 "\(.cgroup_id):\(.alive)"' | sort
}

base=$(t_base v2) || { t_fail setup "cannot make the private cgroup parent"; exit 1; }
mkdir -p "$base/docker"

# ---- one-shot load: tracking with no daemon at all ----------------------
out=$(cgt load --cgroup-mode v2 --expiry 1 2>&1)
rc=$?
t_eq "load exits 0 once loaded and populated" 0 "$rc"
[ $rc -eq 0 ] || { echo "$out" >&2; exit 1; }
# one link per program (cgroup_mkdir, cgroup_rmdir, sched_process_exec...)
NLINKS=$(n_links)
t_true "load pinned its program links ($NLINKS)" test "$NLINKS" -ge 3
t_eq "every link pin has a program" "$NLINKS" "$(grep -c ':' <<<"$(pinned_ids | tr ' ' '\n')")"
ids_load=$(pinned_ids)
d="$base/docker/$(cid one)"
mkdir "$d"
t_eq "no daemon: a container made after load is tracked by the kernel" \
	"true" "$(t_field "$(t_ino "$d")" alive)"
ino=$(t_ino "$d")
rmdir "$d"
t_eq "no daemon: its removal is marked by the kernel" "false" "$(t_field "$ino" alive)"

# ---- one-shot sweep --------------------------------------------------------
sleep 1.1
out=$(cgt sweep --json)
t_true "sweep --json prints counters" jq -e '.scanned >= 1 and .deleted >= 1' <<<"$out"
t_eq "sweep deleted the entry dead for longer than the expiry" absent "$(t_field "$ino" alive)"
out=$(cgt sweep)
t_true "sweep prints a summary" grep -Eq "^[0-9]+ scanned, [0-9]+ deleted, [0-9]+ dead" <<<"$out"

# ---- restart adopts ---------------------------------------------------------
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich || { t_fail "run" "did not start"; exit 1; }
t_true "run adopts the programs pinned by load" grep -q "adopted the pinned programs" "$T_TMP/daemon.err"
t_eq "adopting keeps the program and link ids" "$ids_load" "$(pinned_ids)"
t_daemon_stop TERM
t_eq "stopping the daemon keeps the link pins" "$NLINKS" "$(n_links)"
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich || { t_fail "restart" "did not start"; exit 1; }
t_eq "a restart keeps the program and link ids" "$ids_load" "$(pinned_ids)"
progs=$(for x in $ids_load; do echo "${x%%:*}"; done)
# shellcheck disable=SC2086
t_eq "no second copy: one link per program" "$NLINKS" "$(links_to $progs)"
held=$(find "/proc/$T_DAEMON_PID/fd" -mindepth 1 -printf '%l\n' 2>/dev/null |
	grep -c 'anon_inode:bpf-\(prog\|link\)')
t_eq "no second copy: the adopting daemon holds no program or link" 0 "$held"
t_eq "adoption logged twice, never a load" "2 0" \
	"$(grep -c 'adopted the pinned programs' "$T_TMP/daemon.err") $(grep -c 'info: loaded' "$T_TMP/daemon.err" || true)"

# ---- kill -9 in the middle of a burst --------------------------------------
# The burst logs "mk INODE" and "rm INODE" lines; the test appends "KILLED"
# once the daemon is gone, so the lines after it happened without a daemon.
log=$T_TMP/burst.log
: >"$log"
burst() {
	local i d ino prev=()
	for i in $(seq 1 60); do
		d="$base/docker/$(cid "burst$i")"
		mkdir "$d" || continue
		ino=$(stat -c %i "$d")
		echo "mk $ino" >>"$log"
		if [ $((i % 4)) -eq 0 ]; then	# a sub-cgroup too
			mkdir "$d/init.scope" && echo "mk $(stat -c %i "$d/init.scope")" >>"$log"
		fi
		prev+=("$d")
		if [ $((i % 3)) -eq 0 ] && [ ${#prev[@]} -gt 1 ]; then
			local old=${prev[0]}
			prev=("${prev[@]:1}")
			[ -d "$old/init.scope" ] && echo "rm $(stat -c %i "$old/init.scope")" >>"$log" &&
				rmdir "$old/init.scope"
			echo "rm $(stat -c %i "$old")" >>"$log"
			rmdir "$old"
		fi
		sleep 0.02
	done
}
burst &
bpid=$!
T_PIDS+=("$bpid")
sleep 0.5
kill -KILL "$T_DAEMON_PID"
t_wait_gone "$T_DAEMON_PID"
T_DAEMON_PID=""
echo KILLED >>"$log"
wait "$bpid"

after_mk=$(sed -n '/^KILLED$/,$p' "$log" | awk '$1 == "mk" { print $2 }')
after_rm=$(sed -n '/^KILLED$/,$p' "$log" | awk '$1 == "rm" { print $2 }')
if [ -z "$after_mk" ] || ! grep -q '^mk' <(sed -n '1,/^KILLED$/p' "$log"); then
	t_fail "burst" "the kill did not land in the middle of the burst"
fi
t_eq "the kill left the link pins" "$NLINKS" "$(n_links)"
missing=0
for i in $after_mk; do
	grep -qx "rm $i" "$log" && continue
	[ "$(t_field "$i" alive)" = true ] || missing=$((missing + 1))
done
t_eq "after kill -9: cgroups made since are tracked by the kernel ($(wc -w <<<"$after_mk") made)" 0 "$missing"
unmarked=0
for i in $after_rm; do
	[ "$(t_field "$i" alive)" = false ] || unmarked=$((unmarked + 1))
done
t_eq "after kill -9: cgroups removed since are marked dead ($(wc -w <<<"$after_rm") removed)" 0 "$unmarked"

# Behind the (dead) daemon's back: delete the entry of a live container
# and add a stale one for a cgroup that does not exist.
awk '$1 == "mk" { print $2 }' "$log" | sort -u >"$T_TMP/all_ids"
find "$base/docker" -mindepth 1 -type d -printf '%i\n' | sort >"$T_TMP/live_ids"
victim=$(head -1 "$T_TMP/live_ids")
key_hex() { printf '%08x' "$1" | sed -E 's/(..)(..)(..)(..)/\4 \3 \2 \1/'; }
# shellcheck disable=SC2046
bpftool map delete pinned "$T_PIN/containers" key hex $(key_hex "$victim") 2>/dev/null
t_eq "setup: the victim's entry is gone" absent "$(t_field "$victim" alive)"
vsize=$(bpftool -j map show pinned "$T_PIN/containers" | jq .bytes_value)
stale=4294967280	# 0xfffffff0: no cgroup of ours
# cgroup_id, root_cgroup_id, created_ns=1, removed_ns=0, hierarchy 0,
# state EXISTED, runtime docker, root: the rest zero
value=$(printf 'f0 ff ff ff 00 00 00 00 f0 ff ff ff 00 00 00 00 01 00 00 00 00 00 00 00 '
	printf '00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 02 00 00 00 01'
	for ((i = 45; i < vsize; i++)); do printf ' 00'; done)
# shellcheck disable=SC2086
bpftool map update pinned "$T_PIN/containers" key hex f0 ff ff ff value hex $value
t_eq "setup: a stale entry is in the map" true "$(t_field "$stale" alive)"
echo "$stale" >>"$T_TMP/all_ids"

t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich || { t_fail "restart after kill" "did not start"; exit 1; }
t_eq "after kill -9, the restart adopts the same programs" "$ids_load" "$(pinned_ids)"
want=$(sed 's/$/:true/' "$T_TMP/live_ids" | sort)
t_wait_eq "map == cgroupfs" 10 "$want" entries_of "$T_TMP/all_ids"
got=$(entries_of "$T_TMP/all_ids")
t_eq "after restart and one expiry: the map equals the cgroupfs ($(wc -l <"$T_TMP/live_ids") live, $(($(wc -l <"$T_TMP/all_ids") - $(wc -l <"$T_TMP/live_ids"))) gone)" \
	"$want" "$got"
t_eq "populate re-added the deleted entry" true "$(t_field "$victim" alive)"
t_eq "populate marked the stale entry and the sweep removed it" absent "$(t_field "$stale" alive)"
t_daemon_stop TERM

# ---- incompatible pins --------------------------------------------------------
# (a) a `containers` map with another value size, made by another tool
# (bpftool: no BTF, so not provably cgtrack's; an older cgtrack's map, with
# BTF, gets "has value size N ... cgtrack unload ... --replace")
mkdir -p "$P2"
bpftool map create "$P2/containers" type hash key 4 value 8 entries 16 name containers
out=$("$CGTRACK" run --pin-dir "$P2" --cgroup-mode v2 --no-enrich 2>&1)
rc=$?
t_eq "a containers map of another layout is refused" 1 "$rc"
t_true "the refusal names the map, says it is not cgtrack's, and --replace" \
	grep -E "$P2/containers is not cgtrack's: a map named 'containers' that neither carries cgtrack's BTF.*--replace" <<<"$out"
out=$("$CGTRACK" load --replace --pin-dir "$P2" --cgroup-mode v2 2>&1)
t_eq "load --replace replaces them" 0 "$?"
t_eq "the new containers map has this build's layout" "$vsize" \
	"$(bpftool -j map show pinned "$P2/containers" | jq .bytes_value)"
"$CGTRACK" unload --pin-dir "$P2" >/dev/null 2>&1

# (b) our pins, with another map ABI version in `config`
cfg=$(bpftool -j map lookup pinned "$T_PIN/config" key 0 0 0 0 | jq -r '.value | join(" ")')
# shellcheck disable=SC2086
set -- $cfg
shift 4
# shellcheck disable=SC2086
bpftool map update pinned "$T_PIN/config" key 0 0 0 0 value hex 63 00 00 00 "$@"
out=$(cgt run --cgroup-mode v2 --no-enrich 2>&1)
rc=$?
t_eq "pins of another map ABI (v99) are refused" 1 "$rc"
t_true "the refusal says which ABI and what to do" \
	grep -E "incompatible cgtrack \(map ABI v99, this build is v[0-9]+\).*cgtrack unload.*--replace" <<<"$out"
t_eq "the refused pins are left alone (still tracking)" "$ids_load" "$(pinned_ids)"
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich --replace || t_fail "run --replace" "did not start"
t_true "run --replace says what it removed" grep -q "replace: removed the pins" "$T_TMP/daemon.err"
ids_new=$(pinned_ids)
if [ "$ids_new" != "$ids_load" ] && [ "$(wc -w <<<"$ids_new")" = "$NLINKS" ]; then
	t_ok "run --replace loaded new programs"
else
	t_fail "run --replace loaded new programs" "ids before '$ids_load', after '$ids_new'"
fi
abi=$(bpftool -j map lookup pinned "$T_PIN/config" key 0 0 0 0 | jq -r '.value[0]')
t_true "the config says this build's ABI again" test "$abi" != 0x63
t_eq "the live containers are back after --replace" "$(wc -l <"$T_TMP/live_ids")" \
	"$(cgt list --json | jq --slurpfile ids <(jq -R tonumber "$T_TMP/live_ids") \
		'[.[] | select(.alive and (.cgroup_id as $c | $ids | index($c)))] | length')"
t_daemon_stop TERM

# ---- unload ------------------------------------------------------------------
progs=$(for x in $ids_new; do echo "${x%%:*}"; done)
out=$(cgt unload)
t_eq "unload exits 0" 0 "$?"
t_true "unload says what it did" grep -q "programs are detached" <<<"$out"
t_true "unload removed the pin directory" test ! -e "$T_PIN"
gone=1
for i in $(seq 1 40); do
	left=0
	for p in $progs; do bpftool prog show id "$p" >/dev/null 2>&1 && left=$((left + 1)); done
	[ "$left" = 0 ] && { gone=0; break; }
	sleep 0.1
done
t_eq "after unload the kernel has freed the programs" 0 "$gone"
d="$base/docker/$(cid after-unload)"
mkdir "$d"
t_true "unload twice is fine (nothing pinned)" cgt unload
rmdir "$d"

# ---- a stale entry is swept although the kernel never marked one dead -----
H=name=cgtops$$
mkdir -p "$HIER"
if ! mount -t cgroup -o "none,$H" cgroup "$HIER"; then
	t_skip "stale entry at start" "cannot mount a named v1 hierarchy"
	exit 0
fi
mkdir "$HIER/docker" "$HIER/docker/$(cid v1)"
cgt load --cgroup-mode v1 --v1-controller "$H" 2>/dev/null ||
	{ t_fail "load on $H" "failed"; exit 1; }
# shellcheck disable=SC2086
bpftool map update pinned "$T_PIN/containers" key hex f0 ff ff ff value hex $value
t_eq "setup: a stale entry, and the kernel never marked one dead" "true 0" \
	"$(t_field "$stale" alive) $(bpftool -j map lookup pinned "$T_PIN/stats" key 3 0 0 0 |
		jq '[.formatted.values[].value] | add')"
t_daemon_start --cgroup-mode v1 --v1-controller "$H" --expiry 0 --no-enrich ||
	{ t_fail "run on $H" "did not start"; exit 1; }
t_wait_eq "stale swept" 5 absent t_field "$stale" alive
t_eq "the first sweep deletes what populate found gone" absent "$(t_field "$stale" alive)"
t_eq "and keeps the live container" true "$(t_field "$(t_ino "$HIER/docker/$(cid v1)")" alive)"
t_daemon_stop TERM
rmdir "$HIER/docker/$(cid v1)" "$HIER/docker"
exit 0
