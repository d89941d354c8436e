// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "pins.h"
#include "procfs.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX], *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Is the pin dir, or the nearest ancestor that exists, on bpffs? */
static bool on_bpffs(const char *pin_dir)
{
	char path[PATH_MAX], *slash;
	struct statfs st;

	snprintf(path, sizeof(path), "%s", pin_dir);
	for (;;) {
		if (!statfs(path, &st))
			return st.f_type == BPF_FS_MAGIC;
		slash = strrchr(path, '/');
		if (errno != ENOENT || !slash || slash == path)
			return false;
		*slash = 0;
	}
}

/*
 * Mount bpffs on root, through a descriptor opened without following a
 * symlink: a link planted at a pin path must not move the mount.
 */
static int mount_bpffs(const char *root)
{
	char target[64];
	int fd, err = 0;

	if (mkdir_p(root, 0755)) {
		log_err("cannot create %s: %s", root, strerror(errno));
		return -1;
	}
	fd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_err("refusing to mount bpffs on %s: %s (a symbolic link or not a "
			"directory)", root, strerror(errno));
		return -1;
	}
	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	/* like systemd: only root may enter it */
	if (mount("bpf", target, "bpf", 0, "mode=0700")) {
		err = errno;
		log_err("bpffs is not mounted on %s and mounting it failed: %s%s",
			root, strerror(err), err == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
	}
	close(fd);
	if (err)
		return -1;
	log_info("mounted bpffs on %s (mode 0700)", root);
	return 0;
}

#define BPFFS_STD "/sys/fs/bpf"

/*
 * bpffs belongs at /sys/fs/bpf: mount it there when it is missing. A pin
 * directory elsewhere must already be on bpffs; mounting one there would
 * load a second copy of the programs that nobody else finds, and the
 * mount would outlive `cgtrack unload`.
 */
int pins_ensure_bpffs(const char *pin_dir)
{
	size_t n = strlen(BPFFS_STD);
	struct stat st;

	/* something other than a directory there: pindir_open says what */
	if (!lstat(pin_dir, &st) && !S_ISDIR(st.st_mode))
		return 0;
	if (on_bpffs(pin_dir))
		return 0;
	if (!strncmp(pin_dir, BPFFS_STD, n) && (pin_dir[n] == '/' || !pin_dir[n]))
		return mount_bpffs(BPFFS_STD);
	log_err("--pin-dir %s is not on bpffs: cgtrack mounts bpffs only at %s; "
		"choose a directory under a mounted bpffs (mount -t bpf bpf DIR)",
		pin_dir, BPFFS_STD);
	return -1;
}

void pins_path(char *out, size_t len, const char *pin_dir, const char *name)
{
	snprintf(out, len, "%s/%s", pin_dir, name);
}

int pins_ncpus(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n > 0 ? n : 1;
}

static int unprivileged_bpf_disabled(void)
{
	return procfs_read_int("/proc/sys/kernel/unprivileged_bpf_disabled", -1);
}

static int open_one(const char *pin_dir, const char *name, bool write, bool required)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts, .file_flags = write ? 0 : BPF_F_RDONLY);
	char path[PATH_MAX];
	int fd;

	pins_path(path, sizeof(path), pin_dir, name);
	fd = bpf_obj_get_opts(path, &opts);
	if (fd >= 0 || !required)
		return fd;
	if (errno == ENOENT)
		log_err("%s is not pinned: is cgtrack running or loaded "
			"(cgtrack run / cgtrack load), and is --pin-dir right?", path);
	else if (errno == EACCES)
		/* bpffs checks file permissions: no capability needed */
		log_err("cannot open %s: %s (%s the pins needs %s permission on %s "
			"and its files, which cgtrack creates 0700/0600 for root; "
			"a group can be given access with chgrp and chmod)", path,
			strerror(EACCES), write ? "writing" : "reading",
			write ? "read and write" : "read", pin_dir);
	else if (errno == EPERM)
		/* before Linux 5.19 every bpf() call is gated by the sysctl */
		log_err("cannot open %s: %s (this kernel allows bpf() only with "
			"CAP_BPF or CAP_SYS_ADMIN while kernel.unprivileged_bpf_disabled "
			"is %d; from Linux 5.19 on, only file permissions)", path,
			strerror(EPERM), unprivileged_bpf_disabled());
	else
		log_err("cannot open %s: %s", path, strerror(errno));
	return -1;
}

/*
 * Whoever inserts must count in the filter, or the kernel would take the
 * entry for absent: writers map it or fail.
 */
static int filter_map(const char *pin_dir, struct pinned *p)
{
	void *m;

	p->filter = open_one(pin_dir, CGTRACK_PIN_FILTER, true, false);
	if (p->filter < 0 && errno != ENOENT)	/* the reason, said as for any pin */
		p->filter = open_one(pin_dir, CGTRACK_PIN_FILTER, true, true);
	else if (p->filter < 0)
		log_err("%s/%s is missing: pins of an incompatible build (run `cgtrack "
			"unload`, or `cgtrack run --replace`)", pin_dir, CGTRACK_PIN_FILTER);
	if (p->filter < 0)
		return -1;
	m = mmap(NULL, sizeof(struct cgtrack_filter), PROT_READ | PROT_WRITE, MAP_SHARED,
		 p->filter, 0);
	if (m == MAP_FAILED) {
		log_err("cannot map %s/%s: %s", pin_dir, CGTRACK_PIN_FILTER, strerror(errno));
		return -1;
	}
	p->filter_counts = m;
	return 0;
}

