/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * The cgroup-name parser: the only one. It is compiled into the BPF object
 * (the cgroup_mkdir program decides each new cgroup with it) and into the
 * loader (population, `cgtrack parse`, `cgtrack pid`).
 *
 * A cgroup is decided from its own name, its parent's and grandparent's
 * names and its depth, plus what was decided for its parent:
 *
 *   cgtrack_match_name()   does the name make this cgroup a container's own
 *                          cgroup?  (runtime + where the id is)
 *   cgtrack_fill()         the entry: the match, or inherited from the
 *                          parent's entry (a sub-cgroup of a container)
 *
 * so the answer for a path is the innermost container whose cgroup is the
 * path or one of its ancestors, computed exactly as the kernel does it,
 * one mkdir at a time.
 *
 * Constraints, because the verifier must accept it on 5.10: no libc, every
 * name lives in a CGTRACK_NAME_MAX buffer and every index is masked, every
 * loop has a constant bound and stops at its first decisive byte (a loop
 * that keeps scanning after a match multiplies verifier states).
 */
#ifndef CGTRACK_PARSER_H
#define CGTRACK_PARSER_H

#include "abi.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Keep the compiler from dropping a mask the verifier needs to see. */
#define cg_barrier_var(x)	__asm__ volatile("" : "+r"(x))

#define CGTRACK_NAME_MAX	256		/* NAME_MAX + NUL */
#define CG_IDX(i)		((i) & (CGTRACK_NAME_MAX - 1))

/* A cgroup's name and its two ancestors' names ("" above the root). */
struct cgtrack_names {
	char name[CGTRACK_NAME_MAX];
	char parent[CGTRACK_NAME_MAX];
	char gparent[CGTRACK_NAME_MAX];
	__u32 name_len;
	__u32 parent_len;
	__u32 gparent_len;
	__u32 level;			/* 1: a child of the hierarchy root */
};

enum cgtrack_match_flags {
	CGTRACK_M_UNESCAPE	= 1 << 0,	/* systemd \xNN escapes in the id */
	CGTRACK_M_POD_IN_NAME	= 1 << 1,	/* pod slice is the name's prefix */
	CGTRACK_M_HEX_ID	= 1 << 2,	/* name[id_off..] is 64 hex, checked */
};

struct cgtrack_match {
	__u32 runtime;			/* enum cgtrack_runtime */
	__u32 id_off;			/* the id is name[id_off, id_end) */
	__u32 id_end;
	__u32 flags;
	__u32 pod_end;			/* CGTRACK_M_POD_IN_NAME: prefix end */
	__u32 rpos;			/* cg_copy_id()'s read cursor */
};

/* ---- byte-level helpers ------------------------------------------------ */

/*
 * Character classes by table: one load and one branch per byte instead of
 * six range checks, which keeps the verifier's work on 64-byte ids small.
 */
#define CG_HEX		0x01
#define CG_ALNUM	0x02
#define CG_LOWNUM	0x04	/* [a-z0-9] */
#define CG_NSSEP	0x08	/* . _ - */

#define CG_D	(CG_HEX | CG_ALNUM | CG_LOWNUM)
#define CG_UH	(CG_HEX | CG_ALNUM)
#define CG_LH	(CG_HEX | CG_ALNUM | CG_LOWNUM)
#define CG_U	(CG_ALNUM)
#define CG_L	(CG_ALNUM | CG_LOWNUM)

static const __u8 cg_class[256] = {
	['0'] = CG_D, ['1'] = CG_D, ['2'] = CG_D, ['3'] = CG_D, ['4'] = CG_D,
	['5'] = CG_D, ['6'] = CG_D, ['7'] = CG_D, ['8'] = CG_D, ['9'] = CG_D,
	['A'] = CG_UH, ['B'] = CG_UH, ['C'] = CG_UH, ['D'] = CG_UH, ['E'] = CG_UH,
	['F'] = CG_UH, ['G'] = CG_U, ['H'] = CG_U, ['I'] = CG_U, ['J'] = CG_U,
	['K'] = CG_U, ['L'] = CG_U, ['M'] = CG_U, ['N'] = CG_U, ['O'] = CG_U,
	['P'] = CG_U, ['Q'] = CG_U, ['R'] = CG_U, ['S'] = CG_U, ['T'] = CG_U,
	['U'] = CG_U, ['V'] = CG_U, ['W'] = CG_U, ['X'] = CG_U, ['Y'] = CG_U,
	['Z'] = CG_U,
	['a'] = CG_LH, ['b'] = CG_LH, ['c'] = CG_LH, ['d'] = CG_LH, ['e'] = CG_LH,
	['f'] = CG_LH, ['g'] = CG_L, ['h'] = CG_L, ['i'] = CG_L, ['j'] = CG_L,
	['k'] = CG_L, ['l'] = CG_L, ['m'] = CG_L, ['n'] = CG_L, ['o'] = CG_L,
	['p'] = CG_L, ['q'] = CG_L, ['r'] = CG_L, ['s'] = CG_L, ['t'] = CG_L,
	['u'] = CG_L, ['v'] = CG_L, ['w'] = CG_L, ['x'] = CG_L, ['y'] = CG_L,
	['z'] = CG_L,
	['.'] = CG_NSSEP, ['_'] = CG_NSSEP, ['-'] = CG_NSSEP,
};

