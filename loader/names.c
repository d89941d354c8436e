// SPDX-License-Identifier: Apache-2.0
#include <string.h>

#include "names.h"

static const char *const runtimes[CGTRACK_RT_MAX] = {
	[CGTRACK_RT_NONE]	 = "",
	[CGTRACK_RT_UNKNOWN]	 = "unknown",
	[CGTRACK_RT_DOCKER]	 = "docker",
	[CGTRACK_RT_CONTAINERD]	 = "containerd",
	[CGTRACK_RT_CRIO]	 = "crio",
	[CGTRACK_RT_PODMAN]	 = "podman",
	[CGTRACK_RT_GARDEN]	 = "garden",
	[CGTRACK_RT_LXC]	 = "lxc",
	[CGTRACK_RT_LIBVIRT_LXC] = "libvirt-lxc",
	[CGTRACK_RT_ECS]	 = "ecs",
	[CGTRACK_RT_BUILDKIT]	 = "buildkit",
};

const char *runtime_name(int rt)
{
	if (rt < 0 || rt >= CGTRACK_RT_MAX)
		return "invalid";
	return runtimes[rt];
}

int runtime_from_name(const char *name)
{
	int i;

	for (i = 1; i < CGTRACK_RT_MAX; i++)
		if (!strcmp(runtimes[i], name))
			return i;
	return -1;
}

const char *state_name(int state)
{
	switch (state) {
	case CGTRACK_STATE_EXISTED: return "existed";
	case CGTRACK_STATE_CREATED: return "created";
	case CGTRACK_STATE_STARTED: return "started";
	default: return "none";
	}
}
