/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cgtrack's pins, the one list: each pin's name, and what makes it provably
 * cgtrack's (a map of the right kind and name whose BTF carries cgtrack's
 * ABI, or a link to one of cgtrack's programs), so that a bpftool-made
 * `stats` or a stranger's pin in the same directory is never adopted or
 * removed as ours.
 */
#ifndef CGTRACK_PINSET_H
#define CGTRACK_PINSET_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <linux/types.h>

struct pin_spec {
	const char *pin;		/* relative to the pin directory */
	const char *kname;		/* map or program name in the kernel */
	const char *alt_kname;		/* the consumer kit's name, if other */
	__u32 map_type;			/* 0: a link */
	__u32 key_size, value_size;	/* a map's */
	bool resizable;			/* follows --max-entries */
};

/* pinset[0 .. N_LINK_PINS - 1] are the links, the maps follow */
#define N_LINK_PINS	4

extern const struct pin_spec pinset[];
extern const size_t pinset_len;

static inline bool pin_is_link(const struct pin_spec *s)
{
	return !s->map_type;
}

/* The pin's name in its directory (links/ for links): "cgroup_mkdir" */
static inline const char *pin_basename(const struct pin_spec *s)
{
	const char *slash = strrchr(s->pin, '/');

	return slash ? slash + 1 : s->pin;
}

enum pin_verdict {
	PIN_ABSENT = 0,
	PIN_OURS = 1,
	PIN_FOREIGN = -1,		/* why says what it is instead */
	PIN_UNREADABLE = -2,		/* cannot be opened (errno kept) */
};

/* The maps that cgtrack's pinned programs use, gathered from the links. */
struct pin_users {
	__u32 map_ids[64];
	size_t n;
	__u32 sibling_id;		/* a map proven ours by its BTF */
	bool own_config;		/* config made by cgtrack's object, not a consumer's */
};

/*
 * What is pinned at path, checked against s. Check the links first (the
 * pinset's order) with the same u: a map without BTF (the ring buffer) is
 * ours when one of our programs uses it.
 */
enum pin_verdict pin_check(const char *path, const struct pin_spec *s,
			   struct pin_users *u, char *why, size_t len);

#endif
