/* SPDX-License-Identifier: Apache-2.0 */
/* The daemon (`cgtrack run`) and the one-shot commands around it. */
#ifndef CGTRACK_DAEMON_H
#define CGTRACK_DAEMON_H

#include "options.h"

int cmd_run(const struct common_opts *co);
int cmd_load(const struct common_opts *co);
int cmd_sweep(const struct common_opts *co);
int cmd_unload(const struct common_opts *co);

/* load or adopt, and populate, as `run` starts, then return: 0 or 1 */
int daemon_load(const struct common_opts *co);

/* sd_notify(3): a datagram to $NOTIFY_SOCKET, quiet when there is none */
void daemon_notify(const char *msg);

#endif
