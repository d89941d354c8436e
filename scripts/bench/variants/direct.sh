#!/bin/sh
# tp_btf arguments are BTF-typed: read kernel fields with plain loads (CO-RE
# relocated, fault-safe) instead of a bpf_probe_read_kernel() per hop.
python3 - <<'PY'
import re
p='bpf/lib/cgroup.bpf.h'
s=open(p).read()
rep=[
("return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);","return ((struct kernfs_node___new *)kn)->__parent;"),
("return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);","return ((struct kernfs_node___old *)kn)->parent;"),
("return BPF_CORE_READ(kn, id);","return kn->id;"),
("const char *name = BPF_CORE_READ(kn, name);","const char *name = kn->name;"),
("struct css_set *cset = BPF_CORE_READ(t, cgroups);","struct css_set *cset = t->cgroups;"),
("return BPF_CORE_READ(cset, dfl_cgrp);","return cset->dfl_cgrp;"),
("return BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);","return t->nsproxy->mnt_ns->ns.inum;"),
]
for a,b in rep:
    if a in s:
        s=s.replace(a,b)
    else:
        print('direct: not found (already direct?):', a)
open(p,'w').write(s)
p='bpf/cgtrack.bpf.c'
s=open(p).read()
rep=[
("return BPF_CORE_READ(cgrp, root, hierarchy_id) == tracked_hierarchy;","return cgrp->root->hierarchy_id == tracked_hierarchy;"),
("kn = BPF_CORE_READ(cgrp, kn);","kn = cgrp->kn;"),
("level = BPF_CORE_READ(cgrp, level);","level = cgrp->level;"),
("cgid = kn_id(BPF_CORE_READ(cgrp, kn));","cgid = kn_id(cgrp->kn);"),
("tgid = BPF_CORE_READ(p, tgid);","tgid = p->tgid;"),
("key = (__u32)kn_id(BPF_CORE_READ(cgrp, kn));","key = (__u32)kn_id(cgrp->kn);"),
("if (mntns == task_mntns(BPF_CORE_READ(p, real_parent)))","if (mntns == task_mntns(p->real_parent))"),
("if (BPF_CORE_READ(p, signal, live.counter))","if (p->signal->live.counter)"),
("if (pid && *pid == (__u32)BPF_CORE_READ(p, tgid))","if (pid && *pid == (__u32)p->tgid)"),
]
for a,b in rep:
    if a in s:
        s=s.replace(a,b)
    else:
        print('direct: not found (already direct?):', a)
open(p,'w').write(s)
PY
