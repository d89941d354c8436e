// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>
#include <string.h>

#include "cgid.h"
#include "entry_out.h"
#include "names.h"
#include "timeutil.h"

void entry_resolve_path(const struct pinned *p, struct entry_view *v)
{
	v->path[0] = 0;
	if (v->e.removed_ns || !p->cfg.mount[0])
		return;
	if (cgid_path(p->cfg.mount, v->e.cgroup_id, v->path, sizeof(v->path)))
		v->path[0] = 0;
}

void entry_json(struct jsonw *w, const struct pinned *p, const struct entry_view *v)
{
	char created[40], removed[40];

	(void)p;
	format_time(v->e.created_ns, created, sizeof(created));
	format_time(v->e.removed_ns, removed, sizeof(removed));
	jsonw_start_object(w);
	jsonw_u64_field(w, "key", v->key);
	jsonw_u64_field(w, "cgroup_id", v->e.cgroup_id);
	jsonw_str_field(w, "container_id", v->e.container_id);
	jsonw_str_field(w, "runtime", runtime_name(v->e.runtime));
	jsonw_str_field(w, "state", state_name(v->e.state));
	jsonw_bool_field(w, "root", v->e.root);
	jsonw_str_field(w, "pod_uid", v->e.pod_uid);
	jsonw_u64_field(w, "root_cgroup_id", v->e.root_cgroup_id);
	jsonw_u64_field(w, "hierarchy_id", v->e.hierarchy_id);
	jsonw_str_field(w, "created", created);
	jsonw_bool_field(w, "alive", v->e.removed_ns == 0);
	jsonw_str_field(w, "removed", removed);
	jsonw_str_field(w, "path", v->path);
	jsonw_end_object(w);
}

void entry_table_header(void)
{
	printf("%-10s %-12s %-10s %-8s %-4s %-36s %-24s %s\n", "CGROUP", "CONTAINER",
	       "RUNTIME", "STATE", "ROOT", "POD UID", "CREATED", "PATH");
}

void entry_table_row(const struct pinned *p, const struct entry_view *v)
{
	char created[40];

	(void)p;
	format_time(v->e.created_ns, created, sizeof(created));
	printf("%-10llu %-12.12s %-10s %-8s %-4s %-36s %-24s %s\n",
	       (unsigned long long)v->e.cgroup_id, v->e.container_id,
	       runtime_name(v->e.runtime),
	       v->e.removed_ns ? "dead" : state_name(v->e.state),
	       v->e.root ? "yes" : "no", v->e.pod_uid[0] ? v->e.pod_uid : "-", created,
	       v->path[0] ? v->path : "-");
}
