/* SPDX-License-Identifier: Apache-2.0 */
/* Naming the missing capabilities before the kernel says only EPERM. */
#ifndef CGTRACK_CAPS_H
#define CGTRACK_CAPS_H

#define CAPS_LOAD	1	/* load and attach BPF programs, mount bpffs */

/* Returns 0 if the effective set has what `need` requires; else logs. */
int caps_check(int need, const char *command);

#endif
