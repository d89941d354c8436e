// SPDX-License-Identifier: Apache-2.0
/*
 * Levelled logging to stderr: text or JSON lines. When stderr is the
 * journal, text lines carry no timestamp (journald adds its own) but a
 * <N> syslog priority prefix, so `journalctl -p warning` works.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "jsonw.h"
#include "textsafe.h"

static enum log_level cur_level = LOG_INFO;
static int as_json;
static int journal;	/* journald adds its own timestamps */

static const char *const level_names[] = { "error", "warn", "info", "debug" };
static const int level_prio[] = { 3, 4, 6, 7 };	/* LOG_ERR ... LOG_DEBUG */

/* systemd sets JOURNAL_STREAM=<dev>:<inode> of the stream it connected. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st))
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_setup(enum log_level level, int json)
{
	cur_level = level;
	as_json = json;
	journal = stderr_is_journal();
}

int log_set_format(const char *fmt)
{
	if (!strcmp(fmt, "json"))
		as_json = 1;
	else if (!strcmp(fmt, "text"))
		as_json = 0;
	else
		return -1;
	return 0;
}

enum log_level log_level(void)
{
	return cur_level;
}

void log_timestamp(char *out, size_t len)
{
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
}

bool log_is_json(void)
{
	return as_json;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char msg[1024], ts[64] = "";
	va_list ap;

	if (level > cur_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	msg[strcspn(msg, "\n")] = 0;

	log_timestamp(ts, sizeof(ts));
	flockfile(stderr);	/* one line at a time: the enrichment thread logs too */
	if (as_json) {
		struct jsonw *w = jsonw_new(stderr);

		jsonw_start_object(w);
		jsonw_str_field(w, "time", ts);
		jsonw_str_field(w, "level", level_names[level]);
		jsonw_str_field(w, "msg", msg);
		jsonw_end_object(w);
		jsonw_destroy(w);
		fputc('\n', stderr);
	} else {
		if (journal)
			fprintf(stderr, "<%d>cgtrack: %s: ", level_prio[level],
				level_names[level]);
		else
			fprintf(stderr, "%s cgtrack: %s: ", ts, level_names[level]);
		/* messages quote cgroup names and map strings: no raw controls */
		text_fputs(stderr, msg, sizeof(msg));
		fputc('\n', stderr);
	}
	fflush(stderr);
	funlockfile(stderr);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum log_level l = level == LIBBPF_WARN ? LOG_WARN : LOG_DEBUG;
	char buf[1024], *msg = buf, *line, *save = NULL;
	va_list aq;
	int n;

	if (l > cur_level)
		return 0;
	/* a verifier log comes in one piece, often far over 1 KiB */
	va_copy(aq, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= (int)sizeof(buf) && vasprintf(&msg, fmt, aq) < 0)
		msg = buf;
	va_end(aq);

	if (!strchr(msg, '\n') || !strchr(msg, '\n')[1])
		log_msg(l, "%s", msg);
	else if (!as_json)
		fputs(msg, stderr);	/* keep every line as it is */
	else
		for (line = strtok_r(msg, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			log_msg(l, "%s", line);	/* one JSON record each */
	if (msg != buf)
		free(msg);
	return 0;
}

void log_route_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
