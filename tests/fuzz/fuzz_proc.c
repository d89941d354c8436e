// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: cgpath_parse() on /proc/<pid>/cgroup input, the text a
 * process controls least and `cgtrack pid` reads most: whole files (many
 * lines, garbage, NULs), each line on its own, tiny error buffers.
 *
 * Properties: nothing crashes; an accepted line is "/path" or
 * "<digits>:<no colon>:/path" with at most a trailing newline, and means
 * the same as its path alone; an accepted answer's id is NUL-terminated,
 * at most 64 characters, its runtime in range; the error message is always
 * a NUL-terminated string that fits its buffer.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgpath.h"
#include "fuzz_common.h"

#define MAX_INPUT 16384

static char buf[MAX_INPUT + 1];

static void check_answer(const char *line, const struct cgpath_node *n)
{
	if (!n->tracked)
		return;
	if (strnlen(n->ent.container_id, sizeof(n->ent.container_id)) > CGTRACK_ID_LEN ||
	    strnlen(n->ent.pod_uid, sizeof(n->ent.pod_uid)) > CGTRACK_POD_UID_LEN)
		fuzz_fail("'%.200s': unterminated id or pod uid", line);
	if (n->ent.runtime <= CGTRACK_RT_NONE || n->ent.runtime >= CGTRACK_RT_MAX)
		fuzz_fail("'%.200s': runtime %u out of range", line, n->ent.runtime);
	if (!n->ent.container_id[0])
		fuzz_fail("'%.200s': tracked, empty id", line);
}

/* The path of an accepted line, checked independently of strip_proc_line(). */
static const char *line_path(const char *line)
{
	const char *p = line;

	if (*p == '/')
		return p;
	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p != ':')
		return NULL;
	p = strchr(p + 1, ':');
	return p && p[1] == '/' ? p + 1 : NULL;
}

static void one_line(const char *line)
{
	struct cgpath_node n, m;
	char err[256], tiny[8];
	const char *path;
	size_t len = strlen(line);
	int r;

	memset(err, 'x', sizeof(err));
	r = cgpath_parse(line, &n, err, sizeof(err));
	if (r) {
		if (!memchr(err, 0, sizeof(err)))
			fuzz_fail("error message not terminated");
		memset(tiny, 'x', sizeof(tiny));
		if (!cgpath_parse(line, &m, tiny, sizeof(tiny)))
			fuzz_fail("'%.200s': the answer depends on the error buffer", line);
		if (!memchr(tiny, 0, sizeof(tiny)))
			fuzz_fail("error message overflowed an 8-byte buffer");
		return;
	}
	check_answer(line, &n);
	path = line_path(line);
	if (!path)
		fuzz_fail("'%.200s': accepted, but is neither a path nor a cgroup line", line);
	{
		const char *nl = memchr(line, '\n', len);

		if (nl && nl != line + len - 1)
			fuzz_fail("'%.200s': accepted with a newline inside", line);
	}
	if (path != line) {
		if (cgpath_parse(path, &m, err, sizeof(err)))
			fuzz_fail("'%.200s': the line parses, its path not: %s", line, err);
		if (m.tracked != n.tracked || m.level != n.level ||
		    (n.tracked && (strcmp(m.ent.container_id, n.ent.container_id) ||
				   m.ent.runtime != n.ent.runtime || m.ent.root != n.ent.root)))
			fuzz_fail("'%.200s': the line and its path differ", line);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p, *nl;

	if (size > MAX_INPUT)
		size = MAX_INPUT;
	memcpy(buf, data, size);
	buf[size] = 0;

	/* the whole input as one argument (`cgtrack parse "$(cat ...)"`) */
	one_line(buf);
	/* then line by line, newline kept, as fgets() gives them */
	for (p = buf; *p; p = nl + 1) {
		char save;

		nl = strchr(p, '\n');
		if (!nl) {
			one_line(p);
			break;
		}
		save = nl[1];
		nl[1] = 0;
		one_line(p);
		nl[1] = save;
	}
	return 0;
}
