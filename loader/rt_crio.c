// SPDX-License-Identifier: Apache-2.0
/*
 * cri-o: GET /containers/<id> on crio.sock, its inspect endpoint
 * (server/inspect.go, types.ContainerInfo: name, pid, image, image_ref,
 * created_time, labels, annotations, crio_annotations, log_path, root,
 * sandbox, ip_addresses). Pod and container name from the kubelet's
 * labels; a sandbox (infra container) from io.kubernetes.cri-o.ContainerType.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rt.h"
#include "rt_json.h"

#define CRIO_TYPE "io.kubernetes.cri-o.ContainerType"

void rt_crio_path(char *out, size_t len, const char *id)
{
	snprintf(out, len, "/containers/%s", id);
}

static bool crio_sandbox(struct json_object *o, struct json_object *labels)
{
	const char *type = rt_json_str(rt_json_obj(o, "crio_annotations"), CRIO_TYPE);
	const char *cname = rt_json_str(labels, "io.kubernetes.container.name");

	if (!type)
		type = rt_json_str(rt_json_obj(o, "annotations"), CRIO_TYPE);
	return (type && !strcmp(type, "sandbox")) || (cname && !strcmp(cname, "POD"));
}

int rt_crio_parse(const char *body, size_t len, struct cgtrack_info *out, char *err,
		  size_t errlen)
{
	struct json_object *o = rt_json_parse(body, len, err, errlen), *labels;

	if (!o)
		return -EBADMSG;
	if (!rt_json_str(o, "name") && !rt_json_obj(o, "labels")) {
		snprintf(err, errlen, "neither \"name\" nor \"labels\" in the answer");
		json_object_put(o);
		return -EBADMSG;
	}
	labels = rt_json_obj(o, "labels");
	memset(out, 0, sizeof(*out));
	/* "name" is k8s_<container>_<pod>_<ns>_<uid>_<attempt>: the label is better */
	if (!rt_k8s_labels(labels, out))
		rt_copy(out->name, sizeof(out->name), rt_json_str(o, "name"));
	rt_copy(out->image, sizeof(out->image), rt_json_str(o, "image"));
	out->sandbox = crio_sandbox(o, labels);
	json_object_put(o);
	return 0;
}
