// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgid.h"

#define FILEID_KERNFS 0xfe

int cgid_path(const char *mount, uint64_t cgid, char *out, size_t len)
{
	struct {
		struct file_handle fh;
		/* cppcheck-suppress unusedStructMember ; room for fh.f_handle[] */
		uint64_t id;
	} h = { .fh = { .handle_bytes = sizeof(uint64_t), .handle_type = FILEID_KERNFS } };
	char link[64], target[4096];
	size_t mlen = strlen(mount);
	ssize_t n;
	int mfd, fd, err = 0;

	memcpy(h.fh.f_handle, &cgid, sizeof(cgid));
	mfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return -errno;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		close(mfd);
		return err;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		err = -errno;
	} else {
		target[n] = 0;
		while (mlen > 1 && mount[mlen - 1] == '/')
			mlen--;
		if (!strncmp(target, mount, mlen) && (target[mlen] == '/' || !target[mlen]))
			snprintf(out, len, "%s", target[mlen] ? target + mlen : "/");
		else
			snprintf(out, len, "%s", target);
	}
	close(fd);
	close(mfd);
	return err;
}
