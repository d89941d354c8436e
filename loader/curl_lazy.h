/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libcurl, loaded with dlopen() when the daemon first asks a runtime's
 * socket, not at start: its dependencies (TLS, Kerberos, LDAP libraries
 * cgtrack never uses over a unix socket) are most of a linked daemon's
 * memory, and a node without a runtime API never needs them.
 */
#ifndef CGTRACK_CURL_LAZY_H
#define CGTRACK_CURL_LAZY_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>

struct curl_api {
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *c);
	CURLcode (*easy_setopt)(CURL *c, CURLoption o, ...);
	CURLcode (*easy_getinfo)(CURL *c, CURLINFO i, ...);
	const char *(*easy_strerror)(CURLcode rc);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *m);
	CURLMcode (*multi_add_handle)(CURLM *m, CURL *c);
	CURLMcode (*multi_remove_handle)(CURLM *m, CURL *c);
	CURLMcode (*multi_perform)(CURLM *m, int *running);
	CURLMcode (*multi_poll)(CURLM *m, struct curl_waitfd extra[], unsigned int n_extra,
				int timeout_ms, int *numfds);
	CURLMsg *(*multi_info_read)(CURLM *m, int *left);
	const char *(*multi_strerror)(CURLMcode mc);
};

/* Valid once curl_api_load() has succeeded. */
extern struct curl_api curl_api;

/*
 * Load libcurl (libcurl.so.4, else libcurl-gnutls.so.4) and initialise it,
 * once; later calls return the first outcome. Not thread-safe: one thread
 * (the enrichment worker) calls it. 0, or -1 with the reason in err.
 */
int curl_api_load(char *err, size_t errlen);

/* curl_global_cleanup() if it was loaded; the library stays mapped. */
void curl_api_cleanup(void);

#endif /* CGTRACK_CURL_LAZY_H */
