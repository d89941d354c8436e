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

/*
 * One pass over `containers`; deletes from the three maps. In the kernel
 * where it can be (5.14+/6.1+ and CAP_BPF), else with batched syscalls.
 */
int sweep_once(const struct pinned *p, uint64_t expiry_ns, struct sweep_result *r);
/* The batched syscalls' sweep alone (the fallback; the benchmark times it). */
int sweep_once_user(const struct pinned *p, uint64_t expiry_ns, struct sweep_result *r);
/* Release the in-kernel sweep's program (it is kept between sweeps). */
void sweep_done(void);

#endif
