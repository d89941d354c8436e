// SPDX-License-Identifier: Apache-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "curl_lazy.h"
#include "rt_http.h"

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct rt_http *h = ctx;
	size_t n = size * nmemb, want;
	char *nb;

	if (h->len + n > RT_BODY_MAX) {
		h->too_large = true;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (h->len + n + 1 > h->alloc) {
		want = h->alloc ? h->alloc : 16384;
		while (want < h->len + n + 1)
			want *= 2;
		nb = realloc(h->body, want);
		if (!nb)
			return 0;
		h->body = nb;
		h->alloc = want;
	}
	memcpy(h->body + h->len, data, n);
	h->len += n;
	h->body[h->len] = 0;
	return n;
}

static void set_protocols(CURL *c)
{
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_api.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
#else
	curl_api.easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTP);
#endif
}

int rt_http_start(struct rt_http *h, CURLM *multi, const char *sock, const char *path,
		  long timeout_ms, void *priv, char *err, size_t errlen)
{
	char url[512];
	CURLMcode mc;
	CURL *c;

	memset(h, 0, sizeof(*h));
	c = curl_api.easy_init();
	if (!c) {
		snprintf(err, errlen, "curl_easy_init failed");
		return -1;
	}
	snprintf(url, sizeof(url), "http://localhost%s", path);
	curl_api.easy_setopt(c, CURLOPT_URL, url);
	curl_api.easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	set_protocols(c);
	curl_api.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_api.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_api.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_api.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)RT_BODY_MAX);
	curl_api.easy_setopt(c, CURLOPT_USERAGENT, "cgtrack");
	curl_api.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_api.easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_api.easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_api.easy_setopt(c, CURLOPT_PRIVATE, priv);
	mc = curl_api.multi_add_handle(multi, c);
	if (mc != CURLM_OK) {
		snprintf(err, errlen, "curl: %s", curl_api.multi_strerror(mc));
		curl_api.easy_cleanup(c);
		return -1;
	}
	h->easy = c;
	return 0;
}

int rt_http_result(struct rt_http *h, CURLcode rc, long timeout_ms, long *status,
		   char *err, size_t errlen)
{
	if (h->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "the response is larger than %u bytes", RT_BODY_MAX);
		return -1;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errlen, "no complete answer within %ld ms (%zu bytes received)",
			 timeout_ms, h->len);
		return -1;
	}
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s%s%s", curl_api.easy_strerror(rc),
			 h->errbuf[0] ? ": " : "", h->errbuf);
		err[strcspn(err, "\n")] = 0;
		return -1;
	}
	*status = 0;
	curl_api.easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

void rt_http_free(struct rt_http *h, CURLM *multi)
{
	if (h->easy) {
		curl_api.multi_remove_handle(multi, h->easy);
		curl_api.easy_cleanup(h->easy);
		h->easy = NULL;
	}
	free(h->body);
	h->body = NULL;
	h->len = h->alloc = 0;
}
