/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * cgtrack consumer kit, BPF side: include it (after vmlinux.h and
 * <bpf/bpf_helpers.h>; CO-RE relocates the few kernel fields it reads) in
 * your own BPF program to ask, in the kernel, which container a task
 * belongs to:
 *
 *	const struct cgtrack_container *c = cgtrack_current();
 *
 *	if (c && c->root_cgroup_id)	// a container (or inside one)
 *		... c->container_id, c->runtime, c->pod_uid ...
 *
 * c->runtime is what the cgroup's path says, which cannot always name the
 * runtime (a bare id under a pod directory, or at the root). When the
 * container's info entry (cgtrack_info_of(c)) has a runtime above
 * CGTRACK_RT_UNKNOWN, that runtime answered for the id: it is the
 * authority, as `cgtrack list` shows it.
 *
 * The maps declared here are cgtrack's own pinned maps, not copies: your
 * loader must point them at the pins before loading, either with
 * cgtrack_consumer_use_pins() (include/cgtrack/consumer.h: checks that
 * cgtrack is loaded and that the ABI matches; recommended) or by hand:
 * `containers` and `info` are pinned by name (set .pin_root_path =
 * "/sys/fs/bpf/cgtrack" in bpf_object_open_opts), `cgtrack_config` needs
 * bpf_map__set_pin_path(map, "/sys/fs/bpf/cgtrack/config") because
 * vmlinux.h has a typedef named `config`, and max_entries must equal the
 * pinned maps' (cgtrack --max-entries: build with -DCGTRACK_MAX_ENTRIES=N,
 * or bpf_map__set_max_entries() on `containers` and `info` with the
 * `max_entries` of the pinned `config`). libbpf reuses a pin by name only
 * if type, key and value sizes, max_entries and flags all equal the
 * definition's, so the definitions below are exactly bpf/lib/maps.bpf.h's.
 *
 * Works in tracing programs (tp_btf, fentry, raw_tp, kprobe, tracepoint,
 * perf_event, LSM...): the current task's key comes from
 * bpf_get_current_cgroup_id() in v2 and, in v1, from a walk of the task's
 * cgroups: where the running kernel has bpf_get_current_task_btf() (5.11+,
 * told by CO-RE at load) with plain loads from that BTF pointer, else
 * with bpf_get_current_task() and probe reads (~170 ns more per lookup
 * on sys_enter, `make bench`). A program type that lacks
 * bpf_get_current_task_btf() on a kernel that has it (the verifier then
 * says "unknown func bpf_get_current_task_btf"), or a build whose
 * vmlinux.h predates 5.11, needs -DCGTRACK_NO_TASK_BTF: the probe-read
 * walk only. cgtrack_task(task) always takes the probe-read walk (the
 * pointer may be of any flavour).
 * Entries stay readable for cgtrack's expiry (default 5 s) after their
 * cgroup is removed: removed_ns != 0 then.
 */
#ifndef CGTRACK_CONSUMER_BPF_H
#define CGTRACK_CONSUMER_BPF_H

#include <bpf/bpf_core_read.h>
#include "abi.h"

#ifndef CGTRACK_MAX_ENTRIES
#define CGTRACK_MAX_ENTRIES	CGTRACK_DEFAULT_MAX_ENTRIES
#endif

/* key: low 32 bits of the cgroup id in the tracked hierarchy */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGTRACK_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct cgtrack_container);
	/* as cgtrack creates it (bpf/lib/maps.bpf.h): libbpf compares flags */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} containers SEC(".maps");

#ifndef CGTRACK_NO_INFO
/* names from the container runtimes, written by the daemon (same key) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CGTRACK_MAX_ENTRIES);
	__type(key, __u32);
	__type(value, struct cgtrack_info);
	/* as cgtrack creates it (bpf/lib/maps.bpf.h): libbpf compares flags */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} info SEC(".maps");
#endif

/* cgtrack's `config` pin: which hierarchy the keys come from */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgtrack_config);
} cgtrack_config SEC(".maps");

static __always_inline const struct cgtrack_config *cgtrack_get_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cgtrack_config, &zero);
}

/* A task's cgroup id in the hierarchy cfg describes (0: none). */
static __always_inline __u64 cgtrack__task_cgid(const struct cgtrack_config *cfg,
						const struct task_struct *t)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cset = BPF_CORE_READ(t, cgroups);
	int ssid = cfg->subsys_id;

	if (cfg->mode == CGTRACK_MODE_V2)
		return BPF_CORE_READ(cset, dfl_cgrp, kn, id);
	/* the array's real length comes from the running kernel's BTF */
	if (ssid < 0 || ssid >= (int)(bpf_core_field_size(cset->subsys) /
			  bpf_core_field_size(cset->subsys[0])))
		return 0;
	bpf_core_read(&css, sizeof(void *), &cset->subsys[0] + ssid);
	if (!css)
		return 0;
	return BPF_CORE_READ(css, cgroup, kn, id);
}

#ifndef CGTRACK_NO_TASK_BTF
/*
 * css_set as this header sees it: room for 16 controllers (a kernel has
 * at most 16 so far). CO-RE matches it against the running kernel's, whose
 * array may be shorter: an index past it is never taken (see below), and
 * the build's own vmlinux.h may be of any kernel.
 */
