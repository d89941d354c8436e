/* SPDX-License-Identifier: GPL-2.0-only */
/* The maps of cgtrack.bpf.c. Layouts: include/cgtrack/abi.h. */
#ifndef CGTRACK_MAPS_BPF_H
#define CGTRACK_MAPS_BPF_H

#include "cgtrack/abi.h"
#include "cgtrack/parser.h"
#include "filter.bpf.h"

/*
 * The loader sets max_entries (--max-entries) and each map's pin path
 * (<pin dir>/<CGTRACK_PIN_*>) before load; libbpf reuses compatible pins.
 */
/*
 * Allocated on insert: a node runs tens to hundreds of containers against
 * a capacity of thousands, and a preallocated map pays ~210 bytes per
 * entry of capacity (3.7 MB at 16,384) whether or not it is used. The
 * kernel's BPF allocator (6.1+) serves the mkdir from a per-CPU cache;
 * before it, a GFP_ATOMIC kmalloc. A failed insert is counted
 * (CGTRACK_STAT_INSERT_FAILED) and recovered by the daemon's re-walk.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGTRACK_DEFAULT_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct cgtrack_container);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} containers SEC(".maps");

/*
 * tracee-compatible: cgroup id low 32 bits -> enum cgtrack_state. Written
 * only when keep_containers_map; the loader sizes it to one entry when not.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGTRACK_DEFAULT_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, __u8);
} containers_map SEC(".maps");

/* Written by the daemon (enrichment); here so that it is created and pinned. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGTRACK_DEFAULT_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct cgtrack_info);
	/* 640-byte values, written by the daemon only: allocate on insert */
	__uint(map_flags, BPF_F_NO_PREALLOC);
} info SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgtrack_config);
} config_map SEC(".maps");	/* pinned as "config": vmlinux.h owns `config` */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CGTRACK_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/*
 * mount namespace inum -> the tgid of a process living in it, for
 * `cgtrack resolve`. Filled on exec only when missing (the hot path pays a
 * lookup), emptied when that process exits; LRU so that namespaces whose
 * process moved away without exiting cannot fill it. One entry per
 * container mount namespace in use, not per cgroup: CGTRACK_MNTNS_MAX,
 * whatever --max-entries says. Beyond it the least recently used is
 * forgotten and `resolve` finds a process of that namespace in /proc.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CGTRACK_MNTNS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} mntns_pids SEC(".maps");

/*
 * Names that came before their container's cgroup (see struct
 * cgtrack_pending_key): the daemon writes a container's names here when
 * its runtime writes its record (docker's and podman's create, containerd's
 * bundle), and the mkdir of the container's own cgroup moves them into
 * `info`, so that they are there before the container's first exec
 * whatever the daemon's scheduling. LRU: records of containers that never
 * start age out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CGTRACK_PENDING_MAX);
	__type(key, struct cgtrack_pending_key);
	__type(value, struct cgtrack_info);
} pending SEC(".maps");

/* add/remove hints for the daemon; pinned so a restarted daemon adopts it */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/*
 * Names and the entry under construction: too large for the 512-byte
 * stack. cgroup_mkdir runs with a spinlock held and interrupts off, so a
 * per-CPU slot cannot be re-entered.
 */
struct cgtrack_scratch {
	struct cgtrack_names names;
	struct cgtrack_container entry;
	struct cgtrack_container parent;	/* a copy of the parent's entry */
	struct cgtrack_match match;
	struct cgtrack_info info;		/* a pending entry, made valid */
	__u64 last_wake_ns;			/* this CPU's last forced wakeup */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgtrack_scratch);
} scratch SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

#endif /* CGTRACK_MAPS_BPF_H */
