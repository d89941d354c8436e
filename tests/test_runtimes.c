// SPDX-License-Identifier: Apache-2.0
/*
 * The runtimes' one table (loader/runtimes.c), no root needed (`make
 * check`): every value of enum cgtrack_runtime has a unique name that reads
 * back, each runtime client answers for its own runtime and is asked about
 * it first, an unknown id asks every client, and the lists the CLI prints
 * (list --runtime values, --runtime NAMEs) are exactly the table's rows.
 */
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "runtimes.h"

#define TAP_AREA "runtimes"
#include "tap.h"


/* is word one of the separated words of list? */
static int has_word(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || strchr(seps, p[-1])) && (!p[n] || strchr(seps, p[n])))
			return 1;
		p += n;
	}
	return 0;
}

static void names(void)
{
	char what[128];
	int i, j, dup = 0;

	for (i = CGTRACK_RT_UNKNOWN; i < CGTRACK_RT_MAX; i++) {
		const char *n = runtime_name(i);

		snprintf(what, sizeof(what), "value %d has a name, read back", i);
		ok(n[0] && strcmp(n, "invalid") && runtime_from_name(n) == i, what, n);
		snprintf(what, sizeof(what), "'%s' is in list --runtime's values", n);
		ok(has_word(opt_values("runtime"), n, " "), what, opt_values("runtime"));
		for (j = CGTRACK_RT_UNKNOWN; j < i; j++)
			dup += !strcmp(runtime_name(j), n);
	}
	ok(!dup, "no two runtimes share a name", "");
	ok(!strcmp(runtime_name(CGTRACK_RT_NONE), ""), "not a container: no name",
	   runtime_name(CGTRACK_RT_NONE));
	ok(!strcmp(runtime_name(CGTRACK_RT_MAX), "invalid") && !strcmp(runtime_name(-1), "invalid"),
	   "a value outside the enum is 'invalid'", runtime_name(CGTRACK_RT_MAX));
	ok(runtime_from_name("cri-o") == CGTRACK_RT_CRIO, "cri-o is crio's alias", "");
	ok(runtime_from_name("") < 0 && runtime_from_name("invalid") < 0 &&
	   runtime_from_name("dockerd") < 0, "'', 'invalid', 'dockerd' are no runtime", "");
}

static void clients(void)
{
	enum rt_kind order[RT_KINDS];
	char what[128];
	int k, n, i, seen;

	for (k = 0; k < RT_KINDS; k++) {
		const struct rt_client *c = rt_client(k);

		snprintf(what, sizeof(what), "client %s has a default path", c->name);
		ok(c->path && c->path[0] == '/', what, c->path ? c->path : "(null)");
		snprintf(what, sizeof(what), "client %s answers for runtime %s", c->name,
			 runtime_name(c->runtime));
		ok(!strcmp(runtime_name(c->runtime), c->name), what, runtime_name(c->runtime));
		n = runtime_ask_order(c->runtime, order);
		snprintf(what, sizeof(what), "a %s path asks %s first", c->name, c->name);
		ok(n > 0 && order[0] == (enum rt_kind)k, what, n > 0 ? rt_kind_name(order[0]) : "none");
		snprintf(what, sizeof(what), "--runtime %s: accepted, listed", c->name);
		ok(runtime_setting_ok(c->name) && rt_kind_of(c->name) == k &&
		   has_word(runtime_settings(), c->name, ", "), what, runtime_settings());
		if (c->alias) {
			snprintf(what, sizeof(what), "--runtime %s (alias) is %s", c->alias, c->name);
			ok(rt_kind_of(c->alias) == k, what, c->alias);
		}
		if (c->dir_opt) {
			snprintf(what, sizeof(what), "--runtime %s: accepted, listed, is %s's",
				 c->dir_opt, c->name);
			ok(runtime_setting_ok(c->dir_opt) && rt_kind_of_dir_opt(c->dir_opt) == k &&
			   has_word(runtime_settings(), c->dir_opt, ", "), what, runtime_settings());
		}
	}
	n = runtime_ask_order(CGTRACK_RT_UNKNOWN, order);
	for (i = seen = 0; i < n; i++)
		seen |= 1 << order[i];
	ok(n == RT_KINDS && seen == (1 << RT_KINDS) - 1, "an unknown id asks every client once", "");
	ok(runtime_ask_order(CGTRACK_RT_NONE, order) == 0 &&
	   runtime_ask_order(CGTRACK_RT_LXC, order) == 0, "no client for lxc or a non-container", "");
	ok(!runtime_setting_ok("lxc") && !runtime_setting_ok("") && !runtime_setting_ok("dockerd"),
	   "--runtime lxc, '' or dockerd: refused", "");
}

int main(void)
{
	names();
	clients();
	return tap_done();
}
