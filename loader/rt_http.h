/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One HTTP GET over a unix socket, driven by a curl multi handle: a
 * timeout for the whole request and a cap on the response size.
 */
#ifndef CGTRACK_RT_HTTP_H
#define CGTRACK_RT_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>

struct rt_http {
	CURL *easy;
	char *body;			/* NUL-terminated */
	size_t len;
	size_t alloc;
	bool too_large;
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * Start GET http://localhost<path> on the unix socket sock; priv is what
 * CURLINFO_PRIVATE gives back. Returns 0, or -1 with a reason in err.
 */
int rt_http_start(struct rt_http *h, CURLM *multi, const char *sock, const char *path,
		  long timeout_ms, void *priv, char *err, size_t errlen);

/*
 * The request is done (CURLMSG_DONE with rc): 0 and the HTTP status, or
 * -1 with a reason in err (timeout, refused, too large, cut short...).
 */
int rt_http_result(struct rt_http *h, CURLcode rc, long timeout_ms, long *status,
		   char *err, size_t errlen);

/* Remove from the multi handle and free everything; safe twice. */
void rt_http_free(struct rt_http *h, CURLM *multi);

#endif
