// SPDX-License-Identifier: Apache-2.0
/*
 * floorload OBJ: load a BPF object, attach every program (by its SEC), print
 * "NAME ID" per program and "ready", then hold the links until SIGTERM or
 * SIGINT, or until the parent dies. Nothing is pinned: nothing outlives
 * this process.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_object *obj;
	struct bpf_program *prog;
	sigset_t block, old;

	if (argc != 2) {
		fprintf(stderr, "usage: floorload OBJ\n");
		return 2;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)
		return 1;
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || libbpf_get_error(obj)) {
		fprintf(stderr, "floorload: cannot open %s\n", argv[1]);
		return 1;
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "floorload: cannot load %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *l = bpf_program__attach(prog);
		struct bpf_prog_info info;
		__u32 len = sizeof(info);

		if (!l || libbpf_get_error(l)) {
			fprintf(stderr, "floorload: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
		memset(&info, 0, sizeof(info));
		bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len);
		printf("%s %u\n", bpf_program__name(prog), info.id);
	}
	printf("ready\n");
	fflush(stdout);
	/* the links are released with the object (or with the process) */
	while (!stop)
		sigsuspend(&old);
	bpf_object__close(obj);
	return 0;
}
