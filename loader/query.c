// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/bpf.h>

#include "query.h"

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int entry_get(const struct pinned *p, uint32_t key, struct entry_view *v)
{
	if (bpf_map_lookup_elem(p->containers, &key, &v->e))
		return -errno;
	v->key = key;
	entry_resolve_path(p, v);
	return 0;
}

void entries_print(const struct pinned *p, const struct entry_view *v, size_t n, bool json)
{
	struct jsonw *w;
	size_t i;

	if (!json) {
		entry_table_header();
		for (i = 0; i < n; i++)
			entry_table_row(p, &v[i]);
		return;
	}
	w = jsonw_new(stdout);
	jsonw_start_array(w);
	for (i = 0; i < n; i++)
		entry_json(w, p, &v[i]);
	jsonw_end_array(w);
	jsonw_destroy(w);
	putchar('\n');
}

void entry_print(const struct pinned *p, const struct entry_view *v, bool json)
{
	struct jsonw *w;

	if (!json) {
		entries_print(p, v, 1, false);
		return;
	}
	w = jsonw_new(stdout);
	entry_json(w, p, v);
	jsonw_destroy(w);
	putchar('\n');
}
