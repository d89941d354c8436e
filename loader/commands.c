// SPDX-License-Identifier: Apache-2.0
/* The subcommands: names, help texts and dispatch. */
#include <stdio.h>
#include <string.h>

#include "cmd_query.h"
#include "commands.h"
#include "daemon.h"
#include "options.h"

/*
 * name, function, option set, summary; then the positional arguments (the
 * synopsis' end), what they are (before the options), and notes after the
 * options. The options' lines and the synopsis come from options.c's
 * declarations: `cgtrack CMD --help` and the man page's SYNOPSIS
 * (scripts/man-synopsis.sh) print them.
 */
const struct command commands[] = {
	{ "run", cmd_run, OPT_RUN,
	  "load (or adopt), populate and track in the foreground", "", "",
	  "example: cgtrack run --cgroup-mode v2 --expiry 10s\n" },
	{ "load", cmd_load, OPT_LOAD,
	  "load, pin and populate once, then exit (tracking goes on)", "", "", "" },
	{ "sweep", cmd_sweep, OPT_SWEEP,
	  "delete entries dead for longer than the expiry, once", "", "", "" },
	{ "unload", cmd_unload, OPT_UNLOAD,
	  "detach the programs and remove cgtrack's pins", "", "", "" },
	{ "parse", cmd_parse, OPT_PARSE,
	  "what the parser says of cgroup paths", "PATH...|-",
	  "  PATH: relative to the hierarchy root (/docker/<id>) or a /proc/<pid>/cgroup line\n"
	  "  -: read the paths from stdin, one per line\n",
	  "exit: 0, or 2 when a path is not one (relative, too long...)\n"
	  "example: cgtrack parse --json /system.slice/docker-<64 hex>.scope\n" },
	{ "list", cmd_list, OPT_LIST,
	  "every tracked cgroup, from the pinned map", "",
	  "  sorted by container id, its own cgroup first; the options filter\n", "" },
	{ "watch", cmd_watch, OPT_WATCH,
	  "containers as they come, start and go, from the map", "",
	  "  reads the map every --interval; never takes events from the daemon\n",
	  "example: cgtrack watch --json | jq -c 'select(.event == \"started\")'\n" },
	{ "get", cmd_get, OPT_TABLE,
	  "the entry of one cgroup id", "CGROUP_ID",
	  "  CGROUP_ID: the full 64-bit cgroup id, or its low 32 bits (the map key)\n"
	  "  (the id is the cgroup directory's inode in the tracked hierarchy, whose\n"
	  "  mount `cgtrack status` shows)\n",
	  "exit: 0 tracked, 1 not tracked, 2 bad usage\n"
	  "example: cgtrack get $(stat -c %i /sys/fs/cgroup/cpuset/docker/<id>)\n" },
	{ "find", cmd_find, OPT_TABLE,
	  "the cgroups of a container, by id, id prefix or name", "ID_OR_PREFIX_OR_NAME",
	  "  a name (the runtime's) when no id starts with the argument\n"
	  "  case-insensitive; the container's own cgroup first, then its sub-cgroups\n",
	  "exit: 0 one container matched, 1 none, or ambiguous (one line per\n"
	  "      candidate container is printed), 2 bad usage\n"
	  "example: cgtrack find 3f2a9c1b7d4e\n" },
	{ "pid", cmd_pid, OPT_TABLE,
	  "the container of a process or thread", "PID [TID]",
	  "  reads /proc/PID[/task/TID]/cgroup: the tracked hierarchy's line\n",
	  "exit: 0 in a container, 1 not in one (or no such process), 2 bad usage\n"
	  "example: cgtrack pid $(pidof -s nginx)\n" },
	{ "resolve", cmd_resolve, OPT_RESOLVE,
	  "the host path of a path inside a mount namespace", "MNTNS PATH",
	  "  MNTNS: inode number of the mount namespace (stat -L -c %i /proc/PID/ns/mnt)\n"
	  "  PATH: absolute, as the namespace's processes see it; symlinks are\n"
	  "        followed inside the namespace's root, never out of it\n",
	  "the printed host path is safe only when it is resolved: the container\n"
	  "can then swap a directory on it for a symlink, and opening the same path\n"
	  "later follows it to the host's files. Use --read or --stat, which act on\n"
	  "the file that was resolved, not on the path\n"
	  "exit: 0 resolved, 1 no live process in MNTNS or PATH not found (or not\n"
	  "      a regular file, with --read), 2 bad usage (also: a relative or\n"
	  "      empty PATH)\n"
	  "example: cgtrack resolve --read 4026532712 /etc/os-release\n" },
	{ "status", cmd_status, OPT_STATUS,
	  "health, capacity, counters, daemon and programs", "", "",
	  "exit: 0 healthy (loaded, all programs attached, map not full), 1 not\n"
	  "      (each problem is printed), 2 bad usage; warnings do not fail it\n" },
	{ "completion", cmd_completion, OPT_COMPLETION,
	  "a completion script for the shell (bash)", "bash", "",
	  "example: cgtrack completion bash > /etc/bash_completion.d/cgtrack\n" },
};

const size_t n_commands = sizeof(commands) / sizeof(commands[0]);
#define N_COMMANDS n_commands

const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

void print_command_help(const char *cmd)
{
	const struct command *c = find_command(cmd);

	if (!c)
		return;
	printf("%s: %s\n", c->name, c->summary);
	opts_synopsis(c->set, c->name, c->args, stdout);
	fputs(c->before, stdout);
	opts_help(c->set, stdout);
	fputs(c->after, stdout);
}

void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: cgtrack COMMAND [options]   (cgtrack COMMAND --help)\n\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nexit codes: 0 ok, 1 failed or not found, 2 bad usage\n");
}

