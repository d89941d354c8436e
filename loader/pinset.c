// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "bpfload.h"
#include "pins.h"
#include "pinset.h"

#define LINK_PIN(pin, prog) { pin, prog, NULL, 0, 0, 0, false },
#define MAP_PIN(pin, kname, alt, shared, type, ksz, vsz, resizable) \
	{ pin, kname, alt, type, ksz, vsz, resizable },

/* From cgtrack/abi.h's lists. Links first: removing them detaches; then the maps. */
const struct pin_spec pinset[] = {
	CGTRACK_LINKS(LINK_PIN)
	CGTRACK_MAPS(MAP_PIN)
};
const size_t pinset_len = sizeof(pinset) / sizeof(pinset[0]);

#define ONE(...) + 1
_Static_assert(0 CGTRACK_LINKS(ONE) == N_LINK_PINS, "N_LINK_PINS is the number of links");

/* "map", "link", "prog" or "" (not a BPF object): from /proc/self/fdinfo. */
static const char *bpf_kind(int fd)
{
	char path[64], line[128];
	const char *kind = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return kind;
	while (!kind[0] && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "map_type:", 9))
			kind = "map";
		else if (!strncmp(line, "link_type:", 10))
			kind = "link";
		else if (!strncmp(line, "prog_type:", 10))
			kind = "prog";
	}
	fclose(f);
	return kind;
}

/*
 * Does BTF object btf_id describe cgtrack's ABI? 1 yes, 0 no (or no BTF),
 * -1 cannot tell: fetching BTF by id needs CAP_SYS_ADMIN.
 */
static int btf_is_cgtrack(__u32 btf_id)
{
	struct btf *btf;
	int ok;

	if (!btf_id)
		return 0;
	btf = btf__load_from_kernel_by_id(btf_id);
	if (!btf)
		return errno == EPERM ? -1 : 0;
	ok = btf__find_by_name_kind(btf, "cgtrack_container", BTF_KIND_STRUCT) >= 0;
	btf__free(btf);
	return ok;
}

static bool used_by(const struct pin_users *u, __u32 map_id)
{
	size_t i;

	for (i = 0; u && i < u->n; i++)
		if (u->map_ids[i] == map_id)
			return true;
	return false;
}

static enum pin_verdict check_map(int fd, const struct pin_spec *s,
				  struct pin_users *u, char *why, size_t len)
{
	struct bpf_map_info mi;
	__u32 n = sizeof(mi);

	memset(&mi, 0, sizeof(mi));
	if (bpf_obj_get_info_by_fd(fd, &mi, &n)) {
		snprintf(why, len, "a map whose details cannot be read (%s)", strerror(errno));
		return PIN_FOREIGN;
	}
	if (mi.type != s->map_type || (strcmp(mi.name, s->kname) &&
	    (!s->alt_kname || strcmp(mi.name, s->alt_kname)))) {
		snprintf(why, len, "a map named '%.16s' of type %u, cgtrack's is '%s' "
			 "of type %u", mi.name, mi.type, s->kname, s->map_type);
		return PIN_FOREIGN;
	}
	/* the consumer kit names its config differently (alt_kname) */
	if (u && s->alt_kname && !strcmp(mi.name, s->kname))
		u->own_config = true;
	switch (btf_is_cgtrack(mi.btf_id)) {
	case 1:
		if (u && !u->sibling_id)
			u->sibling_id = mi.id;
		return PIN_OURS;
	case -1:
		/* without the capability to read its BTF, its layout must do */
		if (mi.key_size == s->key_size && mi.value_size == s->value_size) {
			if (u && !u->sibling_id)
				u->sibling_id = mi.id;
			return PIN_OURS;
		}
		snprintf(why, len, "a map named '%.16s' with %u/%u-byte keys/values, "
			 "cgtrack's has %u/%u", mi.name, mi.key_size, mi.value_size,
			 s->key_size, s->value_size);
		return PIN_FOREIGN;
	}
	/*
	 * A ring buffer gets no BTF: it is ours when one of our programs
	 * uses it, or (links gone after a crash mid-load) when it was
	 * created in the same object load as a map of ours: map ids are
	 * handed out in order, and an object's maps are created together.
	 */
	if (!used_by(u, mi.id) && !(u && u->sibling_id && mi.id > u->sibling_id &&
				    mi.id - u->sibling_id < 16)) {
		snprintf(why, len, "a map named '%.16s' that neither carries cgtrack's "
			 "BTF nor is used by cgtrack's pinned programs (made by another "
			 "tool, e.g. bpftool map create)", mi.name);
		return PIN_FOREIGN;
	}
	return PIN_OURS;
}

