#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The pin directory is trusted only when it is cgtrack's to trust. In a
# private bpffs mounted like an unconfigured /sys/fs/bpf (mode 1777), an
# unprivileged user (nobody) tries the attacks a review reproduced:
#  - a symlink at the pin path to a directory of root's: load must not
#    chmod it, unload must not delete root's files in it;
#  - a pin directory (and links/) made by nobody before root loads: the
#    load is refused, so nobody cannot remove the pins afterwards;
#  - a group/other-writable pin directory is refused;
#  - after a real load, nobody cannot remove link or map pins.
# Then what an operator does: chgrp + chmod 750 survives every load, and
# --pin-group gives a group read access to the pins; unload removes only
# cgtrack's pins (a bpftool-made map stays, and is named); the pins of a
# load stopped half-way are loaded into again.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init pin_security
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
chmod 755 "$T_TMP"
command -v setpriv >/dev/null || { t_skip all "no setpriv (util-linux)"; exit 0; }
command -v bpftool >/dev/null || { t_skip all "no bpftool"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

FS=$T_TMP/bpffs
mkdir "$FS"
mount -t bpf -o mode=1777 bpf "$FS" || { t_skip all "cannot mount a private bpffs"; exit 0; }
on_exit() {
	"$CGTRACK" unload --pin-dir "$P" >/dev/null 2>&1
	"$CGTRACK" unload --pin-dir "$MNT" >/dev/null 2>&1
	umount "$FS" 2>/dev/null
	mountpoint -q "$ROOTS" && umount "$ROOTS"
	mountpoint -q "$MNT" && umount "$MNT"
	t_cleanup
}
trap on_exit EXIT
P=$FS/cgtrack
MNT=$T_TMP/own-bpffs		# not on bpffs: cgtrack mounts it there
ROOTS=$T_TMP/roots		# a directory of root's, with files named like pins
mkdir -m 755 "$ROOTS"
touch "$ROOTS/config" "$ROOTS/info" "$ROOTS/containers"

t_false() {	# WHAT CMD...: ok if the command fails
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then t_fail "$what" "succeeded: $*"; else t_ok "$what"; fi
}
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all -- "$@"
}
ct() { "$CGTRACK" "$@" --pin-dir "$P"; }

# ---- a symlink planted at the pin path ----------------------------------
as_nobody ln -s "$ROOTS" "$P" || { t_fail setup "nobody cannot write in the bpffs"; exit 1; }
out=$(ct load --cgroup-mode v2 2>&1)
t_eq "load refuses a symlink at the pin path" 1 "$?"
t_true "the refusal says it is a symbolic link" grep -q "is a symbolic link" <<<"$out"
t_eq "the symlink's target keeps its mode" 755 "$(stat -c %a "$ROOTS")"
out=$(ct unload 2>&1)
t_eq "unload refuses the symlink" 1 "$?"
t_eq "root's files behind the symlink are still there" "config containers info" \
	"$(cd "$ROOTS" && ls | sort | paste -sd' ')"
t_false "and nothing was mounted on its target" mountpoint -q "$ROOTS"
rm -f "$P"

# ---- a pin directory made by nobody -------------------------------------
as_nobody mkdir "$P" "$P/links"
out=$(ct load --cgroup-mode v2 2>&1)
t_eq "load refuses a pin directory owned by another user" 1 "$?"
t_true "the refusal names the owner problem and the fix" \
	grep -Eq "refusing the pin directory $P: it is owned by another user.*uid 65534.*rm -r $P" <<<"$out"
t_eq "nothing was pinned in nobody's directory" "" "$(find "$P" -mindepth 1 ! -name links)"
as_nobody rm -r "$P"

# ---- a pin directory others can write -----------------------------------
mkdir -m 777 "$P"
chmod 777 "$P"
out=$(ct load --cgroup-mode v2 2>&1)
t_eq "load refuses a group/other-writable pin directory" 1 "$?"
t_true "the refusal names the mode and says chmod go-w" \
	grep -Eq "writable by group or others.*mode 0777.*chmod go-w $P" <<<"$out"
rmdir "$P"

