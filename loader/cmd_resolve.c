// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack resolve MNTNS PATH`: where PATH, as the processes of mount
 * namespace MNTNS see it, is on the host.
 *
 * A live process of the namespace comes from the pinned mntns_pids map
 * (kept by the exec and exit programs) or, when that one is gone, from a
 * scan of /proc. PATH is opened below /proc/PID/root with openat2()'s
 * RESOLVE_IN_ROOT: "..", absolute symlinks and magic links all stay inside
 * the container's root, so a hostile symlink cannot name a host file.
 * The /proc/PID directory is held open from the namespace check to the
 * open, so a recycled pid cannot swap the process underneath.
 *
 * The printed host path is only safe at the moment it was resolved: the
 * container can then replace a directory on it with a symlink, and the
 * same path, opened from the host later, follows that symlink out of the
 * container. --read and --stat act on the descriptor openat2() returned
 * instead, the file that was confined, and never open the path again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <bpf/bpf.h>

#include "clierr.h"
#include "cmd_query.h"
#include "jsonw.h"
#include "log.h"
#include "options.h"
#include "query.h"
#include "textsafe.h"

enum resolve_action { ACT_PATH, ACT_READ, ACT_STAT };

struct resolved {
	uint64_t mntns;
	unsigned long pid;
	const char *how;		/* "map" or "scan" */
	char container_path[PATH_MAX];	/* the file's path inside the namespace */
	char host_path[PATH_MAX + 64];
	int host_visible;		/* host_path needs no /proc/PID/root */
};

/* "4026531840" or "mnt:[4026531840]" */
static int parse_mntns(const char *s, uint64_t *out)
{
	char num[32];
	size_t n;

	if (!strncmp(s, "mnt:[", 5)) {
		n = strlen(s + 5);
		if (n < 2 || n >= sizeof(num) || s[5 + n - 1] != ']')
			return -1;
		snprintf(num, sizeof(num), "%.*s", (int)(n - 1), s + 5);
		s = num;
	}
	return parse_u64(s, out) || *out == 0 || *out > UINT32_MAX ? -1 : 0;
}

/* /proc/PID held open if it is a process of the namespace, else -1. */
static int open_proc_in_ns(unsigned long pid, uint64_t mntns)
{
	char dir[32];
	struct stat st;
	int fd;

	snprintf(dir, sizeof(dir), "/proc/%lu", pid);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstatat(fd, "ns/mnt", &st, 0) || st.st_ino != mntns) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The root directory of one process of the namespace, or -1. */
static int root_of(unsigned long pid, uint64_t mntns)
{
	int pfd = open_proc_in_ns(pid, mntns), rfd;

	if (pfd < 0)
		return -1;
	/* zombies and kernel threads have no root: try another process */
	rfd = openat(pfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	close(pfd);
	return rfd;
}

static int root_from_map(const struct pinned *p, uint64_t mntns, unsigned long *pid)
{
	__u32 key = (__u32)mntns, val;

	if (!p || p->mntns_pids < 0 || bpf_map_lookup_elem(p->mntns_pids, &key, &val))
		return -1;
	*pid = val;
	return root_of(val, mntns);
}

static int root_from_scan(uint64_t mntns, unsigned long *pid)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int fd = -1;

	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		char *end;
		unsigned long n = strtoul(de->d_name, &end, 10);

		if (*end || !n)
			continue;
		fd = root_of(n, mntns);
		if (fd >= 0)
			*pid = n;
	}
	closedir(d);
	return fd;
}

static int fd_path(int fd, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, len - 1);
	if (n < 0)
		return -errno;
	out[n] = 0;
	return 0;
}

/*
 * Paths of the file: inside the namespace (its path minus the root's, both
 * as the kernel names them), and on the host: the kernel's name when that
 * really is the file here, else through /proc/PID/root.
 */
