/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names before the cgroup: a thread that watches the runtimes' records
 * (inotify) and, as soon as a runtime writes one for a new container,
 * puts its names in the pinned `pending` map under the container's id.
 * The kernel moves them into `info` at the container cgroup's mkdir, so
 * that they are there before the container's first exec whatever the
 * daemon's scheduling (the once-woken daemon then only confirms them).
 *
 *   docker      <data-root>/containers/<id>/config.v2.json (docker create)
 *   podman      <graph-root>/overlay-containers/containers.json (create)
 *   containerd  <state>/io.containerd.runtime.v2.task/<ns>/<id>/config.json
 *               (the bundle, written before the shim runs runc)
 *
 * A record that is not there, not a regular file, a symlink or too big is
 * not read (rt_read_under); a directory that does not exist yet is watched
 * once it does (checked every second).
 */
#ifndef CGTRACK_ENRICH_PREFETCH_H
#define CGTRACK_ENRICH_PREFETCH_H

struct prefetch_roots {
	const char *docker_root;	/* "" or NULL: not watched */
	const char *podman_root;
	const char *containerd_state;
};

struct prefetch;

/* NULL (logged) if it cannot run; tracking and enrichment go on without it. */
struct prefetch *prefetch_start(const struct prefetch_roots *roots, int pending_fd);
void prefetch_stop(struct prefetch *pf);

#endif
