// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"
#include "log.h"
#include "procfs.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int have_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

/* Does this kernel know CAP_BPF (5.8+)? cap_last_cap says. */
static int kernel_has_cap_bpf(void)
{
	return procfs_read_int("/proc/sys/kernel/cap_last_cap", 0) >= CAP_BPF;
}

/* Append " NAME" to the list of missing capabilities. */
static void add_missing(char *buf, size_t len, const char *name)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, " %s", name);
}

int caps_check(int need, const char *command)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	char missing[128] = "";

	if (!(need & CAPS_LOAD))
		return 0;
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d))
		return 0;	/* cannot tell: let the kernel decide */
	/* CAP_SYS_ADMIN covers everything; 5.8+ splits out CAP_BPF, CAP_PERFMON */
	if (!have_cap(d, CAP_SYS_ADMIN)) {
		if (!kernel_has_cap_bpf()) {
			add_missing(missing, sizeof(missing), "CAP_SYS_ADMIN");
		} else {
			if (!have_cap(d, CAP_BPF))
				add_missing(missing, sizeof(missing), "CAP_BPF");
			if (!have_cap(d, CAP_PERFMON))
				add_missing(missing, sizeof(missing), "CAP_PERFMON");
		}
	}
	if (!missing[0])
		return 0;
	log_err("cgtrack %s needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN) to "
		"load its BPF programs; this process (uid %u) lacks:%s. Being uid 0 "
		"is not enough: run it as root with those capabilities, or grant them "
		"(systemd AmbientCapabilities=, a container's capabilities.add)",
		command, (unsigned int)geteuid(), missing);
	return -1;
}
