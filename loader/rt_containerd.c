// SPDX-License-Identifier: Apache-2.0
/*
 * containerd, without gRPC: the running task's OCI bundle in containerd's
 * state directory, <state>/io.containerd.runtime.v2.task/<ns>/<id>/
 * config.json, whose annotations the CRI plugin fills (container name,
 * image, pod, container type). Containers made without the CRI (ctr,
 * nerdctl) have none of them: they get an entry with the runtime only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt.h"
#include "rt_json.h"

#define CRI "io.kubernetes.cri."

static const char *const task_dirs[] = {
	"io.containerd.runtime.v2.task",
	"io.containerd.runtime.v1.linux",
};

int rt_containerd_parse(const char *body, size_t len, struct cgtrack_info *out,
			char *err, size_t errlen)
{
	struct json_object *o = rt_json_parse(body, len, err, errlen), *ann;
	const char *type, *name;

	if (!o)
		return -EBADMSG;
	if (!rt_json_str(o, "ociVersion")) {
		snprintf(err, errlen, "not an OCI runtime config: no \"ociVersion\"");
		json_object_put(o);
		return -EBADMSG;
	}
	ann = rt_json_obj(o, "annotations");
	memset(out, 0, sizeof(*out));
	name = rt_json_str(ann, CRI "container-name");
	if (!name)
		name = rt_json_str(ann, "nerdctl/name");
	rt_copy(out->name, sizeof(out->name), name);
	rt_copy(out->image, sizeof(out->image), rt_json_str(ann, CRI "image-name"));
	rt_copy(out->pod_name, sizeof(out->pod_name), rt_json_str(ann, CRI "sandbox-name"));
	rt_copy(out->pod_namespace, sizeof(out->pod_namespace),
		rt_json_str(ann, CRI "sandbox-namespace"));
	rt_copy(out->pod_uid, sizeof(out->pod_uid), rt_json_str(ann, CRI "sandbox-uid"));
	type = rt_json_str(ann, CRI "container-type");
	out->sandbox = type && !strcmp(type, "sandbox");
	json_object_put(o);
	return 0;
}

/*
 * One namespace: 0 and the parsed bundle, -ENOENT, or an error. "moby" is
 * docker's: its containers' bundles name nothing, and the container is
 * docker's (its record and API answer for it), never containerd's.
 */
static int try_ns(const char *state, const char *ns, const char *id,
		  struct cgtrack_info *out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t i, len = 0;
	int ret = -ENOENT;

	if (!rt_id_ok(ns) || !strcmp(ns, RT_CONTAINERD_DOCKER_NS))
		return -ENOENT;
	/* no symbolic link below the state directory is followed */
	for (i = 0; i < sizeof(task_dirs) / sizeof(task_dirs[0]) && ret == -ENOENT; i++) {
		const char *const path[] = { task_dirs[i], ns, id, "config.json" };

		free(buf);
		buf = NULL;
		ret = rt_read_under(state, path, 4, &buf, &len, err, errlen);
	}
	if (ret)
		return ret;
	ret = rt_containerd_parse(buf, len, out, err, errlen);
	free(buf);
	return ret;
}

/* Every namespace directory of one task dir. */
static int scan_ns(const char *state, const char *task_dir, const char *id,
		   struct cgtrack_info *out, char *ns_out, size_t ns_len, char *err,
		   size_t errlen)
{
	char path[PATH_MAX];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", state, task_dir);
	d = opendir(path);
	if (!d)
		return -ENOENT;
	while (ret == -ENOENT && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ret = try_ns(state, de->d_name, id, out, err, errlen);
		if (!ret && ns_out)
			snprintf(ns_out, ns_len, "%s", de->d_name);
	}
	closedir(d);
	return ret;
}

int rt_containerd_lookup(const char *state, const char *ns_hint, const char *id,
			 struct cgtrack_info *out, char *ns_out, size_t ns_len,
			 char *err, size_t errlen)
{
	size_t i;
	int ret = -ENOENT;

	err[0] = 0;
	if (!rt_id_ok(id))
		return -ENOENT;
	if (ns_hint && ns_hint[0]) {
		ret = try_ns(state, ns_hint, id, out, err, errlen);
		if (!ret && ns_out)
			snprintf(ns_out, ns_len, "%s", ns_hint);
	}
	for (i = 0; i < sizeof(task_dirs) / sizeof(task_dirs[0]) && ret == -ENOENT; i++)
		ret = scan_ns(state, task_dirs[i], id, out, ns_out, ns_len, err, errlen);
	return ret;
}
