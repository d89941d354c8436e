// SPDX-License-Identifier: Apache-2.0
/*
 * The sweep deletes the entries dead for longer than the expiry, with
 * their containers_map and info twins.
 *
 * Where the kernel runs syscall programs (5.14+; 6.1+ for the maps not
 * preallocated, info and containers, in one), it sweeps in place:
 * bpf/ksweep.bpf.c walks `containers` with bpf_for_each_map_elem() and
 * decides on each element as it deletes it.
 * A sweep of 100,000 dead entries then costs the kernel's hash deletes
 * and no copy; the program is loaded once per process and kept.
 *
 * Elsewhere (an older kernel, or no CAP_BPF: `cgtrack sweep` needs only
 * write access to the pins) the whole map is read with batched lookups
 * and the expired keys deleted in batches. It does not re-read an entry
 * before deleting it (a syscall per key): a key is the low 32 bits of a
 * kernfs inode number, which the kernel hands out cyclically, so a key
 * read as dead comes back for a new cgroup only after 2^31 cgroup
 * creations, not within the milliseconds between the read and the
 * delete. Info entries are deleted only where one exists for the same
 * cgroup id: a batch stops at a missing key, and most entries (sub-cgroups,
 * containers never named) have no info.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "sweep.h"
#include "timeutil.h"
#include "ksweep.skel.h"

#define SWEEP_CHUNK 4096

struct expired {
	uint32_t key;
	uint64_t cgid;
};

static int expired_push(struct expired **v, size_t *n, size_t *cap, uint32_t key,
			uint64_t cgid)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 256;
		struct expired *nv = realloc(*v, ncap * sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = (struct expired){ key, cgid };
	return 0;
}

static void consider(const struct cgtrack_container *e, uint32_t key, uint64_t now,
		     uint64_t expiry_ns, struct sweep_result *r, struct expired **v,
		     size_t *n, size_t *cap)
{
	r->scanned++;
	if (!e->removed_ns)
		return;
	/* removed after `now` was read: in its grace period, not ancient */
	if (e->removed_ns > now || now - e->removed_ns < expiry_ns) {
		r->dead++;
		return;
	}
	expired_push(v, n, cap, key, e->cgroup_id);
}

/* Batched read; returns -EINVAL-ish errors if the kernel lacks batching. */
static int scan_batch(const struct pinned *p, uint64_t now, uint64_t expiry_ns,
		      struct sweep_result *r, struct expired **v, size_t *n, size_t *cap)
{
	/* zeroed: valgrind cannot see BPF_MAP_LOOKUP_BATCH fill them */
	struct cgtrack_container *vals = calloc(SWEEP_CHUNK, sizeof(*vals));
	uint32_t *keys = calloc(SWEEP_CHUNK, sizeof(*keys));
	uint32_t out_batch = 0, *in = NULL;
	int err = 0, done = 0;

	if (!vals || !keys) {
		free(vals);
		free(keys);
		return -ENOMEM;
	}
	while (!done) {
		__u32 count = SWEEP_CHUNK, i;

		err = bpf_map_lookup_batch(p->containers, in, &out_batch, keys, vals,
					   &count, NULL);
		if (err) {
			err = -errno;
			if (err != -ENOENT)
				break;
			done = 1;	/* the last, possibly partial, chunk */
			err = 0;
		}
		for (i = 0; i < count; i++)
			consider(&vals[i], keys[i], now, expiry_ns, r, v, n, cap);
		in = &out_batch;
	}
	free(vals);
	free(keys);
	return err;
}

struct scan_ctx {
	uint64_t now;
	uint64_t expiry_ns;
	struct sweep_result *r;
	struct expired **v;
	size_t *n;
	size_t *cap;
};

static int consider_one(void *ctx, __u32 key, const struct cgtrack_container *e)
{
	struct scan_ctx *c = ctx;

	consider(e, key, c->now, c->expiry_ns, c->r, c->v, c->n, c->cap);
	return 0;
}

/* Kernels without batched map reads: one entry at a time. */
static int scan_iter(const struct pinned *p, uint64_t now, uint64_t expiry_ns,
		     struct sweep_result *r, struct expired **v, size_t *n, size_t *cap)
{
	struct scan_ctx c = { now, expiry_ns, r, v, n, cap };

	return entries_each(p, consider_one, &c);
}

/*
 * Delete keys in batches (one syscall per chunk, not one per key). A key
 * that is not there ends a batch early: skip it and go on. Without batch
 * support, one by one. Returns how many were deleted. filter: the pins
 * whose filter counts the deleted keys (for `containers`), or NULL.
 */
static size_t delete_keys(int fd, uint32_t *keys, size_t n, const struct pinned *filter)
{
	static int no_batch;
	size_t done = 0, deleted = 0;

	if (fd < 0)
		return 0;
	while (done < n && !no_batch) {
		__u32 count = (__u32)(n - done > SWEEP_CHUNK ? SWEEP_CHUNK : n - done);
		int err = bpf_map_delete_batch(fd, keys + done, &count, NULL);

		if (err && (errno == EINVAL || errno == EOPNOTSUPP) && count == 0) {
			no_batch = 1;
			break;
		}
		if (count > n - done)
			count = (__u32)(n - done);
		/* a batch deletes its keys in order, up to the first missing */
		for (__u32 i = 0; filter && i < count; i++)
			pins_filter_sub(filter, keys[done + i]);
		deleted += count;
		done += count;
		if (err)
			done++;		/* that key was gone already */
	}
	for (; done < n; done++)
		if (!bpf_map_delete_elem(fd, &keys[done])) {
			if (filter)
				pins_filter_sub(filter, keys[done]);
			deleted++;
		}
	return deleted;
}

