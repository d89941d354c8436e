// SPDX-License-Identifier: GPL-2.0-only
/*
 * cgtrack kernel side: decide every new cgroup of the tracked hierarchy in
 * the kernel, keep the containers maps, mark removals, and notice the first
 * exec in a container's own mount namespace.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "lib/cgroup.bpf.h"
#include "lib/maps.bpf.h"
#include "lib/pending.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load; constants to the verifier. */
const volatile int tracked_v2 = 1;		/* track the cgroup2 hierarchy */
const volatile int tracked_hierarchy = 0;	/* its hierarchy id */
const volatile int tracked_ssid = -1;		/* v1: controller index */
/* CGTRACK_CONFIG_CONTAINERS_MAP: keep the tracee-compatible map too */
const volatile int keep_containers_map = 0;

/*
 * tp_btf arguments are BTF pointers: plain (fault-safe) loads walk them,
 * much cheaper than a probe-read helper call per hop on these hot paths.
 */
static __always_inline int in_tracked_hierarchy(struct cgroup *cgrp)
{
	return cgrp->root->hierarchy_id == tracked_hierarchy;
}

/*
 * Waking the reader costs an IPI per event (a VM exit when virtualized,
 * microseconds with interrupts off): let the daemon's once-a-second poll
 * collect the events, and wake it only when the buffer is filling up.
 * The exception is a new container that `pending` could not name: the
 * daemon asks its runtime at once, so that the names are in `info` before
 * the container's first exec. Even then a CPU wakes the daemon at most
 * once per EVENTS_WAKEUP_GAP_NS: a storm of containers pays one IPI per
 * millisecond, not one each, and the daemon, once woken by a new
 * container, looks again 2 ms later for the records this limit left
 * unannounced (loader/daemon.c).
 */
#define EVENTS_WAKEUP_BYTES	(64ULL * 1024)
#define EVENTS_WAKEUP_GAP_NS	1000000ULL

static __always_inline int wake_now(struct cgtrack_scratch *s, __u64 ts)
{
	if (ts - s->last_wake_ns < EVENTS_WAKEUP_GAP_NS)
		return 0;
	s->last_wake_ns = ts;
	return 1;
}

static __always_inline void notify(__u32 key, __u64 cgid, __u32 type, __u64 ts,
				   int wake)
{
	struct cgtrack_event *ev;
	__u64 flags = BPF_RB_NO_WAKEUP;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		/* the map stays right; the daemon only misses a log line */
		stat_inc(CGTRACK_STAT_EVENTS_LOST);
		return;
	}
	ev->cgroup_id = cgid;
	ev->ts_ns = ts;
	ev->key = key;
	ev->type = type;
	if (wake || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= EVENTS_WAKEUP_BYTES)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(ev, flags);
}

/* Read the names the parser needs: own, parent's and (if asked) grandparent's. */
static __always_inline void read_names(struct cgtrack_names *n, struct kernfs_node *kn,
				       struct kernfs_node *pkn, __u32 level)
{
	n->level = level;
	n->name_len = kn_name(kn, n->name, sizeof(n->name));
	n->parent_len = 0;
	n->gparent_len = 0;
	n->parent[0] = 0;
	n->gparent[0] = 0;
	if (level < 2)
		return;
	n->parent_len = kn_name(pkn, n->parent, sizeof(n->parent));
	if (level < 3 || !cgtrack_needs_gparent(n->parent, n->parent_len))
		return;
	n->gparent_len = kn_name(kn_parent(pkn), n->gparent, sizeof(n->gparent));
}

/*
 * The parser runs in global (non-static) functions: the verifier checks
 * each once, on its own, and the caller sees only an unknown return value,
 * so the parser's many branches do not multiply with the map updates.
 * They take scalars and work on the per-CPU scratch slot.
 */
__noinline int cgtrack_decide(__u32 level)
{
	__u32 zero = 0;
	struct cgtrack_scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	if (!s)
		return 0;
	s->names.level = level;
	return cgtrack_match_base(&s->names, &s->match);
}

/* The parser's other part, first: CGTRACK_MORE_* (cgtrack_match_name()) */
__noinline int cgtrack_decide_more(void)
{
	__u32 zero = 0;
	struct cgtrack_scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	if (!s)
		return CGTRACK_MORE_NOT;
	return cgtrack_match_more(&s->names, &s->match);
}

