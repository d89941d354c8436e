#!/bin/sh
# drop.sh WHAT: leave one operation out, to measure it by difference
#   notify          the ADDED ring buffer record of cgtrack_mkdir
#   pending         its lookup of the container's names in `pending`, and the
#                   forced wakeup a miss brings (at most one a ms a CPU)
#   containers      its update of the containers map
#   rmdir-lookup    cgtrack_rmdir's lookup (and all after it)
#   rmdir-notify    cgtrack_rmdir's REMOVED ring buffer record
#   exec-mntns      cgtrack_exec's mount-namespace bookkeeping
python3 - "$1" <<'PY'
import sys
edits = {
    'notify': ('\tnotify(key, cgid, CGTRACK_EV_ADDED, ts, wake);', ''),
    'pending': ('\twake = s->entry.root && !take_pending(s, key, cgid, ts) && wake_now(s, ts);',
                '\twake = 0;'),
    'containers': ('\tif (bpf_map_update_elem(&containers, &key, &s->entry, BPF_ANY) ||',
                   '\tif (0 ||'),
    'rmdir-lookup': ('\te = bpf_map_lookup_elem(&containers, &key);\n\tif (!e || e->cgroup_id != cgid || e->removed_ns)',
                     '\tif (cgrp)\n\t\treturn 0;\n\te = bpf_map_lookup_elem(&containers, &key);\n\tif (!e || e->cgroup_id != cgid || e->removed_ns)'),
    'rmdir-notify': ('\tnotify(key, cgid, CGTRACK_EV_REMOVED, ts, 0);', ''),
    'exec-mntns': ('\tremember_mntns(p, mntns);\n', ''),
}
a, b = edits[sys.argv[1]]
p = 'bpf/cgtrack.bpf.c'
s = open(p).read()
assert s.count(a) == 1, a
s = s.replace(a, b)
open(p, 'w').write(s)
PY
