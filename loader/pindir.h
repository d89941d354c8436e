/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pin directory and its links/ subdirectory, trusted only after a
 * check: bpffs is often mounted world-writable (mode 1777), so another
 * user may have made the directory, or a symlink in its place, before us.
 * Both are opened with O_NOFOLLOW | O_DIRECTORY, every component of the
 * path is checked (owned by root or by us, and writable by nobody else
 * unless sticky), and the directories are changed only through their
 * descriptors (fchmod, fchown, unlinkat).
 */
#ifndef CGTRACK_PINDIR_H
#define CGTRACK_PINDIR_H

#include <stdbool.h>
#include <sys/types.h>

struct pindir {
	int parent;			/* the directory holding it */
	int dir;			/* the pin directory */
	int links;			/* its links/ (-1 if absent) */
	char name[256];			/* its last component */
	const char *path;		/* as given, for messages */
	gid_t gid;			/* --pin-group, or (gid_t)-1 */
};

/*
 * Open the pin directory, and links/ if it exists (create: make the pin
 * directory if missing, with mode 0700, or 0750 and group gid when gid !=
 * (gid_t)-1). Returns 0;
 * 1 when it does not exist and !create; -1 after an error naming the
 * owner or mode problem and the fix.
 */
int pindir_open(struct pindir *pd, const char *path, bool create, gid_t gid);
void pindir_close(struct pindir *pd);

/* Make links/ (the pin directory's mode, without write for others). */
int pindir_make_links(struct pindir *pd);

/*
 * Give a pin made in the directory the directory's group access: an
 * operator who ran `chgrp G DIR; chmod 750 DIR` (or --pin-group) keeps
 * group read access to the pins every load makes anew (bpffs creates
 * them 0600). at: pd->dir or pd->links.
 */
void pindir_share(const struct pindir *pd, int at, const char *name);

/* "cannot be trusted" reasons for a directory's stat, NULL if safe. */
const char *pindir_unsafe(uid_t owner, mode_t mode, bool final);

#endif
