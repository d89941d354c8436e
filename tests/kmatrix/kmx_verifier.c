// SPDX-License-Identifier: Apache-2.0
/*
 * kmx-verifier: load cgtrack's BPF object (the same skeleton as cgtrack)
 * with verifier statistics and print, per program, one line
 *
 *   KMATRIX: INFO verifier <prog> processed=<n> states=<n> peak=<n>
 *       time_us=<n> stack=<frames>
 *
 * (-1 where the kernel does not say: time_us is 5.16+); KMX_VERIFIER_RAW=1
 * adds the raw statistics lines. On failure it prints the tail
 * of the failing program's verifier log as INFO lines and exits 1.
 * Nothing is attached or pinned. The rodata is the tracked hierarchy's:
 *
 *   kmx-verifier PIN_DIR          as the cgtrack pinned there (its config map)
 *   kmx-verifier v2
 *   kmx-verifier v1 SSID HIERARCHY_ID
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgtrack/abi.h"
#include "cgtrack.skel.h"

#define LOG_SIZE	(1u << 20)	/* stats only: a few lines */
#define LOG_SIZE_FULL	(32u << 20)	/* the whole log, on failure */
#define MAX_PROGS	16

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* "<key> N" in the log -> N, or -1; a key starting with '\n' also matches at the start */
static long stat_of(const char *log, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	if (key[0] == '\n' && !strncmp(log, key + 1, n - 1))
		return strtol(log + n - 1, NULL, 10);
	p = strstr(log, key);
	return p ? strtol(p + n, NULL, 10) : -1;
}

static int config_from_pins(const char *dir, struct cgtrack_config *cfg)
{
	char path[4096];
	__u32 zero = 0;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, CGTRACK_PIN_CONFIG);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "kmx-verifier: %s: %s\n", path, strerror(errno));
		return -1;
	}
	err = bpf_map_lookup_elem(fd, &zero, cfg);
	if (err)
		fprintf(stderr, "kmx-verifier: reading %s: %s\n", path, strerror(errno));
	return err;
}

/* Load once with log_level (4: stats; 1|4: everything) into per-program logs. */
static int load(const struct cgtrack_config *cfg, __u32 level, size_t size, char **logs,
		char (*names)[64], int *n)
{
	struct cgtrack *skel = cgtrack__open();
	struct bpf_program *prog;
	int err, i = 0;

	if (!skel) {
		fprintf(stderr, "kmx-verifier: cannot open the BPF object: %s\n", strerror(errno));
		return -2;
	}
	skel->rodata->tracked_v2 = cfg->mode == CGTRACK_MODE_V2;
	skel->rodata->tracked_hierarchy = cfg->hierarchy_id;
	skel->rodata->tracked_ssid = cfg->subsys_id;
	bpf_object__for_each_program(prog, skel->obj) {
		if (i == MAX_PROGS)
			break;
		if (!logs[i])
			logs[i] = malloc(size);
		if (!logs[i]) {
			cgtrack__destroy(skel);
			return -2;
		}
		logs[i][0] = 0;
		snprintf(names[i], sizeof(names[i]), "%s", bpf_program__name(prog));
		bpf_program__set_log_level(prog, level);
		bpf_program__set_log_buf(prog, logs[i], size);
		i++;
	}
	*n = i;
	err = cgtrack__load(skel);
	cgtrack__destroy(skel);
	return err;
}

static void free_logs(char **logs)
{
	int i;

	for (i = 0; i < MAX_PROGS; i++) {
		free(logs[i]);
		logs[i] = NULL;
	}
}

int main(int argc, char **argv)
{
	struct cgtrack_config cfg = { .mode = CGTRACK_MODE_V2, .subsys_id = -1 };
	struct rlimit inf = { RLIM_INFINITY, RLIM_INFINITY };
	char *logs[MAX_PROGS] = { 0 };
	char names[MAX_PROGS][64] = { { 0 } };
	const char *raw = getenv("KMX_VERIFIER_RAW");
	int n = 0, i, err;

	if (argc == 2 && argv[1][0] == '/') {
		if (config_from_pins(argv[1], &cfg))
			return 2;
	} else if (argc == 4 && !strcmp(argv[1], "v1")) {
		cfg.mode = CGTRACK_MODE_V1;
		cfg.subsys_id = atoi(argv[2]);
		cfg.hierarchy_id = atoi(argv[3]);
	} else if (!(argc == 2 && !strcmp(argv[1], "v2"))) {
		fprintf(stderr, "usage: kmx-verifier PIN_DIR | v2 | v1 SSID HIERARCHY_ID\n");
		return 2;
	}
	/* kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK */
	setrlimit(RLIMIT_MEMLOCK, &inf);
	libbpf_set_print(quiet);

	err = load(&cfg, 4, LOG_SIZE, logs, names, &n);
	if (!err) {
		for (i = 0; i < n; i++) {
			const char *log = logs[i], *stack = strstr(log, "stack depth ");
			/* 6.x+: "stack depth 48+24+16 max 80": the frames only */
			int slen = stack ? (int)strcspn(stack + 12, " \n") : 1;

			/* 7.x adds "insns processed 371+30212+63380": not that line */
			printf("KMATRIX: INFO verifier %s processed=%ld states=%ld peak=%ld "
			       "time_us=%ld stack=%.*s\n", names[i], stat_of(log, "\nprocessed "),
			       stat_of(log, "total_states "), stat_of(log, "peak_states "),
			       stat_of(log, "verification time "), slen,
			       stack ? stack + 12 : "?");
			if (raw && raw[0] == '1')
				for (char *l = strtok(logs[i], "\n"); l; l = strtok(NULL, "\n"))
					printf("KMATRIX: INFO verifier %s | %s\n", names[i], l);
		}
		free_logs(logs);
		return 0;
	}
	printf("KMATRIX: INFO verifier load failed: %s; the log of the failing program:\n",
	       strerror(-err));
	free_logs(logs);
	load(&cfg, 1 | 4, LOG_SIZE_FULL, logs, names, &n);
	/* libbpf loads in order and stops at the first failure: the last log */
	for (i = n - 1; i >= 0 && !(logs[i] && logs[i][0]); i--)
		;
	if (i >= 0) {
		size_t len = strlen(logs[i]);
		char *p;
		int lines = 0;

		/* its last 30 lines */
		for (p = logs[i] + len - 1; p > logs[i]; p--)
			if (*p == '\n' && ++lines > 30)
				break;
		for (p = strtok(p, "\n"); p; p = strtok(NULL, "\n"))
			printf("KMATRIX: INFO verifier %s | %s\n", names[i], p);
	}
	free_logs(logs);
	return 1;
}
