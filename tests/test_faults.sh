#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Faults and hostile input, each a case:
#   full map        --max-entries 64 and 200 container cgroups: misses
#                   counted, status warns, nothing crashes, entries come back
#                   once space frees; populate with more containers than the
#                   map holds terminates
#   no bpffs        a pin dir outside /sys/fs/bpf: bpffs mounted on it
#   no hierarchy    a v1 controller with no hierarchy, a cgroup2-less mount
#                   namespace: a clear error
#   foreign pins    a pinned map of another layout: refused, nothing changed
#   garbage entries a map written by someone else: every reader survives,
#                   ids stay within their field
#   bad options     --expiry -1, --max-entries 0, unknown mode or option...:
#                   a clear error and exit 2
#   odd names       255-byte names, spaces, ':', unicode, control bytes,
#                   escapes, depth 50: the kernel's entry for every directory
#                   equals `cgtrack parse` of its path
source "$(dirname "$0")/lib.sh"
t_init faults

I=5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
J=84e9ffffe97fea4c5a0f01d401611cbafbf7e559fc6190ed74abfc2b25e889d4
P=26ab26cd-6409-443f-a13c-fd6c231207c8
PS=${P//-/_}
MOUNTS=()	# bpffs mounts of ours, unmounted at exit
PINS=()		# other pin dirs of ours, unloaded at exit

faults_cleanup() {
	local m
	t_cleanup
	for m in "${PINS[@]}"; do
		"$CGTRACK" unload --pin-dir "$m" >/dev/null 2>&1
	done
	for m in "${MOUNTS[@]}"; do
		"$CGTRACK" unload --pin-dir "$m" >/dev/null 2>&1
		umount "$m" 2>/dev/null
	done
}
trap faults_cleanup EXIT

id_n() { printf '%056x%08x' "$1" "$2"; }	# a 64-hex id from two numbers

# sum of a per-CPU stats counter, as bpftool shows it
stat_sum() {	# INDEX
	bpftool -j map lookup pinned "$T_PIN/stats" key "$1" 0 0 0 |
		jq '[.formatted.values[].value] | add'
}

# entries whose path is under our base ("": none)
our_entries() {	# REL_BASE
	cgt list --json | jq --arg b "$1/" '[.[] | select(.path | startswith($b))]'
}

# ---- full map -------------------------------------------------------------
full_map() {
	local base rel n e before failed st alive host free want max=64 new_ok=0
	t_daemon_start --cgroup-mode v2 --max-entries $max --expiry 1 --no-enrich ||
		{ t_fail "full map: daemon start" "see log"; return; }
	base=$(t_base v2)
	rel=$(t_rel v2 "$base")
	mkdir -p "$base/docker"
	# the host's own container cgroups take entries too: leave 64 for ours
	host=$(cgt list --json | jq length)
	if [ "$host" -gt 0 ]; then
		t_daemon_stop
		"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null
		max=$((host + 64))
		t_daemon_start --cgroup-mode v2 --max-entries $max --expiry 1 --no-enrich ||
			{ t_fail "full map: daemon start" "see log"; return; }
		host=$(cgt list --json | jq length)
	fi
	before=$(stat_sum 5)
	for n in $(seq 1 200); do mkdir "$base/docker/$(id_n 1 "$n")"; done
	e=$(cgt list --json | jq length)
	failed=$(( $(stat_sum 5) - before ))
	if [ "$e" -le $max ] && [ "$failed" -ge $((200 - max + host)) ]; then
		t_ok "full map: $e entries of $max, $failed inserts counted as failed (stats[5])"
	else
		t_fail "full map: misses counted" "$e entries of $max ($host the host's), $failed failed inserts"
	fi
	if kill -0 "$T_DAEMON_PID" 2>/dev/null; then
		t_ok "full map: the daemon keeps running"
	else
		t_fail "full map: daemon" "died: $(tail -3 "$T_TMP/daemon.err")"
	fi
	if t_wait_for "daemon warns" 3 grep -q "containers map is full" "$T_TMP/daemon.err"; then
		t_ok "full map: the daemon logs a warning"
	else
		t_fail "full map: daemon warning" "no 'containers map is full' in its log"
	fi
	st=$(cgt status 2>&1)
	if [ "$(cgt status >/dev/null 2>&1; echo $?)" = 1 ] && grep -q 'map is full' <<<"$st" &&
	   grep -q 'live container cgroups are not in the map' <<<"$st" &&
	   grep -q 'inserts failed' <<<"$st"; then
		t_ok "full map: cgtrack status says the map is full and what is missing"
	else
		t_fail "full map: status warns" "$(grep -E 'problem|warning|health' <<<"$st" | head -3)"
	fi
	# free space: remove 100 (tracked or not), the sweep deletes the dead,
	# and the daemon's re-walk gives the room to the live containers that
	# did not fit, before any new one
	for n in $(seq 1 100); do rmdir "$base/docker/$(id_n 1 "$n")"; done
	want=$((max - host < 100 ? max - host : 100))
	live_tracked() {
		cgt list --json | jq --arg b "$rel/docker/" \
			'[.[] | select(.alive and (.path | startswith($b)))] | length'
	}
	if t_wait_for "recovered" 15 bash -c "[ \"\$($(declare -f cgt live_tracked); \
		CGTRACK=$CGTRACK T_PIN=$T_PIN rel=$rel; live_tracked)\" = $want ]"; then
		t_ok "full map: once space freed, the live containers that did not fit are tracked ($want)"
	else
		t_fail "full map: space freed" "$(live_tracked) of the 100 live containers tracked, room for $want"
	fi
	new_ok=$(cgt status --json | jq .counters.recovered)
	[ "$new_ok" -gt 0 ] && t_ok "full map: counted as recovered ($new_ok)" ||
		t_fail "full map: recovered counter" "$new_ok"
	alive=$(cgt list --json | jq length)
	[ "$alive" -le $max ] && t_ok "full map: never more than $max entries ($alive)" ||
		t_fail "full map: capacity" "$alive entries of $max"
	t_daemon_stop
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null

	# populate with more container cgroups than the set it keeps (1024, or
	# twice the capacity): it used to probe that set forever
	for n in $(seq 1 1100); do mkdir -p "$base/many/$(id_n 3 "$n")"; done
	if timeout 60 "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 --max-entries 64 \
		>"$T_TMP/load.out" 2>&1; then
		if grep -q 'did not fit' "$T_TMP/load.out"; then
			t_ok "full map: populate of 1100 containers into 64 entries ends, and says so"
		else
			t_fail "full map: populate warns" "$(tail -2 "$T_TMP/load.out")"
		fi
	else
		t_fail "full map: populate of 1100 containers" "exit $? (124: hung)"
	fi
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null
	t_rm_cgroup_tree "$base"
}

# ---- a pin directory that is not on bpffs ------------------------------------
# cgtrack mounts bpffs only at /sys/fs/bpf (tests/test_pin_security.sh checks
# that, in a private mount namespace); elsewhere it refuses, mounting nothing.
no_bpffs() {
	local pin="$T_TMP/bpf/cgtrack" rc
	MOUNTS+=("$pin")
	"$CGTRACK" load --pin-dir "$pin" --cgroup-mode v2 >"$T_TMP/out" 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -q "is not on bpffs" "$T_TMP/out" && [ ! -e "$pin" ] &&
	   ! grep -q " $T_TMP/bpf" /proc/mounts; then
		t_ok "no bpffs: a pin dir off bpffs is refused, nothing mounted or made"
	else
		t_fail "no bpffs: refused" "exit $rc: $(tail -2 "$T_TMP/out")"
	fi
}

# ---- the tracked hierarchy missing -------------------------------------------
no_hierarchy() {
	local out rc
	out=$("$CGTRACK" run --pin-dir "$T_PIN" --cgroup-mode v1 --v1-controller name=nonexistent \
		--no-enrich 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q "'name=nonexistent' has no mounted hierarchy" <<<"$out" &&
	   [ ! -e "$T_PIN" ]; then
		t_ok "no hierarchy: v1 name=nonexistent: exit 1, says which, pins nothing"
	else
		t_fail "no hierarchy: v1" "exit $rc: $out"
	fi
	# a mount namespace without cgroup2 (cgroup2 is at .../unified on this host)
	out=$(unshare -m bash -c '
		for m in $(awk "\$3 == \"cgroup2\" { print \$2 }" /proc/mounts); do umount -l "$m"; done
		exec "$0" run --pin-dir "$1" --cgroup-mode v2 --no-enrich' \
		"$CGTRACK" "$T_PIN" 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q "no cgroup2 filesystem is mounted" <<<"$out"; then
		t_ok "no hierarchy: cgroup2 unmounted: exit 1, says so"
	else
		t_fail "no hierarchy: no cgroup2" "exit $rc: $out"
	fi
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null 2>&1
}

# ---- a pinned map of another layout -----------------------------------------
foreign_pins() {
	local out rc
	mkdir -p "$T_PIN"
	bpftool map create "$T_PIN/containers" type hash key 4 value 100 entries 64 name containers
	out=$("$CGTRACK" run --pin-dir "$T_PIN" --cgroup-mode v2 --no-enrich 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -qE "incompatible|does not fit|is not cgtrack's" <<<"$out" &&
	   [ "$(bpftool -j map show pinned "$T_PIN/containers" | jq .bytes_value)" = 100 ] &&
	   [ ! -e "$T_PIN/links" ]; then
		t_ok "foreign pins: run refuses a 100-byte containers map, leaves it, attaches nothing"
	else
		t_fail "foreign pins: run" "exit $rc: $(tail -2 <<<"$out")"
	fi
	out=$(cgt list 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q 'incompatible' <<<"$out"; then
		t_ok "foreign pins: list refuses it"
	else
		t_fail "foreign pins: list" "exit $rc: $out"
	fi
	rm -rf "$T_PIN"
	# the right sizes, another type
	mkdir -p "$T_PIN"
	bpftool map create "$T_PIN/containers" type array key 4 value "$ENTRY_SIZE" entries 64 \
		name containers
	out=$("$CGTRACK" run --pin-dir "$T_PIN" --cgroup-mode v2 --no-enrich 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -qE "incompatible|does not fit|is not cgtrack's" <<<"$out" && [ ! -e "$T_PIN/links" ]; then
		t_ok "foreign pins: run refuses an array map of the right sizes"
	else
		t_fail "foreign pins: array" "exit $rc: $(tail -2 <<<"$out")"
	fi
	rm -rf "$T_PIN"
}

# ---- garbage written into the map ------------------------------------------
garbage() {
	local v i c bad=0 cmd out rc
	"$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 >/dev/null 2>&1 ||
		{ t_fail "garbage: load" "failed"; return; }
	# every byte 'A' but a valid bool: unterminated id and pod uid,
	# runtime and state out of range
	v=$(for i in $(seq 0 $((ENTRY_SIZE - 1))); do
		[ "$i" = 44 ] && printf '1 ' || printf '0x41 '; done)
	bpftool map update pinned "$T_PIN/containers" key 1 0 0 0 value $v
	v=$(for i in $(seq 1 "$ENTRY_SIZE"); do printf '0 '; done)
	bpftool map update pinned "$T_PIN/containers" key 2 0 0 0 value $v
	c=$(cgt list --json | jq '[.[] | select(.key == 1) | .container_id, .pod_uid |
		length] | max')
	if [ -n "$c" ] && [ "$c" != null ] && [ "$c" -le 64 ]; then
		t_ok "garbage: an unterminated id is read as at most 64 characters"
	else
		t_fail "garbage: id bounds" "longest id or pod uid read: $c characters (field: 64/36)"
	fi
	for cmd in "list" "list --json" "get 1" "get --json 2" "find AAAA" "find --json 0" \
		   "status" "status --json" "sweep" "sweep --expiry 0"; do
		# shellcheck disable=SC2086
		out=$("$CGTRACK" $cmd --pin-dir "$T_PIN" 2>&1)
		rc=$?
		[ $rc -le 2 ] || { t_fail "garbage: $cmd" "exit $rc"; bad=1; }
	done
	[ $bad = 0 ] && t_ok "garbage: list, get, find, status, sweep survive garbage entries"
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null
}

# ---- nonsensical options ------------------------------------------------------
bad_options() {
	local args out rc bad=0
	while IFS='|' read -r args want; do
		# shellcheck disable=SC2086
		out=$("$CGTRACK" $args --pin-dir "$T_PIN" 2>&1)
		rc=$?
		if [ $rc != 2 ] || ! grep -qi -- "$want" <<<"$out"; then
			t_fail "bad options: cgtrack $args" "exit $rc (want 2), said: $(head -2 <<<"$out")"
			bad=1
		fi
	done <<'EOF'
run --expiry -1|--expiry must be
run --expiry nan|--expiry must be
run --expiry 1e400|--expiry must be
run --expiry 5parsecs|--expiry must be
run --max-entries 0|--max-entries must be
run --max-entries -5|--max-entries must be
run --max-entries 99999999999999999999999|--max-entries must be
run --max-entries 12abc|--max-entries must be
run --cgroup-mode v3|--cgroup-mode is auto, v1 or v2
run --bogus|unknown option '--bogus'
run --enrich-timeout 0|--enrich-timeout must be
run --runtime docker|--runtime expects
run --log-format xml|--log-format is
list --max-entries 5|option '--max-entries' does not apply to `cgtrack list`
list --expiry 5s|option '--expiry' does not apply
run junk|unexpected argument 'junk'
list ebc2|unexpected argument 'ebc2'
unload extra|unexpected argument 'extra'
--json|no command given
parse|give one or more
frobnicate|unknown command
EOF
	[ $bad = 0 ] && t_ok "bad options: 21 nonsensical command lines: a clear error, exit 2"
	[ ! -e "$T_PIN" ] && t_ok "bad options: nothing pinned" || t_fail "bad options" "pins made"
	"$CGTRACK" run --pin-dir relative/dir >/dev/null 2>&1
	t_eq "bad options: a relative --pin-dir: exit 2" 2 $?
}

# ---- odd names: kernel vs parse ---------------------------------------------
odd_names() {
	local base rel root p i d e r n deep=() keys rels mismatch checked tracked long
	t_daemon_start --cgroup-mode v2 --no-enrich || { t_fail "odd names: daemon" "see log"; return; }
	base=$(t_base v2)
	root=$(t_hier v2)
	pad() { printf "%${1}s" "" | tr ' ' "${2:-x}"; }	# N [CHAR]
	# 255-byte names, container-shaped or embedding a container's pattern
	mkdir -p "$base/docker/$(pad 255)"
	mkdir -p "$base/sys/$(pad $((255 - 77)))docker-$I.scope"
	mkdir -p "$base/sys/docker-$I.scope$(pad $((255 - 77)))"
	mkdir -p "$base/sys/docker-$I.scope/$(pad 255 y)"
	mkdir -p "$base/sys/$(pad $((255 - 72)) z):docker:$I"
	mkdir -p "$base/cc/$(pad $((255 - 126)) k)-pod$PS.slice:cri-containerd:$J"
	mkdir -p "$base/lxc.payload.$(pad 243 w)"
	mkdir -p "$base/lxc/$(pad 255 v)"
	mkdir -p "$base/ma/machine-lxc\\x2d$(pad $((255 - 20)) u).scope"
	# spaces, ':', unicode (no '\n': the kernel refuses it), control bytes,
	# escapes that are not a machine name's
	mkdir -p "$base/lxc/my container" "$base/lxc/a:b:c" "$base/lxc/容器-é-🐳"
	mkdir -p "$base/lxc/tab$(printf '\t')bell$(printf '\a')esc$(printf '\033')[2J"
	mkdir -p "$base/lxc.payload.web 01" "$base/lxc.payload..." "$base/m/..libvirt-lxc"
	mkdir -p "$base/ms/machine-lxc\\x2dweb\\x2f..\\x2f..\\x0a.scope"
	mkdir -p "$base/ms/machine-lxc\\x2d\\x00\\x2d.scope"
	mkdir -p "$base/system.slice/docker-$I.scope/ sp ace" "$base/k8s.io/$J/a:b"
	mkdir -p "$base/garden/6c7d8e9f-a1b2-c3d4-e5f6-a7b8/容器"
	# longer than NAME_MAX: cgroupfs takes them, the kernel side decides on
	# the first 255 bytes, and so must userspace
	mkdir -p "$base/sys/$(pad 183 q):docker:$I$(pad 45 Q)/$(pad 300 r)"
	mkdir -p "$base/lxc/$(pad 300 s)/sub" "$base/docker/$I/$(pad 4000 t)/lxc/web05"
	# depth 50: plain, then containers at 50 and inside one at 50
	p=$base/deep
	for i in $(seq 1 47); do p="$p/d$i"; done
	mkdir -p "$p/docker/$I" "$p/system.slice/docker-$J.scope/init.scope" \
		"$p/kubepods/besteffort/pod$P/$J"
	deep=("$p")
	# depth 50 and over 4096 bytes: the kernel tracks it; `cgtrack parse`
	# (like the kernel's /proc/<pid>/cgroup) stops at 4095 bytes
	long=$base/long
	for i in $(seq 1 17); do long="$long/$(pad 240 "$(printf "\\x$(printf %x $((96 + i)))")")"; done
	mkdir -p "$long/docker/$I/s"

	# every directory below our base with its inode (find works below
	# PATH_MAX, where stat of a full path cannot)
	rel=$(t_rel v2 "$base")
	local -A key_of=()
	rels=()
	keys=()
	while IFS= read -r -d '' e; do
		r="$rel/${e#*/}"
		key_of[$r]=${e%%/*}
		[ ${#r} -lt 4096 ] || continue
		rels+=("$r")
		keys+=("${e%%/*}")
	done < <(find "$base" -mindepth 1 -type d -printf '%i/%P\0')
	cgt list --json >"$T_TMP/list.json"
	"$CGTRACK" parse --json "${rels[@]}" 2>"$T_TMP/parse.err" | jq -s . >"$T_TMP/parse.json"
	jq -n '$ARGS.positional' --args "${rels[@]}" >"$T_TMP/rels.json"
	printf '%s\n' "${keys[@]}" | jq -s . >"$T_TMP/keys.json"
	# pair each directory's kernel entry (or none) with the parse of its path
	jq -n --slurpfile rels "$T_TMP/rels.json" --slurpfile keys "$T_TMP/keys.json" \
		--slurpfile list "$T_TMP/list.json" --slurpfile parse "$T_TMP/parse.json" '
		def norm: {container_id, runtime, root, pod_uid};
		($list[0] | map({key: (.key | tostring), value: norm}) | from_entries) as $k |
		($parse[0] | map({key: .path, value: norm}) | from_entries) as $p |
		[range(0; $rels[0] | length) as $i |
		 { path: $rels[0][$i],
		   kernel: ($k[$keys[0][$i] | tostring] //
			    {container_id: "", runtime: "", root: false, pod_uid: ""}),
		   parse: ($p[$rels[0][$i]] // "refused") }]' >"$T_TMP/pairs.json"
	checked=$(jq length "$T_TMP/pairs.json")
	tracked=$(jq '[.[] | select(.kernel.container_id != "")] | length' "$T_TMP/pairs.json")
	mismatch=$(jq '[.[] | select(.kernel != .parse)] | length' "$T_TMP/pairs.json")
	jq -r '.[] | select(.kernel != .parse) | "# \(.path): kernel \(.kernel), parse \(.parse)"' \
		"$T_TMP/pairs.json" >&2
	if [ "$checked" -eq "${#rels[@]}" ] && [ "$checked" -gt 100 ] && [ ! -s "$T_TMP/parse.err" ] && [ "$mismatch" -eq 0 ] &&
	   [ "$tracked" -gt 20 ]; then
		t_ok "odd names: $checked directories ($tracked in containers): kernel entry == cgtrack parse"
	else
		t_fail "odd names: kernel == parse" "$mismatch of $checked differ ($tracked tracked)"
	fi
	# population (a restart) decides every directory as the kernel did:
	# a fresh load on other pins walks the same tree
	PINS+=("$T_PIN-pop")
	if "$CGTRACK" load --pin-dir "$T_PIN-pop" --cgroup-mode v2 >"$T_TMP/pop.out" 2>&1; then
		"$CGTRACK" list --json --pin-dir "$T_PIN-pop" >"$T_TMP/pop.json"
		mismatch=$(jq -n --slurpfile k "$T_TMP/list.json" --slurpfile p "$T_TMP/pop.json" \
			--argjson keys "$(printf '%s\n' "${key_of[@]}" | jq -s .)" '
			def norm: {container_id, runtime, root, pod_uid, root_cgroup_id};
			($k[0] | map({key: (.key | tostring), value: norm}) | from_entries) as $K |
			($p[0] | map({key: (.key | tostring), value: norm}) | from_entries) as $P |
			[$keys[] | tostring | select($K[.] != $P[.]) |
			 "\(.): kernel \($K[.]), populate \($P[.])"]')
		n=$(jq length <<<"$mismatch")
		if [ "$n" = 0 ]; then
			t_ok "odd names: populate of all ${#key_of[@]} directories (names over 255 bytes, paths over 4096) == kernel"
		else
			t_fail "odd names: populate == kernel" "$n differ"
			jq -r '.[] | "# " + .' <<<"$mismatch" | head -20 >&2
		fi
	else
		t_fail "odd names: populate" "$(tail -2 "$T_TMP/pop.out")"
	fi
	"$CGTRACK" unload --pin-dir "$T_PIN-pop" >/dev/null
	# the hostile ones, spelled out
	t_eq "odd names: control bytes in an lxc name become '?'" \
		'tab?bell?esc?[2J' "$(t_field "$(t_ino "$base/lxc/tab$(printf '\t')bell$(printf '\a')esc$(printf '\033')[2J")" container_id)"
	t_eq "odd names: lxc.payload... is no container (its id would be '..')" absent \
		"$(t_field "$(t_ino "$base/lxc.payload...")" container_id)"
	t_eq "odd names: only a machine name's escapes are decoded" \
		'lxc-web\x2f..\x2f..\x0a' "$(t_field "$(t_ino "$base/ms/machine-lxc\\x2dweb\\x2f..\\x2f..\\x0a.scope")" container_id)"
	t_eq "odd names: a 300-byte name: decided on its first 255 bytes" "$I true" \
		"$(t_field "$(t_ino "$base/sys/$(pad 183 q):docker:$I$(pad 45 Q)")" container_id) $(t_field "$(t_ino "$base/sys/$(pad 183 q):docker:$I$(pad 45 Q)")" root)"
	t_eq "odd names: a 255-byte lxc.payload name: the id's first 64 bytes" \
		"$(pad 64 w)" "$(t_field "$(t_ino "$base/lxc.payload.$(pad 243 w)")" container_id)"
	t_eq "odd names: depth 50, a container" "$I root" \
		"$(t_field "$(t_ino "${deep[0]}/docker/$I")" container_id) $(t_field "$(t_ino "${deep[0]}/docker/$I")" root | sed 's/true/root/')"
	t_eq "odd names: depth 51 inside a container at 50" "$J false" \
		"$(t_field "$(t_ino "${deep[0]}/system.slice/docker-$J.scope/init.scope")" container_id) $(t_field "$(t_ino "${deep[0]}/system.slice/docker-$J.scope/init.scope")" root)"
	d=${key_of[$(t_rel v2 "$long")/docker/$I/s]}
	t_eq "odd names: a container below a 4096-byte path (kernel)" "$I false" \
		"$(t_field "$d" container_id) $(t_field "$d" root)"
	"$CGTRACK" parse "${long#"$root"}/docker/$I" >/dev/null 2>"$T_TMP/err"
	if [ $? = 2 ] && grep -q 'longer than 4095' "$T_TMP/err"; then
		t_ok "odd names: cgtrack parse refuses a path over 4095 bytes, clearly"
	else
		t_fail "odd names: long path" "$(cat "$T_TMP/err")"
	fi
	t_daemon_stop
	"$CGTRACK" unload --pin-dir "$T_PIN" >/dev/null
}

# the size of struct cgtrack_container, from the BPF object's BTF
ENTRY_SIZE=$(bpftool btf dump file "$(dirname "$CGTRACK")/cgtrack.bpf.o" format raw 2>/dev/null |
	awk '/STRUCT .cgtrack_container. size=/ { sub(/.*size=/, ""); print $1; exit }')
[ -n "$ENTRY_SIZE" ] || ENTRY_SIZE=152

full_map
no_bpffs
no_hierarchy
foreign_pins
garbage
bad_options
odd_names