void pins_filter_add(const struct pinned *p, __u32 key)
{
	if (p->filter_counts)
		__atomic_fetch_add(&p->filter_counts[CGTRACK_FILTER_SLOT(key)], 1,
				   __ATOMIC_SEQ_CST);
}

/* never below 0: entries written by hand were not counted */
void pins_filter_sub(const struct pinned *p, __u32 key)
{
	__u32 *c, v;

	if (!p->filter_counts)
		return;
	c = &p->filter_counts[CGTRACK_FILTER_SLOT(key)];
	v = __atomic_load_n(c, __ATOMIC_SEQ_CST);
	while (v && !__atomic_compare_exchange_n(c, &v, v - 1, false, __ATOMIC_SEQ_CST,
						 __ATOMIC_SEQ_CST))
		;
}

int pins_open(const char *pin_dir, bool write, struct pinned *p)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info), zero = 0;

	memset(p, 0, sizeof(*p));
	p->containers_map = p->config = p->stats = p->info = p->mntns_pids = p->pending = -1;
	p->filter = -1;
	p->containers = open_one(pin_dir, CGTRACK_PIN_CONTAINERS, write, true);
	if (p->containers < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(p->containers, &info, &len) == 0) {
		if (info.value_size != sizeof(struct cgtrack_container) ||
		    info.key_size != sizeof(__u32)) {
			log_err("%s/%s has value size %u, this cgtrack expects %zu: "
				"pins of an incompatible build (run `cgtrack unload`, "
				"or `cgtrack run --replace`)",
				pin_dir, CGTRACK_PIN_CONTAINERS, info.value_size,
				sizeof(struct cgtrack_container));
			pins_close(p);
			return -1;
		}
		p->max_entries = info.max_entries;
	}
	p->containers_map = open_one(pin_dir, CGTRACK_PIN_CONTAINERS_MAP, write, false);
	p->config = open_one(pin_dir, CGTRACK_PIN_CONFIG, write, false);
	p->stats = open_one(pin_dir, CGTRACK_PIN_STATS, write, false);
	p->info = open_one(pin_dir, CGTRACK_PIN_INFO, write, false);
	p->mntns_pids = open_one(pin_dir, CGTRACK_PIN_MNTNS_PIDS, write, false);
	p->pending = write ? open_one(pin_dir, CGTRACK_PIN_PENDING, write, false) : -1;
	if (write && filter_map(pin_dir, p)) {
		pins_close(p);
		return -1;
	}
	if (p->config >= 0 && !bpf_map_lookup_elem(p->config, &zero, &p->cfg)) {
		/* whoever may write the pins may leave these unterminated */
		p->cfg.controller[sizeof(p->cfg.controller) - 1] = 0;
		p->cfg.mount[sizeof(p->cfg.mount) - 1] = 0;
	}
	return 0;
}

void pins_close(struct pinned *p)
{
	int *slots[] = {
		&p->containers, &p->containers_map, &p->config, &p->stats, &p->info,
		&p->mntns_pids, &p->pending, &p->filter,
	};
	size_t i;

	if (p->filter_counts)
		munmap(p->filter_counts, sizeof(struct cgtrack_filter));
	p->filter_counts = NULL;
	for (i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		int *fd = slots[i];

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

int entries_each(const struct pinned *p, entry_fn fn, void *ctx)
{
	struct cgtrack_container e;
	__u32 key, next, *pkey = NULL;
	int r;

	while (!bpf_map_get_next_key(p->containers, pkey, &next)) {
		key = next;
		pkey = &key;
		/* deleted between the two calls: skip it */
		if (bpf_map_lookup_elem(p->containers, &key, &e))
			continue;
		r = fn(ctx, key, &e);
		if (r)
			return r;
	}
	return 0;
}

int infos_each(const struct pinned *p, info_fn fn, void *ctx)
{
	struct cgtrack_info inf;
	__u32 key, next, *pkey = NULL;
	int r;

	if (p->info < 0)
		return 0;
	while (!bpf_map_get_next_key(p->info, pkey, &next)) {
		key = next;
		pkey = &key;
		if (bpf_map_lookup_elem(p->info, &key, &inf))
			continue;
		r = fn(ctx, key, &inf);
		if (r)
			return r;
	}
	return 0;
}

__u64 pins_stat(const struct pinned *p, enum cgtrack_stat idx)
{
	int n = pins_ncpus(), i;
	__u64 *vals, sum = 0;
	__u32 key = idx;

	if (p->stats < 0)
		return 0;
	vals = calloc(n, sizeof(*vals));
	if (!vals)
		return 0;
	if (!bpf_map_lookup_elem(p->stats, &key, vals))
		for (i = 0; i < n; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

/* Userspace owns these counters' CPU 0 slot; the kernel never writes them. */
void pins_stat_add(int stats_fd, enum cgtrack_stat idx, __u64 delta)
{
	int n = pins_ncpus();
	__u32 key = idx;
	__u64 *vals;

	if (stats_fd < 0 || !delta)
		return;
	vals = calloc(n, sizeof(*vals));
	if (!vals)
		return;
	if (!bpf_map_lookup_elem(stats_fd, &key, vals)) {
		vals[0] += delta;
		bpf_map_update_elem(stats_fd, &key, vals, BPF_ANY);
	}
	free(vals);
}