/*
 * Bytes as they may appear in an id: control bytes (0x00-0x1f, 0x7f)
 * become '?', every other byte is itself. A load, not a branch.
 */
#define CG_S4(b)	(b), (b) + 1, (b) + 2, (b) + 3
#define CG_S16(b)	CG_S4(b), CG_S4((b) + 4), CG_S4((b) + 8), CG_S4((b) + 12)
#define CG_Q4		'?', '?', '?', '?'
#define CG_Q16		CG_Q4, CG_Q4, CG_Q4, CG_Q4

static const __u8 cg_safe[256] = {
	CG_Q16, CG_Q16, CG_S16(0x20), CG_S16(0x30), CG_S16(0x40), CG_S16(0x50),
	CG_S16(0x60), CG_S4(0x70), CG_S4(0x74), CG_S4(0x78), 0x7c, 0x7d, 0x7e, '?',
	CG_S16(0x80), CG_S16(0x90), CG_S16(0xa0), CG_S16(0xb0), CG_S16(0xc0),
	CG_S16(0xd0), CG_S16(0xe0), CG_S16(0xf0),
};

static __always_inline int cg_is(char c, __u8 class)
{
	return cg_class[(__u8)c] & class;
}

#define cg_is_hex(c)	cg_is(c, CG_HEX)
#define cg_is_alnum(c)	cg_is(c, CG_ALNUM)

/*
 * Names are NUL-terminated and callers never start past the NUL, so a
 * match of a literal (which has no NUL) lies within the name. Loops stop at
 * the NUL instead of comparing with the length: comparisons with the length
 * would refine its range differently on every path and defeat the
 * verifier's state pruning.
 */

/* Does b[off..] start with the literal? (off <= the name's length) */
static __always_inline int cg_at(const char *b, __u32 len, __u32 off,
				 const char *lit, __u32 lit_len)
{
	__u32 i;

	(void)len;
	for (i = 0; i < lit_len; i++)
		if (b[CG_IDX(off + i)] != lit[i])
			return 0;
	return 1;
}

#define CG_LIT(s)		s, (sizeof(s) - 1)
#define cg_starts(b, len, s)	cg_at(b, len, 0, CG_LIT(s))
#define cg_eq(b, len, s)	(cg_starts(b, len, s) && b[sizeof(s) - 1] == 0)
#define cg_ends(b, len, s)	((len) >= sizeof(s) - 1 && \
				 cg_at(b, len, (len) - (sizeof(s) - 1), CG_LIT(s)))

/* Length of the run of hex digits at b[off..], counting at most max. */
static __always_inline __u32 cg_hex_run(const char *b, __u32 len, __u32 off,
					__u32 max)
{
	__u32 i;

	(void)len;
	for (i = 0; i < max; i++)
		if (!cg_is_hex(b[CG_IDX(off + i)]))
			break;
	return i;
}

/* b[off..] is exactly n hex digits followed by the end of the name. */
static __always_inline int cg_hex_exact(const char *b, __u32 len, __u32 off,
					__u32 n)
{
	return cg_hex_run(b, len, off, n + 1) == n && b[CG_IDX(off + n)] == 0;
}

/* b[off..] is a 64-hex id, optionally followed by ".scope", then the end. */
static __always_inline int cg_id_scope(const char *b, __u32 len, __u32 off)
{
	__u32 end = off + CGTRACK_ID_LEN;

	if (cg_hex_run(b, len, off, CGTRACK_ID_LEN + 1) != CGTRACK_ID_LEN)
		return 0;
	return b[CG_IDX(end)] == 0 ||
	       (cg_at(b, len, end, CG_LIT(".scope")) && b[CG_IDX(end + 6)] == 0);
}

/*
 * A Kubernetes pod UID at b[off..off+w): 8-4-4-4-12 with '-' (cgroupfs) or
 * '_' (systemd), or 32 hex digits (static pods: a config hash).
 */
