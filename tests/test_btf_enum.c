// SPDX-License-Identifier: Apache-2.0
/*
 * loader/btf_enum.c, the one-pass enum lookup that spares the loader a
 * full BTF parse: against libbpf's answer for every enumerator of the
 * kernel's enum cgroup_subsys_id (what the loader asks it), and on small
 * BTF blobs built here: signed and 64-bit enums, a missing name, and the
 * input it must refuse (-EINVAL, so that the loader asks libbpf) rather
 * than misread: a bad magic, a short file, a kind it does not know.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <linux/btf.h>

#include "btf_enum.h"

#define TAP_AREA "btf_enum"
#include "tap.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"
/* struct btf_type's info word (the kernel's BTF_INFO_ENC is not in uapi) */
#define INFO(kind, kflag, vlen) ((__u32)(kflag) << 31 | (__u32)(kind) << 24 | (vlen))

/* A BTF blob: header, types, strings. */
struct blob {
	struct btf_header h;
	__u32 types[64];
	char strs[128];
};

static size_t blob_make(struct blob *b, const __u32 *types, size_t ntypes,
			const char *strs, size_t slen)
{
	memset(b, 0, sizeof(*b));
	b->h.magic = BTF_MAGIC;
	b->h.version = BTF_VERSION;
	b->h.hdr_len = sizeof(b->h);
	b->h.type_off = 0;
	b->h.type_len = (__u32)(ntypes * 4);
	b->h.str_off = sizeof(b->types);
	b->h.str_len = (__u32)slen;
	memcpy(b->types, types, ntypes * 4);
	memcpy(b->strs, strs, slen);
	return sizeof(*b);
}

/* strings: "\0e\0A\0B\0e64\0" */
static const char strs[] = "\0e\0A\0B\0e64\0C";
#define S_E	1
#define S_A	3
#define S_B	5
#define S_E64	7
#define S_C	11

static void check_blobs(void)
{
	/* an int, then enum e (signed) { A = -3, B = 7 }, then enum64 e64 { C = 1 << 40 } */
	const __u32 types[] = {
		0, INFO(BTF_KIND_INT, 0, 0), 4, 32,
		S_E, INFO(BTF_KIND_ENUM, 1, 2), 4, S_A, (__u32)-3, S_B, 7,
		S_E64, INFO(BTF_KIND_ENUM64, 0, 1), 8, S_C, 0, 1u << 8,
	};
	const __u32 unknown[] = {
		0, INFO(30, 0, 0), 4,
		S_E, INFO(BTF_KIND_ENUM, 0, 1), 4, S_A, 1,
	};
	struct blob b;
	long long v = 0;
	size_t n = sizeof(types) / 4;
	char got[64];
	int r;

	r = btf_enum_value_in(&b, blob_make(&b, types, n, strs, sizeof(strs)), "e", "A", &v);
	snprintf(got, sizeof(got), "%d %lld", r, v);
	ok(r == 0 && v == -3, "a signed enum's negative value", got);
	r = btf_enum_value_in(&b, blob_make(&b, types, n, strs, sizeof(strs)), "e", "B", &v);
	snprintf(got, sizeof(got), "%d %lld", r, v);
	ok(r == 0 && v == 7, "the second enumerator, after an int", got);
	r = btf_enum_value_in(&b, blob_make(&b, types, n, strs, sizeof(strs)), "e64", "C", &v);
	snprintf(got, sizeof(got), "%d %lld", r, v);
	ok(r == 0 && v == 1LL << 40, "an enum64's 64-bit value", got);
	r = btf_enum_value_in(&b, blob_make(&b, types, n, strs, sizeof(strs)), "e", "C", &v);
	snprintf(got, sizeof(got), "%d", r);
	ok(r == -ENOENT, "a name the enum does not have: -ENOENT", got);
	r = btf_enum_value_in(&b, blob_make(&b, types, n, strs, sizeof(strs)), "x", "A", &v);
	snprintf(got, sizeof(got), "%d", r);
	ok(r == -ENOENT, "no such enum: -ENOENT", got);

	blob_make(&b, types, n, strs, sizeof(strs));
	b.h.magic = 0x1234;
	r = btf_enum_value_in(&b, sizeof(b), "e", "A", &v);
	snprintf(got, sizeof(got), "%d", r);
	ok(r == -EINVAL, "a bad magic: -EINVAL", got);
	r = btf_enum_value_in(&b, blob_make(&b, types, n, strs, sizeof(strs)) / 2, "e", "A", &v);
	snprintf(got, sizeof(got), "%d", r);
	ok(r == -EINVAL, "sections past the end of a short blob: -EINVAL", got);
	blob_make(&b, types, n, strs, sizeof(strs));
	b.h.type_len -= 4;	/* the enum64's last word cut off */
	r = btf_enum_value_in(&b, sizeof(b), "e64", "C", &v);
	snprintf(got, sizeof(got), "%d", r);
	ok(r == -EINVAL, "a record cut by the type section's end: -EINVAL", got);
	r = btf_enum_value_in(&b, blob_make(&b, unknown, sizeof(unknown) / 4, strs,
					    sizeof(strs)), "e", "A", &v);
	snprintf(got, sizeof(got), "%d", r);
	ok(r == -EINVAL, "a kind it does not know, before the enum: -EINVAL (ask libbpf)", got);
}

/* Every cgroup_subsys_id enumerator: the same value as libbpf's parse. */
static void check_vmlinux(void)
{
	const struct btf_enum *e;
	const struct btf_type *t;
	struct btf *btf;
	char got[160] = "";
	int id, i, n = 0, same = 0;
	long long v;

	if (access(VMLINUX, R_OK)) {
		printf("skip - " TAP_AREA ": the kernel's BTF: no %s\n", VMLINUX);
		return;
	}
	btf = btf__load_vmlinux_btf();
	id = btf ? btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM) : -1;
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	for (i = 0, e = t ? btf_enum(t) : NULL; t && i < btf_vlen(t); i++, e++) {
		const char *name = btf__name_by_offset(btf, e->name_off);
		int r = btf_enum_value(VMLINUX, "cgroup_subsys_id", name, &v);

		n++;
		if (r == 0 && v == e->val)
			same++;
		else if (!got[0])
			snprintf(got, sizeof(got), "%s: %d %lld, libbpf %d", name, r, v, e->val);
	}
	ok(n > 3 && same == n, "the kernel's cgroup_subsys_id: every value as libbpf reads it",
	   got[0] ? got : "fewer than 4 enumerators");
	id = btf_enum_value(VMLINUX, "cgroup_subsys_id", "no_such_cgrp_id", &v);
	snprintf(got, sizeof(got), "%d", id);
	ok(id == -ENOENT, "the kernel's BTF, a controller it lacks: -ENOENT", got);
	btf__free(btf);
}

int main(void)
{
	check_blobs();
	check_vmlinux();
	return tap_done();
}
