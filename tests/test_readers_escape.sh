#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Map strings never reach a terminal raw, nor run past their fields: a
# real container cgroup whose id holds a UTF-8 C1 control (C2 9B, CSI: the
# shared parser keeps it, only C0 and DEL become '?'), and an `info` entry
# written with bpftool whose strings fill their fields without a NUL and
# carry C0, DEL, C1 and stray bytes. Text output must hold no raw control,
# JSON must be valid, keep what it can (as \u escapes) and stop each
# string at the end of its field.
source "$(dirname "$0")/lib.sh"
t_init escape

CSI=$'\xc2\x9b'
# lxc/<name>: the id is the name; ESC and DEL become '?', CSI stays
NAME="esc${CSI}31mred"$'\x1b'"[2J"$'\x7f'"end"
WANT_ID="esc${CSI}31mred?[2J?end"

# bytes of a string, as bpftool's "hex" words, padded or cut to N bytes
hexbytes() {	# N STRING
	printf '%s' "$2" | head -c "$1" | od -An -v -tx1 | tr -s ' \n' ' '
	local have
	have=$(printf '%s' "$2" | head -c "$1" | wc -c)
	[ "$have" -lt "$1" ] && printf ' 00%.0s' $(seq 1 $(( $1 - have )))
}
le() {	# N VALUE: VALUE as N little-endian bytes
	local i
	for i in $(seq 0 $(( $1 - 1 ))); do printf ' %02x' $(( ($2 >> (8 * i)) & 255 )); done
}
rep() {	# N STRING: STRING repeated N times
	local i
	for i in $(seq 1 "$1"); do printf '%s' "$2"; done
}

# "bad" bytes in a text stream: C0 but \n, DEL, a C1 in UTF-8, a lone
# byte 0x80-0x9f (CSI in 8-bit terminals) that is not a continuation
raw_controls() {	# FILE: prints the count of offending lines
	LC_ALL=C grep -c -a -e $'[\x01-\x09\x0b-\x1f\x7f]' -e $'\xc2[\x80-\x9f]' \
		-e $'^[\x80-\x9f]' -e $'[\x01-\x7f][\x80-\x9f]' "$1"
}

check_text() {	# WHAT FILE
	local n
	n=$(raw_controls "$2")
	if [ "$n" = 0 ] && [ -s "$2" ]; then
		t_ok "$1: no raw control bytes"
	else
		t_fail "$1" "$n lines with raw C0/DEL/C1 bytes: $(od -c "$2" | head -8 | tr '\n' '|')"
	fi
}

"$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 >/dev/null 2>"$T_TMP/load.err" ||
	{ t_fail "load" "$(tail -2 "$T_TMP/load.err")"; exit 1; }
dir=$(t_mkdir v2 "lxc/$NAME")
key=$(t_ino "$dir")
e=$(t_entry "$key")
t_eq "the kernel keeps a C1 control in an id (C0 and DEL become '?')" "$WANT_ID" \
	"$(jq -r .container_id <<<"$e")"
cgid=$(jq -r .cgroup_id <<<"$e")

# struct cgtrack_info: cgroup_id, updated_ns, runtime, sandbox, pad[3],
# name[128], image[256], pod_name[128], pod_namespace[64], pod_uid[37],
# pad[3]: every string full, no NUL anywhere
size=$(bpftool -j map show pinned "$T_PIN/info" | jq .bytes_value)
t_eq "info value size" 640 "$size"
name="$(rep 42 "N$CSI")NN"				# 128 bytes
image="$(rep 32 "I"$'\x1b'"[2J"$'\x7f'$'\x9b'"I")"	# 256 bytes
pod_name=$(rep 128 P)
pod_ns=$(rep 32 "S$CSI" | head -c 64)
pod_uid=$(rep 37 U)
value="$(le 8 "$cgid") $(le 8 1) $(le 4 1) 07 41 41 41 $(hexbytes 128 "$name")
	$(hexbytes 256 "$image") $(hexbytes 128 "$pod_name") $(hexbytes 64 "$pod_ns")
	$(hexbytes 37 "$pod_uid") 5a 5a 5a"
# shellcheck disable=SC2086
bpftool map update pinned "$T_PIN/info" key hex $(le 4 "$key") value hex $value ||
	{ t_fail "write the info entry" "bpftool failed"; exit 1; }

# a process in the container, and one in a non-container cgroup so named
sleep 1000 &
sp=$!
T_PIDS+=("$sp")
echo "$sp" >"$dir/cgroup.procs"
other=$(t_mkdir v2 "host${CSI}2J"$'\x1b'"x")
sleep 1000 &
hp=$!
T_PIDS+=("$hp")
echo "$hp" >"$other/cgroup.procs"

cgt list >"$T_TMP/list" 2>&1
check_text "list" "$T_TMP/list"
t_true "list: the id is shown, escaped" grep -qF 'esc\xc2\x9b31' "$T_TMP/list"
cgt get "$key" >"$T_TMP/get" 2>&1
check_text "get" "$T_TMP/get"
cgt find esc >"$T_TMP/find" 2>&1
check_text "find" "$T_TMP/find"
cgt pid "$sp" >"$T_TMP/pid" 2>&1
check_text "pid, in the container" "$T_TMP/pid"
cgt pid "$hp" >"$T_TMP/pid-host" 2>&1
t_eq "pid of the host process exits 1" 1 "$?"
check_text "pid, the 'not in a container' message (a cgroup name)" "$T_TMP/pid-host"
"$CGTRACK" parse "$(t_rel v2 "$dir")" "$(t_rel v2 "$other")" >"$T_TMP/parse" 2>&1
check_text "parse" "$T_TMP/parse"

cgt list --json >"$T_TMP/list.json"
check_text "list --json (C1 as \\u009b)" "$T_TMP/list.json"
t_true "list --json is valid JSON" jq -e . "$T_TMP/list.json"
e=$(jq -c --argjson k "$key" '.[] | select(.key == $k)' "$T_TMP/list.json")
t_eq "JSON keeps the id's C1 control, escaped" "$WANT_ID" "$(jq -r .container_id <<<"$e")"
# each string ends at its field's last byte: 127 of 128, ...
t_eq "JSON name: the field's first 127 bytes, nothing of the image" \
	"$(rep 42 "N$CSI")N" "$(jq -r .name <<<"$e")"
t_eq "JSON image: its own bytes only (255), controls escaped" "true" \
	"$(jq '.image | test("^[I\u001b\\[2J\u007f\ufffd]*$") and (explode | length) == 255' <<<"$e")"
t_eq "JSON pod name and namespace: their fields only" "$(rep 127 P) $(rep 21 "S$CSI")" \
	"$(jq -r '"\(.pod_name) \(.pod_namespace)"' <<<"$e")"
t_eq "JSON sandbox: a bool" "true" "$(jq -r .sandbox <<<"$e")"
cgt get "$key" --json >"$T_TMP/get.json"
t_eq "get --json: valid, the same name" "$(jq -r .name <<<"$e")" \
	"$(jq -r .name "$T_TMP/get.json")"
cgt pid "$sp" --json >"$T_TMP/pid.json"
t_true "pid --json is valid JSON" jq -e .entry.pod_name "$T_TMP/pid.json"
check_text "pid --json" "$T_TMP/pid.json"