static __always_inline int cg_uid_shape(const char *b, __u32 off, __u32 w)
{
	__u32 i;
	char c;

	for (i = 0; i < w; i++) {
		c = b[CG_IDX(off + i)];
		if (w == CGTRACK_POD_UID_LEN &&
		    (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (c != '-' && c != '_')
				return 0;
		} else if (!cg_is_hex(c)) {
			return 0;
		}
	}
	return 1;
}

/*
 * Find "pod<uid>" ending b[0..end) (".slice" stripped), as the whole
 * component (cgroupfs: pod26ab26cd-...) or after a '-' (systemd:
 * kubepods-besteffort-pod26ab26cd_....slice). Returns the uid's offset,
 * or 0 when there is none.
 */
static __always_inline __u32 cg_find_pod_w(const char *b, __u32 end, __u32 w)
{
	__u32 u = end - w;

	if (end < w + 3 || !cg_at(b, end, u - 3, CG_LIT("pod")))
		return 0;
	if (u != 3 && b[CG_IDX(u - 4)] != '-')
		return 0;
	return cg_uid_shape(b, u, w) ? u : 0;
}

static __always_inline __u32 cg_find_pod(const char *b, __u32 end, __u32 *w)
{
	__u32 u;

	if (end > 6 && cg_at(b, end, end - 6, CG_LIT(".slice")))
		end -= 6;
	*w = CGTRACK_POD_UID_LEN;
	u = cg_find_pod_w(b, end, CGTRACK_POD_UID_LEN);
	if (u)
		return u;
	*w = 32;
	return cg_find_pod_w(b, end, 32);
}

/*
 * A cgroupfs pod directory: exactly "pod<uid>" (what cg_find_pod() finds
 * when the uid starts at 3 and ends the name), checked without the
 * search.
 */
static __always_inline int cg_is_pod_dir(const char *b, __u32 len)
{
	if (!cg_starts(b, len, "pod"))
		return 0;
	if (len == 3 + CGTRACK_POD_UID_LEN)
		return cg_uid_shape(b, 3, CGTRACK_POD_UID_LEN);
	return len == 3 + 32 && cg_uid_shape(b, 3, 32);
}

/*
 * A name containerd accepts as a namespace ([A-Za-z0-9]+ joined by single
 * '.', '_' or '-'), and not a systemd unit.
 */
static __always_inline int cg_is_ns_name(const char *b, __u32 len)
{
	__u8 cls, prev = CG_NSSEP;
	__u32 i;

	if (len == 0 || len > 76)
		return 0;
	for (i = 0; i < 76; i++) {
		cls = cg_class[(__u8)b[CG_IDX(i)]];
		if (!b[CG_IDX(i)])
			break;
		/* no other byte, no separator first or after a separator */
		if (!(cls & (CG_ALNUM | CG_NSSEP)) || (cls & prev & CG_NSSEP))
			return 0;
		prev = cls;
	}
	if (prev & CG_NSSEP)
		return 0;
	return !cg_ends(b, len, ".slice") && !cg_ends(b, len, ".scope") &&
	       !cg_ends(b, len, ".service") && !cg_ends(b, len, ".mount");
}

/*
 * Each rule gets the name's length fresh from memory (a map value in BPF,
 * which the verifier does not track): a length already narrowed by one
 * rule's comparisons must not reach the next. Verifiers before 6.2 walk
 * branches that contradict such narrowed ranges and reject sound code.
 */
#define cg_fresh_len(n)	(*(const volatile __u32 *)&(n)->name_len)
#define cg_fresh_plen(n)	(*(const volatile __u32 *)&(n)->parent_len)

/* ---- the rules ----------------------------------------------------------- */

static __always_inline int cg_set(struct cgtrack_match *m, __u32 rt,
				  __u32 off, __u32 end)
{
	m->runtime = rt;
	m->id_off = off;
	m->id_end = end;
	return 1;
}

/*
 * <prefix>-<64 hex>[.scope]: docker, cri-containerd, nerdctl, crio,
 * libpod, libpod-payload. Conmon cgroups (crio-conmon-, libpod-conmon-)
 * never match: "conmon-..." is not hex.
 */
static __always_inline int cg_match_prefixed(const char *b, __u32 len,
					     struct cgtrack_match *m)
{
	const volatile __u32 *id_off = &m->id_off;
	__u32 off;

	if (len < CGTRACK_ID_LEN + 5)
		return 0;
	if (cg_starts(b, len, "docker-"))
		cg_set(m, CGTRACK_RT_DOCKER, 7, 0);
	else if (cg_starts(b, len, "cri-containerd-"))
		cg_set(m, CGTRACK_RT_CONTAINERD, 15, 0);
	else if (cg_starts(b, len, "nerdctl-"))
		cg_set(m, CGTRACK_RT_CONTAINERD, 8, 0);
	else if (cg_starts(b, len, "crio-"))
		cg_set(m, CGTRACK_RT_CRIO, 5, 0);
	else if (cg_starts(b, len, "libpod-payload-"))
		cg_set(m, CGTRACK_RT_PODMAN, 15, 0);
	else if (cg_starts(b, len, "libpod-"))
		cg_set(m, CGTRACK_RT_PODMAN, 7, 0);
	else
		return 0;
	/*
	 * One id check for all prefixes: the offset comes back through memory
	 * (a map value in BPF) so the verifier walks the 64-byte loop once,
	 * not once per prefix.
	 */
	off = *id_off;
	if (off > 15 || !cg_id_scope(b, len, off)) {
		m->runtime = CGTRACK_RT_NONE;
		return 0;
	}
	m->id_end = off + CGTRACK_ID_LEN;
	m->flags |= CGTRACK_M_HEX_ID;
	return 1;
}

/* Is b[end - L - 1 ..] ":<tag>" ending at end? */
static __always_inline int cg_colon_tag(const char *b, __u32 len, __u32 end,
					const char *tag, __u32 tag_len)
{
	return end > tag_len && b[CG_IDX(end - tag_len - 1)] == ':' &&
	       cg_at(b, len, end - tag_len, tag, tag_len);
}

/*
 * systemd cgroup driver names as cgroupfs paths, "<slice>:<prefix>:<id>":
 * system.slice:docker:<id>, kubepods-...-pod<uid>.slice:cri-containerd:<id>.
 */
static __always_inline int cg_match_colon(const char *b, __u32 len,
					  struct cgtrack_match *m)
{
	__u32 id, tag_end, tag_len, rt;

	if (len < CGTRACK_ID_LEN + 3)
		return 0;
	id = len - CGTRACK_ID_LEN;
	tag_end = id - 1;
	if (b[CG_IDX(tag_end)] != ':' || !cg_hex_exact(b, len, id, CGTRACK_ID_LEN))
		return 0;
	if (cg_colon_tag(b, len, tag_end, CG_LIT("docker"))) {
		rt = CGTRACK_RT_DOCKER;
		tag_len = 6;
	} else if (cg_colon_tag(b, len, tag_end, CG_LIT("cri-containerd"))) {
		rt = CGTRACK_RT_CONTAINERD;
		tag_len = 14;
	} else if (cg_colon_tag(b, len, tag_end, CG_LIT("crio"))) {
		rt = CGTRACK_RT_CRIO;
		tag_len = 4;
	} else if (cg_colon_tag(b, len, tag_end, CG_LIT("libpod"))) {
		rt = CGTRACK_RT_PODMAN;
		tag_len = 6;
	} else {
		return 0;
	}
	/* the pod slice, if any, is what comes before ":<tag>:" */
	m->flags |= CGTRACK_M_POD_IN_NAME;
	m->pod_end = tag_end - tag_len - 1;
	m->flags |= CGTRACK_M_HEX_ID;
	return cg_set(m, rt, id, len);
}

/* b[off..end) is "." or "..": a name no container has, a path if used as one */
static __always_inline int cg_is_dots(const char *b, __u32 off, __u32 end)
{
	return b[CG_IDX(off)] == '.' &&
	       (end == off + 1 || (end == off + 2 && b[CG_IDX(off + 1)] == '.'));
}

/* lxc.payload.<name> (lxc 4+), machine-lxc\x2d<name>.scope, <name>.libvirt-lxc */
static __always_inline int cg_match_lxc(const char *b, __u32 len,
					struct cgtrack_match *m)
{
	if (len > 12 && cg_starts(b, len, "lxc.payload."))
		return cg_is_dots(b, 12, len) ? 0 : cg_set(m, CGTRACK_RT_LXC, 12, len);
	if (len > 14 + 6 && cg_starts(b, len, "machine-lxc\\x2d") &&
	    cg_ends(b, len, ".scope")) {
		m->flags |= CGTRACK_M_UNESCAPE;
		return cg_set(m, CGTRACK_RT_LIBVIRT_LXC, 8, len - 6);
	}
	if (len > 12 && cg_ends(b, len, ".libvirt-lxc"))
		return cg_is_dots(b, 0, len - 12) ? 0 :
		       cg_set(m, CGTRACK_RT_LIBVIRT_LXC, 0, len - 12);
	return 0;
}

/* ECS on Fargate: <32 hex task id>-<digits> */
static __always_inline int cg_is_fargate_id(const char *b, __u32 len)
{
	__u32 i;
	char c;

	if (len < 34 || len > 32 + 1 + 20 || b[CG_IDX(32)] != '-' ||
	    cg_hex_run(b, len, 0, 33) != 32)
		return 0;
	for (i = 33; i < 32 + 1 + 20; i++) {
		c = b[CG_IDX(i)];
		if (!c)
			break;
		if (c < '0' || c > '9')
			return 0;
	}
	return 1;
}

/* Garden (Cloud Foundry) handles: 8-4-4-4-4 hex, or a full 8-4-4-4-12 UUID. */
static __always_inline int cg_is_garden_handle(const char *b, __u32 len)
{
	__u32 i;
	char c;

	if (len != 28 && len != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		c = b[CG_IDX(i)];
		if (!c)
			break;
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!cg_is_hex(c)) {
			return 0;
		}
	}
	return 1;
}

