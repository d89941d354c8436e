// SPDX-License-Identifier: Apache-2.0
/* The runtimes' records, watched: see enrich_prefetch.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "enrich_prefetch.h"
#include "log.h"
#include "rt.h"
#include "rt_json.h"

#define PF_WATCHES	1024		/* directories watched at once */
#define PF_DONE		4096		/* podman ids already written */
#define CTD_TASKS	"io.containerd.runtime.v2.task"

enum pf_kind {
	PF_DOCKER_TOP,			/* <root>/containers: new <id> dirs */
	PF_DOCKER_DIR,			/* <root>/containers/<id>: its record */
	PF_PODMAN_TOP,			/* <root>/overlay-containers */
	PF_CTD_TASKS,			/* <state>/io.containerd.runtime.v2.task */
	PF_CTD_NS,			/* .../<ns>: new bundle dirs */
	PF_CTD_BUNDLE,			/* .../<ns>/<id>: config.json */
};

struct pf_watch {
	int wd;				/* -1: free */
	enum pf_kind kind;
	char ns[64];
	char id[CGTRACK_ID_LEN + 1];
};

struct prefetch {
	pthread_t thread;
	int ifd, stop_fd, pending_fd;
	char docker[PATH_MAX], podman[PATH_MAX], ctd[PATH_MAX];
	bool docker_on, podman_on, ctd_on;	/* top watches in place */
	struct pf_watch w[PF_WATCHES];
	__u64 done[PF_DONE];		/* podman: ids written (hash, 0 = free) */
	size_t n_done;
	bool full_warned;
	unsigned long written;
};

/* --------------------------------------------------------- the map -- */

static void put_pending(struct prefetch *pf, const char *id, struct cgtrack_info *inf,
			enum cgtrack_runtime rt)
{
	struct cgtrack_pending_key k;

	memset(&k, 0, sizeof(k));
	memcpy(k.container_id, id, strnlen(id, sizeof(k.container_id)));
	inf->runtime = rt;
	inf->cgroup_id = 0;		/* the kernel sets it, and the time */
	inf->updated_ns = 0;
	if (bpf_map_update_elem(pf->pending_fd, &k, inf, BPF_ANY))
		log_debug("prefetch: cannot write pending %.12s: %s", id, strerror(errno));
	else
		pf->written++;
}

/* ------------------------------------------------------- watches -- */

static struct pf_watch *watch_of(struct prefetch *pf, int wd)
{
	size_t i;

	for (i = 0; i < PF_WATCHES; i++)
		if (pf->w[i].wd == wd)
			return &pf->w[i];
	return NULL;
}

static struct pf_watch *watch_add(struct prefetch *pf, const char *path, uint32_t mask,
				  enum pf_kind kind, const char *ns, const char *id)
{
	struct pf_watch *w = watch_of(pf, -1);
	int wd;

	if (!w) {
		if (!pf->full_warned)
			log_warn("prefetch: %d directories watched already; new containers "
				 "are named after their mkdir", PF_WATCHES);
		pf->full_warned = true;
		return NULL;
	}
	wd = inotify_add_watch(pf->ifd, path, mask | IN_DONT_FOLLOW | IN_ONLYDIR);
	if (wd < 0)
		return NULL;
	/* the same directory again: inotify gave its existing watch */
	if (watch_of(pf, wd))
		return watch_of(pf, wd);
	w->wd = wd;
	w->kind = kind;
	snprintf(w->ns, sizeof(w->ns), "%s", ns ? ns : "");
	snprintf(w->id, sizeof(w->id), "%s", id ? id : "");
	return w;
}

static void watch_drop(struct prefetch *pf, struct pf_watch *w)
{
	inotify_rm_watch(pf->ifd, w->wd);
	w->wd = -1;
}

/* ------------------------------------------------------ records -- */

/* docker: 0 when the record was there (and written to pending) */
static int docker_record(struct prefetch *pf, const char *id)
{
	struct cgtrack_info inf;
	char err[RT_ERR_LEN];

	if (rt_docker_config_lookup(pf->docker, id, &inf, err, sizeof(err)))
		return -1;
	put_pending(pf, id, &inf, CGTRACK_RT_DOCKER);
	return 0;
}

