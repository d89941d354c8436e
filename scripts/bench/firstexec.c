// SPDX-License-Identifier: Apache-2.0
/*
 * Bench consumer loader: attach firstexec.bpf.c against cgtrack's pins
 * (cgtrack_consumer_use_pins), print "ready" once attached, and on SIGINT
 * or SIGTERM print one JSON object per container cgroup whose first exec
 * was seen:
 *   {"key":K,"cgroup_id":N,"id":"<container id>","created_ns":N,
 *    "exec_ns":N,"info_ns":N,"present":true|false,
 *    "app_exec_ns":N,"app_info_ns":N,"app_present":true|false}
 * (app_: the first exec that is not runc's re-exec of /proc/self/exe; 0
 * and false if none was seen)
 *
 *   firstexec [--pin-dir DIR]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgtrack/consumer.h"
#include "firstexec.skel.h"

struct first_exec {
	__u64 cgroup_id, created_ns, exec_ns, info_ns, app_exec_ns, app_info_ns;
	__u8 present, app_present;
	char container_id[CGTRACK_ID_LEN + 1];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

int main(int argc, char **argv)
{
	const char *pin_dir = CGTRACK_DEFAULT_PIN_DIR;
	struct sigaction sa = { .sa_handler = on_signal };
	__u32 key, next, *pkey = NULL;
	struct firstexec *skel;
	struct first_exec f;
	char err[512];
	int fd;

	if (argc == 3 && !strcmp(argv[1], "--pin-dir")) {
		pin_dir = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: firstexec [--pin-dir DIR]\n");
		return 2;
	}
	skel = firstexec__open();
	if (!skel) {
		fprintf(stderr, "firstexec: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	if (cgtrack_consumer_use_pins(skel->obj, pin_dir, err, sizeof(err))) {
		fprintf(stderr, "firstexec: %s\n", err);
		goto fail;
	}
	if (firstexec__load(skel) || firstexec__attach(skel)) {
		fprintf(stderr, "firstexec: cannot load or attach: %s\n", strerror(errno));
		goto fail;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	fd = bpf_map__fd(skel->maps.first_execs);
	while (!bpf_map_get_next_key(fd, pkey, &next)) {
		key = next;
		pkey = &key;
		if (bpf_map_lookup_elem(fd, &key, &f))
			continue;
		f.container_id[CGTRACK_ID_LEN] = 0;
		printf("{\"key\":%u,\"cgroup_id\":%llu,\"id\":\"%s\",\"created_ns\":%llu,"
		       "\"exec_ns\":%llu,\"info_ns\":%llu,\"present\":%s,"
		       "\"app_exec_ns\":%llu,\"app_info_ns\":%llu,\"app_present\":%s}\n", key,
		       (unsigned long long)f.cgroup_id,
		       strspn(f.container_id, "0123456789abcdefABCDEF") ==
		       strlen(f.container_id) ? f.container_id : "",
		       (unsigned long long)f.created_ns, (unsigned long long)f.exec_ns,
		       (unsigned long long)f.info_ns, f.present ? "true" : "false",
		       (unsigned long long)f.app_exec_ns, (unsigned long long)f.app_info_ns,
		       f.app_present ? "true" : "false");
	}
	firstexec__destroy(skel);
	return 0;
fail:
	firstexec__destroy(skel);
	return 1;
}
