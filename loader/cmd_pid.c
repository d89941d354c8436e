// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack pid PID [TID]`: the container of a process (or of one of its
 * threads: v1 threads may sit in different cgroups), from its
 * /proc/.../cgroup line of the tracked hierarchy, decided by the shared
 * parser and looked up in the map by the cgroup directory's inode.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clierr.h"
#include "cgpath.h"
#include "cmd_query.h"
#include "jsonw.h"
#include "options.h"
#include "query.h"
#include "textsafe.h"

struct pid_query {
	uint64_t pid, tid;
	char line[4096];		/* the tracked hierarchy's line */
	const char *path;		/* its path part */
	uint64_t cgid;			/* inode of <mount><path>, 0 if unknown */
	struct cgpath_node parsed;
	struct entry_view v;
	int tracked;			/* the map has the entry */
};

/* Does a comma-separated controller list contain ctrl? */
static int has_controller(const char *list, size_t len, const char *ctrl)
{
	size_t n = strlen(ctrl);
	const char *p = list, *end = list + len;

	while (p < end) {
		const char *comma = memchr(p, ',', end - p);
		size_t l = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (l == n && !strncmp(p, ctrl, n))
			return 1;
		p += l + 1;
	}
	return 0;
}

/* Pick our hierarchy's line of /proc/.../cgroup: "ID:CONTROLLERS:PATH". */
static int read_line(const char *file, const struct cgtrack_config *cfg,
		     struct pid_query *q)
{
	FILE *f = fopen(file, "re");
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fgets(q->line, sizeof(q->line), f)) {
		char *c1 = strchr(q->line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		q->line[strcspn(q->line, "\n")] = 0;
		if (cfg->mode == CGTRACK_MODE_V2)
			found = !strncmp(q->line, "0::", 3);
		else
			found = has_controller(c1 + 1, c2 - c1 - 1, cfg->controller);
		if (found)
			q->path = c2 + 1;
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

static int cgroup_file(const struct pid_query *q, char *out, size_t len)
{
	char dir[64];
	struct stat st;

	snprintf(dir, sizeof(dir), "/proc/%llu", (unsigned long long)q->pid);
	if (stat(dir, &st)) {
		cli_error("pid", "no process %llu", (unsigned long long)q->pid);
		return -1;
	}
	if (!q->tid) {
		snprintf(out, len, "/proc/%llu/cgroup", (unsigned long long)q->pid);
		return 0;
	}
	snprintf(out, len, "/proc/%llu/task/%llu/cgroup", (unsigned long long)q->pid,
		 (unsigned long long)q->tid);
	snprintf(dir, sizeof(dir), "/proc/%llu/task/%llu", (unsigned long long)q->pid,
		 (unsigned long long)q->tid);
	if (stat(dir, &st)) {
		cli_error("pid", "%llu is not a thread of process %llu",
			(unsigned long long)q->tid, (unsigned long long)q->pid);
		return -1;
	}
	return 0;
}

/* Find the line, parse it, look the cgroup up. 0, or -1 after a message. */
static int query(const struct pinned *p, struct pid_query *q)
{
	char file[128], dir[PATH_MAX + 4096], err[256];
	struct stat st;
	int r;

	if (cgroup_file(q, file, sizeof(file)))
		return -1;
	r = read_line(file, &p->cfg, q);
	if (r) {
		cli_error("pid", "%s: %s", file, r == -ENOENT ?
			"no line for the tracked hierarchy" : strerror(-r));
		return -1;
	}
	if (cgpath_parse(q->path, &q->parsed, err, sizeof(err))) {
		cli_error("pid", "%s: %s", file, err);
		return -1;
	}
	/* the cgroup id is the directory's inode (gone if the task moved) */
	snprintf(dir, sizeof(dir), "%s%s", p->cfg.mount, q->path);
	if (!stat(dir, &st))
		q->cgid = st.st_ino;
	if (q->cgid && !entry_get(p, (uint32_t)q->cgid, &q->v) &&
	    q->v.e.cgroup_id == q->cgid)
		q->tracked = 1;
	return 0;
}

/* The parser says container, the map has nothing: show the parser's entry. */
static void from_parser(struct pid_query *q)
{
	cli_error("pid", "the cgroup of %llu is a container's by its "
		"name, but cgtrack's map has no entry for it (map full, or not "
		"loaded when it appeared? see `cgtrack status`)",
		(unsigned long long)q->pid);
	q->v.e = q->parsed.ent;
	q->v.e.cgroup_id = q->cgid;
	q->v.key = (uint32_t)q->cgid;
	snprintf(q->v.path, sizeof(q->v.path), "%s", q->path);
}

/* The config map's controller and the cgroup's name: bounded, escaped. */
static void not_in_container(const struct pinned *p, const struct pid_query *q)
{
	char ctl[4 * sizeof(p->cfg.controller)], path[512];

	text_escape(ctl, sizeof(ctl), p->cfg.controller, sizeof(p->cfg.controller));
	text_escape(path, sizeof(path), q->path, sizeof(q->line));
	cli_error("pid", "%s %llu is not in a container (%s cgroup %s)",
		  q->tid ? "thread" : "process",
		  (unsigned long long)(q->tid ? q->tid : q->pid), ctl, path);
}

static void print_json(const struct pinned *p, const struct pid_query *q)
{
	struct jsonw *w = jsonw_new(stdout);
	int in = q->tracked || q->parsed.tracked;

	jsonw_start_object(w);
	jsonw_u64_field(w, "pid", q->pid);
	jsonw_u64_field(w, "tid", q->tid ? q->tid : q->pid);
	jsonw_str_field(w, "cgroup", q->path);
	jsonw_u64_field(w, "cgroup_id", q->cgid);
	jsonw_bool_field(w, "tracked", q->tracked);
	jsonw_str_field(w, "container_id", in ? q->v.e.container_id : "");
	jsonw_name(w, "entry");
	if (in)
		entry_json(w, p, &q->v);
	else
		jsonw_null(w);
	jsonw_end_object(w);
	jsonw_destroy(w);
	putchar('\n');
}

int cmd_pid(const struct common_opts *co)
{
	struct pid_query *q;
	struct pinned p;
	int ret = 1;

	q = calloc(1, sizeof(*q));
	if (!q)
		return 1;
	if (co->argc < 1 || co->argc > 2 || parse_u64(co->argv[0], &q->pid) || !q->pid ||
	    (co->argc == 2 && (parse_u64(co->argv[1], &q->tid) || !q->tid))) {
		cli_error("pid", "give a process id, and optionally one of "
			"its thread ids");
		free(q);
		return 2;
	}
	if (pins_open(co->pin_dir, false, &p)) {
		free(q);
		return 1;
	}
	if (query(&p, q))
		goto out;
	ret = q->tracked || q->parsed.tracked ? 0 : 1;
	if (!q->tracked && q->parsed.tracked)
		from_parser(q);
	if (co->json)
		print_json(&p, q);
	else if (ret == 0)
		entry_print(&p, &q->v, false);
	else
		not_in_container(&p, q);
out:
	pins_close(&p);
	free(q);
	return ret;
}
