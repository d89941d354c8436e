/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_NAMES_H
#define CGTRACK_NAMES_H

#include "cgtrack/abi.h"

/* "docker", "containerd", ...; "" for CGTRACK_RT_NONE */
const char *runtime_name(int rt);
/* -1 if unknown */
int runtime_from_name(const char *name);
/* "existed", "created", "started" */
const char *state_name(int state);

#endif
