/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The `filter` map (struct cgtrack_filter in cgtrack/abi.h) and its three
 * uses: the rmdir and exec programs ask it, the mkdir program raises a
 * slot before an insert, the sweep lowers it after a delete.
 */
#ifndef CGTRACK_FILTER_BPF_H
#define CGTRACK_FILTER_BPF_H

#include "cgtrack/abi.h"

/* mmapable, so that the loader's updates are as atomic as the kernel's */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgtrack_filter);
	__uint(map_flags, BPF_F_MMAPABLE);
} filter SEC(".maps");

static __always_inline __u32 *filter_slot(__u32 key)
{
	__u32 zero = 0;
	struct cgtrack_filter *f = bpf_map_lookup_elem(&filter, &zero);

	return f ? &f->count[CGTRACK_FILTER_SLOT(key)] : NULL;
}

/* 0: no entry has this key (the map needs no lookup); else: look it up */
static __always_inline int filter_may_have(__u32 key)
{
	__u32 *c = filter_slot(key);

	return !c || *c;
}

/* Before an insert under key: +1; after an insert that failed: -1. */
static __always_inline void filter_add(__u32 key, int delta)
{
	__u32 *c = filter_slot(key);

	if (c)
		__sync_fetch_and_add(c, delta);
}

/*
 * After a delete: one entry fewer under this slot. Never below 0 (entries
 * written by hand were not counted): a slot that wrapped would later read
 * 0 with an entry in it.
 */
static __always_inline void filter_sub(__u32 key)
{
	__u32 *c = filter_slot(key);

	if (c && *c)
		__sync_fetch_and_add(c, -1);
}

#endif /* CGTRACK_FILTER_BPF_H */
