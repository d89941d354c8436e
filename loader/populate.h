/* SPDX-License-Identifier: Apache-2.0 */
/* Entering the cgroups that existed before tracking started. */
#ifndef CGTRACK_POPULATE_H
#define CGTRACK_POPULATE_H

#include <stdint.h>
#include "cgmode.h"
#include "pins.h"

#include <sys/types.h>

enum walk_mode {
	WALK_START,			/* insert as EXISTED, then reconcile */
	WALK_RECOVER,			/* insert what a full map made us miss */
	WALK_CHECK,			/* insert nothing: count what is missing */
};

#define POPULATE_OWNERS	8

struct populate_result {
	uint64_t dirs;			/* cgroup directories walked */
	uint64_t tracked;		/* of them, containers or inside one */
	uint64_t added;			/* new entries */
	uint64_t full;			/* could not be inserted: map full */
	uint64_t marked_dead;		/* reconcile: entries whose cgroup is gone */
	uint64_t unwalked;		/* subtrees not walked (depth, EMFILE) */
	uint64_t missing;		/* WALK_CHECK: live, tracked, not in the map */
	struct {			/* WALK_CHECK: non-root owners of them */
		uid_t uid;
		uint64_t n;
	} owners[POPULATE_OWNERS];
};

/*
 * Walk the tracked hierarchy. WALK_START: insert every container cgroup
 * as EXISTED without overwriting what the kernel inserted meanwhile, then
 * mark dead the live entries whose cgroup no longer exists (call after
 * attaching). WALK_RECOVER: insert what is missing (CREATED when younger
 * than the load), counted as recovered. WALK_CHECK: change nothing, count
 * the live container cgroups missing from the map and their owners.
 */
int populate(enum walk_mode mode, const struct tracked_hierarchy *th,
	     const struct pinned *p, struct populate_result *res);

#endif
