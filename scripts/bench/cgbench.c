// SPDX-License-Identifier: Apache-2.0
/*
 * cgbench: the benchmark's load generator. Tight C loops, so that what is
 * timed is the kernel and not a shell; each command prints one JSON line.
 *
 *   cgbench storm --root DIR --kind K --n N [--gap-us U] [--prog LABEL=ID]...
 *       N mkdir+rmdir cycles of cgroups shaped like K under DIR (parents
 *       are made before and removed after the timed loop). K: docker,
 *       nested, sub, plain, plain-nested. --gap-us: a pause after each
 *       cycle (containers one at a time, as on a real host).
 *   cgbench exec --n N [--cgroup DIR] [--start] [--prog LABEL=ID]...
 *       N fork+execve(/bin/true)+wait, in DIR if given (--start: one exec
 *       in a new mount namespace first, so that a tracked container is
 *       "started" and the loop sees the common case).
 *   cgbench tree --root DIR --n N
 *       exactly N cgroups, a mix of services, sessions, containers of
 *       several runtimes, pods and sub-cgroups; prints how many are in
 *       containers.
 *   cgbench burst --root DIR --n N [--threads T] [--out FILE] [--prog ...]
 *       T threads make N container cgroups DIR/docker/<id> at once; FILE
 *       gets their inode numbers (after the timing).
 *   cgbench rmtree DIR
 *       remove every cgroup below DIR, deepest first (DIR stays).
 *
 * --prog LABEL=ID: the BPF program's run_cnt and run_time_ns are read just
 * before and after the timed loop, and their deltas printed under "progs".
 * The run-time statistics are switched on with BPF_ENABLE_STATS for as long
 * as this process lives: the same counters as kernel.bpf_stats_enabled=1,
 * without changing (or depending on) that global sysctl.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#define MAX_PROGS 16

struct prog_stat {
	char label[32];
	int fd;
	uint64_t cnt0, ns0, cnt, ns;
};

static struct prog_stat progs[MAX_PROGS];
static int n_progs;
static int stats_fd = -1;
static uint64_t salt;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "cgbench: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	exit(1);
}

static void add_prog(const char *spec)
{
	const char *eq = strchr(spec, '=');
	struct prog_stat *p;

	if (!eq || n_progs == MAX_PROGS || eq - spec >= (long)sizeof(p->label)) {
		fprintf(stderr, "cgbench: --prog LABEL=ID, got '%s'\n", spec);
		exit(2);
	}
	if (stats_fd < 0) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0)
			die("cannot enable BPF run-time statistics", NULL);
	}
	p = &progs[n_progs++];
	snprintf(p->label, sizeof(p->label), "%.*s", (int)(eq - spec), spec);
	p->fd = bpf_prog_get_fd_by_id((uint32_t)strtoul(eq + 1, NULL, 10));
	if (p->fd < 0)
		die("cannot open BPF program", spec);
}

static void prog_read(struct prog_stat *p, uint64_t *cnt, uint64_t *ns)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(p->fd, &info, &len))
		die("cannot read BPF program info", p->label);
	*cnt = info.run_cnt;
	*ns = info.run_time_ns;
}

static void progs_start(void)
{
	int i;

	for (i = 0; i < n_progs; i++)
		prog_read(&progs[i], &progs[i].cnt0, &progs[i].ns0);
}

static void progs_stop(void)
{
	int i;

	for (i = 0; i < n_progs; i++) {
		prog_read(&progs[i], &progs[i].cnt, &progs[i].ns);
		progs[i].cnt -= progs[i].cnt0;
		progs[i].ns -= progs[i].ns0;
	}
}

static void print_progs(void)
{
	int i;

	printf(",\"progs\":{");
	for (i = 0; i < n_progs; i++)
		printf("%s\"%s\":{\"cnt\":%" PRIu64 ",\"ns\":%" PRIu64 "}", i ? "," : "",
		       progs[i].label, progs[i].cnt, progs[i].ns);
	printf("}");
}

/* ---- names ------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A container id: 64 hex digits, different for every i (and run). */
static void hex64(char *out, uint64_t i)
{
	uint64_t s = mix64(i ^ salt);

	sprintf(out, "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64,
		mix64(s), mix64(s + 1), mix64(s + 2), mix64(s + 3));
}

/* A pod uid, 8-4-4-4-12. */
static void uuid(char *out, uint64_t i)
{
	uint64_t a = mix64(i ^ salt ^ 0x5555), b = mix64(a);

	sprintf(out, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
		a >> 32, (a >> 16) & 0xffff, a & 0xffff, b >> 48, b & (uint64_t)0xffffffffffff);
}

