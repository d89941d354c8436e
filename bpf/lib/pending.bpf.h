/* SPDX-License-Identifier: GPL-2.0-only */
/* A new container's names, moved from `pending` into `info` at its mkdir. */
#ifndef CGTRACK_PENDING_BPF_H
#define CGTRACK_PENDING_BPF_H

#include "maps.bpf.h"

/*
 * s->entry is the container's own cgroup, just inserted under key. Only a
 * container root pays the lookup (a 64-byte key), never a sub-cgroup or a
 * cgroup that is not a container's. The copy gets the cgroup id that makes
 * it valid, and the mkdir's time: the names were there from the start.
 * Returns 1 when the container is named, 0 when the daemon must ask.
 */
static __always_inline int take_pending(struct cgtrack_scratch *s, __u32 key, __u64 cgid,
					__u64 ts)
{
	struct cgtrack_info *p;

	p = bpf_map_lookup_elem(&pending, s->entry.container_id);
	if (!p)
		return 0;
	__builtin_memcpy(&s->info, p, sizeof(s->info));
	bpf_map_delete_elem(&pending, s->entry.container_id);
	s->info.cgroup_id = cgid;
	s->info.updated_ns = ts;
	if (bpf_map_update_elem(&info, &key, &s->info, BPF_ANY))
		return 0;
	stat_inc(CGTRACK_STAT_NAMED_AT_MKDIR);
	return 1;
}

#endif /* CGTRACK_PENDING_BPF_H */
