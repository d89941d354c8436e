// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a third-party program pays to ask cgtrack which container the
 * current task is in, on a hot tracepoint (sys_enter): the consumer kit
 * (include/cgtrack/consumer.bpf.h) against its floors, each its own
 * program, attached one at a time by scripts/bench/consumer.c:
 *
 *   empty     nothing (what any program on sys_enter costs)
 *   cgid      bpf_get_current_cgroup_id() alone
 *   lookup    one hash lookup of the current cgroup's key, the key got
 *             as cheaply as the mode allows: v2 bpf_get_current_cgroup_id(),
 *             v1 given (no walk at all; the same entry cgtrack_current()
 *             finds)
 *   current   cgtrack_current()
 *   info      cgtrack_info_of(cgtrack_current())
 *   probe     cgtrack_current() the way the header did it before in v1:
 *             bpf_get_current_task() and probe reads (the fallback)
 *   rawtp     cgtrack_current() from a raw_tp program (not tp_btf): the
 *             header works in other tracing program types too
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <cgtrack/consumer.bpf.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 given_key;		/* lookup, v1: the entry's key */
__u64 found;				/* a sink: nothing is optimised away */

SEC("tp_btf/sys_enter")
int BPF_PROG(c_empty)
{
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(c_cgid)
{
	found += bpf_get_current_cgroup_id() == 1;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(c_lookup)
{
	const struct cgtrack_container *c;
	__u32 key = given_key;

	/* a constant to the verifier: v1 never calls the helper */
	if (!given_key)
		key = (__u32)bpf_get_current_cgroup_id();
	c = bpf_map_lookup_elem(&containers, &key);
	found += c != NULL;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(c_current)
{
	found += cgtrack_current() != NULL;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(c_info)
{
	found += cgtrack_info_of(cgtrack_current()) != NULL;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(c_probe)
{
	const struct cgtrack_config *cfg = cgtrack_get_config();
	__u64 cgid;

	if (!cfg)
		return 0;
	if (cfg->mode == CGTRACK_MODE_V2)
		cgid = bpf_get_current_cgroup_id();
	else
		cgid = cgtrack__task_cgid(cfg, (const struct task_struct *)bpf_get_current_task());
	found += cgtrack_lookup_id(cgid) != NULL;
	return 0;
}

SEC("raw_tp/sys_enter")
int c_rawtp(void *ctx)
{
	found += cgtrack_current() != NULL;
	return 0;
}
