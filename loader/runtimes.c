// SPDX-License-Identifier: Apache-2.0
/* The runtimes' one table: see runtimes.h. */
#include <stdio.h>
#include <string.h>

#include "runtimes.h"

/* The runtime clients: how to ask each, and where by default. */
static const struct rt_client clients[RT_KINDS] = {
	[RT_DOCKER] = {
		.name = "docker", .runtime = CGTRACK_RT_DOCKER,
		.path = "/var/run/docker.sock",
		.dir_opt = "docker-root", .dir_default = "/var/lib/docker",
	},
	[RT_PODMAN] = {
		.name = "podman", .runtime = CGTRACK_RT_PODMAN,
		.path = "/run/podman/podman.sock",
		.dir_opt = "podman-root", .dir_default = "/var/lib/containers/storage",
	},
	[RT_CONTAINERD] = {
		.name = "containerd", .runtime = CGTRACK_RT_CONTAINERD,
		.path = "/run/containerd", .path_is_dir = true,
		.dir_opt = "containerd-state",
	},
	[RT_CRIO] = {
		.name = "crio", .alias = "cri-o", .runtime = CGTRACK_RT_CRIO,
		.path = "/var/run/crio/crio.sock",
	},
};

/* The parser's values: their names, and the clients that can answer. */
struct runtime_row {
	const char *name;
	const char *alias;
	unsigned char n_ask;
	enum rt_kind ask[RT_KINDS];
};

static const struct runtime_row runtimes[CGTRACK_RT_MAX] = {
	[CGTRACK_RT_NONE]	 = { "" },
	/* an id and nothing else: any client may know it */
	[CGTRACK_RT_UNKNOWN]	 = { "unknown", NULL, 4,
				     { RT_DOCKER, RT_PODMAN, RT_CONTAINERD, RT_CRIO } },
	[CGTRACK_RT_DOCKER]	 = { "docker", NULL, 1, { RT_DOCKER } },
	/* kubepods/<qos>/pod<uid>/<id> is containerd's or dockershim's */
	[CGTRACK_RT_CONTAINERD]	 = { "containerd", NULL, 2, { RT_CONTAINERD, RT_DOCKER } },
	[CGTRACK_RT_CRIO]	 = { "crio", "cri-o", 1, { RT_CRIO } },
	[CGTRACK_RT_PODMAN]	 = { "podman", NULL, 1, { RT_PODMAN } },
	/* no client: the path says all there is */
	[CGTRACK_RT_GARDEN]	 = { "garden" },
	[CGTRACK_RT_LXC]	 = { "lxc" },
	[CGTRACK_RT_LIBVIRT_LXC] = { "libvirt-lxc" },
	[CGTRACK_RT_ECS]	 = { "ecs" },
	[CGTRACK_RT_BUILDKIT]	 = { "buildkit" },
	/* kata_<sandbox id>: the CRI sandbox's id, known to containerd or CRI-O */
	[CGTRACK_RT_KATA]	 = { "kata", NULL, 2, { RT_CONTAINERD, RT_CRIO } },
	[CGTRACK_RT_MESOS]	 = { "mesos" },
	[CGTRACK_RT_NOMAD]	 = { "nomad" },
	[CGTRACK_RT_NSPAWN]	 = { "nspawn" },
};

const char *runtime_name(int rt)
{
	if (rt < 0 || rt >= CGTRACK_RT_MAX || !runtimes[rt].name)
		return "invalid";
	return runtimes[rt].name;
}

int runtime_from_name(const char *name)
{
	int i;

	for (i = CGTRACK_RT_UNKNOWN; i < CGTRACK_RT_MAX; i++) {
		const struct runtime_row *r = &runtimes[i];

		if (r->name && (!strcmp(r->name, name) ||
				(r->alias && !strcmp(r->alias, name))))
			return i;
	}
	return -1;
}

const char *runtime_names(void)
{
	static char buf[512];
	size_t n = 0;
	int i;

	if (buf[0])
		return buf;
	for (i = CGTRACK_RT_UNKNOWN; i < CGTRACK_RT_MAX && n < sizeof(buf); i++)
		if (runtimes[i].name)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? " " : "",
				      runtimes[i].name);
	return buf;
}

int runtime_ask_order(enum cgtrack_runtime rt, enum rt_kind order[RT_KINDS])
{
	int i, n;

	if ((int)rt < 0 || rt >= CGTRACK_RT_MAX)
		return 0;
	n = runtimes[rt].n_ask;
	for (i = 0; i < n; i++)
		order[i] = runtimes[rt].ask[i];
	return n;
}

const struct rt_client *rt_client(enum rt_kind k)
{
	return k < RT_KINDS ? &clients[k] : NULL;
}

const char *rt_kind_name(enum rt_kind k)
{
	return k < RT_KINDS ? clients[k].name : "?";
}

enum cgtrack_runtime rt_kind_runtime(enum rt_kind k)
{
	return k < RT_KINDS ? clients[k].runtime : CGTRACK_RT_UNKNOWN;
}

int rt_kind_of(const char *name)
{
	int k;

	for (k = 0; k < RT_KINDS; k++)
		if (!strcmp(name, clients[k].name) ||
		    (clients[k].alias && !strcmp(name, clients[k].alias)))
			return k;
	return -1;
}

int rt_kind_of_dir_opt(const char *name)
{
	int k;

	for (k = 0; k < RT_KINDS; k++)
		if (clients[k].dir_opt && !strcmp(name, clients[k].dir_opt))
			return k;
	return -1;
}

bool runtime_setting_ok(const char *name)
{
	return rt_kind_of(name) >= 0 || rt_kind_of_dir_opt(name) >= 0;
}

const char *runtime_settings(void)
{
	static char buf[256];
	size_t n = 0;
	int k;

	if (buf[0])
		return buf;
	for (k = 0; k < RT_KINDS && n < sizeof(buf); k++) {
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", k ? ", " : "", clients[k].name);
		if (clients[k].dir_opt && n < sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - n, ", %s", clients[k].dir_opt);
	}
	return buf;
}
