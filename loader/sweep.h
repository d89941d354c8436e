/* SPDX-License-Identifier: Apache-2.0 */
/* Deleting entries dead for longer than the expiry. */
#ifndef CGTRACK_SWEEP_H
#define CGTRACK_SWEEP_H

#include <stdint.h>
#include "pins.h"

struct sweep_result {
	uint64_t scanned;
	uint64_t dead;			/* marked dead, still in the grace period */
	uint64_t deleted;
};

/* One pass over `containers`; deletes from both maps. */
int sweep_once(const struct pinned *p, uint64_t expiry_ns, struct sweep_result *r);

#endif
