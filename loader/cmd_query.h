/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_CMD_QUERY_H
#define CGTRACK_CMD_QUERY_H

#include "options.h"

int cmd_parse(const struct common_opts *co);
int cmd_list(const struct common_opts *co);
int cmd_watch(const struct common_opts *co);
int cmd_get(const struct common_opts *co);
int cmd_find(const struct common_opts *co);
int cmd_pid(const struct common_opts *co);
int cmd_resolve(const struct common_opts *co);
int cmd_status(const struct common_opts *co);
int cmd_completion(const struct common_opts *co);

#endif
