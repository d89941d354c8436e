/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Enrichment: names, images and pods from the container runtimes, written
 * to the pinned `info` map. Runs beside tracking and never blocks it.
 */
#ifndef CGTRACK_ENRICH_H
#define CGTRACK_ENRICH_H

#include "cgtrack/abi.h"
#include "options.h"
#include "pins.h"

struct enricher;

/* NULL when enrichment is off or unavailable (tracking goes on). */
struct enricher *enrich_start(const struct common_opts *co, const struct pinned *p);
/* Queue a container entry for enrichment; never blocks. */
void enrich_request(struct enricher *e, __u32 key, const struct cgtrack_container *c);
/* Queue every root entry already in the map. */
void enrich_existing(struct enricher *e);
/* Housekeeping from the main loop (retries, logging). */
void enrich_poll(struct enricher *e);
void enrich_stop(struct enricher *e);

#endif
