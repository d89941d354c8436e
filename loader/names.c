// SPDX-License-Identifier: Apache-2.0
#include <string.h>

#include "names.h"

const char *state_name(int state)
{
	switch (state) {
	case CGTRACK_STATE_EXISTED: return "existed";
	case CGTRACK_STATE_CREATED: return "created";
	case CGTRACK_STATE_STARTED: return "started";
	default: return "none";
	}
}
