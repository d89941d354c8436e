/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container coming, starting or going, as one line on stdout: what the
 * daemon prints from the kernel's events and `cgtrack watch` from the map.
 */
#ifndef CGTRACK_EVENT_OUT_H
#define CGTRACK_EVENT_OUT_H

#include <stdbool.h>
#include "pins.h"

/*
 * type: CGTRACK_EV_ADDED ("+"), _REMOVED ("-"), _STARTED ("started").
 * json: one object with the time, the event, the full id and the name
 * once the runtime has answered; else "+ docker <id> cgroup=N root".
 */
void event_print(const struct pinned *p, enum cgtrack_event_type type,
		 const struct cgtrack_container *e, bool json);

#endif
