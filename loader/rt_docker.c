// SPDX-License-Identifier: Apache-2.0
/*
 * docker and podman: GET /containers/<id>/json on the engine's unix socket
 * (podman serves docker's API too); docker also from the file it writes at
 * create time, <data-root>/containers/<id>/config.v2.json (same fields),
 * readable while the API waits for the container's start to finish. Name without its leading '/', image as
 * Config.Image gives it, pod and container name from the kubelet's labels
 * (dockershim, cri-dockerd), sandbox from io.kubernetes.docker.type.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The inspect answer ("Id") and config.v2.json ("ID") have the same fields. */
static int docker_parse(const char *body, size_t len, const char *id, const char *id_key,
			struct cgtrack_info *out, char *err, size_t errlen)
{
	struct json_object *o = rt_json_parse(body, len, err, errlen), *cfg, *labels;
	const char *got, *name;

	if (!o)
		return -EBADMSG;
	got = rt_json_str(o, id_key);
	if (!got) {
		snprintf(err, errlen, "no \"%s\" in the answer", id_key);
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

int rt_docker_parse(const char *body, size_t len, const char *id,
		    struct cgtrack_info *out, char *err, size_t errlen)
{
	return docker_parse(body, len, id, "Id", out, err, errlen);
}

int rt_docker_config_parse(const char *body, size_t len, const char *id,
			   struct cgtrack_info *out, char *err, size_t errlen)
{
	return docker_parse(body, len, id, "ID", out, err, errlen);
}

int rt_docker_config_lookup(const char *root, const char *id, struct cgtrack_info *out,
			    char *err, size_t errlen)
{
	const char *const path[] = { "containers", id, "config.v2.json" };
	char *buf = NULL;
	size_t len = 0;
	int ret;

	err[0] = 0;
	if (!rt_id_ok(id))
		return -ENOENT;
	ret = rt_read_under(root, path, 3, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = rt_docker_config_parse(buf, len, id, out, err, errlen);
	free(buf);
	return ret;
}
