/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_PROCFS_H
#define CGTRACK_PROCFS_H

/* The integer in a /proc/sys file, or fallback if it cannot be read. */
int procfs_read_int(const char *path, int fallback);

#endif
