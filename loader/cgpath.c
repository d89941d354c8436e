// SPDX-License-Identifier: Apache-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cgpath.h"

#define CGPATH_MAX 4096

void cgpath_root(struct cgpath_node *root)
{
	memset(root, 0, sizeof(*root));
}

static void copy_name(char *dst, __u32 *dst_len, const struct cgpath_node *n)
{
	memset(dst, 0, CGTRACK_NAME_MAX);
	*dst_len = 0;
	if (!n || n->level == 0)
		return;		/* above or at the hierarchy root: "" */
	memcpy(dst, n->name, n->len);
	*dst_len = n->len;
}

int cgpath_step(const struct cgpath_node *gparent, const struct cgpath_node *parent,
		const char *name, size_t len, __u64 cgid, struct cgpath_node *out)
{
	struct cgtrack_names names;
	struct cgtrack_match m;

	if (len == 0)
		return -1;
	/*
	 * cgroupfs (kernfs) takes names longer than NAME_MAX; the kernel side
	 * reads the first 255 bytes of a name (bpf_probe_read_kernel_str()
	 * into CGTRACK_NAME_MAX) and decides on those: so do we.
	 */
	if (len >= CGTRACK_NAME_MAX)
		len = CGTRACK_NAME_MAX - 1;
	memset(&names, 0, sizeof(names));
	memcpy(names.name, name, len);
	names.name_len = (__u32)len;
	names.level = parent->level + 1;
	copy_name(names.parent, &names.parent_len, parent);
	copy_name(names.gparent, &names.gparent_len, gparent);

	memset(out, 0, sizeof(*out));
	memcpy(out->name, name, len);
	out->len = (__u32)len;
	out->level = names.level;

	cgtrack_match_name(&names, &m);
	out->tracked = cgtrack_fill(&names, &m, parent->tracked ? &parent->ent : NULL,
				    cgid, &out->ent);
	out->ent.cgroup_id = cgid;
	return 0;
}

/* "12:cpuset:/docker/x" -> "/docker/x"; NULL if not such a line */
static const char *strip_proc_line(const char *s)
{
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return NULL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != ':')
		return NULL;
	p = strchr(p, ':');	/* controllers never contain ':' */
	if (!p || p[1] != '/')
		return NULL;
	return p + 1;
}

int cgpath_parse_trace(const char *input, struct cgpath_node *out, char *err, size_t errlen,
		       cgpath_trace_fn trace, void *ctx)
{
	struct cgpath_node ring[3];
	const char *path = input, *p, *end;
	size_t total, clen;
	int cur = 0, depth = 0;

	if (!input || !*input) {
		snprintf(err, errlen, "empty path");
		return -1;
	}
	/*
	 * One line: a newline anywhere but at the end is refused before the
	 * line is split, or "0:\nx:/docker/<id>" (two lines) would pass.
	 */
	total = strlen(input);
	p = memchr(input, '\n', total);
	if (p && p != input + total - 1) {
		snprintf(err, errlen, "path contains a newline");
		return -1;
	}
	if (*path != '/') {
		path = strip_proc_line(input);
		if (!path) {
			snprintf(err, errlen, "not a cgroup path (must start with '/') "
				 "nor a /proc/<pid>/cgroup line: '%s'", input);
			return -1;
		}
	}
	total = strlen(path);
	if (total && path[total - 1] == '\n')
		total--;	/* a line copied from /proc/<pid>/cgroup */
	if (total >= CGPATH_MAX) {
		snprintf(err, errlen, "path longer than %d bytes", CGPATH_MAX - 1);
		return -1;
	}

	cgpath_root(&ring[0]);
	for (p = path, end = path + total; p < end; p += clen) {
		struct cgpath_node *gp, *par;

		while (p < end && *p == '/')
			p++;
		for (clen = 0; p + clen < end && p[clen] != '/'; clen++)
			;
		if (clen == 0)
			break;
		/* another cgroup namespace's view: skipped, never matched */
		if ((clen == 1 && p[0] == '.') || (clen == 2 && p[0] == '.' && p[1] == '.'))
			continue;
		par = &ring[cur];
		gp = depth >= 1 ? &ring[(cur + 2) % 3] : NULL;
		cgpath_step(gp, par, p, clen, 0, &ring[(cur + 1) % 3]);
		cur = (cur + 1) % 3;
		depth++;
		if (trace)
			trace(ctx, p, clen, &ring[cur]);
	}
	*out = ring[cur];
	return 0;
}

int cgpath_parse(const char *input, struct cgpath_node *out, char *err, size_t errlen)
{
	return cgpath_parse_trace(input, out, err, errlen, NULL, NULL);
}
