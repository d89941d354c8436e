// SPDX-License-Identifier: GPL-2.0-only
/*
 * Example cgtrack consumer: count execs per container, deciding in the
 * kernel which container the exec'ing task belongs to.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "cgtrack/consumer.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* "" counts the host (tasks in no container) */
struct exec_key {
	char container_id[CGTRACK_ID_LEN + 1];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct exec_key);
	__type(value, __u64);
} exec_counts SEC(".maps");

SEC("tp_btf/sched_process_exec")
int BPF_PROG(execcount_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	const struct cgtrack_container *c = cgtrack_current();
	struct exec_key k = {};
	__u64 zero = 0, *n;

	if (c)
		__builtin_memcpy(k.container_id, c->container_id, sizeof(k.container_id));
	n = bpf_map_lookup_elem(&exec_counts, &k);
	if (!n) {
		/* NOEXIST: another CPU may have created it meanwhile */
		bpf_map_update_elem(&exec_counts, &k, &zero, BPF_NOEXIST);
		n = bpf_map_lookup_elem(&exec_counts, &k);
		if (!n)
			return 0;	/* our map is full */
	}
	__sync_fetch_and_add(n, 1);
	return 0;
}
