// SPDX-License-Identifier: Apache-2.0
/*
 * The sweep reads the whole map with batched lookups (one syscall per
 * chunk instead of two per entry) and deletes the expired keys in batches.
 * It does not re-read an entry before deleting it (that would cost a
 * syscall per key): a key is the low 32 bits of a kernfs inode number,
 * which the kernel hands out cyclically, so a key read as dead comes back
 * for a new cgroup only after 2^32 cgroup creations, not within the
 * milliseconds between the read and the delete.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "log.h"
#include "sweep.h"
#include "timeutil.h"

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
	if (now - e->removed_ns < expiry_ns) {
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
 * support, one by one. Returns how many were deleted.
 */
static size_t delete_keys(int fd, uint32_t *keys, size_t n)
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
		deleted += count;
		done += count;
		if (err)
			done++;		/* that key was gone already */
	}
	for (; done < n; done++)
		if (!bpf_map_delete_elem(fd, &keys[done]))
			deleted++;
	return deleted;
}

int sweep_once(const struct pinned *p, uint64_t expiry_ns, struct sweep_result *r)
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

	/*
	 * The expired entries were read (64-bit cgroup id, removal time) in
	 * this same pass, milliseconds ago: a key only comes back after 2^32
	 * cgroup creations, so they are deleted by key, in batches, from the
	 * three maps that share it.
	 */
	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (keys) {
		for (i = 0; i < n; i++)
			keys[i] = v[i].key;
		r->deleted = delete_keys(p->containers, keys, n);
		delete_keys(p->containers_map, keys, n);
		delete_keys(p->info, keys, n);
		free(keys);
	}
	free(v);
	pins_stat_add(p->stats, CGTRACK_STAT_SWEPT, r->deleted);
	return err;
}