__noinline int cgtrack_build(__u64 cgid, int has_parent)
{
	__u32 zero = 0;
	struct cgtrack_scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct cgtrack_container *parent;

	if (!s)
		return 0;
	/*
	 * One call, not one per case: the parser's copy loops are verified
	 * once. The barrier keeps the compiler from testing has_parent again
	 * inside, for a pointer the verifier would then not know is valid.
	 */
	parent = has_parent ? &s->parent : NULL;
	barrier_var(parent);
	return cgtrack_fill(&s->names, &s->match, parent, cgid, &s->entry);
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cgtrack_mkdir, struct cgroup *cgrp, const char *path)
{
	struct kernfs_node *kn, *pkn;
	struct cgtrack_container *parent;
	struct cgtrack_scratch *s;
	__u32 key, pkey, zero = 0, level;
	__u8 state = CGTRACK_STATE_CREATED;
	__u64 cgid, ts;
	int more, wake;

	if (!in_tracked_hierarchy(cgrp))
		return 0;
	stat_inc(CGTRACK_STAT_MKDIR_SEEN);
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;

	kn = cgrp->kn;
	pkn = kn_parent(kn);
	level = cgrp->level;
	cgid = kn->id;
	key = (__u32)cgid;
	pkey = (__u32)pkn->id;

	read_names(&s->names, kn, pkn, level);
	if (s->names.name_len == 0) {
		stat_inc(CGTRACK_STAT_PATH_REJECTED);
		return 0;
	}
	/* most parents are not containers': the filter spares their lookup */
	parent = level > 1 && filter_may_have(pkey) ?
		 bpf_map_lookup_elem(&containers, &pkey) : NULL;
	if (parent)
		__builtin_memcpy(&s->parent, parent, sizeof(s->parent));
	/* cgtrack_match_name(), in two global functions */
	more = cgtrack_decide_more();
	if (more == CGTRACK_MORE_ASK_BASE)
		more = cgtrack_decide(level) ? CGTRACK_MORE_MATCH : CGTRACK_MORE_NOT;
	/* most cgroups of a host: not a container, not inside one */
	if (more != CGTRACK_MORE_MATCH && !parent)
		return 0;
	if (!cgtrack_build(cgid, parent != NULL))
		return 0;

	s->entry.cgroup_id = cgid;
	s->entry.hierarchy_id = tracked_hierarchy;
	s->entry.state = CGTRACK_STATE_CREATED;
	s->entry.created_ns = bpf_ktime_get_boot_ns();
	s->entry.removed_ns = 0;
	ts = s->entry.created_ns;
	filter_add(key, 1);
	if (bpf_map_update_elem(&containers, &key, &s->entry, BPF_ANY) ||
	    (keep_containers_map &&
	     bpf_map_update_elem(&containers_map, &key, &state, BPF_ANY))) {
		/* most likely full: counted, and `cgtrack status` warns */
		bpf_map_delete_elem(&containers, &key);
		filter_add(key, -1);	/* nothing of ours is left under key */
		stat_inc(CGTRACK_STAT_INSERT_FAILED);
		return 0;
	}
	stat_inc(CGTRACK_STAT_ADDED);
	wake = s->entry.root && !take_pending(s, key, cgid, ts) && wake_now(s, ts);
	notify(key, cgid, CGTRACK_EV_ADDED, ts, wake);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(cgtrack_rmdir, struct cgroup *cgrp, const char *path)
{
	struct cgtrack_container *e;
	__u64 cgid, ts;
	__u32 key;

	if (!in_tracked_hierarchy(cgrp))
		return 0;
	stat_inc(CGTRACK_STAT_RMDIR_SEEN);
	cgid = cgrp->kn->id;
	key = (__u32)cgid;
	/* most cgroups removed are not containers': no hash lookup for them */
	if (!filter_may_have(key))
		return 0;
	e = bpf_map_lookup_elem(&containers, &key);
	if (!e || e->cgroup_id != cgid || e->removed_ns)
		return 0;
	/* the sweep deletes it after the expiry: readers get a grace period */
	ts = bpf_ktime_get_boot_ns();
	e->removed_ns = ts;
	stat_inc(CGTRACK_STAT_MARKED_DEAD);
	notify(key, cgid, CGTRACK_EV_REMOVED, ts, 0);
	return 0;
}

static __always_inline void set_started(__u32 key)
{
	struct cgtrack_container *e = bpf_map_lookup_elem(&containers, &key);
	__u8 state = CGTRACK_STATE_STARTED;

	if (!e || e->state != CGTRACK_STATE_CREATED)
		return;
	e->state = CGTRACK_STATE_STARTED;
	if (keep_containers_map)
		bpf_map_update_elem(&containers_map, &key, &state, BPF_EXIST);
	stat_inc(CGTRACK_STAT_STARTED);
	notify(key, e->cgroup_id, CGTRACK_EV_STARTED, bpf_ktime_get_boot_ns(), 0);
}

/*
 * A live process per mount namespace, for `cgtrack resolve`. Only the first
 * exec in a namespace writes: every other exec pays one lookup.
 */
static __always_inline void remember_mntns(struct task_struct *p, __u32 mntns)
{
	__u32 tgid;

	if (!mntns || bpf_map_lookup_elem(&mntns_pids, &mntns))
		return;
	tgid = p->tgid;
	bpf_map_update_elem(&mntns_pids, &mntns, &tgid, BPF_NOEXIST);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(cgtrack_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct cgtrack_container *e;
	struct cgroup *cgrp;
	__u32 key, mntns;

	cgrp = task_cgroup(p, tracked_v2, tracked_ssid);
	if (!cgrp)
		return 0;
	key = (__u32)cgrp->kn->id;
	/* the common case, a host process: the filter and out */
	if (!filter_may_have(key))
		return 0;
	e = bpf_map_lookup_elem(&containers, &key);
	if (!e)
		return 0;
	/*
	 * Containers' mount namespaces only (`cgtrack resolve` scans /proc
	 * for any other): host execs stay at one lookup.
	 */
	mntns = task_mntns(p);
	remember_mntns(p, mntns);
	if (e->state != CGTRACK_STATE_CREATED)
		return 0;
	if (mntns == task_mntns(p->real_parent))
		return 0;
	set_started(key);
	/* a sub-cgroup (crun's "container", init.scope): the container too */
	if (!e->root)
		set_started((__u32)e->root_cgroup_id);
	return 0;
}

/*
 * Forget a namespace's process when it exits. A thread's exit is not the
 * process's: sched_process_exit fires per thread, and signal->live has
 * dropped to 0 (before this tracepoint, on every kernel cgtrack runs on)
 * only for the group's last one: any other thread costs one read.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(cgtrack_exit, struct task_struct *p)
{
	__u32 mntns, *pid;

	if (p->signal->live.counter)
		return 0;
	mntns = task_mntns(p);
	pid = bpf_map_lookup_elem(&mntns_pids, &mntns);
	if (pid && *pid == (__u32)p->tgid)
		bpf_map_delete_elem(&mntns_pids, &mntns);
	return 0;
}
