// SPDX-License-Identifier: Apache-2.0
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "curl_lazy.h"

struct curl_api curl_api;

static const char *const libnames[] = { "libcurl.so.4", "libcurl-gnutls.so.4" };

static int load_state;		/* 0 not tried, 1 loaded, -1 failed */
static char load_err[256];

/* dlsym() into a function pointer without a cast per symbol */
#define RESOLVE(field, sym)						\
	do {								\
		*(void **)&curl_api.field = dlsym(lib, sym);		\
		if (!curl_api.field) {					\
			snprintf(load_err, sizeof(load_err),		\
				 "%s has no %s", name, sym);		\
			return -1;					\
		}							\
	} while (0)

static int resolve(void *lib, const char *name)
{
	RESOLVE(global_init, "curl_global_init");
	RESOLVE(global_cleanup, "curl_global_cleanup");
	RESOLVE(easy_init, "curl_easy_init");
	RESOLVE(easy_cleanup, "curl_easy_cleanup");
	RESOLVE(easy_setopt, "curl_easy_setopt");
	RESOLVE(easy_getinfo, "curl_easy_getinfo");
	RESOLVE(easy_strerror, "curl_easy_strerror");
	RESOLVE(multi_init, "curl_multi_init");
	RESOLVE(multi_cleanup, "curl_multi_cleanup");
	RESOLVE(multi_add_handle, "curl_multi_add_handle");
	RESOLVE(multi_remove_handle, "curl_multi_remove_handle");
	RESOLVE(multi_perform, "curl_multi_perform");
	RESOLVE(multi_poll, "curl_multi_poll");	/* 7.66 */
	RESOLVE(multi_info_read, "curl_multi_info_read");
	RESOLVE(multi_strerror, "curl_multi_strerror");
	return 0;
}

static int load(void)
{
	const char *name = libnames[0];
	void *lib = NULL;
	size_t i;

	for (i = 0; i < sizeof(libnames) / sizeof(libnames[0]) && !lib; i++) {
		name = libnames[i];
		lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	}
	if (!lib) {
		snprintf(load_err, sizeof(load_err), "cannot load libcurl (%s): %s "
			 "(the libcurl4 package)", libnames[0], dlerror());
		return -1;
	}
	if (resolve(lib, name) || curl_api.global_init(CURL_GLOBAL_NOTHING)) {
		if (!load_err[0])
			snprintf(load_err, sizeof(load_err), "curl_global_init failed");
		memset(&curl_api, 0, sizeof(curl_api));
		dlclose(lib);
		return -1;
	}
	return 0;
}

int curl_api_load(char *err, size_t errlen)
{
	if (!load_state)
		load_state = load() ? -1 : 1;
	if (load_state < 0)
		snprintf(err, errlen, "%s", load_err);
	return load_state > 0 ? 0 : -1;
}

void curl_api_cleanup(void)
{
	if (load_state > 0)
		curl_api.global_cleanup();
}
