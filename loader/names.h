/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGTRACK_NAMES_H
#define CGTRACK_NAMES_H

#include "cgtrack/abi.h"
#include "runtimes.h"	/* runtime_name(), runtime_from_name() */

/* "existed", "created", "started" */
const char *state_name(int state);

#endif
