/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_BTF_ENUM_H
#define CGTRACK_BTF_ENUM_H

#include <stddef.h>

/*
 * The value of enumerator value_name of enum enum_name in raw BTF (data of
 * size bytes, or the file at path): 0 and *value, -ENOENT if there is no
 * such enum or value, -EINVAL for BTF this walk does not understand (the
 * caller then asks libbpf), another negative errno if path cannot be read.
 */
int btf_enum_value_in(const void *data, size_t size, const char *enum_name,
		      const char *value_name, long long *value);
int btf_enum_value(const char *path, const char *enum_name, const char *value_name,
		   long long *value);

#endif
