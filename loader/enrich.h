/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Enrichment: names, images and pods from the container runtimes, written
 * to the pinned `info` map (same key as `containers`). A worker thread asks
 * the runtimes; tracking, the main loop and shutdown never wait for it.
 *
 * Runtimes asked (--runtime NAME:PATH overrides a default path):
 *   docker      <data-root>/containers/<id>/config.v2.json at once (data
 *               root /var/lib/docker, docker-root:DIR), then, the authority,
 *               GET /containers/<id>/json on /var/run/docker.sock
 *   podman      the same on /run/podman/podman.sock
 *   crio        GET /containers/<id> on /var/run/crio/crio.sock
 *   containerd  <state>/io.containerd.runtime.v2.task/<ns>/<id>/config.json,
 *               state /run/containerd (containerd:SOCKET uses the socket's
 *               directory, containerd-state:DIR sets it)
 */
#ifndef CGTRACK_ENRICH_H
#define CGTRACK_ENRICH_H

#include <stdbool.h>
#include "cgtrack/abi.h"
#include "options.h"
#include "pins.h"

struct enricher;

/*
 * Start the worker; NULL when enrichment is off (--no-enrich) or cannot
 * run (tracking goes on). p must stay open until enrich_stop.
 */
struct enricher *enrich_start(const struct common_opts *co, const struct pinned *p);
/*
 * A root container entry the kernel has just added: first the local files
 * that exist before its process (containerd's bundle, docker's record; a
 * few small reads below the runtimes' state directories, in the caller's
 * thread), then, if more is needed, queued for the worker; never waits for
 * a runtime's API.
 */
void enrich_request(struct enricher *e, __u32 key, const struct cgtrack_container *c);
/* Queue every live root entry that has no info yet (at start). */
void enrich_existing(struct enricher *e);
/*
 * From the main loop, at least once a second: every 10 s, delete info
 * entries left without their container entry, and after lost ring buffer
 * records ask about the containers without info.
 */
void enrich_poll(struct enricher *e);
/* Stop the worker at once (requests in flight are abandoned), free all. */
void enrich_stop(struct enricher *e);

#endif
