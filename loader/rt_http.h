/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP/1.1 GET over a unix socket, non-blocking, driven by the
 * enrichment worker's poll(): a deadline for the whole request and a cap
 * on the answer's size; the body by Content-Length, chunked, or until the
 * server closes. Our own client: libcurl, with the TLS and authentication
 * libraries it pulls in, cost the daemon 7-8 MiB of memory for a GET to a
 * local socket.
 */
#ifndef CGTRACK_RT_HTTP_H
#define CGTRACK_RT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt_http {
	int fd;				/* valid while has_fd */
	bool has_fd;
	int phase;			/* sending, receiving, done */
	char req[640];
	size_t req_len, req_off;
	char *raw;			/* all the server sent */
	size_t raw_len, raw_alloc;
	size_t head_len;		/* status line and headers; 0 until whole */
	long status;
	long long content_length;	/* -1: none given */
	bool chunked;
	char *body;			/* the answer, NUL-terminated, in raw */
	size_t len;
	uint64_t deadline_ns;		/* CLOCK_BOOTTIME */
	long timeout_ms;
	char fail[160];			/* why it failed; "" if it did not */
};

/*
 * Connect to the unix socket sock and start GET path. Returns 0, or -1
 * with a reason in err (nothing to free then).
 */
int rt_http_start(struct rt_http *h, const char *sock, const char *path, long timeout_ms,
		  char *err, size_t errlen);

/* What to poll() the fd for: POLLOUT while sending, POLLIN after. */
short rt_http_events(const struct rt_http *h);

/*
 * Go on after poll() said revents (0: only the deadline is checked).
 * Returns true once the request is over: an answer, or a failure.
 */
bool rt_http_step(struct rt_http *h, short revents, uint64_t now_ns);

/* The request is over (rt_http_step() returned true). */
bool rt_http_done(const struct rt_http *h);

/* Over: 0 and the HTTP status, or -1 with the reason in err. */
int rt_http_result(const struct rt_http *h, long *status, char *err, size_t errlen);

/* Close and free; safe twice, and on a zeroed struct. */
void rt_http_free(struct rt_http *h);

#endif
