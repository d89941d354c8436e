/* SPDX-License-Identifier: Apache-2.0 */
/* Entering the cgroups that existed before tracking started. */
#ifndef CGTRACK_POPULATE_H
#define CGTRACK_POPULATE_H

#include <stdint.h>
#include "cgmode.h"
#include "pins.h"

struct populate_result {
	uint64_t dirs;			/* cgroup directories walked */
	uint64_t tracked;		/* of them, containers or inside one */
	uint64_t added;			/* new EXISTED entries */
	uint64_t full;			/* could not be inserted: map full */
	uint64_t marked_dead;		/* reconcile: entries whose cgroup is gone */
};

/*
 * Walk the tracked hierarchy and insert every container cgroup as EXISTED
 * without overwriting what the kernel inserted meanwhile; then mark dead
 * the live entries whose cgroup no longer exists. Call after attaching.
 */
int populate(const struct tracked_hierarchy *th, const struct pinned *p,
	     struct populate_result *res);

#endif