/* BuildKit's executor ids: 25 characters of [a-z0-9]. */
static __always_inline int cg_is_buildkit_id(const char *b, __u32 len)
{
	__u32 i;
	char c;

	if (len != 25)
		return 0;
	for (i = 0; i < 25; i++) {
		c = b[CG_IDX(i)];
		if (!cg_is(c, CG_LOWNUM))
			return 0;
	}
	return 1;
}

/*
 * The grandparent's name matters only under "buildkit" (docker/buildkit/),
 * under a 32-hex ECS task directory (ecs/<task>/) and under Nomad's
 * partitions (nomad.slice/share.slice/, nomad/share/ and the reserve
 * ones): the kernel reads it only then, which keeps one string copy off
 * every other mkdir. Reading it for more parents than that is harmless:
 * the partitions are let in by length and first letter.
 */
static __always_inline int cgtrack_needs_gparent(const char *parent, __u32 parent_len)
{
	if (parent[0] == 's')
		return parent_len == 5 || parent_len == 11;	/* share[.slice] */
	if (parent[0] == 'r')
		return parent_len == 7 || parent_len == 13;	/* reserve[.slice] */
	return (parent_len == 8 && cg_eq(parent, parent_len, "buildkit")) ||
	       cg_hex_exact(parent, parent_len, 0, 32);
}

