// SPDX-License-Identifier: Apache-2.0
/* What the runtime clients share: names, id checks, field copies. */
#include <stdio.h>
#include <string.h>

#include "rt.h"
#include "rt_json.h"

static const struct {
	const char *name;
	enum cgtrack_runtime runtime;
} kinds[RT_KINDS] = {
	[RT_DOCKER]	= { "docker", CGTRACK_RT_DOCKER },
	[RT_PODMAN]	= { "podman", CGTRACK_RT_PODMAN },
	[RT_CONTAINERD]	= { "containerd", CGTRACK_RT_CONTAINERD },
	[RT_CRIO]	= { "crio", CGTRACK_RT_CRIO },
};

const char *rt_kind_name(enum rt_kind k)
{
	return k < RT_KINDS ? kinds[k].name : "?";
}

enum cgtrack_runtime rt_kind_runtime(enum rt_kind k)
{
	return k < RT_KINDS ? kinds[k].runtime : CGTRACK_RT_UNKNOWN;
}

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
