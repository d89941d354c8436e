// SPDX-License-Identifier: Apache-2.0
/*
 * libFuzzer target: the shared parser (include/cgtrack/parser.h) on whole
 * cgroup paths, checked against an independent simulation of the kernel.
 *
 * The simulator does not call cgpath_step() nor share cgpath_parse()'s
 * ring of three nodes: it creates every prefix of the path as a node of a
 * table keyed by the full prefix path ("/a", "/a/b", ...), the way cgroupfs
 * creates one directory per mkdir, and decides each new node as
 * bpf/cgtrack.bpf.c does: cgtrack_match_name() on (name, parent's name,
 * grandparent's name, level) read from the table, then cgtrack_fill() with
 * the parent node's stored entry, in scratch buffers that are NOT cleared
 * between cgroups (the BPF program reuses one per-CPU slot, and
 * bpf_probe_read_kernel_str() leaves stale bytes past the NUL). The result
 * for the full path must equal cgpath_parse(path).
 *
 * Also checked: the entry's invariants (NUL-terminated id of at most 64
 * characters found in the name, runtime in range, an inherited entry equal
 * to its container's own), and that trailing '/', "//", a "/.." prefix
 * (another cgroup namespace's view), a /proc/<pid>/cgroup line prefix and
 * a trailing newline change nothing.
 *
 * A violated property aborts with a message: libFuzzer saves the input,
 * and tests/test_fuzz_regressions.sh replays tests/data/regressions/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgpath.h"
#include "fuzz_common.h"

#define MAX_PATH	4096
#define MAX_NODES	(MAX_PATH / 2 + 1)
#define TABLE_SIZE	4096		/* > MAX_NODES, a power of two */
/* prefixes compared one by one with cgpath_parse() up to this depth */
#define PREFIX_CHECK_DEPTH 48

/* ---- the simulated cgroupfs: one node per prefix, keyed by its path ---- */

struct sim_node {
	const char *key;		/* the full prefix path, e.g. "/a/b" */
	size_t key_len;
	const char *name;		/* the last component (points into key) */
	size_t name_len;
	__u64 cgid;
	__u32 level;
	int tracked;
	struct cgtrack_container ent;
};

static struct sim_node nodes[MAX_NODES];
static struct sim_node *table[TABLE_SIZE];
static size_t n_nodes;
static char keybuf[MAX_NODES + MAX_PATH * 2];

