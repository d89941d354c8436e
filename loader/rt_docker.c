// SPDX-License-Identifier: Apache-2.0
/*
 * docker and podman: GET /containers/<id>/json on the engine's unix socket
 * (podman serves docker's API too). Name without its leading '/', image as
 * Config.Image gives it, pod and container name from the kubelet's labels
 * (dockershim, cri-dockerd), sandbox from io.kubernetes.docker.type.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rt.h"
#include "rt_json.h"

void rt_docker_path(char *out, size_t len, const char *id)
{
	snprintf(out, len, "/containers/%s/json", id);
}

static bool docker_sandbox(struct json_object *labels)
{
	const char *type = rt_json_str(labels, "io.kubernetes.docker.type");
	const char *cname = rt_json_str(labels, "io.kubernetes.container.name");

	return (type && !strcmp(type, "podsandbox")) || (cname && !strcmp(cname, "POD"));
}

int rt_docker_parse(const char *body, size_t len, const char *id,
		    struct cgtrack_info *out, char *err, size_t errlen)
{
	struct json_object *o = rt_json_parse(body, len, err, errlen), *cfg, *labels;
	const char *got, *name;

	if (!o)
		return -EBADMSG;
	got = rt_json_str(o, "Id");
	if (!got) {
		snprintf(err, errlen, "no \"Id\" in the answer");
		json_object_put(o);
		return -EBADMSG;
	}
	if (strcmp(got, id)) {
		/* the engine matched a name or an id prefix: not ours */
		json_object_put(o);
		return -ENOENT;
	}
	cfg = rt_json_obj(o, "Config");
	labels = rt_json_obj(cfg, "Labels");
	memset(out, 0, sizeof(*out));
	if (!rt_k8s_labels(labels, out)) {
		name = rt_json_str(o, "Name");
		if (name && name[0] == '/')
			name++;
		rt_copy(out->name, sizeof(out->name), name);
	}
	rt_copy(out->image, sizeof(out->image), rt_json_str(cfg, "Image"));
	out->sandbox = docker_sandbox(labels);
	json_object_put(o);
	return 0;
}
