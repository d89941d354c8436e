// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack completion bash`: a bash completion script made from the same
 * declarations the parser uses (the command table and each command's
 * option set), so that it cannot drift from what cgtrack accepts.
 */
#include <stdio.h>
#include <string.h>

#include "clierr.h"
#include "commands.h"
#include "options.h"

static void print_opt(void *ctx, const char *name, bool has_arg)
{
	(void)ctx;
	(void)has_arg;
	printf(" --%s", name);
}

/* Options whose value is a file or directory, or one of a few words. */
static void value_cases(void)
{
	static const char *const opts[] = {
		"cgroup-mode", "log-format", "state", "runtime",
	};
	size_t i;

	printf("\tcase $prev in\n");
	printf("\t--pin-dir) COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n");
	printf("\t--pidfile) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n");
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		printf("\t--%s) COMPREPLY=($(compgen -W \"%s\" -- \"$cur\")); return ;;\n",
		       opts[i], opt_values(opts[i]));
	printf("\tesac\n");
}

static void bash(void)
{
	size_t i;

	printf("# bash completion for cgtrack, made by `cgtrack completion bash`\n");
	printf("_cgtrack() {\n");
	printf("\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n");
	printf("\tlocal cmd=${COMP_WORDS[1]} opts\n");
	printf("\tif [ \"$COMP_CWORD\" -eq 1 ]; then\n\t\tCOMPREPLY=($(compgen -W \"");
	for (i = 0; i < n_commands; i++)
		printf("%s%s", i ? " " : "", commands[i].name);
	printf(" --help --version\" -- \"$cur\"))\n\t\treturn\n\tfi\n");
	value_cases();
	printf("\tcase $cmd in\n");
	for (i = 0; i < n_commands; i++) {
		printf("\t%s) opts=\"", commands[i].name);
		opts_each(commands[i].set, print_opt, NULL);
		printf("\" ;;\n");
	}
	printf("\t*) return ;;\n\tesac\n");
	printf("\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n}\n");
	printf("complete -F _cgtrack cgtrack\n");
}

int cmd_completion(const struct common_opts *co)
{
	if (co->argc != 1 || strcmp(co->argv[0], "bash")) {
		cli_error("completion", "give the shell: bash");
		return 2;
	}
	bash();
	return 0;
}
