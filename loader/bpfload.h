/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Getting cgtrack's programs into the kernel: load, attach and pin them
 * (links included, so tracking outlives the daemon), or adopt the ones a
 * previous run pinned.
 */
#ifndef CGTRACK_BPFLOAD_H
#define CGTRACK_BPFLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "cgmode.h"

struct load_opts {
	const char *pin_dir;
	const struct tracked_hierarchy *th;
	uint32_t max_entries;
	bool max_entries_set;		/* given on the command line */
	uint64_t expiry_ns;
	bool replace;			/* unload incompatible pins first */
	bool replace_other_abi;		/* replace pins of another map ABI (upgrades) */
	bool containers_map;		/* keep containers_map (CGTRACK_CONFIG_CONTAINERS_MAP) */
	gid_t pin_gid;			/* --pin-group, or (gid_t)-1 */
};

enum load_outcome {
	LOAD_FAILED = -1,
	LOAD_FRESH = 0,			/* loaded and attached now */
	LOAD_ADOPTED = 1,		/* programs pinned by an earlier run */
};

/* Load (or adopt) and leave everything pinned under o->pin_dir. */
enum load_outcome bpfload(const struct load_opts *o);

/*
 * Detach and remove the pins (links first): only what is provably
 * cgtrack's, or everything under cgtrack's pin names when force. Returns
 * the count removed, or a negative errno after logging the first pin that
 * could not be removed or a pin directory that cannot be trusted; *left:
 * pins under our names that are not ours, left in place (each logged).
 */
int bpfload_unload(const char *pin_dir, bool force, int *left);

#endif