/*
 * b[0..36) is a canonical UUID: 8-4-4-4-12 hex digits joined by '-' (the
 * name goes on, or ends, at b[36]). Mesos container ids, Nomad allocation
 * ids and the container ids some CRI runtimes use.
 */
static __always_inline int cg_uuid_prefix(const char *b)
{
	__u32 i;
	char c;

	/*
	 * The NUL test is implied by the others, but it gives the loop the
	 * shape of the other byte loops: without it clang 14 entered the loop
	 * past its first load, and the verifiers of 5.10 to 6.1 reject such a
	 * loop ("back-edge from insn", reached by a fall-through).
	 */
	for (i = 0; i < CGTRACK_POD_UID_LEN; i++) {
		c = b[CG_IDX(i)];
		if (!c)
			return 0;
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!cg_is_hex(c)) {
			return 0;
		}
	}
	return 1;
}

/*
 * systemd-nspawn under machine.slice (the caller checked the parent):
 * machined's scope for a registered machine, "machine-<escaped name>.scope"
 * (machined's machine_start_scope()), and machinectl start's
 * "systemd-nspawn@<name>.service" (units/systemd-nspawn@.service.in,
 * Slice=machine.slice, --keep-unit). machined names every machine's scope
 * so, virtual machines too: libvirt's QEMU and Cloud Hypervisor domains
 * ("qemu-<N>-<name>", "ch-<N>-<name>") are not containers, and libvirt's
 * LXC domains ("lxc-<N>-<name>") are cg_match_lxc()'s (libvirt-lxc).
 */
static __always_inline int cg_match_nspawn(const char *b, __u32 len,
					   struct cgtrack_match *m)
{
	if (len > 8 + 6 && cg_starts(b, len, "machine-") && cg_ends(b, len, ".scope")) {
		if (cg_at(b, len, 8, CG_LIT("qemu\\x2d")) || cg_at(b, len, 8, CG_LIT("ch\\x2d")) ||
		    cg_at(b, len, 8, CG_LIT("lxc\\x2d")))
			return 0;
		m->flags |= CGTRACK_M_UNESCAPE;
		return cg_set(m, CGTRACK_RT_NSPAWN, 8, len - 6);
	}
	if (len > 15 + 8 && cg_starts(b, len, "systemd-nspawn@") &&
	    cg_ends(b, len, ".service")) {
		m->flags |= CGTRACK_M_UNESCAPE;
		return cg_set(m, CGTRACK_RT_NSPAWN, 15, len - 8);
	}
	return 0;
}

/*
 * A name that starts with a UUID (cg_uuid_prefix() said so):
 *   <uuid>                 under "mesos": an Apache Mesos container (its
 *                          cgroups_root "mesos", nested containers at
 *                          <parent>/mesos/<id>: paths.cpp's getCgroupPath())
 *   <uuid>                 under a pod<uid> directory: a CRI container
 *                          named by a UUID (runtime unknown)
 *   <alloc uuid>.<task>.scope  under nomad.slice/{share,reserve}.slice: a
 *                          Nomad exec/raw_exec task (cgroups v2)
 *   <alloc uuid>.<task>    under nomad/, nomad/share/, nomad/reserve/: the
 *                          same on cgroups v1 (client/lib/cgroupslib)
 */
