// SPDX-License-Identifier: Apache-2.0
/*
 * cgtrack: which cgroup belongs to which container, kept by the kernel.
 * main() only dispatches; each command lives in its own file.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "daemon.h"
#include "cgtrack/abi.h"
#include "log.h"

/*
 * `cgtrack --pin-dir X list`: options before the command are the
 * command's; move the command word first. Returns its index, 0 if none.
 */
static int command_first(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		char *cmd = argv[i];

		if (argv[i][0] == '-' || !find_command(argv[i]))
			continue;
		memmove(&argv[2], &argv[1], (size_t)(i - 1) * sizeof(*argv));
		argv[1] = cmd;
		return 1;
	}
	return 0;
}

/* the Makefile passes VERSION and the git revision */
#ifndef CGTRACK_VERSION
#define CGTRACK_VERSION "unknown"
#endif

static void version(void)
{
	printf("cgtrack %s (map ABI v%d)\n", CGTRACK_VERSION, CGTRACK_ABI_VERSION);
}

int main(int argc, char **argv)
{
	const struct command *c;
	struct common_opts co;
	int r;

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
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version") ||
	    !strcmp(argv[1], "version")) {
		version();
		return 0;
	}
	if (argv[1][0] == '-' && !command_first(argc, argv)) {
		fprintf(stderr, "cgtrack: no command given (options go with a command: "
			"cgtrack COMMAND [options])\n");
		usage(stderr);
		return 2;
	}
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "cgtrack: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	r = opts_parse(argc - 1, argv + 1, c->set, &co);
	if (r < 0)
		daemon_notify("ERRNO=22");	/* EINVAL, for systemd: bad usage */
	if (r)
		return r > 0 ? 0 : 2;
	return c->fn(&co);
}
