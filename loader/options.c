// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clierr.h"
#include "cgtrack/abi.h"
#include "runtimes.h"
#include "entry_out.h"
#include "log.h"
#include "options.h"

enum {
	O_PIN_DIR = 256, O_MODE, O_V1, O_MAX, O_EXPIRY, O_REPLACE, O_PIDFILE,
	O_RUNTIME, O_LOGFMT, O_TIMEOUT, O_NO_ENRICH, O_PIN_GROUP, O_PROMETHEUS, O_UNLOAD_ON_EXIT,
	O_STATE, O_POD, O_NAME, O_INTERVAL, O_DURATION, O_EXPLAIN,
	O_READ, O_STAT, O_REPLACE_OTHER_ABI, O_CONTAINERS_MAP,
};

#define S(set)	(1u << (set))
#define ALL	(~0u)
#define TABLES	(S(OPT_TABLE) | S(OPT_LIST))
#define JSONS	(TABLES | S(OPT_RESOLVE) | S(OPT_PARSE) | S(OPT_STATUS) | S(OPT_WATCH))

/*
 * Every option, declared once: which commands take it (a row per meaning
 * when two commands read it differently), and its help line. The parser
 * (getopt's table, what each command accepts), the help texts, the
 * synopses (and from them the man page's) and the completion come from
 * these rows. help NULL: accepted, not shown (aliases). Shown in this
 * order; the rows for every command (ALL) last.
 */
struct opt_desc {
	const char *name;
	int val;		/* the short letter, or O_* */
	int has_arg;
	unsigned int sets;	/* S(OPT_...) of the commands that take it */
	const char *arg;	/* the value's name in help: "DIR" */
	const char *help;	/* '\n' continues on an indented line */
};

