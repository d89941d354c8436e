// SPDX-License-Identifier: Apache-2.0
/* `cgtrack load`: load (or adopt) and populate once, then exit; tracking goes on. */
#include "daemon.h"
#include "options.h"

int cmd_load(const struct common_opts *co)
{
	return daemon_load(co);
}
