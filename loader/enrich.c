// SPDX-License-Identifier: Apache-2.0
/* Placeholder until runtime enrichment lands: tracking never depends on it. */
#include <stddef.h>

#include "enrich.h"

struct enricher *enrich_start(const struct common_opts *co, const struct pinned *p)
{
	(void)co;
	(void)p;
	return NULL;
}

void enrich_request(struct enricher *e, __u32 key, const struct cgtrack_container *c)
{
	(void)e;
	(void)key;
	(void)c;
}

void enrich_existing(struct enricher *e)
{
	(void)e;
}

void enrich_poll(struct enricher *e)
{
	(void)e;
}

void enrich_stop(struct enricher *e)
{
	(void)e;
}
