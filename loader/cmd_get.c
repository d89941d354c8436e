// SPDX-License-Identifier: Apache-2.0
/* `cgtrack get CGROUP_ID`: one entry, by full cgroup id or 32-bit key. */
#include <stdio.h>

#include "clierr.h"
#include "cmd_query.h"
#include "options.h"
#include "query.h"

int cmd_get(const struct common_opts *co)
{
	struct entry_view v;
	struct pinned p;
	uint64_t id;
	int r;

	if (co->argc != 1 || parse_u64(co->argv[0], &id)) {
		cli_error("get", "give one cgroup id (a decimal number: the "
			"64-bit id or its low 32 bits, the map key)");
		return 2;
	}
	if (pins_open(co->pin_dir, false, &p))
		return 1;
	/*
	 * A full id above 32 bits must match the entry's: the key alone may
	 * now belong to another cgroup. A 32-bit number is the key itself.
	 */
	r = entry_get(&p, (uint32_t)id, &v);
	if (r || (id > UINT32_MAX && v.e.cgroup_id != id)) {
		cli_json_empty(co->json, "null");
		cli_error("get", "cgroup %llu is not tracked",
			  (unsigned long long)id);
		pins_close(&p);
		return 1;
	}
	entry_print(&p, &v, co->json);
	pins_close(&p);
	return 0;
}
