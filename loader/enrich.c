// SPDX-License-Identifier: Apache-2.0
/*
 * Enrichment: a worker thread asks the container runtimes about new
 * containers and writes what they say to the pinned `info` map.
 *
 * The main loop only queues requests (enrich_request never blocks). The
 * worker drives every HTTP request (rt_http.h) from one poll(), at most
 * ENRICH_PER_RUNTIME at once per runtime, each with a timeout and a size
 * cap, so a hung or lying runtime delays only its own containers;
 * containerd's bundles are small files. A failed request is retried with
 * backoff, then logged, and the container is counted in
 * CGTRACK_STAT_ENRICH_FAILED (written by the worker only). enrich_stop
 * wakes the worker and joins it at once.
 */
#include <errno.h>
#include <libgen.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cgid.h"
#include "enrich.h"
#include "enrich_prefetch.h"
#include "log.h"
#include "names.h"
#include "rt.h"
#include "rt_http.h"
#include "timeutil.h"

#define ENRICH_ATTEMPTS		3	/* per runtime asked */
#define ENRICH_BACKOFF_MS	500	/* doubled after each failure */
#define ENRICH_PER_RUNTIME	8	/* HTTP requests at once, per runtime */
#define ENRICH_QUEUE_MAX	32768	/* containers waiting */
#define ENRICH_RECHECK_MS	1000	/* "not found" by the path's runtime: once more */
#define ENRICH_GC_NS		(10 * 1000000000ull)
#define ENRICH_IDLE_MS		1000

struct jobq {
	struct job *head, *tail;
};

/* A runtime to ask: kind and path are set at start, the rest is the worker's. */
struct source {
	enum rt_kind kind;
	char path[256];		/* socket; containerd: its state directory */
	char root[256];		/* docker, podman: where their records are */
	bool explicit;		/* from --runtime: a missing socket is an error */
	bool warned;		/* "not there" was said once */
	int n_active;		/* its requests in flight */
	struct jobq parked;	/* jobs waiting for one of them to end */
};

/* TRY_PENDING: in flight or parked; the job is not ours until it ends. */
enum try_result { TRY_PENDING, TRY_OK, TRY_NOT_FOUND, TRY_SKIP, TRY_ERROR };

struct job {
	struct job *next;
	__u32 key;
	__u64 cgroup_id;
	char id[CGTRACK_ID_LEN + 1];
	enum rt_kind order[RT_KINDS];	/* runtimes to ask, in turn */
	int n_order;
	int pos;			/* the one being asked */
	int attempt;			/* failures with it so far */
	bool path_says;			/* order[0] is the runtime the path names */
	bool rechecked;			/* "not found" asked once more */
	bool had_error;
	bool file_tried;		/* the runtime's record read (or missing) */
	bool early;			/* info stored from it, before the API */
	uint64_t due_ns;		/* a retry waits until then */
	struct rt_http http;
	struct cgtrack_info info;
	char err[RT_ERR_LEN];		/* the last failure */
};

struct enricher {
	struct source src[RT_KINDS];
	/* set by enrich_start, read-only afterwards */
	long timeout_ms;
	int containers_fd, info_fd, stats_fd;
	struct prefetch *prefetch;	/* names before the mkdir */
	char mount[192];
	int wake_fd;			/* eventfd: new work, or stop */
	pthread_t thread;
	atomic_size_t n_jobs;

	pthread_mutex_t lock;		/* guards incoming and stop */
	struct jobq incoming;
	bool stop;
	bool full_warned;		/* main thread only */

	/* the worker's */
	struct jobq ready, delayed;
	struct job *active;		/* requests in flight */
	atomic_ulong n_ok;		/* also the main thread's (fast path) */
	unsigned long n_failed, n_unknown;

	/* main thread only */
	const struct pinned *pins;
	uint64_t next_gc;
	__u64 events_lost;		/* ring buffer records lost, at the last look */
};

/* ------------------------------------------------------------- queues -- */

