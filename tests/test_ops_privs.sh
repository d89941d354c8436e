#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Privileges, as they are on this kernel:
#  - loading (run, load) needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN;
#    without them, uid 0 included, the error names what is missing and
#    nothing is pinned;
#  - the pins are files on bpffs: reading them (list) needs read
#    permission, sweeping read and write, unloading write permission on
#    the pin directory; no capability (Linux 5.19+, whatever
#    kernel.unprivileged_bpf_disabled says). `list` resolves cgroup paths
#    only with CAP_DAC_READ_SEARCH (open_by_handle_at), else PATH is empty;
#    `status` checks the links, whose pins the kernel opens read-write
#    only: it needs write permission on links/*;
#  - a user without permission gets an error that says which permission.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init ops_privs
# a private copy (a build running meanwhile may relink build/cgtrack),
# that nobody may run too
chmod 0711 "$T_TMP"
cp "$CGTRACK" "$T_TMP/cgtrack" && chmod 0755 "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack

command -v setpriv >/dev/null || { t_skip all "no setpriv (util-linux)"; exit 0; }
[ "$(id -u)" = 0 ] || { t_skip all "needs root to drop from"; exit 0; }
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

# as CAPS CMD...: run as root with only CAPS (e.g. "+bpf,+perfmon" or "")
as() {
	local caps=-all${1:+,$1}
	shift
	setpriv --inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps" -- "$@"
}
# as_nobody CMD...: uid/gid 65534, no capabilities
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--ambient-caps=-all --bounding-set=-all -- "$@"
}
# ours: our container's entry, without the path (others' cgroups come and go)
ours() { jq -c --argjson k "$ino" '[.[] | select(.cgroup_id == $k) | del(.path)]'; }

echo "# kernel $(uname -r), kernel.unprivileged_bpf_disabled=$(cat /proc/sys/kernel/unprivileged_bpf_disabled)"

# ---- loading -------------------------------------------------------------------
for cmd in load run; do
	out=$(as "" "$CGTRACK" $cmd --pin-dir "$T_PIN" --cgroup-mode v2 2>&1)
	rc=$?
	t_eq "uid 0 without capabilities: $cmd fails" 1 "$rc"
	t_true "uid 0 without capabilities: $cmd names CAP_BPF and CAP_PERFMON" \
		grep -q "cgtrack $cmd needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN).*lacks: CAP_BPF CAP_PERFMON\." <<<"$out"
	t_true "uid 0 without capabilities: $cmd pinned nothing" test ! -e "$T_PIN"
