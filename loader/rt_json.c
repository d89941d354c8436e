// SPDX-License-Identifier: Apache-2.0
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "rt.h"
#include "rt_json.h"

#define RT_JSON_DEPTH 64

struct json_object *rt_json_parse(const char *body, size_t len, char *err, size_t errlen)
{
	return rt_json_parse_as(body, len, json_type_object, err, errlen);
}

struct json_object *rt_json_parse_as(const char *body, size_t len, enum json_type type,
				     char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new_ex(RT_JSON_DEPTH);
	struct json_object *o;
	enum json_tokener_error jerr;
	size_t end;

	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o = len ? json_tokener_parse_ex(tok, body, (int)len) : NULL;
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!len || jerr == json_tokener_continue) {
		snprintf(err, errlen, "invalid JSON: the response ends after %zu bytes", len);
		goto bad;
	}
	if (!o || jerr != json_tokener_success) {
		snprintf(err, errlen, "invalid JSON at byte %zu: %s", end,
			 json_tokener_error_desc(jerr));
		goto bad;
	}
	for (; end < len; end++) {
		if (!isspace((unsigned char)body[end])) {
			snprintf(err, errlen, "invalid JSON: data after the value at byte %zu",
				 end);
			goto bad;
		}
	}
	if (!json_object_is_type(o, type)) {
		snprintf(err, errlen, "unexpected JSON: a %s, not a%s %s",
			 json_type_to_name(json_object_get_type(o)),
			 type == json_type_object || type == json_type_array ? "n" : "",
			 json_type_to_name(type));
		goto bad;
	}
	return o;
bad:
	json_object_put(o);
	return NULL;
}

const char *rt_json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

struct json_object *rt_json_obj(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

bool rt_k8s_labels(struct json_object *labels, struct cgtrack_info *out)
{
	const char *name = rt_json_str(labels, "io.kubernetes.container.name");

	rt_copy(out->pod_name, sizeof(out->pod_name),
		rt_json_str(labels, "io.kubernetes.pod.name"));
	rt_copy(out->pod_namespace, sizeof(out->pod_namespace),
		rt_json_str(labels, "io.kubernetes.pod.namespace"));
	rt_copy(out->pod_uid, sizeof(out->pod_uid),
		rt_json_str(labels, "io.kubernetes.pod.uid"));
	if (!name)
		return false;
	rt_copy(out->name, sizeof(out->name), name);
	return true;
}
