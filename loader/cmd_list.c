// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack list`: every entry of the pinned map, with the names the daemon
 * got from the runtimes (the info map); works without the daemon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "clierr.h"
#include "cmd_query.h"
#include "entry_out.h"
#include "names.h"
#include "options.h"
#include "pins.h"
#include "query.h"

static int cmp_view(const void *a, const void *b)
{
	const struct entry_view *x = a, *y = b;
	/* bounded: the entries are not sanitized yet (entry_resolve_path does) */
	int c = strncmp(x->e.container_id, y->e.container_id, sizeof(x->e.container_id));

	if (c)
		return c;
	if (x->e.root != y->e.root)
		return x->e.root ? -1 : 1;
	return x->e.cgroup_id < y->e.cgroup_id ? -1 : x->e.cgroup_id > y->e.cgroup_id;
}

/*
 * A hash map walk restarts from the first key when the current key is
 * deleted meanwhile (busy hosts): drop the entries seen twice.
 */
static size_t dedup(struct entry_view *v, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		if (out && v[out - 1].key == v[i].key && v[out - 1].e.cgroup_id == v[i].e.cgroup_id)
			continue;
		if (out != i)
			v[out] = v[i];
		out++;
	}
	return out;
}

struct list {
	struct entry_view *v;
	size_t n;
	size_t cap;
};

static int collect(void *ctx, __u32 key, const struct cgtrack_container *e)
{
	struct list *l = ctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct entry_view *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].key = key;
	l->v[l->n].e = *e;
	/* the filters read its strings before the paths are resolved */
	entry_sanitize(&l->v[l->n].e);
	l->n++;
	return 0;
}

/* namespace/name, name or uid: what `--pod` may say */
static bool pod_matches(const char *want, const struct cgtrack_container *e,
			const struct cgtrack_info *inf)
{
	char full[sizeof(inf->pod_namespace) + sizeof(inf->pod_name) + 1];

	snprintf(full, sizeof(full), "%s/%s", inf->pod_namespace, inf->pod_name);
	return (inf->pod_name[0] && (!strcmp(want, inf->pod_name) || !strcmp(want, full))) ||
	       (e->pod_uid[0] && !strcmp(want, e->pod_uid)) ||
	       (inf->pod_uid[0] && !strcmp(want, inf->pod_uid));
}

static bool state_matches(const char *want, const struct cgtrack_container *e)
{
	if (!strcmp(want, "dead"))
		return e->removed_ns != 0;
	if (!strcmp(want, "alive"))
		return !e->removed_ns;
	return !strcmp(want, state_name(e->state));
}

/* The list filters: every one given must match. */
static bool wanted(const struct common_opts *co, const struct pinned *p,
		   const struct cgtrack_container *e)
{
	struct cgtrack_info inf;
	bool has;

	if (!co->f_runtime && !co->f_state && !co->f_pod && !co->f_name)
		return true;
	has = entry_info(p, e, &inf);
	return (!co->f_runtime || !strcmp(co->f_runtime, shown_runtime(e, &inf, has))) &&
	       (!co->f_state || state_matches(co->f_state, e)) &&
	       (!co->f_pod || pod_matches(co->f_pod, e, &inf)) &&
	       (!co->f_name || (has && !strcmp(co->f_name, inf.name)));
}

static size_t filter(const struct common_opts *co, const struct pinned *p,
		     struct entry_view *v, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++)
		if (wanted(co, p, &v[i].e))
			v[out++] = v[i];
	return out;
}

int cmd_list(const struct common_opts *co)
{
	struct list l = { 0 };
	struct pinned p;
	size_t i;

	if (co->argc) {
		cli_error("list", "unexpected argument '%s' (`cgtrack list` "
			"takes no arguments; a container by id: `cgtrack find %s`)",
			co->argv[0], co->argv[0]);
		return 2;
	}
	if (pins_open(co->pin_dir, false, &p))
		return 1;
	if (entries_each(&p, collect, &l))
		cli_error("list", "out of memory: the list is incomplete");
	if (l.n) {
		qsort(l.v, l.n, sizeof(*l.v), cmp_view);
		l.n = dedup(l.v, l.n);
		l.n = filter(co, &p, l.v, l.n);
	}
	/* after dedup: one path lookup (a file handle open) per entry */
	for (i = 0; i < l.n; i++)
		entry_resolve_path(&p, &l.v[i]);
	entries_print(&p, l.v, l.n, co->json);
	free(l.v);
	pins_close(&p);
	return 0;
}
