// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack find ID_OR_PREFIX_OR_NAME`: the cgroups of the container whose
 * id starts with the argument (case-insensitive), its own cgroup first;
 * when no id does, the container whose runtime gave it that name. A prefix
 * (or name) that several containers share lists one line per candidate
 * and fails, so that a script never acts on the wrong container.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clierr.h"
#include "cmd_query.h"
#include "options.h"
#include "query.h"

struct match {
	uint32_t key;
	struct cgtrack_container e;
};

struct find {
	const struct pinned *p;
	const char *prefix;
	char id[CGTRACK_ID_LEN + 1];	/* the id a name led to */
	size_t len;
	struct match *m;
	size_t n, cap;
	int exact;			/* some id equals the argument */
};

static int add_match(struct find *f, uint32_t key, const struct cgtrack_container *e)
{
	struct match *nm;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		nm = realloc(f->m, f->cap * sizeof(*nm));
		if (!nm)
			return -1;
		f->m = nm;
	}
	f->m[f->n].key = key;
	f->m[f->n].e = *e;
	f->n++;
	return 0;
}

static int collect(void *ctx, uint32_t key, const struct cgtrack_container *e)
{
	struct find *f = ctx;

	if (strncasecmp(e->container_id, f->prefix, f->len))
		return 0;
	if (!e->container_id[f->len])
		f->exact = 1;
	return add_match(f, key, e);
}

/* Containers' own cgroups whose runtime-given name is the argument. */
static int collect_named(void *ctx, uint32_t key, const struct cgtrack_container *e)
{
	struct find *f = ctx;
	struct cgtrack_info inf;

	if (!e->root || e->removed_ns || !entry_info(f->p, e, &inf) ||
	    strcmp(inf.name, f->prefix))
		return 0;
	return add_match(f, key, e);
}

/*
 * No id starts with the argument: is it a name? One container so named:
 * find it by its id (all its cgroups); several: they are the candidates.
 */
static int find_by_name(struct find *f)
{
	if (entries_each(f->p, collect_named, f))
		return -1;
	if (f->n != 1)
		return 0;
	snprintf(f->id, sizeof(f->id), "%.*s", CGTRACK_ID_LEN, f->m[0].e.container_id);
	f->prefix = f->id;
	f->len = strlen(f->id);
	f->n = 0;
	return entries_each(f->p, collect, f);
}

/* By container id; within one: own cgroup, live ones, then by cgroup id. */
static int cmp_match(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	int c = strncasecmp(x->e.container_id, y->e.container_id,
			    sizeof(x->e.container_id));

	if (c)
		return c;
	if (x->e.root != y->e.root)
		return x->e.root ? -1 : 1;
	if (!x->e.removed_ns != !y->e.removed_ns)
		return x->e.removed_ns ? 1 : -1;
	return x->e.cgroup_id < y->e.cgroup_id ? -1 : x->e.cgroup_id > y->e.cgroup_id;
}

/* An id equal to the argument wins over longer ids it is a prefix of. */
static void keep_exact(struct find *f)
{
	size_t i, n = 0;

	for (i = 0; i < f->n; i++)
		if (!f->m[i].e.container_id[f->len])
			f->m[n++] = f->m[i];
	f->n = n;
}

/* Bounded: entries straight from the map may lack their NUL. */
static int same_container(const struct match *a, const struct match *b)
{
	return !strncasecmp(a->e.container_id, b->e.container_id,
			    sizeof(a->e.container_id));
}

/* Print m[0..n) (sorted); only each container's first line if `firsts`. */
static void print_matches(const struct pinned *p, const struct find *f, bool firsts,
			  bool json)
{
	struct entry_view *v;
	size_t i, n = 0;

	if (!f->n)
		return;
	v = malloc(f->n * sizeof(*v));
	if (!v) {
		cli_error("find", "out of memory");
		return;
	}
	for (i = 0; i < f->n; i++) {
		if (firsts && i > 0 &&
		    same_container(&f->m[i], &f->m[i - 1]))
			continue;
		v[n].key = f->m[i].key;
		v[n].e = f->m[i].e;
		entry_resolve_path(p, &v[n]);
		n++;
	}
	entries_print(p, v, n, json);
	free(v);
}

static size_t count_containers(const struct find *f)
{
	size_t i, n = f->n ? 1 : 0;

	for (i = 1; i < f->n; i++)
		if (!same_container(&f->m[i], &f->m[i - 1]))
			n++;
	return n;
}

/* --json: {"command", "error", "candidates": [ids]} on stderr */
static void ambiguous_json(const struct find *f, size_t ncont)
{
	struct jsonw *w = jsonw_new(stderr);
	char msg[160];
	size_t i;

	snprintf(msg, sizeof(msg), "'%.64s' is ambiguous: %zu containers match; give "
		 "more characters", f->prefix, ncont);
	jsonw_start_object(w);
	jsonw_str_field(w, "level", "error");
	jsonw_str_field(w, "command", "find");
	jsonw_str_field(w, "msg", msg);
	jsonw_name(w, "candidates");
	jsonw_start_array(w);
	for (i = 0; i < f->n; i++) {
		char id[CGTRACK_ID_LEN + 1];

		if (i > 0 && same_container(&f->m[i], &f->m[i - 1]))
			continue;
		snprintf(id, sizeof(id), "%.*s", CGTRACK_ID_LEN, f->m[i].e.container_id);
		jsonw_string(w, id);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
	jsonw_destroy(w);
	fputc('\n', stderr);
}

int cmd_find(const struct common_opts *co)
{
	struct find f = { 0 };
	struct pinned p;
	size_t ncont;
	int ret = 1;

	if (co->argc != 1 || !co->argv[0][0]) {
		cli_error("find", "give one container id or id prefix "
			"(e.g. docker's 12-character short id)");
		return 2;
	}
	f.prefix = co->argv[0];
	f.len = strlen(f.prefix);

	if (pins_open(co->pin_dir, false, &p))
		return 1;
	f.p = &p;
	/* longer than any id: only a name can match */
	if (f.len <= CGTRACK_ID_LEN && entries_each(&p, collect, &f)) {
		cli_error("find", "out of memory");
		goto out;
	}
	if (!f.n && find_by_name(&f)) {
		cli_error("find", "out of memory");
		goto out;
	}
	if (f.exact)
		keep_exact(&f);
	if (f.n)
		qsort(f.m, f.n, sizeof(*f.m), cmp_match);
	ncont = count_containers(&f);
	if (ncont == 0) {
		cli_json_empty(co->json, "[]");
		cli_error("find", "no tracked container id starts with '%s', and no "
			  "live container is so named", f.prefix);
	} else if (ncont > 1 && co->json) {
		/* not a match: stdout stays the (empty) answer, the error says why */
		cli_json_empty(co->json, "[]");
		ambiguous_json(&f, ncont);
	} else if (ncont > 1) {
		cli_error("find", "'%s' is ambiguous: %zu containers match (listed); "
			  "give more characters", f.prefix, ncont);
		print_matches(&p, &f, true, co->json);
	} else {
		print_matches(&p, &f, false, co->json);
		ret = 0;
	}
out:
	free(f.m);
	pins_close(&p);
	return ret;
}
