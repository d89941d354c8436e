/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the query commands (get, find, pid, resolve, status). */
#ifndef CGTRACK_QUERY_H
#define CGTRACK_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "entry_out.h"
#include "pins.h"

/* A whole decimal number (no sign, no junk): 0, or -1. */
int parse_u64(const char *s, uint64_t *out);

/* The entry of a key, its path resolved; 0 if found. */
int entry_get(const struct pinned *p, uint32_t key, struct entry_view *v);

/* Entries as a table (header + rows) or as one JSON array. */
void entries_print(const struct pinned *p, const struct entry_view *v, size_t n, bool json);

/* One entry as a table (header + row) or as one JSON object. */
void entry_print(const struct pinned *p, const struct entry_view *v, bool json);

#endif
