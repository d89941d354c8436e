// SPDX-License-Identifier: Apache-2.0
/*
 * Enrichment left out: the static kmatrix build links this instead of
 * loader/enrich.c and loader/rt_*.c (libcurl does not link statically).
 * Same interface as loader/enrich.h: --runtime takes the same names (the
 * table in loader/runtimes.c decides which), enrich_start says once that
 * this build has no enrichment, and the info map stays empty. Tracking is unchanged.
 */
#include <stddef.h>

#include "enrich.h"
#include "log.h"

struct enricher *enrich_start(const struct common_opts *co, const struct pinned *p)
{
	(void)p;
	if (!co->no_enrich && co->n_runtimes > 0)
		log_warn("this cgtrack was built without enrichment (static build): "
			 "--runtime is ignored, entries get no names");
	return NULL;
}

void enrich_request(struct enricher *e, __u32 key, const struct cgtrack_container *c)
{
	(void)e; (void)key; (void)c;
}

void enrich_existing(struct enricher *e) { (void)e; }
void enrich_poll(struct enricher *e) { (void)e; }
void enrich_stop(struct enricher *e) { (void)e; }
