/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A command's error for the operator: "cgtrack CMD: message" on stderr,
 * or, with --json, one JSON object {"command", "error"} on stderr, so that
 * a script reading JSON gets JSON on both streams. stdout keeps the
 * command's one shape (get: an object or null; find, list: an array).
 */
#ifndef CGTRACK_CLIERR_H
#define CGTRACK_CLIERR_H

#include <stdbool.h>

void __attribute__((format(printf, 3, 4)))
cli_error(const char *cmd, bool json, const char *fmt, ...);

/* With --json: what stdout holds when there is no answer ("null", "[]"). */
void cli_json_empty(bool json, const char *empty);

#endif
