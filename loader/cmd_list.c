// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack list`: every entry of the pinned map, with the names the daemon
 * got from the runtimes (the info map); works without the daemon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "cmd_query.h"
#include "entry_out.h"
#include "options.h"
#include "pins.h"

static int cmp_view(const void *a, const void *b)
{
	const struct entry_view *x = a, *y = b;
	int c = strcmp(x->e.container_id, y->e.container_id);

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

int cmd_list(int argc, char **argv)
{
	struct entry_view *v = NULL;
	size_t n = 0, cap = 0, i;
	struct common_opts co;
	__u32 key, next, *pkey = NULL;
	struct pinned p;
	int r;

	r = opts_parse(argc, argv, OPT_QUERY, &co);
	if (r)
		return r > 0 ? 0 : 2;
	if (pins_open(co.pin_dir, false, &p))
		return 1;
	while (!bpf_map_get_next_key(p.containers, pkey, &next)) {
		key = next;
		pkey = &key;
		if (n == cap) {
			struct entry_view *nv;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		if (bpf_map_lookup_elem(p.containers, &key, &v[n].e))
			continue;
		v[n].key = key;
		entry_resolve_path(&p, &v[n]);
		n++;
	}
	if (n) {
		qsort(v, n, sizeof(*v), cmp_view);
		n = dedup(v, n);
	}
	if (co.json) {
		struct jsonw *w = jsonw_new(stdout);

		jsonw_start_array(w);
		for (i = 0; i < n; i++)
			entry_json(w, &p, &v[i]);
		jsonw_end_array(w);
		jsonw_destroy(w);
		putchar('\n');
	} else {
		entry_table_header();
		for (i = 0; i < n; i++)
			entry_table_row(&p, &v[i]);
	}
	free(v);
	pins_close(&p);
	return 0;
}
