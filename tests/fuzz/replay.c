// SPDX-License-Identifier: Apache-2.0
/*
 * Replays inputs through a fuzz target without libFuzzer, for the normal
 * test suite (built with ASan and UBSan): every file named, or every file
 * of every directory named. Prints one "ok - " line per argument; a
 * property violation or a sanitizer report aborts (the test fails).
 *   replay_parser tests/data/regressions/parser build/fuzz/seeds/parser
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static int replay_file(const char *path)
{
	unsigned char *buf;
	struct stat st;
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	/* malloc(0) may be NULL: always at least one byte */
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	/* an exactly-sized copy, so that ASan sees reads past the input */
	{
		unsigned char *exact = malloc(n ? n : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, n);
		free(buf);
		LLVMFuzzerTestOneInput(exact, n);
		free(exact);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;
		size_t files = 0;

		if (stat(argv[i], &st)) {
			printf("not ok - replay %s: missing\n", argv[i]);
			bad = 1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			struct dirent **ents;
			int n = scandir(argv[i], &ents, NULL, alphasort), j;

			for (j = 0; j < n; j++) {
				char p[4096];

				if (ents[j]->d_name[0] != '.') {
					snprintf(p, sizeof(p), "%s/%s", argv[i], ents[j]->d_name);
					if (replay_file(p))
						bad = 1;
					else
						files++;
				}
				free(ents[j]);
			}
			if (n >= 0)
				free(ents);
		} else if (replay_file(argv[i])) {
			bad = 1;
		} else {
			files = 1;
		}
		printf("ok - replay %s: %zu inputs\n", argv[i], files);
	}
	return bad;
}
