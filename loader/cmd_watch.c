// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack watch`: containers as they come, start and go, for anyone who
 * may read the map, daemon or not. It compares snapshots of the map (a
 * batch of lookups every --interval) and never reads the event ring
 * buffer, whose records would then be taken from the daemon.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clierr.h"
#include "cmd_query.h"
#include "event_out.h"
#include "log.h"
#include "options.h"
#include "pins.h"
#include "timeutil.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct snap {
	struct {
		__u32 key;
		struct cgtrack_container e;
	} *v;
	size_t n, cap;
};

static int snap_add(void *ctx, __u32 key, const struct cgtrack_container *e)
{
	struct snap *s = ctx;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		void *nv = realloc(s->v, cap * sizeof(*s->v));

		if (!nv)
			return -1;
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n].key = key;
	s->v[s->n].e = *e;
	s->n++;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const __u32 *x = a, *y = b;	/* key is each element's first member */

	return *x < *y ? -1 : *x > *y;
}

static int snap_take(const struct pinned *p, struct snap *s)
{
	s->n = 0;
	if (entries_each(p, snap_add, s))
		return -1;
	if (s->n)	/* qsort(NULL, 0, ...) is undefined */
		qsort(s->v, s->n, sizeof(*s->v), cmp_key);
	return 0;
}

static const struct cgtrack_container *snap_find(const struct snap *s, __u32 key)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid].key == key)
			return &s->v[mid].e;
		if (s->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* What changed from old to now, entry by entry, as the daemon would say it. */
static void compare(const struct pinned *p, const struct snap *old, const struct snap *now,
		    bool json)
{
	size_t i;

	for (i = 0; i < now->n; i++) {
		const struct cgtrack_container *e = &now->v[i].e;
		const struct cgtrack_container *o = snap_find(old, now->v[i].key);
		bool fresh = !o || o->cgroup_id != e->cgroup_id;

		if (!e->root && log_level() < LOG_DEBUG)
			continue;
		if (fresh && !e->removed_ns)
			event_print(p, CGTRACK_EV_ADDED, e, json);
		if (e->state == CGTRACK_STATE_STARTED && (fresh || o->state != e->state))
			event_print(p, CGTRACK_EV_STARTED, e, json);
		if (e->removed_ns && (fresh || !o->removed_ns))
			event_print(p, CGTRACK_EV_REMOVED, e, json);
	}
}

int cmd_watch(const struct common_opts *co)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct snap a = { 0 }, b = { 0 }, *old = &a, *now = &b, *t;
	uint64_t end;
	struct pinned p;
	int ret = 1;

	if (pins_open(co->pin_dir, false, &p))
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	end = co->duration_ms ? boot_ns() + co->duration_ms * 1000000ull : 0;
	if (snap_take(&p, old))
		goto oom;
	while (!stop && (!end || boot_ns() < end)) {
		struct timespec ts = {
			.tv_sec = co->interval_ms / 1000,
			.tv_nsec = (long)(co->interval_ms % 1000) * 1000000,
		};

		nanosleep(&ts, NULL);
		if (snap_take(&p, now))
			goto oom;
		compare(&p, old, now, co->json);
		t = old;
		old = now;
		now = t;
	}
	ret = 0;
	goto out;
oom:
	cli_error("watch", "out of memory");
out:
	free(a.v);
	free(b.v);
	pins_close(&p);
	return ret;
}
