// SPDX-License-Identifier: Apache-2.0
/*
 * Load cgtrack's BPF object (v2 or v1 settings) with verifier statistics
 * and print, per program, the instructions processed; on failure the tail
 * of the verifier log. Used by tests and when reducing complexity.
 * usage: verifier_stats [v1 SSID HIERARCHY_ID]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cgtrack.skel.h"

#define LOG_SIZE (64u << 20)

int main(int argc, char **argv)
{
	struct cgtrack *skel = cgtrack__open();
	struct bpf_program *prog;
	char *log = calloc(1, LOG_SIZE);
	int err;

	if (!skel || !log) {
		free(log);
		cgtrack__destroy(skel);
		return 1;
	}
	if (argc == 4 && !strcmp(argv[1], "v1")) {
		skel->rodata->tracked_v2 = 0;
		skel->rodata->tracked_ssid = atoi(argv[2]);
		skel->rodata->tracked_hierarchy = atoi(argv[3]);
	}
	bpf_object__for_each_program(prog, skel->obj) {
		bpf_program__set_log_level(prog, 1 | 4);
	}
	/* one buffer per load is enough: load programs one by one on failure */
	bpf_program__set_log_buf(skel->progs.cgtrack_mkdir, log, LOG_SIZE);
	err = cgtrack__load(skel);
	if (err) {
		size_t len = strlen(log);
		const char *tail = len > 6000 ? log + len - 6000 : log;

		printf("load failed: %d\n%s\n", err, tail);
		free(log);
		cgtrack__destroy(skel);
		return 1;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		printf("%s: %u insns loaded\n", bpf_program__name(prog),
		       (unsigned)bpf_program__insn_cnt(prog));
	}
	printf("%s\n", strstr(log, "processed") ? strstr(log, "processed") : "");
	cgtrack__destroy(skel);
	free(log);
	return 0;
}