static const struct opt_desc descs[] = {
	{ "cgroup-mode", O_MODE, 1, S(OPT_RUN) | S(OPT_LOAD), "MODE",
	  "auto (default), v1 or v2" },
	{ "v1-controller", O_V1, 1, S(OPT_RUN) | S(OPT_LOAD), "C",
	  "v1 hierarchy to track (default cpuset, else a mounted one)" },
	{ "max-entries", O_MAX, 1, S(OPT_RUN) | S(OPT_LOAD), "N",
	  "map capacity (default 16384, or the pinned maps' own)" },
	{ "expiry", O_EXPIRY, 1, S(OPT_RUN) | S(OPT_LOAD), "DUR",
	  "keep removed entries this long (default 5s)" },
	{ "expiry", O_EXPIRY, 1, S(OPT_SWEEP), "DUR",
	  "this expiry instead of the one the daemon stored" },
	{ "replace", O_REPLACE, 0, S(OPT_RUN) | S(OPT_LOAD), NULL,
	  "remove existing pins first, load this build" },
	{ "replace-other-abi", O_REPLACE_OTHER_ABI, 0, S(OPT_RUN) | S(OPT_LOAD), NULL,
	  "replace pins of another map ABI (a package upgrade;\n"
	  "the unit and init script pass it), adopt the others" },
	{ "containers-map", O_CONTAINERS_MAP, 0, S(OPT_RUN) | S(OPT_LOAD), NULL,
	  "keep the tracee-compatible containers_map too (off:\n"
	  "pinned and empty; a hash update less per container)" },
	{ "pin-group", O_PIN_GROUP, 1, S(OPT_RUN) | S(OPT_LOAD), "GROUP",
	  "let GROUP read the pins (directory 0750, pins 0640)" },
	{ "pidfile", O_PIDFILE, 1, S(OPT_RUN), "FILE", "write our pid once ready" },
	{ "runtime", O_RUNTIME, 1, S(OPT_RUN), "NAME:PATH",
	  "docker|podman|crio:SOCKET, containerd:SOCKET|STATE_DIR,\n"
	  "containerd-state:DIR, docker-root:DIR (docker's data\n"
	  "root), podman-root:DIR (podman's graph root): their\n"
	  "records are read before the API; repeatable;\n"
	  "default: the usual paths)" },
	{ "enrich-timeout", O_TIMEOUT, 1, S(OPT_RUN), "DUR", "per request (default 2s)" },
	{ "no-enrich", O_NO_ENRICH, 0, S(OPT_RUN), NULL, "do not ask the runtimes" },
	{ "unload-on-exit", O_UNLOAD_ON_EXIT, 0, S(OPT_RUN), NULL,
	  "detach the programs when stopped (make run does)" },
	{ "json", 'j', 0, JSONS, NULL, "JSON output (errors too)" },
	{ "json", 'j', 0, S(OPT_SWEEP), NULL, "the counts as one JSON object" },
	{ "wide", 'w', 0, TABLES, NULL,
	  "whole names, images and pods (the table cuts them,\nmarked with an ellipsis)" },
	{ "runtime", O_RUNTIME, 1, S(OPT_LIST), "NAME",
	  "only this runtime's (the one that answered, else\n"
	  "the path's; as list prints it: docker, crio...)" },
	{ "state", O_STATE, 1, S(OPT_LIST), "S", "existed, created, started, alive or dead" },
	{ "pod", O_POD, 1, S(OPT_LIST), "POD", "namespace/name, name or UID of a pod" },
	{ "name", O_NAME, 1, S(OPT_LIST), "NAME", "the container's name, as its runtime gave it" },
	{ "interval", O_INTERVAL, 1, S(OPT_WATCH), "DUR", "read the map this often (default 500ms)" },
	{ "duration", O_DURATION, 1, S(OPT_WATCH), "DUR", "stop after that long (default: Ctrl-C)" },
	{ "explain", O_EXPLAIN, 0, S(OPT_PARSE), NULL,
	  "each component and what the parser decided of it" },
	{ "read", O_READ, 0, S(OPT_RESOLVE), NULL,
	  "print the file's bytes, read from the confined\n"
	  "descriptor (regular files only; not with --json)" },
	{ "stat", O_STAT, 0, S(OPT_RESOLVE), NULL,
	  "type, mode, size, uid, gid, inode of the confined\n"
	  "descriptor (with --json: a \"stat\" object)" },
	{ "prometheus", O_PROMETHEUS, 0, S(OPT_STATUS), NULL,
	  "the Prometheus text format (node_exporter's textfile\n"
	  "collector); printed also when the pins are unreadable" },
	{ "pin-dir", O_PIN_DIR, 1, ALL, "DIR", "pin directory (default /sys/fs/bpf/cgtrack)" },
	{ "debug", 'd', 0, ALL, NULL, "more logging" },
	{ "verbose", 'v', 0, ALL, NULL, NULL },
	{ "log-format", O_LOGFMT, 1, ALL, "FMT", "text (default) or json" },
	{ "help", 'h', 0, ALL, NULL, NULL },
};
#define N_DESCS (sizeof(descs) / sizeof(descs[0]))

/* getopt's table: one row per name */
static struct option all_opts[N_DESCS + 1];

static void build_getopt_table(void)
{
	size_t i, j, n = 0;

	if (all_opts[0].name)
		return;
	for (i = 0; i < N_DESCS; i++) {
		for (j = 0; j < n && strcmp(all_opts[j].name, descs[i].name); j++)
			;
		if (j < n)
			continue;
		all_opts[n++] = (struct option){ descs[i].name,
			descs[i].has_arg ? required_argument : no_argument, NULL, descs[i].val };
	}
}

/* Does the command of `set` take option opt (a short letter or O_*)? */
static int allowed(enum opt_set set, int opt)
{
	size_t i;

	for (i = 0; i < N_DESCS; i++)
		if (descs[i].val == opt && (descs[i].sets & S(set)))
			return 1;
	return 0;
}

/* descs[i] is set's row for its name (the first such) */
static bool first_for(enum opt_set set, size_t i)
{
	size_t j;

	if (!(descs[i].sets & S(set)))
		return false;
	for (j = 0; j < i; j++)
		if ((descs[j].sets & S(set)) && !strcmp(descs[j].name, descs[i].name))
			return false;
	return true;
}

