// SPDX-License-Identifier: Apache-2.0
/*
 * Prototype: the sweep in the kernel (see ksweep.bpf.c), timed.
 * usage: ksweep PIN_DIR EXPIRY_MS KSWEEP_BPF_O
 * prints {"scanned","deleted","dead","ns"} like sweeptime.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

struct args {
	unsigned long long expiry, scanned, dead, deleted;
};

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int reuse(struct bpf_object *obj, const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map__reuse_fd(bpf_object__find_map_by_name(obj, name), fd)) {
		fprintf(stderr, "ksweep: cannot use %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &a, .ctx_size_in = sizeof(a));
	struct bpf_object *obj;
	unsigned long long t0, t1;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: ksweep PIN_DIR EXPIRY_MS KSWEEP_BPF_O\n");
		return 2;
	}
	a.expiry = strtoull(argv[2], NULL, 10) * 1000000ull;
	obj = bpf_object__open_file(argv[3], NULL);
	if (!obj || reuse(obj, argv[1], "containers") || reuse(obj, argv[1], "containers_map"))
		return 1;
	if (bpf_object__load(obj)) {
		fprintf(stderr, "ksweep: cannot load %s\n", argv[3]);
		return 1;
	}
	fd = bpf_program__fd(bpf_object__find_program_by_name(obj, "ksweep"));
	t0 = now_ns();
	if (bpf_prog_test_run_opts(fd, &o)) {
		perror("ksweep: run");
		return 1;
	}
	t1 = now_ns();
	printf("{\"scanned\":%llu,\"deleted\":%llu,\"dead\":%llu,\"ns\":%llu}\n",
	       a.scanned, a.deleted, a.dead, t1 - t0);
	bpf_object__close(obj);
	return 0;
}
