/* SPDX-License-Identifier: Apache-2.0 */
/* Printing container entries: JSON objects or aligned table rows. */
#ifndef CGTRACK_ENTRY_OUT_H
#define CGTRACK_ENTRY_OUT_H

#include <stdbool.h>
#include "cgtrack/abi.h"
#include "jsonw.h"
#include "pins.h"

struct entry_view {
	__u32 key;
	struct cgtrack_container e;
	char path[4096];		/* "" when unknown or removed */
};

/* Terminate an entry's strings in their fields, make `root` a bool. */
void entry_sanitize(struct cgtrack_container *e);
/* Fill view->path from the tracked hierarchy's mount (sanitizes v->e). */
void entry_resolve_path(const struct pinned *p, struct entry_view *v);
/*
 * What the runtime said of e's container (the `info` map, written by the
 * daemon's enrichment): true and *inf, or false and *inf zeroed.
 */
bool entry_info(const struct pinned *p, const struct cgtrack_container *e,
		struct cgtrack_info *inf);
/*
 * The printers add the info: name, image, pod_name, pod_namespace,
 * pod_uid (the path's, else the runtime's), sandbox, info_runtime; the
 * JSON's runtime is shown_runtime() and path_runtime what the path says.
 */
/* The runtime shown: the one that answered (info), else what the path says. */
const char *shown_runtime(const struct cgtrack_container *e, const struct cgtrack_info *inf,
			  bool has);
void entry_json(struct jsonw *w, const struct pinned *p, const struct entry_view *v);
void entry_table_header(void);
/* --wide: print whole values (no widths, no cuts) from now on */
void entry_table_wide(bool wide);
void entry_table_row(const struct pinned *p, const struct entry_view *v);

#endif
