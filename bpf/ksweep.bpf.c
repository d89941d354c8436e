// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sweep in the kernel (loader/sweep.c runs it): one
 * BPF_PROG_TYPE_SYSCALL program, run with BPF_PROG_TEST_RUN on cgtrack's
 * pinned maps, walks `containers` with bpf_for_each_map_elem() and deletes
 * the entries dead for longer than the expiry, with their containers_map
 * (when cgtrack keeps it) and info twins. Nothing is copied to userspace
 * and there is no syscall per entry or per chunk: a sweep of 100,000
 * costs what the kernel's hash deletes cost. Each decision is taken on the
 * element itself, at the moment it is deleted.
 *
 * Needs 5.14+ (syscall programs) and, for maps not preallocated (info,
 * containers) in a sleepable program, 6.1+; elsewhere the load fails and the loader
 * sweeps with batched syscalls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "cgtrack/abi.h"
#include "lib/filter.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* cgtrack's maps: the loader points them at the pins (bpf_map__reuse_fd) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgtrack_container);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} containers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8);
} containers_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgtrack_info);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} info SEC(".maps");

/* in: set by the loader before each run; out: this run's counts */
__u64 expiry_ns;
/*
 * CGTRACK_CONFIG_CONTAINERS_MAP: delete the twins too. Without it the map
 * is empty, and a delete there is still a cold bucket per entry: more
 * than half of this sweep's time when it was always done.
 */
__u32 sweep_containers_map;
__u64 scanned, dead, deleted;

struct sweep_now {
	__u64 ns;
};

/*
 * removed_ns after `now`: the cgroup went while this sweep runs, so it is
 * in its grace period (an unsigned difference would call it ancient).
 */
static __always_inline int expired(const struct cgtrack_container *e, __u64 now)
{
	return e->removed_ns && e->removed_ns <= now && now - e->removed_ns >= expiry_ns;
}

/*
 * First the names: info holds only containers' own cgroups that a runtime
 * named, usually far fewer than the dead entries, so it is walked and
 * each looked up in `containers` (a lookup per dead entry into info,
 * mostly missing, cost more). Before the entries go, or the names would
 * have nothing to be judged by.
 */
static long visit_info(struct bpf_map *map, const __u32 *key, struct cgtrack_info *inf,
		       struct sweep_now *now)
{
	const struct cgtrack_container *e;
	__u32 k = *key;

	e = bpf_map_lookup_elem(&containers, &k);
	/* names are the same cgroup's only if their id says so */
	if (e && e->cgroup_id == inf->cgroup_id && expired(e, now->ns))
		bpf_map_delete_elem(map, &k);
	return 0;
}

static long visit(struct bpf_map *map, const __u32 *key, struct cgtrack_container *e,
		  struct sweep_now *now)
{
	__u32 k = *key;

	scanned++;
	if (!e->removed_ns)
		return 0;
	if (!expired(e, now->ns)) {
		dead++;
		return 0;
	}
	if (sweep_containers_map)
		bpf_map_delete_elem(&containers_map, &k);
	if (!bpf_map_delete_elem(map, &k)) {
		filter_sub(k);
		deleted++;
	}
	return 0;
}

SEC("syscall")
int ksweep(void *ctx)
{
	/* one clock for both walks: they decide alike on every entry */
	struct sweep_now now = { .ns = bpf_ktime_get_boot_ns() };

	scanned = dead = deleted = 0;
	bpf_for_each_map_elem(&info, visit_info, &now, 0);
	bpf_for_each_map_elem(&containers, visit, &now, 0);
	return 0;
}
