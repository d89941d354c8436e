/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_CMD_QUERY_H
#define CGTRACK_CMD_QUERY_H

#include "options.h"

int cmd_parse(struct common_opts *co);
int cmd_list(struct common_opts *co);
int cmd_watch(struct common_opts *co);
int cmd_get(struct common_opts *co);
int cmd_find(struct common_opts *co);
int cmd_pid(struct common_opts *co);
int cmd_resolve(struct common_opts *co);
int cmd_status(struct common_opts *co);

#endif
