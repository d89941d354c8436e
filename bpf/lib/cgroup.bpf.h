/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * CO-RE access to cgroups and kernfs. Every difference between kernel
 * versions is absorbed here, once.
 */
#ifndef CGTRACK_CGROUP_BPF_H
#define CGTRACK_CGROUP_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* kernfs_node::parent became __parent (RCU-protected) in 6.15. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return ((struct kernfs_node___new *)kn)->__parent;
	return ((struct kernfs_node___old *)kn)->parent;
}

/* Copy a kernfs node's name; returns its length without the NUL. */
static __always_inline __u32 kn_name(struct kernfs_node *kn, char *buf, __u32 size)
{
	const char *name = kn->name;
	long n = bpf_probe_read_kernel_str(buf, size, name);

	return n > 0 ? (__u32)(n - 1) : 0;
}

/* The task's cgroup in the tracked hierarchy (v2: the default one). */
static __always_inline struct cgroup *task_cgroup(struct task_struct *t,
						  int v2, int ssid)
{
	struct css_set *cset = t->cgroups;
	struct cgroup_subsys_state *css;

	if (v2)
		return cset->dfl_cgrp;
	/* the array's length differs with the kernel's config: ask CO-RE */
	if (ssid < 0 || ssid >= (int)(bpf_core_field_size(cset->subsys) / sizeof(void *)))
		return NULL;
	css = cset->subsys[ssid];
	return css ? css->cgroup : NULL;
}

/*
 * A task's mount namespace. t is a BTF pointer (a tp_btf argument or a
 * pointer loaded from one): plain, fault-safe loads, no helper calls.
 */
static __always_inline __u32 task_mntns(struct task_struct *t)
{
	return t->nsproxy->mnt_ns->ns.inum;
}

#endif /* CGTRACK_CGROUP_BPF_H */
