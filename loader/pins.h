/* SPDX-License-Identifier: Apache-2.0 */
/* bpffs, the pin directory, and opening the pinned maps. */
#ifndef CGTRACK_PINS_H
#define CGTRACK_PINS_H

#include <limits.h>
#include <stdbool.h>
#include "cgtrack/abi.h"

/* Mount bpffs on the pin directory's filesystem if it is not bpffs yet. */
int pins_ensure_bpffs(const char *pin_dir);
/* "<pin_dir>/<name>" */
void pins_path(char *out, size_t len, const char *pin_dir, const char *name);

/* Pinned maps opened by fd; -1 for one that is not pinned. */
struct pinned {
	int containers;
	int containers_map;
	int config;
	int stats;
	int info;
	int mntns_pids;			/* mount ns -> a live pid (resolve) */
	int pending;			/* container id -> names before the mkdir */
	int filter;			/* struct cgtrack_filter (written: mmapped) */
	__u32 *filter_counts;		/* its slots, mapped when opened to write */
	__u32 max_entries;		/* capacity of `containers` */
	struct cgtrack_config cfg;
};

/*
 * Open the pins for a reader. Returns 0, or -1 after an error that says
 * what is missing (no pins: "is cgtrack running or loaded?"; EPERM: which
 * privilege). write: open read-write (sweep, populate).
 */
int pins_open(const char *pin_dir, bool write, struct pinned *p);
void pins_close(struct pinned *p);

/*
 * Call fn on every entry of the containers map, one syscall pair each;
 * stops when fn returns != 0 and returns that.
 */
typedef int (*entry_fn)(void *ctx, __u32 key, const struct cgtrack_container *e);
int entries_each(const struct pinned *p, entry_fn fn, void *ctx);
/* The same over the info map (enrichment's entries). */
typedef int (*info_fn)(void *ctx, __u32 key, const struct cgtrack_info *inf);
int infos_each(const struct pinned *p, info_fn fn, void *ctx);

/*
 * The rmdir and exec programs' filter (struct cgtrack_filter): +1 before
 * inserting an entry under key, -1 after deleting one (or after an insert
 * that failed). Atomic with the kernel's own updates (the same memory).
 */
void pins_filter_add(const struct pinned *p, __u32 key);
void pins_filter_sub(const struct pinned *p, __u32 key);

/* Do the pinned programs keep containers_map (`--containers-map`)? */
static inline bool pins_keep_containers_map(const struct pinned *p)
{
	return p->cfg.flags & CGTRACK_CONFIG_CONTAINERS_MAP;
}

/* Sum a per-CPU stats counter. */
__u64 pins_stat(const struct pinned *p, enum cgtrack_stat idx);
/* Add delta to a counter from userspace (sweep, populate). */
void pins_stat_add(int stats_fd, enum cgtrack_stat idx, __u64 delta);

/* Number of possible CPUs (per-CPU map value count). */
int pins_ncpus(void);

#endif
