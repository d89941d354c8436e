// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_probe: tiny, statically linked libbpf feature probe for the kmatrix
 * VMs. It prints KMATRIX result lines (see scripts/kmatrix/README.md):
 *
 *   prog_type_tracing   libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING)
 *   map_type_ringbuf    libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF)
 *   btf_vmlinux_load    btf__load_vmlinux_btf()
 *   tp_btf_<tp>         a trivial tp_btf program for <tp> loads and attaches
 *                       (cgroup_mkdir, cgroup_rmdir, sched_process_exec)
 *
 * Build (see scripts/kmatrix/static.mk):
 *   gcc -O2 -static -o bpf_probe bpf_probe.c -lbpf -lelf -lz [-lzstd]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

static int failures;

static void result(int ok, const char *name, const char *fmt, ...)
{
	char reason[256] = "";
	va_list ap;

	if (!ok) {
		va_start(ap, fmt);
		vsnprintf(reason, sizeof(reason), fmt, ap);
		va_end(ap);
		failures++;
		printf("KMATRIX: FAIL %s %s\n", name, reason);
	} else {
		printf("KMATRIX: PASS %s\n", name);
	}
	fflush(stdout);
}

static int verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (!verbose && level == LIBBPF_DEBUG)
		return 0;
	/* keep libbpf's own messages on stdout, prefixed, never as result lines */
	fputs("bpf_probe: libbpf: ", stdout);
	return vfprintf(stdout, fmt, ap);
}

/* Load "r0 = 0; exit" as tp_btf/<tp> and attach it; 1 on success. */
static int try_tp_btf(const struct btf *vmlinux, const char *tp, char *why, size_t len)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	char name[128];
	int id, prog_fd, link_fd;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF);
	if (id < 0) {
		snprintf(why, len, "%s not in vmlinux BTF", name);
		return 0;
	}

	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_RAW_TP,
		    .attach_btf_id = (__u32)id);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "kmatrix_probe", "GPL",
				insns, sizeof(insns) / sizeof(insns[0]), &opts);
	if (prog_fd < 0) {
		snprintf(why, len, "prog load: %s", strerror(errno));
		return 0;
	}
	link_fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	if (link_fd < 0) {
		snprintf(why, len, "attach: %s", strerror(errno));
		close(prog_fd);
		return 0;
	}
	close(link_fd);
	close(prog_fd);
	return 1;
}

int main(int argc, char **argv)
{
	static const char *const tps[] = { "cgroup_mkdir", "cgroup_rmdir", "sched_process_exec" };
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	struct btf *vmlinux;
	char why[256];
	size_t i;
	int ret;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_fn);
	/* kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK */
	if (setrlimit(RLIMIT_MEMLOCK, &unlimited))
		printf("bpf_probe: setrlimit(MEMLOCK): %s\n", strerror(errno));

	printf("KMATRIX: INFO libbpf %s (static)\n", libbpf_version_string());

	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, NULL);
	result(ret == 1, "prog_type_tracing", "libbpf_probe_bpf_prog_type=%d", ret);

	ret = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	result(ret == 1, "map_type_ringbuf", "libbpf_probe_bpf_map_type=%d", ret);

	vmlinux = btf__load_vmlinux_btf();
	ret = libbpf_get_error(vmlinux);
	result(ret == 0, "btf_vmlinux_load", "btf__load_vmlinux_btf: %s", strerror(-ret));
	if (ret) {
		for (i = 0; i < sizeof(tps) / sizeof(tps[0]); i++)
			printf("KMATRIX: FAIL tp_btf_%s no vmlinux BTF\n", tps[i]);
		return 1;
	}
	printf("KMATRIX: INFO btf_types %u\n", btf__type_cnt(vmlinux));

	for (i = 0; i < sizeof(tps) / sizeof(tps[0]); i++) {
		char name[64];

		why[0] = '\0';
		snprintf(name, sizeof(name), "tp_btf_%s", tps[i]);
		ret = try_tp_btf(vmlinux, tps[i], why, sizeof(why));
		result(ret, name, "%s", why);
	}
	btf__free(vmlinux);
	return failures ? 1 : 0;
}
