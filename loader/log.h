/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_LOG_H
#define CGTRACK_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* json: one object per line; timestamps off when stderr is the journal */
void log_setup(enum log_level level, int json);
int log_set_format(const char *fmt);
enum log_level log_level(void);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* hands libbpf's messages to log_msg (warnings always, the rest at debug) */
void log_route_libbpf(void);

#define log_err(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
