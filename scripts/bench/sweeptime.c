// SPDX-License-Identifier: Apache-2.0
/*
 * sweeptime PIN_DIR EXPIRY_MS: one sweep of cgtrack's maps, exactly as the
 * daemon does it (the loader's own sweep_once(), linked in), timed around
 * that call alone; prints {"scanned","deleted","dead","ns"}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "log.h"
#include "pins.h"
#include "sweep.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct sweep_result r;
	struct pinned p;
	uint64_t t0, t1;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: sweeptime PIN_DIR EXPIRY_MS\n");
		return 2;
	}
	log_setup(LOG_WARN, 0);
	if (pins_open(argv[1], true, &p))
		return 1;
	t0 = now_ns();
	err = sweep_once(&p, strtoull(argv[2], NULL, 10) * 1000000ull, &r);
	t1 = now_ns();
	pins_close(&p);
	if (err)
		return 1;
	printf("{\"scanned\":%llu,\"deleted\":%llu,\"dead\":%llu,\"ns\":%llu}\n",
	       (unsigned long long)r.scanned, (unsigned long long)r.deleted,
	       (unsigned long long)r.dead, (unsigned long long)(t1 - t0));
	return 0;
}
