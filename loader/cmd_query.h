/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_CMD_QUERY_H
#define CGTRACK_CMD_QUERY_H

int cmd_parse(int argc, char **argv);
int cmd_list(int argc, char **argv);

#endif
