// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>

#include "procfs.h"

int procfs_read_int(const char *path, int fallback)
{
	FILE *f = fopen(path, "re");
	int v = fallback;

	if (!f)
		return fallback;
	if (fscanf(f, "%d", &v) != 1)
		v = fallback;
	fclose(f);
	return v;
}
