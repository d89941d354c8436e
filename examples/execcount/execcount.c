// SPDX-License-Identifier: Apache-2.0
/*
 * execcount: execs per container, counted by a BPF program that asks
 * cgtrack's pinned maps (include/cgtrack/consumer.bpf.h) which container
 * each exec'ing task is in. Prints the counts at each --interval and when
 * stopped (Ctrl-C, SIGTERM or --duration).
 *
 *   execcount [--pin-dir DIR] [--interval SEC] [--duration SEC] [--no-helper]
 *
 * --no-helper takes the README's route without cgtrack_consumer_use_pins():
 * libbpf reuses the pins by name (pin_root_path), which it does only when
 * the header's map definitions equal the pinned maps' (type, sizes, flags,
 * max_entries).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgtrack/consumer.h"
#include "execcount.skel.h"

struct exec_key {
	char container_id[CGTRACK_ID_LEN + 1];
};

struct row {
	struct exec_key k;
	__u64 n;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->k.container_id, y->k.container_id);
}

static void print_counts(int map_fd)
{
	struct exec_key key, next, *pkey = NULL;
	struct row *rows = NULL, *nr;
	size_t n = 0, cap = 0, i;

	while (!bpf_map_get_next_key(map_fd, pkey, &next)) {
		key = next;
		pkey = &key;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nr = realloc(rows, cap * sizeof(*rows));
			if (!nr)
				break;
			rows = nr;
		}
		rows[n].k = key;
		if (!bpf_map_lookup_elem(map_fd, &key, &rows[n].n))
			n++;
	}
	if (n)	/* qsort(NULL, 0, ...) is undefined: glibc declares it nonnull */
		qsort(rows, n, sizeof(*rows), cmp_rows);
	printf("%-10s %s\n", "EXECS", "CONTAINER");
	for (i = 0; i < n; i++)
		printf("%-10llu %s\n", (unsigned long long)rows[i].n,
		       rows[i].k.container_id[0] ? rows[i].k.container_id : "(host)");
	fflush(stdout);
	free(rows);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: execcount [--pin-dir DIR] [--interval SEC] [--duration SEC]\n"
		"  --pin-dir DIR   cgtrack's pin directory (default %s)\n"
		"  --interval SEC  print the counts every SEC seconds (default: at exit)\n"
		"  --duration SEC  stop after SEC seconds (default: at Ctrl-C/SIGTERM)\n"
		"  --no-helper     reuse the pins through libbpf's pin_root_path, not\n"
		"                  cgtrack_consumer_use_pins()\n",
		CGTRACK_DEFAULT_PIN_DIR);
}

static int parse_secs(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *end || end == s || *out < 0 ? -1 : 0;
}

/*
 * The capacity cgtrack was loaded with (its `config` pin), or 0 with a
 * message: also tells that cgtrack is loaded at all. Without that check
 * libbpf would create and pin look-alike maps in an empty pin directory.
 */
static __u32 pinned_capacity(const char *pin_dir)
{
	struct cgtrack_config cfg;
	char path[4096];
	__u32 zero = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, CGTRACK_PIN_CONFIG);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "execcount: cannot open %s: %s (is cgtrack loaded?)\n",
			path, strerror(errno));
		return 0;
	}
	if (bpf_map_lookup_elem(fd, &zero, &cfg) || cfg.abi_version != CGTRACK_ABI_VERSION) {
		fprintf(stderr, "execcount: %s: unreadable, or another map ABI\n", path);
		cfg.max_entries = 0;
	}
	close(fd);
	return cfg.max_entries;
}

/*
 * The route without the helper: containers and info are pinned by name
 * below pin_root_path; cgtrack_config's pin is "config"; max_entries must
 * be the pinned maps' (cgtrack --max-entries), or libbpf refuses them.
 */
static struct execcount *open_by_hand(const char *pin_dir)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = pin_dir);
	struct execcount *skel;
	char path[4096];
	__u32 cap = pinned_capacity(pin_dir);

	if (!cap)
		return NULL;
	skel = execcount__open_opts(&oo);
	if (!skel) {
		fprintf(stderr, "execcount: cannot open the BPF object: %s\n", strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", pin_dir, CGTRACK_PIN_CONFIG);
	if (bpf_map__set_pin_path(skel->maps.cgtrack_config, path) ||
	    bpf_map__set_max_entries(skel->maps.containers, cap) ||
	    bpf_map__set_max_entries(skel->maps.info, cap)) {
		fprintf(stderr, "execcount: cannot set up the maps: %s\n", strerror(errno));
		execcount__destroy(skel);
		return NULL;
	}
	return skel;
}

/* The recommended route: the helper checks the ABI and reuses the pins. */
static struct execcount *open_with_helper(const char *pin_dir)
{
	struct execcount *skel = execcount__open();
	char err[512];

	if (!skel) {
		fprintf(stderr, "execcount: cannot open the BPF object: %s\n", strerror(errno));
		return NULL;
	}
	/* before load: our view of cgtrack's maps becomes the pinned maps */
	if (cgtrack_consumer_use_pins(skel->obj, pin_dir, err, sizeof(err))) {
		fprintf(stderr, "execcount: %s\n", err);
		execcount__destroy(skel);
		return NULL;
	}
	return skel;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pin-dir", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'D' },
		{ "no-helper", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pin_dir = CGTRACK_DEFAULT_PIN_DIR;
	struct sigaction sa = { .sa_handler = on_signal };
	long interval = 0, duration = 0, waited = 0;
	struct execcount *skel;
	int c, ret = 1, by_hand = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pin_dir = optarg;
			break;
		case 'i':
		case 'D':
			if (parse_secs(optarg, c == 'i' ? &interval : &duration)) {
				fprintf(stderr, "execcount: %s wants whole seconds, got '%s'\n",
					c == 'i' ? "--interval" : "--duration", optarg);
				return 2;
			}
			break;
		case 'n':
			by_hand = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}

	skel = by_hand ? open_by_hand(pin_dir) : open_with_helper(pin_dir);
	if (!skel)
		return 1;
	if (execcount__load(skel)) {
		fprintf(stderr, "execcount: loading the BPF program failed: %s\n",
			strerror(errno));
		goto out;
	}
	if (execcount__attach(skel)) {
		fprintf(stderr, "execcount: attaching to sched_process_exec failed: %s\n",
			strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("counting execs per container (cgtrack pins: %s)\n", pin_dir);
	fflush(stdout);
	while (!stopping && (!duration || waited < duration)) {
		sleep(1);
		waited++;
		if (interval && waited % interval == 0 && !stopping)
			print_counts(bpf_map__fd(skel->maps.exec_counts));
	}
	print_counts(bpf_map__fd(skel->maps.exec_counts));
	ret = 0;
out:
	execcount__destroy(skel);
	return ret;
}
