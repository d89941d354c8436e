// SPDX-License-Identifier: Apache-2.0
/*
 * The pin table against the BPF object, no root needed (`make check`):
 * every map of cgtrack's object has its row in abi.h's CGTRACK_MAPS with
 * the same type and key/value sizes, every row names a map of the object,
 * every link names a program of it, and the consumer kit (consumer.h)
 * maps exactly the shared rows to their pins. Opening an object loads
 * nothing into the kernel.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "cgtrack.skel.h"
#include "cgtrack/consumer.h"
#include "pinset.h"

#define TAP_AREA "pinset"
#include "tap.h"


static const struct pin_spec *row_of(const char *kname)
{
	size_t i;

	for (i = 0; i < pinset_len; i++)
		if (!strcmp(pinset[i].kname, kname))
			return &pinset[i];
	return NULL;
}

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	return 0;
}

int main(void)
{
	const struct pin_spec *s;
	struct bpf_map *m;
	struct cgtrack *skel;
	char what[160], got[160];
	size_t i, n_maps = 0, n_shared = 0, n_consumer = 0;

	libbpf_set_print(silent);
	skel = cgtrack__open();
	if (!skel) {
		printf("not ok - pinset: cgtrack's BPF object opens\n");
		return 1;
	}
	bpf_object__for_each_map(m, skel->obj) {
		const char *name = bpf_map__name(m);

		if (strchr(name, '.'))		/* .rodata, .bss: not pinned */
			continue;
		/*
		 * Per-CPU work space, private to each load (never pinned, never
		 * read by anyone else). A new map is either pinned (a row in
		 * CGTRACK_MAPS) or named here on purpose.
		 */
		if (!strcmp(name, "scratch"))
			continue;
		n_maps++;
		s = row_of(name);
		snprintf(what, sizeof(what), "map %s: a row with its type and sizes", name);
		snprintf(got, sizeof(got), "type %u key %u value %u vs row %u/%u/%u",
			 bpf_map__type(m), bpf_map__key_size(m), bpf_map__value_size(m),
			 s ? s->map_type : 0, s ? s->key_size : 0, s ? s->value_size : 0);
		ok(s && s->map_type == (__u32)bpf_map__type(m) &&
		   (s->map_type == BPF_MAP_TYPE_RINGBUF ||
		    (s->key_size == bpf_map__key_size(m) &&
		     s->value_size == bpf_map__value_size(m))), what, got);
	}
	for (i = 0; i < pinset_len; i++) {
		s = &pinset[i];
		if (pin_is_link(s)) {
			snprintf(what, sizeof(what), "link %s: program %s exists", s->pin, s->kname);
			ok(bpf_object__find_program_by_name(skel->obj, s->kname) != NULL, what, "");
			continue;
		}
		snprintf(what, sizeof(what), "row %s: map %s exists", s->pin, s->kname);
		ok(bpf_object__find_map_by_name(skel->obj, s->kname) != NULL, what, "");
	}
	ok(pinset_len - N_LINK_PINS == n_maps, "as many map rows as maps", "");

	/* the consumer kit: exactly the shared rows, by the consumer's name */
	for (i = 0; i < sizeof(cgtrack_consumer_maps) / sizeof(cgtrack_consumer_maps[0]); i++) {
		const struct cgtrack_consumer_map *c = &cgtrack_consumer_maps[i];
		const char *name = c->alt ? c->alt : c->kname;
		const char *pin = cgtrack_consumer_pin_name(name);

		snprintf(what, sizeof(what), "consumer map '%s' is pin %s%s", name,
			 c->shared ? c->pin : "(none)", c->shared ? "" : ": not shared");
		ok(c->shared ? pin && !strcmp(pin, c->pin) : !pin, what, pin ? pin : "(none)");
		n_shared += c->shared;
	}
	for (i = N_LINK_PINS; i < pinset_len; i++)
		n_consumer += cgtrack_consumer_pin_name(pinset[i].alt_kname ?
							pinset[i].alt_kname :
							pinset[i].kname) != NULL;
	snprintf(got, sizeof(got), "%zu of %zu", n_consumer, n_shared);
	ok(n_shared == 5 && n_consumer == n_shared,
	   "consumers get containers, containers_map, info, mntns_pids, config", got);
	ok(!cgtrack_consumer_pin_name("stats") && !cgtrack_consumer_pin_name("events") &&
	   !cgtrack_consumer_pin_name("config_map"),
	   "consumers never get stats, events, or config under cgtrack's own name", "");
	cgtrack__destroy(skel);
	return tap_done();
}