/* "-j, --json", "--pin-dir DIR" */
static void opt_left(const struct opt_desc *d, char *buf, size_t len)
{
	char shrt[8] = "";

	if (d->val < 128)
		snprintf(shrt, sizeof(shrt), "-%c, ", d->val);
	snprintf(buf, len, "%s--%s%s%s", shrt, d->name, d->arg ? " " : "",
		 d->arg ? d->arg : "");
}

void opts_help(enum opt_set set, FILE *f)
{
	char left[64];
	const char *h, *nl;
	size_t i;

	for (i = 0; i < N_DESCS; i++) {
		const struct opt_desc *d = &descs[i];

		if (!first_for(set, i) || !d->help)
			continue;
		opt_left(d, left, sizeof(left));
		fprintf(f, "  %-20s ", left);
		for (h = d->help; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(f, "%.*s\n%23s", (int)(nl - h), h, "");
		fprintf(f, "%s\n", h);
	}
}

void opts_synopsis(enum opt_set set, const char *cmd, const char *args, FILE *f)
{
	char word[80];
	size_t i, col, indent;

	col = indent = (size_t)fprintf(f, "usage: cgtrack %s", cmd);
	for (i = 0; i <= N_DESCS; i++) {
		if (i < N_DESCS) {
			const struct opt_desc *d = &descs[i];

			if (!first_for(set, i) || d->sets == ALL || !d->help)
				continue;
			snprintf(word, sizeof(word), "[--%s%s%s]", d->name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
		} else if (args && args[0]) {
			snprintf(word, sizeof(word), "%s", args);
		} else {
			break;
		}
		if (col + 1 + strlen(word) > 79 && col > indent) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		}
		col += (size_t)fprintf(f, " %s", word);
	}
	fprintf(f, "\n");
}

/* list --state: a lifecycle state, or alive / dead */
static bool state_filter_ok(const char *s)
{
	static const char *const ok[] = { "existed", "created", "started", "alive", "dead" };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(s, ok[i]))
			return true;
	cli_error("list", "--state is existed, created, started, alive or dead, got '%s'", s);
	return false;
}

/* The command being parsed, for messages. */
static const char *opts_cmd = "";

/*
 * Are errors wanted as JSON (--json, -j, --log-format json)? Known before
 * the parse, so that an error about an earlier option is JSON too.
 */
static bool wants_json_errors(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j") ||
		    !strcmp(argv[i], "--log-format=json") ||
		    (!strcmp(argv[i], "--log-format") && i + 1 < argc &&
		     !strcmp(argv[i + 1], "json")))
			return true;
	return false;
}

static bool takes_no_arguments(enum opt_set set)
{
	return set == OPT_RUN || set == OPT_LOAD || set == OPT_SWEEP || set == OPT_UNLOAD ||
	       set == OPT_WATCH;
}

/* The option's own name, not the value getopt moved on to. */
static const char *option_name(int c, int idx, char *buf, size_t len)
{
	size_t i;

	if (idx >= 0) {
		snprintf(buf, len, "--%s", all_opts[idx].name);
		return buf;
	}
	for (i = 0; all_opts[i].name; i++)
		if (all_opts[i].val == c) {
			snprintf(buf, len, "--%s", all_opts[i].name);
			return buf;
		}
	snprintf(buf, len, "-%c", c);
	return buf;
}

static void bad_option(char **argv, enum opt_set set, int c, int idx)
{
	const char *cmd = argv[0];
	char name[64];

	if (c == ':' && !allowed(set, optopt))
		c = optopt;	/* not this command's, value or not */
	if (c == ':')
		cli_error(cmd, "option '%s' needs a value",
			  option_name(optopt, idx, name, sizeof(name)));
	else if (c == '?')
		cli_error(cmd, "unknown option '%s' (see `cgtrack %s --help`)",
			  optopt ? option_name(optopt, -1, name, sizeof(name)) :
			  argv[optind - 1], cmd);
	else
		cli_error(cmd, "option '%s' does not apply to `cgtrack %s` (see "
			  "`cgtrack %s --help`)", option_name(c, idx, name, sizeof(name)),
			  cmd, cmd);
}