# ---- cgtrack's own directory: nobody cannot touch the pins --------------
out=$(ct load --cgroup-mode v2 2>&1) || { t_fail load "$out"; exit 1; }
t_eq "cgtrack makes the pin directory 0700, owned by root" "700 0" "$(stat -c '%a %u' "$P")"
as_nobody rm -f "$P/links/cgroup_mkdir" "$P/containers" 2>/dev/null
t_true "nobody could not remove a link pin" test -e "$P/links/cgroup_mkdir"
t_true "nobody could not remove a map pin" test -e "$P/containers"
t_true "status is healthy after nobody's attempt" ct status
chmod 777 "$P"
out=$(ct status 2>&1)
t_eq "status fails on a pin directory others can write" 1 "$?"
t_true "and says why" grep -q "writable by group or others" <<<"$out"
chmod 700 "$P"

# ---- the operator's group access survives loads -------------------------
chgrp nogroup "$P" && chmod 750 "$P"
ct load --cgroup-mode v2 >/dev/null 2>&1
t_eq "an adopting load keeps the directory's 0750 and group" "750 nogroup" \
	"$(stat -c '%a %G' "$P")"
t_eq "and gives the pins the group's read access" "640 nogroup" \
	"$(stat -c '%a %G' "$P/containers")"
ct load --cgroup-mode v2 --replace >/dev/null 2>&1
t_eq "a --replace load keeps the directory's mode and group" "750 nogroup" \
	"$(stat -c '%a %G' "$P")"
t_eq "and its new pins get the group's read access" "640 nogroup 640" \
	"$(stat -c '%a %G' "$P/containers") $(stat -c '%a' "$P/links/cgroup_mkdir")"
ct unload >/dev/null 2>&1
out=$(ct load --cgroup-mode v2 --pin-group nogroup 2>&1)
t_eq "load --pin-group works" 0 "$?"
t_eq "--pin-group: directory 0750 with that group, pins 0640" "750 nogroup 640 nogroup" \
	"$(stat -c '%a %G' "$P") $(stat -c '%a %G' "$P/info")"
out=$(setpriv --reuid=65534 --regid=65534 --init-groups --inh-caps=-all \
	--bounding-set=-all -- "$CGTRACK" list --json --pin-dir "$P" 2>&1)
if [ $? -eq 0 ]; then
	t_true "a member of the group reads the map" jq -e 'type == "array"' <<<"$out"
elif grep -q "unprivileged_bpf_disabled" <<<"$out"; then
	t_skip "a member of the group reads the map" "this kernel gates bpf() for users"
else
	t_fail "a member of the group reads the map" "$out"
fi
out=$(setpriv --reuid=65534 --regid=65534 --init-groups --inh-caps=-all \
	--bounding-set=-all -- "$CGTRACK" status --pin-dir "$P" 2>&1)
rc=$?
if grep -q "unprivileged_bpf_disabled" <<<"$out"; then
	t_skip "status as a group member" "this kernel gates bpf() for users"
else
	t_eq "status as a group member is healthy: no outage from a permission" 0 "$rc"
	t_true "its links are unknown, not MISSING" \
		bash -c '! grep -q MISSING <<<"$1" && grep -q "links/cgroup_mkdir *unknown" <<<"$1"' _ "$out"
	t_true "and it says why and what to do" grep -q "cannot be opened as uid 65534.*run status as root" <<<"$out"
fi
t_eq "a bad --pin-group is bad usage" 2 "$("$CGTRACK" load --pin-dir "$P" --pin-group no-such-group-x >/dev/null 2>&1; echo $?)"

# ---- unload removes only what is cgtrack's -------------------------------
ct unload >/dev/null 2>&1
mkdir -m 700 "$P"
bpftool map create "$P/stats" type array key 4 value 8 entries 4 name stats
out=$(ct load --cgroup-mode v2 2>&1)
t_eq "load refuses a bpftool-made map under a pin name" 1 "$?"
t_true "and names it as not cgtrack's" grep -q "$P/stats is not cgtrack's" <<<"$out"
out=$(ct unload 2>&1)
t_eq "unload with only a foreign pin exits 0" 0 "$?"
t_true "unload left the foreign pin" test -e "$P/stats"
t_true "and says so" grep -q "not cgtrack's and were left" <<<"$out"
rm -f "$P/stats"
ct load --cgroup-mode v2 >/dev/null 2>&1
bpftool map create "$P/extra" type array key 4 value 8 entries 4 name extra
out=$(ct unload 2>&1)
t_true "unload removed cgtrack's pins" test ! -e "$P/containers" -a ! -e "$P/links/cgroup_mkdir"
t_true "and left a pin it does not know" test -e "$P/extra"
rm -f "$P/extra"; rmdir "$P" 2>/dev/null

