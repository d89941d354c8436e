// SPDX-License-Identifier: Apache-2.0
/*
 * Population races with the kernel, and is correct because of two orders:
 * - a cgroup's entry is inserted BEFORE its directory is listed, so a child
 *   created after the insert inherits in the kernel, and one created
 *   before it is in the listing;
 * - after each insert the directory is checked again: one removed before
 *   the insert is marked dead here, one removed after it by the kernel.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cgid.h"
#include "cgpath.h"
#include "log.h"
#include "populate.h"
#include "timeutil.h"

#define WALK_MAX_DEPTH 512

struct walk {
	enum walk_mode mode;
	const struct tracked_hierarchy *th;
	const struct pinned *p;
	struct populate_result *res;
	uint32_t *seen;			/* tracked keys found (sorted after the walk) */
	size_t seen_cap;
	size_t seen_n;
	uint64_t started_ns;
};

/*
 * The keys of the tracked cgroups found, appended during the walk (there
 * can be more than map entries when the map is full), sorted once for the
 * reconcile's lookups. Out of memory: no set, and no reconcile.
 */
static void seen_add(struct walk *w, uint32_t key)
{
	if (!w->seen)
		return;
	if (w->seen_n == w->seen_cap) {
		uint32_t *n = realloc(w->seen, 2 * w->seen_cap * sizeof(*n));

		if (!n) {
			free(w->seen);
			w->seen = NULL;
			return;
		}
		w->seen = n;
		w->seen_cap *= 2;
	}
	w->seen[w->seen_n++] = key;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool seen_has(const struct walk *w, uint32_t key)
{
	return bsearch(&key, w->seen, w->seen_n, sizeof(key), cmp_u32) != NULL;
}

static void mark_dead(const struct pinned *p, uint32_t key, uint64_t cgid)
{
	struct cgtrack_container e;

	if (bpf_map_lookup_elem(p->containers, &key, &e) || e.cgroup_id != cgid ||
	    e.removed_ns)
		return;
	e.removed_ns = boot_ns();
	bpf_map_update_elem(p->containers, &key, &e, BPF_EXIST);
}

/* Count the cgroups of users other than root (delegated subtrees). */
static void tally_owner(struct populate_result *res, uid_t uid)
{
	int i;

	if (!uid)
		return;
	for (i = 0; i < POPULATE_OWNERS; i++) {
		if (res->owners[i].n && res->owners[i].uid != uid)
			continue;
		res->owners[i].uid = uid;
		res->owners[i].n++;
		return;
	}
}

/* WALK_CHECK: is this live container cgroup in the map? */
static void check_present(struct walk *w, int dirfd, const char *name,
			  const struct cgpath_node *n)
{
	uint32_t key = (uint32_t)n->ent.cgroup_id;
	struct cgtrack_container old;
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    st.st_ino != n->ent.cgroup_id)
		return;		/* gone meanwhile */
	tally_owner(w->res, st.st_uid);
	if (!bpf_map_lookup_elem(w->p->containers, &key, &old) &&
	    old.cgroup_id == n->ent.cgroup_id && !old.removed_ns)
		return;
	w->res->missing++;
}

/*
 * Insert one entry; keep what the kernel (or a previous run) put. At
 * start it is EXISTED; a re-walk after insert failures finds cgroups made
 * while tracking, CREATED when the directory is younger than the load.
 */
static void insert_existed(struct walk *w, int dirfd, const char *name,
			   struct cgpath_node *n)
{
	uint32_t key = (uint32_t)n->ent.cgroup_id;
	__u8 state = CGTRACK_STATE_EXISTED;
	struct cgtrack_container old;
	struct stat st;
	__u64 flags;

	if (w->mode == WALK_CHECK) {
		check_present(w, dirfd, name, n);
		return;
	}
	n->ent.hierarchy_id = w->th->hierarchy_id;
	n->ent.removed_ns = 0;
	/*
	 * The kernel or an earlier run has it, alive or already marked dead
	 * (removed since our readdir): what the kernel wrote is the truth.
	 */
	if (bpf_map_lookup_elem(w->p->containers, &key, &old))
		flags = BPF_NOEXIST;	/* the kernel may insert it meanwhile */
	else if (old.cgroup_id == n->ent.cgroup_id)
		return;
	else
		flags = BPF_ANY;	/* a stale entry of another cgroup */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		n->ent.created_ns = wall_to_boot_ns(&st.st_ctim);
	if (w->mode == WALK_RECOVER && n->ent.created_ns >= w->p->cfg.loaded_at_ns)
		state = CGTRACK_STATE_CREATED;
	n->ent.state = state;
	pins_filter_add(w->p, key);
	if (bpf_map_update_elem(w->p->containers, &key, &n->ent, flags)) {
		int err = errno;

		pins_filter_sub(w->p, key);
		if (err == EEXIST)
			return;	/* the kernel inserted (and counted) it just now */
		errno = err;
		w->res->full++;
		if (w->mode == WALK_START)
			pins_stat_add(w->p->stats, CGTRACK_STAT_INSERT_FAILED, 1);
		log_debug("populate: cannot insert cgroup %llu: %s",
			  (unsigned long long)n->ent.cgroup_id, strerror(errno));
		return;
	}
	if (w->p->containers_map >= 0 && pins_keep_containers_map(w->p))
		bpf_map_update_elem(w->p->containers_map, &key, &state, BPF_ANY);
	w->res->added++;

