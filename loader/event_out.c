// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>
#include <bpf/bpf.h>

#include "event_out.h"
#include "jsonw.h"
#include "log.h"
#include "names.h"
#include "textsafe.h"

static const char *const ev_names[] = {
	[CGTRACK_EV_ADDED] = "added", [CGTRACK_EV_REMOVED] = "removed",
	[CGTRACK_EV_STARTED] = "started",
};
static const char *const ev_marks[] = {
	[CGTRACK_EV_ADDED] = "+", [CGTRACK_EV_REMOVED] = "-",
	[CGTRACK_EV_STARTED] = "started",
};

static void print_json(const struct pinned *p, enum cgtrack_event_type type,
		       const struct cgtrack_container *e)
{
	char ts[64], id[CGTRACK_ID_LEN + 1], pod[CGTRACK_POD_UID_LEN + 1];
	char name[sizeof(((struct cgtrack_info *)0)->name)];
	struct cgtrack_info inf;
	__u32 key = (__u32)e->cgroup_id;
	struct jsonw *w;

	/* bounded: the map is writable by whoever may write the pins */
	snprintf(id, sizeof(id), "%.*s", CGTRACK_ID_LEN, e->container_id);
	snprintf(pod, sizeof(pod), "%.*s", CGTRACK_POD_UID_LEN, e->pod_uid);
	name[0] = 0;
	if (p->info >= 0 && e->root && !bpf_map_lookup_elem(p->info, &key, &inf) &&
	    inf.cgroup_id == e->cgroup_id)
		snprintf(name, sizeof(name), "%.*s", (int)sizeof(name) - 1, inf.name);
	log_timestamp(ts, sizeof(ts));
	w = jsonw_new(stdout);
	jsonw_start_object(w);
	jsonw_str_field(w, "time", ts);
	jsonw_str_field(w, "event", ev_names[type]);
	jsonw_str_field(w, "runtime", runtime_name(e->runtime));
	jsonw_str_field(w, "container_id", id);
	jsonw_u64_field(w, "cgroup_id", e->cgroup_id);
	jsonw_bool_field(w, "root", e->root);
	jsonw_str_field(w, "pod_uid", pod);
	jsonw_str_field(w, "name", name);
	jsonw_end_object(w);
	jsonw_destroy(w);
	putchar('\n');
}

void event_print(const struct pinned *p, enum cgtrack_event_type type,
		 const struct cgtrack_container *e, bool json)
{
	char id[4 * CGTRACK_ID_LEN + 1], pod[4 * CGTRACK_POD_UID_LEN + 1];

	if (type < CGTRACK_EV_ADDED || type > CGTRACK_EV_STARTED)
		return;
	if (json) {
		print_json(p, type, e);
	} else {
		/* bounded and escaped: the map is writable by whoever may write the pins */
		text_escape(id, sizeof(id), e->container_id, sizeof(e->container_id));
		text_escape(pod, sizeof(pod), e->pod_uid, sizeof(e->pod_uid));
		printf("%s %s %s cgroup=%llu %s%s%s\n", ev_marks[type],
		       runtime_name(e->runtime), id, (unsigned long long)e->cgroup_id,
		       e->root ? "root" : "sub", pod[0] ? " pod=" : "", pod);
	}
	fflush(stdout);
}
