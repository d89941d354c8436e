#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# An upgrade across a map ABI change (what a package upgrade to a build
# with another CGTRACK_ABI_VERSION does): pins stamped with another ABI
#  - are refused by a plain load, with the message naming both versions;
#  - are replaced by `--replace-other-abi` (what the unit and the init
#    script pass), logged, the capacity kept, entries rebuilt from the
#    cgroupfs (an existing container EXISTED again);
#  - pins of this ABI are adopted by it, not replaced (same program ids).
source "$(dirname "$0")/lib.sh"
t_init abiup
I=5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf

load() { "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 "$@"; }
abi() { bpftool -j map lookup pinned "$T_PIN/config" key 0 0 0 0 | jq -r '.formatted.value.abi_version'; }
prog_ids() { bpftool -j link show | jq -c '[.[] | select(.prog_id) | .prog_id] | sort'; }
# stamp the pinned config with map ABI v$1 (its first field)
stamp() {
	local v
	v=$(bpftool -j map lookup pinned "$T_PIN/config" key 0 0 0 0 |
		jq -r --arg a "$(printf '0x%02x' "$1")" '.value | .[0] = $a | .[1:4] |= ["0x00","0x00","0x00"] | join(" ")')
	# shellcheck disable=SC2086
	bpftool map update pinned "$T_PIN/config" key 0 0 0 0 value $v
}

t_mkdir v2 "docker/$I" >/dev/null
key=$(t_ino "$(t_base v2)/docker/$I")
load --max-entries 512 >/dev/null 2>"$T_TMP/load1.err" || { t_fail "first load" "$(cat "$T_TMP/load1.err")"; exit 1; }
want=$(abi)
stamp $((want - 1)) || { t_fail "stamping an older ABI" "bpftool failed"; exit 1; }
t_eq "the pins now say ABI v$((want - 1))" $((want - 1)) "$(abi)"

load >/dev/null 2>"$T_TMP/plain.err"
rc=$?
t_eq "a plain load refuses them: exit 1" 1 "$rc"
t_true "naming both map ABI versions" grep -q "map ABI v$((want - 1)), this build is v$want" "$T_TMP/plain.err"

load --replace-other-abi >/dev/null 2>"$T_TMP/up.err"
t_eq "--replace-other-abi: exit 0" 0 "$?"
t_true "logged: replacing them" grep -q "replacing them (--replace-other-abi)" "$T_TMP/up.err"
t_eq "the new pins carry this build's ABI" "$want" "$(abi)"
t_eq "the capacity kept (512)" 512 \
	"$(bpftool -j map show pinned "$T_PIN/containers" | jq .max_entries)"
t_eq "the existing container rebuilt from the cgroupfs: EXISTED" existed "$(t_field "$key" state)"

ids=$(prog_ids)
load --replace-other-abi >/dev/null 2>"$T_TMP/same.err"
t_eq "pins of this ABI: adopted, not replaced (exit 0, same program ids)" "0 $ids" "$? $(prog_ids)"
t_true "... and not logged as a replacement" sh -c "! grep -q 'replacing them' '$T_TMP/same.err'"
"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null 2>&1
