// SPDX-License-Identifier: Apache-2.0
/* Compact JSON writer: tracks whether a comma is due at each depth. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "textsafe.h"

#define JSONW_DEPTH 16

struct jsonw {
	FILE *f;
	int depth;
	bool need_comma[JSONW_DEPTH];
	bool after_name;
};

struct jsonw *jsonw_new(FILE *f)
{
	struct jsonw *w = calloc(1, sizeof(*w));

	if (!w)
		abort();
	w->f = f;
	return w;
}

void jsonw_destroy(struct jsonw *w)
{
	free(w);
}

static void sep(struct jsonw *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->need_comma[w->depth])
		fputc(',', w->f);
	w->need_comma[w->depth] = true;
}

static void open_(struct jsonw *w, char c)
{
	sep(w);
	fputc(c, w->f);
	if (w->depth < JSONW_DEPTH - 1)
		w->depth++;
	w->need_comma[w->depth] = false;
}

static void close_(struct jsonw *w, char c)
{
	fputc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

void jsonw_start_object(struct jsonw *w) { open_(w, '{'); }
void jsonw_end_object(struct jsonw *w) { close_(w, '}'); }
void jsonw_start_array(struct jsonw *w) { open_(w, '['); }
void jsonw_end_array(struct jsonw *w) { close_(w, ']'); }

/*
 * Controls are escaped, C1 (U+0080..U+009F) and DEL too, so that printing
 * our JSON on a terminal is safe; bytes that are not UTF-8 (a cgroup name
 * may have any) become U+FFFD, so the output is always valid JSON.
 */
static void put_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;
	uint32_t cp;

	fputc('"', f);
	while (n) {
		len = utf8_seq(p, n, &cp);
		if (!len) {
			fputs("\\ufffd", f);
			len = 1;
		} else if (cp == '"') {
			fputs("\\\"", f);
		} else if (cp == '\\') {
			fputs("\\\\", f);
		} else if (cp == '\n') {
			fputs("\\n", f);
		} else if (cp == '\r') {
			fputs("\\r", f);
		} else if (cp == '\t') {
			fputs("\\t", f);
		} else if (text_is_control(cp)) {
			fprintf(f, "\\u%04x", cp);
		} else {
			fwrite(p, 1, len, f);
		}
		p += len;
		n -= len;
	}
	fputc('"', f);
}

void jsonw_name(struct jsonw *w, const char *name)
{
	sep(w);
	put_str(w->f, name);
	fputc(':', w->f);
	w->after_name = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	sep(w);
	put_str(w->f, s);
}

void jsonw_u64(struct jsonw *w, uint64_t v)
{
	sep(w);
	fprintf(w->f, "%" PRIu64, v);
}

void jsonw_s64(struct jsonw *w, int64_t v)
{
	sep(w);
	fprintf(w->f, "%" PRId64, v);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	sep(w);
	fputs(v ? "true" : "false", w->f);
}

void jsonw_null(struct jsonw *w)
{
	sep(w);
	fputs("null", w->f);
}

void jsonw_str_field(struct jsonw *w, const char *name, const char *s)
{
	jsonw_name(w, name);
	jsonw_string(w, s);
}

void jsonw_u64_field(struct jsonw *w, const char *name, uint64_t v)
{
	jsonw_name(w, name);
	jsonw_u64(w, v);
}

void jsonw_s64_field(struct jsonw *w, const char *name, int64_t v)
{
	jsonw_name(w, name);
	jsonw_s64(w, v);
}

void jsonw_bool_field(struct jsonw *w, const char *name, bool v)
{
	jsonw_name(w, name);
	jsonw_bool(w, v);
}
