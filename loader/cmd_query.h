/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_CMD_QUERY_H
#define CGTRACK_CMD_QUERY_H

int cmd_parse(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_find(int argc, char **argv);
int cmd_pid(int argc, char **argv);
int cmd_resolve(int argc, char **argv);
int cmd_status(int argc, char **argv);

#endif
