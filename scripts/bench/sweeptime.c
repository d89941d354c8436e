// SPDX-License-Identifier: Apache-2.0
/*
 * sweeptime PIN_DIR EXPIRY_MS [user]: one sweep of cgtrack's maps, exactly
 * as the daemon does it (the loader's own sweep_once(), linked in), timed
 * around that call alone; prints {"scanned","deleted","dead","ns","cpu_ns"}
 * (cpu_ns: this thread's CPU time, the kernel's work in its syscalls
 * included; on a shared machine the wall time also has others' turns).
 * `user`: the fallback's sweep (batched syscalls) even where the kernel
 * could sweep. The in-kernel sweep's program is loaded before the clock
 * starts, as in the daemon, which keeps it: an empty sweep loads it.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pins.h"
#include "sweep.h"

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sweep_result r;
	struct pinned p;
	uint64_t t0, t1, c0, c1;
	int err, user;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "user"))) {
		fprintf(stderr, "usage: sweeptime PIN_DIR EXPIRY_MS [user]\n");
		return 2;
	}
	user = argc == 4;
	log_setup(LOG_WARN, 0);
	if (pins_open(argv[1], true, &p))
		return 1;
	/* a sweep that expires nothing loads the program, untimed */
	if (!user)
		sweep_once(&p, UINT64_MAX, &r);
	/* wall time, and this thread's CPU (the kernel's work in its syscalls) */
	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	t0 = clock_ns(CLOCK_MONOTONIC);
	if (user)
		err = sweep_once_user(&p, strtoull(argv[2], NULL, 10) * 1000000ull, &r);
	else
		err = sweep_once(&p, strtoull(argv[2], NULL, 10) * 1000000ull, &r);
	t1 = clock_ns(CLOCK_MONOTONIC);
	c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	sweep_done();
	pins_close(&p);
	if (err)
		return 1;
	printf("{\"scanned\":%llu,\"deleted\":%llu,\"dead\":%llu,\"ns\":%llu,\"cpu_ns\":%llu}\n",
	       (unsigned long long)r.scanned, (unsigned long long)r.deleted,
	       (unsigned long long)r.dead, (unsigned long long)(t1 - t0),
	       (unsigned long long)(c1 - c0));
	return 0;
}
