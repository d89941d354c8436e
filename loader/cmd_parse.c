// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack parse PATH...|-`: the shared parser on paths or /proc lines,
 * from the arguments or stdin; --explain shows each component decided.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clierr.h"
#include "cgpath.h"
#include "cmd_query.h"
#include "jsonw.h"
#include "names.h"
#include "options.h"
#include "textsafe.h"

/* A row; ids may hold any byte but C0 (C1 among them): escaped. */
static void print_row(const struct cgpath_node *n, const char *path)
{
	char id[4 * sizeof(n->ent.container_id)];

	text_escape(id, sizeof(id), n->tracked ? n->ent.container_id : "-",
		    sizeof(n->ent.container_id));
	printf("%-64s %-11s %-4s %-36s ", id,
	       n->tracked ? runtime_name(n->ent.runtime) : "-",
	       n->tracked && n->ent.root ? "yes" : "no",
	       n->ent.pod_uid[0] ? n->ent.pod_uid : "-");
	text_fputs(stdout, path, strlen(path));
	putchar('\n');
}

/* --explain: each component and what the parser decided of it. */
static void explain_step(void *ctx, const char *name, size_t len,
			 const struct cgpath_node *n)
{
	char comp[4 * CGTRACK_NAME_MAX], id[4 * sizeof(n->ent.container_id)];

	(void)ctx;
	text_escape(comp, sizeof(comp), name, len);
	text_escape(id, sizeof(id), n->ent.container_id, sizeof(n->ent.container_id));
	printf("  %-40s ", comp);
	if (!n->tracked)
		printf("not a container, not inside one\n");
	else if (n->ent.root)
		printf("a container: %s %s%s%s\n", runtime_name(n->ent.runtime), id,
		       n->ent.pod_uid[0] ? ", pod " : "", n->ent.pod_uid);
	else
		printf("inside container %s (%s)\n", id, runtime_name(n->ent.runtime));
}

static void print_json(const struct cgpath_node *n, const char *path)
{
	struct jsonw *w = jsonw_new(stdout);

	jsonw_start_object(w);
	jsonw_str_field(w, "path", path);
	jsonw_str_field(w, "container_id", n->ent.container_id);
	jsonw_str_field(w, "runtime", n->tracked ? runtime_name(n->ent.runtime) : "");
	jsonw_bool_field(w, "root", n->tracked && n->ent.root);
	jsonw_str_field(w, "pod_uid", n->ent.pod_uid);
	jsonw_end_object(w);
	jsonw_destroy(w);
	putchar('\n');
}

/*
 * One path: 0, or 2 after saying why it is not one (bad input, as a
 * relative path is to resolve).
 */
static int parse_one(const struct common_opts *co, const char *path)
{
	struct cgpath_node n;
	char err[256];

	if (co->explain) {
		fputs(path, stdout);
		putchar('\n');
	}
	if (cgpath_parse_trace(path, &n, err, sizeof(err),
			       co->explain ? explain_step : NULL, NULL)) {
		cli_error("parse", "%s", err);
		return 2;
	}
	if (co->explain)
		return 0;
	if (!n.tracked)
		n.ent.container_id[0] = n.ent.pod_uid[0] = 0;
	if (co->json)
		print_json(&n, path);
	else
		print_row(&n, path);
	return 0;
}

/* `parse -`: one path per line of stdin. */
static int parse_stdin(const struct common_opts *co)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int bad = 0;

	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = 0;
		if (len)
			bad |= parse_one(co, line);
	}
	free(line);
	return bad;
}

int cmd_parse(const struct common_opts *co)
{
	int i, bad = 0;

	if (co->argc == 0) {
		cli_error("parse", "give one or more cgroup paths, or - to read them "
			  "from stdin");
		return 2;
	}
	if (co->json && co->explain) {
		cli_error("parse", "--json and --explain: choose one");
		return 2;
	}
	if (!co->json && !co->explain)
		printf("%-64s %-11s %-4s %-36s %s\n", "CONTAINER", "RUNTIME", "ROOT",
		       "POD UID", "PATH");
	for (i = 0; i < co->argc; i++)
		bad |= strcmp(co->argv[i], "-") ? parse_one(co, co->argv[i]) :
						 parse_stdin(co);
	return bad;
}
