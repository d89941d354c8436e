/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A command's error for the operator: "cgtrack CMD: message" on stderr,
 * or, with --json or --log-format json, one JSON object on stderr with the
 * log's fields {"time", "level", "msg"} and "command", so that a script
 * reading JSON gets JSON on both streams. stdout keeps the
 * command's one shape (get: an object or null; find, list: an array).
 */
#ifndef CGTRACK_CLIERR_H
#define CGTRACK_CLIERR_H

#include <stdbool.h>

void __attribute__((format(printf, 2, 3)))
cli_error(const char *cmd, const char *fmt, ...);

/* Errors as JSON from now on (--json, or --log-format json). */
void cli_error_json(bool json);

/* With --json: what stdout holds when there is no answer ("null", "[]"). */
void cli_json_empty(bool json, const char *empty);

#endif