static void docker_new_dir(struct prefetch *pf, const char *id)
{
	char path[PATH_MAX + 80];
	struct pf_watch *w;

	if (!rt_id_ok(id))
		return;
	snprintf(path, sizeof(path), "%s/containers/%s", pf->docker, id);
	w = watch_add(pf, path, IN_MOVED_TO | IN_CLOSE_WRITE, PF_DOCKER_DIR, NULL, id);
	/* written before the watch was in place? */
	if (!docker_record(pf, id) && w)
		watch_drop(pf, w);
}

static bool podman_done(struct prefetch *pf, const char *id)
{
	__u64 h = 1469598103934665603ull;
	size_t i;

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	h |= 1;
	for (i = h % PF_DONE; pf->done[i]; i = (i + 1) % PF_DONE)
		if (pf->done[i] == h)
			return true;
	if (pf->n_done >= PF_DONE * 3 / 4) {	/* forget: at worst, written again */
		memset(pf->done, 0, sizeof(pf->done));
		pf->n_done = 0;
		i = h % PF_DONE;
	}
	pf->done[i] = h;
	pf->n_done++;
	return false;
}

static int podman_each(void *ctx, const char *id, struct cgtrack_info *inf)
{
	struct prefetch *pf = ctx;

	if (!podman_done(pf, id))
		put_pending(pf, id, inf, CGTRACK_RT_PODMAN);
	return 0;
}

static void podman_record(struct prefetch *pf)
{
	char err[RT_ERR_LEN];

	rt_podman_storage_each(pf->podman, podman_each, pf, err, sizeof(err));
}

static int ctd_record(struct prefetch *pf, const char *ns, const char *id)
{
	struct cgtrack_info inf;
	char err[RT_ERR_LEN];

	if (rt_containerd_lookup(pf->ctd, ns, id, &inf, NULL, 0, err, sizeof(err)))
		return -1;
	put_pending(pf, id, &inf, CGTRACK_RT_CONTAINERD);
	return 0;
}

static void ctd_new_bundle(struct prefetch *pf, const char *ns, const char *id)
{
	char path[PATH_MAX + 200];
	struct pf_watch *w;

	if (!rt_id_ok(id))
		return;
	snprintf(path, sizeof(path), "%s/%s/%s/%s", pf->ctd, CTD_TASKS, ns, id);
	w = watch_add(pf, path, IN_MOVED_TO | IN_CLOSE_WRITE, PF_CTD_BUNDLE, ns, id);
	if (!ctd_record(pf, ns, id) && w)
		watch_drop(pf, w);
}

/*
 * A namespace's directory: watched for new bundles. One made with the
 * namespace (its first container) may be there before the watch: look.
 */
static void ctd_new_ns(struct prefetch *pf, const char *ns, bool fresh)
{
	char path[PATH_MAX + 100];
	struct dirent *d;
	DIR *dir;

	if (!rt_id_ok(ns) || strlen(ns) >= sizeof(pf->w[0].ns) ||
	    !strcmp(ns, RT_CONTAINERD_DOCKER_NS))	/* docker's: its record names them */
		return;
	snprintf(path, sizeof(path), "%s/%s/%s", pf->ctd, CTD_TASKS, ns);
	if (!watch_add(pf, path, IN_CREATE, PF_CTD_NS, ns, NULL) || !fresh)
		return;
	dir = opendir(path);
	while (dir && (d = readdir(dir)))
		if (d->d_type == DT_DIR && d->d_name[0] != '.')
			ctd_new_bundle(pf, ns, d->d_name);
	if (dir)
		closedir(dir);
}

/* The top directories, once they exist (checked again every second). */
static void watch_tops(struct prefetch *pf)
{
	char path[PATH_MAX + 40];
	struct dirent *d;
	DIR *dir;

	if (pf->docker[0] && !pf->docker_on) {
		snprintf(path, sizeof(path), "%s/containers", pf->docker);
		pf->docker_on = watch_add(pf, path, IN_CREATE | IN_MOVED_TO, PF_DOCKER_TOP,
					  NULL, NULL) != NULL;
	}
	if (pf->podman[0] && !pf->podman_on) {
		snprintf(path, sizeof(path), "%s/overlay-containers", pf->podman);
		pf->podman_on = watch_add(pf, path, IN_MOVED_TO | IN_CLOSE_WRITE, PF_PODMAN_TOP,
					  NULL, NULL) != NULL;
	}
	if (pf->ctd[0] && !pf->ctd_on) {
		snprintf(path, sizeof(path), "%s/%s", pf->ctd, CTD_TASKS);
		pf->ctd_on = watch_add(pf, path, IN_CREATE, PF_CTD_TASKS, NULL, NULL) != NULL;
		dir = pf->ctd_on ? opendir(path) : NULL;
		while (dir && (d = readdir(dir)))
			if (d->d_type == DT_DIR && d->d_name[0] != '.')
				ctd_new_ns(pf, d->d_name, false);
		if (dir)
			closedir(dir);
	}
}