done
out=$(as +bpf "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 2>&1)
t_true "with CAP_BPF only: load names CAP_PERFMON alone" grep -q "lacks: CAP_PERFMON\." <<<"$out"
out=$(as +perfmon "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 2>&1)
t_true "with CAP_PERFMON only: load names CAP_BPF alone" grep -q "lacks: CAP_BPF\." <<<"$out"
out=$(as_nobody "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 2>&1)
t_true "nobody: load names the capabilities and the uid" grep -q "(uid 65534) lacks: CAP_BPF CAP_PERFMON" <<<"$out"

t_true "uid 0 with CAP_SYS_ADMIN only: load works" as +sys_admin "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2
cgt unload >/dev/null 2>&1
t_true "uid 0 with CAP_BPF and CAP_PERFMON only: load works" \
	as +bpf,+perfmon "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2
t_true "... and the programs are attached" test -e "$T_PIN/links/cgroup_mkdir"
# what cgtrack.service grants (no CAP_SYS_ADMIN: no program or BTF by id):
# a restart must still prove the pins cgtrack's and adopt them
out=$(as +bpf,+perfmon,+dac_read_search "$CGTRACK" load --pin-dir "$T_PIN" --cgroup-mode v2 2>&1)
t_eq "the unit's capabilities: a restart adopts the pinned programs (exit 0)" 0 "$?"
t_true "... and says it adopted them" grep -q "adopted the pinned programs" <<<"$out"

d=$(t_mkdir v2 "docker/$(printf '%064x' $$)")
rel=$(t_rel v2 "$d")
ino=$(t_ino "$d")
full=$(cgt list --json)
t_true "setup: our container is in the map" test "$(ours <<<"$full")" != "[]"
t_eq "full capabilities: list resolves the path" "$rel" \
	"$(jq -r --argjson k "$ino" '.[] | select(.cgroup_id == $k) | .path' <<<"$full")"

# ---- reading and sweeping: file permissions, no capability ----------------------
out=$(as "" "$CGTRACK" list --json --pin-dir "$T_PIN" 2>&1)
t_eq "uid 0 without capabilities: list works, same entry" "$(ours <<<"$full")" "$(ours <<<"$out")"
p=$(jq -r --argjson k "$ino" '.[] | select(.cgroup_id == $k) | .path' <<<"$out")
t_true "uid 0 without CAP_DAC_READ_SEARCH: the path is empty or right ('$p')" \
	test -z "$p" -o "$p" = "$rel"
t_true "uid 0 without capabilities: sweep works" as "" "$CGTRACK" sweep --pin-dir "$T_PIN"
if "$CGTRACK" status --help >/dev/null 2>&1; then
	t_true "uid 0 without capabilities: status works (exit 0)" \
		as "" "$CGTRACK" status --pin-dir "$T_PIN"
fi

out=$(as_nobody "$CGTRACK" list --pin-dir "$T_PIN" 2>&1)
rc=$?
t_eq "nobody, pins 0600 root: list fails" 1 "$rc"
t_true "nobody: list says read permission is missing" \
	grep -q "Permission denied (reading the pins needs read permission on $T_PIN" <<<"$out"
out=$(as_nobody "$CGTRACK" sweep --pin-dir "$T_PIN" 2>&1)
t_true "nobody: sweep says read and write permission is missing" \
	grep -q "writing the pins needs read and write permission" <<<"$out"
out=$(as_nobody "$CGTRACK" unload --pin-dir "$T_PIN" 2>&1)
rc=$?
t_eq "nobody: unload fails" 1 "$rc"
t_true "nobody: unload says it cannot use the pin directory, and why" \
	grep -q "cannot open $T_PIN: Permission denied (using the pin directory needs search and write permission" <<<"$out"
t_true "nobody: the programs are still attached" test -e "$T_PIN/links/cgroup_mkdir"

# a group (here: everyone) given read access can list
if as_nobody test -x "$(dirname "$T_PIN")"; then
	chmod 0755 "$T_PIN"
	find "$T_PIN" -maxdepth 1 -type f -exec chmod 0644 {} +	# the maps
	out=$(as_nobody "$CGTRACK" list --json --pin-dir "$T_PIN" 2>&1)
	t_eq "nobody, pins made readable: list works, same entry" "$(ours <<<"$full")" "$(ours <<<"$out")"
	if "$CGTRACK" status --help >/dev/null 2>&1; then
		chmod 0755 "$T_PIN/links"
		out=$(as_nobody "$CGTRACK" status --pin-dir "$T_PIN" 2>&1)
		t_eq "nobody, link pins readable only: no outage from a permission (exit 0)" 0 "$?"
		t_true "... and names the link pins" grep -q "links/cgroup_mkdir" <<<"$out"
		chmod 0700 "$T_PIN/links"
	fi
	out=$(as_nobody "$CGTRACK" sweep --pin-dir "$T_PIN" 2>&1)
	t_true "nobody, pins readable only: sweep still refused (write)" \
		grep -q "writing the pins needs read and write permission" <<<"$out"
	chmod 0700 "$T_PIN"
	find "$T_PIN" -maxdepth 1 -type f -exec chmod 0600 {} +
else
	t_skip "nobody with read access" "$(dirname "$T_PIN") is not searchable by others"
fi

# unload needs write permission only: uid 0 without capabilities may
out=$(as "" "$CGTRACK" unload --pin-dir "$T_PIN" 2>&1)
t_eq "uid 0 without capabilities: unload works (file permission)" 0 "$?"
t_true "... and removed every pin" test ! -e "$T_PIN"
exit 0
