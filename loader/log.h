/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_LOG_H
#define CGTRACK_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* json: one object per line; timestamps off when stderr is the journal */
void log_setup(enum log_level level, int json);
int log_set_format(const char *fmt);
enum log_level log_level(void);
/* --log-format json in force */
bool log_is_json(void);
/* RFC 3339 UTC with milliseconds, as every log line carries */
void log_timestamp(char *out, size_t len);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* hands libbpf's messages to log_msg (warnings always, the rest at debug) */
void log_route_libbpf(void);

#define log_err(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
