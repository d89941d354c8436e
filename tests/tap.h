/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The C unit tests' output: one "ok - AREA: what" or "not ok - AREA: what:
 * got '...'" line per check (what tests/run.sh counts), and a summary.
 * Define TAP_AREA before including it.
 */
#ifndef CGTRACK_TESTS_TAP_H
#define CGTRACK_TESTS_TAP_H

#include <stdio.h>

static int pass, fail;

static void ok(int cond, const char *what, const char *got)
{
	if (cond) {
		printf("ok - " TAP_AREA ": %s\n", what);
		pass++;
	} else {
		printf("not ok - " TAP_AREA ": %s: got '%s'\n", what, got);
		fail++;
	}
}

/* The exit status of a test program: 1 if any check failed. */
static int tap_done(void)
{
	printf("# %d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}

#endif
