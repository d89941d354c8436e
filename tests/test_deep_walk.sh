#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A container deeper than populate's walk reaches (512 levels) is never
# marked dead on a restart because the walk did not see it: populate asks
# the kernel by cgroup id before marking an unseen entry dead, whenever
# part of the hierarchy was not walked. (The previous code marked it dead
# and the sweep deleted it.)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
t_init deep_walk
cp "$CGTRACK" "$T_TMP/cgtrack" && CGTRACK=$T_TMP/cgtrack
[ -n "$(t_hier v2)" ] || { t_skip all "no cgroup2 hierarchy mounted"; exit 0; }

base=$(t_base v2) || { t_fail setup "cannot make the private cgroup parent"; exit 1; }
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich || { t_fail run "did not start"; exit 1; }
deep=$base
for i in $(seq 1 520); do deep=$deep/d; done
id=$(printf 'deep-%s' "$$" | sha256sum | cut -c1-64)
mkdir -p "$deep/docker/$id" || { t_fail setup "cannot make a 520-level cgroup"; exit 1; }
ino=$(t_ino "$deep/docker/$id")
t_eq "the kernel tracks a container 522 levels down" true "$(t_field "$ino" alive)"

t_daemon_stop TERM
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich || { t_fail restart "did not start"; exit 1; }
t_true "the restart says part of the hierarchy was not walked" \
	grep -q "could not be walked" "$T_TMP/daemon.err"
sleep 2.5	# past the expiry: a wrongly marked entry would be swept now
t_eq "after a restart and a sweep it is still tracked, alive" true "$(t_field "$ino" alive)"
rmdir "$deep/docker/$id"
t_eq "its removal is still marked" false "$(t_field "$ino" alive)"