/* ---- cgroup helpers ---------------------------------------------------- */

#define MAX_PARENTS 8

struct parents {
	char path[MAX_PARENTS][PATH_MAX];
	int made[MAX_PARENTS];
	int n;
};

/* mkdir a parent (outside the timing); remembered if we made it. */
static void parent(struct parents *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void parent(struct parents *ps, const char *fmt, ...)
{
	va_list ap;
	char *p = ps->path[ps->n];

	va_start(ap, fmt);
	vsnprintf(p, PATH_MAX, fmt, ap);
	va_end(ap);
	if (mkdir(p, 0755) == 0)
		ps->made[ps->n] = 1;
	else if (errno != EEXIST)
		die("mkdir", p);
	ps->n++;
}

static void parents_remove(struct parents *ps)
{
	int i;

	for (i = ps->n - 1; i >= 0; i--)
		if (ps->made[i] && rmdir(ps->path[i]))
			die("rmdir", ps->path[i]);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	if (f->level == 0 || flag != FTW_DP)
		return 0;
	if (rmdir(path) && errno != ENOENT) {
		fprintf(stderr, "cgbench: rmdir %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int rmtree(const char *root)
{
	if (access(root, F_OK))
		return 0;
	return nftw(root, rm_one, 64, FTW_DEPTH | FTW_PHYS) ? 1 : 0;
}

/* ---- storm ------------------------------------------------------------- */

/* Fills path with the i-th cgroup of the kind (parents made by setup). */
typedef void (*namer_t)(char *path, const char *root, uint64_t i);

static char pod[64], cid[72];

static void name_docker(char *path, const char *root, uint64_t i)
{
	char id[72];

	hex64(id, i);
	snprintf(path, PATH_MAX, "%s/docker/%s", root, id);
}

static void name_nested(char *path, const char *root, uint64_t i)
{
	char id[72];

	hex64(id, i);
	if (i & 1)
		snprintf(path, PATH_MAX, "%s/kubepods/burstable/pod%s/%s", root, pod, id);
	else
		snprintf(path, PATH_MAX, "%s/system.slice/docker-%s.scope", root, id);
}

static void name_sub(char *path, const char *root, uint64_t i)
{
	static const char *const subs[] = { "init.scope", "container", "system.slice" };

	snprintf(path, PATH_MAX, "%s/docker/%s/%s", root, cid, subs[i % 3]);
}

static void name_plain(char *path, const char *root, uint64_t i)
{
	snprintf(path, PATH_MAX, "%s/bench-%" PRIu64 ".service", root, i);
}

static void name_plain_nested(char *path, const char *root, uint64_t i)
{
	if (i & 1)
		snprintf(path, PATH_MAX, "%s/user.slice/user-1000.slice/session-%" PRIu64
			 ".scope", root, i);
	else
		snprintf(path, PATH_MAX, "%s/system.slice/bench-%" PRIu64 ".service", root, i);
}

static namer_t storm_setup(const char *kind, const char *root, struct parents *ps)
{
	uuid(pod, 1);
	hex64(cid, ~0ull);
	if (!strcmp(kind, "docker")) {
		parent(ps, "%s/docker", root);
		return name_docker;
	}
	if (!strcmp(kind, "nested")) {
		parent(ps, "%s/system.slice", root);
		parent(ps, "%s/kubepods", root);
		parent(ps, "%s/kubepods/burstable", root);
		parent(ps, "%s/kubepods/burstable/pod%s", root, pod);
		return name_nested;
	}
	if (!strcmp(kind, "sub")) {
		parent(ps, "%s/docker", root);
		parent(ps, "%s/docker/%s", root, cid);
		return name_sub;
	}
	if (!strcmp(kind, "plain"))
		return name_plain;
	if (!strcmp(kind, "plain-nested")) {
		parent(ps, "%s/system.slice", root);
		parent(ps, "%s/user.slice", root);
		parent(ps, "%s/user.slice/user-1000.slice", root);
		return name_plain_nested;
	}
	fprintf(stderr, "cgbench: unknown kind '%s'\n", kind);
	exit(2);
}

static int cmd_storm(const char *root, const char *kind, uint64_t n, unsigned gap_us)
{
	struct parents ps = { .n = 0 };
	char path[PATH_MAX];
	namer_t name = storm_setup(kind, root, &ps);
	uint64_t i, t0, t1;

	/* warm up: the first cycles allocate kernel caches */
	for (i = 0; i < 16; i++) {
		name(path, root, n + 100 + i);
		if (mkdir(path, 0755) || rmdir(path))
			die("warm-up cycle", path);
	}
	progs_start();
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		name(path, root, i);
		if (mkdir(path, 0755))
			die("mkdir", path);
		if (rmdir(path))
			die("rmdir", path);
		if (gap_us)
			usleep(gap_us);
	}
	t1 = now_ns();
	progs_stop();
	parents_remove(&ps);
	printf("{\"kind\":\"%s\",\"n\":%" PRIu64 ",\"gap_us\":%u,\"elapsed_ns\":%" PRIu64,
	       kind, n, gap_us, t1 - t0);
	print_progs();
	printf("}\n");
	return 0;
}

/* ---- exec -------------------------------------------------------------- */

static void join_cgroup(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dprintf(fd, "%d\n", getpid()) < 0)
		die("cannot join", dir);
	close(fd);
}

static void run_true(int new_mntns)
{
	static char *const argv[] = { "true", NULL };
	static char *const envp[] = { NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork", NULL);
	if (pid == 0) {
		if (new_mntns && unshare(CLONE_NEWNS))
			_exit(126);
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("/bin/true failed", NULL);
}

static int cmd_exec(uint64_t n, const char *cgroup, int start)
{
	uint64_t i, t0, t1;

	if (cgroup)
		join_cgroup(cgroup);
	if (start)
		run_true(1);
	for (i = 0; i < 8; i++)
		run_true(0);
	progs_start();
	t0 = now_ns();
	for (i = 0; i < n; i++)
		run_true(0);
	t1 = now_ns();
	progs_stop();
	printf("{\"kind\":\"exec\",\"n\":%" PRIu64 ",\"elapsed_ns\":%" PRIu64, n, t1 - t0);
	print_progs();
	printf("}\n");
	return 0;
}

/* ---- tree -------------------------------------------------------------- */

struct tree {
	const char *root;
	uint64_t want, made, tracked, containers;
};

/* mkdir one cgroup of the tree if the count allows; 1 if made */
static int tree_mk(struct tree *t, int tracked, int container, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int tree_mk(struct tree *t, int tracked, int container, const char *fmt, ...)
{
	char path[PATH_MAX];
	size_t n = strlen(t->root);
	va_list ap;

	if (t->made >= t->want)
		return 0;
	if (n + 2 > sizeof(path))
		die("path too long", t->root);
	memcpy(path, t->root, n);
	path[n] = '/';
	va_start(ap, fmt);
	vsnprintf(path + n + 1, sizeof(path) - n - 1, fmt, ap);
	va_end(ap);
	if (mkdir(path, 0755))
		die("mkdir", path);
	t->made++;
	t->tracked += tracked;
	t->containers += container;
	return 1;
}

/*
 * A host's mix, repeated: per round of 13 cgroups, 6 not in a container
 * (3 services, a user slice and its session, a pod directory) and 7 in one
 * (2 docker/<id>, a systemd docker scope, 2 containers of a pod, a podman
 * scope and crun's "container" sub-cgroup in it).
 */
static int cmd_tree(const char *root, uint64_t n)
{
	struct tree t = { .root = root, .want = n };
	char id[72], id2[72], uid[64];
	uint64_t k;

	tree_mk(&t, 0, 0, "system.slice");
	tree_mk(&t, 0, 0, "user.slice");
	tree_mk(&t, 0, 0, "docker");
	tree_mk(&t, 0, 0, "kubepods");
	tree_mk(&t, 0, 0, "kubepods/burstable");
	tree_mk(&t, 0, 0, "kubepods/besteffort");
	for (k = 0; t.made < t.want; k++) {
		const char *qos = k & 1 ? "besteffort" : "burstable";

		tree_mk(&t, 0, 0, "system.slice/svc-%" PRIu64 "-a.service", k);
		tree_mk(&t, 0, 0, "system.slice/svc-%" PRIu64 "-b.service", k);
		tree_mk(&t, 0, 0, "system.slice/svc-%" PRIu64 "-c.service", k);
		if (tree_mk(&t, 0, 0, "user.slice/user-%" PRIu64 ".slice", k))
			tree_mk(&t, 0, 0, "user.slice/user-%" PRIu64 ".slice/session-%"
				PRIu64 ".scope", k, k);
		hex64(id, 4 * k);
		tree_mk(&t, 1, 1, "docker/%s", id);
		hex64(id, 4 * k + 1);
		tree_mk(&t, 1, 1, "docker/%s", id);
		hex64(id, 4 * k + 2);
		tree_mk(&t, 1, 1, "system.slice/docker-%s.scope", id);
		uuid(uid, k);
		if (tree_mk(&t, 0, 0, "kubepods/%s/pod%s", qos, uid)) {
			hex64(id, 4 * k + 3);
			hex64(id2, ~(4 * k + 3));
			tree_mk(&t, 1, 1, "kubepods/%s/pod%s/%s", qos, uid, id);
			tree_mk(&t, 1, 1, "kubepods/%s/pod%s/%s", qos, uid, id2);
		}
		hex64(id, ~(4 * k));
		if (tree_mk(&t, 1, 1, "system.slice/libpod-%s.scope", id))
			tree_mk(&t, 1, 0, "system.slice/libpod-%s.scope/container", id);
	}
	printf("{\"cgroups\":%" PRIu64 ",\"tracked\":%" PRIu64 ",\"containers\":%" PRIu64 "}\n",
	       t.made, t.tracked, t.containers);
	return 0;
}

/* ---- burst ------------------------------------------------------------- */

struct creator {
	pthread_t th;
	const char *root;
	uint64_t from, to;
	pthread_barrier_t *go;
};

static void *create(void *arg)
{
	struct creator *c = arg;
	char path[PATH_MAX];
	uint64_t i;

	pthread_barrier_wait(c->go);
	for (i = c->from; i < c->to; i++) {
		name_docker(path, c->root, i);
		if (mkdir(path, 0755))
			die("mkdir", path);
	}
	return NULL;
}

static int cmd_burst(const char *root, uint64_t n, int threads, const char *out)
{
	struct creator cr[64];
	pthread_barrier_t go;
	struct parents ps = { .n = 0 };
	char path[PATH_MAX];
	uint64_t t0, t1, i;
	int k;

	if (threads < 1 || threads > 64)
		threads = 2;
	parent(&ps, "%s/docker", root);
	pthread_barrier_init(&go, NULL, threads + 1);
	for (k = 0; k < threads; k++) {
		cr[k] = (struct creator){ .root = root, .go = &go,
			.from = n * k / threads, .to = n * (k + 1) / threads };
		if (pthread_create(&cr[k].th, NULL, create, &cr[k]))
			die("pthread_create", NULL);
	}
	progs_start();
	t0 = now_ns();
	pthread_barrier_wait(&go);
	for (k = 0; k < threads; k++)
		pthread_join(cr[k].th, NULL);
	t1 = now_ns();
	progs_stop();
	if (out) {
		FILE *f = fopen(out, "we");
		struct stat st;

		if (!f)
			die("cannot write", out);
		for (i = 0; i < n; i++) {
			name_docker(path, root, i);
			if (stat(path, &st))
				die("stat", path);
			fprintf(f, "%" PRIu64 "\n", (uint64_t)st.st_ino);
		}
		fclose(f);
	}
	printf("{\"kind\":\"burst\",\"n\":%" PRIu64 ",\"threads\":%d,\"elapsed_ns\":%" PRIu64,
	       n, threads, t1 - t0);
	print_progs();
	printf("}\n");
	return 0;
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "kind", required_argument, NULL, 'k' },
		{ "n", required_argument, NULL, 'n' },
		{ "prog", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "start", no_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "out", required_argument, NULL, 'o' },
		{ "salt", required_argument, NULL, 'S' },
		{ "gap-us", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd, *root = NULL, *kind = "docker", *cgroup = NULL, *out = NULL;
	uint64_t n = 1000;
	int c, start = 0, threads = 2;
	unsigned gap_us = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: cgbench storm|exec|tree|burst|rmtree ... (see the source)\n");
		return 2;
	}
	cmd = argv[1];
	salt = (uint64_t)getpid() << 32 ^ now_ns();
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': root = optarg; break;
		case 'k': kind = optarg; break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'p': add_prog(optarg); break;
		case 'c': cgroup = optarg; break;
		case 's': start = 1; break;
		case 't': threads = atoi(optarg); break;
		case 'o': out = optarg; break;
		case 'S': salt = strtoull(optarg, NULL, 0); break;
		case 'g': gap_us = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (!strcmp(cmd, "rmtree"))
		return optind < argc ? rmtree(argv[optind]) : 2;
	if (!strcmp(cmd, "exec"))
		return cmd_exec(n, cgroup, start);
	if (!root) {
		fprintf(stderr, "cgbench %s: --root DIR is needed\n", cmd);
		return 2;
	}
	if (!strcmp(cmd, "storm"))
		return cmd_storm(root, kind, n, gap_us);
	if (!strcmp(cmd, "tree"))
		return cmd_tree(root, n);
	if (!strcmp(cmd, "burst"))
		return cmd_burst(root, n, threads, out);
	fprintf(stderr, "cgbench: unknown command '%s'\n", cmd);
	return 2;
}
