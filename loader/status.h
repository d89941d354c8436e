/* SPDX-License-Identifier: Apache-2.0 */
/* What `cgtrack status` gathers, shared by its printers. */
#ifndef CGTRACK_STATUS_H
#define CGTRACK_STATUS_H

#include <bpf/bpf.h>
#include "pins.h"
#include "pinset.h"
#include "populate.h"

#define MAX_NOTES	16
#define MAX_HOLDERS	8
#define N_LINKS		N_LINK_PINS

/* Counter names, by enum cgtrack_stat (status's text, JSON and metrics). */
extern const char *const stat_names[CGTRACK_STAT_MAX];

enum link_state {
	LINK_MISSING = 0,		/* no pin: not attached */
	LINK_ATTACHED = 1,
	LINK_UNKNOWN = 2,		/* pinned, but this user cannot open it */
};

static inline const char *link_state_name(enum link_state st)
{
	return st == LINK_ATTACHED ? "attached" : st == LINK_UNKNOWN ? "unknown" : "MISSING";
}

struct prog_status {
	const char *pin;
	enum link_state attached;
	int err;			/* why LINK_UNKNOWN */
	__u32 id;
	char name[BPF_OBJ_NAME_LEN];
	__u64 run_cnt, run_time_ns;
};

struct status {
	const char *pin_dir;
	bool opened;			/* the pins could be read */
	struct pinned p;
	__u64 entries, alive, roots, dead;
	__u64 stats[CGTRACK_STAT_MAX];
	struct prog_status progs[N_LINKS];
	int bpf_stats;			/* kernel.bpf_stats_enabled */
	int walked;			/* the hierarchy was checked */
	struct populate_result walk;	/* live container cgroups not in the map */
	int holders[MAX_HOLDERS];	/* processes reading the event ring */
	int n_holders;
	int unseen_procs;		/* processes whose fds we may not read */
	char problems[MAX_NOTES][256];	/* each makes the exit status 1 */
	int n_problems;
	char warnings[MAX_NOTES][256];
	int n_warnings;
};

/* The Prometheus text exposition format, for node_exporter's textfile collector. */
void status_print_prometheus(const struct status *s);

#endif
