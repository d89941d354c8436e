// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>

#include "timeutil.h"

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec;
}

uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts_ns(&ts);
}

/* wall - boot, sampled now */
static int64_t wall_offset(void)
{
	struct timespec w, b;

	clock_gettime(CLOCK_REALTIME, &w);
	clock_gettime(CLOCK_BOOTTIME, &b);
	return (int64_t)(ts_ns(&w) - ts_ns(&b));
}

uint64_t boot_to_wall_ns(uint64_t boot)
{
	return boot + wall_offset();
}

uint64_t wall_to_boot_ns(const struct timespec *wall)
{
	int64_t b = (int64_t)ts_ns(wall) - wall_offset();

	return b > 0 ? (uint64_t)b : 0;
}

void format_time(uint64_t boot, char *out, size_t len)
{
	uint64_t wall;
	time_t sec;
	struct tm tm;

	if (!boot) {
		if (len)
			out[0] = 0;
		return;
	}
	wall = boot_to_wall_ns(boot);
	sec = (time_t)(wall / 1000000000ull);
	gmtime_r(&sec, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(wall % 1000000000ull / 1000000));
}
