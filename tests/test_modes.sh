#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# v1 and v2: only the tracked hierarchy counts. With --cgroup-mode v1 a
# container-shaped directory in another v1 hierarchy (memory) or in cgroup2
# never appears; with --cgroup-mode v2 the unified hierarchy is tracked and
# v1 ones are not. Bad modes and controllers are refused clearly.
source "$(dirname "$0")/lib.sh"
t_init modes

I=5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf

t_daemon_start --cgroup-mode v1 --no-enrich || { t_fail "v1 start" "see log"; exit 1; }
t_eq "v1 tracks cpuset by default" "cpuset" "$(grep -o 'tracking [^ ]*' "$T_TMP/daemon.err" | tail -1 | cut -d' ' -f2)"
m=$(t_mkdir memory "docker/$I")
u=$(t_mkdir v2 "docker/$I")
c=$(t_mkdir cpuset "docker/$I")
t_eq "v1: memory hierarchy ignored" "absent" "$(t_field "$(t_ino "$m")" state)"
t_eq "v1: unified hierarchy ignored" "absent" "$(t_field "$(t_ino "$u")" state)"
t_eq "v1: cpuset hierarchy tracked" "created docker" \
	"$(t_field "$(t_ino "$c")" state) $(t_field "$(t_ino "$c")" runtime)"
keys=$(cgt list --json | jq --arg b "$(t_rel cpuset "$(t_base cpuset)")/" '[.[] | select(.path | startswith($b))] | length')
t_eq "v1: exactly one entry of ours" "1" "$keys"
t_daemon_stop
cgt unload >/dev/null
for h in memory v2 cpuset; do t_rm_cgroup_tree "$(t_base $h)/docker"; done

t_daemon_start --cgroup-mode v1 --v1-controller pids --no-enrich || { t_fail "v1 pids start" "see log"; exit 1; }
p=$(t_mkdir pids "docker/$I")
c=$(t_mkdir cpuset "docker/$I")
t_eq "v1 --v1-controller pids: pids tracked" "created" "$(t_field "$(t_ino "$p")" state)"
t_eq "v1 --v1-controller pids: cpuset ignored" "absent" "$(t_field "$(t_ino "$c")" state)"
t_daemon_stop
cgt unload >/dev/null
for h in pids cpuset; do t_rm_cgroup_tree "$(t_base $h)/docker"; done

t_daemon_start --cgroup-mode v2 --no-enrich || { t_fail "v2 start" "see log"; exit 1; }
u=$(t_mkdir v2 "docker/$I")
c=$(t_mkdir cpuset "docker/$I")
t_eq "v2: unified tracked" "created" "$(t_field "$(t_ino "$u")" state)"
t_eq "v2: v1 cpuset ignored" "absent" "$(t_field "$(t_ino "$c")" state)"
t_eq "v2: config says cgroup2 at the unified mount" "2 0 $(t_hier v2)" \
	"$(bpftool -j map dump pinned "$T_PIN/config" | jq -r '.[0].formatted.value | "\(.mode | if . == "CGTRACK_MODE_V2" then 2 else 1 end) \(.hierarchy_id) \(.mount)"')"
t_daemon_stop

# Refusals name the problem and exit 2 (usage) or 1 (environment).
out=$("$CGTRACK" run --pin-dir "$T_PIN" --cgroup-mode v3 2>&1); rc=$?
t_eq "unknown mode refused (exit 2)" "2" "$rc"
t_true "unknown mode message names it" grep -q "v3" <<<"$out"
out=$("$CGTRACK" run --pin-dir "$T_PIN" --cgroup-mode v1 --v1-controller nosuch 2>&1); rc=$?
t_eq "missing controller refused (exit 1)" "1" "$rc"
t_true "missing controller message names it" grep -q "'nosuch' has no mounted hierarchy" <<<"$out"
