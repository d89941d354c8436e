// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pindir.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

const char *pindir_unsafe(uid_t owner, mode_t mode, bool final)
{
	if (owner != 0 && owner != geteuid())
		return "owned by another user, who can remove or replace what is in it";
	if (!(mode & (S_IWGRP | S_IWOTH)))
		return NULL;
	/* in a sticky directory others cannot rename or remove our entries */
	if (!final && (mode & S_ISVTX))
		return NULL;
	return "writable by group or others, who can remove or replace what is in it";
}

/* fd of a directory just opened at path (part: where the walk stands). */
static int check_dir(int fd, const char *path, const char *part, bool final)
{
	const char *why;
	struct stat st;

	if (fstat(fd, &st)) {
		log_err("cannot stat %s: %s", part, strerror(errno));
		return -1;
	}
	why = pindir_unsafe(st.st_uid, st.st_mode, final);
	if (!why)
		return 0;
	if (final)
		log_err("refusing the pin directory %s: it is %s (uid %u, mode %04o); "
			"cgtrack uses only a directory owned by root and not writable by "
			"group or others: remove it (rm -r %s) so that cgtrack makes its "
			"own, or fix it (chown root %s; chmod go-w %s)", part, why,
			(unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), part, part, part);
	else
		log_err("refusing the pin directory %s: %s on its path is %s (uid %u, "
			"mode %04o): choose a --pin-dir under a directory that only root "
			"can change", path, part, why, (unsigned)st.st_uid,
			(unsigned)(st.st_mode & 07777));
	return -1;
}

/* Open name at `at`, refusing symlinks and non-directories by name. */
static int open_dir(int at, const char *name, const char *part)
{
	int fd = openat(at, name, DIR_FLAGS);
	struct stat st;

	if (fd >= 0 || errno == ENOENT)
		return fd;
	if (errno == ELOOP || errno == ENOTDIR)
		log_err("refusing %s: it is %s, not a directory (someone may have "
			"put it there to redirect cgtrack's pins): remove it (rm %s) "
			"and start again", part,
			!fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode) ?
			"a symbolic link" : "not a directory", part);
	else if (errno == EACCES)
		log_err("cannot open %s: %s (using the pin directory needs search and "
			"write permission on it, which cgtrack gives root only; no "
			"capability is needed)", part, strerror(errno));
	else
		log_err("cannot open %s: %s", part, strerror(errno));
	return -1;
}

/* Make dir `name` at `at` if missing, then open and check it. */
static int make_or_open(int at, const char *name, const char *part, bool create,
			mode_t mode, bool final, const char *path)
{
	int fd;

	if (create && mkdirat(at, name, mode) && errno != EEXIST) {
		log_err("cannot create %s: %s", part, strerror(errno));
		return -1;
	}
	fd = open_dir(at, name, part);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -1;
	if (check_dir(fd, path, part, final)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Group access on request: the directory first, then what it holds. */
static int set_group(int fd, const char *part, gid_t gid)
{
	if (gid == (gid_t)-1)
		return 0;
	if (fchown(fd, (uid_t)-1, gid) || fchmod(fd, 0750)) {
		log_err("cannot give group %u access to %s: %s", (unsigned)gid, part,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Walk path from "/", checking each directory; leaves parent and dir open. */
static int walk(struct pindir *pd, const char *path, bool create)
{
	char part[4096];
	const char *p = path, *end;
	int at, fd;
	size_t n;

	at = open("/", DIR_FLAGS);
	if (at < 0 || check_dir(at, path, "/", false))
		goto fail;
	for (;;) {
		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (!n || n >= sizeof(pd->name))
			break;
		memcpy(pd->name, p, n);
		pd->name[n] = 0;
		snprintf(part, sizeof(part), "%.*s", (int)(end - path), path);
		while (*end == '/')
			end++;
		if (!*end)
			break;		/* pd->name is the last component */
		fd = make_or_open(at, pd->name, part, create, 0755, false, path);
		if (fd < 0)
			goto fail_at;
		close(at);
		at = fd;
		p = end;
	}
	if (!n || n >= sizeof(pd->name) || !strcmp(pd->name, "..") ||
	    !strcmp(pd->name, ".")) {
		log_err("the pin directory %s is not a usable absolute path", path);
		goto fail;
	}
	pd->parent = at;
	return 0;
fail_at:
	close(at);
	return fd == -ENOENT ? 1 : -1;
fail:
	if (at >= 0)
		close(at);
	return -1;
}

static int open_links(struct pindir *pd, bool create);

int pindir_open(struct pindir *pd, const char *path, bool create, gid_t gid)
{
	mode_t mode = gid == (gid_t)-1 ? 0700 : 0750;
	int r;

	memset(pd, 0, sizeof(*pd));
	pd->parent = pd->dir = pd->links = -1;
	pd->path = path;
	r = walk(pd, path, create);
	if (r)
		return r;
	pd->dir = make_or_open(pd->parent, pd->name, path, create, mode, true, path);
	if (pd->dir < 0) {
		r = pd->dir == -ENOENT ? 1 : -1;
		pd->dir = -1;
		pindir_close(pd);
		return r;
	}
	pd->gid = gid;
	if (set_group(pd->dir, path, gid) || open_links(pd, false)) {
		pindir_close(pd);
		return -1;
	}
	return 0;
}

/* links/ is made when the first link is pinned, like the pin directory. */
static int open_links(struct pindir *pd, bool create)
{
	char links[4096];
	struct stat st;
	int fd;

	if (fstat(pd->dir, &st))
		return -1;
	snprintf(links, sizeof(links), "%s/links", pd->path);
	fd = make_or_open(pd->dir, "links", links, create, st.st_mode & 0750, true,
			  pd->path);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return -1;
	if (set_group(fd, links, pd->gid)) {
		close(fd);
		return -1;
	}
	pd->links = fd;
	return 0;
}

int pindir_make_links(struct pindir *pd)
{
	if (pd->links >= 0)
		return 0;
	return open_links(pd, true) || pd->links < 0 ? -1 : 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void pindir_close(struct pindir *pd)
{
	close_fd(&pd->links);
	close_fd(&pd->dir);
	close_fd(&pd->parent);
}

void pindir_share(const struct pindir *pd, int at, const char *name)
{
	struct stat st;

	if (at < 0 || fstat(pd->dir, &st) || !(st.st_mode & S_IRGRP))
		return;
	/* read access only: write on a link pin would let the group detach it */
	if (fchownat(at, name, (uid_t)-1, st.st_gid, AT_SYMLINK_NOFOLLOW) ||
	    fchmodat(at, name, 0640, 0))
		log_warn("cannot give the group of %s read access to its pin %s: %s",
			 pd->path, name, strerror(errno));
}