static __always_inline int cg_match_uuid_name(const struct cgtrack_names *n,
					      struct cgtrack_match *m)
{
	const char *b = n->name, *p = n->parent, *g = n->gparent;
	__u32 plen = n->parent_len, glen = n->gparent_len;

	if (b[CGTRACK_POD_UID_LEN] == 0) {
		if (cg_eq(p, plen, "mesos"))
			return cg_set(m, CGTRACK_RT_MESOS, 0, CGTRACK_POD_UID_LEN);
		if (cg_is_pod_dir(p, cg_fresh_plen(n)))
			return cg_set(m, CGTRACK_RT_UNKNOWN, 0, CGTRACK_POD_UID_LEN);
		return 0;
	}
	/* Nomad: "<alloc id>.<task name>", the task name not empty */
	if (b[CGTRACK_POD_UID_LEN] != '.' || b[CGTRACK_POD_UID_LEN + 1] == 0)
		return 0;
	if (cg_eq(p, plen, "nomad"))
		return cg_set(m, CGTRACK_RT_NOMAD, 0, cg_fresh_len(n));
	if (cg_eq(p, plen, "share.slice") || cg_eq(p, plen, "reserve.slice")) {
		if (!cg_eq(g, glen, "nomad.slice") ||
		    cg_fresh_len(n) < CGTRACK_POD_UID_LEN + 2 + 6 ||
		    !cg_ends(b, cg_fresh_len(n), ".scope"))
			return 0;
		return cg_set(m, CGTRACK_RT_NOMAD, 0, cg_fresh_len(n) - 6);
	}
	if ((cg_eq(p, plen, "share") || cg_eq(p, plen, "reserve")) && cg_eq(g, glen, "nomad"))
		return cg_set(m, CGTRACK_RT_NOMAD, 0, cg_fresh_len(n));
	return 0;
}

/* Names that are a container only because of the directory they are in. */
static __always_inline int cg_match_by_parent(const struct cgtrack_names *n,
					      struct cgtrack_match *m)
{
	const char *b = n->name, *p = n->parent;
	__u32 len = cg_fresh_len(n), plen = n->parent_len;

	if (cg_eq(p, plen, "lxc") || cg_eq(p, plen, "lxc.payload"))
		return len ? cg_set(m, CGTRACK_RT_LXC, 0, len) : 0;
	if (cg_eq(p, plen, "garden"))
		return cg_is_garden_handle(b, len) ?
		       cg_set(m, CGTRACK_RT_GARDEN, 0, len) : 0;
	if (cg_eq(p, plen, "buildkit") && cg_eq(n->gparent, n->gparent_len, "docker"))
		return cg_is_buildkit_id(b, len) ?
		       cg_set(m, CGTRACK_RT_BUILDKIT, 0, len) : 0;
	if (cg_hex_exact(p, plen, 0, 32) && cg_eq(n->gparent, n->gparent_len, "ecs") &&
	    (cg_is_fargate_id(b, len) || cg_hex_exact(b, len, 0, CGTRACK_ID_LEN)))
		return cg_set(m, CGTRACK_RT_ECS, 0, len);

	if (!cg_hex_exact(b, len, 0, CGTRACK_ID_LEN))
		return 0;
	/* a bare 64-hex id: the parent says whose it is */
	m->flags |= CGTRACK_M_HEX_ID;
	if (cg_eq(p, plen, "docker") || cg_eq(p, plen, "actions_job"))
		return cg_set(m, CGTRACK_RT_DOCKER, 0, len);
	if (cg_is_pod_dir(p, plen))		/* kubelet's cgroupfs driver */
		return cg_set(m, CGTRACK_RT_CONTAINERD, 0, len);
	/*
	 * containerd puts a container at /<namespace>/<id>; a directory named
	 * like a namespace (not a systemd unit, not itself an id) is taken as
	 * one wherever it is, so nested trees and test subtrees work too.
	 */
	if (cg_is_ns_name(p, plen) && !cg_hex_exact(p, plen, 0, CGTRACK_ID_LEN))
		return cg_set(m, CGTRACK_RT_CONTAINERD, 0, len);
	return cg_set(m, CGTRACK_RT_UNKNOWN, 0, len);
}

static __always_inline void cg_match_reset(struct cgtrack_match *m)
{
	m->runtime = CGTRACK_RT_NONE;
	m->id_off = 0;
	m->id_end = 0;
	m->flags = 0;
	m->pod_end = 0;
}

