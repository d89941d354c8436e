// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "cgid.h"
#include "entry_out.h"
#include "names.h"
#include "textsafe.h"
#include "timeutil.h"

#define TERMINATE(a)	((a)[sizeof(a) - 1] = 0)

/*
 * The map is writable by whoever may write the pins: never trust an entry
 * to be well formed. Terminate the strings inside their fields and make
 * `root` a proper bool before anything prints them.
 */
static void entry_sanitize(struct cgtrack_container *e)
{
	unsigned char root;

	TERMINATE(e->container_id);
	TERMINATE(e->pod_uid);
	memcpy(&root, &e->root, sizeof(root));
	root = root != 0;
	memcpy(&e->root, &root, sizeof(root));
}

/* The same for the info map's entries (written by the daemon, or anyone). */
static void info_sanitize(struct cgtrack_info *inf)
{
	unsigned char sandbox;

	TERMINATE(inf->name);
	TERMINATE(inf->image);
	TERMINATE(inf->pod_name);
	TERMINATE(inf->pod_namespace);
	TERMINATE(inf->pod_uid);
	memcpy(&sandbox, &inf->sandbox, sizeof(sandbox));
	sandbox = sandbox != 0;
	memcpy(&inf->sandbox, &sandbox, sizeof(sandbox));
}

void entry_resolve_path(const struct pinned *p, struct entry_view *v)
{
	char mount[sizeof(p->cfg.mount)];

	entry_sanitize(&v->e);
	v->path[0] = 0;
	/* the config map's mount, bounded: the pins are not trusted either */
	snprintf(mount, sizeof(mount), "%.*s", (int)sizeof(mount) - 1, p->cfg.mount);
	if (v->e.removed_ns || !mount[0])
		return;
	if (cgid_path(mount, v->e.cgroup_id, v->path, sizeof(v->path)))
		v->path[0] = 0;
}

bool entry_info(const struct pinned *p, const struct cgtrack_container *e,
		struct cgtrack_info *inf)
{
	__u64 cgid = e->root ? e->cgroup_id : e->root_cgroup_id;
	__u32 key = (__u32)cgid;

	if (p->info >= 0 && cgid && !bpf_map_lookup_elem(p->info, &key, inf) &&
	    inf->cgroup_id == cgid) {
		info_sanitize(inf);
		return true;
	}
	memset(inf, 0, sizeof(*inf));
	return false;
}

/* The runtime that answered, else what the path says. */
static const char *shown_runtime(const struct cgtrack_container *e,
				 const struct cgtrack_info *inf, bool has)
{
	if (has && inf->runtime > CGTRACK_RT_UNKNOWN && inf->runtime < CGTRACK_RT_MAX)
		return runtime_name(inf->runtime);
	return runtime_name(e->runtime);
}

static void info_json(struct jsonw *w, const struct cgtrack_container *e,
		      const struct cgtrack_info *inf, bool has)
{
	jsonw_str_field(w, "name", inf->name);
	jsonw_str_field(w, "image", inf->image);
	jsonw_str_field(w, "pod_name", inf->pod_name);
	jsonw_str_field(w, "pod_namespace", inf->pod_namespace);
	jsonw_str_field(w, "pod_uid", e->pod_uid[0] ? e->pod_uid : inf->pod_uid);
	jsonw_bool_field(w, "sandbox", inf->sandbox);
	jsonw_str_field(w, "info_runtime", has ? runtime_name(inf->runtime) : "");
}

void entry_json(struct jsonw *w, const struct pinned *p, const struct entry_view *v)
{
	char created[40], removed[40];
	struct cgtrack_info inf;
	bool has = entry_info(p, &v->e, &inf);

	format_time(v->e.created_ns, created, sizeof(created));
	format_time(v->e.removed_ns, removed, sizeof(removed));
	jsonw_start_object(w);
	jsonw_u64_field(w, "key", v->key);
	jsonw_u64_field(w, "cgroup_id", v->e.cgroup_id);
	jsonw_str_field(w, "container_id", v->e.container_id);
	jsonw_str_field(w, "runtime", runtime_name(v->e.runtime));
	jsonw_str_field(w, "state", state_name(v->e.state));
	jsonw_bool_field(w, "root", v->e.root);
	info_json(w, &v->e, &inf, has);
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
	printf("%-10s %-12s %-10s %-8s %-4s %-20s %-36s %-28s %-24s %s\n", "CGROUP",
	       "CONTAINER", "RUNTIME", "STATE", "ROOT", "NAME", "IMAGE", "POD", "CREATED",
	       "PATH");
}

/* namespace/name, else the uid the path gave, else "-"; escaped */
static void pod_column(const struct cgtrack_container *e, const struct cgtrack_info *inf,
		       char *out, size_t len)
{
	char pod[sizeof(inf->pod_namespace) + sizeof(inf->pod_name) + 1];

	if (inf->pod_name[0])
		snprintf(pod, sizeof(pod), "%s%s%s", inf->pod_namespace,
			 inf->pod_namespace[0] ? "/" : "", inf->pod_name);
	else
		snprintf(pod, sizeof(pod), "%s", e->pod_uid[0] ? e->pod_uid :
			 inf->pod_uid[0] ? inf->pod_uid : "-");
	text_escape(out, len, pod, sizeof(pod));
}

/* s escaped, cut to `width` bytes (whole characters), "-" if empty */
static const char *column(char *buf, size_t width, const char *s, size_t max)
{
	if (!s[0])
		return "-";
	text_escape(buf, width + 1, s, max);
	return buf;
}

void entry_table_row(const struct pinned *p, const struct entry_view *v)
{
	char created[40], pod[29], id[13], name[21], image[37];
	struct cgtrack_info inf;
	bool has = entry_info(p, &v->e, &inf);

	format_time(v->e.created_ns, created, sizeof(created));
	pod_column(&v->e, &inf, pod, sizeof(pod));
	printf("%-10llu %-12s %-10s %-8s %-4s %-20s %-36s %-28s %-24s ",
	       (unsigned long long)v->e.cgroup_id,
	       column(id, sizeof(id) - 1, v->e.container_id, sizeof(v->e.container_id)),
	       shown_runtime(&v->e, &inf, has),
	       v->e.removed_ns ? "dead" : state_name(v->e.state), v->e.root ? "yes" : "no",
	       column(name, sizeof(name) - 1, inf.name, sizeof(inf.name)),
	       column(image, sizeof(image) - 1, inf.image, sizeof(inf.image)), pod, created);
	if (v->path[0])
		text_fputs(stdout, v->path, sizeof(v->path));
	else
		putchar('-');
	putchar('\n');
}