static void name_it(int rootfd, int fd, struct resolved *r)
{
	char root[PATH_MAX], file[PATH_MAX];
	struct stat a, b;
	size_t rl;

	if (fd_path(rootfd, root, sizeof(root)) || fd_path(fd, file, sizeof(file))) {
		snprintf(r->container_path, sizeof(r->container_path), "?");
		snprintf(r->host_path, sizeof(r->host_path), "?");
		return;
	}
	rl = strlen(root);
	if (rl == 1)
		rl = 0;		/* the root is "/" */
	if (!strncmp(file, root, rl) && (file[rl] == '/' || !file[rl]))
		snprintf(r->container_path, sizeof(r->container_path), "%s",
			 file[rl] ? file + rl : "/");
	else
		snprintf(r->container_path, sizeof(r->container_path), "%s", file);
	r->host_visible = !stat(file, &a) && !fstat(fd, &b) && a.st_dev == b.st_dev &&
			  a.st_ino == b.st_ino;
	if (r->host_visible)
		snprintf(r->host_path, sizeof(r->host_path), "%s", file);
	else
		snprintf(r->host_path, sizeof(r->host_path), "/proc/%lu/root%s", r->pid,
			 strcmp(r->container_path, "/") ? r->container_path : "");
}

static int open_in_root(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	return syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* The confined descriptor (O_PATH) of path, named in *r; -1 on failure. */
static int resolve(const struct pinned *p, const char *path, struct resolved *r)
{
	int rootfd, fd;

	r->how = "map";
	rootfd = root_from_map(p, r->mntns, &r->pid);
	if (rootfd < 0) {
		r->how = "scan";
		rootfd = root_from_scan(r->mntns, &r->pid);
	}
	if (rootfd < 0) {
		cli_error("resolve", "mount namespace %llu has no live "
			"process, so its files cannot be reached (gone, or not a mount "
			"namespace)", (unsigned long long)r->mntns);
		return -1;
	}
	fd = open_in_root(rootfd, path);
	if (fd < 0) {
		cli_error("resolve", "%s in mount namespace %llu (via pid "
			"%lu): %s", path, (unsigned long long)r->mntns, r->pid,
			errno == ENOSYS ? "openat2() needs Linux 5.6 or newer" :
			strerror(errno));
		close(rootfd);
		return -1;
	}
	name_it(rootfd, fd, r);
	close(rootfd);
	return fd;
}

/*
 * Copy the confined file to stdout. The O_PATH descriptor is reopened for
 * reading through its /proc/self/fd link, which names that very file (no
 * path walk); only regular files, so a FIFO cannot block us and a device
 * is never opened.
 */
static int read_confined(int fd, const char *path)
{
	char link[64], buf[65536];
	struct stat st;
	ssize_t n;
	int rfd;

	if (fstat(fd, &st)) {
		cli_error("resolve", "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		cli_error("resolve", "%s is not a regular file (--read "
			"reads regular files only; --stat tells what it is)", path);
		return -1;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	rfd = open(link, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0) {
		cli_error("resolve", "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(rfd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			break;
	if (n < 0)
		cli_error("resolve", "reading %s: %s", path, strerror(errno));
	close(rfd);
	return n < 0 || fflush(stdout) ? -1 : 0;
}

static const char *file_type(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return "regular";
	case S_IFDIR: return "directory";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char-device";
	case S_IFBLK: return "block-device";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "socket";
	default: return "unknown";
	}
}

static void stat_json(struct jsonw *w, const struct stat *st)
{
	char mode[8];

	snprintf(mode, sizeof(mode), "%04o", (unsigned int)(st->st_mode & 07777));
	jsonw_name(w, "stat");
	jsonw_start_object(w);
	jsonw_str_field(w, "type", file_type(st->st_mode));
	jsonw_str_field(w, "mode", mode);
	jsonw_u64_field(w, "size", st->st_size);
	jsonw_u64_field(w, "uid", st->st_uid);
	jsonw_u64_field(w, "gid", st->st_gid);
	jsonw_u64_field(w, "inode", st->st_ino);
	jsonw_u64_field(w, "dev_major", major(st->st_dev));
	jsonw_u64_field(w, "dev_minor", minor(st->st_dev));
	jsonw_u64_field(w, "nlink", st->st_nlink);
	jsonw_end_object(w);
}

static void stat_text(const struct stat *st, const struct resolved *r)
{
	printf("type %s mode %04o size %llu uid %u gid %u inode %llu dev %u:%u "
	       "nlink %llu path ", file_type(st->st_mode),
	       (unsigned int)(st->st_mode & 07777), (unsigned long long)st->st_size,
	       st->st_uid, st->st_gid, (unsigned long long)st->st_ino,
	       major(st->st_dev), minor(st->st_dev), (unsigned long long)st->st_nlink);
	text_fputs(stdout, r->container_path, sizeof(r->container_path));
	putchar('\n');
}

static void print_json(const struct resolved *r, const char *path, const struct stat *st)
{
	struct jsonw *w = jsonw_new(stdout);

	jsonw_start_object(w);
	jsonw_u64_field(w, "mntns", r->mntns);
	jsonw_str_field(w, "path", path);
	jsonw_u64_field(w, "pid", r->pid);
	jsonw_str_field(w, "pid_from", r->how);
	jsonw_str_field(w, "container_path", r->container_path);
	jsonw_str_field(w, "host_path", r->host_path);
	jsonw_bool_field(w, "via_proc_root", !r->host_visible);
	if (st)
		stat_json(w, st);
	jsonw_end_object(w);
	jsonw_destroy(w);
	putchar('\n');
}

/* What to do with the confined descriptor: name, read or stat it. */
static int act_on(int fd, enum resolve_action act, bool json, const struct resolved *r,
		  const char *path)
{
	struct stat st;

	switch (act) {
	case ACT_READ:
		return read_confined(fd, path);
	case ACT_STAT:
		if (fstat(fd, &st)) {
			cli_error("resolve", "%s: %s", path, strerror(errno));
			return -1;
		}
		if (json)
			print_json(r, path, &st);
		else
			stat_text(&st, r);
		return 0;
	default:
		if (json) {
			print_json(r, path, NULL);
		} else {
			/* names in a container are its own: no raw controls */
			text_fputs(stdout, r->host_path, sizeof(r->host_path));
			putchar('\n');
		}
		return 0;
	}
}

int cmd_resolve(const struct common_opts *co)
{
	enum resolve_action act;
	struct resolved r = { 0 };
	struct pinned p, *pp = NULL;
	const char *path;
	char pin[PATH_MAX];
	int rc, fd;

	if (co->read && co->stat) {
		cli_error("resolve", "give --read or --stat, not both");
		return 2;
	}
	act = co->read ? ACT_READ : co->stat ? ACT_STAT : ACT_PATH;
	if (co->argc != 2 || parse_mntns(co->argv[0], &r.mntns)) {
		cli_error("resolve", "give a mount namespace (its inode "
			"number, as in /proc/PID/ns/mnt) and an absolute path");
		return 2;
	}
	if (act == ACT_READ && co->json) {
		cli_error("resolve", "--read prints the file's bytes, "
			"--json does not go with it");
		return 2;
	}
	path = co->argv[1];
	if (path[0] != '/') {
		cli_error("resolve", "the path must be absolute in its mount "
			"namespace, got %s%s%s", path[0] ? "'" : "an empty path",
			path, path[0] ? "'" : "");
		return 2;
	}
	/* without cgtrack loaded, the /proc scan still answers */
	pins_path(pin, sizeof(pin), co->pin_dir, CGTRACK_PIN_MNTNS_PIDS);
	if (!access(pin, F_OK) && !pins_open(co->pin_dir, false, &p))
		pp = &p;
	else
		log_debug("%s is not pinned: finding a process by scanning /proc", pin);
	fd = resolve(pp, path, &r);
	rc = fd < 0 || act_on(fd, act, co->json, &r, path) ? 1 : 0;
	if (fd >= 0)
		close(fd);
	if (pp)
		pins_close(pp);
	return rc;
}