/*
 * The first rules' part: the layouts of docker, containerd, CRI-O, podman,
 * LXC, libvirt-lxc, Garden, BuildKit, ECS and the bare ids. Fills *m and
 * returns 1 for a container's own cgroup.
 */
static __always_inline int cgtrack_match_base(const struct cgtrack_names *n,
					      struct cgtrack_match *m)
{
	const char *b = n->name;
	__u32 len = cg_fresh_len(n);

	cg_match_reset(m);
	if (len == 0 || len >= CGTRACK_NAME_MAX)
		return 0;
	if (cg_match_prefixed(b, cg_fresh_len(n), m) ||
	    cg_match_colon(b, cg_fresh_len(n), m) ||
	    cg_match_lxc(b, cg_fresh_len(n), m))
		return 1;
	return cg_match_by_parent(n, m);
}

/* cgtrack_match_more()'s answers */
#define CGTRACK_MORE_ASK_BASE	0	/* not one of its layouts: ask the base rules */
#define CGTRACK_MORE_MATCH	1	/* a container's own cgroup, *m filled */
#define CGTRACK_MORE_NOT	2	/* not a container's own cgroup, whatever the base says */

/*
 * The other part: Kata Containers, Mesos, Nomad, systemd-nspawn, Fargate
 * straight under ecs/ and UUID ids in a pod directory. Its layouts are
 * told apart by the parent's name (or the name's own prefix) from every
 * base rule's, so the two parts never claim the same cgroup and the order
 * between them does not change an answer; the one exception is a veto:
 * nothing right under kata_overhead/ (Kata's shim, VMM and virtiofsd, by
 * sandbox id) is a container, though the base would take a bare id there.
 *
 * Two parts so that the BPF object verifies each as its own global
 * function: the branches of one do not multiply with the other's.
 */
static __always_inline int cgtrack_match_more(const struct cgtrack_names *n,
					      struct cgtrack_match *m)
{
	const char *b = n->name, *p = n->parent;
	__u32 len = cg_fresh_len(n), plen = n->parent_len;

	/*
	 * Most names of a host are short and their parent is no machine.slice:
	 * none of these layouts (the shortest other name, Fargate's id, has 34
	 * bytes). One test, and the base rules reset *m themselves.
	 */
	if (len < 34 && p[0] != 'm')
		return CGTRACK_MORE_ASK_BASE;
	cg_match_reset(m);
	if (len >= CGTRACK_NAME_MAX)
		return CGTRACK_MORE_ASK_BASE;
	/* Fargate (platform 1.4+): <32 hex task>-<digits> straight under ecs/ */
	if (cg_eq(p, plen, "ecs"))
		return cg_is_fargate_id(b, cg_fresh_len(n)) ?
		       cg_set(m, CGTRACK_RT_ECS, 0, cg_fresh_len(n)) : CGTRACK_MORE_ASK_BASE;
	if (cg_eq(p, plen, "kata_overhead"))
		return CGTRACK_MORE_NOT;
	if (cg_eq(p, plen, "machine.slice"))
		return cg_match_nspawn(b, cg_fresh_len(n), m);
	/*
	 * Kata Containers: the sandbox's cgroup kata_<sandbox id> in the pod's
	 * directory (RenameCgroupPath(), cgroupfs driver)
	 */
	if (cg_starts(b, len, "kata_")) {
		if (cg_fresh_len(n) != 5 + CGTRACK_ID_LEN || !cg_is_pod_dir(p, cg_fresh_plen(n)) ||
		    cg_hex_run(b, 0, 5, CGTRACK_ID_LEN) != CGTRACK_ID_LEN)
			return CGTRACK_MORE_ASK_BASE;
		m->flags |= CGTRACK_M_HEX_ID;
		return cg_set(m, CGTRACK_RT_KATA, 5, 5 + CGTRACK_ID_LEN);
	}
	if (len >= CGTRACK_POD_UID_LEN && b[8] == '-' && b[13] == '-' && cg_uuid_prefix(b))
		return cg_match_uuid_name(n, m);
	return CGTRACK_MORE_ASK_BASE;
}

/*
 * Is this cgroup, by its name (and its ancestors' names), a container's
 * own cgroup? Fills *m and returns 1 if so. The BPF program makes the same
 * two calls, each from its own global function (bpf/cgtrack.bpf.c).
 */
static __always_inline int cgtrack_match_name(const struct cgtrack_names *n,
					      struct cgtrack_match *m)
{
	int more = cgtrack_match_more(n, m);

	if (more != CGTRACK_MORE_ASK_BASE)
		return more == CGTRACK_MORE_MATCH;
	return cgtrack_match_base(n, m);
}