void opts_each(enum opt_set set, opt_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < N_DESCS; i++)
		if (first_for(set, i))
			fn(ctx, descs[i].name, descs[i].has_arg);
}

const char *opt_values(const char *name)
{
	static const struct { const char *opt, *values; } fixed[] = {
		{ "cgroup-mode", "auto v1 v2" },
		{ "log-format", "text json" },
		{ "state", "existed created started alive dead" },
	};
	size_t i;

	if (!strcmp(name, "runtime"))	/* list --runtime: the parser's runtimes */
		return runtime_names();
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(fixed[i].opt, name))
			return fixed[i].values;
	return NULL;
}

int64_t parse_duration_ms(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* !(v >= 0): also "nan", which no comparison lets through */
	if (errno || end == s || !(v >= 0))
		return -1;
	if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else if (strcmp(end, "ms"))
		return -1;
	if (v > 86400000.0 * 365)
		return -1;
	return (int64_t)v;
}

static int parse_runtime(struct common_opts *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	struct runtime_opt *r;

	if (!colon || colon == arg || !colon[1] || colon - arg >= (long)sizeof(r->name)) {
		cli_error(opts_cmd, "--runtime expects NAME:SOCKET_PATH (e.g. "
			"docker:/var/run/docker.sock), got '%s'", arg);
		return -1;
	}
	if (o->n_runtimes == MAX_RUNTIME_OPTS) {
		cli_error(opts_cmd, "at most %d --runtime options", MAX_RUNTIME_OPTS);
		return -1;
	}
	r = &o->runtimes[o->n_runtimes];
	snprintf(r->name, sizeof(r->name), "%.*s", (int)(colon - arg), arg);
	if (!runtime_setting_ok(r->name)) {
		cli_error(opts_cmd, "--runtime NAME is one of %s, got '%s'",
			  runtime_settings(), r->name);
		return -1;
	}
	o->n_runtimes++;
	snprintf(r->path, sizeof(r->path), "%s", colon + 1);
	return 0;
}

static int parse_max_entries(struct common_opts *o, const char *arg)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || arg[0] == '-' || v == 0 || v > (1ul << 24)) {
		cli_error(opts_cmd, "--max-entries must be a whole number from 1 to "
			"%lu, got '%s'", 1ul << 24, arg);
		return -1;
	}
	o->max_entries = (uint32_t)v;
	o->max_entries_set = true;
	return 0;
}

