/* SPDX-License-Identifier: Apache-2.0 */
/* The maps keep CLOCK_BOOTTIME nanoseconds; people read wall-clock time. */
#ifndef CGTRACK_TIMEUTIL_H
#define CGTRACK_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

uint64_t boot_ns(void);
/* wall-clock ns of a CLOCK_BOOTTIME ns value, and back */
uint64_t boot_to_wall_ns(uint64_t boot);
uint64_t wall_to_boot_ns(const struct timespec *wall);
/* RFC 3339 UTC with milliseconds; "" for 0 */
void format_time(uint64_t boot, char *out, size_t len);

#endif