static __always_inline char cg_hexval(char c)
{
	if (c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

/*
 * Copy the id, at most CGTRACK_ID_LEN bytes, decoding \xNN when asked.
 * Only the write index is a register; the read cursor goes through *m
 * (volatile), which in BPF is a map value the verifier does not track,
 * so the loop's states stay linear in its length.
 *
 * Only escapes of the bytes a machine name may hold ([A-Za-z0-9._-]) are
 * decoded; any other (\x2f '/', \x0a, \x00...) stays as written, and a
 * control byte of a raw name becomes '?', so that a name chosen by whoever
 * may create a cgroup never yields an id that is a path, ends early or
 * drives a terminal.
 */
static __always_inline void cg_copy_id(const char *b, struct cgtrack_match *m,
				       char *out)
{
	volatile __u32 *cursor = &m->rpos;
	__u32 k, r, end = m->id_end;
	char c, d;

	__builtin_memset(out, 0, CGTRACK_ID_LEN + 1);
	/*
	 * The common case, a 64-hex id (checked by the rule that matched):
	 * a straight copy, no per-byte decisions. It is on every container
	 * mkdir, with interrupts off.
	 */
	if (m->flags & CGTRACK_M_HEX_ID) {
		r = m->id_off;
		for (k = 0; k < CGTRACK_ID_LEN; k++)
			out[k] = b[CG_IDX(r + k)];
		return;
	}
	*cursor = m->id_off;
	for (k = 0; k < CGTRACK_ID_LEN; k++) {
		r = *cursor;
		if (r >= end)
			break;
		c = b[CG_IDX(r)];
		if ((m->flags & CGTRACK_M_UNESCAPE) && c == '\\' && r + 3 < end &&
		    b[CG_IDX(r + 1)] == 'x' && cg_is_hex(b[CG_IDX(r + 2)]) &&
		    cg_is_hex(b[CG_IDX(r + 3)])) {
			d = (char)(cg_hexval(b[CG_IDX(r + 2)]) << 4 |
				   cg_hexval(b[CG_IDX(r + 3)]));
			if (cg_is(d, CG_ALNUM | CG_NSSEP)) {
				c = d;
				r += 3;
			}
		}
		*cursor = r + 1;
		/* a control byte of a raw name (lxc/<name>): no terminal's business */
		out[k] = (char)cg_safe[(__u8)c];
	}
}

/* Copy a pod uid found by cg_find_pod(), lower case, '_' -> '-'. */
static __always_inline void cg_copy_pod(const char *b, __u32 u, __u32 w, char *out)
{
	__u32 i;
	char c;

	__builtin_memset(out, 0, CGTRACK_POD_UID_LEN + 1);
	for (i = 0; i < CGTRACK_POD_UID_LEN; i++) {
		if (i >= w)
			break;
		/* cg_uid_shape() checked it: separators at fixed places, hex */
		if (w == CGTRACK_POD_UID_LEN && (i == 8 || i == 13 || i == 18 || i == 23))
			c = '-';
		else
			c = b[CG_IDX(u + i)] | 0x20;	/* lower case */
		out[i] = c;
	}
}

/*
 * Fill the identity fields of *out (runtime, root, container_id, pod_uid,
 * root_cgroup_id) for a cgroup with id cgid. Returns 1 if the cgroup is
 * tracked (a container or inside one), 0 if not.
 */
static __always_inline int cgtrack_fill(const struct cgtrack_names *n,
					struct cgtrack_match *m,
					const struct cgtrack_container *parent,
					__u64 cgid, struct cgtrack_container *out)
{
	__u32 u = 0, w = 0;

	if (m->runtime == CGTRACK_RT_NONE) {
		if (!parent)
			return 0;
		out->runtime = parent->runtime;
		out->root = 0;
		out->root_cgroup_id = parent->root_cgroup_id;
		__builtin_memcpy(out->container_id, parent->container_id,
				 sizeof(out->container_id));
		__builtin_memcpy(out->pod_uid, parent->pod_uid,
				 sizeof(out->pod_uid));
		return 1;
	}
	out->runtime = (enum cgtrack_runtime)m->runtime;
	out->root = 1;
	out->root_cgroup_id = cgid;
	cg_copy_id(n->name, m, out->container_id);
	/* all of it: the BPF program's scratch slot holds the last cgroup's */
	__builtin_memset(out->pod_uid, 0, sizeof(out->pod_uid));
	if (m->flags & CGTRACK_M_POD_IN_NAME)
		u = cg_find_pod(n->name, m->pod_end, &w);
	if (u) {
		cg_copy_pod(n->name, u, w, out->pod_uid);
		return 1;
	}
	u = cg_find_pod(n->parent, n->parent_len, &w);
	if (u)
		cg_copy_pod(n->parent, u, w, out->pod_uid);
	return 1;
}

#endif /* CGTRACK_PARSER_H */
