// SPDX-License-Identifier: Apache-2.0
/*
 * `cgtrack sweep`: delete the entries dead for longer than the expiry,
 * once (from a timer when no daemon runs).
 */
#include <stdio.h>

#include "daemon.h"
#include "jsonw.h"
#include "options.h"
#include "pins.h"
#include "sweep.h"

int cmd_sweep(const struct common_opts *co)
{
	struct sweep_result r;
	struct pinned p;
	uint64_t expiry;

	if (pins_open(co->pin_dir, true, &p))
		return 1;
	/* the expiry the daemon stored, unless one is given */
	expiry = co->expiry_set ? co->expiry_ms * 1000000ull : p.cfg.expiry_ns;
	if (sweep_once(&p, expiry, &r)) {
		sweep_done();
		pins_close(&p);
		return 1;
	}
	if (co->json) {
		struct jsonw *w = jsonw_new(stdout);

		jsonw_start_object(w);
		jsonw_u64_field(w, "scanned", r.scanned);
		jsonw_u64_field(w, "deleted", r.deleted);
		jsonw_u64_field(w, "dead", r.dead);
		jsonw_end_object(w);
		jsonw_destroy(w);
		putchar('\n');
	} else {
		printf("%llu scanned, %llu deleted, %llu dead within the expiry\n",
		       (unsigned long long)r.scanned, (unsigned long long)r.deleted,
		       (unsigned long long)r.dead);
	}
	sweep_done();
	pins_close(&p);
	return 0;
}
