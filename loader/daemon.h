/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_DAEMON_H
#define CGTRACK_DAEMON_H

int cmd_run(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_unload(int argc, char **argv);

#endif
