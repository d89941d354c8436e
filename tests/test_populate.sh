#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Populate: cgroups that exist before `cgtrack run` enter as EXISTED; a
# restart keeps the maps; a restart after the kernel programs were away
# reconciles both ways (new cgroups added, vanished ones marked dead).
source "$(dirname "$0")/lib.sh"
t_init populate

I=5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf
J=84e9ffffe97fea4c5a0f01d401611cbafbf7e559fc6190ed74abfc2b25e889d4
K=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

a=$(t_mkdir v2 "system.slice/docker-$I.scope/init.scope")
a_root=$(dirname "$a")
n=$(t_mkdir v2 "system.slice/cron.service")
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich || { t_fail "start" "see log"; exit 1; }
t_eq "existing container: EXISTED" "existed true docker" \
	"$(t_field "$(t_ino "$a_root")" state) $(t_field "$(t_ino "$a_root")" root) $(t_field "$(t_ino "$a_root")" runtime)"
t_eq "existing sub-cgroup: EXISTED, not root" "existed false $I" \
	"$(t_field "$(t_ino "$a")" state) $(t_field "$(t_ino "$a")" root) $(t_field "$(t_ino "$a")" container_id)"
t_eq "existing non-container: absent" "absent" "$(t_field "$(t_ino "$n")" state)"
created=$(t_field "$(t_ino "$a_root")" created)
t_true "EXISTED entry has the directory's time" test -n "$created"

# A plain restart: programs stay pinned, the data stays, nothing doubles.
b=$(t_mkdir v2 "default/$J")
t_daemon_stop
t_daemon_start --cgroup-mode v2 --expiry 1 --no-enrich || { t_fail "restart" "see log"; exit 1; }
t_eq "restart keeps CREATED (not re-entered as EXISTED)" "created" "$(t_field "$(t_ino "$b")" state)"
t_true "restart adopted the pinned programs" grep -q "adopted the pinned programs" "$T_TMP/daemon.err"

# Take the kernel side away (unpin links, keep maps), change the tree,
# come back: populate must reconcile both ways.
t_daemon_stop
rm -f "$T_PIN"/links/*
c=$(t_mkdir v2 "k8s.io/$K")
b_key=$(t_ino "$b")
rmdir "$b"
t_eq "while away: the kernel saw nothing" "absent created" \
	"$(t_field "$(t_ino "$c")" state) $(t_field "$b_key" state)"
t_daemon_start --cgroup-mode v2 --expiry 30 --no-enrich || { t_fail "restart 2" "see log"; exit 1; }
t_eq "reconcile: the new cgroup added as EXISTED" "existed containerd" \
	"$(t_field "$(t_ino "$c")" state) $(t_field "$(t_ino "$c")" runtime)"
t_eq "reconcile: the vanished cgroup marked dead" "false" "$(t_field "$b_key" alive)"
t_eq "reconcile: the untouched container kept" "existed true" \
	"$(t_field "$(t_ino "$a_root")" state) $(t_field "$(t_ino "$a_root")" alive)"
