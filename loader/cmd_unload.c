// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack unload`: detach the programs and remove the pins that are
 * provably cgtrack's (others under its names are named and left).
 */
#include <errno.h>
#include <stdio.h>

#include "bpfload.h"
#include "daemon.h"
#include "log.h"
#include "options.h"

int cmd_unload(const struct common_opts *co)
{
	int n, left;

	n = bpfload_unload(co->pin_dir, false, &left);
	if (n == -EPERM) {
		log_err("nothing was removed from %s", co->pin_dir);
		return 1;
	}
	if (n < 0) {
		log_err("could not remove everything in %s (see above); the programs "
			"stay attached while their link pins exist", co->pin_dir);
		return 1;
	}
	if (n == 0 && !left) {
		printf("nothing pinned in %s\n", co->pin_dir);
		return 0;
	}
	printf("removed %d pins from %s; cgtrack's programs are detached", n, co->pin_dir);
	if (left)
		printf("; %d pins there are not cgtrack's and were left (see above), "
		       "so the directory stays", left);
	putchar('\n');
	return 0;
}
