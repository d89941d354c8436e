// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bench consumer (include/cgtrack/consumer.bpf.h, like examples/execcount):
 * for each container's own cgroup, what a BPF program sees at the first
 * exec in it: was the `info` entry (name, image, pod) there already? It
 * records the exec's time, the entry's created_ns (the kernel's mkdir
 * time) and, if present, the info entry's updated_ns; and the same for the
 * first exec that is not runc's own re-exec (`/proc/self/exe init`, which
 * may run in the cgroup already when runc moves its child there before
 * that exec): the container's process, its entrypoint.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "cgtrack/consumer.bpf.h"

char LICENSE[] SEC("license") = "GPL";

struct first_exec {
	__u64 cgroup_id;
	__u64 created_ns;	/* the container entry's: mkdir */
	__u64 exec_ns;		/* the first exec in the cgroup */
	__u64 info_ns;		/* info's updated_ns at that exec, 0 if none */
	__u64 app_exec_ns;	/* the first exec that is not runc's re-exec */
	__u64 app_info_ns;
	__u8 present;
	__u8 app_present;
	char container_id[CGTRACK_ID_LEN + 1];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct first_exec);
} first_execs SEC(".maps");

static __always_inline int runc_reexec(struct linux_binprm *bprm)
{
	static const char self[] = "/proc/self/exe";
	char name[sizeof(self)] = {};
	int i;

	if (bpf_probe_read_kernel_str(name, sizeof(name), bprm->filename) != sizeof(self))
		return 0;
	for (i = 0; i < sizeof(self); i++)
		if (name[i] != self[i])
			return 0;
	return 1;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(firstexec_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	const struct cgtrack_container *c = cgtrack_current();
	const struct cgtrack_info *i;
	struct first_exec f = {}, *old;
	__u64 now;
	__u32 key;

	if (!c || !c->root)
		return 0;
	key = (__u32)c->cgroup_id;
	old = bpf_map_lookup_elem(&first_execs, &key);
	if (old && old->app_exec_ns)
		return 0;
	now = bpf_ktime_get_boot_ns();
	i = cgtrack_info_of(c);
	if (old) {
		/* the first was runc's re-exec: this may be the container's process */
		if (!runc_reexec(bprm)) {
			old->app_exec_ns = now;
			old->app_present = i != NULL;
			old->app_info_ns = i ? i->updated_ns : 0;
		}
		return 0;
	}
	f.exec_ns = now;
	f.cgroup_id = c->cgroup_id;
	f.created_ns = c->created_ns;
	__builtin_memcpy(f.container_id, c->container_id, sizeof(f.container_id));
	if (i) {
		f.present = 1;
		f.info_ns = i->updated_ns;
	}
	if (!runc_reexec(bprm)) {
		f.app_exec_ns = now;
		f.app_present = f.present;
		f.app_info_ns = f.info_ns;
	}
	bpf_map_update_elem(&first_execs, &key, &f, BPF_NOEXIST);
	return 0;
}
