// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: the runtimes' replies (loader/rt_*.c), which a runtime
 * socket (or whoever sits on it) controls entirely. Every input goes
 * through each pure parser: docker/podman inspect, cri-o inspect,
 * containerd's OCI config.json, podman's containers.json, and the
 * error-message extractor.
 *
 * Properties: nothing crashes or leaks (ASan/LSan); the body is read
 * within its length (it is not NUL-terminated here); the return is 0,
 * -ENOENT or -EBADMSG; on success every string of struct cgtrack_info is
 * NUL-terminated inside its field and free of control bytes, and the
 * padding is zero; on failure the error is a terminated string.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "rt.h"

#define ID "5aaf9eb7648eeb1459d86eaa0ace8bcfa93089642e5c3113a14250dae3238aaf"

static void check_str(const char *who, const char *what, const char *s, size_t size)
{
	size_t n = strnlen(s, size), i;

	if (n == size)
		fuzz_fail("%s: %s not NUL-terminated", who, what);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			fuzz_fail("%s: %s holds control byte 0x%02x", who, what,
				  (unsigned char)s[i]);
}

static void check(const char *who, int r, const struct cgtrack_info *in,
		  const char *err, size_t errlen)
{
	if (r != 0 && r != -ENOENT && r != -EBADMSG)
		fuzz_fail("%s: returned %d", who, r);
	if (r == -EBADMSG && !memchr(err, 0, errlen))
		fuzz_fail("%s: error message not terminated", who);
	if (r)
		return;
	check_str(who, "name", in->name, sizeof(in->name));
	check_str(who, "image", in->image, sizeof(in->image));
	check_str(who, "pod_name", in->pod_name, sizeof(in->pod_name));
	check_str(who, "pod_namespace", in->pod_namespace, sizeof(in->pod_namespace));
	check_str(who, "pod_uid", in->pod_uid, sizeof(in->pod_uid));
	if (in->__pad0[0] | in->__pad0[1] | in->__pad0[2] |
	    in->__pad1[0] | in->__pad1[1] | in->__pad1[2])
		fuzz_fail("%s: padding not zero", who);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct cgtrack_info info;
	char err[RT_ERR_LEN], msg[256], tiny[4];
	int r;

	if (size > RT_BODY_MAX)
		return 0;

	memset(&info, 0xa5, sizeof(info));
	memset(err, 'x', sizeof(err));
	r = rt_docker_parse(body, size, ID, &info, err, sizeof(err));
	check("docker", r, &info, err, sizeof(err));

	memset(&info, 0xa5, sizeof(info));
	memset(err, 'x', sizeof(err));
	r = rt_crio_parse(body, size, &info, err, sizeof(err));
	check("crio", r, &info, err, sizeof(err));
	if (r == -ENOENT)
		fuzz_fail("crio: -ENOENT from a parser that takes no id");

	/* takes an id: -ENOENT when no record holds it is an answer */
	memset(&info, 0xa5, sizeof(info));
	memset(err, 'x', sizeof(err));
	r = rt_podman_storage_parse(body, size, ID, &info, err, sizeof(err));
	check("podman record", r, &info, err, sizeof(err));

	memset(&info, 0xa5, sizeof(info));
	memset(err, 'x', sizeof(err));
	r = rt_containerd_parse(body, size, &info, err, sizeof(err));
	check("containerd", r, &info, err, sizeof(err));
	if (r == -ENOENT)
		fuzz_fail("containerd: -ENOENT from a parser that takes no id");

	/* a tiny error buffer: truncated, still a string */
	memset(tiny, 'x', sizeof(tiny));
	r = rt_docker_parse(body, size, ID, &info, tiny, sizeof(tiny));
	check("docker (tiny err)", r, &info, tiny, sizeof(tiny));

	memset(msg, 'x', sizeof(msg));
	rt_error_message(body, size, msg, sizeof(msg));
	check_str("error message", "message", msg, sizeof(msg));
	memset(tiny, 'x', sizeof(tiny));
	rt_error_message(body, size, tiny, sizeof(tiny));
	check_str("error message (tiny)", "message", tiny, sizeof(tiny));
	return 0;
}
