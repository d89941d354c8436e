/* SPDX-License-Identifier: Apache-2.0 */
/* Command-line options shared by the subcommands. */
#ifndef CGTRACK_OPTIONS_H
#define CGTRACK_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define MAX_RUNTIME_OPTS 8

enum opt_set {
	OPT_RUN, OPT_LOAD, OPT_SWEEP, OPT_UNLOAD,
	OPT_RESOLVE,			/* resolve: --json, --read, --stat */
	OPT_PARSE,			/* parse: --json, --explain */
	OPT_TABLE,			/* get, find, pid: --json, --wide */
	OPT_LIST,			/* list: those and the filters */
	OPT_WATCH,			/* watch: --json, --interval, --duration */
	OPT_COMPLETION,			/* completion: only the common options */
	OPT_STATUS,
};

struct runtime_opt {
	char name[32];
	char path[256];
};

struct common_opts {
	const char *pin_dir;
	const char *cgroup_mode;
	const char *v1_controller;
	const char *pidfile;
	uint32_t max_entries;
	bool max_entries_set;
	gid_t pin_gid;			/* --pin-group, else (gid_t)-1 */
	uint64_t expiry_ms;
	bool expiry_set;
	uint64_t enrich_timeout_ms;
	bool replace;
	bool replace_other_abi;		/* run, load: pins of another map ABI are replaced */
	bool containers_map;		/* run, load: keep the tracee-compatible map */
	bool json;
	bool prometheus;		/* status: Prometheus text format */
	bool unload_on_exit;		/* run: detach when stopped (make run) */
	const char *f_runtime;		/* list filters, NULL: any */
	const char *f_state;
	const char *f_pod;
	const char *f_name;
	uint64_t interval_ms;		/* watch */
	uint64_t duration_ms;		/* watch: 0 until stopped */
	bool explain;			/* parse */
	bool read, stat;		/* resolve: act on the confined descriptor */
	bool no_enrich;
	struct runtime_opt runtimes[MAX_RUNTIME_OPTS];
	int n_runtimes;
	int argc;			/* positional arguments left */
	char **argv;
};

/*
 * Parse argv (argv[0] is the subcommand) for the options of `set`.
 * Returns 0, 1 after printing help (the caller exits 0), or -1 after
 * printing an error naming the bad option (the caller exits 2).
 */
int opts_parse(int argc, char **argv, enum opt_set set, struct common_opts *o);

/* Call fn on every option `set` accepts (completion). */
typedef void (*opt_fn)(void *ctx, const char *name, bool has_arg);
void opts_each(enum opt_set set, opt_fn fn, void *ctx);
/* The values an option takes, space-separated, or NULL if free-form. */
const char *opt_values(const char *name);

/* The help lines of the options `set` takes, one per option. */
void opts_help(enum opt_set set, FILE *f);
/* "usage: cgtrack CMD [--opt ARG]... ARGS", wrapped at 79 columns. */
void opts_synopsis(enum opt_set set, const char *cmd, const char *args, FILE *f);

/* Defined by commands.c: the --help text of a command. */
void print_command_help(const char *cmd);

/* "5", "5s", "500ms", "1m" -> milliseconds; -1 if not a duration */
int64_t parse_duration_ms(const char *s);

#endif
