/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_COMMANDS_H
#define CGTRACK_COMMANDS_H

#include <stdio.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

const struct command *find_command(const char *name);
void usage(FILE *f);

#endif
