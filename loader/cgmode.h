/* SPDX-License-Identifier: Apache-2.0 */
/* Which cgroup hierarchy cgtrack tracks, and where it is mounted. */
#ifndef CGTRACK_CGMODE_H
#define CGTRACK_CGMODE_H

#include <limits.h>
#include "cgtrack/abi.h"

struct tracked_hierarchy {
	enum cgtrack_mode mode;
	int hierarchy_id;		/* 0 for cgroup2 */
	int ssid;			/* v1 controller's subsystem index, -1 */
	char controller[32];		/* "cpuset", "name=systemd", "cgroup2" */
	char mount[PATH_MAX];
};

/*
 * mode: "auto", "v1" or "v2"; controller: the v1 hierarchy to track (NULL:
 * cpuset, or the first mounted of a fallback list). Returns 0, or -1 after
 * logging what is missing.
 */
int cgmode_detect(const char *mode, const char *controller,
		  struct tracked_hierarchy *out);

#endif