struct css_set___cgtrack {
	struct cgroup_subsys_state *subsys[16];
} __attribute__((preserve_access_index));

/*
 * The same for the current task in v1, with plain loads: from
 * bpf_get_current_task_btf()'s pointer the verifier lets the program walk
 * task->cgroups->subsys[i]->cgroup->kn->id itself (fault-safe loads),
 * where a probe-read helper call per hop cost ~35 ns each. A BTF pointer
 * takes only constant offsets, hence one case per controller index; the
 * cases past the running kernel's array are dead code to the verifier.
 */
#define CGTRACK__CSS(i)							\
	case i:								\
		/* no division: the verifier sees constants compared */	\
		if ((i + 1) * sizeof(void *) <=				\
		    bpf_core_field_size(cset->subsys))			\
			css = cset->subsys[i];				\
		break

static __always_inline __u64 cgtrack__current_v1_cgid_btf(const struct cgtrack_config *cfg)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct css_set___cgtrack *cset = (void *)t->cgroups;
	struct cgroup_subsys_state *css = NULL;

	switch (cfg->subsys_id) {
	CGTRACK__CSS(0); CGTRACK__CSS(1); CGTRACK__CSS(2); CGTRACK__CSS(3);
	CGTRACK__CSS(4); CGTRACK__CSS(5); CGTRACK__CSS(6); CGTRACK__CSS(7);
	CGTRACK__CSS(8); CGTRACK__CSS(9); CGTRACK__CSS(10); CGTRACK__CSS(11);
	CGTRACK__CSS(12); CGTRACK__CSS(13); CGTRACK__CSS(14); CGTRACK__CSS(15);
	default:
		return 0;
	}
	if (!css)
		return 0;
	return css->cgroup->kn->id;
}
#undef CGTRACK__CSS
#endif

/*
 * The full cgroup id of a task in the tracked hierarchy, or 0 (a v1
 * hierarchy without a controller, such as name=systemd, cannot be read
 * this way). task: a struct task_struct pointer of any flavour.
 */
static __always_inline __u64 cgtrack_task_cgroup_id(const void *task)
{
	const struct cgtrack_config *cfg = cgtrack_get_config();

	if (!cfg || !task)
		return 0;
	return cgtrack__task_cgid(cfg, task);
}

/* The current task's full cgroup id in the tracked hierarchy, or 0. */
static __always_inline __u64 cgtrack_current_cgroup_id(void)
{
	const struct cgtrack_config *cfg = cgtrack_get_config();

	if (!cfg)
		return 0;
	/* cgroup2: one helper call, no pointer chasing */
	if (cfg->mode == CGTRACK_MODE_V2)
		return bpf_get_current_cgroup_id();
#ifndef CGTRACK_NO_TASK_BTF
	/* 5.11+: a BTF pointer to walk (CO-RE: false on older kernels) */
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return cgtrack__current_v1_cgid_btf(cfg);
#endif
	return cgtrack__task_cgid(cfg, (const struct task_struct *)bpf_get_current_task());
}

/* The current task's key in cgtrack's maps (0: none). */
static __always_inline __u32 cgtrack_current_key(void)
{
	return (__u32)cgtrack_current_cgroup_id();
}

/* The entry of a key, or NULL. Read-only: the map belongs to cgtrack. */
static __always_inline const struct cgtrack_container *cgtrack_lookup(__u32 key)
{
	return bpf_map_lookup_elem(&containers, &key);
}

/*
 * The entry of a full cgroup id, or NULL: also NULL when the key's entry
 * belongs to another cgroup (a 32-bit key reused after its cgroup went).
 */
static __always_inline const struct cgtrack_container *cgtrack_lookup_id(__u64 cgid)
{
	const struct cgtrack_container *e;

	if (!cgid)
		return NULL;
	e = cgtrack_lookup((__u32)cgid);
	if (!e || e->cgroup_id != cgid)
		return NULL;
	return e;
}

/* The container of the current task, or NULL (a host process). */
static __always_inline const struct cgtrack_container *cgtrack_current(void)
{
	return cgtrack_lookup_id(cgtrack_current_cgroup_id());
}

/* The container of any task, or NULL. */
static __always_inline const struct cgtrack_container *cgtrack_task(const void *task)
{
	return cgtrack_lookup_id(cgtrack_task_cgroup_id(task));
}

#ifndef CGTRACK_NO_INFO
/*
 * Runtime names of an entry (pod, image...), or NULL if not (yet) known.
 * Its runtime, when above CGTRACK_RT_UNKNOWN, is the authority over the
 * entry's own (which is what the path says).
 */
static __always_inline const struct cgtrack_info *
cgtrack_info_of(const struct cgtrack_container *e)
{
	const struct cgtrack_info *i;
	__u32 key;

	if (!e)
		return NULL;
	/* names are kept on the container's own (root) cgroup */
	key = (__u32)e->root_cgroup_id;
	i = bpf_map_lookup_elem(&info, &key);
	if (!i || i->cgroup_id != e->root_cgroup_id)
		return NULL;
	return i;
}
#endif

#endif /* CGTRACK_CONSUMER_BPF_H */
