// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor: empty programs on cgtrack's four tracepoints, the same program
 * type (tp_btf). What any BPF program costs there, measured with the same
 * bpf_stats, before it does anything.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(floor_mkdir)
{
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(floor_rmdir)
{
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(floor_exec)
{
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(floor_exit)
{
	return 0;
}
