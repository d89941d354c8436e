// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the command line and the output helpers, no root needed
 * (`make check`): durations, option errors (exit-2 cases and what they
 * name), the JSON writer's escaping and the terminal escaping of map text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "options.h"
#include "textsafe.h"

#define TAP_AREA "options"
#include "tap.h"


static void duration(const char *in, long long want)
{
	char what[128], got[32];
	long long v = parse_duration_ms(in);

	snprintf(what, sizeof(what), "duration '%s' is %lld", in, want);
	snprintf(got, sizeof(got), "%lld", v);
	ok(v == want, what, got);
}

/* opts_parse on a command line; stderr captured into err */
static int parse(enum opt_set set, const char *line, struct common_opts *o, char *err,
		 size_t len)
{
	static char buf[512], *argv[32];	/* o->argv points into them */
	char *tok, *save = NULL;
	FILE *f = tmpfile();
	int argc = 0, r, saved = dup(2);
	size_t n;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	fflush(stderr);
	dup2(fileno(f), 2);
	r = opts_parse(argc, argv, set, o);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(err, 1, len - 1, f);
	err[n] = 0;
	fclose(f);
	return r;
}

static void bad(enum opt_set set, const char *line, const char *says)
{
	struct common_opts o;
	char err[512], what[256];
	int r = parse(set, line, &o, err, sizeof(err));

	snprintf(what, sizeof(what), "'%s' is refused, saying \"%s\"", line, says);
	ok(r == -1 && strstr(err, says), what, err);
}

static void json_escapes(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jsonw *w = jsonw_new(f);

	jsonw_start_object(w);
	jsonw_str_field(w, "s", "q\"b\\\n\x01\x7f\xc2\x9b");
	jsonw_end_object(w);
	jsonw_destroy(w);
	fclose(f);
	ok(buf && !strcmp(buf, "{\"s\":\"q\\\"b\\\\\\n\\u0001\\u007f\\u009b\"}"),
	   "the JSON writer escapes quotes, backslashes, C0, DEL and C1", buf ? buf : "");
	free(buf);
}

static void text_escapes(void)
{
	char out[64];

	text_escape(out, sizeof(out), "a\x1b[2J\xc2\x9bz", 16);
	ok(!strcmp(out, "a\\x1b[2J\\xc2\\x9bz"), "text escapes ESC and a C1 (CSI)", out);
	text_escape(out, 6, "abc\xc3\xa9\xc3\xa9", 16);
	ok(!strcmp(out, "abc\xc3\xa9"), "a cut never splits a character", out);
}

int main(void)
{
	struct common_opts o;
	char err[512];

	duration("5", 5000);
	duration("5s", 5000);
	duration("500ms", 500);
	duration("1m", 60000);
	duration("0", 0);
	duration("-1", -1);
	duration("nan", -1);
	duration("5parsecs", -1);
	duration("", -1);

	bad(OPT_RUN, "run --bogus", "unknown option '--bogus'");
	bad(OPT_TABLE, "list --expiry 5s", "option '--expiry' does not apply to `cgtrack list`");
	bad(OPT_RUN, "run --expiry", "option '--expiry' needs a value");
	bad(OPT_RUN, "run junk", "unexpected argument 'junk'");
	bad(OPT_RUN, "run --max-entries 0", "--max-entries must be");
	bad(OPT_RUN, "run --pin-dir relative", "--pin-dir must be an absolute path");
	bad(OPT_PARSE, "parse --wide /x", "option '--wide' does not apply");
	bad(OPT_TABLE, "list --prometheus", "option '--prometheus' does not apply");
	bad(OPT_RUN, "run --pin-group no-such-group-cgtrack", "no group named");
	ok(parse(OPT_TABLE, "get 42 --json", &o, err, sizeof(err)) == 0 && o.json &&
	   o.argc == 1 && !strcmp(o.argv[0], "42"), "options may follow the arguments", err);
	ok(parse(OPT_RUN, "run --max-entries 100 --pin-group 0", &o, err, sizeof(err)) == 0 &&
	   o.max_entries == 100 && o.max_entries_set && o.pin_gid == 0,
	   "--max-entries and a numeric --pin-group", err);

	json_escapes();
	text_escapes();
	return tap_done();
}