/* A group name or number: who may read the pins besides root. */
static int parse_pin_group(struct common_opts *o, const char *arg)
{
	struct group *g = getgrnam(arg);
	char *end;
	unsigned long v;

	if (g) {
		o->pin_gid = g->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (!arg[0] || errno || *end || arg[0] == '-' || v >= (unsigned long)(gid_t)-1) {
		cli_error(opts_cmd, "--pin-group: no group named '%s'", arg);
		return -1;
	}
	o->pin_gid = (gid_t)v;
	return 0;
}

int opts_parse(int argc, char **argv, enum opt_set set, struct common_opts *o)
{
	enum log_level level = LOG_INFO;
	int json_log = 0, idx = -1;
	int64_t ms;
	int c;

	memset(o, 0, sizeof(*o));
	o->pin_dir = CGTRACK_DEFAULT_PIN_DIR;
	o->cgroup_mode = "auto";
	o->max_entries = CGTRACK_DEFAULT_MAX_ENTRIES;
	o->expiry_ms = 5000;
	o->enrich_timeout_ms = 2000;
	o->interval_ms = 500;
	o->pin_gid = (gid_t)-1;
	opts_cmd = argv[0];
	cli_error_json(wants_json_errors(argc, argv));
	build_getopt_table();
	optind = 0;	/* glibc: 0 also resets its permutation state */
	opterr = 0;
	/* options may also follow the arguments: `cgtrack get 42 --json` */
	while ((idx = -1, c = getopt_long(argc, argv, ":jwdvh", all_opts, &idx)) != -1) {
		if (c == '?' || c == ':' || !allowed(set, c)) {
			bad_option(argv, set, c, idx);
			return -1;
		}
		switch (c) {
		case 'h':
			print_command_help(argv[0]);
			return 1;
		case 'j':
			o->json = true;
			break;
		case 'w':
			entry_table_wide(true);
			break;
		case 'd': case 'v':
			level = LOG_DEBUG;
			break;
		case O_LOGFMT:
			if (!strcmp(optarg, "json") || !strcmp(optarg, "text")) {
				json_log = !strcmp(optarg, "json");
			} else {
				cli_error(opts_cmd, "--log-format is text or json, got '%s'",
					optarg);
				return -1;
			}
			break;
		case O_PIN_DIR:
			if (optarg[0] != '/') {
				cli_error(opts_cmd, "--pin-dir must be an absolute path "
					"on bpffs, got '%s'", optarg);
				return -1;
			}
			o->pin_dir = optarg;
			break;
		case O_MODE:
			if (strcmp(optarg, "auto") && strcmp(optarg, "v1") && strcmp(optarg, "v2")) {
				cli_error(opts_cmd, "--cgroup-mode is auto, v1 or v2, got '%s'",
					optarg);
				return -1;
			}
			o->cgroup_mode = optarg;
			break;
		case O_V1:
			o->v1_controller = optarg;
			break;
		case O_MAX:
			if (parse_max_entries(o, optarg))
				return -1;
			break;
		case O_EXPIRY:
			ms = parse_duration_ms(optarg);
			if (ms < 0) {
				cli_error(opts_cmd, "--expiry must be a duration of 0 or more "
					"(5, 5s, 500ms, 1m), got '%s'", optarg);
				return -1;
			}
			o->expiry_ms = (uint64_t)ms;
			o->expiry_set = true;
			break;
		case O_TIMEOUT:
			ms = parse_duration_ms(optarg);
			if (ms <= 0) {
				cli_error(opts_cmd, "--enrich-timeout must be a positive "
					"duration, got '%s'", optarg);
				return -1;
			}
			o->enrich_timeout_ms = (uint64_t)ms;
			break;
		case O_REPLACE:
			o->replace = true;
			break;
		case O_REPLACE_OTHER_ABI:
			o->replace_other_abi = true;
			break;
		case O_CONTAINERS_MAP:
			o->containers_map = true;
			break;
		case O_PIDFILE:
			o->pidfile = optarg;
			break;
		case O_RUNTIME:
			if (set == OPT_LIST)
				o->f_runtime = optarg;
			else if (parse_runtime(o, optarg))
				return -1;
			break;
		case O_STATE:
			if (!state_filter_ok(optarg))
				return -1;
			o->f_state = optarg;
			break;
		case O_POD:
			o->f_pod = optarg;
			break;
		case O_NAME:
			o->f_name = optarg;
			break;
		case O_EXPLAIN:
			o->explain = true;
			break;
		case O_READ:
			o->read = true;
			break;
		case O_STAT:
			o->stat = true;
			break;
		case O_INTERVAL:
		case O_DURATION:
			ms = parse_duration_ms(optarg);
			if (ms <= 0) {
				cli_error(opts_cmd, "--%s must be a positive duration (500ms, "
					  "2s), got '%s'", c == O_INTERVAL ? "interval" :
					  "duration", optarg);
				return -1;
			}
			if (c == O_INTERVAL)
				o->interval_ms = (uint64_t)ms;
			else
				o->duration_ms = (uint64_t)ms;
			break;
		case O_NO_ENRICH:
			o->no_enrich = true;
			break;
		case O_PIN_GROUP:
			if (parse_pin_group(o, optarg))
				return -1;
			break;
		case O_PROMETHEUS:
			o->prometheus = true;
			break;
		case O_UNLOAD_ON_EXIT:
			o->unload_on_exit = true;
			break;
		}
	}
	log_setup(level, json_log);
	o->argc = argc - optind;
	o->argv = argv + optind;
	if (takes_no_arguments(set) && o->argc) {
		cli_error(argv[0], "unexpected argument '%s' (`cgtrack %s` takes no "
			  "arguments; see --help)", o->argv[0], argv[0]);
		return -1;
	}
	return 0;
}
