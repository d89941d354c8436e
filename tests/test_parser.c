// SPDX-License-Identifier: Apache-2.0
/*
 * Table test of the shared parser: every row of the real-paths corpus
 * (../shared/corpus/cgroup-paths.tsv, or the copy in tests/data when the
 * shared folder is absent) and of tests/data/parser-cases.tsv (tracee's own
 * cases and ours, with the root flag and pod UID checked too).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgpath.h"
#include "names.h"

static int pass, fail;

static void check(const char *file, int line, const char *path, const char *want_rt,
		  const char *want_id, const char *want_root, const char *want_pod)
{
	struct cgpath_node n;
	char err[256];
	const char *rt, *id, *pod;
	int root;

	if (cgpath_parse(path, &n, err, sizeof(err))) {
		printf("not ok - parser: %s:%d: %s: error: %s\n", file, line, path, err);
		fail++;
		return;
	}
	rt = n.tracked ? runtime_name(n.ent.runtime) : "none";
	id = n.tracked ? n.ent.container_id : "-";
	pod = n.tracked && n.ent.pod_uid[0] ? n.ent.pod_uid : "-";
	root = n.tracked && n.ent.root;
	if (strcmp(rt, want_rt) || strcmp(id, want_id) ||
	    (want_root && strcmp(want_root, "-") && strcmp(want_root, root ? "root" : "sub")) ||
	    (want_pod && strcmp(want_pod, pod))) {
		printf("not ok - parser: %s:%d: %s: expected %s %s %s %s, got %s %s %s %s\n",
		       file, line, path, want_rt, want_id, want_root ? want_root : "?",
		       want_pod ? want_pod : "?", rt, id, root ? "root" : "sub", pod);
		fail++;
		return;
	}
	pass++;
}

/* Columns: path, runtime, id, [root|sub|-], [pod uid|-], ... */
static int run_file(const char *file, int extended)
{
	char line[8192];
	FILE *f = fopen(file, "r");
	int lineno = 0, rows = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *col[6] = { 0 }, *p = line;
		int n = 0;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		while (n < 6 && p) {
			col[n++] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = 0;
		}
		if (n < 3) {
			printf("not ok - parser: %s:%d: fewer than 3 columns\n", file, lineno);
			fail++;
			continue;
		}
		/* escapes like \x2d are literal in the corpus, as on disk */
		check(file, lineno, col[0], col[1], col[2], extended ? col[3] : NULL,
		      extended ? col[4] : NULL);
		rows++;
	}
	fclose(f);
	return rows;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	char corpus[4096], cases[4096];
	int n;

	snprintf(corpus, sizeof(corpus), "%s/../shared/corpus/cgroup-paths.tsv", dir);
	n = run_file(corpus, 0);
	if (n < 0) {
		snprintf(corpus, sizeof(corpus), "%s/tests/data/cgroup-paths.tsv", dir);
		n = run_file(corpus, 0);
	}
	if (n <= 0) {
		printf("not ok - parser: corpus: cannot read cgroup-paths.tsv\n");
		return 1;
	}
	printf("ok - parser: corpus %s: %d rows\n", corpus, n);
	snprintf(cases, sizeof(cases), "%s/tests/data/parser-cases.tsv", dir);
	n = run_file(cases, 1);
	if (n <= 0) {
		printf("not ok - parser: cannot read %s\n", cases);
		return 1;
	}
	printf("ok - parser: cases %s: %d rows\n", cases, n);
	printf("%s - parser: %d rows right, %d wrong\n", fail ? "not ok" : "ok", pass, fail);
	return fail ? 1 : 0;
}
