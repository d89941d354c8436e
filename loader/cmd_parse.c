// SPDX-License-Identifier: Apache-2.0
/* `cgtrack parse PATH...`: the shared parser on paths or /proc lines. */
#include <stdio.h>
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

int cmd_parse(int argc, char **argv)
{
	struct common_opts co;
	struct cgpath_node n;
	char err[256];
	int i, r, bad = 0;

	r = opts_parse(argc, argv, OPT_QUERY, &co);
	if (r)
		return r > 0 ? 0 : 2;
	if (co.argc == 0) {
		cli_error("parse", "give one or more cgroup paths");
		return 2;
	}
	if (!co.json)
		printf("%-64s %-11s %-4s %-36s %s\n", "CONTAINER", "RUNTIME", "ROOT",
		       "POD UID", "PATH");
	for (i = 0; i < co.argc; i++) {
		const char *path = co.argv[i];

		if (cgpath_parse(path, &n, err, sizeof(err))) {
			cli_error("parse", "%s", err);
			bad = 1;
			continue;
		}
		if (!n.tracked)
			n.ent.container_id[0] = n.ent.pod_uid[0] = 0;
		if (co.json) {
			struct jsonw *w = jsonw_new(stdout);

			jsonw_start_object(w);
			jsonw_str_field(w, "path", path);
			jsonw_str_field(w, "container_id", n.ent.container_id);
			jsonw_str_field(w, "runtime", n.tracked ? runtime_name(n.ent.runtime) : "");
			jsonw_bool_field(w, "root", n.tracked && n.ent.root);
			jsonw_str_field(w, "pod_uid", n.ent.pod_uid);
			jsonw_end_object(w);
			jsonw_destroy(w);
			putchar('\n');
		} else {
			print_row(&n, path);
		}
	}
	return bad ? 1 : 0;
}
