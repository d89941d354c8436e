/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_COMMANDS_H
#define CGTRACK_COMMANDS_H

#include <stdio.h>
#include "options.h"

/*
 * A command: its options (the set opts_parse() accepts, which also makes
 * its completion), what it does, and its help.
 */
struct command {
	const char *name;
	int (*fn)(const struct common_opts *co);
	enum opt_set set;
	const char *summary;
	const char *args;	/* the positional arguments, for the synopsis */
	const char *before;	/* what they are, printed before the options */
	const char *after;	/* notes, exit codes, examples */
};

const struct command *find_command(const char *name);
void usage(FILE *f);

/* Every command, in the order of the help. */
extern const struct command commands[];
extern const size_t n_commands;

#endif