static size_t hash(const char *s, size_t n)
{
	size_t h = 1469598103934665603ull, i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static struct sim_node *sim_lookup(const char *key, size_t n)
{
	size_t i = hash(key, n) & (TABLE_SIZE - 1);

	while (table[i]) {
		if (table[i]->key_len == n && !memcmp(table[i]->key, key, n))
			return table[i];
		i = (i + 1) & (TABLE_SIZE - 1);
	}
	return NULL;
}

static void sim_insert(struct sim_node *node)
{
	size_t i = hash(node->key, node->key_len) & (TABLE_SIZE - 1);

	while (table[i])
		i = (i + 1) & (TABLE_SIZE - 1);
	table[i] = node;
}

/* The parent's path: everything before the last '/' ("" is the root). */
static size_t parent_key_len(const char *key, size_t n)
{
	while (n > 0 && key[n - 1] != '/')
		n--;
	return n ? n - 1 : 0;
}

/*
 * The BPF program's per-CPU scratch slot: names, match and entry keep
 * whatever the previous cgroup left in them. Filled with junk once.
 */
static struct {
	struct cgtrack_names names;
	struct cgtrack_match match;
	struct cgtrack_container entry;
	struct cgtrack_container parent;
} scratch;

/*
 * kn_name(): bpf_probe_read_kernel_str() into a CGTRACK_NAME_MAX buffer
 * copies the string and its NUL, no more, and at most 255 bytes of it
 * (cgroupfs takes longer names).
 */
static __u32 probe_read_str(char *dst, const char *src, size_t n)
{
	if (n > CGTRACK_NAME_MAX - 1)
		n = CGTRACK_NAME_MAX - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
	return (__u32)n;
}

/* mkdir of the node whose path is key[0..n): decided as the kernel does. */
static struct sim_node *sim_mkdir(const char *key, size_t n, const char *name,
				  size_t name_len)
{
	struct sim_node *node = &nodes[n_nodes], *parent, *gparent = NULL;
	size_t plen = parent_key_len(key, n);
	__u32 level;
	int tracked;

	parent = plen ? sim_lookup(key, plen) : NULL;
	if (plen && !parent)
		fuzz_fail("simulator: parent of '%.*s' was never created", (int)n, key);
	if (parent) {
		size_t gplen = parent_key_len(key, plen);

		gparent = gplen ? sim_lookup(key, gplen) : NULL;
	}
	level = parent ? parent->level + 1 : 1;

	/* read_names(): own name, then the ancestors' only as deep as they exist */
	scratch.names.level = level;
	scratch.names.name_len = probe_read_str(scratch.names.name, name, name_len);
	scratch.names.parent_len = 0;
	scratch.names.gparent_len = 0;
	scratch.names.parent[0] = 0;
	scratch.names.gparent[0] = 0;
	if (level >= 2 && parent)
		scratch.names.parent_len = probe_read_str(scratch.names.parent,
							  parent->name, parent->name_len);
	if (level >= 3 && gparent)
		scratch.names.gparent_len = probe_read_str(scratch.names.gparent,
							   gparent->name, gparent->name_len);
	/* the parent's entry, if it has one, copied into the slot */
	if (parent && parent->tracked)
		memcpy(&scratch.parent, &parent->ent, sizeof(scratch.parent));

	cgtrack_match_name(&scratch.names, &scratch.match);
	tracked = cgtrack_fill(&scratch.names, &scratch.match,
			       parent && parent->tracked ? &scratch.parent : NULL,
			       1000 + n_nodes, &scratch.entry);

	memset(node, 0, sizeof(*node));
	node->key = key;
	node->key_len = n;
	node->name = name;
	node->name_len = name_len;
	node->level = level;
	node->cgid = 1000 + n_nodes;
	node->tracked = tracked;
	if (tracked) {
		node->ent = scratch.entry;
		node->ent.cgroup_id = node->cgid;
	}
	n_nodes++;
	sim_insert(node);
	return node;
}

static struct sim_node *sim_node_by_cgid(__u64 cgid)
{
	if (cgid < 1000 || cgid - 1000 >= n_nodes)
		return NULL;
	return &nodes[cgid - 1000];
}

/* ---- invariants ---------------------------------------------------------- */

/* a machine name's bytes: the only ones an escape may stand for */
static int machine_byte(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

/*
 * What an id may look like, from a name: control bytes turned into '?',
 * and if asked systemd's \xNN escapes of [A-Za-z0-9._-] decoded left to
 * right, other escapes kept.
 */
static void unescape(const char *s, size_t n, int decode, char *out)
{
	size_t i, k = 0;
	int v;

	for (i = 0; i < n; i++) {
		if (decode && s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    fuzz_is_hex(s[i + 2]) && fuzz_is_hex(s[i + 3]) &&
		    machine_byte(v = fuzz_hexval(s[i + 2]) << 4 | fuzz_hexval(s[i + 3]))) {
			out[k++] = (char)v;
			i += 3;
		} else {
			out[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
		}
	}
	out[k] = 0;
}

static int contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	for (i = 0; i + m <= n; i++)
		if (!memcmp(hay + i, needle, m))
			return 1;
	return 0;
}

static void check_entry(const char *what, const struct sim_node *node)
{
	const struct cgtrack_container *e = &node->ent;
	size_t idlen = strnlen(e->container_id, sizeof(e->container_id));
	char dec[MAX_PATH + 1], dec2[MAX_PATH + 1];
	const struct sim_node *root;
	size_t i;

	if (!node->tracked)
		return;
	if (idlen > CGTRACK_ID_LEN)
		fuzz_fail("%s: container id not NUL-terminated", what);
	if (strnlen(e->pod_uid, sizeof(e->pod_uid)) > CGTRACK_POD_UID_LEN)
		fuzz_fail("%s: pod uid not NUL-terminated", what);
	if (e->runtime <= CGTRACK_RT_NONE || e->runtime >= CGTRACK_RT_MAX)
		fuzz_fail("%s: runtime %u out of range", what, e->runtime);
	if (idlen == 0)
		fuzz_fail("%s: tracked with an empty container id", what);
	for (i = 0; i < idlen; i++)
		if ((unsigned char)e->container_id[i] < 0x20 || e->container_id[i] == 0x7f)
			fuzz_fail("%s: a control byte in the id", what);
	if (!strcmp(e->container_id, ".") || !strcmp(e->container_id, "..") ||
	    strchr(e->container_id, '/'))
		fuzz_fail("%s: container id '%s' is a path", what, e->container_id);
	if (e->pod_uid[0] && strlen(e->pod_uid) != 32 && strlen(e->pod_uid) != 36)
		fuzz_fail("%s: pod uid '%s' of odd length", what, e->pod_uid);
	if (e->root) {
		if (e->root_cgroup_id != node->cgid)
			fuzz_fail("%s: a container's own cgroup whose root is another", what);
		/* the id lies in the cgroup's own name (libvirt: once unescaped) */
		unescape(node->name, node->name_len, 0, dec);
		unescape(node->name, node->name_len, 1, dec2);
		if (!contains(node->name, node->name_len, e->container_id) &&
		    !contains(dec, strlen(dec), e->container_id) &&
		    !contains(dec2, strlen(dec2), e->container_id))
			fuzz_fail("%s: id '%s' is not in the name '%.*s'", what,
				  e->container_id, (int)node->name_len, node->name);
		return;
	}
	/* inherited: the same as the entry of an ancestor that is the container */
	root = sim_node_by_cgid(e->root_cgroup_id);
	if (!root || !root->tracked || !root->ent.root || root->level >= node->level ||
	    root->key_len >= node->key_len || memcmp(root->key, node->key, root->key_len) ||
	    node->key[root->key_len] != '/')
		fuzz_fail("%s: inherited entry whose container is not an ancestor", what);
	if (root->ent.runtime != e->runtime ||
	    strcmp(root->ent.container_id, e->container_id) ||
	    strcmp(root->ent.pod_uid, e->pod_uid))
		fuzz_fail("%s: inherited entry differs from its container's", what);
}

/* cgpath_parse()'s answer equals the simulator's node (ids aside). */
static void check_same(const char *what, const char *input,
		       const struct sim_node *want)
{
	struct cgpath_node got;
	char err[256];

	if (cgpath_parse(input, &got, err, sizeof(err)))
		fuzz_fail("%s: cgpath_parse('%.200s') failed: %s", what, input, err);
	if (got.tracked != want->tracked)
		fuzz_fail("%s: '%.200s': tracked %d, the kernel says %d", what, input,
			  got.tracked, want->tracked);
	if (got.level != want->level)
		fuzz_fail("%s: '%.200s': level %u, the kernel says %u", what, input,
			  got.level, want->level);
	if (!got.tracked)
		return;
	if (got.ent.runtime != want->ent.runtime || got.ent.root != want->ent.root ||
	    memcmp(got.ent.container_id, want->ent.container_id,
		   sizeof(got.ent.container_id)) ||
	    memcmp(got.ent.pod_uid, want->ent.pod_uid, sizeof(got.ent.pod_uid)))
		fuzz_fail("%s: '%.200s': parse says %u '%s' root=%d pod '%s', the kernel "
			  "says %u '%s' root=%d pod '%s'", what, input, got.ent.runtime,
			  got.ent.container_id, got.ent.root, got.ent.pod_uid,
			  want->ent.runtime, want->ent.container_id, want->ent.root,
			  want->ent.pod_uid);
}

/* Same answer for two spellings of a path (both parse or both fail). */
static void check_equiv(const char *what, const char *a, const char *b)
{
	struct cgpath_node x, y;
	char e1[256], e2[256];
	int r1 = cgpath_parse(a, &x, e1, sizeof(e1));
	int r2 = cgpath_parse(b, &y, e2, sizeof(e2));

	if (r1 != r2)
		fuzz_fail("%s: '%.200s' -> %d, '%.200s' -> %d (%s)", what, a, r1, b, r2,
			  r1 ? e1 : e2);
	if (r1)
		return;
	if (x.tracked != y.tracked || x.level != y.level ||
	    (x.tracked && (x.ent.runtime != y.ent.runtime || x.ent.root != y.ent.root ||
			   strcmp(x.ent.container_id, y.ent.container_id) ||
			   strcmp(x.ent.pod_uid, y.ent.pod_uid))))
		fuzz_fail("%s: '%.200s' and '%.200s' differ", what, a, b);
}

/* ---- the target --------------------------------------------------------- */

static char path[MAX_PATH + 64];
static char alt[MAX_PATH + 128];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* stale junk in every scratch buffer, as in a reused per-CPU slot */
	memset(&scratch, 0xa5, sizeof(scratch));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum { KERNEL_CAN, TOO_LONG, DOT_NAME } why = KERNEL_CAN;
	struct sim_node *last = NULL, *prev;
	struct cgpath_node got;
	char err[256];
	size_t len, i, start, k = 0, depth = 0;
	int r;

	/* a C string starting with '/': the path as the kernel would report it */
	len = size < MAX_PATH + 8 ? size : MAX_PATH + 8;
	path[0] = '/';
	memcpy(path + 1, data, len);
	path[len + 1] = 0;
	len = strlen(path);

	r = cgpath_parse(path, &got, err, sizeof(err));
	/* a line copied from /proc/<pid>/cgroup: one trailing newline is fine */
	if (len && path[len - 1] == '\n')
		path[--len] = 0;

	/* the simulation: split, and mkdir each prefix in turn */
	n_nodes = 0;
	memset(table, 0, sizeof(table));
	if (len >= MAX_PATH || memchr(path, '\n', len))
		why = TOO_LONG;
	for (i = 0; why == KERNEL_CAN && i < len;) {
		const char *name;
		size_t nlen;

		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		nlen = i - start;
		if (!nlen)
			break;
		name = path + start;
		/* "." and ".." are no cgroup's name (> 255 bytes can be) */
		if ((nlen == 1 && name[0] == '.') || (nlen == 2 && !memcmp(name, "..", 2))) {
			why = DOT_NAME;
			break;
		}
		/* the canonical prefix "/c1/.../ck": each extends the last in place */
		keybuf[k++] = '/';
		memcpy(keybuf + k, name, nlen);
		k += nlen;
		prev = last;
		last = sim_mkdir(keybuf, k, keybuf + k - nlen, nlen);
		check_entry("simulator", last);
		/* inside a container stays inside one (a deeper one may take over) */
		if (prev && prev->tracked && !last->tracked)
			fuzz_fail("'%.*s' is in a container, its child '%.*s' not", (int)prev->key_len,
				  prev->key, (int)nlen, name);
		if (prev && prev->tracked && !last->ent.root &&
		    last->ent.root_cgroup_id != prev->ent.root_cgroup_id)
			fuzz_fail("'%.*s': a sub-cgroup that is not its parent's container's",
				  (int)k, keybuf);
		if (++depth <= PREFIX_CHECK_DEPTH) {
			char pfx[MAX_PATH + 1];

			memcpy(pfx, keybuf, k);
			pfx[k] = 0;
			check_same("prefix", pfx, last);
		}
	}

	switch (why) {
	case KERNEL_CAN:
		if (r)
			fuzz_fail("'%.200s': the kernel can have this cgroup, cgpath_parse "
				  "refused it: %s", path, err);
		if (!last) {
			if (got.tracked || got.level)
				fuzz_fail("the root '%.200s' is tracked or deep", path);
		} else {
			check_same("full path", path, last);
		}
		break;
	case TOO_LONG:
		if (!r)
			fuzz_fail("'%.200s': parsed despite a length or a newline", path);
		break;
	case DOT_NAME:
		break;	/* another namespace's view: see the "/.." check below */
	}

	/* spellings of the same path give the same answer */
	if (len + 16 < MAX_PATH && !memchr(path, '\n', len)) {
		snprintf(alt, sizeof(alt), "%s/", path);
		check_equiv("trailing '/'", path, alt);
		snprintf(alt, sizeof(alt), "/%s", path);
		check_equiv("leading '//'", path, alt);
		snprintf(alt, sizeof(alt), "/..%s", path);
		check_equiv("'/..' prefix", path, alt);
		snprintf(alt, sizeof(alt), "0::%s", path);
		check_equiv("'0::' line", path, alt);
		snprintf(alt, sizeof(alt), "12:cpu,cpuacct:%s", path);
		check_equiv("v1 line", path, alt);
		snprintf(alt, sizeof(alt), "%s\n", path);
		check_equiv("trailing newline", path, alt);
	}
	return 0;
}
