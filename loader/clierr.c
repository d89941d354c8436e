// SPDX-License-Identifier: Apache-2.0
#include <stdarg.h>
#include <stdio.h>

#include "clierr.h"
#include "jsonw.h"
#include "log.h"

static bool as_json;

void cli_error_json(bool json)
{
	as_json = json;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
	struct jsonw *w;
	char msg[1024], ts[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!as_json) {
		fprintf(stderr, "cgtrack %s: %s\n", cmd, msg);
		return;
	}
	log_timestamp(ts, sizeof(ts));
	w = jsonw_new(stderr);
	jsonw_start_object(w);
	jsonw_str_field(w, "time", ts);
	jsonw_str_field(w, "level", "error");
	jsonw_str_field(w, "command", cmd);
	jsonw_str_field(w, "msg", msg);
	jsonw_end_object(w);
	jsonw_destroy(w);
	fputc('\n', stderr);
}

void cli_json_empty(bool json, const char *empty)
{
	if (json)
		printf("%s\n", empty);
}
