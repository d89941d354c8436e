// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prototype: the sweep in the kernel. A BPF_PROG_TYPE_SYSCALL program, run
 * with BPF_PROG_TEST_RUN, walks `containers` with bpf_for_each_map_elem and
 * deletes expired entries (and their containers_map twins) in place: no
 * copy of the map to userspace, no syscall per entry (5.14+: syscall
 * programs; for_each_map_elem 5.13+).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "cgtrack/abi.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cgtrack_container);
} containers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8);
} containers_map SEC(".maps");

/* the context, shared with ksweep.c */
struct args {
	__u64 expiry;
	__u64 scanned, dead, deleted;
};

struct ksweep_state {
	__u64 now, expiry;
	__u64 scanned, dead, deleted;
};

static long visit(void *map, __u32 *key, struct cgtrack_container *e, struct ksweep_state *a)
{
	a->scanned++;
	if (!e->removed_ns)
		return 0;
	if (a->now - e->removed_ns < a->expiry) {
		a->dead++;
		return 0;
	}
	bpf_map_delete_elem(&containers_map, key);
	if (!bpf_map_delete_elem(map, key))
		a->deleted++;
	return 0;
}

SEC("syscall")
int ksweep(struct args *ctx)
{
	struct ksweep_state a = { .now = bpf_ktime_get_boot_ns(), .expiry = ctx->expiry };

	bpf_for_each_map_elem(&containers, visit, &a, 0);
	ctx->scanned = a.scanned;
	ctx->dead = a.dead;
	ctx->deleted = a.deleted;
	return 0;
}
