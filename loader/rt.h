/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runtime clients for enrichment: what docker, podman, containerd and
 * cri-o say about one container, turned into a struct cgtrack_info.
 *
 * The parsers are pure functions of the bytes received (no I/O, no global
 * state), so they can be unit-tested and fuzzed on their own. Each returns
 *   0        the container was found; *out is filled
 *   -ENOENT  the answer is about another container (or none)
 *   -EBADMSG the answer is not what this runtime sends; err says why
 */
#ifndef CGTRACK_RT_H
#define CGTRACK_RT_H

#include <stdbool.h>
#include <stddef.h>
#include "cgtrack/abi.h"
#include "runtimes.h"	/* enum rt_kind, the clients' names */

#define RT_BODY_MAX		(1u << 20)	/* response size cap: 1 MiB */
#define RT_ERR_LEN		256


/*
 * A container id that is safe to put in a URL or a file name: 1 to 64
 * characters of [A-Za-z0-9_.-], not starting with '.'.
 */
bool rt_id_ok(const char *id);

/* Copy a string into a fixed field, "" for NULL; control bytes become '?'. */
void rt_copy(char *dst, size_t size, const char *src);

/* docker and podman: GET /containers/<id>/json (podman's compat API). */
void rt_docker_path(char *out, size_t len, const char *id);
int rt_docker_parse(const char *body, size_t len, const char *id,
		    struct cgtrack_info *out, char *err, size_t errlen);

/*
 * docker's own record, <root>/containers/<id>/config.v2.json (root: its
 * data root), written when the container is created: name, image, labels
 * before the process starts (the inspect API blocks until then). id must
 * pass rt_id_ok; the file is read by rt_read_under. 0, -ENOENT, -EBADMSG
 * or -errno (err says what).
 */
int rt_docker_config_parse(const char *body, size_t len, const char *id,
			   struct cgtrack_info *out, char *err, size_t errlen);
int rt_docker_config_lookup(const char *root, const char *id, struct cgtrack_info *out,
			    char *err, size_t errlen);

/*
 * Read root/comp[0]/.../comp[n-1], a regular file of at most RT_BODY_MAX
 * bytes, into a malloc'd NUL-terminated *buf. Every component is a plain
 * name (no '/', not "." or ".."), opened with O_NOFOLLOW relative to the
 * previous directory, so no symbolic link below root is followed. 0,
 * -ENOENT (a component is missing or not a directory), -EBADMSG (not a
 * regular file, too big, a link) or -errno; err says what.
 */
int rt_read_under(const char *root, const char *const *comp, int n, char **buf,
		  size_t *len, char *err, size_t errlen);

/*
 * podman's record, containers/storage's <root>/<driver>-containers/
 * containers.json (root: its graph root), written at create time: name
 * and image before the process starts (the API answers after the start).
 * Same returns as rt_docker_config_lookup.
 */
int rt_podman_storage_parse(const char *body, size_t len, const char *id,
			    struct cgtrack_info *out, char *err, size_t errlen);
int rt_podman_storage_lookup(const char *root, const char *id, struct cgtrack_info *out,
			     char *err, size_t errlen);
/* fn on every named container of the record, until it returns != 0 */
typedef int (*rt_record_fn)(void *ctx, const char *id, struct cgtrack_info *inf);
int rt_podman_storage_each(const char *root, rt_record_fn fn, void *ctx, char *err,
			   size_t errlen);

/* cri-o: GET /containers/<id> (its inspect endpoint, ContainerInfo). */
void rt_crio_path(char *out, size_t len, const char *id);
int rt_crio_parse(const char *body, size_t len, struct cgtrack_info *out, char *err,
		  size_t errlen);

/* The "message" of a docker-style JSON error body, or "" (for logs). */
void rt_error_message(const char *body, size_t len, char *out, size_t outlen);

/* containerd: the OCI bundle's config.json (CRI annotations). */
int rt_containerd_parse(const char *body, size_t len, struct cgtrack_info *out,
			char *err, size_t errlen);
/* docker's namespace in containerd: never answered for as containerd's */
#define RT_CONTAINERD_DOCKER_NS	"moby"

/*
 * Find <state>/io.containerd.runtime.v2.task/<ns>/<id>/config.json (also
 * the v1 runtime's directory), trying namespace ns_hint first (may be
 * NULL), then every namespace directory; read it (at most RT_BODY_MAX
 * bytes) and parse it. ns_out (may be NULL) gets the namespace found.
 * Returns 0, -ENOENT (no bundle), -EBADMSG, or -errno (err says what).
 */
int rt_containerd_lookup(const char *state, const char *ns_hint, const char *id,
			 struct cgtrack_info *out, char *ns_out, size_t ns_len,
			 char *err, size_t errlen);

#endif