/*
 * Without CAP_SYS_ADMIN a program cannot be opened by id: then the link
 * must be a raw tracepoint link (tp_btf) on the tracepoint the pin is
 * named after, which its info tells anyone who may open it.
 */
static enum pin_verdict check_tp_name(int fd, const struct pin_spec *s, char *why,
				      size_t len)
{
	const char *want = pin_basename(s);
	struct bpf_link_info li;
	char tp[64] = "";
	__u32 n = sizeof(li);

	memset(&li, 0, sizeof(li));
	li.raw_tracepoint.tp_name = (__u64)(unsigned long)tp;
	li.raw_tracepoint.tp_name_len = sizeof(tp);
	if (!bpf_obj_get_info_by_fd(fd, &li, &n) &&
	    li.type == BPF_LINK_TYPE_RAW_TRACEPOINT && !strncmp(tp, want, sizeof(tp)))
		return PIN_OURS;
	snprintf(why, len, "a link (type %u) on tracepoint '%.63s', cgtrack's is on '%s'",
		 li.type, tp, want);
	return PIN_FOREIGN;
}

/* Remember the maps program prog_fd uses. */
static void add_users(int prog_fd, struct pin_users *u)
{
	struct bpf_prog_info pi;
	__u32 ids[32] = { 0 }, n = sizeof(pi), i;

	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	pi.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(prog_fd, &pi, &n))
		return;
	for (i = 0; i < pi.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]) &&
	     u->n < sizeof(u->map_ids) / sizeof(u->map_ids[0]); i++)
		u->map_ids[u->n++] = ids[i];
}

static enum pin_verdict check_link(int fd, const struct pin_spec *s,
				   struct pin_users *u, char *why, size_t len)
{
	struct bpf_link_info li;
	struct bpf_prog_info pi;
	__u32 n = sizeof(li);
	int pfd;

	memset(&li, 0, sizeof(li));
	memset(&pi, 0, sizeof(pi));
	if (bpf_obj_get_info_by_fd(fd, &li, &n)) {
		snprintf(why, len, "a link whose details cannot be read (%s)", strerror(errno));
		return PIN_FOREIGN;
	}
	/*
	 * A program by id needs CAP_SYS_ADMIN, which cgtrack.service does not
	 * have: whatever keeps us from it, the link's own info must do.
	 */
	pfd = bpf_prog_get_fd_by_id(li.prog_id);
	if (pfd < 0)
		return check_tp_name(fd, s, why, len);
	n = sizeof(pi);
	if (bpf_obj_get_info_by_fd(pfd, &pi, &n))
		snprintf(pi.name, sizeof(pi.name), "?");
	if (strcmp(pi.name, s->kname)) {
		snprintf(why, len, "a link to program %u '%.16s', cgtrack's is '%s'",
			 li.prog_id, pi.name, s->kname);
		close(pfd);
		return PIN_FOREIGN;
	}
	if (u)
		add_users(pfd, u);
	close(pfd);
	return PIN_OURS;
}

enum pin_verdict pin_check(const char *path, const struct pin_spec *s,
			   struct pin_users *u, char *why, size_t len)
{
	enum pin_verdict v;
	const char *kind;
	int fd;

	why[0] = 0;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return PIN_ABSENT;
		snprintf(why, len, "cannot be opened: %s", strerror(errno));
		return PIN_UNREADABLE;
	}
	kind = bpf_kind(fd);
	if (strcmp(kind, pin_is_link(s) ? "link" : "map")) {
		snprintf(why, len, "a BPF %s, not a %s", kind[0] ? kind : "object",
			 pin_is_link(s) ? "link" : "map");
		v = PIN_FOREIGN;
	} else {
		v = pin_is_link(s) ? check_link(fd, s, u, why, len) :
				     check_map(fd, s, u, why, len);
	}
	close(fd);
	return v;
}