static int expired_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct expired *)a)->key, y = ((const struct expired *)b)->key;

	return x < y ? -1 : x > y;
}

struct info_ctx {
	const struct expired *v;	/* sorted by key */
	size_t n;
	uint32_t *del;			/* info keys to delete */
	size_t ndel;
};

/* An info entry goes with an expired entry of the same key and cgroup id. */
static int info_match(void *ctx, __u32 key, const struct cgtrack_info *inf)
{
	struct info_ctx *c = ctx;
	struct expired k = { .key = key };
	const struct expired *x = bsearch(&k, c->v, c->n, sizeof(k), expired_cmp);

	if (x && x->cgid == inf->cgroup_id && c->ndel < c->n)
		c->del[c->ndel++] = key;
	return 0;
}

static void delete_infos(const struct pinned *p, struct expired *v, size_t n)
{
	struct info_ctx c = { v, n, NULL, 0 };

	if (p->info < 0 || !n)
		return;
	c.del = malloc(n * sizeof(*c.del));
	if (!c.del)
		return;
	qsort(v, n, sizeof(*v), expired_cmp);
	infos_each(p, info_match, &c);
	delete_keys(p->info, c.del, c.ndel, NULL);
	free(c.del);
}

/* The batched syscalls' sweep (any kernel, any privilege to write the pins). */
int sweep_once_user(const struct pinned *p, uint64_t expiry_ns, struct sweep_result *r)
{
	static int no_batch;
	struct expired *v = NULL;
	size_t n = 0, cap = 0, i;
	uint64_t now = boot_ns();
	uint32_t *keys;
	int err = -EINVAL;

	memset(r, 0, sizeof(*r));
	if (!no_batch) {
		err = scan_batch(p, now, expiry_ns, r, &v, &n, &cap);
		if (err == -EINVAL || err == -EOPNOTSUPP) {
			log_debug("sweep: no batched map reads here, iterating");
			no_batch = 1;
			memset(r, 0, sizeof(*r));
			n = 0;
		}
	}
	if (no_batch)
		err = scan_iter(p, now, expiry_ns, r, &v, &n, &cap);

	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (keys) {
		for (i = 0; i < n; i++)
			keys[i] = v[i].key;
		r->deleted = delete_keys(p->containers, keys, n, p);
		if (pins_keep_containers_map(p))
			delete_keys(p->containers_map, keys, n, NULL);
		free(keys);
		delete_infos(p, v, n);
	}
	free(v);
	pins_stat_add(p->stats, CGTRACK_STAT_SWEPT, r->deleted);
	return err;
}

/*
 * The in-kernel sweep, loaded against the maps it was given: another
 * `containers` (replaced pins) loads it again.
 */
static struct ksweep *ks;
static __u32 ks_map_id;
static int ks_unavailable;

static __u32 map_id(int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static int ksweep_load(const struct pinned *p)
{
	libbpf_print_fn_t prev;
	int err = 0;

	/* an older kernel or no CAP_BPF is expected: no libbpf warnings then */
	prev = libbpf_set_print(NULL);
	ks = ksweep__open();
	if (!ks ||
	    bpf_map__reuse_fd(ks->maps.containers, p->containers) ||
	    bpf_map__reuse_fd(ks->maps.containers_map, p->containers_map) ||
	    bpf_map__reuse_fd(ks->maps.info, p->info) ||
	    bpf_map__reuse_fd(ks->maps.filter, p->filter) ||
	    ksweep__load(ks))
		err = errno ? -errno : -EINVAL;
	libbpf_set_print(prev);
	if (err) {
		ksweep__destroy(ks);
		ks = NULL;
		ks_unavailable = 1;
		log_debug("sweep: not in the kernel here (%s): batched syscalls",
			  strerror(-err));
		return err;
	}
	ks_map_id = map_id(p->containers);
	return 0;
}

static int sweep_kernel(const struct pinned *p, uint64_t expiry_ns, struct sweep_result *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);

	if (ks_unavailable || p->containers_map < 0 || p->info < 0 || p->filter < 0)
		return -EOPNOTSUPP;
	if (ks && ks_map_id != map_id(p->containers))
		sweep_done();
	if (!ks && ksweep_load(p))
		return -EOPNOTSUPP;
	ks->bss->expiry_ns = expiry_ns;
	ks->bss->sweep_containers_map = pins_keep_containers_map(p);
	if (bpf_prog_test_run_opts(bpf_program__fd(ks->progs.ksweep), &o))
		return -errno;
	r->scanned = ks->bss->scanned;
	r->dead = ks->bss->dead;
	r->deleted = ks->bss->deleted;
	pins_stat_add(p->stats, CGTRACK_STAT_SWEPT, r->deleted);
	return 0;
}

int sweep_once(const struct pinned *p, uint64_t expiry_ns, struct sweep_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!sweep_kernel(p, expiry_ns, r))
		return 0;
	return sweep_once_user(p, expiry_ns, r);
}

void sweep_done(void)
{
	ksweep__destroy(ks);
	ks = NULL;
}
