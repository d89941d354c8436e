// SPDX-License-Identifier: GPL-2.0-only
/*
 * Written the way tracee's BPF code reads its containers_map, with tracee's
 * names and numbers, and loaded against cgtrack's pinned `containers_map`
 * instead (libbpf pins it by name: the loader sets pin_root_path). For
 * every exec it records the state the map gives for the task's cgroup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* As tracee's container_state_e (pkg/ebpf/c/types.h). */
enum container_state_e {
	CONTAINER_UNKNOWN = 0,	/* mark that container state is unknown */
	CONTAINER_EXISTED,	/* container existed before tracee was started */
	CONTAINER_CREATED,	/* new cgroup path created */
	CONTAINER_STARTED,	/* a process in the cgroup executed a new binary */
};

/* As tracee's BPF_HASH(containers_map, u32, u8, 10240); the loader adopts
 * the pinned map's capacity. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, u32);
	__type(value, u8);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} containers_map SEC(".maps");

/* Ours: cgroup id (low 32 bits) -> the state seen at its latest exec. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u32);
	__type(value, u8);
} seen_states SEC(".maps");

/* Like tracee's config: v1 reads the cgroup of subsystem 0. */
const volatile bool cgroup_v1 = false;
const volatile int cgroup_v1_subsys = 0;

/* tracee's get_cgroup_v1_subsys0_id(), for any subsystem index */
static __always_inline u64 cgroup_v1_id(struct task_struct *task)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	int ssid = cgroup_v1_subsys;

	if (ssid < 0 || ssid >= (int)(bpf_core_field_size(cset->subsys) /
			  bpf_core_field_size(cset->subsys[0])))
		return 0;
	bpf_core_read(&css, sizeof(void *), &cset->subsys[0] + ssid);
	return css ? BPF_CORE_READ(css, cgroup, kn, id) : 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tracee_compat_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	u64 cgroup_id = cgroup_v1 ? cgroup_v1_id(p) : bpf_get_current_cgroup_id();
	u32 cgroup_id_lsb = cgroup_id;
	u8 *state = bpf_map_lookup_elem(&containers_map, &cgroup_id_lsb);

	if (state == NULL || *state == CONTAINER_UNKNOWN)
		return 0;	/* not a container */
	bpf_map_update_elem(&seen_states, &cgroup_id_lsb, state, BPF_ANY);
	return 0;
}
