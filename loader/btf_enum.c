// SPDX-License-Identifier: Apache-2.0
/*
 * One enum value from raw BTF, in a single pass over the type section.
 *
 * The loader needs one number from the kernel's BTF before the load (a v1
 * controller's index in enum cgroup_subsys_id). btf__parse() validates and
 * indexes all of vmlinux's types for that: ~35 ms here, and libbpf parses
 * the same file again for CO-RE a moment later. Walking the records to the
 * one enum takes a few ms. Anything this walk does not know (a newer BTF
 * kind, a short or odd file) is -EINVAL: the caller asks libbpf then.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/btf.h>

#include "btf_enum.h"

#define BTF_MAX_FILE	(256u << 20)

/* Bytes after struct btf_type for a kind; -1 for a kind we do not know. */
static long kind_extra(__u32 kind, __u32 vlen)
{
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC: case BTF_KIND_FLOAT: case BTF_KIND_TYPE_TAG:
		return 0;
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return (long)vlen * 12;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO:
		return (long)vlen * 8;
	default:
		return -1;
	}
}

/* The string at off, or NULL if it is not a NUL-terminated one inside. */
static const char *str_at(const char *strs, __u32 len, __u32 off)
{
	if (off >= len || !memchr(strs + off, 0, len - off))
		return NULL;
	return strs + off;
}

int btf_enum_value_in(const void *data, size_t size, const char *enum_name,
		      const char *value_name, long long *value)
{
	const struct btf_header *h = data;
	const unsigned char *p, *end;
	const char *strs;

	if (size < sizeof(*h) || h->magic != BTF_MAGIC || h->version != BTF_VERSION ||
	    h->hdr_len < sizeof(*h) || h->hdr_len > size ||
	    (size_t)h->type_off + h->type_len > size - h->hdr_len ||
	    (size_t)h->str_off + h->str_len > size - h->hdr_len || h->type_off % 4)
		return -EINVAL;
	p = (const unsigned char *)data + h->hdr_len + h->type_off;
	end = p + h->type_len;
	strs = (const char *)data + h->hdr_len + h->str_off;
	while (p < end) {
		const struct btf_type *t = (const void *)p;
		__u32 kind, vlen, i;
		const char *name;
		long extra;

		if ((size_t)(end - p) < sizeof(*t))
			return -EINVAL;
		kind = BTF_INFO_KIND(t->info);
		vlen = BTF_INFO_VLEN(t->info);
		extra = kind_extra(kind, vlen);
		if (extra < 0 || (size_t)(end - p) - sizeof(*t) < (size_t)extra)
			return -EINVAL;
		p += sizeof(*t) + extra;
		if (kind != BTF_KIND_ENUM && kind != BTF_KIND_ENUM64)
			continue;
		name = str_at(strs, h->str_len, t->name_off);
		if (!name || strcmp(name, enum_name))
			continue;
		for (i = 0; i < vlen; i++) {
			const __u32 *e = (const void *)((const char *)(t + 1) +
							(size_t)(kind == BTF_KIND_ENUM ? 8 : 12) * i);

			name = str_at(strs, h->str_len, e[0]);
			if (!name || strcmp(name, value_name))
				continue;
			if (kind == BTF_KIND_ENUM)
				*value = BTF_INFO_KFLAG(t->info) ? (long long)(__s32)e[1] :
								    (long long)e[1];
			else
				*value = (long long)((__u64)e[2] << 32 | e[1]);
			return 0;
		}
		return -ENOENT;
	}
	return -ENOENT;
}

int btf_enum_value(const char *path, const char *enum_name, const char *value_name,
		   long long *value)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	void *buf;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs gives the BTF's size; a short read is -EINVAL (libbpf then) */
	if (fstat(fd, &st) || st.st_size <= 0 || (size_t)st.st_size > BTF_MAX_FILE) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, (char *)buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	err = got == (size_t)st.st_size ?
	      btf_enum_value_in(buf, got, enum_name, value_name, value) : -EINVAL;
	free(buf);
	return err;
}