	/* removed before our insert? then nobody else will mark it */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) ||
	    st.st_ino != n->ent.cgroup_id)
		mark_dead(w->p, key, n->ent.cgroup_id);
}

static void walk_dir(struct walk *w, int dirfd, const struct cgpath_node *gp,
		     const struct cgpath_node *parent)
{
	struct cgpath_node *child;
	struct dirent *de;
	DIR *d;

	if (parent->level >= WALK_MAX_DEPTH) {
		w->res->unwalked++;
		close(dirfd);
		return;
	}
	d = fdopendir(dirfd);
	if (!d) {
		w->res->unwalked++;
		close(dirfd);
		return;
	}
	child = malloc(sizeof(*child));
	if (!child) {
		closedir(d);
		return;
	}
	while ((de = readdir(d))) {
		int fd;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		w->res->dirs++;
		if (cgpath_step(gp, parent, de->d_name, strlen(de->d_name),
				de->d_ino, child))
			continue;
		if (child->tracked) {
			w->res->tracked++;
			seen_add(w, (uint32_t)de->d_ino);
			insert_existed(w, dirfd, de->d_name, child);
		}
		fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			walk_dir(w, fd, parent, child);
		else if (errno != ENOENT)
			w->res->unwalked++;	/* EMFILE, EACCES...: not seen */
	}
	free(child);
	closedir(d);
}

/*
 * Was this cgroup really removed? Where the walk did not reach (too deep,
 * out of descriptors) not being seen proves nothing: ask the kernel by id.
 */
static bool cgroup_gone(const struct walk *w, uint64_t cgid)
{
	char path[64];
	int r;

	if (!w->res->unwalked)
		return true;
	r = cgid_path(w->th->mount, cgid, path, sizeof(path));
	return r == -ESTALE || r == -ENOENT;
}

/* A live entry whose cgroup was not found (and not created since): dead. */
static int reconcile_one(void *ctx, __u32 key, const struct cgtrack_container *e)
{
	struct walk *w = ctx;

	if (e->removed_ns || seen_has(w, key) || e->created_ns >= w->started_ns ||
	    !cgroup_gone(w, e->cgroup_id))
		return 0;
	mark_dead(w->p, key, e->cgroup_id);
	w->res->marked_dead++;
	return 0;
}

/*
 * containers_map's twin of an entry the walk will not insert (it is in the
 * map already). The kernel's start updates only an existing twin: if the
 * state moved between our read and our write, the twin is written again.
 */
static int twin_one(void *ctx, __u32 key, const struct cgtrack_container *e)
{
	const struct pinned *p = ctx;
	struct cgtrack_container now;
	__u8 state = e->state;

	if (e->removed_ns)
		return 0;
	bpf_map_update_elem(p->containers_map, &key, &state, BPF_NOEXIST);
	if (!bpf_map_lookup_elem(p->containers, &key, &now) &&
	    now.cgroup_id == e->cgroup_id && now.state != state) {
		state = now.state;
		bpf_map_update_elem(p->containers_map, &key, &state, BPF_ANY);
	}
	return 0;
}

/*
 * A kept containers_map that is empty while `containers` is not: it was
 * made by this load, over maps an earlier load (without the option) left.
 */
static void fill_twins(const struct pinned *p)
{
	__u32 key;

	if (p->containers_map < 0 || !pins_keep_containers_map(p) ||
	    bpf_map_get_next_key(p->containers_map, NULL, &key) == 0)
		return;
	entries_each(p, twin_one, (void *)p);
}

int populate(enum walk_mode mode, const struct tracked_hierarchy *th,
	     const struct pinned *p, struct populate_result *res)
{
	struct walk w = { .mode = mode, .th = th, .p = p, .res = res };
	struct cgpath_node root;
	int fd;

	memset(res, 0, sizeof(*res));
	w.started_ns = boot_ns();
	if (mode == WALK_START) {
		fill_twins(p);
		w.seen_cap = 1024;
		w.seen = malloc(w.seen_cap * sizeof(*w.seen));
	}

	fd = open(th->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		log_err("cannot open the tracked hierarchy at %s: %s", th->mount,
			strerror(errno));
		free(w.seen);
		return -1;
	}
	cgpath_root(&root);
	walk_dir(&w, fd, NULL, &root);
	/* only a start reconciles: the kernel marks removals while it tracks */
	if (w.seen) {
		qsort(w.seen, w.seen_n, sizeof(*w.seen), cmp_u32);
		entries_each(p, reconcile_one, &w);
	}
	free(w.seen);
	if (res->unwalked)
		log_warn("populate: %llu cgroup directories could not be walked (deeper "
			 "than %d levels, or out of descriptors): their containers are "
			 "not added, and entries there are not marked dead",
			 (unsigned long long)res->unwalked, WALK_MAX_DEPTH);
	if (mode == WALK_START)
		pins_stat_add(p->stats, CGTRACK_STAT_EXISTED_ADDED, res->added);
	else if (mode == WALK_RECOVER)
		pins_stat_add(p->stats, CGTRACK_STAT_RECOVERED, res->added);
	return 0;
}