# ---- a load stopped half-way: cgtrack's maps, no ABI stamp, no links -----
# (a start timeout killed it after libbpf pinned the maps): the next start
# loads again into them instead of refusing them for good
ct load --cgroup-mode v2 >/dev/null 2>&1
rm -f "$P"/links/*
zero=$(printf '00 %.0s' $(seq 1 "$(bpftool -j map show pinned "$P/config" | jq .bytes_value)"))
# shellcheck disable=SC2086
bpftool map update pinned "$P/config" key 0 0 0 0 value $zero
out=$(ct load --cgroup-mode v2 2>&1)
t_eq "the pins of a load that did not finish: the next load works" 0 "$?"
t_true "saying so" grep -q "from a load that did not finish; loading again" <<<"$out"
t_true "and the programs are attached again" test -e "$P/links/cgroup_mkdir"
t_true "status is healthy" ct status
ct unload >/dev/null 2>&1

# ---- look-alike pins: a consumer started before cgtrack ----------------
# The consumer kit's maps are pinned by name under libbpf's default root,
# /sys/fs/bpf: a private bpffs there (private mount namespace) gets the
# example consumer's `containers` and `info`, as a consumer started first
# would make them; cgtrack must say what it found and how to fix it.
EXAMPLES_DIR=${BUILD_DIR:-$TESTS_DIR/../build}/examples
if [ -f "$EXAMPLES_DIR/execcount.bpf.o" ]; then
	out=$(unshare --mount --propagation private bash -c '
		mount -t bpf -o mode=0700 bpf /sys/fs/bpf || exit 3
		bpftool prog loadall "$2" /sys/fs/bpf/consumer >/dev/null 2>&1 || exit 4
		"$1" load --cgroup-mode v2 --pin-dir /sys/fs/bpf 2>&1
		echo "rc=$?"
		"$1" load --cgroup-mode v2 --pin-dir /sys/fs/bpf --replace >/dev/null 2>&1
		echo "replace=$?"' _ "$CGTRACK" "$EXAMPLES_DIR/execcount.bpf.o")
	t_true "a consumer's look-alike pins are refused" grep -q "^rc=1$" <<<"$out"
	t_true "naming what was found and the fix" \
		grep -Eq "not made by cgtrack.*no ABI stamp.*consumer kit.*--replace" <<<"$out"
	t_true "and --replace recovers" grep -q "^replace=0$" <<<"$out"
else
	t_skip "a consumer's look-alike pins" "no build/examples/execcount.bpf.o"
fi

# ---- where no bpffs is mounted, cgtrack mounts one like systemd does -----
# (in a private mount namespace without /sys/fs/bpf: the host's stays)
out=$(unshare --mount --propagation private bash -c '
	umount /sys/fs/bpf 2>/dev/null
	grep -q " /sys/fs/bpf bpf " /proc/mounts && { echo "still mounted"; exit 3; }
	"$1" load --cgroup-mode v2 --pin-dir /sys/fs/bpf/cgt-mnt-$$ >/dev/null 2>&1 || exit 4
	awk "\$2 == \"/sys/fs/bpf\" && \$3 == \"bpf\" { print \$4 }" /proc/mounts
	"$1" unload --pin-dir /sys/fs/bpf/cgt-mnt-$$ >/dev/null 2>&1' _ "$CGTRACK")
rc=$?
if [ $rc -eq 3 ]; then
	t_skip "bpffs mounted at /sys/fs/bpf with mode 0700" "cannot unmount it privately"
else
	t_eq "load mounts bpffs at /sys/fs/bpf when none is there" 0 "$rc"
	t_true "with mode 0700, like systemd ($out)" grep -q "mode=700" <<<"$out"
fi
out=$("$CGTRACK" load --cgroup-mode v2 --pin-dir "$MNT" 2>&1)
t_eq "a pin directory elsewhere, not on bpffs, is refused" 1 "$?"
t_true "naming the problem" grep -q "is not on bpffs: cgtrack mounts bpffs only at /sys/fs/bpf" <<<"$out"
t_false "and nothing was mounted there" mountpoint -q "$MNT"
