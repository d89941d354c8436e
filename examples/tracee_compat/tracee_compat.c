// SPDX-License-Identifier: Apache-2.0
/*
 * tracee_compat: load a tracee-style BPF program against cgtrack's pinned
 * containers_map the way any libbpf loader can, without cgtrack's helper:
 * pin_root_path = cgtrack's pin directory, and the pinned map's capacity.
 * cgtrack keeps that map only when run with --containers-map.
 * Prints "CGROUP_ID STATE" for every container cgroup an exec happened in.
 *
 *   tracee_compat [--pin-dir DIR] [--duration SEC]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgtrack/abi.h"
#include "tracee_compat.skel.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static const char *state_name(__u8 s)
{
	static const char *const names[] = {
		"CONTAINER_UNKNOWN", "CONTAINER_EXISTED", "CONTAINER_CREATED",
		"CONTAINER_STARTED",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "invalid";
}

/* cgtrack's config and containers_map capacity, read from the pins. */
static int read_pins(const char *pin_dir, struct cgtrack_config *cfg, __u32 *max_entries)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), zero = 0;
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, CGTRACK_PIN_CONFIG);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, cfg)) {
		fprintf(stderr, "tracee_compat: cannot read %s: %s (is cgtrack loaded?)\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (cfg->abi_version != CGTRACK_ABI_VERSION) {
		fprintf(stderr, "tracee_compat: the pins in %s are of map ABI v%u, this "
			"build reads v%d\n", pin_dir, cfg->abi_version, CGTRACK_ABI_VERSION);
		return -1;
	}
	if (!(cfg->flags & CGTRACK_CONFIG_CONTAINERS_MAP)) {
		fprintf(stderr, "tracee_compat: the cgtrack of %s does not keep "
			"containers_map: run it with --containers-map\n", pin_dir);
		return -1;
	}
	/* it must exist: libbpf would otherwise create and pin an empty one */
	snprintf(path, sizeof(path), "%s/%s", pin_dir, CGTRACK_PIN_CONTAINERS_MAP);
	fd = bpf_obj_get(path);
	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		fprintf(stderr, "tracee_compat: cannot open %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	*max_entries = info.max_entries;
	return 0;
}

static void print_states(int fd)
{
	__u32 key, next, *pkey = NULL;
	__u8 state;

	printf("%-12s %s\n", "CGROUP_ID", "STATE");
	while (!bpf_map_get_next_key(fd, pkey, &next)) {
		key = next;
		pkey = &key;
		if (!bpf_map_lookup_elem(fd, &key, &state))
			printf("%-12u %s\n", key, state_name(state));
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	const char *pin_dir = CGTRACK_DEFAULT_PIN_DIR;
	struct sigaction sa = { .sa_handler = on_signal };
	struct tracee_compat *skel;
	struct cgtrack_config cfg;
	long duration = 0, waited = 0;
	__u32 max_entries;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pin_dir = optarg;
			break;
		case 'D':
			duration = atol(optarg);
			break;
		case 'h':
			printf("usage: tracee_compat [--pin-dir DIR] [--duration SEC]\n");
			return 0;
		default:
			fprintf(stderr, "usage: tracee_compat [--pin-dir DIR] [--duration SEC]\n");
			return 2;
		}
	}
	if (read_pins(pin_dir, &cfg, &max_entries))
		return 1;

	oo.pin_root_path = pin_dir;
	skel = tracee_compat__open_opts(&oo);
	if (!skel) {
		fprintf(stderr, "tracee_compat: cannot open the BPF object: %s\n",
			strerror(errno));
		return 1;
	}
	/* libbpf reuses a pin only if its definition matches exactly */
	bpf_map__set_max_entries(skel->maps.containers_map, max_entries);
	skel->rodata->cgroup_v1 = cfg.mode == CGTRACK_MODE_V1;
	skel->rodata->cgroup_v1_subsys = cfg.subsys_id;
	if (tracee_compat__load(skel) || tracee_compat__attach(skel)) {
		fprintf(stderr, "tracee_compat: loading or attaching failed: %s\n",
			strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("reading %s/%s like tracee (%s)\n", pin_dir, CGTRACK_PIN_CONTAINERS_MAP,
	       cfg.mode == CGTRACK_MODE_V1 ? "cgroup v1" : "cgroup v2");
	fflush(stdout);
	while (!stopping && (!duration || waited++ < duration))
		sleep(1);
	print_states(bpf_map__fd(skel->maps.seen_states));
	ret = 0;
out:
	tracee_compat__destroy(skel);
	return ret;
}
