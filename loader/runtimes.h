/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtimes, in one place (loader/runtimes.c): what the parser's
 * values are called, which runtime clients enrichment asks about each, the
 * clients' default sockets and state directories, and the --runtime
 * NAME:PATH names. A new runtime is its value in cgtrack/abi.h, its rule in
 * cgtrack/parser.h and a row here; every list the CLI prints or accepts
 * (list --runtime, --runtime, completion, messages) comes from these rows.
 */
#ifndef CGTRACK_RUNTIMES_H
#define CGTRACK_RUNTIMES_H

#include <stdbool.h>
#include <stddef.h>
#include "cgtrack/abi.h"

/* The runtime clients enrichment has, in the order unknown ids are tried. */
enum rt_kind {
	RT_DOCKER,
	RT_PODMAN,
	RT_CONTAINERD,
	RT_CRIO,
	RT_KINDS,
};

/* A runtime client: what --runtime NAME:PATH configures. */
struct rt_client {
	const char *name;	/* "docker" */
	const char *alias;	/* also accepted ("cri-o"), or NULL */
	const char *path;	/* default socket, or state directory */
	const char *dir_opt;	/* NAME of a second setting ("docker-root"), or NULL */
	const char *dir_default;	/* its default, or NULL */
	enum cgtrack_runtime runtime;	/* what its answers are */
	bool path_is_dir;	/* path is a state directory, not a socket */
};

/* "docker", "containerd", ...; "" for CGTRACK_RT_NONE, "invalid" outside */
const char *runtime_name(int rt);
/* a name or alias runtime_name prints/accepts -> value; -1 if unknown */
int runtime_from_name(const char *name);
/* every runtime's name, space-separated ("docker containerd ...") */
const char *runtime_names(void);

/* The clients to ask about a container whose path says rt, in order. */
int runtime_ask_order(enum cgtrack_runtime rt, enum rt_kind order[RT_KINDS]);

const struct rt_client *rt_client(enum rt_kind k);
/* "docker", "podman", "containerd", "crio" */
const char *rt_kind_name(enum rt_kind k);
enum cgtrack_runtime rt_kind_runtime(enum rt_kind k);
/* the client called name (or its alias), -1 if none */
int rt_kind_of(const char *name);
/* the client whose second setting (dir_opt) is name, -1 if none */
int rt_kind_of_dir_opt(const char *name);

/* A NAME that --runtime NAME:PATH accepts: a client or a client's dir_opt. */
bool runtime_setting_ok(const char *name);
/* those NAMEs, "docker, docker-root, podman, ..., crio" */
const char *runtime_settings(void);

#endif
