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
void entry_sanitize(struct cgtrack_container *e)
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

/*
 * The runtime that answered, else what the path says: the path cannot
 * always tell (a bare id under a pod directory is containerd's or
 * cri-dockerd's, one at the root anyone's), the runtime that knows the id
 * can. "unknown" in the info entry is no answer.
 */
const char *shown_runtime(const struct cgtrack_container *e,
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
	/* the runtime that answered is the authority; the path's stays visible */
	jsonw_str_field(w, "runtime", shown_runtime(&v->e, &inf, has));
	jsonw_str_field(w, "path_runtime", runtime_name(v->e.runtime));
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

/* --wide: whole values, no column widths */
static bool table_wide;

void entry_table_wide(bool wide)
{
	table_wide = wide;
}

#define ELLIPSIS "\u2026"	/* one column wide */

/* Code points in a valid UTF-8 string (escapes are ASCII): its columns. */
static size_t columns_of(const char *s, size_t *cut, size_t width)
{
	size_t n = 0, i = 0;

	*cut = 0;
	while (s[i]) {
		if (n + 1 == width)
			*cut = i;	/* where the ellipsis goes if it overflows */
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		n++;
	}
	return n;
}

/*
 * One column: s (escaped already) padded to width, or cut to width - 1
 * columns and marked with an ellipsis, so that a cut value never looks
 * like a whole one. --wide prints it whole.
 */
static void put_col(const char *s, size_t width)
{
	size_t cut, n;

	if (!s[0])
		s = "-";
	if (table_wide) {
		printf("%s ", s);
		return;
	}
	n = columns_of(s, &cut, width);
	if (n > width)
		printf("%.*s" ELLIPSIS " ", (int)cut, s);
	else
		printf("%s%*s ", s, (int)(width - n), "");
}

void entry_table_header(void)
{
	if (table_wide)
		printf("CGROUP CONTAINER RUNTIME STATE ALIVE ROOT NAME IMAGE POD CREATED "
		       "PATH\n");
	else
		printf("%-10s %-12s %-11s %-8s %-5s %-4s %-20s %-36s %-28s %-24s %s\n",
		       "CGROUP", "CONTAINER", "RUNTIME", "STATE", "ALIVE", "ROOT", "NAME",
		       "IMAGE", "POD", "CREATED", "PATH");
}

/* namespace/name, else the uid the path gave, else "-" */
static void pod_text(const struct cgtrack_container *e, const struct cgtrack_info *inf,
		     char *out, size_t len)
{
	if (inf->pod_name[0])
		snprintf(out, len, "%s%s%s", inf->pod_namespace,
			 inf->pod_namespace[0] ? "/" : "", inf->pod_name);
	else
		snprintf(out, len, "%s", e->pod_uid[0] ? e->pod_uid : inf->pod_uid);
}

void entry_table_row(const struct pinned *p, const struct entry_view *v)
{
	/* escaped strings: up to 4 bytes (\xNN) for each byte of the field */
	char buf[4 * sizeof(struct cgtrack_info) + 1];
	char pod[sizeof(v->e.pod_uid) + sizeof(struct cgtrack_info)];
	char created[40], cgid[24];
	struct cgtrack_info inf;
	bool has = entry_info(p, &v->e, &inf);

	format_time(v->e.created_ns, created, sizeof(created));
	snprintf(cgid, sizeof(cgid), "%llu", (unsigned long long)v->e.cgroup_id);
	put_col(cgid, 10);
	/* a 12-character id prefix, as `docker ps` shows it: --wide for all */
	text_escape(buf, table_wide ? sizeof(buf) : 13, v->e.container_id,
		    sizeof(v->e.container_id));
	put_col(buf, 12);
	put_col(shown_runtime(&v->e, &inf, has), 11);
	/* the same words as the JSON's "state" and "alive" */
	put_col(state_name(v->e.state), 8);
	put_col(v->e.removed_ns ? "no" : "yes", 5);
	put_col(v->e.root ? "yes" : "no", 4);
	text_escape(buf, sizeof(buf), inf.name, sizeof(inf.name));
	put_col(buf, 20);
	text_escape(buf, sizeof(buf), inf.image, sizeof(inf.image));
	put_col(buf, 36);
	pod_text(&v->e, &inf, pod, sizeof(pod));
	text_escape(buf, sizeof(buf), pod, sizeof(pod));
	put_col(buf, 28);
	put_col(created, 24);
	if (v->path[0])
		text_fputs(stdout, v->path, sizeof(v->path));
	else
		putchar('-');
	putchar('\n');
}
