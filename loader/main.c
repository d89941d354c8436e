// SPDX-License-Identifier: Apache-2.0
/*
 * cgtrack: which cgroup belongs to which container, kept by the kernel.
 * main() only dispatches; each command lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

int main(int argc, char **argv)
{
	const struct command *c;

	log_setup(LOG_INFO, 0);
	log_route_libbpf();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "cgtrack: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	return c->fn(argc - 1, argv + 1);
}
