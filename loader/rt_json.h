/* SPDX-License-Identifier: Apache-2.0 */
/* json-c helpers shared by the runtime clients (loader/rt_*.c). */
#ifndef CGTRACK_RT_JSON_H
#define CGTRACK_RT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>
#include "cgtrack/abi.h"

/*
 * Parse exactly len bytes as one JSON object (only whitespace may follow
 * it). NULL with a reason in err if it is not one; json_object_put() the
 * result.
 */
struct json_object *rt_json_parse(const char *body, size_t len, char *err, size_t errlen);
/* The same for a value of another type (json_type_array...). */
struct json_object *rt_json_parse_as(const char *body, size_t len, enum json_type type,
				     char *err, size_t errlen);

/* o[key] if it is a string / an object, else NULL (o may be NULL). */
const char *rt_json_str(struct json_object *o, const char *key);
struct json_object *rt_json_obj(struct json_object *o, const char *key);

/*
 * Pod name, namespace and uid from the kubelet's io.kubernetes.pod.*
 * labels, and the container name from io.kubernetes.container.name when
 * there is one (returns true then). labels may be NULL.
 */
bool rt_k8s_labels(struct json_object *labels, struct cgtrack_info *out);

#endif
