// SPDX-License-Identifier: Apache-2.0
/* What the runtime clients share: names, id checks, field copies. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt.h"
#include "rt_json.h"

bool rt_id_ok(const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			  "0123456789_.-");

	return n > 0 && n <= CGTRACK_ID_LEN && !id[n] && id[0] != '.';
}

void rt_copy(char *dst, size_t size, const char *src)
{
	size_t i;

	if (!size)
		return;
	for (i = 0; src && src[i] && i + 1 < size; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
	dst[i] = 0;
}

void rt_error_message(const char *body, size_t len, char *out, size_t outlen)
{
	char err[RT_ERR_LEN];
	struct json_object *o = rt_json_parse(body, len, err, sizeof(err));

	rt_copy(out, outlen, rt_json_str(o, "message"));
	json_object_put(o);
	if (!out[0] && len && len < outlen) {
		/* cri-o answers errors in plain text */
		memcpy(out, body, len);
		out[len] = 0;
		out[strcspn(out, "\r\n")] = 0;
		rt_copy(out, outlen, out);
	}
}

static bool plain_name(const char *c)
{
	return c[0] && !strchr(c, '/') && strcmp(c, ".") && strcmp(c, "..");
}

int rt_read_under(const char *root, const char *const *comp, int n, char **buf,
		  size_t *len, char *err, size_t errlen)
{
	int fd, next, i, ret;
	struct stat st;
	size_t got = 0;
	ssize_t r;

	*buf = NULL;
	*len = 0;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	for (i = 0; i < n; i++) {
		int last = i == n - 1;

		if (!plain_name(comp[i])) {
			close(fd);
			return -ENOENT;
		}
		next = openat(fd, comp[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
			      (last ? O_NONBLOCK : O_DIRECTORY));
		if (next < 0) {
			ret = -errno;
			close(fd);
			if (ret == -ENOENT || ret == -ENOTDIR)
				return -ENOENT;
			if (ret == -ELOOP) {
				snprintf(err, errlen, "%s/.../%s is a symbolic link: not read",
					 root, comp[i]);
				return -EBADMSG;
			}
			snprintf(err, errlen, "cannot open %s/.../%s: %s", root, comp[i],
				 strerror(-ret));
			return ret;
		}
		close(fd);
		fd = next;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > RT_BODY_MAX) {
		snprintf(err, errlen, "%s/.../%s is not a regular file of at most %u bytes",
			 root, n ? comp[n - 1] : "", RT_BODY_MAX);
		close(fd);
		return -EBADMSG;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size &&
	       (r = read(fd, *buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)r;
	(*buf)[got] = 0;
	*len = got;
	close(fd);
	return 0;
}
