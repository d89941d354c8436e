#!/bin/sh
# a per-cgroup mark (BPF_MAP_TYPE_CGRP_STORAGE, 6.2+) set when an entry is
# added: rmdir and exec skip the hash lookup for cgroups without it
python3 - <<'PY'
p='bpf/lib/maps.bpf.h'
s=open(p).read()
m='/* Written by the daemon (enrichment)'
assert s.count(m)==1
s=s.replace(m,'''struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} tracked_cg SEC(".maps");

'''+m)
open(p,'w').write(s)
p='bpf/cgtrack.bpf.c'
s=open(p).read()
m='\tstat_inc(CGTRACK_STAT_ADDED);\n'
assert s.count(m)==1
s=s.replace(m,'\tbpf_cgrp_storage_get(&tracked_cg, cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);\n'+m)
m='\te = bpf_map_lookup_elem(&containers, &key);\n\tif (!e || e->cgroup_id != cgid || e->removed_ns)'
assert s.count(m)==1
s=s.replace(m,'\tif (!bpf_cgrp_storage_get(&tracked_cg, cgrp, 0, 0))\n\t\treturn 0;\n'+m)
m='\t/* the common case, a host process: this one lookup and out */\n\te = bpf_map_lookup_elem(&containers, &key);'
assert s.count(m)==1, 'exec'
s=s.replace(m,'\tif (!bpf_cgrp_storage_get(&tracked_cg, cgrp, 0, 0))\n\t\treturn 0;\n'+m)
open(p,'w').write(s)
PY
