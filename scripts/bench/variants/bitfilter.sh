#!/bin/sh
# A negative filter for rmdir and exec: one bit per (key mod 65536) in an
# 8 KB array, set when an entry is added; a clear bit means "not tracked",
# without the (cache-cold) hash lookup. A prototype: the bits are never
# cleared here, and populate does not set them (the real thing would have
# the loader set them and the sweep rebuild them).
python3 - <<'PY'
p = 'bpf/lib/maps.bpf.h'
s = open(p).read()
m = '/* Written by the daemon (enrichment)'
assert s.count(m) == 1, m
s = s.replace(m, '''struct tracked_bits {
	__u64 w[1024];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tracked_bits);
} tracked_bits SEC(".maps");

static __always_inline int maybe_tracked(__u32 key)
{
	__u32 zero = 0;
	struct tracked_bits *b = bpf_map_lookup_elem(&tracked_bits, &zero);

	return !b || (b->w[(key >> 6) & 1023] & (1ULL << (key & 63)));
}

static __always_inline void mark_tracked(__u32 key)
{
	__u32 zero = 0;
	struct tracked_bits *b = bpf_map_lookup_elem(&tracked_bits, &zero);

	if (b)
		__sync_fetch_and_or(&b->w[(key >> 6) & 1023], 1ULL << (key & 63));
}

''' + m)
open(p, 'w').write(s)
p = 'bpf/cgtrack.bpf.c'
s = open(p).read()
m = '\tstat_inc(CGTRACK_STAT_ADDED);\n'
assert s.count(m) == 1, m
s = s.replace(m, '\tmark_tracked(key);\n' + m)
m = '\te = bpf_map_lookup_elem(&containers, &key);\n\tif (!e || e->cgroup_id != cgid || e->removed_ns)'
assert s.count(m) == 1, m
s = s.replace(m, '\tif (!maybe_tracked(key))\n\t\treturn 0;\n' + m)
m = '\t/* the common case, a host process: this one lookup and out */\n\te = bpf_map_lookup_elem(&containers, &key);'
assert s.count(m) == 1, 'exec'
s = s.replace(m, '\tif (!maybe_tracked(key))\n\t\treturn 0;\n' + m)
open(p, 'w').write(s)
PY
