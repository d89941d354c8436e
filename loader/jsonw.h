/* SPDX-License-Identifier: Apache-2.0 */
/* A small JSON writer for our output (parsing uses json-c). */
#ifndef CGTRACK_JSONW_H
#define CGTRACK_JSONW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jsonw;

struct jsonw *jsonw_new(FILE *f);
void jsonw_destroy(struct jsonw *w);
void jsonw_start_object(struct jsonw *w);
void jsonw_end_object(struct jsonw *w);
void jsonw_start_array(struct jsonw *w);
void jsonw_end_array(struct jsonw *w);
void jsonw_name(struct jsonw *w, const char *name);
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_u64(struct jsonw *w, uint64_t v);
void jsonw_s64(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
void jsonw_str_field(struct jsonw *w, const char *name, const char *s);
void jsonw_u64_field(struct jsonw *w, const char *name, uint64_t v);
void jsonw_s64_field(struct jsonw *w, const char *name, int64_t v);
void jsonw_bool_field(struct jsonw *w, const char *name, bool v);

#endif