/* ------------------------------------------------------- events -- */

static void on_event(struct prefetch *pf, const struct inotify_event *ev)
{
	struct pf_watch *w = watch_of(pf, ev->wd);
	const char *name = ev->len ? ev->name : "";

	if (!w)
		return;
	if (ev->mask & IN_IGNORED) {	/* the directory went */
		if (w->kind == PF_DOCKER_TOP)
			pf->docker_on = false;
		else if (w->kind == PF_PODMAN_TOP)
			pf->podman_on = false;
		else if (w->kind == PF_CTD_TASKS)
			pf->ctd_on = false;
		w->wd = -1;
		return;
	}
	switch (w->kind) {
	case PF_DOCKER_TOP:
		if (ev->mask & IN_ISDIR)
			docker_new_dir(pf, name);
		break;
	case PF_DOCKER_DIR:
		if (!strcmp(name, "config.v2.json") && !docker_record(pf, w->id))
			watch_drop(pf, w);
		break;
	case PF_PODMAN_TOP:
		if (!strcmp(name, "containers.json"))
			podman_record(pf);
		break;
	case PF_CTD_TASKS:
		if (ev->mask & IN_ISDIR)
			ctd_new_ns(pf, name, true);
		break;
	case PF_CTD_NS:
		if (ev->mask & IN_ISDIR)
			ctd_new_bundle(pf, w->ns, name);
		break;
	case PF_CTD_BUNDLE:
		if (!strcmp(name, "config.json") && !ctd_record(pf, w->ns, w->id))
			watch_drop(pf, w);
		break;
	}
}

static void *prefetch_thread(void *arg)
{
	struct prefetch *pf = arg;
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd fds[2] = { { pf->ifd, POLLIN, 0 }, { pf->stop_fd, POLLIN, 0 } };
	ssize_t n;
	char *p;

	for (;;) {
		watch_tops(pf);
		if (poll(fds, 2, 1000) < 0 && errno != EINTR)
			break;
		if (fds[1].revents)
			break;
		if (!(fds[0].revents & POLLIN))
			continue;
		n = read(pf->ifd, buf, sizeof(buf));
		for (p = buf; n > 0 && p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			on_event(pf, ev);
			p += sizeof(*ev) + ev->len;
		}
	}
	return NULL;
}

/* --------------------------------------------------------- setup -- */

struct prefetch *prefetch_start(const struct prefetch_roots *r, int pending_fd)
{
	struct prefetch *pf;
	sigset_t all, old;
	size_t i;
	int err;

	if (pending_fd < 0) {
		log_info("prefetch: no pending map pinned (pins of an older build): names "
			 "come after each container's mkdir");
		return NULL;
	}
	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return NULL;
	for (i = 0; i < PF_WATCHES; i++)
		pf->w[i].wd = -1;
	pf->pending_fd = pending_fd;
	snprintf(pf->docker, sizeof(pf->docker), "%s", r->docker_root ? r->docker_root : "");
	snprintf(pf->podman, sizeof(pf->podman), "%s", r->podman_root ? r->podman_root : "");
	snprintf(pf->ctd, sizeof(pf->ctd), "%s", r->containerd_state ? r->containerd_state : "");
	pf->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	pf->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (pf->ifd < 0 || pf->stop_fd < 0) {
		log_warn("prefetch: off: %s", strerror(errno));
		goto fail;
	}
	sigfillset(&all);	/* signals go to the main thread */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&pf->thread, NULL, prefetch_thread, pf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_warn("prefetch: off: cannot start its thread: %s", strerror(err));
		goto fail;
	}
	return pf;
fail:
	if (pf->ifd >= 0)
		close(pf->ifd);
	if (pf->stop_fd >= 0)
		close(pf->stop_fd);
	free(pf);
	return NULL;
}

void prefetch_stop(struct prefetch *pf)
{
	uint64_t one = 1;

	if (!pf)
		return;
	if (write(pf->stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("prefetch: cannot stop its thread: %s", strerror(errno));
	pthread_join(pf->thread, NULL);
	log_debug("prefetch: %lu records written to pending", pf->written);
	close(pf->ifd);
	close(pf->stop_fd);
	free(pf);
}
