// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack status --prometheus`: the Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector. Every metric
 * is printed, also when the pins cannot be read (then cgtrack_up is 0),
 * so a scrape never shows a stale value as current.
 */
#include <stdio.h>

#include "status.h"

static void metric(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counters(const struct status *s)
{
	int i;

	metric("cgtrack_events_total", "counter",
	       "What the programs and the daemon counted since loading, by counter.");
	for (i = 0; i < CGTRACK_STAT_MAX; i++)
		printf("cgtrack_events_total{counter=\"%s\"} %llu\n",
		       stat_names[i] ? stat_names[i] : "unknown",
		       (unsigned long long)s->stats[i]);
}

static void programs(const struct status *s)
{
	int i;

	metric("cgtrack_program_attached", "gauge",
	       "1 when the program's link is pinned (it is attached); absent when "
	       "this user cannot tell.");
	for (i = 0; i < N_LINKS; i++)
		if (s->progs[i].attached != LINK_UNKNOWN)
			printf("cgtrack_program_attached{link=\"%s\"} %d\n", s->progs[i].pin,
			       s->progs[i].attached == LINK_ATTACHED);
	if (s->bpf_stats != 1)
		return;		/* run counts need kernel.bpf_stats_enabled */
	metric("cgtrack_program_runs_total", "counter", "Times the program ran.");
	for (i = 0; i < N_LINKS; i++)
		printf("cgtrack_program_runs_total{link=\"%s\"} %llu\n", s->progs[i].pin,
		       (unsigned long long)s->progs[i].run_cnt);
	metric("cgtrack_program_run_seconds_total", "counter",
	       "Time the program ran, in seconds.");
	for (i = 0; i < N_LINKS; i++)
		printf("cgtrack_program_run_seconds_total{link=\"%s\"} %.9f\n",
		       s->progs[i].pin, s->progs[i].run_time_ns / 1e9);
}

void status_print_prometheus(const struct status *s)
{
	metric("cgtrack_up", "gauge", "1 when the pinned maps could be read.");
	printf("cgtrack_up %d\n", s->opened);
	metric("cgtrack_healthy", "gauge",
	       "1 when `cgtrack status` is healthy (exit 0).");
	printf("cgtrack_healthy %d\n", s->opened && !s->n_problems);
	if (!s->opened)
		return;
	metric("cgtrack_map_capacity", "gauge", "Capacity of the containers map.");
	printf("cgtrack_map_capacity %u\n", s->p.max_entries);
	metric("cgtrack_map_entries", "gauge", "Entries in the containers map, by liveness.");
	printf("cgtrack_map_entries{state=\"live\"} %llu\n", (unsigned long long)s->alive);
	printf("cgtrack_map_entries{state=\"removed\"} %llu\n", (unsigned long long)s->dead);
	metric("cgtrack_containers", "gauge", "Live containers (their own cgroups).");
	printf("cgtrack_containers %llu\n", (unsigned long long)s->roots);
	if (s->walked) {
		metric("cgtrack_missing_cgroups", "gauge",
		       "Live container cgroups not in the map (failed inserts).");
		printf("cgtrack_missing_cgroups %llu\n", (unsigned long long)s->walk.missing);
	}
	metric("cgtrack_daemon_running", "gauge",
	       "Processes reading the event ring buffer (1: one daemon).");
	printf("cgtrack_daemon_running %d\n", s->n_holders);
	metric("cgtrack_info", "gauge", "The map ABI and tracked mode of the pins.");
	printf("cgtrack_info{abi=\"%u\",mode=\"%s\"} 1\n", s->p.cfg.abi_version,
	       s->p.cfg.mode == CGTRACK_MODE_V2 ? "v2" : "v1");
	counters(s);
	programs(s);
}
