// SPDX-License-Identifier: Apache-2.0
/*
 * consumer: the consumer kit's cost on sys_enter (consumer.bpf.c), one
 * program at a time, inside a tracked container cgroup.
 *
 *   consumer --pin-dir DIR --cgroup DIR [--cgroup DIR...] [--n N] [--rounds R]
 *
 * Moves itself into each --cgroup (a container cgroup in the hierarchy the
 * pins track: v2, or a v1 controller's), gives the container an info
 * entry (as enrichment would) if it has none, loads the programs against
 * the pins, then per round attaches each program alone (order rotated),
 * makes N getppid() calls and prints its run_time_ns / run_cnt delta:
 *   {"prog":"current","round":1,"ns":N,"cnt":N,"n":N,"found":N}
 * found: events whose program found the entry (the sink's delta); cnt
 * counts every task's syscalls while attached, not only ours. The BPF
 * run-time statistics are on (BPF_ENABLE_STATS) while this runs, only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgtrack/consumer.h"
#include "consumer.skel.h"

static void die(const char *what)
{
	fprintf(stderr, "consumer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void enter(const char *dir)
{
	char path[4096], pid[32];
	int fd, n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, pid, n) != n)
		die(path);
	close(fd);
}

/* The key of the container's cgroup in the pins' hierarchy. */
static __u32 key_of(const char *pin_dir, const char **dirs, int ndirs, int *info_fd)
{
	struct cgtrack_container e;
	char path[4096];
	struct stat st;
	int fd, i;

	snprintf(path, sizeof(path), "%s/containers", pin_dir);
	fd = bpf_obj_get(path);
	snprintf(path, sizeof(path), "%s/info", pin_dir);
	*info_fd = bpf_obj_get(path);
	if (fd < 0 || *info_fd < 0)
		die("cannot open the pinned maps");
	for (i = 0; i < ndirs; i++) {
		__u32 key;

		if (stat(dirs[i], &st))
			die(dirs[i]);
		key = (__u32)st.st_ino;
		if (!bpf_map_lookup_elem(fd, &key, &e) && !e.removed_ns) {
			close(fd);
			return key;
		}
	}
	fprintf(stderr, "consumer: no --cgroup is tracked in %s\n", pin_dir);
	exit(1);
}

/* An info entry for the container (what enrichment writes). */
static void give_info(const char *pin_dir, __u32 key, int info_fd)
{
	struct cgtrack_container e;
	struct cgtrack_info inf;
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/containers", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_lookup_elem(fd, &key, &e))
		die("cannot read the container's entry");
	close(fd);
	memset(&inf, 0, sizeof(inf));
	inf.cgroup_id = e.cgroup_id;
	inf.runtime = CGTRACK_RT_DOCKER;
	snprintf(inf.name, sizeof(inf.name), "consumer-bench");
	if (bpf_map_update_elem(info_fd, &key, &inf, BPF_ANY))
		die("cannot write an info entry");
}

static int mode_of(const char *pin_dir)
{
	struct cgtrack_config cfg;
	char path[4096];
	__u32 zero = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/config", pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &cfg))
		die("cannot read the pinned config");
	close(fd);
	return cfg.mode;
}

static void prog_stats(struct bpf_program *p, __u64 *cnt, __u64 *ns)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
		die("cannot read BPF program info");
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
}

static void measure(struct consumer *skel, struct bpf_program *p, int round, long n)
{
	__u64 cnt0, ns0, cnt1, ns1, found0;
	struct bpf_link *l;
	long i;

	l = bpf_program__attach(p);
	if (!l)
		die(bpf_program__name(p));
	found0 = skel->bss->found;
	prog_stats(p, &cnt0, &ns0);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	prog_stats(p, &cnt1, &ns1);
	bpf_link__destroy(l);
	printf("{\"prog\":\"%s\",\"round\":%d,\"ns\":%llu,\"cnt\":%llu,\"n\":%ld,\"found\":%llu}\n",
	       bpf_program__name(p) + 2, round, (unsigned long long)(ns1 - ns0),
	       (unsigned long long)(cnt1 - cnt0), n,
	       (unsigned long long)(skel->bss->found - found0));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *pin_dir = NULL, *dirs[4];
	struct bpf_program *progs[16], *p;
	int ndirs = 0, rounds = 5, nprogs = 0, r, i, stats_fd, info_fd;
	struct consumer *skel;
	long n = 1000000;
	char err[512];
	__u32 key;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--pin-dir"))
			pin_dir = argv[i + 1];
		else if (!strcmp(argv[i], "--cgroup") && ndirs < 4)
			dirs[ndirs++] = argv[i + 1];
		else if (!strcmp(argv[i], "--n"))
			n = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(argv[i + 1]);
		else
			break;
	}
	if (i != argc || !pin_dir || !ndirs || n <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: consumer --pin-dir DIR --cgroup DIR [--cgroup DIR...] "
			"[--n N] [--rounds R]\n");
		return 2;
	}
	for (i = 0; i < ndirs; i++)
		enter(dirs[i]);
	key = key_of(pin_dir, dirs, ndirs, &info_fd);
	give_info(pin_dir, key, info_fd);

	skel = consumer__open();
	if (!skel)
		die("cannot open the BPF object");
	if (cgtrack_consumer_use_pins(skel->obj, pin_dir, err, sizeof(err))) {
		fprintf(stderr, "consumer: %s\n", err);
		return 1;
	}
	/* the bare lookup's key, where the cgroup id helper cannot give it */
	if (mode_of(pin_dir) != CGTRACK_MODE_V2)
		skel->rodata->given_key = key;
	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoattach(p, false);
	if (consumer__load(skel))
		die("cannot load the BPF object");
	bpf_object__for_each_program(p, skel->obj)
		if (nprogs < 16)
			progs[nprogs++] = p;
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		die("cannot enable BPF run-time statistics");
	for (r = 1; r <= rounds; r++)
		for (i = 0; i < nprogs; i++)
			measure(skel, progs[(i + r) % nprogs], r, n);
	close(stats_fd);
	consumer__destroy(skel);
	return 0;
}