static void jobq_push(struct jobq *q, struct job *j)
{
	j->next = NULL;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct job *jobq_pop(struct jobq *q)
{
	struct job *j = q->head;

	if (j) {
		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		j->next = NULL;
	}
	return j;
}

/* Append all of src to dst. */
static void jobq_splice(struct jobq *dst, struct jobq *src)
{
	if (!src->head)
		return;
	if (dst->tail)
		dst->tail->next = src->head;
	else
		dst->head = src->head;
	dst->tail = src->tail;
	src->head = src->tail = NULL;
}

static void job_free(struct enricher *e, struct job *j)
{
	rt_http_free(&j->http);
	free(j);
	atomic_fetch_sub(&e->n_jobs, 1);
}

static void jobq_free(struct enricher *e, struct jobq *q)
{
	struct job *j;

	while ((j = jobq_pop(q)))
		job_free(e, j);
}

/* ------------------------------------------------------------ sources -- */

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* containerd:PATH is its socket (state: the socket's directory) or the state dir. */
static void set_containerd(struct source *s, const char *path, bool state_given)
{
	char tmp[sizeof(s->path)];

	if (state_given)
		return;
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(s->path, sizeof(s->path), "%s", is_dir(path) ? path : dirname(tmp));
	s->explicit = true;
}

static void sources_init(struct enricher *e, const struct common_opts *co)
{
	bool state_given = false;
	int i, k;

	for (k = 0; k < RT_KINDS; k++) {
		const struct rt_client *c = rt_client(k);

		e->src[k].kind = k;
		snprintf(e->src[k].path, sizeof(e->src[k].path), "%s", c->path);
		snprintf(e->src[k].root, sizeof(e->src[k].root), "%s",
			 c->dir_default ? c->dir_default : "");
	}
	for (i = 0; i < co->n_runtimes; i++) {
		const struct runtime_opt *r = &co->runtimes[i];

		k = rt_kind_of_dir_opt(r->name);
		if (k == RT_CONTAINERD) {	/* containerd-state: the state directory */
			snprintf(e->src[k].path, sizeof(e->src[k].path), "%s", r->path);
			e->src[k].explicit = state_given = true;
			continue;
		}
		if (k >= 0) {			/* docker-root: its data root */
			snprintf(e->src[k].root, sizeof(e->src[k].root), "%s", r->path);
			continue;
		}
		k = rt_kind_of(r->name);
		if (k < 0) {
			log_warn("enrich: ignoring --runtime %s:%s: not one of %s", r->name,
				 r->path, runtime_settings());
		} else if (k == RT_CONTAINERD) {
			set_containerd(&e->src[k], r->path, state_given);
		} else {
			snprintf(e->src[k].path, sizeof(e->src[k].path), "%s", r->path);
			e->src[k].explicit = true;
		}
	}
}

static void sources_log(const struct enricher *e)
{
	char line[1024];
	size_t n = 0;
	int k;

	for (k = 0; k < RT_KINDS; k++) {
		const struct source *s = &e->src[k];

		n += snprintf(line + n, sizeof(line) - n, "%s%s %s%s%s%s%s", k ? ", " : "",
			      rt_kind_name(k), rt_client(k)->path_is_dir ? "state " : "", s->path,
			      access(s->path, F_OK) ? " (not there now)" : "",
			      s->root[0] ? " records " : "", s->root);
		if (n >= sizeof(line))
			break;
	}
	log_info("enrichment: %s; timeout %ld ms", line, e->timeout_ms);
}

/* ----------------------------------------------------------- info map -- */

static bool entry_is(const struct enricher *e, __u32 key, __u64 cgid)
{
	struct cgtrack_container c;

	return !bpf_map_lookup_elem(e->containers_fd, &key, &c) && c.cgroup_id == cgid;
}

static bool info_valid(const struct enricher *e, __u32 key, __u64 cgid)
{
	struct cgtrack_info inf;

	return !bpf_map_lookup_elem(e->info_fd, &key, &inf) && inf.cgroup_id == cgid;
}

static void info_log(const struct job *j)
{
	const struct cgtrack_info *i = &j->info;
	char pod[256] = "";

	if (i->pod_name[0])
		snprintf(pod, sizeof(pod), ", pod %s%s%s", i->pod_namespace,
			 i->pod_namespace[0] ? "/" : "", i->pod_name);
	log_info("%s %.12s: name %s, image %s%s%s", runtime_name(i->runtime), j->id,
		 i->name[0] ? i->name : "-", i->image[0] ? i->image : "-", pod,
		 i->sandbox ? " (pod sandbox)" : "");
}

static void info_store(struct enricher *e, struct job *j, bool early)
{
	__u32 key = j->key;

	struct cgtrack_info old;

	if (!entry_is(e, key, j->cgroup_id)) {
		log_debug("enrich: container %.12s went before its runtime answered", j->id);
		return;
	}
	/* the same answer again (docker's API after its record): keep the
	 * entry, and its updated_ns, the time the names first arrived */
	if (!bpf_map_lookup_elem(e->info_fd, &key, &old) && old.cgroup_id == j->cgroup_id) {
		old.updated_ns = j->info.updated_ns;
		if (!memcmp(&old, &j->info, sizeof(old)))
			goto stored;
	}
	if (bpf_map_update_elem(e->info_fd, &key, &j->info, BPF_ANY)) {
		log_warn("enrich: cannot write the info entry of container %s: %s", j->id,
			 strerror(errno));
		return;
	}
	/* the sweep may have deleted the entry meanwhile: leave no orphan */
	if (!entry_is(e, key, j->cgroup_id) && info_valid(e, key, j->cgroup_id))
		bpf_map_delete_elem(e->info_fd, &key);
stored:
	if (early) {
		log_debug("enrich: %s %.12s: named from its record, asking the API",
			  runtime_name(j->info.runtime), j->id);
		return;
	}
	e->n_ok++;
	info_log(j);
}

/*
 * docker and podman answer GET /containers/<id>/json only once the
 * container's start is over (the request waits for the container's lock),
 * after its process has run. The records they wrote at create time have
 * the name and image (docker's config.v2.json, podman's containers.json):
 * store them at once; the API's answer, the authority, replaces them.
 */
static void try_record(struct enricher *e, struct job *j, struct source *s)
{
	char err[RT_ERR_LEN];
	int r;

	j->file_tried = true;
	if (!s->root[0])
		return;
	if (s->kind == RT_DOCKER)
		r = rt_docker_config_lookup(s->root, j->id, &j->info, err, sizeof(err));
	else if (s->kind == RT_PODMAN)
		r = rt_podman_storage_lookup(s->root, j->id, &j->info, err, sizeof(err));
	else
		return;
	if (r) {
		if (r != -ENOENT)
			log_debug("enrich: %s %.12s: %s", rt_kind_name(s->kind), j->id, err);
		return;
	}
	j->info.cgroup_id = j->cgroup_id;
	j->info.updated_ns = boot_ns();
	j->info.runtime = rt_kind_runtime(s->kind);
	info_store(e, j, true);
	j->early = true;
}

/* -------------------------------------------------------------- tries -- */

static struct source *job_source(struct enricher *e, const struct job *j)
{
	return &e->src[j->order[j->pos]];
}

static void say_missing(struct source *s)
{
	if (s->warned)
		return;
	s->warned = true;
	log_warn("enrich: %s: %s is not there (yet); its containers get no names until "
		 "it is", rt_kind_name(s->kind), s->path);
}

/* The namespace containerd put in the cgroup path (/<ns>/<id>), if any. */
static void ns_hint(const struct enricher *e, const struct job *j, char *ns, size_t len)
{
	char path[4096], *last, *prev;

	ns[0] = 0;
	if (!e->mount[0] || cgid_path(e->mount, j->cgroup_id, path, sizeof(path)))
		return;
	last = strrchr(path, '/');
	if (!last || last == path)
		return;
	*last = 0;
	prev = strrchr(path, '/');
	rt_copy(ns, len, prev ? prev + 1 : path);
}

static enum try_result try_containerd(struct enricher *e, struct job *j, struct source *s)
{
	char hint[256], ns[256] = "";
	int r;

	if (!is_dir(s->path)) {
		if (s->explicit)
			say_missing(s);
		return TRY_SKIP;
	}
	ns_hint(e, j, hint, sizeof(hint));
	r = rt_containerd_lookup(s->path, hint, j->id, &j->info, ns, sizeof(ns), j->err,
				 sizeof(j->err));
	if (!r)
		log_debug("enrich: containerd %.12s: bundle in namespace %s", j->id, ns);
	if (r == -ENOENT)
		return TRY_NOT_FOUND;
	if (r && !j->err[0])
		snprintf(j->err, sizeof(j->err), "%s", strerror(-r));
	return r ? TRY_ERROR : TRY_OK;
}

static enum try_result try_http(struct enricher *e, struct job *j, struct source *s)
{
	char path[128];
	struct stat st;

	if (s->root[0] && !j->file_tried)
		try_record(e, j, s);
	if (stat(s->path, &st) || !S_ISSOCK(st.st_mode)) {
		if (!s->explicit)
			return TRY_SKIP;
		snprintf(j->err, sizeof(j->err), "%s", access(s->path, F_OK) ?
			 strerror(errno) : "not a unix socket");
		return TRY_ERROR;
	}
	if (s->n_active >= ENRICH_PER_RUNTIME) {
		jobq_push(&s->parked, j);
		return TRY_PENDING;
	}
	if (s->kind == RT_CRIO)
		rt_crio_path(path, sizeof(path), j->id);
	else
		rt_docker_path(path, sizeof(path), j->id);
	if (rt_http_start(&j->http, s->path, path, e->timeout_ms, j->err, sizeof(j->err)))
		return TRY_ERROR;
	j->next = e->active;
	e->active = j;
	s->n_active++;
	return TRY_PENDING;
}

static enum try_result job_try(struct enricher *e, struct job *j)
{
	struct source *s = job_source(e, j);

	j->err[0] = 0;
	if (s->kind == RT_CONTAINERD)
		return try_containerd(e, j, s);
	return try_http(e, j, s);
}

/* What an HTTP answer means. */
static enum try_result http_answer(struct enricher *e, struct job *j)
{
	enum rt_kind k = job_source(e, j)->kind;
	struct rt_http *h = &j->http;
	char msg[160];
	long status;
	int r;

	if (rt_http_result(h, &status, j->err, sizeof(j->err)))
		return TRY_ERROR;
	if (status == 404)
		return TRY_NOT_FOUND;
	if (status != 200) {
		rt_error_message(h->body, h->len, msg, sizeof(msg));
		snprintf(j->err, sizeof(j->err), "HTTP status %ld%s%s", status,
			 msg[0] ? ": " : "", msg);
		return TRY_ERROR;
	}
	if (k == RT_CRIO)
		r = rt_crio_parse(h->body, h->len, &j->info, j->err, sizeof(j->err));
	else
		r = rt_docker_parse(h->body, h->len, j->id, &j->info, j->err, sizeof(j->err));
	return r == -ENOENT ? TRY_NOT_FOUND : r ? TRY_ERROR : TRY_OK;
}

/* ----------------------------------------------------------- outcomes -- */

static void job_finish(struct enricher *e, struct job *j)
{
	if (j->early) {
		/* named from docker's record; the API could not confirm it */
		e->n_ok++;
	} else if (j->had_error) {
		e->n_failed++;
		pins_stat_add(e->stats_fd, CGTRACK_STAT_ENRICH_FAILED, 1);
	} else {
		e->n_unknown++;
		log_debug("enrich: no runtime knows container %s", j->id);
	}
	job_free(e, j);
}

/*
 * A try failed: true if the job waits in the delayed queue for another
 * attempt (it is not ours any more), false once this runtime was given up.
 * (had_error stays set from an earlier runtime, so it cannot say which.)
 */
static bool job_failed(struct enricher *e, struct job *j, struct source *s)
{
	uint64_t delay_ms = (uint64_t)ENRICH_BACKOFF_MS << j->attempt;

	if (++j->attempt < ENRICH_ATTEMPTS) {
		log_debug("enrich: asking %s at %s about container %.12s: %s (attempt %d "
			  "of %d, again in %llu ms)", rt_kind_name(s->kind), s->path, j->id,
			  j->err, j->attempt, ENRICH_ATTEMPTS, (unsigned long long)delay_ms);
		j->due_ns = boot_ns() + delay_ms * 1000000ull;
		jobq_push(&e->delayed, j);
		return true;
	}
	/* named from its record already (docker at boot, before its API
	 * answers): nothing is missing, no warning */
	if (j->early)
		log_info("enrich: asking %s at %s about container %s failed %d times "
			 "(named from its record): %s", rt_kind_name(s->kind), s->path,
			 j->id, ENRICH_ATTEMPTS, j->err);
	else
		log_warn("enrich: asking %s at %s about container %s failed %d times: %s",
			 rt_kind_name(s->kind), s->path, j->id, ENRICH_ATTEMPTS, j->err);
	j->had_error = true;
	return false;
}

/*
 * The runtime the path names does not know the container: it may be a
 * moment early (its record written after the cgroup); ask once more later.
 */
static bool recheck(struct enricher *e, struct job *j)
{
	if (j->pos || j->rechecked || !j->path_says)
		return false;
	j->rechecked = true;
	j->due_ns = boot_ns() + ENRICH_RECHECK_MS * 1000000ull;
	jobq_push(&e->delayed, j);
	return true;
}

/* Act on one try; true: ask the next runtime now. */
static bool job_outcome(struct enricher *e, struct job *j, enum try_result r)
{
	struct source *s = job_source(e, j);

	switch (r) {
	case TRY_OK:
		j->info.cgroup_id = j->cgroup_id;
		j->info.updated_ns = boot_ns();
		j->info.runtime = rt_kind_runtime(s->kind);
		info_store(e, j, false);
		job_free(e, j);
		return false;
	case TRY_ERROR:
		if (job_failed(e, j, s))
			return false;	/* waits in the delayed queue */
		break;
	case TRY_NOT_FOUND:
		if (recheck(e, j))
			return false;
		break;
	default:
		break;
	}
	j->pos++;
	j->attempt = 0;
	if (j->pos < j->n_order)
		return true;
	job_finish(e, j);
	return false;
}

static void job_run(struct enricher *e, struct job *j)
{
	enum try_result r;

	do {
		r = job_try(e, j);
		if (r == TRY_PENDING)
			return;
	} while (job_outcome(e, j, r));
}

/* ------------------------------------------------------------- worker -- */

/* New work or stop: the worker's wait returns. */
static void worker_wake(struct enricher *e)
{
	uint64_t one = 1;

	if (write(e->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("enrich: cannot wake the worker: %s", strerror(errno));
}

/*
 * Until a wake, a request's socket is ready or its deadline comes, or ms;
 * then every request in flight goes on (or times out).
 */
static void worker_wait(struct enricher *e, int ms)
{
	struct pollfd p[1 + RT_KINDS * ENRICH_PER_RUNTIME];
	struct job *act[RT_KINDS * ENRICH_PER_RUNTIME], *j;
	uint64_t n, now = boot_ns();
	size_t np = 1, i;

	p[0] = (struct pollfd){ .fd = e->wake_fd, .events = POLLIN };
	for (j = e->active; j && np < sizeof(p) / sizeof(p[0]); j = j->next) {
		uint64_t left = j->http.deadline_ns > now ? j->http.deadline_ns - now : 0;

		if ((uint64_t)ms * 1000000 > left)
			ms = (int)((left + 999999) / 1000000);
		act[np - 1] = j;
		p[np++] = (struct pollfd){ .fd = j->http.fd, .events = rt_http_events(&j->http) };
	}
	poll(p, np, ms);
	if ((p[0].revents & POLLIN) && read(e->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("enrich: eventfd: %s", strerror(errno));
	now = boot_ns();
	for (i = 1; i < np; i++)
		rt_http_step(&act[i - 1]->http, p[i].revents, now);
}

/* A request of j's runtime ended: a job parked for it may go. */
static void active_remove(struct enricher *e, struct job *j)
{
	struct source *s = job_source(e, j);
	struct job **pp, *next;

	for (pp = &e->active; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
	s->n_active--;
	next = jobq_pop(&s->parked);
	if (next)
		jobq_push(&e->ready, next);
}

static void collect_done(struct enricher *e)
{
	struct job *j;

	for (;;) {
		enum try_result r;

		for (j = e->active; j && !rt_http_done(&j->http); j = j->next)
			;
		if (!j)
			return;
		active_remove(e, j);
		r = http_answer(e, j);
		rt_http_free(&j->http);
		if (job_outcome(e, j, r))
			job_run(e, j);
	}
}

/* Move the retries that are due to the ready queue. */
static void promote_due(struct enricher *e, uint64_t now)
{
	struct jobq later = { 0 };
	struct job *j;

	while ((j = jobq_pop(&e->delayed)))
		jobq_push(j->due_ns <= now ? &e->ready : &later, j);
	e->delayed = later;
}

static void start_ready(struct enricher *e)
{
	struct job *j;

	while ((j = jobq_pop(&e->ready))) {
		/*
		 * asked twice (an event and the start-up walk): answered
		 * already; not so when the answer is docker's record, which
		 * the API is still to confirm
		 */
		if (!j->pos && !j->attempt && !j->rechecked && !j->early &&
		    info_valid(e, j->key, j->cgroup_id)) {
			job_free(e, j);
			continue;
		}
		job_run(e, j);
	}
}

static int wait_ms(const struct enricher *e, uint64_t now)
{
	uint64_t ms = ENRICH_IDLE_MS, d;
	const struct job *j;

	if (e->ready.head)
		return 0;
	for (j = e->delayed.head; j; j = j->next) {
		d = j->due_ns > now ? (j->due_ns - now + 999999) / 1000000 : 0;
		if (d < ms)
			ms = d;
	}
	return (int)ms;
}

static void *worker(void *arg)
{
	struct enricher *e = arg;
	uint64_t now;
	bool stop;

	for (;;) {
		pthread_mutex_lock(&e->lock);
		stop = e->stop;
		jobq_splice(&e->ready, &e->incoming);
		pthread_mutex_unlock(&e->lock);
		if (stop)
			break;
		now = boot_ns();
		promote_due(e, now);
		start_ready(e);
		worker_wait(e, wait_ms(e, boot_ns()));
		collect_done(e);
	}
	return NULL;
}

/* --------------------------------------------------------- interface -- */

static int start_thread(struct enricher *e)
{
	sigset_t all, old;
	int err;

	/* signals go to the main thread, whose loop then stops */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&e->thread, NULL, worker, e);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* Watch the records of the runtimes whose records are read (docker,
 * podman, containerd's bundles), for the kernel to name at mkdir. */
static void prefetch_on(struct enricher *e, const struct pinned *p)
{
	struct prefetch_roots r = {
		.docker_root = e->src[RT_DOCKER].root,
		.podman_root = e->src[RT_PODMAN].root,
		.containerd_state = e->src[RT_CONTAINERD].path,
	};

	e->prefetch = prefetch_start(&r, p->pending);
}

struct enricher *enrich_start(const struct common_opts *co, const struct pinned *p)
{
	struct enricher *e;
	int err;

	if (co->no_enrich) {
		log_info("enrichment is off (--no-enrich)");
		return NULL;
	}
	if (p->info < 0 || p->containers < 0) {
		log_warn("enrichment is off: the info map is not pinned (pins of an older "
			 "build? `cgtrack run --replace` reloads)");
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->wake_fd < 0) {
		log_warn("enrichment is off: eventfd: %s", strerror(errno));
		goto fail;
	}
	sources_init(e, co);
	e->timeout_ms = (long)co->enrich_timeout_ms;
	e->containers_fd = p->containers;
	e->info_fd = p->info;
	e->stats_fd = p->stats;
	e->pins = p;
	e->events_lost = pins_stat(p, CGTRACK_STAT_EVENTS_LOST);
	snprintf(e->mount, sizeof(e->mount), "%s", p->cfg.mount);
	pthread_mutex_init(&e->lock, NULL);
	err = start_thread(e);
	if (err) {
		log_warn("enrichment is off: cannot start its thread: %s", strerror(err));
		pthread_mutex_destroy(&e->lock);
		goto fail;
	}
	sources_log(e);
	prefetch_on(e, p);
	return e;
fail:
	if (e->wake_fd >= 0)
		close(e->wake_fd);
	free(e);
	return NULL;
}

/*
 * The fast path, in the caller's thread, for a container the kernel has
 * just added (its record came with a wakeup): the local files that exist
 * before the container's process, without waiting for the worker to be
 * scheduled. containerd's bundle answers for good (the job is done);
 * docker's and podman's records are stored and the worker still asks the
 * API. Anything
 * else (not there yet, an error) is left to the worker, which tries again
 * as always. Only reads below the runtimes' own state directories.
 */
static bool fast_path(struct enricher *e, struct job *j)
{
	struct source *s = &e->src[j->order[0]];
	char hint[256], ns[256];

	if (s->root[0]) {		/* docker, podman: a record, then the API */
		try_record(e, j, s);
		return false;
	}
	if (s->kind != RT_CONTAINERD)
		return false;
	ns_hint(e, j, hint, sizeof(hint));
	if (rt_containerd_lookup(s->path, hint, j->id, &j->info, ns, sizeof(ns), j->err,
				 sizeof(j->err)))
		return false;
	j->info.cgroup_id = j->cgroup_id;
	j->info.updated_ns = boot_ns();
	j->info.runtime = rt_kind_runtime(s->kind);
	info_store(e, j, false);
	return true;
}

static void request(struct enricher *e, __u32 key, const struct cgtrack_container *c,
		    bool fast)
{
	struct job *j;

	if (!e || !c->root || c->removed_ns || !rt_id_ok(c->container_id))
		return;
	if (atomic_load(&e->n_jobs) >= ENRICH_QUEUE_MAX) {
		if (!e->full_warned)
			log_warn("enrich: %d containers wait for their runtime already; "
				 "dropping requests", ENRICH_QUEUE_MAX);
		e->full_warned = true;
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return;
	j->n_order = runtime_ask_order(c->runtime, j->order);
	if (!j->n_order) {
		free(j);
		return;
	}
	j->path_says = c->runtime != CGTRACK_RT_UNKNOWN;
	j->key = key;
	j->cgroup_id = c->cgroup_id;
	snprintf(j->id, sizeof(j->id), "%s", c->container_id);
	if (fast && fast_path(e, j)) {
		free(j);
		return;
	}
	atomic_fetch_add(&e->n_jobs, 1);
	pthread_mutex_lock(&e->lock);
	jobq_push(&e->incoming, j);
	pthread_mutex_unlock(&e->lock);
	worker_wake(e);
}

void enrich_request(struct enricher *e, __u32 key, const struct cgtrack_container *c)
{
	request(e, key, c, true);
}

static int request_unnamed(void *ctx, __u32 key, const struct cgtrack_container *c)
{
	struct enricher *e = ctx;

	if (!info_valid(e, key, c->cgroup_id))
		request(e, key, c, false);
	return 0;
}

void enrich_existing(struct enricher *e)
{
	if (e)
		entries_each(e->pins, request_unnamed, e);
}

/* info keys whose container entry is gone */
struct stale {
	const struct enricher *e;
	__u32 *keys;
	size_t n, cap;
};

static int note_stale(void *ctx, __u32 key, const struct cgtrack_info *inf)
{
	struct stale *s = ctx;
	__u32 *nk;

	if (entry_is(s->e, key, inf->cgroup_id))
		return 0;
	if (s->n == s->cap) {
		nk = realloc(s->keys, (s->cap ? s->cap * 2 : 64) * sizeof(*nk));
		if (!nk)
			return -1;	/* the next collection tries again */
		s->keys = nk;
		s->cap = s->cap ? s->cap * 2 : 64;
	}
	s->keys[s->n++] = key;
	return 0;
}

/* Delete info entries whose container entry is gone (races, older runs). */
static void info_gc(struct enricher *e)
{
	struct stale s = { .e = e };
	struct cgtrack_info inf;
	size_t i;

	infos_each(e->pins, note_stale, &s);
	/* deleted after the walk: a key may have been reused meanwhile */
	for (i = 0; i < s.n; i++)
		if (!bpf_map_lookup_elem(e->info_fd, &s.keys[i], &inf) &&
		    !entry_is(e, s.keys[i], inf.cgroup_id))
			bpf_map_delete_elem(e->info_fd, &s.keys[i]);
	if (s.n)
		log_debug("enrich: %zu stale info entries deleted", s.n);
	free(s.keys);
}

/* Containers whose "added" record the ring buffer lost are asked about too. */
static void after_lost_events(struct enricher *e)
{
	__u64 lost = pins_stat(e->pins, CGTRACK_STAT_EVENTS_LOST);

	if (lost == e->events_lost)
		return;
	log_info("enrich: %llu event records lost; asking about every container "
		 "without a name", (unsigned long long)(lost - e->events_lost));
	e->events_lost = lost;
	enrich_existing(e);
}

void enrich_poll(struct enricher *e)
{
	uint64_t now = boot_ns();

	if (!e || now < e->next_gc)
		return;
	e->next_gc = now + ENRICH_GC_NS;
	info_gc(e);
	after_lost_events(e);
}

void enrich_stop(struct enricher *e)
{
	struct job *j;
	int k;

	if (!e)
		return;
	prefetch_stop(e->prefetch);
	pthread_mutex_lock(&e->lock);
	e->stop = true;
	pthread_mutex_unlock(&e->lock);
	worker_wake(e);
	pthread_join(e->thread, NULL);

	while ((j = e->active)) {
		e->active = j->next;
		job_free(e, j);
	}
	jobq_free(e, &e->incoming);
	jobq_free(e, &e->ready);
	jobq_free(e, &e->delayed);
	for (k = 0; k < RT_KINDS; k++)
		jobq_free(e, &e->src[k].parked);
	log_debug("enrich: %lu containers named, %lu failed, %lu unknown to every runtime",
		  (unsigned long)atomic_load(&e->n_ok), e->n_failed, e->n_unknown);
	close(e->wake_fd);
	pthread_mutex_destroy(&e->lock);
	free(e);
}
