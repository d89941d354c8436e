/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Userspace driver of the shared parser (include/cgtrack/parser.h): walks
 * a path one component at a time, deciding each exactly as the kernel's
 * cgroup_mkdir program does.
 */
#ifndef CGTRACK_CGPATH_H
#define CGTRACK_CGPATH_H

#include <stddef.h>
#include "cgtrack/parser.h"

/* One decided cgroup: its name, depth and entry (if tracked). */
struct cgpath_node {
	char name[CGTRACK_NAME_MAX];
	__u32 len;
	__u32 level;			/* 0: the hierarchy root */
	int tracked;
	struct cgtrack_container ent;
};

void cgpath_root(struct cgpath_node *root);

/*
 * Decide the child `name` of `parent` (whose parent is `gparent`, NULL
 * above the root), with cgroup id cgid. A name longer than 255 bytes
 * (cgroupfs allows them) is decided on its first 255, as the kernel side
 * reads it; out->name keeps those. Returns 0, or -1 if the name is empty.
 */
int cgpath_step(const struct cgpath_node *gparent, const struct cgpath_node *parent,
		const char *name, size_t len, __u64 cgid, struct cgpath_node *out);

/*
 * Parse a cgroup path relative to its hierarchy root ("/docker/<id>") or
 * a /proc/<pid>/cgroup line ("0::/docker/<id>"). On success fills *out
 * (out->tracked says whether it is a container or inside one) and returns
 * 0; on bad input returns -1 with a message in err.
 */
int cgpath_parse(const char *input, struct cgpath_node *out, char *err, size_t errlen);

/* The same, calling trace on each component as it is decided (--explain). */
typedef void (*cgpath_trace_fn)(void *ctx, const char *name, size_t len,
				const struct cgpath_node *decided);
int cgpath_parse_trace(const char *input, struct cgpath_node *out, char *err, size_t errlen,
		       cgpath_trace_fn trace, void *ctx);

#endif
