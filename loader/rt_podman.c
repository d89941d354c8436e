// SPDX-License-Identifier: Apache-2.0
/*
 * podman's record of a container, written when the container is created,
 * long before its process starts: containers/storage's containers.json
 * under podman's graph root (<root>/<driver>-containers/containers.json),
 * one object per container with its "names" and a "metadata" string that
 * libpod fills with {"image-name", "image-id", "name", "created-at"}.
 * podman's API answers only once the container's start is over, and
 * podman keeps the rest (labels, pods) in its database only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "rt_json.h"

/* The container object of id in the array, or NULL. */
static struct json_object *find_container(struct json_object *arr, const char *id)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(arr, i);
		const char *cid = rt_json_str(c, "id");

		if (cid && !strcmp(cid, id))
			return c;
	}
	return NULL;
}

/* libpod's metadata: a JSON object inside a JSON string. */
static void metadata(struct json_object *c, struct cgtrack_info *out)
{
	const char *md = rt_json_str(c, "metadata");
	struct json_object *m;
	char err[RT_ERR_LEN];

	if (!md)
		return;
	m = rt_json_parse(md, strlen(md), err, sizeof(err));
	if (!m)
		return;
	if (!out->name[0])
		rt_copy(out->name, sizeof(out->name), rt_json_str(m, "name"));
	rt_copy(out->image, sizeof(out->image), rt_json_str(m, "image-name"));
	json_object_put(m);
}

/* One container's object: 0, or -EBADMSG when it names nothing. */
static int entry_info(struct json_object *c, struct cgtrack_info *out)
{
	struct json_object *names;

	memset(out, 0, sizeof(*out));
	if (json_object_object_get_ex(c, "names", &names) &&
	    json_object_is_type(names, json_type_array) && json_object_array_length(names))
		rt_copy(out->name, sizeof(out->name),
			json_object_get_string(json_object_array_get_idx(names, 0)));
	metadata(c, out);
	return out->name[0] ? 0 : -EBADMSG;
}

int rt_podman_storage_parse(const char *body, size_t len, const char *id,
			    struct cgtrack_info *out, char *err, size_t errlen)
{
	struct json_object *arr = rt_json_parse_as(body, len, json_type_array, err, errlen);
	struct json_object *c;
	int ret;

	if (!arr)
		return -EBADMSG;
	c = find_container(arr, id);
	ret = c ? entry_info(c, out) : -ENOENT;
	json_object_put(arr);
	if (ret == -EBADMSG)
		snprintf(err, errlen, "container %.12s has no name in containers.json", id);
	return ret;
}

/* The record's bytes, from the first storage driver's directory that has one. */
static int read_record(const char *root, char **buf, size_t *len, char *err, size_t errlen)
{
	/* the storage drivers podman can use; overlay is the default */
	static const char *const dirs[] = {
		"overlay-containers", "vfs-containers", "btrfs-containers", "zfs-containers",
	};
	const char *path[2];
	size_t i;
	int ret = -ENOENT;

	err[0] = 0;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && ret == -ENOENT; i++) {
		path[0] = dirs[i];
		path[1] = "containers.json";
		ret = rt_read_under(root, path, 2, buf, len, err, errlen);
	}
	return ret;
}

int rt_podman_storage_lookup(const char *root, const char *id, struct cgtrack_info *out,
			     char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (!rt_id_ok(id))
		return -ENOENT;
	ret = read_record(root, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = rt_podman_storage_parse(buf, len, id, out, err, errlen);
	free(buf);
	return ret;
}

int rt_podman_storage_each(const char *root, rt_record_fn fn, void *ctx, char *err,
			   size_t errlen)
{
	struct json_object *arr;
	struct cgtrack_info inf;
	char *buf = NULL;
	size_t len = 0, i, n;
	int ret;

	ret = read_record(root, &buf, &len, err, errlen);
	if (ret)
		return ret;
	arr = rt_json_parse_as(buf, len, json_type_array, err, errlen);
	free(buf);
	if (!arr)
		return -EBADMSG;
	n = json_object_array_length(arr);
	for (i = 0; i < n && !ret; i++) {
		struct json_object *c = json_object_array_get_idx(arr, i);
		const char *id = rt_json_str(c, "id");

		if (id && rt_id_ok(id) && !entry_info(c, &inf))
			ret = fn(ctx, id, &inf);
	}
	json_object_put(arr);
	return ret;
}
