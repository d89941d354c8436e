/* SPDX-License-Identifier: Apache-2.0 */
/* From a cgroup id back to its directory. */
#ifndef CGTRACK_CGID_H
#define CGTRACK_CGID_H

#include <stddef.h>
#include <stdint.h>

/*
 * The path of cgroup cgid relative to the hierarchy mounted at mount
 * ("/docker/<id>"), via open_by_handle_at (needs CAP_DAC_READ_SEARCH).
 * Returns 0, or -errno (ESTALE: the cgroup is gone).
 */
int cgid_path(const char *mount, uint64_t cgid, char *out, size_t len);

#endif
