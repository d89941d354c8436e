// SPDX-License-Identifier: Apache-2.0
/*
 * Cgroup mode detection from /proc/self/mountinfo and /proc/self/cgroup.
 * v2 hierarchy id is always 0; a v1 controller's subsystem index comes
 * from the kernel's BTF (enum cgroup_subsys_id).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "btf_enum.h"
#include "cgmode.h"
#include "log.h"

#define VMLINUX_BTF	"/sys/kernel/btf/vmlinux"

/* v1 fallbacks when cpuset has no hierarchy (Debian 6.12: no v1 cpuset) */
static const char *const v1_fallbacks[] = {
	"cpuset", "pids", "cpu", "memory", "devices", "freezer", "blkio",
	"name=systemd", NULL,
};

/* Does a comma-separated option list contain opt? */
static int has_opt(const char *list, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = list;

	while (p && *p) {
		if (!strncmp(p, opt, n) && (p[n] == ',' || p[n] == 0))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

/*
 * Find the mount of a hierarchy in mountinfo: fstype "cgroup2", or "cgroup"
 * with the controller among its super options. Picks the mount whose root
 * is "/" (a bind mount of a subtree cannot show the whole hierarchy).
 */
static int find_mount(const char *fstype, const char *controller, char *out, size_t len)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		char root[PATH_MAX], mnt[PATH_MAX], fs[64], src[256], sopts[1024];
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*d %*d %*s %4095s %4095s", root, mnt) != 2)
			continue;
		if (sscanf(sep + 3, "%63s %255s %1023s", fs, src, sopts) != 3)
			continue;
		if (strcmp(fs, fstype) || strcmp(root, "/"))
			continue;
		if (controller && !has_opt(sopts, controller))
			continue;
		snprintf(out, len, "%s", mnt);
		found = 1;
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

/*
 * Subsystem id of a v1 controller, or -1: the value of <name>_cgrp_id in
 * the kernel's enum cgroup_subsys_id (vmlinux BTF). Not the line number in
 * /proc/cgroups: newer kernels leave out of that file the controllers not
 * available on v1 (CONFIG_CPUSETS_V1/CONFIG_MEMCG_V1 unset: Debian's 7.2
 * lists neither cpuset nor memory, its 6.12 still does), which shifts every
 * controller after them: STARTED and consumers then read the wrong css.
 */
static int subsys_index(const char *controller)
{
	char name[96];
	const struct btf_type *t;
	const struct btf_enum *e;
	struct btf *btf;
	int id, i, found = -1;
	long long v;

	/* v1 knows the io controller by its legacy name */
	snprintf(name, sizeof(name), "%s_cgrp_id",
		 strcmp(controller, "blkio") ? controller : "io");
	/* one pass over the raw types; libbpf's whole parse only if that fails */
	switch (btf_enum_value(VMLINUX_BTF, "cgroup_subsys_id", name, &v)) {
	case 0:
		return v >= 0 && v < INT_MAX ? (int)v : -1;
	case -ENOENT:
		return -1;
	}
	/* no BTF: the load says so, libbpf need not warn here too */
	btf = access(VMLINUX_BTF, R_OK) ? NULL : btf__load_vmlinux_btf();
	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, e = t ? btf_enum(t) : NULL; t && i < btf_vlen(t); i++, e++) {
		if (!strcmp(btf__name_by_offset(btf, e->name_off), name)) {
			found = (int)e->val;
			break;
		}
	}
	btf__free(btf);
	return found;
}

/* Hierarchy id of a v1 controller (or name=X) from /proc/self/cgroup. */
static int v1_hierarchy_id(const char *controller)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int id = -1;

	if (!f)
		return -1;
	while (id < 0 && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		*c2 = 0;
		if (has_opt(c1 + 1, controller))
			id = atoi(line);
	}
	fclose(f);
	return id > 0 ? id : -1;
}

static int detect_v2(struct tracked_hierarchy *out)
{
	if (find_mount("cgroup2", NULL, out->mount, sizeof(out->mount))) {
		log_err("cgroup v2 requested but no cgroup2 filesystem is mounted "
			"(see /proc/self/mountinfo)");
		return -1;
	}
	out->mode = CGTRACK_MODE_V2;
	out->hierarchy_id = 0;
	out->ssid = -1;
	snprintf(out->controller, sizeof(out->controller), "cgroup2");
	return 0;
}

static int try_v1(const char *controller, struct tracked_hierarchy *out)
{
	int hid;

	if (find_mount("cgroup", controller, out->mount, sizeof(out->mount)))
		return -1;
	hid = v1_hierarchy_id(controller);
	if (hid < 0)
		return -1;
	out->mode = CGTRACK_MODE_V1;
	out->hierarchy_id = hid;
	out->ssid = strncmp(controller, "name=", 5) ? subsys_index(controller) : -1;
	snprintf(out->controller, sizeof(out->controller), "%s", controller);
	return 0;
}

static int detect_v1(const char *controller, struct tracked_hierarchy *out)
{
	int i;

	if (controller) {
		if (try_v1(controller, out)) {
			log_err("cgroup v1 controller '%s' has no mounted hierarchy "
				"(see /proc/self/mountinfo and /proc/cgroups)", controller);
			return -1;
		}
		return 0;
	}
	for (i = 0; v1_fallbacks[i]; i++) {
		if (try_v1(v1_fallbacks[i], out))
			continue;
		if (i > 0)
			log_warn("cgroup v1: cpuset has no hierarchy here; tracking "
				 "the '%s' hierarchy instead", v1_fallbacks[i]);
		return 0;
	}
	log_err("cgroup v1: no v1 hierarchy is mounted");
	return -1;
}

int cgmode_detect(const char *mode, const char *controller,
		  struct tracked_hierarchy *out)
{
	memset(out, 0, sizeof(*out));
	if (!mode || !strcmp(mode, "auto")) {
		/* a pure v2 host has cgroup.controllers at the cgroupfs root */
		if (!access("/sys/fs/cgroup/cgroup.controllers", F_OK))
			return detect_v2(out);
		return detect_v1(controller, out);
	}
	if (!strcmp(mode, "v2"))
		return detect_v2(out);
	if (!strcmp(mode, "v1"))
		return detect_v1(controller, out);
	log_err("unknown cgroup mode '%s' (expected auto, v1 or v2)", mode);
	return -1;
}
