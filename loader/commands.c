// SPDX-License-Identifier: Apache-2.0
/* The subcommands: names, help texts and dispatch. */
#include <stdio.h>
#include <string.h>

#include "cmd_query.h"
#include "commands.h"
#include "daemon.h"
#include "options.h"

#define COMMON_HELP \
	"  --pin-dir DIR        pin directory (default /sys/fs/bpf/cgtrack)\n" \
	"  -d, --debug          more logging\n" \
	"  --log-format FMT     text (default) or json\n"

const struct command commands[] = {
	{ "run", cmd_run, OPT_RUN,
	  "load (or adopt), populate and track in the foreground",
	  "cgtrack run [options]\n"
	  "  --cgroup-mode MODE   auto (default), v1 or v2\n"
	  "  --v1-controller C    v1 hierarchy to track (default cpuset, else a mounted one)\n"
	  "  --max-entries N      map capacity (default 16384)\n"
	  "  --expiry DUR         keep removed entries this long (default 5s)\n"
	  "  --replace            remove existing pins first, load this build\n"
	  "  --pin-group GROUP    let GROUP read the pins (directory 0750, pins 0640)\n"
	  "  --pidfile FILE       write our pid once ready\n"
	  "  --runtime NAME:PATH  docker|podman|crio:SOCKET, containerd:SOCKET|STATE_DIR,\n"
	  "                       containerd-state:DIR, docker-root:DIR (docker's data\n"
	  "                       root, its records read before the API; repeatable;\n"
	  "                       default: the usual paths)\n"
	  "  --enrich-timeout DUR per request (default 2s)\n"
	  "  --no-enrich          do not ask the runtimes\n"
	  "  --unload-on-exit     detach the programs when stopped (make run does)\n"
	  COMMON_HELP
	  "example: cgtrack run --cgroup-mode v2 --expiry 10s\n" },
	{ "load", cmd_load, OPT_LOAD,
	  "load, pin and populate once, then exit (tracking goes on)",
	  "cgtrack load [--cgroup-mode MODE] [--v1-controller C] [--max-entries N]\n"
	  "             [--expiry DUR] [--replace] [--pin-group GROUP]\n" COMMON_HELP },
	{ "sweep", cmd_sweep, OPT_SWEEP,
	  "delete entries dead for longer than the expiry, once",
	  "cgtrack sweep [--expiry DUR] [--json]\n"
	  "  --expiry DUR         this expiry instead of the one the daemon stored\n"
	  "  -j, --json           the counts as one JSON object\n" COMMON_HELP },
	{ "unload", cmd_unload, OPT_UNLOAD,
	  "detach the programs and remove cgtrack's pins",
	  "cgtrack unload\n" COMMON_HELP },
	{ "parse", cmd_parse, OPT_PARSE,
	  "what the parser says of cgroup paths",
	  "cgtrack parse [--json | --explain] PATH...|-\n"
	  "  PATH: relative to the hierarchy root (/docker/<id>) or a /proc/<pid>/cgroup line\n"
	  "  -: read the paths from stdin, one per line\n"
	  "  --explain            each component and what the parser decided of it\n"
	  "exit: 0, or 2 when a path is not one (relative, too long...)\n"
	  "example: cgtrack parse --json /system.slice/docker-<64 hex>.scope\n" },
	{ "list", cmd_list, OPT_LIST,
	  "every tracked cgroup, from the pinned map",
	  "cgtrack list [--json | --wide] [filters]\n"
	  "  -w, --wide           whole names, images and pods (the table cuts them,\n"
	  "                       marked with an ellipsis)\n"
	  "  --runtime NAME       only this runtime's (the one that answered, else\n"
	  "                       the path's; as list prints it: docker, crio...)\n"
	  "  --state S            existed, created, started, alive or dead\n"
	  "  --pod POD            namespace/name, name or UID of a pod\n"
	  "  --name NAME          the container's name, as its runtime gave it\n"
	  "  sorted by container id, its own cgroup first\n" COMMON_HELP },
	{ "watch", cmd_watch, OPT_WATCH,
	  "containers as they come, start and go, from the map",
	  "cgtrack watch [--json] [--interval DUR] [--duration DUR]\n"
	  "  reads the map every --interval (default 500ms); never takes events\n"
	  "  from the daemon; --duration stops after that long (default: Ctrl-C)\n"
	  COMMON_HELP
	  "example: cgtrack watch --json | jq -c 'select(.event == \"started\")'\n" },
	{ "get", cmd_get, OPT_TABLE,
	  "the entry of one cgroup id",
	  "cgtrack get [--json | --wide] CGROUP_ID\n"
	  "  CGROUP_ID: the full 64-bit cgroup id, or its low 32 bits (the map key)\n"
	  COMMON_HELP
	  "exit: 0 tracked, 1 not tracked, 2 bad usage\n"
	  "  (the id is the cgroup directory's inode in the tracked hierarchy, whose\n"
	  "  mount `cgtrack status` shows)\n"
	  "example: cgtrack get $(stat -c %i /sys/fs/cgroup/cpuset/docker/<id>)\n" },
	{ "find", cmd_find, OPT_TABLE,
	  "the cgroups of a container, by id, id prefix or name",
	  "cgtrack find [--json | --wide] ID_OR_PREFIX_OR_NAME\n"
	  "  a name (the runtime's) when no id starts with the argument\n"
	  "  case-insensitive; the container's own cgroup first, then its sub-cgroups\n"
	  COMMON_HELP
	  "exit: 0 one container matched, 1 none, or ambiguous (one line per\n"
	  "      candidate container is printed), 2 bad usage\n"
	  "example: cgtrack find 3f2a9c1b7d4e\n" },
	{ "pid", cmd_pid, OPT_TABLE,
	  "the container of a process or thread",
	  "cgtrack pid [--json | --wide] PID [TID]\n"
	  "  reads /proc/PID[/task/TID]/cgroup: the tracked hierarchy's line\n"
	  COMMON_HELP
	  "exit: 0 in a container, 1 not in one (or no such process), 2 bad usage\n"
	  "example: cgtrack pid $(pidof -s nginx)\n" },
	{ "resolve", cmd_resolve, OPT_RESOLVE,
	  "the host path of a path inside a mount namespace",
	  "cgtrack resolve [--json] [--read | --stat] MNTNS PATH\n"
	  "  MNTNS: inode number of the mount namespace (stat -L -c %i /proc/PID/ns/mnt)\n"
	  "  PATH: absolute, as the namespace's processes see it; symlinks are\n"
	  "        followed inside the namespace's root, never out of it\n"
	  "  --read               print the file's bytes, read from the confined\n"
	  "                       descriptor (regular files only; not with --json)\n"
	  "  --stat               type, mode, size, uid, gid, inode of the confined\n"
	  "                       descriptor (with --json: a \"stat\" object)\n"
	  COMMON_HELP
	  "the printed host path is safe only when it is resolved: the container\n"
	  "can then swap a directory on it for a symlink, and opening the same path\n"
	  "later follows it to the host's files. Use --read or --stat, which act on\n"
	  "the file that was resolved, not on the path\n"
	  "exit: 0 resolved, 1 no live process in MNTNS or PATH not found (or not\n"
	  "      a regular file, with --read), 2 bad usage (also: a relative or\n"
	  "      empty PATH)\n"
	  "example: cgtrack resolve --read 4026532712 /etc/os-release\n" },
	{ "status", cmd_status, OPT_STATUS,
	  "health, capacity, counters, daemon and programs",
	  "cgtrack status [--json | --prometheus]\n"
	  "  --prometheus         the Prometheus text format (node_exporter's textfile\n"
	  "                       collector); printed also when the pins are unreadable\n"
	  COMMON_HELP
	  "exit: 0 healthy (loaded, all programs attached, map not full), 1 not\n"
	  "      (each problem is printed), 2 bad usage; warnings do not fail it\n" },
	{ "completion", cmd_completion, OPT_COMPLETION,
	  "a completion script for the shell (bash)",
	  "cgtrack completion bash\n"
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

	if (c)
		printf("%s: %s\nusage: %s", c->name, c->summary, c->usage);
}

void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: cgtrack COMMAND [options]   (cgtrack COMMAND --help)\n\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nexit codes: 0 ok, 1 failed or not found, 2 bad usage\n");
}

